/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Answers of forwarded GLPI requests, kept for the agent's poll.
 *
 * A forwarded JSON request is answered at once with 202 and a
 * GLPI-Request-ID; the forwarder later stores the upstream's answer under
 * that id, and the agent's GET poll takes it.  A final answer (not 202) is
 * given once and then forgotten.  Entries live at most `ttl` seconds, and
 * the cache holds at most max_entries answers and max_bytes of bodies: past
 * that, new requests are refused rather than old answers dropped.
 * Ids are hashed with SipHash under a key drawn when the cache is made, so
 * that clients cannot choose ids that share a bucket.  Thread-safe.
 */
#ifndef PASSEUR_PROXY_REQCACHE_H
#define PASSEUR_PROXY_REQCACHE_H

#include <stddef.h>
#include <time.h>

#include "common/uuid.h"

/* As the reference: an answer waits an hour for its poll. */
#define REQCACHE_TTL		3600
#define REQCACHE_MAX_BYTES	(64 * 1024 * 1024)

struct reqcache;

struct reqcache	*reqcache_new(size_t max_entries, size_t max_bytes,
		    time_t ttl);
void		 reqcache_free(struct reqcache *rc);

/*
 * Opens a pending entry for agentid.  reqid may hold the client's id (kept
 * when it is not in use) or be empty; on return it holds the id in use.
 * ERR_TOO_BIG when the cache is full.
 */
int	reqcache_open(struct reqcache *rc, const char *agentid,
	    char reqid[REQID_STRLEN + 1], time_t now);

/* Stores the answer of reqid; the cache copies body. */
int	reqcache_set(struct reqcache *rc, const char *reqid, int code,
	    const char *body, size_t len, time_t now);

/*
 * For a poll: when reqid exists and belongs to agentid, *codep and a copy
 * of the body (caller frees) are returned, and a final answer is removed.
 * ERR_NOT_FOUND otherwise.  A pending entry has *bodyp NULL.
 */
int	reqcache_take(struct reqcache *rc, const char *reqid,
	    const char *agentid, int *codep, char **bodyp, size_t *lenp,
	    time_t now);

/* Forgets reqid (a request that could not be forwarded after all). */
void	reqcache_drop(struct reqcache *rc, const char *reqid);

size_t	reqcache_count(struct reqcache *rc);

/* For tests: the number of entries in the fullest hash bucket. */
size_t	reqcache_longest_chain(struct reqcache *rc);

#endif
