/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <linux/tcp.h>		/* tcp_info with tcpi_bytes_received */
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/err.h"
#include "common/log.h"
#include "common/siphash.h"
#include "common/workq.h"
#include "proxy/branch.h"
#include "proxy/chain.h"
#include "proxy/forward.h"
#include "proxy/framing.h"
#include "proxy/metrics.h"
#include "proxy/server.h"
#include "proxy/tls.h"

#define API_VERSION	"2.5"
/*
 * Bytes of a body read and dropped after an early answer, so that the
 * client, which sends its whole body before it reads, gets the answer
 * instead of a reset (a socket closed with unread data sends RST, which
 * also discards what the client had not read yet).  A larger announced
 * body is answered at once and the connection closed.
 */
#define DRAIN_MAX	(4 * 1024 * 1024)
/* Seconds over which min_data_rate is measured. */
#define RATE_WINDOW	10
/* Milliseconds between two sweeps of the connections (see sweep()). */
#define SWEEP_MS	500
#define UPLOAD_BUCKETS	256

enum route { ROUTE_NONE, ROUTE_APIVERSION, ROUTE_PROXY, ROUTE_STATUS };

/* Socket settings of a listener, from the first instance on its port. */
#define MAX_QUIESCED	4

struct listener {
	struct MHD_Daemon	*daemon;
	/* Daemons whose socket went to another: stopped with the set. */
	struct MHD_Daemon	*quiesced[MAX_QUIESCED];
	int			 nquiesced;
	int			 shut;		/* quiesced, socket shut down */
	MHD_socket		 shut_fd;	/* closed once daemon stops */
	struct workq		*work;		/* runs the pipeline */
	struct listener_set	*set;
	long long		 port;
	int			 tls;
	long long		 workers, max_connections;
	long long		 max_connections_per_ip, request_timeout;
	long long		 max_header_size;
	long long		 max_uploads_per_ip, min_data_rate;
};

/*
 * What a connection is doing, for the deadlines and the minimum data rate
 * that the sweep enforces (libmicrohttpd's own timeout only measures
 * inactivity, so a client sending a byte now and then would hold a
 * connection for ever).  PH_IDLE: waiting for a request (libmicrohttpd's
 * idle timeout applies); PH_HEADERS: the first bytes of a request have
 * arrived, not all its headers; PH_BODY: receiving a body (kept or
 * dropped); PH_BUSY: in the pipeline or being answered.
 */
enum phase { PH_IDLE, PH_HEADERS, PH_BODY, PH_BUSY };

/*
 * One connection, from libmicrohttpd's STARTED notification to its CLOSED
 * one (its socket context).  Fields are under the set's lock: the network
 * thread moves the phase, the sweep thread reads it and may shut the
 * socket down (never after CLOSED, which libmicrohttpd calls before it
 * closes the descriptor).
 */
struct watch {
	struct watch		*prev, *next;
	struct listener		*l;
	int			 fd;
	enum phase		 phase;
	long long		 since;		/* ms: start of the phase */
	unsigned long long	 base;		/* bytes received when idle */
	long long		 win_start;	/* ms: rate window start */
	unsigned long long	 win_bytes;	/* bytes received then */
	int			 cut;
	char			 ip[INET6_ADDRSTRLEN];
};

/* Bodies being received from one address (an IPv6 /64), while > 0. */
struct upload_count {
	struct upload_count	*next;
	unsigned char		 key[9];
	long long		 n;
};

struct listener_set {
	struct listener		 listeners[CONF_NINSTANCES];
	int			 nlisteners;
	pthread_mutex_t		 gen_lock;
	struct generation	*gen;		/* current; one reference */
	atomic_int		 active;	/* requests not yet completed */
	int			 closed;	/* gen_lock: no new request */
	atomic_int		 retiring;	/* answers close connections */
	struct listener_set	*next_retired;	/* under retire_lock */

	/* Connections and bodies in progress; the sweep thread. */
	pthread_mutex_t		 lock;
	pthread_cond_t		 wake;
	struct watch		*watches;
	struct upload_count	*uploads[UPLOAD_BUCKETS];
	struct siphash_key	 hkey;		/* of upload_bucket() */
	pthread_t		 sweeper;
	int			 sweeping, stopping;
};
/*
 * ST_BODY: reading the body; ST_DRAIN: answered from the headers, reading
 * and dropping the body before sending the answer; ST_WAIT: in a worker
 * or a forward; ST_READY: the answer is ready; ST_SENT: queued.
 */
enum state { ST_BODY, ST_DRAIN, ST_WAIT, ST_READY, ST_SENT };

/* Requests completed since start, for the memory trimming of serve.c. */
static atomic_ulong completed;

