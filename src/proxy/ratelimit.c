/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/siphash.h"
#include "proxy/ratelimit.h"

struct slot {
	uint32_t	 t;	/* second */
	uint32_t	 n;	/* requests recorded in that second */
};

struct client {
	struct client	*next;		/* hash chain */
	struct client	*older, *newer;	/* the list by last request */
	struct slot	*slots;
	uint32_t	 first, count, cap;	/* ring of slots */
	uint64_t	 total;		/* sum of n over the ring */
	char		 key[];		/* address, or agent or device id */
};

/*
 * Clients are kept in a hash table and in a list ordered by their last
 * request, oldest first.  The newest slot of a client is the second of
 * its last request (a request is always recorded, except a refused one in
 * a second already recorded), so the list is also ordered by the end of
 * the windows: the clients whose window is empty are a prefix of it.
 * The table is shared by the generations that hold it (refs); each holds
 * its own limits in its struct ratelimit.
 */
struct table {
	pthread_mutex_t	  lock;
	int		  refs;		/* handles sharing the table */
	size_t		  nclients, nbuckets;
	struct siphash_key key;		/* random: clients choose their keys */
	struct client	**buckets;
	struct client	 *oldest, *newest;
};

struct ratelimit {
	struct table	*t;
	long long	 maxrate, period;
	size_t		 max_clients;
};

#define NBUCKETS_MIN	64
/* Idle clients removed per call: bounded work under the lock. */
#define SWEEP_STEP	8

static struct table *
table_new(void)
{
	struct table *t;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	if (siphash_key_random(&t->key) != 0 ||
	    (t->buckets = calloc(NBUCKETS_MIN, sizeof(*t->buckets))) == NULL) {
		free(t);
		return NULL;
	}
	t->refs = 1;
	t->nbuckets = NBUCKETS_MIN;
	pthread_mutex_init(&t->lock, NULL);
	return t;
}

static void
client_free(struct client *c)
{
	free(c->slots);
	free(c);
}

static void
table_put(struct table *t)
{
	struct client	*c, *next;
	int		 refs;

	pthread_mutex_lock(&t->lock);
	refs = --t->refs;
	pthread_mutex_unlock(&t->lock);
	if (refs > 0)
		return;
	for (c = t->oldest; c != NULL; c = next) {
		next = c->newer;
		client_free(c);
	}
	free(t->buckets);
	pthread_mutex_destroy(&t->lock);
	free(t);
}

static struct ratelimit *
handle_new(struct table *t, long long maxrate, long long period,
    size_t max_clients)
{
	struct ratelimit *rl;

	if ((rl = calloc(1, sizeof(*rl))) == NULL)
		return NULL;
	rl->t = t;
	rl->maxrate = maxrate;
	rl->period = period > 0 ? period : 3600;
	rl->max_clients = max_clients > 0 ? max_clients : 1;
	return rl;
}

struct ratelimit *
ratelimit_new(long long maxrate, long long period, size_t max_clients)
{
	struct ratelimit	*rl;
	struct table		*t;

	if ((t = table_new()) == NULL)
		return NULL;
	if ((rl = handle_new(t, maxrate, period, max_clients)) == NULL)
		table_put(t);
	return rl;
}

void
ratelimit_free(struct ratelimit *rl)
{
	if (rl == NULL)
		return;
	table_put(rl->t);
	free(rl);
}

