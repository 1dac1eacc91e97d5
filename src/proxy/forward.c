#include <ctype.h>
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <gnutls/gnutls.h>

#include "common/buf.h"
#include "common/compress.h"
#include "common/curlx.h"
#include "common/err.h"
#include "common/log.h"
#include "proxy/config.h"
#include "proxy/fingerprint.h"
#include "proxy/forward.h"
#include "proxy/proxy.h"

#define ANSWER_MAX	(16 * 1024 * 1024)	/* upstream answer ceiling */
/*
 * Polling a pending upstream: every 1, 2, 4... seconds up to the
 * expiration it announced (at most POLL_MAX_SLEEP), so a chain of proxies
 * delivers in seconds, and never longer in all than the agent would wait
 * (12 times the expiration).
 */
#define POLL_MAX_TRIES	40
#define POLL_MAX_SLEEP	60

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

/* What one HTTP exchange with an upstream gave. */
struct exchange {
	long		 status;
	struct buf	 body;
	char		 ctype[128];
	char		 reqid[REQID_STRLEN + 1];
	char		 error[CURL_ERROR_SIZE + 512];
};

/* A worker's way to upstream, with the TLS settings of the job it runs. */
struct link {
	const struct curlx	*cx;
	CURL			*c;
	struct forwarder	*f;
	const struct agent_conf	*a;
	int			 cert_has_key;	/* ssl-cert-file holds its key */
};

/* What on_prereq() learns of one transfer's TLS connections. */
struct tlscheck {
	const struct link	*lk;
	int			 pinned;	/* accept by ssl-fingerprint */
	int			 refused;	/* on_prereq said no */
	int			 cert_asked;	/* server wants a client cert */
	char			 why[FINGERPRINT_STRLEN + 128];
};

long
forward_expiration_seconds(const char *text)
{
	char	*end;
	long	 n;

	if (text == NULL || !isdigit((unsigned char)*text))
		return -1;
	n = strtol(text, &end, 10);
	switch (*end) {
	case 's':
		break;
	case 'm':
		n *= 60;
		break;
	case 'd':
		n *= 86400;
		break;
	case '\0':
	case 'h':
		n *= 3600;
		break;
	default:
		return -1;
	}
	if (*end != '\0' && end[1] != '\0')
		return -1;
	return n;
}

static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	struct exchange *x = arg;

	if (buf_append(&x->body, p, size * n) != 0)
		return 0;	/* too large: abort the transfer */
	return size * n;
}

static size_t
on_header(char *p, size_t size, size_t n, void *arg)
{
	struct exchange	*x = arg;
	size_t		 len = size * n, vlen;
	const char	*v;

	if (len > 13 && strncasecmp(p, "Content-Type:", 13) == 0) {
		v = p + 13;
		v += strspn(v, " \t");
		vlen = strcspn(v, "\r\n");
		snprintf(x->ctype, sizeof(x->ctype), "%.*s", (int)vlen, v);
	} else if (len > 16 && strncasecmp(p, "GLPI-Request-ID:", 16) == 0) {
		v = p + 16;
		v += strspn(v, " \t");
		vlen = strcspn(v, "\r\n");
		if (vlen == REQID_STRLEN) {
			memcpy(x->reqid, v, REQID_STRLEN);
			x->reqid[REQID_STRLEN] = '\0';
		}
	}
	return len;
}

/* Aborts a transfer once the forwarder is cancelled. */
static int
on_progress(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut,
    curl_off_t un)
{
	struct forwarder *f = arg;

	(void)dt;
	(void)dn;
	(void)ut;
	(void)un;
	return atomic_load(&f->cancelled) ? 1 : 0;
}

/* Sleeps seconds, or less when the forwarder is cancelled. */
static void
nap(struct forwarder *f, long seconds)
{
	struct timespec deadline;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += seconds;
	pthread_mutex_lock(&f->lock);
	while (!atomic_load(&f->cancelled) &&
	    pthread_cond_timedwait(&f->cancel_cv, &f->lock, &deadline) == 0)
		;
	pthread_mutex_unlock(&f->lock);
}

