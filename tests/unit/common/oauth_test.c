/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * oauth: the token endpoint derived from a server URL.
 */
#include "../testutil.h"

#include "common/err.h"
#include "common/oauth.h"

static void
test_token_url(void **state)
{
	static const char *const cases[][2] = {
		{ "https://glpi.example/", "https://glpi.example/api.php/token" },
		{ "https://glpi.example", "https://glpi.example/api.php/token" },
		/* The inventory routes of GLPI 10 and 11. */
		{ "http://h/front/inventory.php", "http://h/api.php/token" },
		{ "https://h/glpi/front/inventory.php/",
		    "https://h/glpi/api.php/token" },
		{ "http://h:8080/glpi/Inventory", "http://h:8080/glpi/api.php/token" },
		/* The plugin routes, as glpi-injector cuts them. */
		{ "https://glpi.example/glpi/marketplace/glpiinventory/",
		    "https://glpi.example/glpi/api.php/token" },
		{ "http://h:8080/glpi/plugins/fusioninventory/",
		    "http://h:8080/glpi/api.php/token" },
		{ "http://u:p@h/glpi//?x=1", "http://u:p@h/glpi/api.php/token?x=1" },
		/* Another path (a proxy's) is kept whole. */
		{ "http://box:62354/proxy/glpi",
		    "http://box:62354/proxy/glpi/api.php/token" },
	};
	char	out[256];
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(oauth_token_url(cases[i][0], out, sizeof(out)),
		    0);
		assert_string_equal(out, cases[i][1]);
	}
	assert_int_equal(oauth_token_url("glpi.example/", out, sizeof(out)),
	    ERR_FORMAT);
	assert_int_equal(oauth_token_url("https://glpi.example/", out, 20),
	    ERR_TOO_BIG);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_token_url),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
