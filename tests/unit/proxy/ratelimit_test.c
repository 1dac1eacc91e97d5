/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * ratelimit: the plugin's per-address sliding window (spec section 7).
 * Time is a parameter, so no test sleeps.
 */
#include "../testutil.h"

#include <pthread.h>
#include <stdint.h>

#include "proxy/ratelimit.h"

#define T0	1700000000

static void
test_window(void **state)
{
	struct ratelimit	*rl;
	int			 i;

	(void)state;
	assert_non_null(rl = ratelimit_new(5, 20, 1000));
	for (i = 0; i < 5; i++)
		assert_int_equal(ratelimit_check(rl, "10.0.0.1", T0), 0);
	/* Request maxrate + 1 is refused until the window has passed. */
	assert_int_equal(ratelimit_check(rl, "10.0.0.1", T0), 21);
	assert_int_equal(ratelimit_check(rl, "10.0.0.1", T0), 21);
	/* Same second again: not recorded, the window does not move. */
	for (i = 0; i < 1000; i++)
		assert_true(ratelimit_check(rl, "10.0.0.1", T0) > 0);
	/* Entries older than now - period go: T0 is still inside at +20. */
	assert_int_equal(ratelimit_check(rl, "10.0.0.1", T0 + 21), 0);
	assert_int_equal(ratelimit_clients(rl), 1);
	ratelimit_free(rl);
}

static void
test_sliding(void **state)
{
	struct ratelimit	*rl;
	const char		*ip = "192.0.2.7";

	(void)state;
	assert_non_null(rl = ratelimit_new(5, 20, 1000));
	assert_int_equal(ratelimit_check(rl, ip, T0), 0);
	assert_int_equal(ratelimit_check(rl, ip, T0), 0);
	assert_int_equal(ratelimit_check(rl, ip, T0), 0);
	assert_int_equal(ratelimit_check(rl, ip, T0 + 10), 0);
	assert_int_equal(ratelimit_check(rl, ip, T0 + 10), 0);
	assert_int_equal(ratelimit_check(rl, ip, T0 + 15), 6);
	/*
	 * At +21 the three of T0 have left the window, not the others: a
	 * fixed window would allow 5 here, the sliding one only 2.
	 */
	assert_int_equal(ratelimit_check(rl, ip, T0 + 21), 0);
	assert_int_equal(ratelimit_check(rl, ip, T0 + 21), 0);
	assert_true(ratelimit_check(rl, ip, T0 + 21) > 0);
	/* +31: those of +10 leave too; +15 (refused) and +21 remain. */
	assert_int_equal(ratelimit_check(rl, ip, T0 + 31), 0);
	assert_true(ratelimit_check(rl, ip, T0 + 31) > 0);
	ratelimit_free(rl);
}

static void
test_hammering(void **state)
{
	struct ratelimit	*rl;
	long			 t;
	int			 i;

	(void)state;
	assert_non_null(rl = ratelimit_new(5, 20, 1000));
	for (i = 0; i < 5; i++)
		assert_int_equal(ratelimit_check(rl, "h", T0), 0);
	/* Refused attempts count (one a second): it stays blocked. */
	for (t = T0; t <= T0 + 200; t++)
		for (i = 0; i < 3; i++)
			if (ratelimit_check(rl, "h", t) == 0)
				fail_msg("allowed at +%ld", t - T0);
	/* Still blocked a moment after, free once the window is clear. */
	assert_true(ratelimit_check(rl, "h", T0 + 210) > 0);
	assert_int_equal(ratelimit_check(rl, "h", T0 + 210 + 21), 0);
	ratelimit_free(rl);
}

static void
test_disabled(void **state)
{
	struct ratelimit	*rl;
	int			 i;
	size_t			 before;

	(void)state;
	assert_non_null(rl = ratelimit_new(0, 20, 10));
	before = tu_heap_bytes();
	for (i = 0; i < 100000; i++) {
		char ip[32];

		snprintf(ip, sizeof(ip), "10.%d.%d.%d", i >> 16,
		    (i >> 8) & 255, i & 255);
		assert_int_equal(ratelimit_check(rl, ip, T0), 0);
	}
	/* Off means no table at all. */
	assert_int_equal(ratelimit_clients(rl), 0);
	assert_true(tu_heap_bytes() - before < 1024);
	ratelimit_free(rl);
}