/*
 * TLS towards upstream, as the agent's HTTP client does it.
 *
 * ca-cert-file, ca-cert-dir, ssl-cert-file and no-ssl-check are libcurl
 * options.  ssl-fingerprint is not: IO::Socket::SSL accepts a server
 * whose leaf certificate has a listed fingerprint even when no trusted CA
 * vouches for it (another name, expired, self-signed), and otherwise lets
 * the usual verification decide.  libcurl's GnuTLS build has no hook into
 * its verification (CURLOPT_SSL_CTX_FUNCTION is for OpenSSL, wolfSSL and
 * mbedTLS), and CURLOPT_PINNEDPUBLICKEY pins a public key, not a
 * certificate, and only on top of the usual verification.
 *
 * So a transfer that accepts by fingerprint runs with libcurl's own
 * verification off, and on_prereq() checks the certificate instead.
 * libcurl calls CURLOPT_PREREQFUNCTION once the connection is up, TLS
 * handshake included, and before it writes the first byte of the request;
 * it does so for every request of the transfer (redirects too), on new and
 * reused connections alike.  The callback takes the server's certificate
 * from the live GnuTLS session of that very connection
 * (CURLINFO_TLS_SSL_PTR, gnutls_certificate_get_peers) and aborts the
 * transfer when no fingerprint matches: nothing of the request reaches a
 * server that is not pinned.  The TLS session cache is off in that mode,
 * so every new connection has a full handshake and a certificate to check.
 *
 * Designs left aside: a CONNECT_ONLY probe and then the real transfer
 * (libcurl does not reuse a CONNECT_ONLY connection, so the body would go
 * over a second connection nobody checked, which an active attacker can
 * take while letting the probe through), and reading CURLINFO_CERTINFO
 * after the transfer (the body is sent by then).
 *
 * When fingerprints are set, the fingerprint attempt comes first (they are
 * set for servers no CA vouches for, so that costs one handshake); only
 * when it is refused for a fingerprint that differs, before any byte was
 * sent, does the usual verification get its chance, on a new connection.
 * no-ssl-check turns every check off and wins over ssl-fingerprint, as in
 * the agent.
 *
 * The callback is installed on every transfer: it also notes whether the
 * server asked for a client certificate, so that a TLS 1.3 server that
 * then drops the connection gets a log line that says why.
 */