/* Everything of one HTTP request; freed when MHD says it completed. */
struct exchange {
	struct workq_item	 work;		/* first: see process() */
	struct listener		*l;
	struct generation	*gen;
	struct MHD_Connection	*conn;
	struct watch		*w;		/* NULL: not watched */
	enum route		 route;
	_Atomic enum state	 state;
	int			 counted;	/* holds an in-flight slot */
	int			 too_big;
	int			 uploading;	/* counts in set->uploads */
	unsigned char		 ukey[9];
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

/*
 * Bytes the kernel has received on a TCP socket: it counts what
 * libmicrohttpd has not handed over yet (headers, TLS records), which no
 * callback of libmicrohttpd shows.  0 when it cannot tell.
 */
static unsigned long long
tcp_bytes(int fd)
{
	struct tcp_info	ti;
	socklen_t	len = sizeof(ti);

	memset(&ti, 0, sizeof(ti));
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) == -1)
		return 0;
	return ti.tcpi_bytes_received;
}

/* Moves w (may be NULL) to phase p.  Network thread. */
static void
watch_phase(struct listener_set *set, struct watch *w, enum phase p)
{
	unsigned long long	bytes = 0;
	long long		now = mono_ms();

	if (w == NULL)
		return;
	if (p == PH_IDLE || p == PH_BODY)
		bytes = tcp_bytes(w->fd);
	pthread_mutex_lock(&set->lock);
	w->phase = p;
	w->since = now;
	if (p == PH_IDLE)
		w->base = bytes;
	else if (p == PH_BODY) {
		w->win_start = now;
		w->win_bytes = bytes;
	}
	pthread_mutex_unlock(&set->lock);
}

/* libmicrohttpd's connection notifications: a watch per connection. */
static void
on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
    enum MHD_ConnectionNotificationCode code)
{
	struct listener			*l = cls;
	struct listener_set		*set = l->set;
	struct watch			*w = *socket_context;
	const union MHD_ConnectionInfo	*ci;

	if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
		if (w == NULL)
			return;
		pthread_mutex_lock(&set->lock);
		if (w->prev != NULL)
			w->prev->next = w->next;
		else
			set->watches = w->next;
		if (w->next != NULL)
			w->next->prev = w->prev;
		pthread_mutex_unlock(&set->lock);
		free(w);
		*socket_context = NULL;
		return;
	}
	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	if (ci == NULL || (w = calloc(1, sizeof(*w))) == NULL)
		return;		/* only libmicrohttpd's idle timeout applies */
	w->l = l;
	w->fd = ci->connect_fd;
	w->phase = PH_IDLE;
	w->since = mono_ms();
	client_ip(conn, w->ip, sizeof(w->ip));
	pthread_mutex_lock(&set->lock);
	w->next = set->watches;
	if (w->next != NULL)
		w->next->prev = w;
	set->watches = w;
	pthread_mutex_unlock(&set->lock);
	*socket_context = w;
}

/*
 * Closes w's connection from the sweep thread: shutting the socket down
 * makes libmicrohttpd's thread see the end of the connection and close
 * it.  Called with the set's lock held (so w's descriptor is still open).
 * why names a deadline missed after a seconds, or is NULL for a rate of
 * a bytes under min_data_rate b.
 */
static void
watch_cut(struct watch *w, const char *why, long long a, long long b)
{
	w->cut = 1;
	(void)shutdown(w->fd, SHUT_RDWR);
	if (why != NULL)
		log_warnx("%s: %s within %llds, connection closed", w->ip, why,
		    a);
	else
		log_warnx("%s: %lld bytes in %ds, under min_data_rate (%lld "
		    "bytes/s), connection closed", w->ip, a, RATE_WINDOW, b);
}

/*
 * Enforces, once per SWEEP_MS, what libmicrohttpd's inactivity timeout
 * cannot: the headers of a request must arrive within request_timeout of
 * its first byte, its body within request_timeout of its headers, and
 * while either is being received the client must send at least
 * min_data_rate bytes per second, measured over RATE_WINDOW seconds.
 */
static void
sweep(struct listener_set *set)
{
	struct watch		*w;
	struct listener		*l;
	unsigned long long	 bytes;
	long long		 now = mono_ms(), limit;

	pthread_mutex_lock(&set->lock);
	for (w = set->watches; w != NULL; w = w->next) {
		l = w->l;
		if (w->cut || w->phase == PH_BUSY)
			continue;
		if (w->phase == PH_IDLE) {
			if ((bytes = tcp_bytes(w->fd)) <= w->base)
				continue;
			w->phase = PH_HEADERS;
			w->since = w->win_start = now;
			w->win_bytes = w->base;
		}
		if (now - w->since > l->request_timeout * 1000) {
			watch_cut(w, w->phase == PH_HEADERS ? "request headers "
			    "not received" : "request body not received",
			    l->request_timeout, 0);
			continue;
		}
		if (l->min_data_rate == 0 ||
		    now - w->win_start < RATE_WINDOW * 1000)
			continue;
		bytes = tcp_bytes(w->fd);
		limit = l->min_data_rate * (now - w->win_start) / 1000;
		if (bytes - w->win_bytes < (unsigned long long)limit) {
			watch_cut(w, NULL, (long long)(bytes - w->win_bytes),
			    l->min_data_rate);
			continue;
		}
		w->win_start = now;
		w->win_bytes = bytes;
	}
	pthread_mutex_unlock(&set->lock);
}

