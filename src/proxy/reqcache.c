/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "proxy/reqcache.h"

struct entry {
	struct entry	*next;
	char		 id[REQID_STRLEN + 1];
	char		 agentid[UUID_STRLEN + 1];
	int		 code;		/* 0 while the forward runs */
	char		*body;
	size_t		 len;
	time_t		 expires;
};

#define NBUCKETS	4096

struct reqcache {
	pthread_mutex_t	 lock;
	size_t		 max_entries, max_bytes, nentries, nbytes;
	time_t		 ttl, next_sweep;
	struct entry	*buckets[NBUCKETS];
};

struct reqcache *
reqcache_new(size_t max_entries, size_t max_bytes, time_t ttl)
{
	struct reqcache *rc;

	if ((rc = calloc(1, sizeof(*rc))) == NULL)
		return NULL;
	rc->max_entries = max_entries;
	rc->max_bytes = max_bytes;
	rc->ttl = ttl;
	pthread_mutex_init(&rc->lock, NULL);
	return rc;
}

static void
entry_free(struct reqcache *rc, struct entry *e)
{
	rc->nentries--;
	rc->nbytes -= e->len;
	free(e->body);
	free(e);
}

void
reqcache_free(struct reqcache *rc)
{
	struct entry	*e, *next;
	size_t		 i;

	if (rc == NULL)
		return;
	for (i = 0; i < NBUCKETS; i++)
		for (e = rc->buckets[i]; e != NULL; e = next) {
			next = e->next;
			entry_free(rc, e);
		}
	pthread_mutex_destroy(&rc->lock);
	free(rc);
}

static size_t
bucket(const char *id)
{
	return (size_t)strtoul(id, NULL, 16) % NBUCKETS;
}

static struct entry **
lookup(struct reqcache *rc, const char *id)
{
	struct entry **pp;

	for (pp = &rc->buckets[bucket(id)]; *pp != NULL; pp = &(*pp)->next)
		if (strcmp((*pp)->id, id) == 0)
			return pp;
	return NULL;
}

static void
sweep(struct reqcache *rc, time_t now)
{
	struct entry	**pp, *e;
	size_t		  i;

	if (now < rc->next_sweep && rc->nentries < rc->max_entries)
		return;
	rc->next_sweep = now + 60;
	for (i = 0; i < NBUCKETS; i++)
		for (pp = &rc->buckets[i]; (e = *pp) != NULL;) {
			if (e->expires <= now) {
				*pp = e->next;
				entry_free(rc, e);
			} else
				pp = &e->next;
		}
}

int
reqcache_open(struct reqcache *rc, const char *agentid,
    char reqid[REQID_STRLEN + 1], time_t now)
{
	struct entry	*e;
	int		 r, tries;

	pthread_mutex_lock(&rc->lock);
	sweep(rc, now);
	if (rc->nentries >= rc->max_entries) {
		pthread_mutex_unlock(&rc->lock);
		return ERR_TOO_BIG;
	}
	/* Keep the client's id unless another request holds it. */
	for (tries = 0; !reqid_valid(reqid) || lookup(rc, reqid) != NULL;
	    tries++) {
		if (tries == 16 || (r = reqid_random(reqid)) != 0) {
			pthread_mutex_unlock(&rc->lock);
			return tries == 16 ? ERR_EXISTS : r;
		}
	}
	if ((e = calloc(1, sizeof(*e))) == NULL) {
		pthread_mutex_unlock(&rc->lock);
		return ERR_NOMEM;
	}
	memcpy(e->id, reqid, REQID_STRLEN + 1);
	/* calloc terminated it; a longer id is cut as before. */
	memcpy(e->agentid, agentid, strnlen(agentid, UUID_STRLEN));
	e->expires = now + rc->ttl;
	e->next = rc->buckets[bucket(reqid)];
	rc->buckets[bucket(reqid)] = e;
	rc->nentries++;
	pthread_mutex_unlock(&rc->lock);
	return 0;
}

int
reqcache_set(struct reqcache *rc, const char *reqid, int code,
    const char *body, size_t len, time_t now)
{
	struct entry	**pp, *e;
	char		 *copy;
	int		  r = 0;

	pthread_mutex_lock(&rc->lock);
	if ((pp = lookup(rc, reqid)) == NULL) {
		r = ERR_NOT_FOUND;
		goto out;
	}
	e = *pp;
	if (rc->nbytes - e->len + len > rc->max_bytes) {
		r = ERR_TOO_BIG;
		goto out;
	}
	if ((copy = malloc(len + 1)) == NULL) {
		r = ERR_NOMEM;
		goto out;
	}
	memcpy(copy, body, len);
	copy[len] = '\0';
	rc->nbytes = rc->nbytes - e->len + len;
	free(e->body);
	e->body = copy;
	e->len = len;
	e->code = code;
	e->expires = now + rc->ttl;
out:
	pthread_mutex_unlock(&rc->lock);
	return r;
}

int
reqcache_take(struct reqcache *rc, const char *reqid, const char *agentid,
    int *codep, char **bodyp, size_t *lenp, time_t now)
{
	struct entry	**pp, *e;
	int		  r = 0;

	*codep = 0;
	*bodyp = NULL;
	*lenp = 0;
	pthread_mutex_lock(&rc->lock);
	if ((pp = lookup(rc, reqid)) == NULL || (*pp)->expires <= now ||
	    agentid == NULL || strcmp((*pp)->agentid, agentid) != 0) {
		r = ERR_NOT_FOUND;
		goto out;
	}
	e = *pp;
	*codep = e->code;
	if (e->code == 0)
		goto out;
	if (e->code != 202) {
		/* Final answer: hand the body over and forget the entry. */
		*bodyp = e->body;
		*lenp = e->len;
		rc->nbytes -= e->len;
		e->body = NULL;
		e->len = 0;
		*pp = e->next;
		entry_free(rc, e);
	} else if ((*bodyp = malloc(e->len + 1)) == NULL)
		r = ERR_NOMEM;
	else {
		/* Upstream bytes: copy them all, NULs included. */
		memcpy(*bodyp, e->body, e->len);
		(*bodyp)[e->len] = '\0';
		*lenp = e->len;
	}
out:
	pthread_mutex_unlock(&rc->lock);
	return r;
}

void
reqcache_drop(struct reqcache *rc, const char *reqid)
{
	struct entry **pp, *e;

	pthread_mutex_lock(&rc->lock);
	if ((pp = lookup(rc, reqid)) != NULL) {
		e = *pp;
		*pp = e->next;
		entry_free(rc, e);
	}
	pthread_mutex_unlock(&rc->lock);
}

size_t
reqcache_count(struct reqcache *rc)
{
	size_t n;

	pthread_mutex_lock(&rc->lock);
	n = rc->nentries;
	pthread_mutex_unlock(&rc->lock);
	return n;
}
