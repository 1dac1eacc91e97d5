/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "common/answer.h"
#include "common/buf.h"
#include "common/compress.h"
#include "common/curlx.h"
#include "common/err.h"
#include "common/httpc.h"
#include "common/log.h"
#include "common/oauth.h"
#include "proxy/config.h"
#include "proxy/forward.h"
#include "proxy/metrics.h"
#include "proxy/proxy.h"

struct forwarder {
	pthread_mutex_t		 lock;
	pthread_cond_t		 more, idle_cv, cancel_cv;
	atomic_int		 cancelled;
	struct forward_job	*head, *tail;
	int			 queued, max_queue;
	int			 nthreads, max_workers, nidle, busy;
	int			 stopping;
	pthread_t		*threads;
};

/* Sleeps ms milliseconds, or less when the forwarder is cancelled. */
static void
nap(struct forwarder *f, long ms)
{
	struct timespec deadline;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += ms / 1000;
	deadline.tv_nsec += (ms % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&f->lock);
	while (!atomic_load(&f->cancelled) &&
	    pthread_cond_timedwait(&f->cancel_cv, &f->lock, &deadline) == 0)
		;
	pthread_mutex_unlock(&f->lock);
}

static void
set_answer(struct forward_job *job, struct buf *b)
{
	free(job->answer);
	job->answer = buf_steal(b, &job->answer_len);
}

/* A worker's way to upstream, with the settings of the job it runs. */
struct link {
	struct httpc		 h;
	struct httpc_conf	 conf;
	struct forwarder	*f;
	const struct forward_job *job;
	char			 auth[OAUTH_HEADER_MAX];	/* or "" */
};

static int
link_cancelled(void *arg)
{
	const struct forwarder *f = arg;

	return atomic_load(&f->cancelled);
}

/* One request of the job to url: a POST of body, or a GET poll. */
static int
exchange(const struct link *lk, const char *url, const char *ctype,
    const char *body, size_t len, const char *reqid, struct httpc_answer *x)
{
	const struct forward_job	*job = lk->job;
	const char			*headers[] = {
		"GLPI-Agent-ID", job->agentid,
		"GLPI-Proxy-ID", job->proxy_ids,
		"GLPI-Request-ID", reqid,
		"Authorization", lk->auth,
		NULL
	};
	/* The legacy post has no agent nor request id, but a chain. */
	const char			*xml_headers[] = {
		"GLPI-Proxy-ID", job->proxy_ids,
		"Authorization", lk->auth,
		NULL
	};
	struct httpc_request		 rq = {
		.url = url, .ctype = ctype, .body = body, .len = len,
		.user_agent = job->user_agent,
		.headers = job->kind == FORWARD_JSON ? headers : xml_headers,
	};

	return httpc_exchange(&lk->h, &rq, x);
}

