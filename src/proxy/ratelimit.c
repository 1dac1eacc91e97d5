/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/siphash.h"
#include "proxy/ratelimit.h"

struct slot {
	uint32_t	 t;	/* second */
	uint32_t	 n;	/* requests recorded in that second */
};

struct client {
	struct client	*next;
	struct slot	*slots;
	uint32_t	 first, count, cap;	/* ring of slots */
	uint64_t	 total;		/* sum of n over the ring */
	char		 key[];		/* address, or agent or device id */
};

struct ratelimit {
	pthread_mutex_t	  lock;
	long long	  maxrate, period;
	size_t		  max_clients, nclients, nbuckets;
	struct siphash_key key;		/* random: clients choose their keys */
	struct client	**buckets;
};

struct ratelimit *
ratelimit_new(long long maxrate, long long period, size_t max_clients)
{
	struct ratelimit *rl;

	if ((rl = calloc(1, sizeof(*rl))) == NULL)
		return NULL;
	if (siphash_key_random(&rl->key) != 0) {
		free(rl);
		return NULL;
	}
	rl->maxrate = maxrate;
	rl->period = period > 0 ? period : 3600;
	rl->max_clients = max_clients;
	rl->nbuckets = 1024;
	if ((rl->buckets = calloc(rl->nbuckets, sizeof(*rl->buckets))) ==
	    NULL) {
		free(rl);
		return NULL;
	}
	pthread_mutex_init(&rl->lock, NULL);
	return rl;
}

static void
client_free(struct client *c)
{
	free(c->slots);
	free(c);
}

void
ratelimit_free(struct ratelimit *rl)
{
	struct client	*c, *next;
	size_t		 i;

	if (rl == NULL)
		return;
	for (i = 0; i < rl->nbuckets; i++)
		for (c = rl->buckets[i]; c != NULL; c = next) {
			next = c->next;
			client_free(c);
		}
	free(rl->buckets);
	pthread_mutex_destroy(&rl->lock);
	free(rl);
}

/* Keyed: a client cannot choose addresses or ids that share a bucket. */
static size_t
hash_key(const struct ratelimit *rl, const char *s)
{
	return (size_t)siphash24(&rl->key, s, strlen(s));
}

#define SLOT(c, i)	(&(c)->slots[((c)->first + (i)) % (c)->cap])

static void
drop_old(struct client *c, time_t now, long long period)
{
	while (c->count > 0 && (long long)SLOT(c, 0)->t < now - period) {
		c->total -= SLOT(c, 0)->n;
		c->first = (c->first + 1) % c->cap;
		c->count--;
	}
}

/* Removes every client whose window is empty. */
static void
sweep(struct ratelimit *rl, time_t now)
{
	struct client	**pp, *c;
	size_t		  i;

	for (i = 0; i < rl->nbuckets; i++) {
		for (pp = &rl->buckets[i]; (c = *pp) != NULL;) {
			drop_old(c, now, rl->period);
			if (c->count == 0) {
				*pp = c->next;
				client_free(c);
				rl->nclients--;
			} else
				pp = &c->next;
		}
	}
}

static int
push_slot(struct client *c, uint32_t t)
{
	struct slot	*ns;
	uint32_t	 ncap, i;

	if (c->count == c->cap) {
		ncap = c->cap ? c->cap * 2 : 4;
		if ((ns = malloc(ncap * sizeof(*ns))) == NULL)
			return -1;
		for (i = 0; i < c->count; i++)
			ns[i] = *SLOT(c, i);
		free(c->slots);
		c->slots = ns;
		c->first = 0;
		c->cap = ncap;
	}
	SLOT(c, c->count)->t = t;
	SLOT(c, c->count)->n = 1;
	c->count++;
	c->total++;
	return 0;
}

static struct client *
find_or_add(struct ratelimit *rl, const char *key, time_t now)
{
	struct client	*c;
	size_t		 b = hash_key(rl, key) % rl->nbuckets;
	size_t		 len = strlen(key);

	for (c = rl->buckets[b]; c != NULL; c = c->next)
		if (strcmp(c->key, key) == 0)
			return c;
	if (rl->nclients >= rl->max_clients) {
		sweep(rl, now);
		if (rl->nclients >= rl->max_clients)
			return NULL;
	}
	if (len > RATELIMIT_KEY_MAX ||
	    (c = calloc(1, sizeof(*c) + len + 1)) == NULL)
		return NULL;
	memcpy(c->key, key, len + 1);
	c->next = rl->buckets[b];
	rl->buckets[b] = c;
	rl->nclients++;
	return c;
}

long
ratelimit_check(struct ratelimit *rl, const char *key, time_t now)
{
	struct client	*c;
	struct slot	*last;
	long		 wait = 0;
	uint64_t	 max;

	if (rl->maxrate <= 0)
		return 0;
	max = (uint64_t)rl->maxrate;
	pthread_mutex_lock(&rl->lock);
	if ((c = find_or_add(rl, key, now)) == NULL) {
		pthread_mutex_unlock(&rl->lock);
		return 1;
	}
	drop_old(c, now, rl->period);
	last = c->count > 0 ? SLOT(c, c->count - 1) : NULL;
	if (!(c->total > max && last != NULL && last->t == (uint32_t)now)) {
		if (last != NULL && last->t == (uint32_t)now) {
			last->n++;
			c->total++;
		} else if (push_slot(c, (uint32_t)now) != 0) {
			pthread_mutex_unlock(&rl->lock);
			return 1;
		}
		/* Only the newest maxrate + 1 requests matter; forget older. */
		while (c->total > max + 1) {
			struct slot *s = SLOT(c, 0);

			s->n--;
			c->total--;
			if (s->n == 0) {
				c->first = (c->first + 1) % c->cap;
				c->count--;
			}
		}
	}
	if (c->total > max) {
		/*
		 * The next request is recorded too, so two of the kept ones
		 * must leave the window first: wait for the second oldest.
		 */
		uint32_t t2 = SLOT(c, 0)->n >= 2 || c->count < 2 ?
		    SLOT(c, 0)->t : SLOT(c, 1)->t;

		wait = (long)((long long)t2 + rl->period + 1 - now);
		if (wait < 1)
			wait = 1;
	}
	pthread_mutex_unlock(&rl->lock);
	return wait;
}

size_t
ratelimit_clients(struct ratelimit *rl)
{
	size_t n;

	pthread_mutex_lock(&rl->lock);
	n = rl->nclients;
	pthread_mutex_unlock(&rl->lock);
	return n;
}

size_t
ratelimit_longest_chain(struct ratelimit *rl)
{
	struct client	*c;
	size_t		 i, n, max = 0;

	pthread_mutex_lock(&rl->lock);
	for (i = 0; i < rl->nbuckets; i++) {
		for (n = 0, c = rl->buckets[i]; c != NULL; c = c->next)
			n++;
		if (n > max)
			max = n;
	}
	pthread_mutex_unlock(&rl->lock);
	return max;
}