static void
test_independent(void **state)
{
	struct ratelimit	*rl;
	int			 i;

	(void)state;
	assert_non_null(rl = ratelimit_new(2, 60, 10000));
	assert_int_equal(ratelimit_check(rl, "10.0.0.1", T0), 0);
	assert_int_equal(ratelimit_check(rl, "10.0.0.1", T0), 0);
	assert_true(ratelimit_check(rl, "10.0.0.1", T0) > 0);
	assert_int_equal(ratelimit_check(rl, "10.0.0.2", T0), 0);
	assert_int_equal(ratelimit_check(rl, "::ffff:10.0.0.1", T0), 0);
	assert_int_equal(ratelimit_check(rl, "2001:db8::1", T0), 0);
	assert_int_equal(ratelimit_check(rl, "2001:db8::1", T0), 0);
	assert_true(ratelimit_check(rl, "2001:db8::1", T0) > 0);
	assert_int_equal(ratelimit_check(rl, "10.0.0.2", T0 + 1), 0);
	assert_true(ratelimit_check(rl, "10.0.0.2", T0 + 1) > 0);
	assert_true(ratelimit_check(rl, "10.0.0.1", T0 + 1) > 0);
	assert_int_equal(ratelimit_clients(rl), 4);
	/* Many addresses that share hash buckets stay apart. */
	for (i = 0; i < 3000; i++) {
		char ip[32];

		snprintf(ip, sizeof(ip), "172.16.%d.%d", i / 250, i % 250);
		assert_int_equal(ratelimit_check(rl, ip, T0), 0);
		assert_int_equal(ratelimit_check(rl, ip, T0), 0);
	}
	for (i = 0; i < 3000; i++) {
		char ip[32];

		snprintf(ip, sizeof(ip), "172.16.%d.%d", i / 250, i % 250);
		assert_true(ratelimit_check(rl, ip, T0) > 0);
	}
	assert_int_equal(ratelimit_clients(rl), 3004);
	ratelimit_free(rl);
}

static void
test_max_clients(void **state)
{
	struct ratelimit	*rl;
	char			 ip[32];
	int			 i;

	(void)state;
	assert_non_null(rl = ratelimit_new(5, 20, 4));
	for (i = 0; i < 4; i++) {
		snprintf(ip, sizeof(ip), "10.0.0.%d", i);
		assert_int_equal(ratelimit_check(rl, ip, T0), 0);
	}
	assert_int_equal(ratelimit_clients(rl), 4);
	/* Full and nobody idle: a new address evicts the least recent. */
	assert_int_equal(ratelimit_check(rl, "10.0.0.99", T0), 0);
	assert_int_equal(ratelimit_clients(rl), 4);
	/* 10.0.0.0 was evicted, so it is new again and evicts 10.0.0.1. */
	for (i = 0; i < 5; i++)
		assert_int_equal(ratelimit_check(rl, "10.0.0.0", T0 + 1), 0);
	assert_true(ratelimit_check(rl, "10.0.0.0", T0 + 1) > 0);
	/* 10.0.0.2 and 10.0.0.3 kept their request: four more each. */
	for (i = 0; i < 4; i++)
		assert_int_equal(ratelimit_check(rl, "10.0.0.2", T0 + 2), 0);
	assert_true(ratelimit_check(rl, "10.0.0.2", T0 + 2) > 0);
	assert_int_equal(ratelimit_clients(rl), 4);
	/* At +31 every window is empty: the idle ones are swept. */
	assert_int_equal(ratelimit_check(rl, "10.0.0.50", T0 + 31), 0);
	assert_true(ratelimit_clients(rl) < 4);
	ratelimit_free(rl);
}

/*
 * A flood of new addresses fills the table: every new one is still served
 * (once each), memory stays bounded, and a client that keeps sending stays
 * in the table and stays limited.
 */
