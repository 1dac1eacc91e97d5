/* SPDX-License-Identifier: GPL-3.0-or-later */
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
	struct shard		*next;		/* every shard, under lock */
	struct shard		*next_free;	/* under lock */
	counter			 requests[MI_COUNT][MA_COUNT][MS_COUNT];
	counter			 bytes_in, bytes_out;
	counter			 begun, ended;
	counter			 rate_limited;
	counter			 stored, store_errors;
	counter			 last_stored, last_store_error;
	struct shard_histogram	 duration;
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

/* Upstreams, under up_lock. */
static pthread_mutex_t		 up_lock = PTHREAD_MUTEX_INITIALIZER;
static struct metrics_upstream	 upstreams[METRICS_UPSTREAMS + 1];
static int			 nupstreams;

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
	bump(&s->ended, 1);
}

void
metrics_rate_limited(void)
{
	bump(&shard()->rate_limited, 1);
}

void
metrics_store(int r)
{
	struct shard *s = shard();

	if (r == 0) {
		bump(&s->stored, 1);
		atomic_store_explicit(&s->last_stored, (uint64_t)time(NULL),
		    memory_order_relaxed);
	} else {
		bump(&s->store_errors, 1);
		atomic_store_explicit(&s->last_store_error,
		    (uint64_t)time(NULL), memory_order_relaxed);
	}
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
metrics_delivery(const char *url, int ok, uint64_t start)
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
	pthread_mutex_unlock(&up_lock);
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
	}
	pthread_mutex_unlock(&lock);
	/* Begun on one thread, ended on another: the sum is what counts. */
	if (out->inflight < 0)
		out->inflight = 0;
	pthread_mutex_lock(&up_lock);
	memcpy(out->up, upstreams, sizeof(out->up));
	pthread_mutex_unlock(&up_lock);
}
