/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/siphash.h"
#include "proxy/reqcache.h"

/*
 * Who holds entries: an agent ("a" + id) or an address ("i" + address),
 * with its count of entries; freed when the count falls to 0.
 */
struct owner {
	struct owner	*next;
	size_t		 count;
	char		 key[];
};

struct entry {
	struct entry	*next, **pprev;		/* hash chain */
	struct entry	*qnext, *qprev;		/* queue, oldest first */
	struct owner	*agent, *addr;		/* addr NULL: not counted */
	char		 id[REQID_STRLEN + 1];
	char		 agentid[UUID_STRLEN + 1];
	int		 code;		/* 0 while the forward runs */
	char		*body;
	size_t		 len;
	time_t		 expires;
};

/*
 * Entries wait in one of two queues.  Each queue has one lifetime, so its
 * order is the order of expiry: the expired are always at the head, and
 * the oldest answer is the first to evict.
 */
struct queue {
	struct entry	*head, *tail;
};

#define NBUCKETS	4096

struct reqcache {
	pthread_mutex_t	 lock;
	size_t		 max_entries, max_bytes, nentries, nbytes;
	size_t		 per_addr;
	time_t		 ttl, answer_ttl;
	struct siphash_key key;		/* random: ids are client-chosen */
	struct queue	 running;	/* forward running, or upstream 202 */
	struct queue	 answered;	/* final answer waiting for the poll */
	struct entry	*buckets[NBUCKETS];
	struct owner	*owners[NBUCKETS];
};

struct reqcache *
reqcache_new(size_t max_entries, size_t max_bytes, time_t ttl,
    time_t answer_ttl)
{
	struct reqcache *rc;

	if ((rc = calloc(1, sizeof(*rc))) == NULL)
		return NULL;
	if (siphash_key_random(&rc->key) != 0) {
		free(rc);
		return NULL;
	}
	rc->max_entries = max_entries;
	rc->max_bytes = max_bytes;
	rc->ttl = ttl;
	rc->answer_ttl = answer_ttl < ttl ? answer_ttl : ttl;
	rc->per_addr = max_entries / REQCACHE_ADDR_SHARE;
	if (rc->per_addr < REQCACHE_PER_AGENT)
		rc->per_addr = REQCACHE_PER_AGENT;
	pthread_mutex_init(&rc->lock, NULL);
	return rc;
}

/*
 * A client may choose its request id: under a keyed hash it cannot pick
 * ids that share a bucket (with the id's value as the hash, 20,000 ids
 * that are multiples of NBUCKETS made one chain and cost seconds of CPU).
 */
static size_t
bucket(const struct reqcache *rc, const char *s)
{
	return (size_t)(siphash24(&rc->key, s, strlen(s)) % NBUCKETS);
}

static struct owner *
owner_get(struct reqcache *rc, char kind, const char *name)
{
	struct owner	*o;
	char		 key[128];
	size_t		 len, b;

	len = strlen(name);
	if (len + 2 > sizeof(key))
		len = sizeof(key) - 2;
	key[0] = kind;
	memcpy(key + 1, name, len);
	key[len + 1] = '\0';
	b = bucket(rc, key);
	for (o = rc->owners[b]; o != NULL; o = o->next)
		if (strcmp(o->key, key) == 0)
			return o;
	if ((o = calloc(1, sizeof(*o) + len + 2)) == NULL)
		return NULL;
	memcpy(o->key, key, len + 2);
	o->next = rc->owners[b];
	rc->owners[b] = o;
	return o;
}

/* Drops one entry of o; o is freed with its last entry. */
static void
owner_put(struct reqcache *rc, struct owner *o)
{
	struct owner **pp;

	if (o == NULL || --o->count > 0)
		return;
	for (pp = &rc->owners[bucket(rc, o->key)]; *pp != o;
	    pp = &(*pp)->next)
		;
	*pp = o->next;
	free(o);
}

static void
queue_push(struct queue *q, struct entry *e)
{
	e->qnext = NULL;
	e->qprev = q->tail;
	if (q->tail != NULL)
		q->tail->qnext = e;
	else
		q->head = e;
	q->tail = e;
}

static void
queue_unlink(struct queue *q, struct entry *e)
{
	if (e->qprev != NULL)
		e->qprev->qnext = e->qnext;
	else
		q->head = e->qnext;
	if (e->qnext != NULL)
		e->qnext->qprev = e->qprev;
	else
		q->tail = e->qprev;
	e->qnext = e->qprev = NULL;
}

static int
is_answered(const struct entry *e)
{
	return e->code != 0 && e->code != 202;
}

static struct queue *
queue_of(struct reqcache *rc, const struct entry *e)
{
	return is_answered(e) ? &rc->answered : &rc->running;
}

/* Unlinks e from everything and frees it. */
static void
entry_remove(struct reqcache *rc, struct entry *e)
{
	*e->pprev = e->next;
	if (e->next != NULL)
		e->next->pprev = e->pprev;
	queue_unlink(queue_of(rc, e), e);
	owner_put(rc, e->agent);
	owner_put(rc, e->addr);
	rc->nentries--;
	rc->nbytes -= e->len;
	free(e->body);
	free(e);
}

void
reqcache_free(struct reqcache *rc)
{
	if (rc == NULL)
		return;
	while (rc->running.head != NULL)
		entry_remove(rc, rc->running.head);
	while (rc->answered.head != NULL)
		entry_remove(rc, rc->answered.head);
	pthread_mutex_destroy(&rc->lock);
	free(rc);
}

