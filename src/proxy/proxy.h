/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * One proxy instance at run time (proxy or proxy2) and the request and
 * response that flow through its pipeline.
 *
 * The listener (server.c) owns the HTTP side: it fills a struct request,
 * runs the early checks (trust, rate, apiversion, in-flight limit, sizes)
 * and then hands the request to handler_run(), which implements the
 * protocol pipeline without knowing anything of HTTP connections.  When the
 * answer needs an upstream, handler_run() sets response.job and the
 * listener suspends the connection until the forwarder calls back.
 */
#ifndef PASSEUR_PROXY_PROXY_H
#define PASSEUR_PROXY_PROXY_H

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "common/buf.h"
#include "common/fsx.h"
#include "common/uuid.h"
#include "proxy/config.h"

struct contactcache;
struct deliver;
struct forwarder;
struct forward_job;
struct generation;
struct ratelimit;
struct reqcache;

#define TIMING_SAMPLES	30

struct proxy {
	const struct instance_conf	*conf;
	const struct agent_conf		*agent;
	const char			*proxy_id;	/* own UUID */
	struct ratelimit		*rate;
	struct reqcache			*cache;
	int				 owns_cache;
	struct forwarder		*fwd;
	struct deliver			*deliver;	/* NULL: no spool */
	struct contactcache		*contacts;	/* the process's */
	struct generation		*gen;		/* holder of conf */
	atomic_int			 inflight;	/* /glpi requests */

	/* Seconds the last forwards took, for the 202's expiration. */
	pthread_mutex_t			 timing_lock;
	int				 timings[TIMING_SAMPLES];
	int				 ntimings, timing_next;

	/* Rate-limit log throttle: one line per 10 s. */
	pthread_mutex_t			 log_lock;
	time_t				 log_last;
	long				 log_skipped;
};

enum method { METHOD_GET, METHOD_POST, METHOD_OTHER };

struct request {
	struct proxy	*px;
	enum method	 method;
	const char	*ip;
	int		 trusted;	/* ip is in httpd-trust or a server */
	int		 nquery;	/* query arguments */
	const char	*query_action;	/* value of ?action=, or NULL */
	const char	*content_type;
	const char	*agent_id;
	const char	*request_id;	/* NULL unless 8 upper-case hex */
	const char	*proxy_ids;	/* GLPI-Proxy-ID as received */
	const char	*user_agent;
	/*
	 * Set by the listener for a trusted client without GLPI-Agent-ID:
	 * the rate is counted once the device id is known (proxy_rate()).
	 */
	int		 rate_deferred;
	struct buf	 body;		/* raw, then decoded in place */
	/* A compressed body as received, for the spool; freed by the handler. */
	struct buf	 wire;
	/* Every GLPI-Proxy-ID line joined by ',' (proxy_ids points in). */
	struct buf	 proxy_ids_joined;

	/* Filled by the pipeline for the access log. */
	char		 deviceid[256];
	const char	*action;
	/* The file name the message was kept as in local_store, or "". */
	char		 stored[FSX_NAME_MAX + 64];
};

struct response {
	int		 status;
	const char	*content_type;
	struct buf	 body;
	char		 reqid[REQID_STRLEN + 1];	/* GLPI-Request-ID */
	const char	*proxy_id;	/* GLPI-Proxy-ID to send, or NULL */
	long		 retry_after;
	struct forward_job *job;	/* set: answer after forwarding */
};

/*
 * Fills px for one instance.  cache is the request-id cache to use (the
 * caller's, shared across reloads), or NULL for one of its own.
 */
int	 proxy_init(struct proxy *px, const struct instance_conf *conf,
	    const struct agent_conf *agent, const char *proxy_id,
	    struct forwarder *fwd, struct reqcache *cache);
void	 proxy_cleanup(struct proxy *px);
/* Carries the recent forward timings over to a reloaded instance. */
void	 proxy_copy_timings(struct proxy *to, struct proxy *from);
/* Seconds to announce in a pending answer: max of the recent forwards. */
int	 proxy_expected_seconds(struct proxy *px);
void	 proxy_add_timing(struct proxy *px, int seconds);
/*
 * Counts rq in the rate table under key (its address, "agent <id>" or
 * "device <id>").  Over maxrate it answers 429 with Retry-After, logs the
 * limitation (at most one line per 10 seconds) and returns 1; else 0.
 * Any thread.
 */
int	 proxy_rate(struct request *rq, struct response *rs, const char *key);
/*
 * For a request whose rate was deferred (rate_deferred): counts it under
 * "device <deviceid>", or under its address when deviceid is NULL (the
 * request ended before a device id was known).  Returns as proxy_rate().
 */
int	 proxy_rate_deferred(struct request *rq, struct response *rs,
	    const char *deviceid);

/*
 * Notes in job where rq was kept in local_store (rq->stored), for
 * proxy_log_refused().  Out of memory only loses the path.
 */
void	 proxy_job_kept(struct forward_job *job, const struct request *rq);
/*
 * When the failed target of job answered 429 or 503 (overloaded, not the
 * agent's fault), logs where the message was kept, or that it was not.
 * Called by the forward's done callback.
 */
void	 proxy_log_refused(const struct forward_job *job);

/* Sets a plain-text error answer: the body is the message. */
void	 response_error(struct response *rs, int status, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
void	 response_set(struct response *rs, int status, const char *ctype,
	    const char *body, size_t len);

/* The protocol pipeline (steps 5 to 11 of the reference). */
void	 handler_run(struct request *rq, struct response *rs);

#endif
