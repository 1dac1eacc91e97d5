/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/err.h"
#include "common/log.h"
#include "common/workq.h"
#include "proxy/branch.h"
#include "proxy/forward.h"
#include "proxy/server.h"
#include "proxy/tls.h"

#define API_VERSION	"2.5"

enum route { ROUTE_NONE, ROUTE_APIVERSION, ROUTE_PROXY, ROUTE_STATUS };

/* Socket settings of a listener, from the first instance on its port. */
struct listener {
	struct MHD_Daemon	*daemon;
	struct workq		*work;		/* runs the pipeline */
	struct listener_set	*set;
	long long		 port;
	int			 tls;
	long long		 workers, max_connections;
	long long		 max_connections_per_ip, request_timeout;
	long long		 max_header_size;
};

struct listener_set {
	struct listener		 listeners[CONF_NINSTANCES];
	int			 nlisteners;
	pthread_mutex_t		 gen_lock;
	struct generation	*gen;		/* current; one reference */
	atomic_int		 active;	/* requests not yet completed */
};
enum state { ST_BODY, ST_WAIT, ST_READY, ST_SENT };

/* Requests completed since start, for the memory trimming of serve.c. */
static atomic_ulong completed;

/* Everything of one HTTP request; freed when MHD says it completed. */
struct exchange {
	struct workq_item	 work;		/* first: see process() */
	struct listener		*l;
	struct generation	*gen;
	struct MHD_Connection	*conn;
	enum route		 route;
	_Atomic enum state	 state;
	int			 counted;	/* holds an in-flight slot */
	int			 too_big;
	struct timespec		 start;
	size_t			 bytes_in;
	char			 ip[INET6_ADDRSTRLEN];
	char			 path[256];	/* escaped, for the log */
	struct request		 rq;
	struct response		 rs;
};

static double
elapsed_ms(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) * 1e3 +
	    (double)(now.tv_nsec - start->tv_nsec) / 1e6;
}

static void
client_ip(struct MHD_Connection *conn, char *out, size_t outlen)
{
	const union MHD_ConnectionInfo	*ci;
	const struct sockaddr		*sa;
	const struct in6_addr		*a6;

	snprintf(out, outlen, "-");
	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci == NULL || (sa = ci->client_addr) == NULL)
		return;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr,
		    out, (socklen_t)outlen);
	else if (sa->sa_family == AF_INET6) {
		a6 = &((const struct sockaddr_in6 *)sa)->sin6_addr;
		if (IN6_IS_ADDR_V4MAPPED(a6))
			inet_ntop(AF_INET, a6->s6_addr + 12, out,
			    (socklen_t)outlen);
		else
			inet_ntop(AF_INET6, a6, out, (socklen_t)outlen);
	}
}