static void
test_max_clients_flood(void **state)
{
	struct ratelimit	*rl;
	char			 ip[32];
	int			 i, allowed = 0;
	size_t			 before;

	(void)state;
	assert_non_null(rl = ratelimit_new(5, 3600, 16));
	for (i = 0; i < 5; i++)
		assert_int_equal(ratelimit_check(rl, "192.0.2.1", T0), 0);
	assert_true(ratelimit_check(rl, "192.0.2.1", T0) > 0);
	before = tu_heap_bytes();
	for (i = 0; i < 100000; i++) {
		snprintf(ip, sizeof(ip), "10.%d.%d.%d", i >> 16,
		    (i >> 8) & 255, i & 255);
		allowed += ratelimit_check(rl, ip, T0 + i / 1000) == 0;
		if (i % 8 == 0 &&
		    ratelimit_check(rl, "192.0.2.1", T0 + i / 1000) == 0)
			fail_msg("the hammering client allowed at %d", i);
	}
	assert_int_equal(allowed, 100000);
	assert_int_equal(ratelimit_clients(rl), 16);
	assert_true(tu_heap_bytes() - before < 16 * 1024);
	ratelimit_free(rl);
}

/* Idle clients leave a few per call, not all at once. */
static void
test_incremental_sweep(void **state)
{
	struct ratelimit	*rl;
	char			 ip[32];
	int			 i;
	size_t			 n;

	(void)state;
	assert_non_null(rl = ratelimit_new(5, 20, 1000));
	for (i = 0; i < 1000; i++) {
		snprintf(ip, sizeof(ip), "10.0.%d.%d", i >> 8, i & 255);
		assert_int_equal(ratelimit_check(rl, ip, T0), 0);
	}
	assert_int_equal(ratelimit_clients(rl), 1000);
	/* Every window is empty at +21: one call removes a few. */
	assert_int_equal(ratelimit_check(rl, "10.1.0.0", T0 + 21), 0);
	n = ratelimit_clients(rl);
	assert_true(n < 1000 && n > 900);
	for (i = 0; i < 200; i++)
		(void)ratelimit_check(rl, "10.1.0.0", T0 + 21);
	assert_int_equal(ratelimit_clients(rl), 1);
	ratelimit_free(rl);
}

/* An IPv6 address counts for its /64. */
static void
test_ipv6_prefix(void **state)
{
	struct ratelimit	*rl;

	(void)state;
	assert_non_null(rl = ratelimit_new(2, 60, 100));
	assert_int_equal(ratelimit_check(rl, "2001:db8:1:2::1", T0), 0);
	assert_int_equal(ratelimit_check(rl, "2001:db8:1:2:aaaa:bbbb:cccc:"
	    "dddd", T0), 0);
	assert_true(ratelimit_check(rl, "2001:db8:1:2::ffff", T0) > 0);
	assert_true(ratelimit_check(rl, "2001:0db8:0001:0002:0::7", T0) > 0);
	/* Another /64, and IPv4 (mapped or not), count apart. */
	assert_int_equal(ratelimit_check(rl, "2001:db8:1:3::1", T0), 0);
	assert_int_equal(ratelimit_check(rl, "::ffff:10.0.0.1", T0), 0);
	assert_int_equal(ratelimit_check(rl, "::ffff:10.0.0.2", T0), 0);
	assert_int_equal(ratelimit_check(rl, "10.0.0.1", T0), 0);
	/* Keys that are not addresses are kept as they are. */
	assert_int_equal(ratelimit_check(rl, "agent 2001:db8:1:2::1", T0), 0);
	assert_int_equal(ratelimit_check(rl, "::1", T0), 0);
	/* Link-local addresses share fe80::/64 with the whole link. */
	assert_int_equal(ratelimit_check(rl, "fe80::1", T0), 0);
	assert_int_equal(ratelimit_check(rl, "fe80::1", T0), 0);
	assert_int_equal(ratelimit_check(rl, "fe80::2", T0), 0);
	assert_int_equal(ratelimit_clients(rl), 9);
	ratelimit_free(rl);
}

