/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/answer.h"
#include "common/err.h"
#include "common/oauth.h"
#include "common/uuid.h"
#include "inject/send.h"

#define DEBUG_BODY_MAX	4000

void
sender_init(struct sender *s, const struct curlx *cx, CURL *c,
    const struct inject_opts *o)
{
	memset(s, 0, sizeof(*s));
	s->o = o;
	s->conf.timeout = o->timeout;
	s->conf.proxy = o->proxy;
	s->conf.user = "";
	s->conf.password = "";
	s->conf.ca_cert_file = o->ca_cert_file;
	s->conf.ca_cert_dir = o->ca_cert_dir;
	s->conf.ssl_cert_file = o->ssl_cert_file;
	s->conf.ssl_key_file = o->ssl_key_file;
	s->conf.no_ssl_check = o->no_ssl_check;
	s->conf.pins = &o->pins;
	httpc_init(&s->h, cx, c, &s->conf);
}

void
send_url_shown(const char *url, char *out, size_t outlen)
{
	const char	*auth, *at, *end;

	auth = strstr(url, "://");
	auth = auth != NULL ? auth + 3 : url;
	end = auth + strcspn(auth, "/?#");
	at = memchr(auth, '@', (size_t)(end - auth));
	if (at == NULL)
		snprintf(out, outlen, "%s", url);
	else
		snprintf(out, outlen, "%.*s%s", (int)(auth - url), url,
		    at + 1);
}

static void
nap(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0)
		;
}

