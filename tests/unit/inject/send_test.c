/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * send: the URLs the injector derives from -u.
 */
#include "../testutil.h"

#include "common/err.h"
#include "inject/send.h"

static void
test_token_url(void **state)
{
	static const char *const cases[][2] = {
		{ "https://glpi.example/", "https://glpi.example/api.php/token" },
		{ "https://glpi.example", "https://glpi.example/api.php/token" },
		{ "https://glpi.example/glpi/marketplace/glpiinventory/",
		    "https://glpi.example/glpi/api.php/token" },
		{ "http://h:8080/glpi/plugins/fusioninventory/",
		    "http://h:8080/glpi/api.php/token" },
		{ "http://h/front/inventory.php",
		    "http://h/front/inventory.php/api.php/token" },
		{ "http://u:p@h/glpi//?x=1", "http://u:p@h/glpi/api.php/token?x=1" },
	};
	char	out[256];
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(send_token_url(cases[i][0], out, sizeof(out)),
		    0);
		assert_string_equal(out, cases[i][1]);
	}
	assert_int_equal(send_token_url("glpi.example/", out, sizeof(out)),
	    ERR_FORMAT);
	assert_int_equal(send_token_url("https://glpi.example/", out, 20),
	    ERR_TOO_BIG);
}

static void
test_url_shown(void **state)
{
	char out[256];

	(void)state;
	send_url_shown("https://login:pw@example/x@y", out, sizeof(out));
	assert_string_equal(out, "https://example/x@y");
	send_url_shown("http://example:62354/proxy/glpi", out, sizeof(out));
	assert_string_equal(out, "http://example:62354/proxy/glpi");
	send_url_shown("http://user@h?a@b", out, sizeof(out));
	assert_string_equal(out, "http://h?a@b");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_token_url),
		cmocka_unit_test(test_url_shown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
