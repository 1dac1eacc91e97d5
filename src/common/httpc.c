/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <gnutls/gnutls.h>

#include "common/compress.h"
#include "common/err.h"
#include "common/httpc.h"
#include "common/log.h"

/* What on_prereq() learns of one transfer's TLS connections. */
struct tlscheck {
	const struct httpc	*lk;
	int			 pinned;	/* accept by ssl-fingerprint */
	int			 refused;	/* on_prereq said no */
	int			 cert_asked;	/* server wants a client cert */
	char			 why[FINGERPRINT_STRLEN + 128];
};

static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	struct httpc_answer *x = arg;

	if (buf_append(&x->body, p, size * n) != 0)
		return 0;	/* too large: abort the transfer */
	return size * n;
}

/*
 * Retry-After (RFC 9110 10.2.3) as seconds from now: a number of
 * seconds, or an HTTP date (a past one is 0).  ERR_FORMAT when it is
 * neither.
 */
static long
retry_after_value(const char *v, size_t vlen)
{
	char		 text[64], *end;
	struct tm	 tm;
	long		 n;
	time_t		 t, now;

	if (vlen == 0 || vlen >= sizeof(text))
		return ERR_FORMAT;
	memcpy(text, v, vlen);
	text[vlen] = '\0';
	while (vlen > 0 && isspace((unsigned char)text[vlen - 1]))
		text[--vlen] = '\0';
	if (isdigit((unsigned char)text[0])) {
		errno = 0;
		n = strtol(text, &end, 10);
		if (errno != 0 || *end != '\0' || n < 0)
			return ERR_FORMAT;
		return n;
	}
	memset(&tm, 0, sizeof(tm));
	end = strptime(text, "%a, %d %b %Y %H:%M:%S GMT", &tm);
	if (end == NULL || *end != '\0' || (t = timegm(&tm)) == (time_t)-1)
		return ERR_FORMAT;
	now = time(NULL);
	return t > now ? (long)(t - now) : 0;
}

/*
 * 1 when the header line p (len bytes, as libcurl gives it, CRLF ended)
 * is the header name (with its colon, any case); *vp and *vlenp then
 * hold its value, blanks and line end left out.
 */
static int
header_value(const char *p, size_t len, const char *name, const char **vp,
    size_t *vlenp)
{
	size_t	n = strlen(name);

	if (len <= n || strncasecmp(p, name, n) != 0)
		return 0;
	p += n;
	len -= n;
	while (len > 0 && (*p == ' ' || *p == '\t')) {
		p++;
		len--;
	}
	*vp = p;
	*vlenp = 0;
	while (*vlenp < len && p[*vlenp] != '\r' && p[*vlenp] != '\n')
		(*vlenp)++;
	return 1;
}

static size_t
on_header(char *p, size_t size, size_t n, void *arg)
{
	struct httpc_answer	*x = arg;
	size_t		 len = size * n, vlen;
	const char	*v;

	if (len > 5 && strncmp(p, "HTTP/", 5) == 0) {
		/* A new status line (after a redirect or a 100): its reason. */
		x->ctype[0] = x->reqid[0] = x->proxy_id[0] = '\0';
		x->retry_after = -1;
		v = memchr(p, ' ', len);
		if (v != NULL && (v = memchr(v + 1, ' ', len - (size_t)(v + 1 -
		    p))) != NULL) {
			v++;
			vlen = strcspn(v, "\r\n");
			snprintf(x->reason, sizeof(x->reason), "%.*s",
			    (int)vlen, v);
		} else
			x->reason[0] = '\0';
	} else if (header_value(p, len, "Content-Type:", &v, &vlen))
		snprintf(x->ctype, sizeof(x->ctype), "%.*s", (int)vlen, v);
	else if (header_value(p, len, "Retry-After:", &v, &vlen)) {
		if ((x->retry_after = retry_after_value(v, vlen)) < 0)
			x->retry_after = -1;
	} else if (header_value(p, len, "GLPI-Request-ID:", &v, &vlen)) {
		if (vlen == REQID_STRLEN) {
			memcpy(x->reqid, v, REQID_STRLEN);
			x->reqid[REQID_STRLEN] = '\0';
		}
	} else if (header_value(p, len, "GLPI-Proxy-ID:", &v, &vlen)) {
		if (vlen == UUID_STRLEN) {
			memcpy(x->proxy_id, v, UUID_STRLEN);
			x->proxy_id[UUID_STRLEN] = '\0';
		}
	}
	return len;
}


