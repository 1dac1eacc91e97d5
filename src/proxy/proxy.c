/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/log.h"
#include "proxy/forward.h"
#include "proxy/metrics.h"
#include "proxy/proxy.h"
#include "proxy/ratelimit.h"
#include "proxy/reqcache.h"

#define DEFAULT_EXPECTED	10	/* seconds before any forward ran */

int
proxy_init(struct proxy *px, const struct instance_conf *conf,
    const struct agent_conf *agent, const char *proxy_id,
    struct forwarder *fwd, struct reqcache *cache)
{
	memset(px, 0, sizeof(*px));
	px->conf = conf;
	px->agent = agent;
	px->proxy_id = proxy_id;
	px->fwd = fwd;
	px->rate = ratelimit_new(conf->maxrate, conf->maxrate_period,
	    (size_t)conf->max_rate_clients);
	px->cache = cache;
	if (cache == NULL) {
		px->cache = reqcache_new((size_t)conf->max_pending_answers,
		    REQCACHE_MAX_BYTES, REQCACHE_TTL,
		    (time_t)conf->answer_ttl);
		px->owns_cache = 1;
	}
	if (px->rate == NULL || px->cache == NULL) {
		proxy_cleanup(px);
		return ERR_NOMEM;
	}
	atomic_init(&px->inflight, 0);
	pthread_mutex_init(&px->timing_lock, NULL);
	pthread_mutex_init(&px->log_lock, NULL);
	return 0;
}

void
proxy_cleanup(struct proxy *px)
{
	ratelimit_free(px->rate);
	if (px->owns_cache)
		reqcache_free(px->cache);
	px->rate = NULL;
	px->cache = NULL;
}

void
proxy_copy_timings(struct proxy *to, struct proxy *from)
{
	pthread_mutex_lock(&from->timing_lock);
	memcpy(to->timings, from->timings, sizeof(to->timings));
	to->ntimings = from->ntimings;
	to->timing_next = from->timing_next;
	pthread_mutex_unlock(&from->timing_lock);
}

int
proxy_expected_seconds(struct proxy *px)
{
	int i, max = 0;

	pthread_mutex_lock(&px->timing_lock);
	for (i = 0; i < px->ntimings; i++)
		if (px->timings[i] > max)
			max = px->timings[i];
	pthread_mutex_unlock(&px->timing_lock);
	return max > 0 ? max : DEFAULT_EXPECTED;
}

void
proxy_add_timing(struct proxy *px, int seconds)
{
	pthread_mutex_lock(&px->timing_lock);
	px->timings[px->timing_next] = seconds;
	px->timing_next = (px->timing_next + 1) % TIMING_SAMPLES;
	if (px->ntimings < TIMING_SAMPLES)
		px->ntimings++;
	pthread_mutex_unlock(&px->timing_lock);
}

/* Logs a rate limitation, at most once per 10 seconds. */
static void
log_limited(struct proxy *px, const char *ip, const char *key)
{
	time_t	now = time(NULL);
	long	skipped = -1;

	pthread_mutex_lock(&px->log_lock);
	if (now - px->log_last >= 10) {
		skipped = px->log_skipped;
		px->log_skipped = 0;
		px->log_last = now;
	} else
		px->log_skipped++;
	pthread_mutex_unlock(&px->log_lock);
	if (skipped < 0)
		return;
	if (strcmp(ip, key) == 0)
		log_info("%s: request rate limitation applied for remote %s",
		    px->conf->name, ip);
	else
		log_info("%s: request rate limitation applied for remote %s "
		    "(%.300s)", px->conf->name, ip, key);
	if (skipped > 0)
		log_info("%s: %ld limited requests not logged",
		    px->conf->name, skipped);
}

int
proxy_rate(struct request *rq, struct response *rs, const char *key)
{
	struct proxy	*px = rq->px;
	long		 wait;

	if ((wait = ratelimit_check(px->rate, key, time(NULL))) == 0)
		return 0;
	log_limited(px, rq->ip, key);
	metrics_rate_limited();
	response_error(rs, 429, "Too Many Requests");
	rs->retry_after = wait;
	return 1;
}

int
proxy_rate_deferred(struct request *rq, struct response *rs,
    const char *deviceid)
{
	char key[RATELIMIT_KEY_MAX + 1];

	rq->rate_deferred = 0;
	if (deviceid == NULL)
		return proxy_rate(rq, rs, rq->ip);
	/* A device id is at most 255 bytes (xmlsniff): never cut. */
	if ((size_t)snprintf(key, sizeof(key), "device %s", deviceid) >=
	    sizeof(key))
		return proxy_rate(rq, rs, rq->ip);
	return proxy_rate(rq, rs, key);
}

void
proxy_job_kept(struct forward_job *job, const struct request *rq)
{
	if (rq->stored[0] != '\0')
		job->kept = fsx_path_in(rq->px->conf->local_store, rq->stored);
}

void
proxy_log_refused(const struct forward_job *job)
{
	const char *what, *why;

	if (job->ok || (job->failed_http != 429 && job->failed_http != 503))
		return;
	if (job->kept != NULL) {
		log_warnx("server%d answered %ld: inventory kept in %s",
		    job->failed_target, job->failed_http, job->kept);
		return;
	}
	if (job->px->conf->local_store[0] == '\0') {
		what = "message";
		why = "no local_store";
	} else if (job->kind == FORWARD_JSON) {
		what = "control message";
		why = "never stored";
	} else {
		what = "inventory";
		why = "local_store is not a folder";
	}
	log_warnx("server%d answered %ld: %s not kept (%s), the agent must "
	    "send it again", job->failed_target, job->failed_http, what, why);
}
