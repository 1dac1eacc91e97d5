/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "proxy/metrics.h"

typedef _Atomic uint64_t counter;

struct shard_histogram {
	counter	buckets[MB_COUNT + 1];
	counter	count;
	counter	sum_ns;
};

/* What one thread counts; it alone writes here. */
struct shard {
	struct shard		*next;		/* every shard; lock */
	struct shard		*next_free;	/* under lock */
	counter			 requests[MI_COUNT][MA_COUNT][MS_COUNT];
	counter			 bytes_in, bytes_out;
	counter			 begun, ended;
	counter			 rate_limited;
	counter			 stored, store_errors;
	counter			 last_stored, last_store_error;
	struct shard_histogram	 duration;
	/* Minute (since the epoch) of each slot, and its count. */
	counter			 minute_of[METRICS_MINUTES];
	counter			 per_minute[METRICS_MINUTES];
	/* The agents seen last; the owner and readers take agents_lock. */
	pthread_mutex_t		 agents_lock;
	struct metrics_agent	 agents[METRICS_AGENTS];
	unsigned		 agents_next;
};

static pthread_mutex_t		 lock = PTHREAD_MUTEX_INITIALIZER;
static struct shard		*shards, *free_shards;
static pthread_once_t		 key_once = PTHREAD_ONCE_INIT;
static pthread_key_t		 key;
static _Thread_local struct shard *mine;

static const int		 statuses[] = METRICS_STATUSES;
static const double		 bounds[] = METRICS_BUCKETS;
static const char *const	 instance_names[MI_COUNT] = {
	"proxy", "proxy2", "-"
};
static const char *const	 action_names[MA_COUNT] = {
	"-", "apiversion", "prolog", "contact", "inventory", "poll", "other"
};

_Static_assert(sizeof(statuses) / sizeof(statuses[0]) == MS_COUNT - 1,
    "MS_COUNT is the statuses and other");
_Static_assert(sizeof(bounds) / sizeof(bounds[0]) == MB_COUNT,
    "MB_COUNT is the bucket bounds");

/* Upstreams and deliveries per minute, under up_lock. */
static pthread_mutex_t		 up_lock = PTHREAD_MUTEX_INITIALIZER;
static struct metrics_upstream	 upstreams[METRICS_UPSTREAMS + 1];
static int			 nupstreams;
static counter			 dminute_of[METRICS_MINUTES];
static counter			 dper_minute[METRICS_MINUTES];

/* The last failures, a ring under failures_lock. */
static pthread_mutex_t	 failures_lock = PTHREAD_MUTEX_INITIALIZER;
static struct metrics_failure	 failures[METRICS_FAILURES];
static unsigned			 failures_next;

/* The single writer's increment: no locked instruction. */
static inline void
bump(counter *c, uint64_t n)
{
	atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed)
	    + n, memory_order_relaxed);
}

static inline uint64_t
get(counter *c)
{
	return atomic_load_explicit(c, memory_order_relaxed);
}

/* A thread ends: its shard, counts kept, waits for the next thread. */
static void
shard_release(void *arg)
{
	struct shard *s = arg;

	pthread_mutex_lock(&lock);
	s->next_free = free_shards;
	free_shards = s;
	pthread_mutex_unlock(&lock);
}

static void
key_init(void)
{
	if (pthread_key_create(&key, shard_release) != 0)
		fatalx("pthread_key_create");
}

static struct shard *
shard(void)
{
	struct shard *s;

	if (mine != NULL)
		return mine;
	pthread_once(&key_once, key_init);
	pthread_mutex_lock(&lock);
	if ((s = free_shards) != NULL)
		free_shards = s->next_free;
	else {
		if ((s = calloc(1, sizeof(*s))) == NULL)
			fatal("calloc");
		pthread_mutex_init(&s->agents_lock, NULL);
		s->next = shards;
		shards = s;
	}
	pthread_mutex_unlock(&lock);
	if (pthread_setspecific(key, s) != 0)
		fatalx("pthread_setspecific");
	mine = s;
	return s;
}

const char *
metrics_instance_name(int i)
{
	return instance_names[i];
}

