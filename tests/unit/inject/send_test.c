/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * send: how the injector shows -u in its messages.
 */
#include "../testutil.h"

#include "common/err.h"
#include "inject/send.h"

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
		cmocka_unit_test(test_url_shown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