static struct entry *
lookup(struct reqcache *rc, const char *id)
{
	struct entry *e;

	for (e = rc->buckets[bucket(rc, id)]; e != NULL; e = e->next)
		if (strcmp(e->id, id) == 0)
			return e;
	return NULL;
}

/* Removes the expired entries: the heads of the queues. */
static void
expire(struct reqcache *rc, time_t now)
{
	while (rc->answered.head != NULL && rc->answered.head->expires <= now)
		entry_remove(rc, rc->answered.head);
	while (rc->running.head != NULL && rc->running.head->expires <= now)
		entry_remove(rc, rc->running.head);
}

int
reqcache_open(struct reqcache *rc, const char *agentid, const char *addr,
    char reqid[REQID_STRLEN + 1], time_t now)
{
	struct entry	*e = NULL;
	struct owner	*ag = NULL, *ad = NULL;
	size_t		 b;
	int		 r = 0, tries;

	pthread_mutex_lock(&rc->lock);
	expire(rc, now);
	/* One agent, one address, cannot take the table for the others. */
	if ((ag = owner_get(rc, 'a', agentid)) == NULL ||
	    (addr != NULL && (ad = owner_get(rc, 'i', addr)) == NULL)) {
		r = ERR_NOMEM;
		goto out;
	}
	if (ag->count >= REQCACHE_PER_AGENT ||
	    (ad != NULL && ad->count >= rc->per_addr)) {
		r = ERR_TOO_BIG;
		goto out;
	}
	/* Full: the oldest answer nobody polled goes before a refusal. */
	if (rc->nentries >= rc->max_entries && rc->answered.head != NULL)
		entry_remove(rc, rc->answered.head);
	if (rc->nentries >= rc->max_entries) {
		r = ERR_TOO_BIG;
		goto out;
	}
	/* Keep the client's id unless another request holds it. */
	for (tries = 0; !reqid_valid(reqid) || lookup(rc, reqid) != NULL;
	    tries++) {
		if (tries == 16) {
			r = ERR_EXISTS;
			goto out;
		}
		if ((r = reqid_random(reqid)) != 0)
			goto out;
	}
	if ((e = calloc(1, sizeof(*e))) == NULL) {
		r = ERR_NOMEM;
		goto out;
	}
	memcpy(e->id, reqid, REQID_STRLEN + 1);
	/* Agent ids are UUIDs (the listener checks): nothing is cut. */
	(void)snprintf(e->agentid, sizeof(e->agentid), "%s", agentid);
	e->expires = now + rc->ttl;
	e->agent = ag;
	e->addr = ad;
	ag->count++;
	if (ad != NULL)
		ad->count++;
	ag = ad = NULL;		/* held by e */
	b = bucket(rc, reqid);
	e->next = rc->buckets[b];
	if (e->next != NULL)
		e->next->pprev = &e->next;
	e->pprev = &rc->buckets[b];
	rc->buckets[b] = e;
	queue_push(&rc->running, e);
	rc->nentries++;
out:
	/* An owner made for nothing has no entry: count 0 frees it. */
	if (ag != NULL && ag->count == 0) {
		ag->count = 1;
		owner_put(rc, ag);
	}
	if (ad != NULL && ad->count == 0) {
		ad->count = 1;
		owner_put(rc, ad);
	}
	pthread_mutex_unlock(&rc->lock);
	return r;
}

int
reqcache_set(struct reqcache *rc, const char *reqid, int code,
    const char *body, size_t len, time_t now)
{
	struct entry	*e;
	char		*copy;
	int		 r = 0;

	pthread_mutex_lock(&rc->lock);
	if ((e = lookup(rc, reqid)) == NULL) {
		r = ERR_NOT_FOUND;
		goto out;
	}
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
	/* The answer starts its own, shorter, life at the queue's tail. */
	queue_unlink(queue_of(rc, e), e);
	e->code = code;
	e->expires = now + (is_answered(e) ? rc->answer_ttl : rc->ttl);
	queue_push(queue_of(rc, e), e);
out:
	pthread_mutex_unlock(&rc->lock);
	return r;
}

int
reqcache_take(struct reqcache *rc, const char *reqid, const char *agentid,
    int *codep, char **bodyp, size_t *lenp, time_t now)
{
	struct entry	*e;
	int		 r = 0;

	*codep = 0;
	*bodyp = NULL;
	*lenp = 0;
	pthread_mutex_lock(&rc->lock);
	if ((e = lookup(rc, reqid)) == NULL || e->expires <= now ||
	    agentid == NULL || strcmp(e->agentid, agentid) != 0) {
		r = ERR_NOT_FOUND;
		goto out;
	}
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
		entry_remove(rc, e);
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
	struct entry *e;

	pthread_mutex_lock(&rc->lock);
	if ((e = lookup(rc, reqid)) != NULL)
		entry_remove(rc, e);
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

size_t
reqcache_longest_chain(struct reqcache *rc)
{
	struct entry	*e;
	size_t		 i, n, max = 0;

	pthread_mutex_lock(&rc->lock);
	for (i = 0; i < NBUCKETS; i++) {
		for (n = 0, e = rc->buckets[i]; e != NULL; e = e->next)
			n++;
		if (n > max)
			max = n;
	}
	pthread_mutex_unlock(&rc->lock);
	return max;
}
