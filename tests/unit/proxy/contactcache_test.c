/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * contactcache: the last CONTACT answer of each upstream, in memory and
 * in the state folder.
 */
#include "../testutil.h"

#include "common/err.h"
#include "proxy/contactcache.h"

#define T0	1700000000
#define URL	"http://glpi.example/front/inventory.php"
#define OK	"{\"status\":\"ok\",\"expiration\":24,\"tasks\":" \
		"{\"inventory\":{\"server\":\"glpi\",\"version\":\"10.0.18\"}}}"

static void
test_put_get(void **state)
{
	struct contactcache	*cc;
	char			*dir, *a;
	size_t			 len;
	time_t			 when;

	(void)state;
	dir = tu_mkdtemp("contactcache");
	assert_int_equal(contactcache_open(&cc, dir), 0);
	assert_int_equal(contactcache_get(cc, 0, URL, &a, &len, &when),
	    ERR_NOT_FOUND);
	assert_int_equal(contactcache_put(cc, 0, URL, OK, strlen(OK), T0), 0);
	assert_int_equal(contactcache_get(cc, 0, URL, &a, &len, &when), 0);
	assert_string_equal(a, OK);
	assert_int_equal(len, strlen(OK));
	assert_int_equal(when, T0);
	free(a);
	/* Another URL at the same index, or another index: not this one. */
	assert_int_equal(contactcache_get(cc, 0, "http://other/", &a, &len,
	    &when), ERR_NOT_FOUND);
	assert_int_equal(contactcache_get(cc, 1, URL, &a, &len, &when),
	    ERR_NOT_FOUND);
	assert_int_equal(contactcache_get(cc, 99, URL, &a, &len, &when),
	    ERR_NOT_FOUND);
	contactcache_free(cc);
	tu_rmtree(dir);
}

static void
test_refuses_invalid_and_large(void **state)
{
	static const char *bad[] = {
		"{\"status\":\"error\",\"message\":\"no\",\"tasks\":{}}",
		"{\"status\":\"ok\"}",
		"{\"status\":\"ok\",\"tasks\":[]}",
		"[1]",
		"not json",
		"{\"status\":\"pending\",\"tasks\":{}}",
	};
	struct contactcache	*cc;
	char			*dir, *a, *big;
	size_t			 i, len;
	time_t			 when;

	(void)state;
	dir = tu_mkdtemp("contactcache");
	assert_int_equal(contactcache_open(&cc, dir), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(contactcache_put(cc, 0, URL, bad[i],
		    strlen(bad[i]), T0), ERR_FORMAT);
	/* A valid answer over the ceiling: padded with spaces. */
	len = CONTACTCACHE_MAX_ANSWER + 1;
	assert_non_null(big = malloc(len));
	memset(big, ' ', len);
	memcpy(big, OK, strlen(OK));
	assert_int_equal(contactcache_put(cc, 0, URL, big, len, T0),
	    ERR_TOO_BIG);
	free(big);
	assert_int_equal(contactcache_get(cc, 0, URL, &a, &len, &when),
	    ERR_NOT_FOUND);
	assert_int_equal(contactcache_put(cc, 8, URL, OK, strlen(OK), T0),
	    ERR_INVALID);
	contactcache_free(cc);
	tu_rmtree(dir);
}

/* A restart finds the answer, with the time it was received. */
static void
test_persisted(void **state)
{
	struct contactcache	*cc;
	char			*dir, *a;
	size_t			 len;
	time_t			 when;

	(void)state;
	dir = tu_mkdtemp("contactcache");
	assert_int_equal(contactcache_open(&cc, dir), 0);
	assert_int_equal(contactcache_put(cc, 1, URL, OK, strlen(OK), T0), 0);
	contactcache_free(cc);
	assert_int_equal(contactcache_open(&cc, dir), 0);
	assert_int_equal(contactcache_get(cc, 1, URL, &a, &len, &when), 0);
	assert_int_equal(when, T0);
	assert_non_null(strstr(a, "\"version\":\"10.0.18\""));
	free(a);
	contactcache_free(cc);
	/* A file that is not ours is ignored, not fatal. */
	tu_write_str(dir, "contact-server0.json", "{\"x\":1}");
	assert_int_equal(contactcache_open(&cc, dir), 0);
	assert_int_equal(contactcache_get(cc, 0, URL, &a, &len, &when),
	    ERR_NOT_FOUND);
	contactcache_free(cc);
	tu_rmtree(dir);
}

/* The same answer again costs no write for an hour; a new one does. */
static void
test_same_answer_written_hourly(void **state)
{
	struct contactcache	*cc;
	char			*dir, *path, *a;
	size_t			 len;
	time_t			 when;
	const char		*other = "{\"status\":\"ok\",\"tasks\":{}}";

	(void)state;
	dir = tu_mkdtemp("contactcache");
	path = tu_path(dir, "contact-server0.json");
	assert_int_equal(contactcache_open(&cc, dir), 0);
	assert_int_equal(contactcache_put(cc, 0, URL, OK, strlen(OK), T0), 0);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(contactcache_put(cc, 0, URL, OK, strlen(OK),
	    T0 + 10), 0);
	assert_int_equal(access(path, F_OK), -1);
	/* Memory has the time of the last one all the same. */
	assert_int_equal(contactcache_get(cc, 0, URL, &a, &len, &when), 0);
	assert_int_equal(when, T0 + 10);
	free(a);
	assert_int_equal(contactcache_put(cc, 0, URL, OK, strlen(OK),
	    T0 + CONTACTCACHE_REFRESH), 0);
	assert_int_equal(access(path, F_OK), 0);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(contactcache_put(cc, 0, URL, other, strlen(other),
	    T0 + CONTACTCACHE_REFRESH + 1), 0);
	assert_int_equal(access(path, F_OK), 0);
	contactcache_free(cc);
	free(path);
	tu_rmtree(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_put_get),
		cmocka_unit_test(test_refuses_invalid_and_large),
		cmocka_unit_test(test_persisted),
		cmocka_unit_test(test_same_answer_written_hourly),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