static void
test_memory_bound(void **state)
{
	struct ratelimit	*rl;
	size_t			 before, grown;
	long			 i;

	(void)state;
	/* A huge maxrate: one second holds a counter, not 1e6 entries. */
	assert_non_null(rl = ratelimit_new(2000000, 3600, 100));
	before = tu_heap_bytes();
	for (i = 0; i < 1000000; i++)
		if (ratelimit_check(rl, "10.9.8.7", T0) != 0)
			fail_msg("limited at request %ld", i);
	grown = tu_heap_bytes() - before;
	assert_int_equal(ratelimit_clients(rl), 1);
	assert_true(grown < 1024);
	/* The counter is right: 1e6 more fit, the next one does not. */
	for (i = 0; i < 1000000; i++)
		if (ratelimit_check(rl, "10.9.8.7", T0 + 1) != 0)
			fail_msg("limited at request %ld", 1000000 + i);
	assert_true(ratelimit_check(rl, "10.9.8.7", T0 + 1) > 0);
	assert_true(tu_heap_bytes() - before < 1024);
	ratelimit_free(rl);

	/* One request a second for a long time: the ring holds the window. */
	assert_non_null(rl = ratelimit_new(100000000, 20, 100));
	before = tu_heap_bytes();
	for (i = 0; i < 200000; i++)
		assert_int_equal(ratelimit_check(rl, "10.9.8.7", T0 + i), 0);
	assert_true(tu_heap_bytes() - before < 1024);
	ratelimit_free(rl);

	/* A small maxrate keeps maxrate + 1 requests, whatever the period. */
	assert_non_null(rl = ratelimit_new(3, 31 * 86400, 100));
	before = tu_heap_bytes();
	for (i = 0; i < 200000; i++)
		(void)ratelimit_check(rl, "10.9.8.7", T0 + i);
	assert_true(tu_heap_bytes() - before < 1024);
	ratelimit_free(rl);
}

/*
 * The reference algorithm, as the spec states it, on a plain list of
 * timestamps: drop entries < now - period; append now unless more than
 * maxrate are kept and the last one is now; limited iff more than maxrate.
 */
struct model {
	long	*t;
	size_t	 n, cap;
};

static int
model_check(struct model *m, long maxrate, long period, long now)
{
	size_t k = 0;

	while (k < m->n && m->t[k] < now - period)
		k++;
	if (k > 0) {
		memmove(m->t, m->t + k, (m->n - k) * sizeof(*m->t));
		m->n -= k;
	}
	if (!(m->n > (size_t)maxrate && m->t[m->n - 1] == now)) {
		if (m->n == m->cap) {
			m->cap = m->cap ? m->cap * 2 : 16;
			if ((m->t = realloc(m->t, m->cap * sizeof(*m->t))) ==
			    NULL)
				fail();
		}
		m->t[m->n++] = now;
	}
	return m->n > (size_t)maxrate;
}

static uint32_t
rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void
test_model(void **state)
{
	static const long	 rates[] = { 1, 2, 3, 5, 8 };
	static const long	 periods[] = { 1, 2, 7, 20 };
	static const char	*ips[] = { "a", "b", "c" };
	struct ratelimit	*rl;
	struct model		 m[3];
	uint32_t		 seed = 12345;
	size_t			 ri, pi;
	long			 now, w;
	int			 i, k, want;

	(void)state;
	for (ri = 0; ri < sizeof(rates) / sizeof(rates[0]); ri++)
		for (pi = 0; pi < sizeof(periods) / sizeof(periods[0]); pi++) {
			memset(m, 0, sizeof(m));
			assert_non_null(rl = ratelimit_new(rates[ri],
			    periods[pi], 100));
			now = T0;
			for (i = 0; i < 20000; i++) {
				/* Bursts, pauses and long gaps. */
				switch (rnd(&seed) % 8) {
				case 0:
					now += rnd(&seed) % (3 * periods[pi]);
					break;
				case 1:
				case 2:
					now += 1;
					break;
				default:
					break;
				}
				k = (int)(rnd(&seed) % 3);
				want = model_check(&m[k], rates[ri],
				    periods[pi], now);
				w = ratelimit_check(rl, ips[k], now);
				if ((w > 0) != want)
					fail_msg("maxrate %ld period %ld event "
					    "%d: got %ld, reference %s",
					    rates[ri], periods[pi], i, w,
					    want ? "limited" : "allowed");
				assert_true(w >= 0 && w <= periods[pi] + 1);
			}
			for (k = 0; k < 3; k++)
				free(m[k].t);
			ratelimit_free(rl);
		}
}