static int
on_prereq(void *arg, char *remote_ip, char *local_ip, int remote_port,
    int local_port)
{
	struct tlscheck			*tc = arg;
	const struct link		*lk = tc->lk;
	struct curl_tlssessioninfo	*tsi = NULL;
	const gnutls_datum_t		*peers;
	const char			*scheme = NULL;
	char				 seen[FINGERPRINT_STRLEN];
	unsigned int			 n = 0;
	int				 r;

	(void)remote_ip;
	(void)local_ip;
	(void)remote_port;
	(void)local_port;
	if (lk->cx->easy_getinfo(lk->c, CURLINFO_SCHEME, &scheme) ==
	    CURLE_OK && scheme != NULL && strcasecmp(scheme, "https") != 0)
		return CURL_PREREQFUNC_OK;	/* plain HTTP: no certificate */
	if (lk->cx->easy_getinfo(lk->c, CURLINFO_TLS_SSL_PTR, &tsi) !=
	    CURLE_OK || tsi == NULL)
		tsi = NULL;
	if (tsi != NULL && tsi->backend == CURLSSLBACKEND_GNUTLS &&
	    tsi->internals != NULL &&
	    gnutls_certificate_client_get_request_status(tsi->internals) != 0)
		tc->cert_asked = 1;
	if (!tc->pinned)
		return CURL_PREREQFUNC_OK;
	tc->refused = 1;
	if (tsi == NULL || tsi->internals == NULL) {
		snprintf(tc->why, sizeof(tc->why), "ssl-fingerprint: no TLS "
		    "session to check");
		return CURL_PREREQFUNC_ABORT;
	}
	if (tsi->backend != CURLSSLBACKEND_GNUTLS) {
		snprintf(tc->why, sizeof(tc->why), "ssl-fingerprint needs the "
		    "GnuTLS build of libcurl (libcurl3-gnutls)");
		return CURL_PREREQFUNC_ABORT;
	}
	peers = gnutls_certificate_get_peers(tsi->internals, &n);
	if (peers == NULL || n == 0) {
		snprintf(tc->why, sizeof(tc->why), "ssl-fingerprint: the server "
		    "sent no certificate");
		return CURL_PREREQFUNC_ABORT;
	}
	if ((r = fingerprint_match(&lk->a->pins, peers[0].data, peers[0].size)) ==
	    1) {
		tc->refused = 0;
		return CURL_PREREQFUNC_OK;
	}
	if (r != 0 || fingerprint_format(FINGERPRINT_SHA256, peers[0].data,
	    peers[0].size, seen, sizeof(seen)) != 0)
		snprintf(tc->why, sizeof(tc->why), "ssl-fingerprint: cannot "
		    "compute the certificate's fingerprint");
	else
		snprintf(tc->why, sizeof(tc->why), "certificate fingerprint %s "
		    "is not in ssl-fingerprint", seen);
	return CURL_PREREQFUNC_ABORT;
}

/* 1 when the PEM file at path also holds a private key. */
static int
pem_has_key(const char *path)
{
	FILE	*fp;
	char	 line[256];
	int	 found = 0;

	if ((fp = fopen(path, "r")) == NULL)
		return 0;	/* libcurl says why when it loads it */
	while (!found && fgets(line, sizeof(line), fp) != NULL)
		found = strncmp(line, "-----BEGIN ", 11) == 0 &&
		    strstr(line, "PRIVATE KEY-----") != NULL;
	fclose(fp);
	return found;
}

/*
 * Options of every transfer.  Returns 0, or ERR_INVALID (with the reason
 * in x->error) when libcurl cannot do what the configuration asks.
 */
static int
set_common(const struct link *lk, struct tlscheck *tc, struct exchange *x)
{
	const struct curlx	*cx = lk->cx;
	const struct agent_conf	*a = lk->a;
	CURL			*c = lk->c;
	int			 hooked;

	cx->easy_reset(c);
	cx->easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	cx->easy_setopt(c, CURLOPT_TIMEOUT, (long)a->timeout);
	cx->easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
	cx->easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	cx->easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
	cx->easy_setopt(c, CURLOPT_POSTREDIR, (long)CURL_REDIR_POST_ALL);
	cx->easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	cx->easy_setopt(c, CURLOPT_WRITEDATA, x);
	cx->easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	cx->easy_setopt(c, CURLOPT_HEADERDATA, x);
	cx->easy_setopt(c, CURLOPT_ERRORBUFFER, x->error);
	cx->easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	cx->easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
	cx->easy_setopt(c, CURLOPT_XFERINFODATA, lk->f);
	/*
	 * Without a proxy key libcurl follows http_proxy, https_proxy and
	 * no_proxy.  With one, the agent sends everything through it and
	 * reads no environment: "" turns the no_proxy variable off.
	 */
	if (a->proxy[0] != '\0') {
		cx->easy_setopt(c, CURLOPT_PROXY, a->proxy);
		cx->easy_setopt(c, CURLOPT_NOPROXY, "");
	}
	if (a->user[0] != '\0') {
		/* Credentials are sent when the server asks (401). */
		cx->easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_ANY);
		cx->easy_setopt(c, CURLOPT_USERNAME, a->user);
		cx->easy_setopt(c, CURLOPT_PASSWORD, a->password);
	}
	/*
	 * As IO::Socket::SSL: the CAs configured replace the system's
	 * (libcurl would keep its built-in bundle or folder beside them).
	 */
	if (a->ca_cert_file[0] != '\0' || a->ca_cert_dir[0] != '\0') {
		cx->easy_setopt(c, CURLOPT_CAINFO, a->ca_cert_file[0] !=
		    '\0' ? a->ca_cert_file : NULL);
		cx->easy_setopt(c, CURLOPT_CAPATH, a->ca_cert_dir[0] != '\0' ?
		    a->ca_cert_dir : NULL);
	}
	if (a->ssl_cert_file[0] != '\0') {
		/* A client certificate, its key beside it or in no file. */
		cx->easy_setopt(c, CURLOPT_SSLCERT, a->ssl_cert_file);
		if (lk->cert_has_key)
			cx->easy_setopt(c, CURLOPT_SSLKEY, a->ssl_cert_file);
	}
	if (a->no_ssl_check || tc->pinned) {
		cx->easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
		cx->easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	/* Always hooked, to tell a missing client certificate in the log. */
	hooked = cx->easy_setopt(c, CURLOPT_PREREQFUNCTION, on_prereq) ==
	    CURLE_OK && cx->easy_setopt(c, CURLOPT_PREREQDATA, tc) == CURLE_OK;
	if (tc->pinned) {
		cx->easy_setopt(c, CURLOPT_SSL_SESSIONID_CACHE, 0L);
		if (!hooked) {
			snprintf(x->error, sizeof(x->error), "ssl-fingerprint "
			    "needs libcurl 7.80 or later");
			return ERR_INVALID;
		}
	}
	return 0;
}