/* Keyed: a client cannot choose addresses or ids that share a bucket. */
static size_t
hash_key(const struct table *t, const char *s)
{
	return (size_t)(siphash24(&t->key, s, strlen(s)) % t->nbuckets);
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

static void
list_unlink(struct table *t, struct client *c)
{
	if (c->older != NULL)
		c->older->newer = c->newer;
	else
		t->oldest = c->newer;
	if (c->newer != NULL)
		c->newer->older = c->older;
	else
		t->newest = c->older;
	c->older = c->newer = NULL;
}

static void
list_push(struct table *t, struct client *c)
{
	c->older = t->newest;
	c->newer = NULL;
	if (t->newest != NULL)
		t->newest->newer = c;
	else
		t->oldest = c;
	t->newest = c;
}

static void
remove_client(struct table *t, struct client *c)
{
	struct client **pp;

	for (pp = &t->buckets[hash_key(t, c->key)]; *pp != c;
	    pp = &(*pp)->next)
		;
	*pp = c->next;
	list_unlink(t, c);
	client_free(c);
	t->nclients--;
}

/*
 * Removes up to SWEEP_STEP clients whose window is empty, oldest first;
 * stops at the first one still active, since every newer one is too.
 */
static void
sweep_some(struct table *t, long long period, time_t now)
{
	struct client	*c;
	int		 i;

	for (i = 0; i < SWEEP_STEP && (c = t->oldest) != NULL; i++) {
		drop_old(c, now, period);
		if (c->count != 0)
			break;
		remove_client(t, c);
	}
}

/* Doubles the bucket array; on out of memory the table stays as is. */
static void
grow(struct table *t)
{
	struct client	**nb, *c;
	size_t		  n = t->nbuckets * 2, b;

	if ((nb = calloc(n, sizeof(*nb))) == NULL)
		return;
	free(t->buckets);
	t->buckets = nb;
	t->nbuckets = n;
	for (c = t->oldest; c != NULL; c = c->newer) {
		b = hash_key(t, c->key);
		c->next = nb[b];
		nb[b] = c;
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
			return ERR_NOMEM;
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

/*
 * The client of key, made the newest.  A new client takes the place of
 * the least recently seen one when the table is full: refusing it instead
 * would lock every new address out while the table is full of others.
 */
static struct client *
find_or_add(struct table *t, size_t max_clients, const char *key)
{
	struct client	*c;
	size_t		 b = hash_key(t, key);
	size_t		 len = strlen(key);
	int		 i;

	for (c = t->buckets[b]; c != NULL; c = c->next)
		if (strcmp(c->key, key) == 0) {
			list_unlink(t, c);
			list_push(t, c);
			return c;
		}
	if (len > RATELIMIT_KEY_MAX ||
	    (c = calloc(1, sizeof(*c) + len + 1)) == NULL)
		return NULL;
	/*
	 * Past a reload that lowered max_clients the table holds more: it
	 * shrinks by a few at each new client, not all at once.
	 */
	for (i = 0; i < SWEEP_STEP && t->nclients >= max_clients; i++)
		remove_client(t, t->oldest);
	memcpy(c->key, key, len + 1);
	c->next = t->buckets[b];
	t->buckets[b] = c;
	list_push(t, c);
	if (++t->nclients > t->nbuckets)
		grow(t);
	return c;
}

/*
 * IPv6 clients count by /64: a single host commonly holds a whole /64,
 * which would otherwise give it 2^64 fresh keys.  Other keys (IPv4
 * addresses, agent and device ids) are used as they are, and so are
 * link-local addresses, whose /64 (fe80::) is every host of the link.
 */
static const char *
client_key(const char *key, char *buf, size_t len)
{
	struct in6_addr	a;
	char		ip[INET6_ADDRSTRLEN];
	int		n;

	if (strchr(key, ':') == NULL || inet_pton(AF_INET6, key, &a) != 1 ||
	    IN6_IS_ADDR_V4MAPPED(&a) || IN6_IS_ADDR_LINKLOCAL(&a))
		return key;
	memset(a.s6_addr + 8, 0, 8);
	if (inet_ntop(AF_INET6, &a, ip, sizeof(ip)) == NULL)
		return key;
	n = snprintf(buf, len, "%s/64", ip);
	return n > 0 && (size_t)n < len ? buf : key;
}

long
ratelimit_check(struct ratelimit *rl, const char *key, time_t now)
{
	struct table	*t = rl->t;
	struct client	*c;
	struct slot	*last;
	long		 wait = 0;
	uint64_t	 max;
	char		 buf[INET6_ADDRSTRLEN + 4];

	if (rl->maxrate <= 0)
		return 0;
	max = (uint64_t)rl->maxrate;
	key = client_key(key, buf, sizeof(buf));
	pthread_mutex_lock(&t->lock);
	sweep_some(t, rl->period, now);
	if ((c = find_or_add(t, rl->max_clients, key)) == NULL) {
		pthread_mutex_unlock(&t->lock);
		return 1;
	}
	drop_old(c, now, rl->period);
	last = c->count > 0 ? SLOT(c, c->count - 1) : NULL;
	if (!(c->total > max && last != NULL && last->t == (uint32_t)now)) {
		if (last != NULL && last->t == (uint32_t)now) {
			last->n++;
			c->total++;
		} else if (push_slot(c, (uint32_t)now) != 0) {
			pthread_mutex_unlock(&t->lock);
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
	pthread_mutex_unlock(&t->lock);
	return wait;
}

size_t
ratelimit_clients(struct ratelimit *rl)
{
	size_t n;

	pthread_mutex_lock(&rl->t->lock);
	n = rl->t->nclients;
	pthread_mutex_unlock(&rl->t->lock);
	return n;
}

size_t
ratelimit_longest_chain(struct ratelimit *rl)
{
	struct table	*t = rl->t;
	struct client	*c;
	size_t		 i, n, max = 0;

	pthread_mutex_lock(&t->lock);
	for (i = 0; i < t->nbuckets; i++) {
		for (n = 0, c = t->buckets[i]; c != NULL; c = c->next)
			n++;
		if (n > max)
			max = n;
	}
	pthread_mutex_unlock(&t->lock);
	return max;
}

/*
 * Windows recorded under the old limits stay right under the new ones: a
 * shorter period drops old slots as they are met, a lower maxrate trims a
 * client's count at its next recorded request.  A limit turned off needs
 * no table: the new one is empty, and the old is freed with its last
 * holder.
 */
struct ratelimit *
ratelimit_carry(struct ratelimit *rl, long long maxrate, long long period,
    size_t max_clients)
{
	struct ratelimit *n;

	if (rl == NULL || maxrate <= 0 || rl->maxrate <= 0)
		return ratelimit_new(maxrate, period, max_clients);
	if ((n = handle_new(rl->t, maxrate, period, max_clients)) == NULL)
		return NULL;
	pthread_mutex_lock(&rl->t->lock);
	rl->t->refs++;
	pthread_mutex_unlock(&rl->t->lock);
	return n;
}
