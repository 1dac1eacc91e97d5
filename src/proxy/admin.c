/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/log.h"
#include "proxy/admin.h"
#include "proxy/deliver.h"
#include "proxy/exposition.h"
#include "proxy/health.h"
#include "proxy/metrics.h"
#include "proxy/page.h"
#include "proxy/summary.h"
#include "proxy/tls.h"

#define ADMIN_MAX_BODY		(4 * 1024 * 1024) /* an answer's ceiling */
#define ADMIN_CONNECTIONS	32
#define ADMIN_PER_IP		8
#define ADMIN_TIMEOUT		10	/* seconds */

/*
 * The listener.  daemon_gen is the generation the daemon was started
 * with (its address and TLS settings); gen, under lock, the one answers
 * read.  Both hold a reference.
 */
static struct {
	pthread_mutex_t		 lock;
	struct MHD_Daemon	*daemon;
	struct generation	*daemon_gen;
	struct generation	*gen;
	time_t			 started;
} admin = { PTHREAD_MUTEX_INITIALIZER, NULL, NULL, NULL, 0 };

/* The answer; csp (may be NULL) is its Content-Security-Policy. */
static enum MHD_Result
answer_csp(struct MHD_Connection *conn, unsigned status, const char *ctype,
    struct buf *body, const char *csp)
{
	struct MHD_Response	*resp;
	enum MHD_Result		 ret;

	resp = MHD_create_response_from_buffer(body->len, body->data != NULL ?
	    body->data : (void *)"", MHD_RESPMEM_MUST_COPY);
	buf_free(body);
	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
	    "no-store");
	if (csp != NULL)
		MHD_add_response_header(resp, "Content-Security-Policy", csp);
	ret = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result
answer(struct MHD_Connection *conn, unsigned status, const char *ctype,
    struct buf *body)
{
	return answer_csp(conn, status, ctype, body, NULL);
}

static enum MHD_Result
answer_text(struct MHD_Connection *conn, unsigned status, const char *text)
{
	struct buf b;

	buf_init(&b, ADMIN_MAX_BODY);
	if (buf_appendf(&b, "%s\n", text) != 0)
		return MHD_NO;
	return answer(conn, status, "text/plain; charset=utf-8", &b);
}

static int
trusted(struct MHD_Connection *conn, const struct generation *g)
{
	const union MHD_ConnectionInfo *ci;

	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	return ci != NULL && ci->client_addr != NULL &&
	    trust_match(&g->conf.agent.status_nets, ci->client_addr);
}

/* The queue of the spool into the snapshot; d NULL: no spool. */
static void
spool_read(struct metrics_snapshot *s, struct deliver *d)
{
	struct deliver_stats	st;
	struct timespec		ts;
	double			age;

	if (d == NULL)
		return;
	deliver_stats(d, &st);
	s->spool = 1;
	s->spool_items = st.items;
	s->spool_bytes = st.bytes;
	s->delivery_retries = st.retries;
	if (st.oldest_ms > 0) {
		clock_gettime(CLOCK_REALTIME, &ts);
		age = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9 -
		    (double)st.oldest_ms / 1e3;
		s->spool_oldest_age = age > 0 ? age : 0;
	}
}

static enum MHD_Result
route(struct MHD_Connection *conn, const char *url, struct generation *g)
{
	struct metrics_snapshot	*s;
	struct buf		 b;
	char			 why[1024];
	char			*text;
	json_t			*o;
	int			 healthy;
	enum MHD_Result		 ret = MHD_NO;

	healthy = health_check(&g->conf, g->proxies[0].deliver, why,
	    sizeof(why)) == 0;
	if (strcmp(url, "/health") == 0)
		return answer_text(conn, healthy ? 200 : 503, healthy ? "ok" :
		    why);
	if (strcmp(url, "/metrics") != 0 && strcmp(url, "/status.json") != 0 &&
	    strcmp(url, "/") != 0)
		return answer_text(conn, 404, "Not found: /, /metrics, /health "
		    "and /status.json are served here");
	/* A snapshot is some 60 kB: not on the daemon's stack. */
	if ((s = malloc(sizeof(*s))) == NULL)
		return MHD_NO;
	metrics_read(s);
	spool_read(s, g->proxies[0].deliver);
	buf_init(&b, ADMIN_MAX_BODY);
	if (strcmp(url, "/metrics") == 0) {
		if (exposition_write(&b, s, healthy) == 0)
			ret = answer(conn, 200, "text/plain; version=0.0.4; "
			    "charset=utf-8", &b);
	} else if (strcmp(url, "/") == 0) {
		if (page_write(&b, s, &g->conf, healthy ? "" : why,
		    admin.started) == 0)
			ret = answer_csp(conn, 200, "text/html; charset=utf-8",
			    &b, PAGE_CSP);
	} else if ((o = summary_new(s, &g->conf, healthy ? "" : why,
	    admin.started)) != NULL) {
		if ((text = json_dumps(o, JSON_INDENT(2) |
		    JSON_PRESERVE_ORDER)) != NULL &&
		    buf_appendf(&b, "%s\n", text) == 0)
			ret = answer(conn, 200, "application/json", &b);
		free(text);
		json_decref(o);
	}
	buf_free(&b);
	free(s);
	return ret;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **con_cls)
{
	struct generation	*g;
	enum MHD_Result		 ret;

	(void)cls;
	(void)version;
	(void)upload;
	/* First call: headers only; answer on the next one. */
	if (*con_cls == NULL) {
		*con_cls = conn;
		return MHD_YES;
	}
	/* A body is not expected: dropped, and the answer is 405 anyway. */
	if (*upload_size != 0) {
		*upload_size = 0;
		return MHD_YES;
	}
	pthread_mutex_lock(&admin.lock);
	g = admin.gen;
	generation_hold(g);
	pthread_mutex_unlock(&admin.lock);
	if (!trusted(conn, g))
		ret = answer_text(conn, 403, "Forbidden: not in status_trust");
	else if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		ret = answer_text(conn, 405, "Method not allowed");
	else
		ret = route(conn, url, g);
	generation_release(g);
	return ret;
}