static struct curl_slist *
add_header(const struct curlx *cx, struct curl_slist *h, const char *name,
    const char *value)
{
	char line[1024];

	if (value == NULL || *value == '\0')
		return h;
	if ((size_t)snprintf(line, sizeof(line), "%s: %s", name, value) >=
	    sizeof(line))
		return h;
	return cx->slist_append(h, line);
}

/*
 * Adds GnuTLS's reading of a failed certificate verification to x->error:
 * libcurl's own text says that it failed, not why (untrusted, expired...).
 */
static void
explain_verification(const struct link *lk, struct exchange *x)
{
	struct curl_tlssessioninfo	*tsi = NULL;
	gnutls_datum_t			 out = { NULL, 0 };
	long				 status = 0;
	size_t				 len, n;

	if (lk->cx->easy_getinfo(lk->c, CURLINFO_SSL_VERIFYRESULT, &status) !=
	    CURLE_OK || status == 0 ||
	    lk->cx->easy_getinfo(lk->c, CURLINFO_TLS_SSL_PTR, &tsi) !=
	    CURLE_OK || tsi == NULL || tsi->backend != CURLSSLBACKEND_GNUTLS)
		return;
	if (gnutls_certificate_verification_status_print((unsigned)status,
	    GNUTLS_CRT_X509, &out, 0) != 0 || out.data == NULL)
		return;
	n = strlen((const char *)out.data);
	while (n > 0 && isspace(out.data[n - 1]))
		n--;
	len = strlen(x->error);
	snprintf(x->error + len, sizeof(x->error) - len, " (%.*s)", (int)n,
	    (const char *)out.data);
	gnutls_free(out.data);
}

/*
 * Says what the client certificate has to do with a failed transfer:
 * libcurl's GnuTLS texts name no file, and a server that refuses a TLS 1.3
 * client for its certificate only does so once the request is on its way,
 * which libcurl reports as a failure to send or receive.
 */