static void *
sweeper(void *arg)
{
	struct listener_set	*set = arg;
	struct timespec		 until;

	pthread_mutex_lock(&set->lock);
	while (!set->stopping) {
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_nsec += SWEEP_MS * 1000000L;
		until.tv_sec += until.tv_nsec / 1000000000L;
		until.tv_nsec %= 1000000000L;
		(void)pthread_cond_timedwait(&set->wake, &set->lock, &until);
		if (set->stopping)
			break;
		pthread_mutex_unlock(&set->lock);
		sweep(set);
		pthread_mutex_lock(&set->lock);
	}
	pthread_mutex_unlock(&set->lock);
	return NULL;
}

/* The key of the address of conn: IPv4, or the /64 of IPv6. */
static void
upload_key(struct MHD_Connection *conn, unsigned char key[9])
{
	const union MHD_ConnectionInfo	*ci;
	const struct sockaddr		*sa;
	const struct in6_addr		*a6;

	memset(key, 0, 9);
	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci == NULL || (sa = ci->client_addr) == NULL)
		return;
	if (sa->sa_family == AF_INET) {
		key[0] = 4;
		memcpy(key + 1, &((const struct sockaddr_in *)sa)->sin_addr, 4);
	} else if (sa->sa_family == AF_INET6) {
		a6 = &((const struct sockaddr_in6 *)sa)->sin6_addr;
		if (IN6_IS_ADDR_V4MAPPED(a6)) {
			key[0] = 4;
			memcpy(key + 1, a6->s6_addr + 12, 4);
		} else {
			key[0] = 6;
			memcpy(key + 1, a6->s6_addr, 8);
		}
	}
}

/* Keyed as the other tables whose keys clients choose (siphash.h). */
static unsigned
upload_bucket(const struct listener_set *set, const unsigned char key[9])
{
	return (unsigned)(siphash24(&set->hkey, key, 9) % UPLOAD_BUCKETS);
}

/*
 * Counts a body starting to arrive from x's address; 1 (and nothing
 * counted) when max_uploads_per_ip are already arriving from it.
 */
static int
upload_take(struct exchange *x)
{
	struct listener_set	*set = x->l->set;
	struct upload_count	*u, **head;
	int			 over = 0;

	if (x->l->max_uploads_per_ip == 0)
		return 0;
	upload_key(x->conn, x->ukey);
	head = &set->uploads[upload_bucket(set, x->ukey)];
	pthread_mutex_lock(&set->lock);
	for (u = *head; u != NULL; u = u->next)
		if (memcmp(u->key, x->ukey, 9) == 0)
			break;
	if (u == NULL && (u = calloc(1, sizeof(*u))) != NULL) {
		memcpy(u->key, x->ukey, 9);
		u->next = *head;
		*head = u;
	}
	if (u == NULL || u->n >= x->l->max_uploads_per_ip)
		over = 1;
	else {
		u->n++;
		x->uploading = 1;
	}
	pthread_mutex_unlock(&set->lock);
	return over;
}

static void
upload_put(struct exchange *x)
{
	struct listener_set	*set = x->l->set;
	struct upload_count	*u, **pp;

	if (!x->uploading)
		return;
	x->uploading = 0;
	pthread_mutex_lock(&set->lock);
	for (pp = &set->uploads[upload_bucket(set, x->ukey)]; (u = *pp) != NULL;
	    pp = &u->next) {
		if (memcmp(u->key, x->ukey, 9) != 0)
			continue;
		if (--u->n == 0) {
			*pp = u->next;
			free(u);
		}
		break;
	}
	pthread_mutex_unlock(&set->lock);
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
	watch_phase(x->l->set, x->w, PH_BUSY);
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
	/* Listeners being replaced: the client reconnects to the new ones. */
	if (atomic_load(&x->l->set->retiring))
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION,
		    "close");
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

/*
 * Joins every GLPI-Proxy-ID line, not only the first (chain.h), into
 * *arg, a struct buf whose ceiling is the header size limit: only memory
 * can run out, which *failed says.
 */
struct join {
	struct buf	*chain;
	int		 failed;
};

static enum MHD_Result
join_proxy_ids(void *arg, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	struct join *j = arg;

	(void)kind;
	if (strcasecmp(key, "GLPI-Proxy-ID") != 0 || value == NULL)
		return MHD_YES;
	if (chain_add_line(j->chain, value) != 0) {
		j->failed = 1;
		return MHD_NO;
	}
	return MHD_YES;
}