static int
client_trusted(struct exchange *x)
{
	const union MHD_ConnectionInfo *ci;

	ci = MHD_get_connection_info(x->conn,
	    MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	return ci != NULL && ci->client_addr != NULL &&
	    trust_match(&x->gen->conf.agent.trust, ci->client_addr);
}

/* Matches <url_path>/(apiversion|glpi|fusioninventory) with one '/'. */
static enum route
route_path(struct listener *l, struct generation *g, const char *url,
    struct proxy **pxp)
{
	const struct instance_conf	*ic;
	const char			*rest;
	size_t				 plen, rlen;
	int				 i;

	*pxp = NULL;
	for (i = 0; i < CONF_NINSTANCES; i++) {
		ic = &g->conf.inst[i];
		if (ic->disabled || ic->port != l->port)
			continue;
		plen = strlen(ic->url_path);
		if (strncmp(url, ic->url_path, plen) != 0 || url[plen] != '/')
			continue;
		rest = url + plen + 1;
		rlen = strlen(rest);
		if (rlen > 0 && rest[rlen - 1] == '/')
			rlen--;
		*pxp = &g->proxies[i];
		if (rlen == 10 && strncmp(rest, "apiversion", 10) == 0)
			return ROUTE_APIVERSION;
		if ((rlen == 4 && strncmp(rest, "glpi", 4) == 0) ||
		    (rlen == 15 && strncmp(rest, "fusioninventory", 15) == 0))
			return ROUTE_PROXY;
	}
	*pxp = NULL;
	if (strcmp(url, "/status") == 0)
		return ROUTE_STATUS;
	return ROUTE_NONE;
}

static enum MHD_Result
send_response(struct exchange *x)
{
	struct MHD_Response	*resp;
	struct response		*rs = &x->rs;
	enum MHD_Result		 ret;
	char			 num[32];

	x->state = ST_SENT;
	resp = MHD_create_response_from_buffer(rs->body.len,
	    rs->body.data != NULL ? rs->body.data : (void *)"",
	    MHD_RESPMEM_MUST_COPY);
	if (resp == NULL)
		return MHD_NO;
	if (rs->content_type != NULL)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
		    rs->content_type);
	if (rs->reqid[0] != '\0')
		MHD_add_response_header(resp, "GLPI-Request-ID", rs->reqid);
	if (rs->proxy_id != NULL)
		MHD_add_response_header(resp, "GLPI-Proxy-ID", rs->proxy_id);
	if (rs->retry_after > 0) {
		snprintf(num, sizeof(num), "%ld", rs->retry_after);
		MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, num);
	}
	ret = MHD_queue_response(x->conn, (unsigned)rs->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static void
legacy_forward_done(struct forward_job *job)
{
	struct exchange *x = job->arg;

	branch_legacy_reply(&x->rs, job->ok, job->failed_target);
	proxy_log_refused(job);
	forward_job_free(job);
	x->state = ST_READY;
	MHD_resume_connection(x->conn);
}

#define PREALLOC_MAX	(4ULL << 20)	/* bytes of a body reserved at once */

static const char *
header(struct MHD_Connection *conn, const char *name)
{
	return MHD_lookup_connection_value(conn, MHD_HEADER_KIND, name);
}

static int
has_body(struct MHD_Connection *conn)
{
	const char *v;

	if (header(conn, MHD_HTTP_HEADER_TRANSFER_ENCODING) != NULL)
		return 1;
	v = header(conn, MHD_HTTP_HEADER_CONTENT_LENGTH);
	return v != NULL && strspn(v, "0 ") != strlen(v);
}

static enum MHD_Result
count_query(void *arg, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	struct request *rq = arg;

	(void)kind;
	rq->nquery++;
	if (strcmp(key, "action") == 0 && rq->query_action == NULL)
		rq->query_action = value != NULL ? value : "";
	return MHD_YES;
}

/*
 * The rate limit, in the early checks.  An agent's requests count for its
 * address (maxrate per address and period).  A trusted address
 * (httpd-trust) is a proxy further down the chain or an administrator's
 * injector, which sends for many agents from one address: its requests
 * count per agent instead, by GLPI-Agent-ID, or, without one (legacy
 * XML), by the DEVICEID of the body, which the pipeline counts once it is
 * read (rate_deferred).  Returns 1 when the request is answered 429.
 */
static int
rate_early(struct exchange *x)
{
	struct request	*rq = &x->rq;
	const char	*id;
	char		 key[6 + UUID_STRLEN + 1];
	size_t		 i;

	if (!client_trusted(x))
		return proxy_rate(rq, &x->rs, x->ip);
	id = header(x->conn, "GLPI-Agent-ID");
	if (uuid_valid(id)) {
		/* The pipeline takes agent ids in any case: so does the key. */
		memcpy(key, "agent ", 6);
		for (i = 0; i <= UUID_STRLEN; i++)
			key[6 + i] = (char)tolower((unsigned char)id[i]);
		return proxy_rate(rq, &x->rs, key);
	}
	if (x->route != ROUTE_PROXY)
		return proxy_rate(rq, &x->rs, x->ip);
	rq->rate_deferred = 1;
	return 0;
}

/*
 * The first call for a request: everything decided from the headers alone.
 * Returns 1 when an answer is ready, 0 to go on reading the body.
 */
static int
early_checks(struct exchange *x, const char *method)
{
	struct proxy		*px = x->rq.px;
	struct request		*rq = &x->rq;
	struct response		*rs = &x->rs;
	const char		*clen;
	unsigned long long	 len;

	if (x->route == ROUTE_STATUS) {
		response_set(rs, 200, "text/plain", "status: waiting", 15);
		return 1;
	}
	if (x->l->tls && x->gen->conf.ssl.forbid_not_trusted &&
	    !client_trusted(x)) {
		response_error(rs, 403, "Forbidden");
		return 1;
	}
	if (x->route == ROUTE_NONE) {
		response_error(rs, 400, "Bad request");
		return 1;
	}
	if (px->conf->forbid_not_trusted && !client_trusted(x)) {
		response_error(rs, 403, "Forbidden");
		return 1;
	}
	if (rate_early(x))
		return 1;
	if (strcmp(method, "GET") == 0)
		rq->method = METHOD_GET;
	else if (strcmp(method, "POST") == 0)
		rq->method = METHOD_POST;
	else {
		response_error(rs, 400, "Bad request");
		return 1;
	}
	if (x->route == ROUTE_APIVERSION) {
		response_set(rs, 200, "text/plain", API_VERSION,
		    strlen(API_VERSION));
		return 1;
	}
	if (atomic_fetch_add(&px->inflight, 1) >= px->conf->max_proxy_threads) {
		atomic_fetch_sub(&px->inflight, 1);
		response_error(rs, 429, "Too Many Requests");
		rs->retry_after = 1;
		return 1;
	}
	x->counted = 1;
	clen = header(x->conn, MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (clen != NULL && sscanf(clen, "%llu", &len) == 1 &&
	    len > (unsigned long long)px->conf->max_body_size) {
		response_error(rs, 413, "Content too large (limit %lld bytes)",
		    px->conf->max_body_size);
		return 1;
	}
	/*
	 * The body comes in pieces: room for all of it at once, within
	 * max_body_size (checked above), instead of a copy per doubling.
	 * Only up to PREALLOC_MAX: a client that announces more and sends
	 * nothing holds no more than that; past it, or if the allocation
	 * fails, the body grows as it comes.
	 */
	if (clen != NULL && sscanf(clen, "%llu", &len) == 1 && len > 0)
		(void)buf_reserve(&rq->body, (size_t)(len < PREALLOC_MAX ?
		    len : PREALLOC_MAX));
	rq->content_type = header(x->conn, MHD_HTTP_HEADER_CONTENT_TYPE);
	rq->agent_id = header(x->conn, "GLPI-Agent-ID");
	rq->request_id = header(x->conn, "GLPI-Request-ID");
	if (!reqid_valid(rq->request_id))
		rq->request_id = NULL;
	rq->proxy_ids = header(x->conn, "GLPI-Proxy-ID");
	rq->user_agent = header(x->conn, MHD_HTTP_HEADER_USER_AGENT);
	MHD_get_connection_values(x->conn, MHD_GET_ARGUMENT_KIND, count_query,
	    rq);
	return 0;
}

static struct exchange *
exchange_new(struct listener *l, struct MHD_Connection *conn,
    const char *url)
{
	struct exchange *x;

	if ((x = calloc(1, sizeof(*x))) == NULL)
		return NULL;
	clock_gettime(CLOCK_MONOTONIC, &x->start);
	x->l = l;
	x->conn = conn;
	pthread_mutex_lock(&l->set->gen_lock);
	x->gen = l->set->gen;
	generation_hold(x->gen);
	pthread_mutex_unlock(&l->set->gen_lock);
	x->rq.action = "-";
	client_ip(conn, x->ip, sizeof(x->ip));
	log_escape(x->path, sizeof(x->path), url);
	x->rq.ip = x->ip;
	x->route = route_path(l, x->gen, url, &x->rq.px);
	buf_init(&x->rq.body, x->rq.px != NULL ?
	    (size_t)x->rq.px->conf->max_body_size : 0);
	buf_init(&x->rs.body, 64 * 1024 * 1024);
	atomic_fetch_add(&l->set->active, 1);
	return x;
}

/*
 * In a worker thread: run the pipeline, then resume the connection to
 * answer, unless a legacy forward will resume it when it is done.
 */
static void
process(struct workq_item *it)
{
	struct exchange	*x = (struct exchange *)it;

	handler_run(&x->rq, &x->rs);
	/*
	 * A trusted client's request that ended before a device id was
	 * known (an error, a poll): counted by its address after all.
	 */
	if (x->rq.rate_deferred && x->rs.job == NULL)
		proxy_rate_deferred(&x->rq, &x->rs, NULL);
	if (x->rs.job != NULL) {
		if (forward_submit(x->rq.px->fwd, x->rs.job,
		    legacy_forward_done, x) == 0)
			return;
		forward_job_free(x->rs.job);
		x->rs.job = NULL;
		response_error(&x->rs, 503, "Proxy busy, retry later");
	}
	x->state = ST_READY;
	MHD_resume_connection(x->conn);
}

/*
 * The whole body is here.  Decoding, checking and storing take time and
 * wait for the disk, so they run in the listener's workers while the
 * connection is suspended; the listener thread only moves bytes.
 */
static enum MHD_Result
body_complete(struct exchange *x)
{
	if (x->too_big) {
		response_error(&x->rs, 413, "Content too large (limit %lld "
		    "bytes)", x->rq.px->conf->max_body_size);
		return send_response(x);
	}
	x->state = ST_WAIT;
	x->work.run = process;
	MHD_suspend_connection(x->conn);
	workq_push(x->l->work, &x->work);
	return MHD_YES;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **con_cls)
{
	struct listener	*l = cls;
	struct exchange	*x = *con_cls;

	(void)version;
	if (x == NULL) {
		if ((x = exchange_new(l, conn, url)) == NULL)
			return MHD_NO;
		*con_cls = x;
		if (!early_checks(x, method))
			return MHD_YES;
		/* Answered from the headers: a deferred rate counts now. */
		if (x->rq.rate_deferred)
			proxy_rate_deferred(&x->rq, &x->rs, NULL);
		/*
		 * Answer now only when a body is coming, so that it is never
		 * read; otherwise answer on the next call, which keeps the
		 * connection alive.
		 */
		if (has_body(conn))
			return send_response(x);
		x->state = ST_READY;
		return MHD_YES;
	}
	switch (atomic_load(&x->state)) {
	case ST_BODY:
		if (*upload_size == 0)
			return body_complete(x);
		x->bytes_in += *upload_size;
		if (!x->too_big && buf_append(&x->rq.body, upload,
		    *upload_size) != 0) {
			/* Keep reading (and dropping) to answer 413. */
			x->too_big = 1;
			buf_free(&x->rq.body);
		}
		*upload_size = 0;
		if (elapsed_ms(&x->start) >
		    (double)x->rq.px->conf->request_timeout * 1e3) {
			log_warnx("%s: request body not received within %llds, "
			    "connection closed", x->ip,
			    x->rq.px->conf->request_timeout);
			return MHD_NO;
		}
		return MHD_YES;
	case ST_READY:
		return send_response(x);
	default:
		return MHD_YES;
	}
}

static void
on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct exchange	*x = *con_cls;
	struct proxy	*px;
	char		 deviceid[4 * sizeof(x->rq.deviceid)];

	(void)cls;
	(void)conn;
	if (x == NULL)
		return;
	px = x->rq.px;
	log_escape(deviceid, sizeof(deviceid), x->rq.deviceid);
	log_info("%s %s %s %s %s %s %d %zu %zu %.1fms%s",
	    px != NULL ? px->conf->name : "-", x->path[0] ? x->path : "-",
	    x->ip, x->rs.reqid[0] ? x->rs.reqid : "-",
	    deviceid[0] ? deviceid : "-", x->route ==
	    ROUTE_APIVERSION ? "apiversion" : x->rq.action,
	    x->state == ST_SENT ? x->rs.status : 0, x->bytes_in,
	    x->state == ST_SENT ? x->rs.body.len : 0, elapsed_ms(&x->start),
	    toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" :
	    toe == MHD_REQUEST_TERMINATED_TIMEOUT_REACHED ? " (timeout)" :
	    " (aborted)");
	if (x->counted)
		atomic_fetch_sub(&px->inflight, 1);
	generation_release(x->gen);
	atomic_fetch_sub(&x->l->set->active, 1);
	buf_free(&x->rq.body);
	buf_free(&x->rs.body);
	free(x);
	*con_cls = NULL;
	atomic_fetch_add_explicit(&completed, 1, memory_order_relaxed);
}

unsigned long
server_completed(void)
{
	return atomic_load_explicit(&completed, memory_order_relaxed);
}

/* libmicrohttpd's own messages; its format strings are its own. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
static void
on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];
	size_t n;

	(void)cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n > 0 && msg[n - 1] == '\n')
		msg[--n] = '\0';
	log_debug("http: %s", msg);
}
#pragma GCC diagnostic pop

/*
 * One MHD daemon for l on the address ss, with the listener's limits.
 * One thread does all the network work: with the thread pools of
 * libmicrohttpd 0.9.75 (Debian 12), a connection opened while another one
 * was could wait seconds before being read; one thread never showed that.
 * The pipeline runs in the listener's own workers (process()).
 */
static struct MHD_Daemon *
start_daemon(struct listener *l, unsigned int flags,
    struct sockaddr_storage *ss)
{
	const struct ssl_conf	*ssl = &l->set->gen->conf.ssl;
	struct MHD_OptionItem	 o[16];
	int			 n = 0;

#define OPT(opt, v, p)	o[n++] = (struct MHD_OptionItem){ (opt), (v), (p) }
	OPT(MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)on_mhd_log, NULL);
	OPT(MHD_OPTION_SOCK_ADDR, 0, ss);
	OPT(MHD_OPTION_CONNECTION_LIMIT, l->max_connections, NULL);
	OPT(MHD_OPTION_PER_IP_CONNECTION_LIMIT, l->max_connections_per_ip,
	    NULL);
	OPT(MHD_OPTION_CONNECTION_TIMEOUT, l->request_timeout, NULL);
	OPT(MHD_OPTION_CONNECTION_MEMORY_LIMIT, l->max_header_size, NULL);
	OPT(MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024, NULL);
	OPT(MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, NULL);
	if (l->tls) {
		flags |= MHD_USE_TLS;
		OPT(MHD_OPTION_HTTPS_CERT_CALLBACK, 0, (void *)tls_retrieve);
		OPT(MHD_OPTION_HTTPS_PRIORITIES, 0, (void *)ssl->priorities);
	}
	OPT(MHD_OPTION_END, 0, NULL);
#undef OPT
	return MHD_start_daemon(flags, (uint16_t)l->port, NULL, NULL,
	    on_request, l, MHD_OPTION_ARRAY, o, MHD_OPTION_END);
}