static void
explain_client_cert(const struct link *lk, const struct tlscheck *tc,
    CURLcode cr, struct exchange *x)
{
	const char	*file = lk->a->ssl_cert_file;
	size_t		 len = strlen(x->error);

	if (cr == CURLE_SSL_CONNECT_ERROR || cr == CURLE_SSL_CERTPROBLEM) {
		if (*file != '\0')
			snprintf(x->error + len, sizeof(x->error) - len,
			    " (ssl-cert-file %.256s%s)", file,
			    lk->cert_has_key ? "" :
			    ", which holds no private key");
		return;
	}
	if (!tc->cert_asked || (cr != CURLE_SEND_ERROR &&
	    cr != CURLE_RECV_ERROR && cr != CURLE_GOT_NOTHING))
		return;
	/* libcurl's first message (often about getpeername) misleads. */
	if (*file == '\0')
		snprintf(x->error, sizeof(x->error), "the server asked for a "
		    "client certificate and ssl-cert-file is not set (%s)",
		    lk->cx->easy_strerror(cr));
	else
		snprintf(x->error, sizeof(x->error), "the server asked for a "
		    "client certificate and may have refused ssl-cert-file "
		    "%.256s (%s)", file, lk->cx->easy_strerror(cr));
}

/*
 * One transfer: a POST of body (already encoded, with its type) or, when
 * body is NULL, a GET poll; in fingerprint mode when tc->pinned.  Answers
 * of type application/x-* are inflated.  Returns 0 when an HTTP answer
 * came, ERR_TRANSPORT (or ERR_INVALID) otherwise, with x->error.
 */
static int
transfer(const struct link *lk, struct tlscheck *tc, const char *url,
    const char *ctype, const char *body, size_t len,
    const struct forward_job *job, const char *reqid, struct exchange *x)
{
	const struct curlx	*cx = lk->cx;
	CURL			*c = lk->c;
	struct curl_slist	*h = NULL;
	struct buf		 plain;
	CURLcode		 cr;
	int			 r = 0;

	memset(x, 0, sizeof(*x));
	buf_init(&x->body, ANSWER_MAX);
	if ((r = set_common(lk, tc, x)) != 0)
		return r;
	cx->easy_setopt(c, CURLOPT_URL, url);
	h = add_header(cx, h, "Pragma", "no-cache");
	h = cx->slist_append(h, "Expect:");
	h = add_header(cx, h, "User-Agent", job->user_agent != NULL &&
	    *job->user_agent != '\0' ? job->user_agent :
	    "Passeur/" PASSEUR_VERSION);
	if (job->kind == FORWARD_JSON) {
		h = add_header(cx, h, "GLPI-Agent-ID", job->agentid);
		h = add_header(cx, h, "GLPI-Proxy-ID", job->proxy_ids);
		h = add_header(cx, h, "GLPI-Request-ID", reqid);
	}
	if (body != NULL) {
		h = add_header(cx, h, "Content-Type", ctype);
		cx->easy_setopt(c, CURLOPT_POST, 1L);
		cx->easy_setopt(c, CURLOPT_POSTFIELDS, body);
		cx->easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)len);
	} else
		cx->easy_setopt(c, CURLOPT_HTTPGET, 1L);
	cx->easy_setopt(c, CURLOPT_HTTPHEADER, h);
	cr = cx->easy_perform(c);
	cx->slist_free_all(h);
	if (cr != CURLE_OK) {
		if (tc->refused)
			snprintf(x->error, sizeof(x->error), "%s", tc->why);
		else if (x->error[0] == '\0')
			snprintf(x->error, sizeof(x->error), "%s",
			    cx->easy_strerror(cr));
		if (cr == CURLE_PEER_FAILED_VERIFICATION)
			explain_verification(lk, x);
		else
			explain_client_cert(lk, tc, cr, x);
		return ERR_TRANSPORT;
	}
	cx->easy_getinfo(c, CURLINFO_RESPONSE_CODE, &x->status);
	if (strncasecmp(x->ctype, "application/x-", 14) == 0 &&
	    (compress_is_zlib(x->body.data, x->body.len) ||
	    compress_is_gzip(x->body.data, x->body.len))) {
		buf_init(&plain, ANSWER_MAX);
		r = compress_inflate(compress_is_gzip(x->body.data,
		    x->body.len) ? COMPRESS_GZIP : COMPRESS_ZLIB,
		    x->body.data, x->body.len, &plain);
		buf_free(&x->body);
		x->body = plain;
		if (r != 0)
			snprintf(x->error, sizeof(x->error),
			    "cannot inflate the answer: %s", err_str(r));
	}
	return r;
}