/*
 * 1 when the body of a request answered from its headers can be read and
 * dropped before the answer: not when the client waits for "100
 * Continue" (it sends no body, and reads the answer at once), nor when it
 * announces more than DRAIN_MAX.
 */
static int
can_drain(struct MHD_Connection *conn)
{
	const char		*v;
	unsigned long long	 len;

	v = header(conn, MHD_HTTP_HEADER_EXPECT);
	if (v != NULL && strcasecmp(v, "100-continue") == 0)
		return 0;
	v = header(conn, MHD_HTTP_HEADER_CONTENT_LENGTH);
	return v == NULL || (sscanf(v, "%llu", &len) == 1 && len <= DRAIN_MAX);
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
 * Refuses requests whose framing two HTTP parsers could read two ways
 * (framing.h).  Returns 1 when the request is answered.
 */
static int
framing_check(struct exchange *x)
{
	const char *why;

	if ((why = framing_refusal(x->conn)) == NULL)
		return 0;
	log_warnx("%s: request framing refused (%s)", x->ip, why);
	response_error(&x->rs, 400, "Bad request");
	return 1;
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
	struct join		 join;
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
	clen = header(x->conn, MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (clen != NULL && sscanf(clen, "%llu", &len) == 1 &&
	    len > (unsigned long long)px->conf->max_body_size) {
		response_error(rs, 413, "Content too large (limit %lld bytes)",
		    px->conf->max_body_size);
		return 1;
	}
	/*
	 * Bodies held in memory while they arrive, per address; a trusted
	 * address (a proxy further down the chain, an injector) sends for
	 * many agents at once.
	 */
	if (has_body(x->conn) && !client_trusted(x) && upload_take(x) != 0) {
		response_error(rs, 429, "Too Many Requests");
		rs->retry_after = 1;
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
	buf_init(&rq->proxy_ids_joined, (size_t)px->conf->max_header_size);
	join.chain = &rq->proxy_ids_joined;
	join.failed = 0;
	MHD_get_connection_values(x->conn, MHD_HEADER_KIND, join_proxy_ids,
	    &join);
	if (join.failed) {
		response_error(rs, 500, "Out of memory");
		return 1;
	}
	rq->proxy_ids = rq->proxy_ids_joined.data;
	rq->user_agent = header(x->conn, MHD_HTTP_HEADER_USER_AGENT);
	MHD_get_connection_values(x->conn, MHD_GET_ARGUMENT_KIND, count_query,
	    rq);
	return 0;
}

static struct exchange *
exchange_new(struct listener *l, struct MHD_Connection *conn,
    const char *url)
{
	const union MHD_ConnectionInfo	*ci;
	struct exchange			*x;

	if ((x = calloc(1, sizeof(*x))) == NULL)
		return NULL;
	clock_gettime(CLOCK_MONOTONIC, &x->start);
	x->l = l;
	x->conn = conn;
	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	x->w = ci != NULL ? ci->socket_context : NULL;
	pthread_mutex_lock(&l->set->gen_lock);
	if (l->set->closed) {
		/* Its daemons are being stopped: no request may start. */
		pthread_mutex_unlock(&l->set->gen_lock);
		free(x);
		return NULL;
	}
	x->gen = l->set->gen;
	generation_hold(x->gen);
	atomic_fetch_add(&l->set->active, 1);
	pthread_mutex_unlock(&l->set->gen_lock);
	metrics_request_begin();
	x->rq.action = "-";
	client_ip(conn, x->ip, sizeof(x->ip));
	log_escape(x->path, sizeof(x->path), url);
	x->rq.ip = x->ip;
	x->rq.trusted = client_trusted(x);
	x->route = route_path(l, x->gen, url, &x->rq.px);
	buf_init(&x->rq.body, x->rq.px != NULL ?
	    (size_t)x->rq.px->conf->max_body_size : 0);
	buf_init(&x->rs.body, 64 * 1024 * 1024);
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
	struct proxy *px = x->rq.px;

	upload_put(x);
	watch_phase(x->l->set, x->w, PH_BUSY);
	if (x->too_big) {
		response_error(&x->rs, 413, "Content too large (limit %lld "
		    "bytes)", px->conf->max_body_size);
		return send_response(x);
	}
	/*
	 * A request counts against max_proxy_threads from here, where the
	 * work starts: a client slow to send its body holds no slot.
	 */
	if (atomic_fetch_add(&px->inflight, 1) >= px->conf->max_proxy_threads) {
		atomic_fetch_sub(&px->inflight, 1);
		if (!x->rq.rate_deferred ||
		    proxy_rate_deferred(&x->rq, &x->rs, NULL) == 0) {
			response_error(&x->rs, 429, "Too Many Requests");
			x->rs.retry_after = 1;
		}
		return send_response(x);
	}
	x->counted = 1;
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
		/* Framing unknown: answer at once, and close. */
		if (framing_check(x))
			return send_response(x);
		if (!early_checks(x, method)) {
			if (has_body(conn))
				watch_phase(l->set, x->w, PH_BODY);
			return MHD_YES;
		}
		/* Answered from the headers: a deferred rate counts now. */
		if (x->rq.rate_deferred)
			proxy_rate_deferred(&x->rq, &x->rs, NULL);
		/*
		 * With a body coming, read and drop it first (bounded by
		 * DRAIN_MAX and the deadlines of the request), then answer:
		 * the connection stays usable and the client reads the
		 * answer.  A body too large to drain is answered at once
		 * and the connection closed.  Without a body, answer on the
		 * next call, which keeps the connection alive.
		 */
		if (has_body(conn)) {
			if (!can_drain(conn))
				return send_response(x);
			x->state = ST_DRAIN;
			watch_phase(l->set, x->w, PH_BODY);
			return MHD_YES;
		}
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
		/* Its time is bounded by the sweep, its length here. */
		if (x->too_big && x->bytes_in - (size_t)x->rq.px->conf->
		    max_body_size > DRAIN_MAX) {
			log_warnx("%s: body over max_body_size by more than %d "
			    "bytes, connection closed", x->ip, DRAIN_MAX);
			return MHD_NO;
		}
		return MHD_YES;
	case ST_DRAIN:
		if (*upload_size == 0)
			return send_response(x);
		x->bytes_in += *upload_size;
		*upload_size = 0;
		if (x->bytes_in > DRAIN_MAX) {
			log_warnx("%s: body after an early answer over %d "
			    "bytes, connection closed", x->ip, DRAIN_MAX);
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
	metrics_request_end(px != NULL ? px->conf->name : NULL, x->route ==
	    ROUTE_APIVERSION ? "apiversion" : x->rq.action, x->state ==
	    ST_SENT ? x->rs.status : 0, x->bytes_in, x->state == ST_SENT ?
	    x->rs.body.len : 0, elapsed_ms(&x->start) / 1e3);
	metrics_answer(x->rq.deviceid, x->ip, x->rq.action, x->state ==
	    ST_SENT ? x->rs.status : 0, x->rs.body.data, x->rs.body.len);
	if (x->counted)
		atomic_fetch_sub(&px->inflight, 1);
	upload_put(x);
	/* The connection waits for its next request, if it stays open. */
	watch_phase(x->l->set, x->w, PH_IDLE);
	generation_release(x->gen);
	atomic_fetch_sub(&x->l->set->active, 1);
	buf_free(&x->rq.body);
	buf_free(&x->rq.proxy_ids_joined);
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

#define DAEMON_FLAGS	(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | \
	MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ITC | MHD_USE_ERROR_LOG)

/*
 * One MHD daemon for l on the address ss, or on the listening socket fd
 * handed over by another daemon, with the listener's limits.
 * One thread does all the network work: with the thread pools of
 * libmicrohttpd 0.9.75 (Debian 12), a connection opened while another one
 * was could wait seconds before being read; one thread never showed that.
 * The pipeline runs in the listener's own workers (process()).
 */
static struct MHD_Daemon *
start_daemon(struct listener *l, unsigned int flags,
    struct sockaddr_storage *ss, MHD_socket fd)
{
	const struct ssl_conf	*ssl = &l->set->gen->conf.ssl;
	struct MHD_OptionItem	 o[16];
	int			 n = 0;

#define OPT(opt, v, p)	o[n++] = (struct MHD_OptionItem){ (opt), (v), (p) }
	OPT(MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)on_mhd_log, NULL);
	if (fd != MHD_INVALID_SOCKET)
		OPT(MHD_OPTION_LISTEN_SOCKET, fd, NULL);
	else
		OPT(MHD_OPTION_SOCK_ADDR, 0, ss);
	OPT(MHD_OPTION_CONNECTION_LIMIT, l->max_connections, NULL);
	OPT(MHD_OPTION_PER_IP_CONNECTION_LIMIT, l->max_connections_per_ip,
	    NULL);
	OPT(MHD_OPTION_CONNECTION_TIMEOUT, l->request_timeout, NULL);
	OPT(MHD_OPTION_CONNECTION_MEMORY_LIMIT, l->max_header_size, NULL);
	OPT(MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024, NULL);
	OPT(MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, NULL);
	OPT(MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)on_connection, l);
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
 * Why libmicrohttpd could not listen on ss (it does not tell): a bind of
 * our own.  Returns 0 when that bind works, else ERR_SYSTEM with errno.
 */
static int
bind_try(const struct sockaddr_storage *ss)
{
	socklen_t	len = ss->ss_family == AF_INET6 ?
	    sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
	int		fd, one = 1, r = 0, e;

	if ((fd = socket(ss->ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return ERR_SYSTEM;
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)ss, len) == -1 ||
	    listen(fd, 1) == -1)
		r = ERR_SYSTEM;
	e = errno;
	close(fd);
	errno = e;
	return r;
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

	flags = DAEMON_FLAGS;
	memset(&ss, 0, sizeof(ss));
	if (a->httpd_ip[0] == '\0') {
		s6->sin6_family = AF_INET6;
		s6->sin6_addr = in6addr_any;
		s6->sin6_port = htons((uint16_t)l->port);
		l->daemon = start_daemon(l, flags | MHD_USE_DUAL_STACK, &ss,
		    MHD_INVALID_SOCKET);
		if (l->daemon == NULL) {
			/* No IPv6 on this host: listen on IPv4 only. */
			memset(&ss, 0, sizeof(ss));
			s4->sin_family = AF_INET;
			s4->sin_port = htons((uint16_t)l->port);
			l->daemon = start_daemon(l, flags, &ss,
			    MHD_INVALID_SOCKET);
		}
	} else if (inet_pton(AF_INET, a->httpd_ip, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)l->port);
		l->daemon = start_daemon(l, flags, &ss, MHD_INVALID_SOCKET);
	} else if (inet_pton(AF_INET6, a->httpd_ip, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)l->port);
		l->daemon = start_daemon(l, flags | MHD_USE_IPv6, &ss,
		    MHD_INVALID_SOCKET);
	} else {
		log_warnx("httpd-ip \"%s\" is not an IPv4 or IPv6 address",
		    a->httpd_ip);
		return ERR_INVALID;
	}
	if (l->daemon == NULL) {
		log_listen_error(a->httpd_ip[0] ? a->httpd_ip : "*", l->port,
		    bind_try(&ss) == 0 ? 0 : errno);
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

/* The listeners gen needs, one per port; nothing started. */
static struct listener_set *
set_new(struct generation *gen)
{
	const struct instance_conf	*ic;
	struct listener_set		*set;
	struct listener			*l;
	pthread_condattr_t		 ca;
	int				 i, j;

	if ((set = calloc(1, sizeof(*set))) == NULL)
		return NULL;
	if (siphash_key_random(&set->hkey) != 0) {
		free(set);
		return NULL;
	}
	pthread_mutex_init(&set->gen_lock, NULL);
	pthread_mutex_init(&set->lock, NULL);
	/*
	 * The sweeper's deadlines are on the monotonic clock: a condition
	 * variable on the default (real-time) clock would take them for
	 * long past, and the sweeper would spin.
	 */
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&set->wake, &ca);
	pthread_condattr_destroy(&ca);
	set->gen = gen;
	generation_hold(gen);
	atomic_init(&set->active, 0);
	atomic_init(&set->retiring, 0);
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
		l->max_uploads_per_ip = ic->max_uploads_per_ip;
		l->min_data_rate = ic->min_data_rate;
	}
	return set;
}

static void
sweeper_stop(struct listener_set *set)
{
	if (!set->sweeping)
		return;
	pthread_mutex_lock(&set->lock);
	set->stopping = 1;
	pthread_cond_signal(&set->wake);
	pthread_mutex_unlock(&set->lock);
	pthread_join(set->sweeper, NULL);
	set->sweeping = 0;
}

/* Frees a set whose daemons have stopped (their connections are closed). */
static void
set_free(struct listener_set *set)
{
	struct upload_count	*u;
	struct watch		*w;
	int			 i;

	while ((w = set->watches) != NULL) {
		set->watches = w->next;
		free(w);
	}
	for (i = 0; i < UPLOAD_BUCKETS; i++)
		while ((u = set->uploads[i]) != NULL) {
			set->uploads[i] = u->next;
			free(u);
		}
	generation_release(set->gen);
	pthread_cond_destroy(&set->wake);
	pthread_mutex_destroy(&set->lock);
	pthread_mutex_destroy(&set->gen_lock);
	free(set);
}

/*
 * Stops and frees a set that serves no request and takes none (closed):
 * no connection of its daemons is suspended, which would make
 * libmicrohttpd abort.
 */
static void
set_destroy(struct listener_set *set)
{
	struct listener	*l;
	int		 i, j;

	sweeper_stop(set);
	for (i = 0; i < set->nlisteners; i++) {
		l = &set->listeners[i];
		for (j = 0; j < l->nquiesced; j++)
			MHD_stop_daemon(l->quiesced[j]);
		if (l->daemon != NULL)
			MHD_stop_daemon(l->daemon);
		if (l->shut && l->shut_fd != MHD_INVALID_SOCKET)
			close(l->shut_fd);
		if (l->work != NULL)
			workq_stop(l->work);
	}
	set_free(set);
}

/*
 * Closes set to new requests when none is in progress; 1 when closed.
 * Under gen_lock, where requests start, so none can start in between.
 */
static int
set_close_if_idle(struct listener_set *set)
{
	int idle;

	pthread_mutex_lock(&set->gen_lock);
	idle = set->closed || atomic_load(&set->active) == 0;
	if (idle)
		set->closed = 1;
	pthread_mutex_unlock(&set->gen_lock);
	return idle;
}

/*
 * Stops every daemon of set from accepting and frees their ports at once:
 * the sockets are shut down, and closed only by set_destroy() once the
 * daemons' threads are done with them (they may still take them out of
 * their epoll sets; closed before, the number could be another file's).
 */
static void
set_quiesce(struct listener_set *set)
{
	struct listener	*l;
	int		 i;

	for (i = 0; i < set->nlisteners; i++) {
		l = &set->listeners[i];
		if (l->daemon == NULL || l->shut)
			continue;
		l->shut = 1;
		l->shut_fd = MHD_quiesce_daemon(l->daemon);
		if (l->shut_fd != MHD_INVALID_SOCKET)
			(void)shutdown(l->shut_fd, SHUT_RDWR);
	}
}

/*
 * Sets being replaced, finishing their requests in the background (each
 * with its thread, retirer()); under retire_lock.  server_stop() waits for
 * them.
 */
static pthread_mutex_t		 retire_lock = PTHREAD_MUTEX_INITIALIZER;
static struct listener_set	*retired;
static int			 nretired;
/* Set by server_stop(): retired sets wait for no idle connection. */
static atomic_int		 retire_now;

static int
retired_count(void)
{
	int n;

	pthread_mutex_lock(&retire_lock);
	n = nretired;
	pthread_mutex_unlock(&retire_lock);
	return n;
}

static void *
retirer(void *arg)
{
	struct listener_set	*set = arg, **pp;
	long long		 linger = 0;
	int			 i;

	/*
	 * Kept-alive connections idle in the old listeners are left to end
	 * (they were told to close with their last answer, or time out
	 * after request_timeout), rather than closed under a client that
	 * may be sending its next request.
	 */
	for (i = 0; i < set->nlisteners; i++)
		if (set->listeners[i].request_timeout * 10 + 10 > linger)
			linger = set->listeners[i].request_timeout * 10 + 10;
	for (; linger > 0 && !atomic_load(&retire_now); linger--) {
		pthread_mutex_lock(&set->lock);
		i = set->watches == NULL;
		pthread_mutex_unlock(&set->lock);
		if (i)
			break;
		usleep(100000);
	}
	while (!set_close_if_idle(set))
		usleep(100000);
	pthread_mutex_lock(&retire_lock);
	for (pp = &retired; *pp != NULL; pp = &(*pp)->next_retired)
		if (*pp == set) {
			*pp = set->next_retired;
			break;
		}
	pthread_mutex_unlock(&retire_lock);
	set_destroy(set);
	/* Counted until freed: server_stop() waits for it. */
	pthread_mutex_lock(&retire_lock);
	nretired--;
	pthread_mutex_unlock(&retire_lock);
	return NULL;
}

/*
 * Takes set out of service without waiting: it stops accepting (sockets
 * not handed over are closed at once, freeing their ports), its answers
 * ask clients to reconnect, and a thread of its own stops and frees it
 * once its requests are done.
 */
static void
set_retire(struct listener_set *set)
{
	pthread_attr_t	attr;
	pthread_t	t;
	int		started;

	atomic_store(&set->retiring, 1);
	set_quiesce(set);
	pthread_mutex_lock(&retire_lock);
	set->next_retired = retired;
	retired = set;
	nretired++;
	pthread_mutex_unlock(&retire_lock);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	started = pthread_create(&t, &attr, retirer, set) == 0;
	pthread_attr_destroy(&attr);
	if (!started) {
		log_warnx("no thread to retire the old listeners: waiting for "
		    "their requests");
		(void)retirer(set);
	}
}

/* The listener of set on port, or NULL. */
static struct listener *
listener_on(struct listener_set *set, long long port)
{
	int i;

	for (i = 0; set != NULL && i < set->nlisteners; i++)
		if (set->listeners[i].port == port &&
		    set->listeners[i].daemon != NULL && !set->listeners[i].shut)
			return &set->listeners[i];
	return NULL;
}

/*
 * Moves the listening socket of from's daemon to a new daemon of to:
 * from's daemon stops accepting and finishes its connections; the
 * kernel's queue of connections not yet accepted is kept, so no client
 * is refused or reset.  When to cannot start, from gets a daemon of its
 * own settings on the socket again.
 */
static int
listener_take(struct listener *to, struct listener *from)
{
	MHD_socket	fd;

	if (from->nquiesced == MAX_QUIESCED)
		return ERR_SYSTEM;
	if ((fd = MHD_quiesce_daemon(from->daemon)) == MHD_INVALID_SOCKET)
		return ERR_SYSTEM;
	from->quiesced[from->nquiesced++] = from->daemon;
	if ((to->daemon = start_daemon(to, DAEMON_FLAGS, NULL, fd)) != NULL) {
		from->daemon = NULL;
		return 0;
	}
	if ((from->daemon = start_daemon(from, DAEMON_FLAGS, NULL, fd)) ==
	    NULL) {
		close(fd);
		log_errx("port %lld: the listening socket is lost", from->port);
	}
	return ERR_SYSTEM;
}

/*
 * Starts the sweep and the listeners of set: those on a port that from
 * (may be NULL) listens on take its socket over, the others bind.
 * Binding goes first, so that a port that cannot be bound leaves from
 * as it was.  On failure every socket taken is given back; the caller
 * retires set.
 */
static int
set_start(struct listener_set *set, struct listener_set *from)
{
	const struct agent_conf	*a = &set->gen->conf.agent;
	struct listener		*l, *old[CONF_NINSTANCES];
	int			 i, r;

	if (pthread_create(&set->sweeper, NULL, sweeper, set) != 0)
		return ERR_SYSTEM;
	set->sweeping = 1;
	for (i = 0; i < set->nlisteners; i++) {
		l = &set->listeners[i];
		old[i] = listener_on(from, l->port);
		if ((l->work = workq_start((int)l->workers)) == NULL) {
			log_warnx("cannot start %lld worker threads",
			    l->workers);
			return ERR_SYSTEM;
		}
		if (old[i] == NULL && (r = start_listener(l, a)) != 0)
			return r;
	}
	for (i = 0; i < set->nlisteners; i++) {
		l = &set->listeners[i];
		if (old[i] == NULL)
			continue;
		if ((r = listener_take(l, old[i])) != 0) {
			log_errx("cannot listen on port %lld with the new "
			    "settings", l->port);
			while (i-- > 0)
				if (old[i] != NULL)
					(void)listener_take(old[i],
					    &set->listeners[i]);
			return r;
		}
		log_info("listening on %s port %lld%s, socket kept",
		    a->httpd_ip[0] ? a->httpd_ip : "*", l->port,
		    l->tls ? " (TLS)" : "");
	}
	return 0;
}

int
server_start(struct server *s, struct generation *gen)
{
	struct listener_set	*set;
	int			 r;

	if ((set = set_new(gen)) == NULL)
		return ERR_NOMEM;
	tls_use(gen->conf.ssl.creds);
	if ((r = set_start(set, NULL)) != 0) {
		set_retire(set);
		return r;
	}
	s->set = set;
	return 0;
}

int
server_restart(struct server *s, struct generation *gen)
{
	struct listener_set	*old = s->set, *set;
	struct generation	*prev;
	int			 r;

	if (old == NULL)
		return server_start(s, gen);
	if (strcmp(old->gen->conf.agent.httpd_ip,
	    gen->conf.agent.httpd_ip) == 0) {
		if ((set = set_new(gen)) == NULL)
			return ERR_NOMEM;
		tls_use(gen->conf.ssl.creds);
		if ((r = set_start(set, old)) != 0) {
			tls_use(old->gen->conf.ssl.creds);
			set_retire(set);
			return r;
		}
		s->set = set;
		set_retire(old);
		return 0;
	}
	/* Another address: the old sockets may hold its ports; close first. */
	prev = old->gen;
	generation_hold(prev);
	s->set = NULL;
	set_retire(old);
	if ((r = server_start(s, gen)) != 0 && server_start(s, prev) != 0)
		s->set = NULL;
	generation_release(prev);
	return r;
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

/*
 * Waits up to seconds for set (may be NULL) to be idle, then closes it,
 * and for every retired set to be gone.
 */
static int
wait_idle(struct listener_set *set, int seconds)
{
	int waited;

	for (waited = 0; waited <= seconds * 10; waited++) {
		if ((set == NULL || set_close_if_idle(set)) &&
		    retired_count() == 0)
			return 1;
		if (waited < seconds * 10)
			usleep(100000);
	}
	return 0;
}

int
server_stop(struct server *s, int grace, void (*cancel)(void *), void *arg)
{
	struct listener_set	*set = s->set;

	s->set = NULL;
	atomic_store(&retire_now, 1);
	if (set != NULL) {
		atomic_store(&set->retiring, 1);
		set_quiesce(set);
	}
	/* Let requests being received or forwarded finish... */
	if (!wait_idle(set, grace) && cancel != NULL) {
		/* ...then make the forwards they wait for give up. */
		log_warnx("requests still in progress after %ds, cancelling "
		    "their forwards", grace);
		cancel(arg);
		if (wait_idle(set, 10))
			goto done;
	} else
		goto done;
	/*
	 * Their retirer threads stop and free the sets if they ever end; the
	 * ports are free already.
	 */
	log_warnx("%d request(s) still in progress are left to finish",
	    set != NULL ? atomic_load(&set->active) : 0);
	if (set != NULL && !set->closed)
		set_retire(set);
	else if (set != NULL)
		set_destroy(set);
	return ERR_TIMEOUT;
done:
	if (set != NULL)
		set_destroy(set);
	return 0;
}

int
server_workers(const struct instance_conf *ic)
{
	return ic->workers > 0 ? (int)ic->workers : auto_workers();
}
