/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Answers of forwarded GLPI requests, kept for the agent's poll.
 *
 * A forwarded JSON request is answered at once with 202 and a
 * GLPI-Request-ID; the forwarder later stores the upstream's answer under
 * that id, and the agent's GET poll takes it.  A final answer (not 202) is
 * given once and then forgotten.  An entry lives `ttl` seconds while its
 * forward runs (or the upstream answers 202), and a final answer
 * `answer_ttl` seconds: the agent polls within seconds, and answers nobody
 * polls must not fill the table.  The cache holds at most max_entries
 * answers and max_bytes of bodies; one agent holds at most
 * REQCACHE_PER_AGENT entries and one address (unless the caller does not
 * count it, for a trusted proxy sending for many agents) a
 * REQCACHE_ADDR_SHARE-th of max_entries.  When full, the oldest final
 * answer is dropped; with none, a new request is refused.
 * Ids are hashed with SipHash under a key drawn when the cache is made, so
 * that clients cannot choose ids that share a bucket.  Every call is
 * bounded work under one mutex; called by the listener's threads and the
 * forwarders.
 */
#ifndef PASSEUR_PROXY_REQCACHE_H
#define PASSEUR_PROXY_REQCACHE_H

#include <stddef.h>
#include <time.h>

#include "common/uuid.h"

/* As the reference: a forward has an hour to finish. */
#define REQCACHE_TTL		3600
/* Quotas: entries per agent; an address holds 1/REQCACHE_ADDR_SHARE. */
#define REQCACHE_PER_AGENT	8
#define REQCACHE_ADDR_SHARE	4
#define REQCACHE_MAX_BYTES	(64 * 1024 * 1024)

struct reqcache;

struct reqcache	*reqcache_new(size_t max_entries, size_t max_bytes,
		    time_t ttl, time_t answer_ttl);
void		 reqcache_free(struct reqcache *rc);

/*
 * Opens a pending entry for agentid, sent from addr (NULL: not counted per
 * address).  reqid may hold the client's id (kept when it is not in use)
 * or be empty; on return it holds the id in use.  ERR_TOO_BIG when the
 * cache is full of running forwards or the agent or address has its quota.
 */
int	reqcache_open(struct reqcache *rc, const char *agentid,
	    const char *addr, char reqid[REQID_STRLEN + 1], time_t now);

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