/* Aborts a transfer once the owner says so. */
static int
on_progress(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut,
    curl_off_t un)
{
	const struct httpc *lk = arg;

	(void)dt;
	(void)dn;
	(void)ut;
	(void)un;
	return lk->cancelled(lk->cancel_arg) ? 1 : 0;
}

/*
 * TLS, as the agent's HTTP client does it.
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
	const struct httpc		*lk = tc->lk;
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
	if ((r = fingerprint_match(lk->conf->pins, peers[0].data, peers[0].size)) ==
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
set_common(const struct httpc *lk, struct tlscheck *tc, struct httpc_answer *x)
{
	const struct curlx	*cx = lk->cx;
	const struct httpc_conf	*a = lk->conf;
	CURL			*c = lk->c;
	int			 hooked;

	cx->easy_reset(c);
	cx->easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	cx->easy_setopt(c, CURLOPT_TIMEOUT, (long)a->timeout);
	cx->easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
	/*
	 * Redirects are not followed: following one re-posts the message
	 * (an inventory: personal data) to whatever host the Location names,
	 * and a server target is an operator's decision.  A 3xx is an answer
	 * like any other; its Location is kept for the log (x->location).
	 */
	cx->easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	cx->easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	cx->easy_setopt(c, CURLOPT_WRITEDATA, x);
	cx->easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	cx->easy_setopt(c, CURLOPT_HEADERDATA, x);
	cx->easy_setopt(c, CURLOPT_ERRORBUFFER, x->error);
	if (lk->cancelled != NULL) {
		cx->easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
		cx->easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
		cx->easy_setopt(c, CURLOPT_XFERINFODATA, lk);
	}
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
		if (a->ssl_key_file[0] != '\0')
			cx->easy_setopt(c, CURLOPT_SSLKEY, a->ssl_key_file);
		else if (lk->cert_has_key)
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

/*
 * Appends the header line "name: value" to *hp; an empty value adds
 * nothing.  The line is built in a buffer bounded by HTTPC_HEADER_MAX:
 * a header is sent whole or the exchange is refused (ERR_TOO_BIG, the
 * reason in x->error), never cut nor left out, since a GLPI-Proxy-ID
 * chain that lost its end would let a loop of proxies through.
 */
static int
add_header(const struct curlx *cx, struct curl_slist **hp, const char *name,
    const char *value, struct httpc_answer *x)
{
	struct buf		 line;
	struct curl_slist	*h;
	int			 r;

	if (value == NULL || *value == '\0')
		return 0;
	buf_init(&line, HTTPC_HEADER_MAX);
	if ((r = buf_appendf(&line, "%s: %s", name, value)) != 0) {
		if (r == ERR_TOO_BIG)
			snprintf(x->error, sizeof(x->error), "header %s of %zu "
			    "bytes is over the limit of %d bytes: not sent",
			    name, strlen(value), HTTPC_HEADER_MAX);
		else
			snprintf(x->error, sizeof(x->error), "header %s: %s",
			    name, err_str(r));
		buf_free(&line);
		return r;
	}
	h = cx->slist_append(*hp, line.data);
	buf_free(&line);
	if (h == NULL) {
		snprintf(x->error, sizeof(x->error), "header %s: out of memory",
		    name);
		return ERR_NOMEM;
	}
	*hp = h;
	return 0;
}

/* Every header line of rq; 0, or as add_header(). */
static int
add_headers(const struct curlx *cx, struct curl_slist **hp,
    const struct httpc_request *rq, struct httpc_answer *x)
{
	const char *const	*p;
	struct curl_slist	*h;
	int			 r;

	if ((r = add_header(cx, hp, "Pragma", "no-cache", x)) != 0)
		return r;
	/* "Expect:" with no value turns libcurl's own Expect off. */
	if ((h = cx->slist_append(*hp, "Expect:")) == NULL) {
		snprintf(x->error, sizeof(x->error), "out of memory");
		return ERR_NOMEM;
	}
	*hp = h;
	if ((r = add_header(cx, hp, "User-Agent", rq->user_agent != NULL &&
	    *rq->user_agent != '\0' ? rq->user_agent :
	    "Passeur/" PASSEUR_VERSION, x)) != 0)
		return r;
	for (p = rq->headers; p != NULL && p[0] != NULL; p += 2)
		if ((r = add_header(cx, hp, p[0], p[1], x)) != 0)
			return r;
	if (rq->body != NULL)
		return add_header(cx, hp, "Content-Type", rq->ctype, x);
	return 0;
}

