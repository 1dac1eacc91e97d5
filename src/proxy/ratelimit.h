/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Per-client request rate limit: the plugin's sliding window.
 *
 * A client is a key: its address, or, for requests from a trusted proxy or
 * injector, the agent they are sent for (server.c chooses).  Each key
 * keeps the times of its requests in the last `period` seconds (1 s
 * resolution).  A request is limited when more than `maxrate` are
 * recorded; limited requests are recorded too (at most one per second),
 * so a client that keeps hammering stays blocked, as with the reference.
 * An IPv6 address counts for its /64 (one host may hold a whole /64).
 * Memory is bounded: a client keeps at most one entry per second of the
 * window and at most maxrate + 1 requests, and the table holds at most
 * max_clients keys of at most RATELIMIT_KEY_MAX bytes.  Each call removes
 * a few clients whose window is empty, oldest first (bounded work under
 * the lock, on the network thread); when the table is still full, a new
 * key takes the place of the client seen least recently, so a full table
 * never locks new clients out, and a client that keeps sending stays in
 * it.  Keys are hashed with SipHash under a random key.  Thread-safe: one
 * mutex, taken by the network thread and the workers.
 */
#ifndef PASSEUR_PROXY_RATELIMIT_H
#define PASSEUR_PROXY_RATELIMIT_H

#include <stddef.h>
#include <time.h>

struct ratelimit;

/* The longest key; a longer one is limited (the pipeline's are shorter). */
#define RATELIMIT_KEY_MAX	512

/* maxrate 0 turns the limit off.  Returns NULL on out of memory. */
struct ratelimit	*ratelimit_new(long long maxrate, long long period,
			    size_t max_clients);
/* Frees rl; the last holder of a shared table frees it.  NULL is fine. */
void			 ratelimit_free(struct ratelimit *rl);

/*
 * For a reload: a table with the new limits that shares rl's clients, so
 * that every client keeps its window (a SIGHUP must not reset the limits).
 * rl keeps its own limits for the old generation's requests still
 * running, and a refused reload just frees the new one.  Past a lower
 * max_clients the table shrinks by a few clients at each new one.  When
 * either limit is off (maxrate 0) the new table starts empty.  rl may be
 * NULL.  Returns NULL on out of memory.
 */
struct ratelimit	*ratelimit_carry(struct ratelimit *rl,
			    long long maxrate, long long period,
			    size_t max_clients);

/*
 * Records a request of the client key at now.  Returns 0 when allowed,
 * else the number of seconds after which the client would be allowed
 * again (>= 1).
 */
long	ratelimit_check(struct ratelimit *rl, const char *key, time_t now);
/* Number of client keys held. */
size_t	ratelimit_clients(struct ratelimit *rl);
/* For tests: the number of keys in the fullest hash bucket. */
size_t	ratelimit_longest_chain(struct ratelimit *rl);

#endif