static void
set_reason(struct forward_job *job, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Why the job failed, for the one line run_job() logs. */
static void
set_reason(struct forward_job *job, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(job->reason, sizeof(job->reason), fmt, ap);
	va_end(ap);
}

/*
 * A status outside 2xx, kept in failed_http.  A proxy refusing a loop
 * answers 404 with "proxy-loop-detected" (the reference plugin puts
 * PROXY-LOOP-DETECTED in the status line instead) and, from Passeur, its
 * own id in GLPI-Proxy-ID.
 */
static void
refused(struct forward_job *job, const struct httpc_answer *x, int i)
{
	char	status[32], message[64], summary[256];
	char	location[sizeof(job->reason) / 2];
	long	exp;

	job->failed_http = x->status;
	job->retry_after = x->retry_after;
	/* Down, overloaded or too slow now: it may answer later. */
	job->unreachable = x->status >= 500 || x->status == 408 ||
	    x->status == 429;
	/* Not followed (httpc.h): the operator decides where inventories go. */
	if (x->status >= 300 && x->status <= 399) {
		log_escape(location, sizeof(location), x->location);
		set_reason(job, "server%d answered %ld to %s: not followed (set "
		    "server to that URL if it is the right one)", i, x->status,
		    location[0] != '\0' ? location : "(no Location)");
		return;
	}
	answer_json(x->body.data, x->body.len, status, sizeof(status),
	    message, sizeof(message), &exp);
	if (x->status == 404 &&
	    (strcasecmp(message, "proxy-loop-detected") == 0 ||
	    strcasecmp(x->reason, "PROXY-LOOP-DETECTED") == 0)) {
		if (uuid_valid(x->proxy_id))
			set_reason(job, "loop detected (proxy id %s), HTTP 404",
			    x->proxy_id);
		else
			set_reason(job, "loop detected (one of the proxy ids "
			    "%.200s), HTTP 404", job->proxy_ids != NULL ?
			    job->proxy_ids : "");
		return;
	}
	answer_summary(x->body.data, x->body.len, summary, sizeof(summary));
	set_reason(job, "HTTP %ld%s%s", x->status, summary[0] ? ": " : "",
	    summary);
}

/*
 * A 2xx answer to a JSON message that delivers nothing: an error answer,
 * or no JSON object at all (a web page, an empty body).
 */
static void
undelivered(struct forward_job *job, const struct httpc_answer *x,
    int is_object)
{
	char		 summary[256];
	const char	*what = "";
	int		 json;

	job->failed_http = x->status;
	json = answer_summary(x->body.data, x->body.len, summary,
	    sizeof(summary));
	if (!is_object && x->body.len == 0)
		what = "invalid answer: empty";
	else if (!is_object)
		what = json ? "invalid answer: not a JSON object: " :
		    "invalid answer: not JSON: ";
	set_reason(job, "HTTP %ld but %s%s", x->status, what, summary);
}

/*
 * The Authorization header for url when agent.cfg has an OAuth client
 * (GLPI 11 with auth_required = client_credentials), into lk->auth; ""
 * without one.  refused: the value a 401 answered, to have it renewed.
 * The agent's own Authorization header, meant for this proxy, is never
 * sent upstream: this is the only one.  0, or ERR_PEER with why set.
 */
static int
link_authorize(struct link *lk, const char *url, const char *refused,
    char *why, size_t whylen)
{
	const struct agent_conf	*a = lk->job->px->agent;
	char			 text[512];

	lk->auth[0] = '\0';
	if (a->oauth_client_id == NULL || a->oauth_client_id[0] == '\0')
		return 0;
	if (oauth_authorization(&lk->h, url, a->oauth_client_id,
	    a->oauth_client_secret, refused, lk->auth, sizeof(lk->auth), text,
	    sizeof(text)) == 0)
		return 0;
	/* A reason cut short still names the server first. */
	if ((size_t)snprintf(why, whylen, "no OAuth token: %s", text) >=
	    whylen && whylen > 4)
		memcpy(why + whylen - 4, "...", 4);
	return ERR_PEER;
}

/*
 * exchange(), made again while the target answers 429 or 503 with a
 * Retry-After: it is busy, not refusing (a proxy at its
 * max_proxy_threads, a server behind a web server at capacity).  The
 * waits of one target of a job add up to at most the agent's timeout
 * (*waitedp); past that, or when cancelled, the busy answer is returned.
 */
static int
exchange_patient(struct link *lk, const char *url, const char *ctype,
    const char *body, size_t len, const char *reqid, struct httpc_answer *x,
    long *waitedp)
{
	char	refused[sizeof(lk->auth)];
	long	wait;
	int	r, renewed = 0;

	for (;;) {
		r = exchange(lk, url, ctype, body, len, reqid, x);
		/* A 401 to a token: renewed once (revoked, or GLPI's key). */
		if (r == 0 && x->status == 401 && lk->auth[0] != '\0' &&
		    !renewed) {
			renewed = 1;
			memcpy(refused, lk->auth, sizeof(refused));
			if ((r = link_authorize(lk, url, refused, x->error,
			    sizeof(x->error))) != 0) {
				buf_free(&x->body);
				return r;
			}
			log_debug("forward %s to %s: HTTP 401, again with a new "
			    "OAuth token", lk->job->reqid, url);
			buf_free(&x->body);
			continue;
		}
		if (r != 0 || (x->status != 429 && x->status != 503) ||
		    x->retry_after < 0 || atomic_load(&lk->f->cancelled))
			return r;
		wait = x->retry_after > 0 ? x->retry_after : 1;
		if (*waitedp + wait > lk->conf.timeout)
			return r;
		*waitedp += wait;
		log_debug("forward %s to %s: HTTP %ld, again in %ld s "
		    "(Retry-After)", lk->job->reqid, url, x->status, wait);
		buf_free(&x->body);
		nap(lk->f, wait * 1000);
	}
}

/* Forwards a JSON message to target i; 0 on success. */
static int
forward_json_one(struct link *lk, struct forward_job *job,
    const char *url, const char *ctype, const char *body, size_t len, int i)
{
	struct forwarder	*f = lk->f;
	struct httpc_answer	 x;
	char			 status[32], reqid[REQID_STRLEN + 1];
	struct answer_poll	 ap = ANSWER_POLL_INIT;
	long			 wait, ms, waited = 0;
	int			 r, obj;

	reqid[0] = '\0';
	if (log_verbosity() > 0)
		reqid_random(reqid);
	r = exchange_patient(lk, url, ctype, body, len, reqid, &x, &waited);
	for (;;) {
		/*
		 * A poll answered 404: the next proxy acknowledged the
		 * message (202) and has since forgotten its request id (a
		 * restart).  It holds the message: delivered, not refused.
		 */
		if (r == 0 && x.status == 404 && ap.tries > 0) {
			log_info("forward %s: server%d forgot request %s that it "
			    "acknowledged; it holds the message", job->reqid, i,
			    reqid);
			buf_free(&x.body);
			buf_init(&x.body, 128);
			if (buf_appendf(&x.body, "{\"status\":\"ok\",\"message\":"
			    "\"inventory held by server%d for delivery\","
			    "\"expiration\":%ld}", i, wait > 0 ? wait : 1) != 0) {
				buf_free(&x.body);
				set_reason(job, "out of memory");
				return ERR_NOMEM;
			}
			job->status = 200;
			set_answer(job, &x.body);
			return 0;
		}
		if (r != 0 || x.status < 200 || x.status > 299) {
			if (r != 0) {
				set_reason(job, "%s", x.error);
				/* No answer came (not our OAuth token). */
				job->unreachable = r == ERR_TRANSPORT;
			} else
				refused(job, &x, i);
			buf_free(&x.body);
			return ERR_PEER;
		}
		obj = answer_json(x.body.data, x.body.len, status,
		    sizeof(status), NULL, 0, &wait) == 0;
		if (!obj || strcmp(status, "error") == 0) {
			undelivered(job, &x, obj);
			buf_free(&x.body);
			return ERR_PEER;
		}
		if (strcmp(status, "pending") != 0 || x.reqid[0] == '\0')
			break;
		if ((ms = answer_poll_next(&ap, wait)) < 0 ||
		    atomic_load(&f->cancelled)) {
			/* The agent must not wait for what will never come. */
			set_reason(job, "still pending after %d polls, given up",
			    ap.tries);
			job->unreachable = !atomic_load(&f->cancelled);
			buf_free(&x.body);
			return ERR_TIMEOUT;
		}
		/* An upstream proxy is pending: poll it as an agent would. */
		memcpy(reqid, x.reqid, sizeof(reqid));
		buf_free(&x.body);
		log_debug("forward %s: server%d pending as %s, polling in "
		    "%ld ms", job->reqid, i, reqid, ms);
		nap(f, ms);
		r = exchange_patient(lk, url, NULL, NULL, 0, reqid, &x,
		    &waited);
	}
	job->status = strcmp(status, "pending") == 0 ? 202 : 200;
	if (job->answered != NULL && job->status == 200)
		job->answered(job, i, x.body.data, x.body.len);
	set_answer(job, &x.body);
	return 0;
}

/* The one line that says a job failed, where and why. */
static void
log_failure(const struct forward_job *job)
{
	const struct agent_conf	*a = job->px->agent;
	const char		*url = job->failed_target < a->nservers ?
	    a->servers[job->failed_target] : "-";

	if (job->kind == FORWARD_JSON)
		log_warnx("forward %s to server%d (%s) failed: %s", job->reqid,
		    job->failed_target, url, job->reason);
	else
		log_warnx("forward of XML inventory to server%d (%s) failed: "
		    "%s", job->failed_target, url, job->reason);
}

/*
 * The settings of a job, read once for all its transfers: the
 * configuration of the job may be newer than the previous job's.
 */
static void
link_init(struct link *lk, const struct curlx *cx, CURL *c,
    struct forwarder *f, const struct forward_job *job)
{
	const struct agent_conf *a = job->px->agent;

	memset(lk, 0, sizeof(*lk));
	lk->f = f;
	lk->job = job;
	lk->conf.timeout = a->timeout;
	lk->conf.proxy = a->proxy;
	lk->conf.user = a->user;
	lk->conf.password = a->password;
	lk->conf.ca_cert_file = a->ca_cert_file;
	lk->conf.ca_cert_dir = a->ca_cert_dir;
	lk->conf.ssl_cert_file = a->ssl_cert_file;
	lk->conf.ssl_key_file = "";
	lk->conf.no_ssl_check = a->no_ssl_check;
	lk->conf.pins = &a->pins;
	httpc_init(&lk->h, cx, c, &lk->conf);
	lk->h.cancelled = link_cancelled;
	lk->h.cancel_arg = f;
}

static void
run_job(const struct curlx *cx, CURL *c, struct forwarder *f,
    struct forward_job *job)
{
	const struct agent_conf	*a = job->px->agent;
	struct link		 lk;
	struct buf		 z;
	const char		*body = job->body, *ctype;
	size_t			 len = job->len;
	int			 i, ok = 1;

	link_init(&lk, cx, c, f, job);
	buf_init(&z, job->len + 1024);
	if (job->zlib)
		ctype = "application/x-compress-zlib";
	else if (!a->no_compression &&
	    compress_deflate(job->body, job->len,
	    COMPRESS_LEVEL_DEFAULT, &z) == 0) {
		body = z.data;
		len = z.len;
		ctype = "application/x-compress-zlib";
	} else
		ctype = job->kind == FORWARD_JSON ? "application/json" :
		    "application/xml";
	for (i = job->first_target; i < a->nservers && ok; i++) {
		char why[sizeof(job->reason)];
		uint64_t t0 = metrics_now();

		if (atomic_load(&f->cancelled)) {
			set_reason(job, "cancelled, passeur is stopping");
			ok = 0;
		} else if (link_authorize(&lk, a->servers[i], NULL, why,
		    sizeof(why)) != 0) {
			set_reason(job, "%s", why);
			ok = 0;
		} else if (job->kind == FORWARD_JSON) {
			ok = forward_json_one(&lk, job, a->servers[i], ctype,
			    body, len, i) == 0;
		} else {
			struct httpc_answer x;
			long waited = 0;
			int r;

			r = exchange_patient(&lk, a->servers[i], ctype, body,
			    len, NULL, &x, &waited);
			ok = r == 0 && x.status >= 200 && x.status <= 299;
			if (r != 0) {
				set_reason(job, "%s", x.error);
				/* No answer came (not our OAuth token). */
				job->unreachable = r == ERR_TRANSPORT;
			} else if (!ok)
				refused(job, &x, i);
			buf_free(&x.body);
		}
		if (!ok)
			job->failed_target = i;
		metrics_delivery(a->servers[i], ok, t0, job->reason);
	}
	job->ok = ok;
	if (!ok)
		log_failure(job);
	buf_free(&z);
}

static void *
worker(void *arg)
{
	struct forwarder	*f = arg;
	struct forward_job	*job;
	const struct curlx	*cx;
	const char		*why;
	CURL			*c = NULL;

	/* Loaded at start-up when something forwards; failing jobs if not. */
	if ((cx = curlx_load(&why)) == NULL)
		log_warnx("forwarding impossible: %s", why);
	else if ((c = cx->easy_init()) == NULL)
		log_warnx("forwarding impossible: curl_easy_init failed");
	pthread_mutex_lock(&f->lock);
	for (;;) {
		while (f->head == NULL && !f->stopping) {
			f->nidle++;
			pthread_cond_wait(&f->more, &f->lock);
			f->nidle--;
		}
		if (f->head == NULL)
			break;
		job = f->head;
		f->head = job->next;
		if (f->head == NULL)
			f->tail = NULL;
		f->queued--;
		f->busy++;
		pthread_mutex_unlock(&f->lock);
		if (c != NULL)
			run_job(cx, c, f, job);
		else {
			job->ok = 0;
			set_reason(job, "forwarding impossible: %s", cx == NULL ?
			    why : "curl_easy_init failed");
			log_failure(job);
		}
		job->done(job);
		pthread_mutex_lock(&f->lock);
		f->busy--;
		pthread_cond_broadcast(&f->idle_cv);
	}
	pthread_mutex_unlock(&f->lock);
	if (c != NULL)
		cx->easy_cleanup(c);
	return NULL;
}

struct forwarder *
forwarder_new(int max_workers, int max_queue)
{
	struct forwarder *f;

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return NULL;
	if ((f->threads = calloc((size_t)max_workers, sizeof(pthread_t))) ==
	    NULL) {
		free(f);
		return NULL;
	}
	f->max_workers = max_workers;
	f->max_queue = max_queue;
	pthread_mutex_init(&f->lock, NULL);
	pthread_cond_init(&f->more, NULL);
	pthread_cond_init(&f->idle_cv, NULL);
	pthread_cond_init(&f->cancel_cv, NULL);
	atomic_init(&f->cancelled, 0);
	return f;
}

/* Transfers abort, poll sleeps end; f->lock is held. */
static void
cancel_locked(struct forwarder *f)
{
	atomic_store(&f->cancelled, 1);
	pthread_cond_broadcast(&f->cancel_cv);
}

void
forwarder_free(struct forwarder *f, int grace)
{
	struct timespec	 deadline;
	int		 i;

	if (f == NULL)
		return;
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += grace;
	pthread_mutex_lock(&f->lock);
	while ((f->head != NULL || f->busy > 0) &&
	    pthread_cond_timedwait(&f->idle_cv, &f->lock, &deadline) == 0)
		;
	if (f->head != NULL || f->busy > 0) {
		/* Past the grace they fail at once (kept in local_store). */
		log_warnx("stopping: %d forward(s) queued and %d running are "
		    "cancelled", f->queued, f->busy);
		cancel_locked(f);
	}
	f->stopping = 1;
	pthread_cond_broadcast(&f->more);
	pthread_mutex_unlock(&f->lock);
	/* Workers still inside a transfer finish it (bounded by timeout). */
	for (i = 0; i < f->nthreads; i++)
		pthread_join(f->threads[i], NULL);
	while (f->head != NULL) {
		struct forward_job *job = f->head;

		f->head = job->next;
		forward_job_free(job);
	}
	pthread_mutex_destroy(&f->lock);
	pthread_cond_destroy(&f->more);
	pthread_cond_destroy(&f->idle_cv);
	pthread_cond_destroy(&f->cancel_cv);
	free(f->threads);
	free(f);
}

int
forward_job_new(struct forward_job **jobp, struct proxy *px,
    enum forward_kind kind, const char *body, size_t len,
    const char *agentid, const char *proxy_ids, const char *user_agent)
{
	struct forward_job *job;

	*jobp = NULL;
	if ((job = calloc(1, sizeof(*job))) == NULL)
		return ERR_NOMEM;
	job->px = px;
	job->kind = kind;
	job->len = len;
	job->status = 500;
	job->retry_after = -1;
	if ((job->body = malloc(len + 1)) == NULL)
		goto oom;
	memcpy(job->body, body, len);
	job->body[len] = '\0';
	if (agentid != NULL)
		snprintf(job->agentid, sizeof(job->agentid), "%s", agentid);
	if (proxy_ids != NULL && (job->proxy_ids = strdup(proxy_ids)) == NULL)
		goto oom;
	if (user_agent != NULL &&
	    (job->user_agent = strdup(user_agent)) == NULL)
		goto oom;
	clock_gettime(CLOCK_MONOTONIC, &job->started);
	*jobp = job;
	return 0;
oom:
	forward_job_free(job);
	return ERR_NOMEM;
}

void
forward_job_free(struct forward_job *job)
{
	if (job == NULL)
		return;
	free(job->body);
	free(job->proxy_ids);
	free(job->user_agent);
	free(job->kept);
	free(job->answer);
	free(job);
}

void
forwarder_cancel(struct forwarder *f)
{
	pthread_mutex_lock(&f->lock);
	cancel_locked(f);
	pthread_mutex_unlock(&f->lock);
}

int
forward_submit(struct forwarder *f, struct forward_job *job,
    forward_done_cb done, void *arg)
{
	int r = 0;

	job->done = done;
	job->arg = arg;
	job->next = NULL;
	pthread_mutex_lock(&f->lock);
	if (f->stopping || atomic_load(&f->cancelled) ||
	    f->queued >= f->max_queue) {
		r = ERR_TOO_BIG;
		goto out;
	}
	/* Grow the pool while every worker is busy. */
	if (f->nidle == 0 && f->nthreads < f->max_workers) {
		if (pthread_create(&f->threads[f->nthreads], NULL, worker, f)
		    == 0)
			f->nthreads++;
		else if (f->nthreads == 0) {
			r = ERR_SYSTEM;
			goto out;
		}
	}
	if (f->tail != NULL)
		f->tail->next = job;
	else
		f->head = job;
	f->tail = job;
	f->queued++;
	pthread_cond_signal(&f->more);
out:
	pthread_mutex_unlock(&f->lock);
	return r;
}
