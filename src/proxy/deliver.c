/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "common/clock.h"
#include "common/compress.h"
#include "common/err.h"
#include "common/log.h"
#include "common/siphash.h"
#include "proxy/decode.h"
#include "proxy/deliver.h"
#include "proxy/forward.h"
#include "proxy/generation.h"
#include "proxy/reqcache.h"
#include "proxy/spool_ctl.h"

/* How often the deliverer looks for requests of passeur spool in ctl/. */
#define CTL_POLL_MS	250

/* One item of the window. */
struct slot {
	char		 id[SPOOL_ID_LEN + 1];
	int		 busy;
	unsigned char	 full, kind;	/* of the item (coalescing) */
	uint64_t	 device;	/* SipHash of the device id */
	long long	 next_ms;
};

/* Slots of the table of devices seen in one pass: a power of two. */
#define SEEN_SLOTS	(2 * DELIVER_WINDOW)

struct deliver {
	struct spool		*sp;
	struct forwarder	*fwd;
	pthread_mutex_t		 lock;
	pthread_cond_t		 wake;
	struct generation	*gen;
	/*
	 * The window: the items of the spool with an id up to horizon, in
	 * id order.  overflow: the spool holds items past horizon, that a
	 * refill reads when the window is half empty.
	 */
	struct slot		*win;
	size_t			 n;
	char			 horizon[SPOOL_ID_LEN + 1];
	int			 overflow;
	int			 inflight;
	int			 stopping;
	struct siphash_key	 key;
	uint64_t		*seen;
	pthread_t		 thread;
	int			 started;
	uint64_t		 retries;	/* failed attempts retried */
};

/* One attempt, from its start to its done callback. */
struct attempt {
	struct deliver		*d;
	struct generation	*gen;
	struct spool_item	 it;
};