/*
 * Why libmicrohttpd could not listen on ss: the errno of a bind of our
 * own (it tells neither), 0 when that bind works.
 */
static int
bind_errno(const struct sockaddr_storage *ss)
{
	socklen_t	len = ss->ss_family == AF_INET6 ?
	    sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
	int		fd, one = 1, e = 0;

	if ((fd = socket(ss->ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return errno;
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)ss, len) == -1 ||
	    listen(fd, 1) == -1)
		e = errno;
	close(fd);
	return e;
}

/* Says why a port cannot be listened on, and what to do about it. */
static void
log_listen_error(const char *addr, long long port, int e)
{
	switch (e) {
	case EADDRINUSE:
		log_errx("cannot listen on %s port %lld: the port is already "
		    "in use by another program; stop it, or choose another "
		    "port (httpd-port, port)", addr, port);
		break;
	case EACCES:
		log_errx("cannot listen on %s port %lld: permission denied; "
		    "a port below 1024 needs root (with -u USER to run as "
		    "another user once bound) or the CAP_NET_BIND_SERVICE "
		    "capability", addr, port);
		break;
	case EADDRNOTAVAIL:
		log_errx("cannot listen on %s port %lld: %s is not an address "
		    "of this host (httpd-ip)", addr, port, addr);
		break;
	case 0:
		log_errx("cannot listen on %s port %lld: libmicrohttpd could "
		    "not start (run with -v for its messages)", addr, port);
		break;
	default:
		log_errx("cannot listen on %s port %lld: %s", addr, port,
		    strerror(e));
		break;
	}
}