const char *
metrics_action_name(int a)
{
	return action_names[a];
}

void
metrics_status_name(int s, char out[8])
{
	if (s == MS_COUNT - 1)
		memcpy(out, "other", 6);
	else
		snprintf(out, 8, "%d", statuses[s]);
}

int
metrics_status_code(int s)
{
	return s == MS_COUNT - 1 ? -1 : statuses[s];
}

double
metrics_bucket_bound(int b)
{
	return bounds[b];
}

int
metrics_instance_of(const char *name)
{
	if (name == NULL)
		return MI_NONE;
	if (strcmp(name, "proxy") == 0)
		return MI_PROXY;
	if (strcmp(name, "proxy2") == 0)
		return MI_PROXY2;
	return MI_NONE;
}

int
metrics_action_of(const char *action)
{
	int a;

	if (action == NULL)
		return MA_NONE;
	for (a = 0; a < MA_COUNT; a++)
		if (strcmp(action, action_names[a]) == 0)
			return a;
	return MA_OTHER;
}

int
metrics_status_of(int status)
{
	int s;

	for (s = 0; s < MS_COUNT - 1; s++)
		if (statuses[s] == status)
			return s;
	return MS_COUNT - 1;
}

uint64_t
metrics_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * Counts one in the slot of the current minute, which starts from 0 when
 * it last held an older minute.  Single writer (a shard), or under a lock.
 */
static void
minute_add(counter *minute_of, counter *per_minute)
{
	uint64_t	m = (uint64_t)time(NULL) / 60;
	unsigned	i = (unsigned)(m % METRICS_MINUTES);

	if (get(&minute_of[i]) != m) {
		atomic_store_explicit(&per_minute[i], 0, memory_order_relaxed);
		atomic_store_explicit(&minute_of[i], m, memory_order_relaxed);
	}
	bump(&per_minute[i], 1);
}

/* Adds the slots of the last hour into out ([0]: this minute). */
static void
minutes_sum(counter *minute_of, counter *per_minute, uint64_t *out)
{
	uint64_t	m = (uint64_t)time(NULL) / 60, slot;
	int		i;

	for (i = 0; i < METRICS_MINUTES; i++) {
		slot = get(&minute_of[i]);
		if (slot <= m && m - slot < METRICS_MINUTES)
			out[m - slot] += get(&per_minute[i]);
	}
}

static int
bucket_of(double seconds)
{
	int b;

	for (b = 0; b < MB_COUNT; b++)
		if (seconds <= bounds[b])
			break;
	return b;
}

void
metrics_request_begin(void)
{
	bump(&shard()->begun, 1);
}

void
metrics_request_end(const char *instance, const char *action, int status,
    uint64_t in, uint64_t out, double seconds)
{
	struct shard *s = shard();

	if (seconds < 0)
		seconds = 0;
	bump(&s->requests[metrics_instance_of(instance)]
	    [metrics_action_of(action)][metrics_status_of(status)], 1);
	bump(&s->bytes_in, in);
	bump(&s->bytes_out, out);
	bump(&s->duration.buckets[bucket_of(seconds)], 1);
	bump(&s->duration.count, 1);
	bump(&s->duration.sum_ns, (uint64_t)(seconds * 1e9));
	minute_add(s->minute_of, s->per_minute);
	bump(&s->ended, 1);
}