/*
 * Adds GnuTLS's reading of a failed certificate verification to x->error:
 * libcurl's own text says that it failed, not why (untrusted, expired...).
 */
static void
explain_verification(const struct httpc *lk, struct httpc_answer *x)
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
explain_client_cert(const struct httpc *lk, const struct tlscheck *tc,
    CURLcode cr, struct httpc_answer *x)
{
	const char	*file = lk->conf->ssl_cert_file;
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
 * One transfer of rq, in fingerprint mode when tc->pinned.  Returns as
 * httpc_exchange() does.
 */
static int
transfer(const struct httpc *lk, struct tlscheck *tc,
    const struct httpc_request *rq, struct httpc_answer *x)
{
	const struct curlx	*cx = lk->cx;
	CURL			*c = lk->c;
	struct curl_slist	*h = NULL;
	char			*location = NULL;
	struct buf		 plain;
	CURLcode		 cr;
	int			 r = 0;

	memset(x, 0, sizeof(*x));
	x->retry_after = -1;
	buf_init(&x->body, HTTPC_ANSWER_MAX);
	if ((r = set_common(lk, tc, x)) != 0)
		return r;
	cx->easy_setopt(c, CURLOPT_URL, rq->url);
	if ((r = add_headers(cx, &h, rq, x)) != 0) {
		cx->slist_free_all(h);
		return r;
	}
	if (rq->body != NULL) {
		cx->easy_setopt(c, CURLOPT_POST, 1L);
		cx->easy_setopt(c, CURLOPT_POSTFIELDS, rq->body);
		cx->easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)rq->len);
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
	if (x->status >= 300 && x->status <= 399 &&
	    cx->easy_getinfo(c, CURLINFO_REDIRECT_URL, &location) == CURLE_OK &&
	    location != NULL)
		snprintf(x->location, sizeof(x->location), "%s", location);
	if (strncasecmp(x->ctype, "application/x-", 14) == 0 &&
	    (compress_is_zlib(x->body.data, x->body.len) ||
	    compress_is_gzip(x->body.data, x->body.len))) {
		buf_init(&plain, HTTPC_ANSWER_MAX);
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

void
httpc_init(struct httpc *h, const struct curlx *cx, CURL *c,
    const struct httpc_conf *conf)
{
	memset(h, 0, sizeof(*h));
	h->cx = cx;
	h->c = c;
	h->conf = conf;
	if (conf->ssl_cert_file[0] != '\0' && conf->ssl_key_file[0] == '\0')
		h->cert_has_key = pem_has_key(conf->ssl_cert_file);
}

int
httpc_exchange(const struct httpc *lk, const struct httpc_request *rq,
    struct httpc_answer *x)
{
	struct tlscheck	tc;
	char		first[sizeof(tc.why)];
	long		sent = 0;
	int		r;

	memset(&tc, 0, sizeof(tc));
	tc.lk = lk;
	if (lk->conf->no_ssl_check || lk->conf->pins == NULL ||
	    lk->conf->pins->n == 0)
		return transfer(lk, &tc, rq, x);
	tc.pinned = 1;
	r = transfer(lk, &tc, rq, x);
	if (r == 0 || !tc.refused)
		return r;
	/* A request already sent (before a redirect) is not sent twice. */
	if (lk->cx->easy_getinfo(lk->c, CURLINFO_REQUEST_SIZE, &sent) !=
	    CURLE_OK || sent != 0)
		return r;
	log_debug("%s: %s; trying the usual verification", rq->url, tc.why);
	memcpy(first, tc.why, sizeof(first));
	buf_free(&x->body);
	memset(&tc, 0, sizeof(tc));
	tc.lk = lk;
	if ((r = transfer(lk, &tc, rq, x)) != 0 && x->error[0] != '\0') {
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