static int
start_listener(struct listener *l, const struct agent_conf *a)
{
	struct sockaddr_storage		 ss;
	struct sockaddr_in		*s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6		*s6 = (struct sockaddr_in6 *)&ss;
	unsigned int			 flags;

	if ((l->work = workq_start((int)l->workers)) == NULL) {
		log_warnx("cannot start %lld worker threads", l->workers);
		return ERR_SYSTEM;
	}
	flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
	    MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ITC | MHD_USE_ERROR_LOG;
	memset(&ss, 0, sizeof(ss));
	if (a->httpd_ip[0] == '\0') {
		s6->sin6_family = AF_INET6;
		s6->sin6_addr = in6addr_any;
		s6->sin6_port = htons((uint16_t)l->port);
		l->daemon = start_daemon(l, flags | MHD_USE_DUAL_STACK, &ss);
		if (l->daemon == NULL) {
			/* No IPv6 on this host: listen on IPv4 only. */
			memset(&ss, 0, sizeof(ss));
			s4->sin_family = AF_INET;
			s4->sin_port = htons((uint16_t)l->port);
			l->daemon = start_daemon(l, flags, &ss);
		}
	} else if (inet_pton(AF_INET, a->httpd_ip, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)l->port);
		l->daemon = start_daemon(l, flags, &ss);
	} else if (inet_pton(AF_INET6, a->httpd_ip, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)l->port);
		l->daemon = start_daemon(l, flags | MHD_USE_IPv6, &ss);
	} else {
		log_warnx("httpd-ip \"%s\" is not an IPv4 or IPv6 address",
		    a->httpd_ip);
		return ERR_INVALID;
	}
	if (l->daemon == NULL) {
		log_listen_error(a->httpd_ip[0] ? a->httpd_ip : "*", l->port,
		    bind_errno(&ss));
		return ERR_SYSTEM;
	}
	log_info("listening on %s port %lld%s", a->httpd_ip[0] ? a->httpd_ip :
	    "*", l->port, l->tls ? " (TLS)" : "");
	return 0;
}

