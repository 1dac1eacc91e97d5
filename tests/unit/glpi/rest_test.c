/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * glpi rest: the base of the API's calls from api_url.
 */
#include "../testutil.h"

#include "common/err.h"
#include "glpi/rest.h"

static void
test_base_url(void **state)
{
	static const char *const cases[][2] = {
		{ "http://glpi.example", "http://glpi.example/apirest.php" },
		{ "http://glpi.example/glpi/",
		    "http://glpi.example/glpi/apirest.php" },
		{ "https://h/glpi/apirest.php", "https://h/glpi/apirest.php" },
		{ "https://h/glpi/apirest.php//", "https://h/glpi/apirest.php" },
		{ "http://h/api.php/v1", "http://h/api.php/v1" },
		{ "http://h/api.php/v1/", "http://h/api.php/v1" },
		{ "HTTP://h:8080", "HTTP://h:8080/apirest.php" },
	};
	char	out[128];
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(rest_base_url(cases[i][0], out, sizeof(out)),
		    0);
		assert_string_equal(out, cases[i][1]);
	}
}

static void
test_base_url_refused(void **state)
{
	char	out[24];

	(void)state;
	assert_int_equal(rest_base_url("", out, sizeof(out)), ERR_INVALID);
	assert_int_equal(rest_base_url("glpi.example/apirest.php", out,
	    sizeof(out)), ERR_INVALID);
	assert_int_equal(rest_base_url("ftp://h/", out, sizeof(out)),
	    ERR_INVALID);
	/* Cut would call another URL: refused instead. */
	assert_int_equal(rest_base_url("http://a-long-host.example/", out,
	    sizeof(out)), ERR_TOO_BIG);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base_url),
		cmocka_unit_test(test_base_url_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