static struct MHD_Daemon *
start_daemon(const struct generation *g)
{
	const struct agent_conf	*a = &g->conf.agent;
	struct sockaddr_storage	 ss;
	struct sockaddr_in	*s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6	*s6 = (struct sockaddr_in6 *)&ss;
	unsigned int		 flags = MHD_USE_INTERNAL_POLLING_THREAD |
	    MHD_USE_EPOLL;
	struct MHD_OptionItem	 o[8];
	int			 n = 0;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, a->status_ip, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)a->status_port);
	} else if (inet_pton(AF_INET6, a->status_ip, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)a->status_port);
		flags |= MHD_USE_IPv6;
	} else
		return NULL;	/* config.c checked it */
#define OPT(opt, v, p)	\
	o[n++] = (struct MHD_OptionItem){ (opt), (v), (p) }
	OPT(MHD_OPTION_SOCK_ADDR, 0, &ss);
	OPT(MHD_OPTION_CONNECTION_LIMIT, ADMIN_CONNECTIONS, NULL);
	OPT(MHD_OPTION_PER_IP_CONNECTION_LIMIT, ADMIN_PER_IP, NULL);
	OPT(MHD_OPTION_CONNECTION_TIMEOUT, ADMIN_TIMEOUT, NULL);
	if (a->status_tls) {
		flags |= MHD_USE_TLS;
		OPT(MHD_OPTION_HTTPS_CERT_CALLBACK, 0, (void *)tls_retrieve);
		OPT(MHD_OPTION_HTTPS_PRIORITIES, 0,
		    (void *)g->conf.ssl.priorities);
	}
	OPT(MHD_OPTION_END, 0, NULL);
#undef OPT
	return MHD_start_daemon(flags, (uint16_t)a->status_port, NULL, NULL,
	    on_request, NULL, MHD_OPTION_ARRAY, o, MHD_OPTION_END);
}

/* Starts the daemon of g (holding it), or logs why it cannot. */
static int
listen_on(struct generation *g)
{
	const struct agent_conf *a = &g->conf.agent;

	if ((admin.daemon = start_daemon(g)) == NULL) {
		log_errx("admin listener: cannot listen on %s port %lld "
		    "(status_ip, status_port): the port may be in use",
		    a->status_ip, a->status_port);
		return ERR_SYSTEM;
	}
	generation_hold(g);
	admin.daemon_gen = g;
	log_info("admin listener on %s port %lld%s", a->status_ip,
	    a->status_port, a->status_tls ? " (TLS)" : "");
	return 0;
}

/* Stops the daemon; answers in progress end first. */
static void
stop_daemon(void)
{
	if (admin.daemon == NULL)
		return;
	MHD_stop_daemon(admin.daemon);
	admin.daemon = NULL;
	generation_release(admin.daemon_gen);
	admin.daemon_gen = NULL;
}

/* Makes g (NULL: none) the generation the pages read, holding it. */
static void
use(struct generation *g)
{
	struct generation *prev;

	if (g != NULL)
		generation_hold(g);
	pthread_mutex_lock(&admin.lock);
	prev = admin.gen;
	admin.gen = g;
	pthread_mutex_unlock(&admin.lock);
	if (prev != NULL)
		generation_release(prev);
}

int
admin_start(struct generation *gen)
{
	admin.started = time(NULL);
	use(gen);
	if (gen->conf.agent.status_port == 0)
		return 0;
	return listen_on(gen);
}

/* 1 when a and b need the same daemon. */
static int
same_listener(const struct agent_conf *a, const struct agent_conf *b)
{
	return a->status_port == b->status_port && a->status_tls ==
	    b->status_tls && strcmp(a->status_ip, b->status_ip) == 0;
}

int
admin_reload(struct generation *gen)
{
	struct MHD_Daemon	*d;
	struct generation	*old_gen = admin.daemon_gen;
	const struct agent_conf	*a = &gen->conf.agent;
	int			 r;

	use(gen);
	if (old_gen != NULL && same_listener(&old_gen->conf.agent, a))
		return 0;
	if (a->status_port == 0) {
		if (old_gen != NULL)
			log_info("admin listener stopped");
		stop_daemon();
		return 0;
	}
	/* Another port: the old listener serves on if the new one fails. */
	if (old_gen != NULL && old_gen->conf.agent.status_port !=
	    a->status_port) {
		if ((d = start_daemon(gen)) == NULL) {
			log_errx("admin listener: cannot listen on %s port "
			    "%lld (status_ip, status_port): the port may be in "
			    "use; the previous one serves on", a->status_ip,
			    a->status_port);
			return ERR_SYSTEM;
		}
		stop_daemon();
		admin.daemon = d;
		generation_hold(gen);
		admin.daemon_gen = gen;
		log_info("admin listener on %s port %lld%s", a->status_ip,
		    a->status_port, a->status_tls ? " (TLS)" : "");
		return 0;
	}
	/* The same port (another address or TLS): the old one goes first. */
	if (old_gen != NULL)
		generation_hold(old_gen);
	stop_daemon();
	if ((r = listen_on(gen)) != 0 && old_gen != NULL &&
	    listen_on(old_gen) == 0)
		log_errx("admin listener: the previous one is restored");
	if (old_gen != NULL)
		generation_release(old_gen);
	return r;
}

void
admin_stop(void)
{
	stop_daemon();
	use(NULL);
}