/*
 * Requests mostly wait for fsync, so a few workers per CPU keep the CPUs
 * busy while others wait for the disk.
 */
static long long
auto_workers(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1)
		n = 1;
	return n * 4 > 64 ? 64 : n * 4;
}

int
server_start(struct server *s, struct generation *gen)
{
	const struct instance_conf	*ic;
	struct listener_set		*set;
	struct listener			*l;
	int				 i, j, r;

	if ((set = calloc(1, sizeof(*set))) == NULL)
		return ERR_NOMEM;
	pthread_mutex_init(&set->gen_lock, NULL);
	set->gen = gen;
	generation_hold(gen);
	atomic_init(&set->active, 0);
	for (i = 0; i < CONF_NINSTANCES; i++) {
		ic = &gen->conf.inst[i];
		if (ic->disabled)
			continue;
		for (j = 0, l = NULL; j < set->nlisteners; j++)
			if (set->listeners[j].port == ic->port)
				l = &set->listeners[j];
		if (l != NULL)
			continue;
		l = &set->listeners[set->nlisteners++];
		l->set = set;
		l->port = ic->port;
		l->tls = config_tls_port(&gen->conf, ic->port);
		l->workers = ic->workers > 0 ? ic->workers : auto_workers();
		l->max_connections = ic->max_connections;
		l->max_connections_per_ip = ic->max_connections_per_ip;
		l->request_timeout = ic->request_timeout;
		l->max_header_size = ic->max_header_size;
	}
	s->set = set;
	tls_use(gen->conf.ssl.creds);
	for (i = 0; i < set->nlisteners; i++) {
		if ((r = start_listener(&set->listeners[i], &gen->conf.agent))
		    != 0) {
			server_stop(s, 0, NULL, NULL);
			return r;
		}
	}
	return 0;
}

