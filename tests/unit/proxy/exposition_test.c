/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * exposition: the Prometheus text format of a snapshot: cumulative
 * buckets, escaped label values, only counted request series, and the
 * ceiling of the output buffer.
 */
#include "../testutil.h"

#include "common/err.h"
#include "proxy/exposition.h"

static struct metrics_snapshot s;

static char *
render(size_t max, int *r)
{
	struct buf b;

	buf_init(&b, max);
	*r = exposition_write(&b, &s, 1);
	return buf_steal(&b, NULL);
}

static void
test_histogram_cumulative(void **state)
{
	char	*out;
	int	 r;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.duration.buckets[0] = 2;
	s.duration.buckets[3] = 1;
	s.duration.buckets[MB_COUNT] = 4;	/* over 60 s */
	s.duration.count = 7;
	s.duration.sum = 500.25;
	out = render(1 << 20, &r);
	assert_int_equal(r, 0);
	assert_non_null(strstr(out,
	    "passeur_request_duration_seconds_bucket{le=\"0.005\"} 2\n"));
	assert_non_null(strstr(out,
	    "passeur_request_duration_seconds_bucket{le=\"0.025\"} 2\n"));
	assert_non_null(strstr(out,
	    "passeur_request_duration_seconds_bucket{le=\"0.05\"} 3\n"));
	assert_non_null(strstr(out,
	    "passeur_request_duration_seconds_bucket{le=\"60\"} 3\n"));
	assert_non_null(strstr(out,
	    "passeur_request_duration_seconds_bucket{le=\"+Inf\"} 7\n"));
	assert_non_null(strstr(out,
	    "passeur_request_duration_seconds_count 7\n"));
	assert_non_null(strstr(out,
	    "passeur_request_duration_seconds_sum 500.250000000\n"));
	/* No request counted: no series, the family is still declared. */
	assert_non_null(strstr(out, "# TYPE passeur_requests_total counter\n"));
	assert_null(strstr(out, "passeur_requests_total{"));
	assert_non_null(strstr(out, "passeur_healthy 1\n"));
	free(out);
}

static void
test_labels_escaped(void **state)
{
	char	*out;
	int	 r;

	(void)state;
	memset(&s, 0, sizeof(s));
	snprintf(s.up[0].url, sizeof(s.up[0].url), "http://a/\"x\\y\nz");
	s.up[0].ok = 3;
	s.up[0].up = 1;
	s.requests[MI_PROXY2][MA_CONTACT][metrics_status_of(202)] = 4;
	out = render(1 << 20, &r);
	assert_int_equal(r, 0);
	assert_non_null(strstr(out, "passeur_deliveries_total{upstream="
	    "\"http://a/\\\"x\\\\y\\nz\",result=\"ok\"} 3\n"));
	assert_non_null(strstr(out, "passeur_upstream_up{upstream="
	    "\"http://a/\\\"x\\\\y\\nz\"} 1\n"));
	assert_non_null(strstr(out,
	    "passeur_requests_total{instance=\"proxy2\",action=\"contact\","
	    "status=\"202\"} 4\n"));
	free(out);
}

static void
test_ceiling(void **state)
{
	char	*out;
	int	 r;

	(void)state;
	memset(&s, 0, sizeof(s));
	out = render(512, &r);
	assert_int_equal(r, ERR_TOO_BIG);
	free(out);
}

static void
test_process(void **state)
{
	struct process_stats p;

	(void)state;
	exposition_process(&p);
	assert_true(p.cpu_seconds >= 0);
	assert_true(p.resident_bytes > 0);
	assert_true(p.open_fds >= 3);
	assert_true(p.start_time > 1.6e9);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_histogram_cumulative),
		cmocka_unit_test(test_labels_escaped),
		cmocka_unit_test(test_ceiling),
		cmocka_unit_test(test_process),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