void
metrics_agent_seen(const char *deviceid, const char *ip, const char *action,
    int status)
{
	struct shard		*s;
	struct metrics_agent	*a;
	struct timespec		 now;

	if (deviceid == NULL || deviceid[0] == '\0')
		return;
	s = shard();
	clock_gettime(CLOCK_REALTIME, &now);
	pthread_mutex_lock(&s->agents_lock);
	a = &s->agents[s->agents_next++ % METRICS_AGENTS];
	a->ns = (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
	a->when = now.tv_sec;
	snprintf(a->deviceid, sizeof(a->deviceid), "%s", deviceid);
	snprintf(a->ip, sizeof(a->ip), "%s", ip != NULL ? ip : "-");
	snprintf(a->action, sizeof(a->action), "%s", action != NULL ?
	    action : "-");
	a->status = status;
	pthread_mutex_unlock(&s->agents_lock);
}

void
metrics_answer(const char *deviceid, const char *ip, const char *action,
    int status, const char *body, size_t len)
{
	char	what[sizeof(((struct metrics_agent *)0)->deviceid) + 64];
	char	reason[sizeof(((struct metrics_failure *)0)->reason)];
	size_t	i;

	metrics_agent_seen(deviceid, ip, action, status);
	if (status != 0 && status < 500)
		return;
	snprintf(what, sizeof(what), "request from %s%s%.100s%s", ip,
	    deviceid[0] != '\0' ? " (" : "", deviceid,
	    deviceid[0] != '\0' ? ")" : "");
	if (status == 0)
		snprintf(reason, sizeof(reason), "no answer sent: the "
		    "connection ended first");
	else {
		/* The first line of the answer, printable. */
		for (i = 0; i < len && i < sizeof(reason) - 16 &&
		    body[i] != '\n'; i++)
			reason[i] = body[i] >= ' ' && body[i] < 127 ? body[i] :
			    '?';
		snprintf(reason + i, sizeof(reason) - i, "%s(%d)",
		    i > 0 ? " " : "", status);
	}
	metrics_failure(what, reason);
}

void
metrics_failure(const char *what, const char *reason)
{
	struct metrics_failure *f;

	pthread_mutex_lock(&failures_lock);
	f = &failures[failures_next++ % METRICS_FAILURES];
	f->when = time(NULL);
	snprintf(f->what, sizeof(f->what), "%s", what);
	snprintf(f->reason, sizeof(f->reason), "%s", reason);
	pthread_mutex_unlock(&failures_lock);
}

void
metrics_rate_limited(void)
{
	bump(&shard()->rate_limited, 1);
}

void
metrics_store(int r)
{
	struct shard	*s;
	int		 saved = errno;	/* the caller reports it */

	s = shard();
	if (r == 0) {
		bump(&s->stored, 1);
		atomic_store_explicit(&s->last_stored, (uint64_t)time(NULL),
		    memory_order_relaxed);
	} else {
		bump(&s->store_errors, 1);
		atomic_store_explicit(&s->last_store_error,
		    (uint64_t)time(NULL), memory_order_relaxed);
	}
	errno = saved;
}

/*
 * The label of an upstream URL: without its user and password (a URL
 * may carry them, and the metrics are not secret).
 */
static void
mask_url(const char *url, char *out, size_t outlen)
{
	const char	*host = strstr(url, "://"), *at, *end;

	if (host == NULL) {
		snprintf(out, outlen, "%s", url);
		return;
	}
	host += 3;
	end = host + strcspn(host, "/?#");
	at = memchr(host, '@', (size_t)(end - host));
	if (at == NULL)
		snprintf(out, outlen, "%s", url);
	else
		snprintf(out, outlen, "%.*s%s", (int)(host - url), url, at + 1);
}

void
metrics_delivery(const char *url, int ok, uint64_t start, const char *why)
{
	struct metrics_upstream	*u = NULL;
	char			 label[sizeof(u->url)];
	double			 seconds;
	int			 i;

	seconds = (double)(metrics_now() - start) / 1e9;
	mask_url(url, label, sizeof(label));
	pthread_mutex_lock(&up_lock);
	for (i = 0; i < nupstreams; i++)
		if (strcmp(upstreams[i].url, label) == 0) {
			u = &upstreams[i];
			break;
		}
	if (u == NULL && nupstreams < METRICS_UPSTREAMS) {
		u = &upstreams[nupstreams++];
		memcpy(u->url, label, sizeof(u->url));
	} else if (u == NULL) {
		/* Past the table: the series stay bounded. */
		u = &upstreams[METRICS_UPSTREAMS];
		snprintf(u->url, sizeof(u->url), "other");
	}
	if (ok)
		u->ok++;
	else
		u->failed++;
	u->up = ok != 0;
	u->duration.buckets[bucket_of(seconds)]++;
	u->duration.count++;
	u->duration.sum += seconds;
	minute_add(dminute_of, dper_minute);
	if (!ok) {
		snprintf(u->last_error, sizeof(u->last_error), "%s",
		    why != NULL ? why : "");
		u->last_error_time = time(NULL);
	}
	pthread_mutex_unlock(&up_lock);
	if (!ok) {
		char what[sizeof(label) + 16];

		snprintf(what, sizeof(what), "delivery to %s", label);
		metrics_failure(what, why != NULL ? why : "");
	}
}

static void
add_histogram(struct metrics_histogram *to, struct shard_histogram *from)
{
	int b;

	for (b = 0; b <= MB_COUNT; b++)
		to->buckets[b] += get(&from->buckets[b]);
	to->count += get(&from->count);
	to->sum += (double)get(&from->sum_ns) / 1e9;
}

static void
latest(time_t *t, counter *c)
{
	time_t v = (time_t)get(c);

	if (v > *t)
		*t = v;
}

void
metrics_read(struct metrics_snapshot *out)
{
	struct shard	*s;
	int		 i, a, st;

	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&lock);
	for (s = shards; s != NULL; s = s->next) {
		for (i = 0; i < MI_COUNT; i++)
			for (a = 0; a < MA_COUNT; a++)
				for (st = 0; st < MS_COUNT; st++)
					out->requests[i][a][st] +=
					    get(&s->requests[i][a][st]);
		out->bytes_in += get(&s->bytes_in);
		out->bytes_out += get(&s->bytes_out);
		out->inflight += (int64_t)(get(&s->begun) - get(&s->ended));
		out->rate_limited += get(&s->rate_limited);
		out->stored += get(&s->stored);
		out->store_errors += get(&s->store_errors);
		latest(&out->last_stored, &s->last_stored);
		latest(&out->last_store_error, &s->last_store_error);
		add_histogram(&out->duration, &s->duration);
		minutes_sum(s->minute_of, s->per_minute,
		    out->requests_per_minute);
	}
	pthread_mutex_unlock(&lock);
	/* Begun on one thread, ended on another: the sum is what counts. */
	if (out->inflight < 0)
		out->inflight = 0;
	pthread_mutex_lock(&up_lock);
	memcpy(out->up, upstreams, sizeof(out->up));
	minutes_sum(dminute_of, dper_minute,
	    out->deliveries_per_minute);
	pthread_mutex_unlock(&up_lock);
}