struct hammer {
	struct ratelimit	*rl;
	int			 allowed;
};

static void *
hammer_run(void *arg)
{
	struct hammer	*h = arg;
	int		 i;

	for (i = 0; i < 20000; i++)
		if (ratelimit_check(h->rl, "203.0.113.9", T0) == 0)
			h->allowed++;
	return NULL;
}

static void
test_threads(void **state)
{
	struct ratelimit	*rl;
	struct hammer		 h[4];
	pthread_t		 th[4];
	int			 i, total = 0;

	(void)state;
	assert_non_null(rl = ratelimit_new(1000, 60, 100));
	for (i = 0; i < 4; i++) {
		h[i].rl = rl;
		h[i].allowed = 0;
		assert_int_equal(pthread_create(&th[i], NULL, hammer_run,
		    &h[i]), 0);
	}
	for (i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		total += h[i].allowed;
	}
	/* Exactly maxrate, however the threads interleave. */
	assert_int_equal(total, 1000);
	ratelimit_free(rl);
}

static void
test_free_null(void **state)
{
	(void)state;
	ratelimit_free(NULL);
}

static void
test_retry_after(void **state)
{
	struct ratelimit	*rl;
	long			 w;
	int			 i;

	(void)state;
	/*
	 * The returned wait becomes Retry-After: a client that obeys it must
	 * be served.  The refused request is recorded too, so two entries
	 * must leave the window: refused until T0 + 21, allowed at T0 + 22.
	 */
	assert_non_null(rl = ratelimit_new(5, 20, 100));
	for (i = 0; i < 5; i++)
		assert_int_equal(ratelimit_check(rl, "c", T0 + i), 0);
	w = ratelimit_check(rl, "c", T0 + 5);
	assert_true(w > 0);
	assert_int_equal(ratelimit_check(rl, "c", T0 + 5 + w), 0);
	ratelimit_free(rl);
}

/*
 * Keys of trusted requests are agent and device ids, longer than an
 * address: two that differ only at their end are two clients, and a key
 * past RATELIMIT_KEY_MAX is limited rather than cut.
 */
static void
test_long_keys(void **state)
{
	struct ratelimit	*rl;
	char			 a[300], b[300], huge[RATELIMIT_KEY_MAX + 2];

	(void)state;
	memset(a, 'd', sizeof(a) - 1);
	a[sizeof(a) - 1] = '\0';
	memcpy(b, a, sizeof(b));
	a[sizeof(a) - 2] = 'a';
	b[sizeof(b) - 2] = 'b';
	memset(huge, 'h', sizeof(huge) - 1);
	huge[sizeof(huge) - 1] = '\0';
	assert_non_null(rl = ratelimit_new(1, 20, 1000));
	assert_int_equal(ratelimit_check(rl, a, T0), 0);
	assert_int_equal(ratelimit_check(rl, b, T0), 0);
	assert_true(ratelimit_check(rl, a, T0) > 0);
	assert_true(ratelimit_check(rl, b, T0) > 0);
	assert_int_equal(ratelimit_clients(rl), 2);
	assert_true(ratelimit_check(rl, huge, T0) > 0);
	assert_int_equal(ratelimit_clients(rl), 2);
	ratelimit_free(rl);
}

/* The unkeyed hash the table used to have (FNV-1a, 1024 buckets). */
static size_t
fnv_bucket(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	while (*s != '\0')
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return (size_t)(h % 1024);
}

/*
 * Addresses chosen to share one bucket under an unkeyed hash spread
 * evenly under the keyed one.
 */
static void
test_adversarial_keys_spread(void **state)
{
	struct ratelimit	*rl;
	char			 ip[32];
	size_t			 longest;
	int			 i, n = 0;

	(void)state;
	assert_non_null(rl = ratelimit_new(5, 60, 100000));
	for (i = 0; i < (1 << 24) && n < 2000; i++) {
		snprintf(ip, sizeof(ip), "10.%d.%d.%d", i >> 16,
		    (i >> 8) & 255, i & 255);
		if (fnv_bucket(ip) != 0)
			continue;
		assert_int_equal(ratelimit_check(rl, ip, T0), 0);
		n++;
	}
	assert_int_equal(n, 2000);
	assert_int_equal(ratelimit_clients(rl), 2000);
	longest = ratelimit_longest_chain(rl);
	if (longest > 30)
		fail_msg("longest chain %zu", longest);
	ratelimit_free(rl);
}

