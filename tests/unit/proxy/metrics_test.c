/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * metrics: counts of many threads summed on read, shards handed from
 * threads that ended to new ones without losing a count, bounded label
 * sets, and upstream URLs without their credentials.
 */
#include "../testutil.h"

#include <pthread.h>

#include "common/err.h"
#include "proxy/metrics.h"

#define THREADS	8
#define EACH	10000

/* Every test adds to the process-wide counters: compare with a start. */
static struct metrics_snapshot before, after;

static void *
count(void *arg)
{
	int i;

	(void)arg;
	for (i = 0; i < EACH; i++) {
		metrics_request_begin();
		metrics_request_end("proxy", "inventory", 200, 100, 10, 0.02);
	}
	metrics_rate_limited();
	metrics_store(0);
	metrics_store(ERR_SYSTEM);
	return NULL;
}

static void
run_threads(int n)
{
	pthread_t	t[THREADS];
	int		i;

	for (i = 0; i < n; i++)
		assert_int_equal(pthread_create(&t[i], NULL, count, NULL), 0);
	for (i = 0; i < n; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
}

static void
test_threads_summed(void **state)
{
	int inv = metrics_action_of("inventory");
	int ok = metrics_status_of(200);

	(void)state;
	metrics_read(&before);
	run_threads(THREADS);
	/* Again: the shards of the threads that ended are taken over. */
	run_threads(THREADS);
	metrics_read(&after);
	assert_int_equal(after.requests[MI_PROXY][inv][ok] -
	    before.requests[MI_PROXY][inv][ok], 2 * THREADS * EACH);
	assert_int_equal(after.bytes_in - before.bytes_in,
	    2ULL * THREADS * EACH * 100);
	assert_int_equal(after.bytes_out - before.bytes_out,
	    2ULL * THREADS * EACH * 10);
	assert_int_equal(after.rate_limited - before.rate_limited, 2 * THREADS);
	assert_int_equal(after.stored - before.stored, 2 * THREADS);
	assert_int_equal(after.store_errors - before.store_errors,
	    2 * THREADS);
	assert_int_equal(after.inflight, 0);
	/* 0.02 s falls in the 0.025 bucket. */
	assert_int_equal(after.duration.buckets[2] - before.duration.buckets[2],
	    2 * THREADS * EACH);
	assert_true(after.duration.sum - before.duration.sum > 2 * THREADS *
	    EACH * 0.0199);
	assert_true(after.last_stored > 0 && after.last_store_error > 0);
}

static void
test_inflight(void **state)
{
	(void)state;
	metrics_request_begin();
	metrics_request_begin();
	metrics_read(&after);
	assert_int_equal(after.inflight, 2);
	metrics_request_end(NULL, NULL, 0, 0, 0, 0);
	metrics_request_end(NULL, NULL, 0, 0, 0, 0);
	metrics_read(&after);
	assert_int_equal(after.inflight, 0);
}

static void
test_labels_bounded(void **state)
{
	char name[8];

	(void)state;
	assert_int_equal(metrics_instance_of("proxy2"), MI_PROXY2);
	assert_int_equal(metrics_instance_of("nothing"), MI_NONE);
	assert_int_equal(metrics_instance_of(NULL), MI_NONE);
	assert_int_equal(metrics_action_of("anything else"), MA_OTHER);
	assert_int_equal(metrics_action_of(NULL), MA_NONE);
	assert_string_equal(metrics_action_name(metrics_action_of("poll")),
	    "poll");
	assert_int_equal(metrics_status_of(299), MS_COUNT - 1);
	metrics_status_name(MS_COUNT - 1, name);
	assert_string_equal(name, "other");
	metrics_status_name(metrics_status_of(429), name);
	assert_string_equal(name, "429");
	assert_int_equal(metrics_status_code(metrics_status_of(503)), 503);
	assert_int_equal(metrics_status_code(MS_COUNT - 1), -1);
}

static const struct metrics_upstream *
upstream(const struct metrics_snapshot *s, const char *url)
{
	int i;

	for (i = 0; i <= METRICS_UPSTREAMS; i++)
		if (strcmp(s->up[i].url, url) == 0)
			return &s->up[i];
	return NULL;
}

static void
test_upstreams(void **state)
{
	const struct metrics_upstream	*u;
	char				 url[64];
	int				 i;

	(void)state;
	metrics_delivery("https://glpi:secret@glpi.example/front/inventory.php",
	    1, metrics_now(), NULL);
	metrics_delivery("https://glpi.example/front/inventory.php", 0,
	    metrics_now(), "HTTP 500");
	metrics_read(&after);
	assert_null(upstream(&after,
	    "https://glpi:secret@glpi.example/front/inventory.php"));
	u = upstream(&after, "https://glpi.example/front/inventory.php");
	assert_non_null(u);
	assert_int_equal(u->ok, 1);
	assert_int_equal(u->failed, 1);
	assert_int_equal(u->up, 0);
	assert_int_equal(u->duration.count, 2);
	/* Past the table, every URL is counted as "other". */
	for (i = 0; i < METRICS_UPSTREAMS + 4; i++) {
		snprintf(url, sizeof(url), "http://host%d/", i);
		metrics_delivery(url, 1, metrics_now(), NULL);
	}
	metrics_read(&after);
	u = upstream(&after, "other");
	assert_non_null(u);
	assert_int_equal(u->ok, 5);	/* 2 taken above, 16 in the table */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_threads_summed),
		cmocka_unit_test(test_inflight),
		cmocka_unit_test(test_labels_bounded),
		cmocka_unit_test(test_upstreams),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