static int
newer_first(const void *a, const void *b)
{
	const struct metrics_agent *x = a, *y = b;

	return x->ns < y->ns ? 1 : x->ns > y->ns ? -1 : 0;
}

void
metrics_recent(struct metrics_agent *agents, int *nagents,
    struct metrics_failure *out, int *nfailures)
{
	struct metrics_agent	*all = NULL;
	struct shard		*s;
	size_t			 n = 0, cap = 0;
	unsigned		 i, k;

	*nagents = *nfailures = 0;
	pthread_mutex_lock(&lock);
	for (s = shards; s != NULL; s = s->next)
		cap += METRICS_AGENTS;
	if ((all = calloc(cap > 0 ? cap : 1, sizeof(*all))) == NULL) {
		pthread_mutex_unlock(&lock);
		return;
	}
	for (s = shards; s != NULL && n < cap; s = s->next) {
		pthread_mutex_lock(&s->agents_lock);
		for (i = 0; i < METRICS_AGENTS; i++)
			if (s->agents[i].ns != 0)
				all[n++] = s->agents[i];
		pthread_mutex_unlock(&s->agents_lock);
	}
	pthread_mutex_unlock(&lock);
	qsort(all, n, sizeof(*all), newer_first);
	*nagents = n < METRICS_AGENTS ? (int)n : METRICS_AGENTS;
	memcpy(agents, all, (size_t)*nagents * sizeof(*all));
	free(all);
	pthread_mutex_lock(&failures_lock);
	for (k = 0; k < METRICS_FAILURES && k < failures_next; k++)
		out[(*nfailures)++] = failures[(failures_next - 1 - k) %
		    METRICS_FAILURES];
	pthread_mutex_unlock(&failures_lock);
}