/*
 * A reload carries the table: a limited client stays limited under the
 * new limits, the old generation keeps its own, and freeing either one
 * leaves the other working.
 */
static void
test_carry(void **state)
{
	struct ratelimit	*old, *new, *off;
	char			 ip[32];
	int			 i;

	(void)state;
	assert_non_null(old = ratelimit_new(2, 60, 100));
	assert_int_equal(ratelimit_check(old, "10.0.0.1", T0), 0);
	assert_int_equal(ratelimit_check(old, "10.0.0.1", T0), 0);
	assert_true(ratelimit_check(old, "10.0.0.1", T0) > 0);
	/* Same limits: the client is still refused. */
	assert_non_null(new = ratelimit_carry(old, 2, 60, 100));
	assert_true(ratelimit_check(new, "10.0.0.1", T0 + 1) > 0);
	assert_int_equal(ratelimit_clients(new), 1);
	/* The old generation counts in the same table, its own limits. */
	assert_int_equal(ratelimit_check(old, "10.0.0.2", T0 + 1), 0);
	assert_int_equal(ratelimit_check(new, "10.0.0.2", T0 + 1), 0);
	assert_true(ratelimit_check(new, "10.0.0.2", T0 + 1) > 0);
	ratelimit_free(old);
	assert_true(ratelimit_check(new, "10.0.0.1", T0 + 2) > 0);
	/* A higher maxrate lets it through at once, a lower one does not. */
	old = new;
	assert_non_null(new = ratelimit_carry(old, 1, 60, 100));
	assert_true(ratelimit_check(new, "10.0.0.1", T0 + 3) > 0);
	ratelimit_free(new);
	assert_non_null(new = ratelimit_carry(old, 10, 60, 100));
	assert_int_equal(ratelimit_check(new, "10.0.0.1", T0 + 3), 0);
	ratelimit_free(old);
	/* A smaller table shrinks as new clients come. */
	for (i = 0; i < 80; i++) {
		snprintf(ip, sizeof(ip), "10.1.0.%d", i);
		assert_int_equal(ratelimit_check(new, ip, T0 + 4), 0);
	}
	old = new;
	assert_non_null(new = ratelimit_carry(old, 10, 60, 16));
	ratelimit_free(old);
	for (i = 0; i < 20; i++) {
		snprintf(ip, sizeof(ip), "10.2.0.%d", i);
		assert_int_equal(ratelimit_check(new, ip, T0 + 5), 0);
	}
	assert_int_equal(ratelimit_clients(new), 16);
	/* Turned off then on: nothing to carry, a fresh table. */
	assert_non_null(off = ratelimit_carry(new, 0, 60, 16));
	ratelimit_free(new);
	assert_int_equal(ratelimit_check(off, "10.0.0.1", T0 + 6), 0);
	assert_int_equal(ratelimit_clients(off), 0);
	assert_non_null(new = ratelimit_carry(off, 2, 60, 16));
	ratelimit_free(off);
	assert_int_equal(ratelimit_check(new, "10.0.0.1", T0 + 6), 0);
	assert_int_equal(ratelimit_clients(new), 1);
	ratelimit_free(new);
	assert_non_null(new = ratelimit_carry(NULL, 2, 60, 16));
	ratelimit_free(new);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_adversarial_keys_spread),
		cmocka_unit_test(test_window),
		cmocka_unit_test(test_sliding),
		cmocka_unit_test(test_hammering),
		cmocka_unit_test(test_disabled),
		cmocka_unit_test(test_independent),
		cmocka_unit_test(test_max_clients),
		cmocka_unit_test(test_max_clients_flood),
		cmocka_unit_test(test_incremental_sweep),
		cmocka_unit_test(test_ipv6_prefix),
		cmocka_unit_test(test_carry),
		cmocka_unit_test(test_memory_bound),
		cmocka_unit_test(test_model),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_free_null),
		cmocka_unit_test(test_retry_after),
		cmocka_unit_test(test_long_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