/*
 * One request to url, with the TLS checks the configuration asks for (see
 * on_prereq).  Returns as transfer() does.
 */
static int
exchange(const struct link *lk, const char *url, const char *ctype,
    const char *body, size_t len, const struct forward_job *job,
    const char *reqid, struct exchange *x)
{
	struct tlscheck	tc;
	char		first[sizeof(tc.why)];
	long		sent = 0;
	int		r;

	memset(&tc, 0, sizeof(tc));
	tc.lk = lk;
	if (lk->a->no_ssl_check || lk->a->pins.n == 0)
		return transfer(lk, &tc, url, ctype, body, len, job, reqid,
		    x);
	tc.pinned = 1;
	r = transfer(lk, &tc, url, ctype, body, len, job, reqid, x);
	if (r == 0 || !tc.refused)
		return r;
	/* A request already sent (before a redirect) is not sent twice. */
	if (lk->cx->easy_getinfo(lk->c, CURLINFO_REQUEST_SIZE, &sent) !=
	    CURLE_OK || sent != 0)
		return r;
	log_debug("forward: %s: %s; trying the usual verification", url,
	    tc.why);
	memcpy(first, tc.why, sizeof(first));
	buf_free(&x->body);
	memset(&tc, 0, sizeof(tc));
	tc.lk = lk;
	if ((r = transfer(lk, &tc, url, ctype, body, len, job, reqid,
	    x)) != 0 && x->error[0] != '\0') {
		char	second[sizeof(x->error)];
		int	n;

		/* Both reasons; the second one is cut if it has to be. */
		memcpy(second, x->error, sizeof(second));
		n = snprintf(x->error, sizeof(x->error), "%s; ", first);
		if (n > 0 && (size_t)n < sizeof(x->error))
			snprintf(x->error + n, sizeof(x->error) - (size_t)n,
			    "%.*s", (int)(sizeof(x->error) - (size_t)n - 1),
			    second);
	}
	return r;
}

/* Returns the "status" of a JSON answer ("" when absent or not JSON). */
static const char *
answer_status(const struct buf *b, char *out, size_t outlen,
    long *expirationp)
{
	json_t		*root, *v;
	const char	*s;

	*out = '\0';
	*expirationp = -1;
	if (b->len == 0 ||
	    (root = json_loadb(b->data, b->len, 0, NULL)) == NULL)
		return out;
	if ((s = json_string_value(json_object_get(root, "status"))) != NULL)
		snprintf(out, outlen, "%s", s);
	v = json_object_get(root, "expiration");
	if (json_is_integer(v))
		*expirationp = (long)json_integer_value(v) * 3600;
	else if (json_is_string(v))
		*expirationp = forward_expiration_seconds(json_string_value(v));
	json_decref(root);
	return out;
}

static void
set_answer(struct forward_job *job, struct buf *b)
{
	free(job->answer);
	job->answer = buf_steal(b, &job->answer_len);
}