static double
monotonic(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * After a 429 or 503 with Retry-After: waits what the server asks, if it
 * fits before deadline (monotonic seconds) and the run is not stopping.
 * Returns 0 to ask again, -1 with why when p fails.
 */
static int
wait_retry(struct sender *s, const struct payload *p,
    const struct httpc_answer *x, double deadline, char *why, size_t whylen)
{
	long	wait = x->retry_after > 0 ? x->retry_after : 1;
	double	left = deadline - monotonic(), until;

	if ((double)wait > left) {
		snprintf(why, whylen, "HTTP %ld%s%s: the server asks to retry "
		    "after %ld s (Retry-After), more than the %.0f s left of "
		    "--timeout %ld", x->status, x->reason[0] != '\0' ? " " :
		    "", x->reason, wait, left > 0 ? left : 0, s->o->timeout);
		return ERR_TIMEOUT;
	}
	if (s->o->verbose && s->say != NULL)
		s->say(s->say_arg, "%s: HTTP %ld%s%s, retrying in %ld s "
		    "(Retry-After)", p->name, x->status, x->reason[0] != '\0' ?
		    " " : "", x->reason, wait);
	/* In small steps, so that a stopping run does not wait it out. */
	until = monotonic() + (double)wait;
	while (monotonic() < until) {
		if (s->stop != NULL && *s->stop) {
			snprintf(why, whylen, "HTTP %ld: interrupted while "
			    "waiting to retry", x->status);
			return ERR_CANCELLED;
		}
		nap(100);
	}
	return 0;
}

/* The text of REPLY/ERROR of an XML answer into out, if it has one. */
static void
xml_error(const struct buf *b, char *out, size_t outlen)
{
	const char *a, *e;

	if ((a = strstr(b->data, "<ERROR")) == NULL)
		return;
	if (strncmp(a, "<ERROR>", 7) != 0 ||
	    (e = strstr(a, "</ERROR>")) == NULL || e == a + 7)
		snprintf(out, outlen, "the server answered an error");
	else
		snprintf(out, outlen, "%.*s", (int)(e - a - 7), a + 7);
}

static void
debug_answer(struct sender *s, const struct payload *p, const char *method,
    const char *reqid, const struct httpc_answer *x)
{
	char	ids[128] = "";
	int	n = 0;

	if (!s->o->debug || s->say == NULL)
		return;
	if (reqid[0] != '\0')
		n = snprintf(ids, sizeof(ids), " [%s]", reqid);
	if (p->agentid[0] != '\0' && n >= 0 && (size_t)n < sizeof(ids))
		snprintf(ids + n, sizeof(ids) - (size_t)n, " [agentid:%s]",
		    p->agentid);
	s->say(s->say_arg, "%s: %s%s: HTTP %ld %s%s%s\n%.*s", p->name,
	    method, ids, x->status, x->reason, x->reqid[0] != '\0' ?
	    ", GLPI-Request-ID " : "", x->reqid, (int)(x->body.len >
	    DEBUG_BODY_MAX ? DEBUG_BODY_MAX : x->body.len),
	    x->body.data != NULL ? x->body.data : "");
}

/*
 * The verdict on one answer: 0 accepted, 1 pending (poll with x->reqid),
 * ERR_PEER refused with why.
 */
static int
verdict(const struct httpc_answer *x, long *waitp, char *why,
    size_t whylen)
{
	const char	*s = x->body.data != NULL ? x->body.data : "";
	char		 status[32], msg[512];
	int		 ok2xx = x->status >= 200 && x->status <= 299;

	while (isspace((unsigned char)*s))
		s++;
	msg[0] = '\0';
	if (*s == '\0')
		snprintf(msg, sizeof(msg), "unexpected empty server response");
	else if (*s == '{') {
		if (answer_json(x->body.data, x->body.len, status,
		    sizeof(status), msg, sizeof(msg), waitp) != 0)
			snprintf(msg, sizeof(msg), "cannot read the server's "
			    "JSON answer");
		else if (strcmp(status, "pending") == 0 && ok2xx) {
			if (x->reqid[0] != '\0')
				return 1;
			snprintf(msg, sizeof(msg), "answer pending without a "
			    "GLPI-Request-ID");
		} else if (strcmp(status, "ok") == 0)
			msg[0] = '\0';
		else if (msg[0] == '\0')
			snprintf(msg, sizeof(msg), "server failed to import "
			    "(status \"%s\")", status);
	} else if (*s == '<')
		xml_error(&x->body, msg, sizeof(msg));
	else
		snprintf(msg, sizeof(msg), "bad content as server response");
	if (ok2xx && msg[0] == '\0')
		return 0;
	snprintf(why, whylen, "HTTP %ld%s%s%s%s", x->status,
	    x->reason[0] != '\0' ? " " : "", x->reason, msg[0] != '\0' ?
	    ": " : "", msg);
	return ERR_PEER;
}

int
send_authorization(struct sender *s, const char *refused, char *out,
    size_t outlen, char *why, size_t whylen)
{
	char	text[1024];
	int	r;

	out[0] = '\0';
	if (s->o->oauth_id == NULL)
		return 0;
	if ((r = oauth_authorization(&s->h, s->o->url, s->o->oauth_id,
	    s->o->oauth_secret, refused, out, outlen, text, sizeof(text))) ==
	    0)
		return 0;
	snprintf(why, whylen, "no OAuth access token: %s", text);
	return r;
}

int
send_payload(struct sender *s, const struct payload *p, char *why,
    size_t whylen)
{
	struct httpc_answer	 x;
	char			 reqid[REQID_STRLEN + 1], auth[OAUTH_HEADER_MAX];
	char			 refused[OAUTH_HEADER_MAX];
	char			 shown[1024];
	const char		*headers[] = {
		"GLPI-Agent-ID", p->agentid,
		"GLPI-Request-ID", reqid,
		"Authorization", auth,
		NULL
	};
	struct httpc_request	 rq = {
		.url = s->o->url, .ctype = p->ctype, .user_agent = p->user_agent,
		.headers = headers,
	};
	struct answer_poll	 ap = ANSWER_POLL_INIT;
	long			 wait, ms;
	double			 deadline = monotonic() + (double)s->o->timeout;
	int			 r, renewed = 0;

	rq.body = s->o->no_compression ? p->content.data : p->body.data;
	rq.len = s->o->no_compression ? p->content.len : p->body.len;
	reqid[0] = '\0';
	if (s->o->debug)
		reqid_random(reqid);
	if ((r = send_authorization(s, NULL, auth, sizeof(auth), why,
	    whylen)) != 0)
		return r;
	for (;;) {
		if (httpc_exchange(&s->h, &rq, &x) != 0) {
			send_url_shown(s->o->url, shown, sizeof(shown));
			snprintf(why, whylen, "cannot send to %s: %s", shown,
			    x.error);
			buf_free(&x.body);
			return ERR_TRANSPORT;
		}
		debug_answer(s, p, rq.body != NULL ? "POST" : "GET", reqid,
		    &x);
		if (x.status == 401 && auth[0] != '\0' && !renewed) {
			/* Revoked or refused: one new token, one more try. */
			renewed = 1;
			buf_free(&x.body);
			memcpy(refused, auth, sizeof(refused));
			if ((r = send_authorization(s, refused, auth,
			    sizeof(auth), why, whylen)) != 0)
				return r;
			continue;
		}
		if ((x.status == 429 || x.status == 503) &&
		    x.retry_after >= 0) {
			/* Busy, not refused: the same request again. */
			r = wait_retry(s, p, &x, deadline, why, whylen);
			buf_free(&x.body);
			if (r != 0)
				return r;
			continue;
		}
		r = verdict(&x, &wait, why, whylen);
		if (r != 1) {
			buf_free(&x.body);
			return r;
		}
		if ((ms = answer_poll_next(&ap, wait)) < 0) {
			snprintf(why, whylen, "still pending after %d polls "
			    "over %.1f s", ap.tries, (double)ap.waited_ms /
			    1000);
			buf_free(&x.body);
			return ERR_TIMEOUT;
		}
		/* The proxy answers later: ask for it by its request id. */
		memcpy(reqid, x.reqid, sizeof(reqid));
		buf_free(&x.body);
		nap(ms);
		rq.body = NULL;
		rq.len = 0;
		rq.ctype = NULL;
	}
}
