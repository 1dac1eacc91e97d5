/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The counters of `passeur serve`, for the admin listener.
 *
 * Counting must cost the data path nothing measurable: every thread that
 * counts owns a shard (found through a thread-local pointer) and is its
 * only writer, with relaxed atomic loads and stores, so the request path
 * takes no lock and shares no cache line.  A reader (metrics_read())
 * sums the shards.  A shard outlives its thread: when a thread ends, its
 * shard goes back to a free list and the next new thread takes it over,
 * counts included, so totals never go down and memory is bounded by the
 * most threads alive at once.  Taking a shard (once per thread) locks a
 * mutex; nothing else does on the request path.
 *
 * Deliveries to upstream servers are counted under a mutex, per URL:
 * each takes a network exchange, beside which the lock costs nothing.
 * So are failures (rare by nature).  The agents seen last are kept in
 * each shard under the shard's own mutex, which only a reader of the
 * status page contends, never another request.
 *
 * Everything here is process-wide and lives until exit; any thread.
 */
#ifndef PASSEUR_PROXY_METRICS_H
#define PASSEUR_PROXY_METRICS_H

#include <stdint.h>
#include <time.h>

/* The request labels: fixed sets, so the series are bounded. */
enum metrics_instance { MI_PROXY, MI_PROXY2, MI_NONE, MI_COUNT };
enum metrics_action {
	MA_NONE, MA_APIVERSION, MA_PROLOG, MA_CONTACT, MA_INVENTORY, MA_POLL,
	MA_OTHER, MA_COUNT
};
/* HTTP statuses seen by a proxy; any other one counts as "other". */
#define METRICS_STATUSES	{ 0, 200, 202, 400, 403, 404, 405, 408, 411, \
	413, 415, 429, 431, 500, 502, 503, 504 }
#define MS_COUNT		18	/* the above and "other" */

/* Upper bounds (seconds) of the duration histograms; +Inf is implied. */
#define METRICS_BUCKETS	{ 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, \
	2.5, 5, 10, 30, 60 }
#define MB_COUNT		13

/* Distinct upstream URLs counted; more are counted as "other". */
#define METRICS_UPSTREAMS	16
/* Per-minute counts kept, and the recent lists of the status page. */
#define METRICS_MINUTES		60
#define METRICS_AGENTS		50
#define METRICS_FAILURES	20

struct metrics_histogram {
	/* Not cumulative; the last is over the last bound (+Inf). */
	uint64_t	buckets[MB_COUNT + 1];
	uint64_t	count;
	double		sum;			/* seconds */
};

struct metrics_upstream {
	char				url[256];	/* no credentials */
	uint64_t			ok, failed;
	int				up;	/* last delivery worked */
	struct metrics_histogram	duration;
	char				last_error[256];	/* or "" */
	time_t				last_error_time;
};

/* A request that named its device. */
struct metrics_agent {
	uint64_t	ns;		/* CLOCK_REALTIME, orders the list */
	time_t		when;
	char		deviceid[128];
	char		ip[46];
	char		action[16];
	int		status;
};

/* Something that failed: an answer 5xx, a delivery, a store. */
struct metrics_failure {
	time_t		when;
	char		what[96];
	char		reason[256];
};

/* A sum of every shard at one moment (counters are each consistent). */
struct metrics_snapshot {
	uint64_t			requests[MI_COUNT][MA_COUNT][MS_COUNT];
	uint64_t			bytes_in, bytes_out;
	int64_t				inflight;
	uint64_t			rate_limited;
	uint64_t			stored, store_errors;
	struct metrics_histogram	duration;
	/* Each URL seen, then "other"; an entry with an empty url is unused. */
	struct metrics_upstream		up[METRICS_UPSTREAMS + 1];
	time_t				last_store_error; /* 0: none */
	time_t				last_stored;
	/* [0] is the current minute, [1] the one before... */
	uint64_t			requests_per_minute[METRICS_MINUTES];
	uint64_t			deliveries_per_minute[METRICS_MINUTES];
	/*
	 * The spool's queue, not counted here: the admin listener fills
	 * it from the deliverer (spool 0: forwarding without a spool).
	 */
	int				spool;
	uint64_t			spool_items, spool_bytes;
	double				spool_oldest_age;	/* seconds */
	uint64_t			delivery_retries;
};

/* Names of the labels, for the exposition. */
const char	*metrics_instance_name(int i);
const char	*metrics_action_name(int a);
/* The status of index s as text ("other" for the last). */
void		 metrics_status_name(int s, char out[8]);
/* The status of index s, -1 for "other". */
int		 metrics_status_code(int s);
double		 metrics_bucket_bound(int b);

/* Label indexes of a request's instance name, action and status. */
int	 metrics_instance_of(const char *name);
int	 metrics_action_of(const char *action);
int	 metrics_status_of(int status);

/* A monotonic clock in nanoseconds, for durations. */
uint64_t	 metrics_now(void);

/* A request began (in flight until metrics_request_end()). */
void	 metrics_request_begin(void);
/*
 * A request ended: its instance name (NULL: none routed), action (NULL
 * or "-": none known), status (0: no answer sent), bytes received and
 * sent, and seconds it took.
 */
void	 metrics_request_end(const char *instance, const char *action,
	    int status, uint64_t in, uint64_t out, double seconds);
/*
 * A request that named its device (deviceid not empty): kept among the
 * agents seen last.
 */
void	 metrics_agent_seen(const char *deviceid, const char *ip,
	    const char *action, int status);
/*
 * A request was answered status (0: none sent) with body: its agent is
 * seen (metrics_agent_seen()), and a 5xx or no answer is kept among the
 * last failures with the first line of the answer.
 */
void	 metrics_answer(const char *deviceid, const char *ip,
	    const char *action, int status, const char *body, size_t len);
/*
 * Something failed: what (the request, the server target...) and why;
 * kept among the last failures.
 */
void	 metrics_failure(const char *what, const char *reason);
/* A request refused by the rate limit (maxrate). */
void	 metrics_rate_limited(void);
/*
 * A message kept in local_store (r == 0), or a failed attempt (r < 0).
 * errno is left as it was.
 */
void	 metrics_store(int r);
/*
 * One delivery to upstream url: ok or not (why: the reason), started at
 * start (from metrics_now()).  Sets the upstream's up gauge; a failure
 * is kept among the last ones.
 */
void	 metrics_delivery(const char *url, int ok, uint64_t start,
	    const char *why);

/* Sums every shard into *s. */
void	 metrics_read(struct metrics_snapshot *s);
/*
 * The agents seen last, newest first, into agents (METRICS_AGENTS
 * entries), and the last failures, newest first, into failures
 * (METRICS_FAILURES); returns the counts in *nagents and *nfailures.
 */
void	 metrics_recent(struct metrics_agent *agents, int *nagents,
	    struct metrics_failure *failures, int *nfailures);

#endif