void
server_swap(struct server *s, struct generation *gen)
{
	struct listener_set	*set = s->set;
	struct generation	*old;

	generation_hold(gen);
	tls_use(gen->conf.ssl.creds);
	pthread_mutex_lock(&set->gen_lock);
	old = set->gen;
	set->gen = gen;
	pthread_mutex_unlock(&set->gen_lock);
	generation_release(old);
}

static int
wait_idle(struct listener_set *set, int seconds)
{
	int waited;

	for (waited = 0; atomic_load(&set->active) > 0 &&
	    waited < seconds * 10; waited++)
		usleep(100000);
	return atomic_load(&set->active) == 0;
}

int
server_stop(struct server *s, int grace, void (*cancel)(void *), void *arg)
{
	struct listener_set	*set = s->set;
	MHD_socket		 fds[CONF_NINSTANCES];
	int			 i, idle;

	if (set == NULL)
		return 0;
	s->set = NULL;
	/*
	 * Stop accepting.  The listening sockets MHD hands back are ours to
	 * close, but only once its threads are done with them (they may
	 * still take them out of their epoll sets).
	 */
	for (i = 0; i < set->nlisteners; i++)
		fds[i] = set->listeners[i].daemon == NULL ? MHD_INVALID_SOCKET :
		    MHD_quiesce_daemon(set->listeners[i].daemon);
	/* Let requests being received or forwarded finish... */
	idle = wait_idle(set, grace);
	if (!idle && cancel != NULL) {
		/* ...then make the forwards they wait for give up. */
		log_warnx("%d request(s) still in progress after %ds, "
		    "cancelling their forwards", atomic_load(&set->active),
		    grace);
		cancel(arg);
		idle = wait_idle(set, 10);
	}
	if (!idle) {
		/*
		 * A suspended connection would make MHD abort: leave these
		 * listeners to finish on their own, but free their ports.
		 */
		log_warnx("%d request(s) still in progress are left to "
		    "finish", atomic_load(&set->active));
		sleep(1);
		for (i = 0; i < set->nlisteners; i++)
			if (fds[i] != MHD_INVALID_SOCKET)
				close(fds[i]);
		return -1;
	}
	for (i = 0; i < set->nlisteners; i++) {
		if (set->listeners[i].daemon != NULL)
			MHD_stop_daemon(set->listeners[i].daemon);
		if (fds[i] != MHD_INVALID_SOCKET)
			close(fds[i]);
		workq_stop(set->listeners[i].work);
	}
	generation_release(set->gen);
	pthread_mutex_destroy(&set->gen_lock);
	free(set);
	return 0;
}