/* The index of id in the window, or where it would go. */
static size_t
find(const struct deliver *d, const char *id, int *found)
{
	size_t	lo = 0, hi = d->n, mid;
	int	c;

	*found = 0;
	while (lo < hi) {
		mid = (lo + hi) / 2;
		if ((c = strcmp(d->win[mid].id, id)) == 0) {
			*found = 1;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Adds an item to the window, unless it is past the horizon of a full
 * window (a refill will read it) or already there.  d->lock held.  The
 * window may pass DELIVER_WINDOW by the writers that were committing
 * when it filled: at most the listener's workers.
 */
static void
window_add(struct deliver *d, const struct spool_item *it)
{
	struct slot	*s;
	size_t		 at;
	int		 found;

	if (d->overflow && strcmp(it->id, d->horizon) > 0)
		return;
	at = find(d, it->id, &found);
	if (found || d->n >= 2 * DELIVER_WINDOW)
		return;
	memmove(&d->win[at + 1], &d->win[at], (d->n - at) * sizeof(*s));
	s = &d->win[at];
	memset(s, 0, sizeof(*s));
	memcpy(s->id, it->id, sizeof(s->id));
	s->device = siphash24(&d->key, it->device, strlen(it->device));
	s->next_ms = it->next_ms;
	s->full = it->full != 0;
	s->kind = (unsigned char)it->kind;
	d->n++;
	if (!d->overflow && d->n >= DELIVER_WINDOW) {
		d->overflow = 1;
		memcpy(d->horizon, d->win[d->n - 1].id, sizeof(d->horizon));
	}
}

static void
window_remove(struct deliver *d, size_t at)
{
	memmove(&d->win[at], &d->win[at + 1], (d->n - at - 1) *
	    sizeof(d->win[0]));
	d->n--;
}

/*
 * Reads the next items of the spool past the horizon.  Under the lock:
 * a writer that commits meanwhile finds the horizon where the listing
 * left it, so no item falls between the window and the folder.
 */
static void
refill(struct deliver *d)
{
	char			(*ids)[SPOOL_ID_LEN + 1];
	struct spool_item	 it;
	size_t			 want, got, i;
	int			 more;

	want = DELIVER_WINDOW - d->n;
	if ((ids = calloc(want, sizeof(*ids))) == NULL)
		return;
	if (spool_list(d->sp, d->horizon, ids, want, &got, &more) != 0) {
		log_warn("spool %s: cannot list the items", spool_dir(d->sp));
		free(ids);
		return;
	}
	d->overflow = 0;
	for (i = 0; i < got; i++) {
		if (spool_load(d->sp, ids[i], &it, NULL) != 0)
			continue;
		window_add(d, &it);
		spool_item_clear(&it);
	}
	if (more) {
		d->overflow = 1;
		memcpy(d->horizon, ids[got - 1], sizeof(d->horizon));
	}
	free(ids);
}

/* 1 when dev was already seen in this pass; else notes it. */
static int
seen_before(struct deliver *d, uint64_t dev)
{
	size_t i = (size_t)dev & (SEEN_SLOTS - 1);

	/* 0 marks a free slot: a device hashing to 0 is taken as 1. */
	if (dev == 0)
		dev = 1;
	while (d->seen[i] != 0) {
		if (d->seen[i] == dev)
			return 1;
		i = (i + 1) & (SEEN_SLOTS - 1);
	}
	d->seen[i] = dev;
	return 0;
}

static long long
backoff_ms(const struct agent_conf *a, long attempts, long retry_after)
{
	long long	delay = (long long)a->spool_retry_min * 1000, max;
	uint32_t	r = 0;
	long		i;

	max = (long long)a->spool_retry_max * 1000;
	for (i = 1; i < attempts && delay < max; i++)
		delay *= 2;
	if (delay > max)
		delay = max;
	/* Jitter: between half and all of it, so retries do not herd. */
	if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r))
		r = (uint32_t)wall_ms();
	delay = delay / 2 + (long long)(r % (uint32_t)(delay / 2 + 1));
	if (retry_after > 0 && retry_after * 1000LL > delay)
		delay = retry_after * 1000LL > max ? max :
		    retry_after * 1000LL;
	return delay;
}

/* A refusal that no retry will change. */
static int
for_good(const struct forward_job *job)
{
	long h = job->failed_http;

	if (h >= 400 && h <= 499)
		return h != 408 && h != 429;
	/* A 2xx carrying "status":"error", or no JSON: the server's word. */
	return h >= 200 && h <= 299;
}

/* An item that waited too long is failed rather than tried again. */
static int
too_old(const struct agent_conf *a, const struct spool_item *it,
    long long now)
{
	return a->spool_max_age > 0 &&
	    now - it->received_ms > a->spool_max_age * 1000;
}

/* The answer the agent's poll gets, when it still waits for one. */
static void
set_poll_answer(struct proxy *px, const char *reqid, int status,
    json_t *obj)
{
	char *s;

	if (reqid[0] == '\0' || obj == NULL) {
		json_decref(obj);
		return;
	}
	s = json_dumps(obj, JSON_INDENT(3) | JSON_SORT_KEYS);
	json_decref(obj);
	if (s != NULL)
		(void)reqcache_set(px->cache, reqid, status, s, strlen(s),
		    time(NULL));
	free(s);
}

static void
attempt_done(struct forward_job *job)
{
	struct attempt		*at = job->arg;
	struct deliver		*d = at->d;
	struct spool_item	*it = &at->it;
	struct proxy		*px = job->px;
	char			 msg[128];
	long long		 now = wall_ms(), delay = 0;
	size_t			 pos;
	int			 found, gone = 0, keep = 0, stopping;

	pthread_mutex_lock(&d->lock);
	stopping = d->stopping;
	pthread_mutex_unlock(&d->lock);
	if (job->ok) {
		if (spool_remove(d->sp, it->id) != 0)
			log_warn("spool %s: cannot remove delivered item %s",
			    spool_dir(d->sp), it->id);
		log_info("spool %s: delivered (device %s) in %.3f s, after %ld "
		    "failed attempt(s)", it->id, it->device,
		    (double)(now - it->received_ms) / 1e3, it->attempts);
		if (it->kind == SPOOL_JSON) {
			if (it->attempts == 0)
				proxy_add_timing(px, (int)((now -
				    it->received_ms) / 1000) + 1);
			if (job->answer != NULL)
				(void)reqcache_set(px->cache, it->reqid,
				    job->status, job->answer, job->answer_len,
				    time(NULL));
		}
		gone = 1;
	} else if (stopping) {
		/* Not an attempt: the item waits for the next start. */
		keep = 1;
	} else if (for_good(job) || too_old(px->agent, it, now)) {
		if (for_good(job))
			snprintf(it->last_error, sizeof(it->last_error),
			    "server%d: %s", job->failed_target, job->reason);
		else
			snprintf(it->last_error, sizeof(it->last_error),
			    "older than spool_max_age (%lld s), last attempt: "
			    "server%d: %.600s", px->agent->spool_max_age,
			    job->failed_target, job->reason);
		it->attempts++;
		/*
		 * On a full disk the move fails: the item stays in the
		 * window and is tried again later, when there may be room
		 * (a window without it would leave it in the folder until
		 * the next start).
		 */
		if (spool_fail(d->sp, it, it->last_error) != 0) {
			delay = backoff_ms(px->agent, it->attempts, 0);
			it->next_ms = now + delay;
			log_warn("spool %s: failed for good (device %s): %s; "
			    "cannot move it to failed/, tried again in %.1f s",
			    it->id, it->device, it->last_error,
			    (double)delay / 1e3);
		} else {
			log_warnx("spool %s: failed for good (device %s): %s; "
			    "moved to failed/", it->id, it->device,
			    it->last_error);
			gone = 1;
		}
		if (it->kind == SPOOL_JSON) {
			snprintf(msg, sizeof(msg), "server%d forward failure",
			    job->failed_target);
			set_poll_answer(px, it->reqid, 200, json_pack(
			    "{s:s,s:s,s:I}", "status", "error", "message", msg,
			    "expiration", (json_int_t)px->conf->prolog_freq));
		}
	} else {
		it->attempts++;
		it->targets_done = job->failed_target;
		snprintf(it->last_error, sizeof(it->last_error), "server%d: %s",
		    job->failed_target, job->reason);
		delay = backoff_ms(px->agent, it->attempts, job->retry_after);
		it->next_ms = now + delay;
		if (spool_update(d->sp, it) != 0)
			log_warn("spool %s: cannot update item %s",
			    spool_dir(d->sp), it->id);
		log_warnx("spool %s: attempt %ld failed (device %s): %s; next "
		    "attempt in %.1f s", it->id, it->attempts, it->device,
		    it->last_error, (double)delay / 1e3);
		if (it->kind == SPOOL_JSON && it->attempts == 1) {
			snprintf(msg, sizeof(msg), "inventory held by proxy %s "
			    "for delivery", px->proxy_id);
			set_poll_answer(px, it->reqid, 200, json_pack(
			    "{s:s,s:s,s:I}", "status", "ok", "message", msg,
			    "expiration", (json_int_t)px->conf->prolog_freq));
		}
	}
	pthread_mutex_lock(&d->lock);
	if (!gone && !keep)
		d->retries++;
	pos = find(d, it->id, &found);
	if (found) {
		if (gone)
			window_remove(d, pos);
		else {
			d->win[pos].busy = 0;
			if (!keep)
				d->win[pos].next_ms = it->next_ms;
		}
	}
	d->inflight--;
	pthread_cond_broadcast(&d->wake);
	pthread_mutex_unlock(&d->lock);
	forward_job_free(job);
	generation_release(at->gen);
	spool_item_clear(it);
	free(at);
}

/*
 * Starts one attempt of item id, with generation g (a reference the
 * attempt takes over).  Returns 0 when the forwarder has it; otherwise
 * the item is done with (failed/) or is to be tried again later.
 */
static int
attempt_start(struct deliver *d, const char *id, struct generation *g,
    int *gonep)
{
	struct attempt		*at;
	struct forward_job	*job = NULL;
	struct decode_error	 derr;
	struct proxy		*px;
	struct buf		 body;
	const char		*ctype;
	int			 r, zlib;

	*gonep = 0;
	if ((at = calloc(1, sizeof(*at))) == NULL)
		return ERR_NOMEM;
	if ((r = spool_load(d->sp, id, &at->it, &body)) != 0) {
		/* Removed under us (passeur spool drop) or damaged. */
		log_warnx("spool %s: cannot read it: %s; left in the spool",
		    id, r == ERR_SYSTEM ? strerror(errno) : err_str(r));
		*gonep = r == ERR_NOT_FOUND || r == ERR_FORMAT;
		free(at);
		return r;
	}
	px = &g->proxies[at->it.instance == 1 ? 1 : 0];
	body.max = (size_t)px->conf->max_inflated_size;
	/*
	 * A zlib body goes as the agent compressed it, when the upstream
	 * takes compression: no inflate-then-deflate.
	 */
	zlib = !px->agent->no_compression && (ctype_equals(at->it.ctype,
	    "application/x-compress-zlib") || ctype_equals(at->it.ctype,
	    "application/x-compress")) && compress_is_zlib(body.data,
	    body.len);
	if (!zlib && decode_body(at->it.ctype, &body, body.max, &ctype,
	    &derr) != 0) {
		log_warnx("spool %s: its body cannot be decoded: %s; moved to "
		    "failed/", id, derr.message);
		(void)spool_fail(d->sp, &at->it, derr.message);
		*gonep = 1;
		r = ERR_FORMAT;
		goto out;
	}
	if ((r = forward_job_new(&job, px, at->it.kind == SPOOL_JSON ?
	    FORWARD_JSON : FORWARD_XML, body.data, body.len, at->it.agent,
	    at->it.proxy_ids, at->it.user_agent)) != 0)
		goto out;
	memcpy(job->reqid, at->it.reqid, sizeof(job->reqid));
	job->first_target = at->it.targets_done;
	job->zlib = zlib;
	at->d = d;
	at->gen = g;
	if ((r = forward_submit(d->fwd, job, attempt_done, at)) != 0)
		goto out;
	buf_free(&body);
	return 0;
out:
	forward_job_free(job);
	buf_free(&body);
	spool_item_clear(&at->it);
	free(at);
	return r;
}

/*
 * One pass over the window, oldest first: an item is due when its time
 * came and no older item of its device waits.  Returns the number of
 * ids put in starts; *wakep gets the time the next waiting item is due.
 */
static size_t
pass(struct deliver *d, char (*starts)[SPOOL_ID_LEN + 1], size_t max,
    long long *wakep)
{
	long long	now = wall_ms();
	size_t		i, n = 0;

	*wakep = now + 60000;
	memset(d->seen, 0, SEEN_SLOTS * sizeof(d->seen[0]));
	for (i = 0; i < d->n; i++) {
		struct slot *s = &d->win[i];

		if (seen_before(d, s->device) || s->busy)
			continue;
		if (s->next_ms > now) {
			if (s->next_ms < *wakep)
				*wakep = s->next_ms;
			continue;
		}
		if (n == max)
			break;
		s->busy = 1;
		d->inflight++;
		memcpy(starts[n++], s->id, sizeof(starts[0]));
	}
	return n;
}

/*
 * The hooks of spool_ctl_apply(), in the scheduler's thread: an item that
 * passeur spool changes is marked busy meanwhile, so that no attempt
 * starts and no newer inventory supersedes it under the change.
 */
static int
ctl_claim(void *arg, const char *id)
{
	struct deliver	*d = arg;
	size_t		 pos;
	int		 found, r = 0;

	pthread_mutex_lock(&d->lock);
	pos = find(d, id, &found);
	if (found && d->win[pos].busy)
		r = ERR_EXISTS;
	else if (found)
		d->win[pos].busy = 1;
	pthread_mutex_unlock(&d->lock);
	return r;
}

/*
 * An item back from failed/ keeps its id, older than most: it goes into
 * the window, or, when the window is full, the horizon moves back below
 * it so that a refill reads it (the window skips the ids it holds).
 */
static void
window_restore(struct deliver *d, const struct spool_item *it)
{
	uint64_t	v;
	int		found;

	window_add(d, it);
	(void)find(d, it->id, &found);
	if (found || (d->overflow && strcmp(it->id, d->horizon) > 0))
		return;
	v = strtoull(it->id, NULL, 16);
	snprintf(d->horizon, sizeof(d->horizon), "%016" PRIx64, v > 0 ?
	    v - 1 : 0);
	d->overflow = 1;
}

static void
ctl_release(void *arg, const char *id, const struct spool_item *it,
    int gone)
{
	struct deliver	*d = arg;
	size_t		 pos;
	int		 found;

	pthread_mutex_lock(&d->lock);
	pos = find(d, id, &found);
	if (found && gone)
		window_remove(d, pos);
	else if (found) {
		d->win[pos].busy = 0;
		if (it != NULL)
			d->win[pos].next_ms = it->next_ms;
	} else if (it != NULL && !gone)
		window_restore(d, it);
	pthread_cond_broadcast(&d->wake);
	pthread_mutex_unlock(&d->lock);
}

static void *
scheduler(void *arg)
{
	struct deliver		*d = arg;
	struct generation	*g;
	char			 starts[DELIVER_INFLIGHT][SPOOL_ID_LEN + 1];
	struct timespec		 until;
	struct spool_ctl_hooks	 hooks = { ctl_claim, ctl_release, NULL };
	long long		 wake, next_ctl = 0;
	size_t			 n, i, pos;
	int			 found, gone;

	hooks.arg = d;
	pthread_mutex_lock(&d->lock);
	while (!d->stopping) {
		if (wall_ms() >= next_ctl) {
			pthread_mutex_unlock(&d->lock);
			spool_ctl_serve(d->sp, &hooks);
			pthread_mutex_lock(&d->lock);
			next_ctl = wall_ms() + CTL_POLL_MS;
			continue;
		}
		if (d->overflow && d->n < DELIVER_WINDOW / 2)
			refill(d);
		n = 0;
		wake = wall_ms() + 60000;
		g = d->gen;
		if (g != NULL && g->conf.agent.nservers > 0 &&
		    d->inflight < DELIVER_INFLIGHT)
			n = pass(d, starts, (size_t)(DELIVER_INFLIGHT -
			    d->inflight), &wake);
		/* One reference per attempt, taken while d->gen holds g. */
		for (i = 0; i < n; i++)
			generation_hold(g);
		for (i = 0; i < n; i++) {
			pthread_mutex_unlock(&d->lock);
			if (attempt_start(d, starts[i], g, &gone) == 0) {
				pthread_mutex_lock(&d->lock);
				continue;
			}
			generation_release(g);
			pthread_mutex_lock(&d->lock);
			d->inflight--;
			pos = find(d, starts[i], &found);
			if (found && gone)
				window_remove(d, pos);
			else if (found) {
				/* The forwarder is full: again in a second. */
				d->win[pos].busy = 0;
				d->win[pos].next_ms = wall_ms() + 1000;
			}
		}
		if (n > 0)
			continue;
		if (wake > next_ctl)
			wake = next_ctl;
		until.tv_sec = (time_t)(wake / 1000);
		until.tv_nsec = (long)(wake % 1000) * 1000000L;
		pthread_cond_timedwait(&d->wake, &d->lock, &until);
	}
	pthread_mutex_unlock(&d->lock);
	return NULL;
}

int
deliver_start(struct deliver **dp, struct spool *sp, struct forwarder *fwd)
{
	struct deliver	*d;
	int		 r;

	*dp = NULL;
	if ((d = calloc(1, sizeof(*d))) == NULL ||
	    (d->win = calloc(2 * DELIVER_WINDOW, sizeof(*d->win))) == NULL ||
	    (d->seen = calloc(SEEN_SLOTS, sizeof(*d->seen))) == NULL) {
		r = ERR_NOMEM;
		goto fail;
	}
	d->sp = sp;
	d->fwd = fwd;
	/* Everything is in the folder at first: the first pass reads it. */
	d->overflow = 1;
	if ((r = siphash_key_random(&d->key)) != 0)
		goto fail;
	pthread_mutex_init(&d->lock, NULL);
	pthread_cond_init(&d->wake, NULL);
	if (pthread_create(&d->thread, NULL, scheduler, d) != 0) {
		pthread_mutex_destroy(&d->lock);
		pthread_cond_destroy(&d->wake);
		r = ERR_SYSTEM;
		goto fail;
	}
	d->started = 1;
	*dp = d;
	return 0;
fail:
	if (d != NULL) {
		free(d->win);
		free(d->seen);
	}
	free(d);
	return r;
}

void
deliver_set_generation(struct deliver *d, struct generation *g)
{
	struct generation *prev;

	generation_hold(g);
	spool_set_limit(d->sp, (uint64_t)g->conf.agent.spool_max_size);
	pthread_mutex_lock(&d->lock);
	prev = d->gen;
	d->gen = g;
	pthread_cond_broadcast(&d->wake);
	pthread_mutex_unlock(&d->lock);
	if (prev != NULL)
		generation_release(prev);
}

/*
 * A newer full inventory makes an older one of the same device, still
 * waiting, useless: GLPI would replace the first by the second.  The
 * older item is dropped, with a log line.  Never a partial inventory,
 * another action, or an item whose attempt runs.
 */
#define SUPERSEDE_MAX	8

static void
supersede(struct deliver *d, const char *old, const struct spool_item *by)
{
	struct spool_item	 it;
	struct generation	*g;
	struct proxy		*px;
	char			 msg[128];

	if (spool_load(d->sp, old, &it, NULL) != 0)
		return;
	/* Two devices whose hashes met: the older one stays. */
	if (strcmp(it.device, by->device) != 0) {
		pthread_mutex_lock(&d->lock);
		window_add(d, &it);
		pthread_mutex_unlock(&d->lock);
	} else if (spool_remove(d->sp, old) == 0) {
		log_info("spool %s: superseded by %s, a newer full inventory "
		    "of device %s: dropped", old, by->id, by->device);
		/* Its agent's poll must not wait for an answer never coming. */
		pthread_mutex_lock(&d->lock);
		if ((g = d->gen) != NULL)
			generation_hold(g);
		pthread_mutex_unlock(&d->lock);
		if (g != NULL && it.kind == SPOOL_JSON) {
			px = &g->proxies[it.instance == 1 ? 1 : 0];
			snprintf(msg, sizeof(msg), "inventory held by proxy %s "
			    "for delivery", px->proxy_id);
			set_poll_answer(px, it.reqid, 200, json_pack(
			    "{s:s,s:s,s:I}", "status", "ok", "message", msg,
			    "expiration", (json_int_t)px->conf->prolog_freq));
		}
		if (g != NULL)
			generation_release(g);
	}
	spool_item_clear(&it);
}

int
deliver_queue(struct deliver *d, struct spool_item *it, const void *body,
    size_t len)
{
	char		 old[SUPERSEDE_MAX][SPOOL_ID_LEN + 1];
	struct slot	*s;
	uint64_t	 dev;
	size_t		 i, nold = 0;
	int		 r;

	if ((r = spool_add(d->sp, it, body, len)) != 0)
		return r;
	log_info("spool %s: queued %s %s of device %s (%zu bytes)", it->id,
	    it->kind == SPOOL_JSON ? "JSON" : "XML", it->action, it->device,
	    len);
	dev = siphash24(&d->key, it->device, strlen(it->device));
	pthread_mutex_lock(&d->lock);
	window_add(d, it);
	for (i = 0; it->full && i < d->n && nold < SUPERSEDE_MAX; ) {
		s = &d->win[i];
		if (s->device == dev && s->full && !s->busy &&
		    s->kind == (unsigned char)it->kind &&
		    strcmp(s->id, it->id) < 0) {
			memcpy(old[nold++], s->id, sizeof(old[0]));
			window_remove(d, i);
		} else
			i++;
	}
	pthread_cond_broadcast(&d->wake);
	pthread_mutex_unlock(&d->lock);
	for (i = 0; i < nold; i++)
		supersede(d, old[i], it);
	return 0;
}

void
deliver_stop(struct deliver *d)
{
	unsigned long flushes, items;

	if (d == NULL || !d->started)
		return;
	pthread_mutex_lock(&d->lock);
	d->stopping = 1;
	pthread_cond_broadcast(&d->wake);
	pthread_mutex_unlock(&d->lock);
	pthread_join(d->thread, NULL);
	d->started = 0;
	spool_counts(d->sp, &flushes, &items);
	log_info("spool %s: %lu item(s) made durable with %lu flush(es) "
	    "(%.2f per item)", spool_dir(d->sp), items, flushes, items > 0 ?
	    (double)flushes / (double)items : 0.0);
}

void
deliver_free(struct deliver *d)
{
	if (d == NULL)
		return;
	deliver_stop(d);
	if (d->gen != NULL)
		generation_release(d->gen);
	pthread_mutex_destroy(&d->lock);
	pthread_cond_destroy(&d->wake);
	free(d->win);
	free(d->seen);
	free(d);
}

void
deliver_stats(struct deliver *d, struct deliver_stats *st)
{
	memset(st, 0, sizeof(*st));
	spool_gauges(d->sp, &st->items, &st->bytes);
	/* The window starts at the smallest id of the spool. */
	pthread_mutex_lock(&d->lock);
	if (d->n > 0 && st->items > 0)
		st->oldest_ms = spool_id_ms(d->win[0].id);
	st->retries = d->retries;
	pthread_mutex_unlock(&d->lock);
}

int
deliver_check(struct deliver *d, char *why, size_t whylen)
{
	return spool_check(d->sp, why, whylen);
}