/* Forwards a JSON message to target i; 0 on success. */
static int
forward_json_one(const struct link *lk, struct forward_job *job,
    const char *url, const char *ctype, const char *body, size_t len, int i)
{
	struct forwarder	*f = lk->f;
	struct exchange		 x;
	char			 status[32], reqid[REQID_STRLEN + 1];
	long			 wait, step = 1, waited = 0;
	int			 tries = 0, r;

	reqid[0] = '\0';
	if (log_verbosity() > 0)
		reqid_random(reqid);
	r = exchange(lk, url, ctype, body, len, job, reqid, &x);
	for (;;) {
		if (r != 0 || x.status < 200 || x.status > 299) {
			if (r != 0)
				log_warnx("forward %s to server%d (%s) failed: "
				    "%s", job->reqid, i, url, x.error);
			else
				log_warnx("forward %s to server%d (%s) failed: "
				    "HTTP %ld", job->reqid, i, url, x.status);
			buf_free(&x.body);
			return ERR_PEER;
		}
		answer_status(&x.body, status, sizeof(status), &wait);
		if (strcmp(status, "error") == 0) {
			log_warnx("forward %s to server%d (%s): server "
			    "answered an error: %.200s", job->reqid, i, url,
			    x.body.data != NULL ? x.body.data : "");
			buf_free(&x.body);
			return ERR_PEER;
		}
		if (wait < 1)
			wait = 1;
		if (wait > POLL_MAX_SLEEP)
			wait = POLL_MAX_SLEEP;
		if (strcmp(status, "pending") != 0 || x.reqid[0] == '\0')
			break;
		if (tries == POLL_MAX_TRIES || waited >= 12 * wait ||
		    atomic_load(&f->cancelled)) {
			/* The agent must not wait for what will never come. */
			log_warnx("forward %s to server%d (%s): still pending "
			    "after %d polls, given up", job->reqid, i, url,
			    tries);
			buf_free(&x.body);
			return ERR_TIMEOUT;
		}
		/* An upstream proxy is pending: poll it as an agent would. */
		memcpy(reqid, x.reqid, sizeof(reqid));
		buf_free(&x.body);
		if (step > wait)
			step = wait;
		log_debug("forward %s: server%d pending as %s, polling in "
		    "%lds", job->reqid, i, reqid, step);
		nap(f, step);
		waited += step;
		step *= 2;
		tries++;
		r = exchange(lk, url, NULL, NULL, 0, job, reqid, &x);
	}
	job->status = strcmp(status, "pending") == 0 ? 202 : 200;
	set_answer(job, &x.body);
	return 0;
}

/*
 * The TLS settings of a job, read once for all its transfers: the
 * configuration of the job may be newer than the previous job's.
 */
static void
link_init(struct link *lk, const struct curlx *cx, CURL *c,
    struct forwarder *f, const struct agent_conf *a)
{
	memset(lk, 0, sizeof(*lk));
	lk->cx = cx;
	lk->c = c;
	lk->f = f;
	lk->a = a;
	if (a->ssl_cert_file[0] != '\0')
		lk->cert_has_key = pem_has_key(a->ssl_cert_file);
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

	link_init(&lk, cx, c, f, a);
	buf_init(&z, job->len + 1024);
	if (!a->no_compression &&
	    compress_deflate(job->body, job->len, &z) == 0) {
		body = z.data;
		len = z.len;
		ctype = "application/x-compress-zlib";
	} else
		ctype = job->kind == FORWARD_JSON ? "application/json" :
		    "application/xml";
	for (i = 0; i < a->nservers && ok; i++) {
		if (atomic_load(&f->cancelled)) {
			log_warnx("forward to server%d (%s) cancelled", i,
			    a->servers[i]);
			ok = 0;
		} else if (job->kind == FORWARD_JSON) {
			ok = forward_json_one(&lk, job, a->servers[i], ctype,
			    body, len, i) == 0;
		} else {
			struct exchange x;
			int r;

			r = exchange(&lk, a->servers[i], ctype, body, len, job,
			    NULL, &x);
			ok = r == 0 && x.status >= 200 && x.status <= 299;
			if (r != 0)
				log_warnx("forward of XML inventory to "
				    "server%d (%s) failed: %s", i,
				    a->servers[i], x.error);
			else if (!ok)
				log_warnx("forward of XML inventory to "
				    "server%d (%s) failed: HTTP %ld", i,
				    a->servers[i], x.status);
			buf_free(&x.body);
		}
		if (!ok)
			job->failed_target = i;
	}
	job->ok = ok;
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
		else
			job->ok = 0;
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
