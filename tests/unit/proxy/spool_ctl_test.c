/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * spool_ctl: a request of passeur spool is one of three lines, with an id
 * of 16 lower-case hexadecimal digits; anything else is refused before
 * it reaches a file name.
 */
#include "../testutil.h"

#include <string.h>

#include "common/err.h"
#include "proxy/spool_ctl.h"

static void
test_parse(void **state)
{
	static const char *const bad[] = {
		"", "\n", "retry", "retry ", "drop --all\n", "retry --all x\n",
		"retry 0123456789ABCDEF\n", "retry 0123456789abcde\n",
		"retry 0123456789abcdef0\n", "drop ../0123456789abcd\n",
		"drop  0123456789abcdef\n", "drop\t0123456789abcdef\n",
		"drop 0123456789abcdef \n", "purge 0123456789abcdef\n",
		"retry 0123456789abcdef\nretry --all\n",
	};
	struct spool_ctl_req	req;
	size_t			i;

	(void)state;
	assert_int_equal(spool_ctl_parse("retry 0123456789abcdef\n", &req), 0);
	assert_int_equal(req.verb, SPOOL_CTL_RETRY);
	assert_int_equal(req.all, 0);
	assert_string_equal(req.id, "0123456789abcdef");
	assert_int_equal(spool_ctl_parse("retry --all\n", &req), 0);
	assert_int_equal(req.all, 1);
	assert_int_equal(spool_ctl_parse("drop 00000000000000ff", &req), 0);
	assert_int_equal(req.verb, SPOOL_CTL_DROP);
	assert_string_equal(req.id, "00000000000000ff");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (spool_ctl_parse(bad[i], &req) != ERR_FORMAT)
			fail_msg("accepted: \"%s\"", bad[i]);
	}
}

static void
test_status(void **state)
{
	(void)state;
	assert_int_equal(spool_ctl_status(0), 0);
	assert_int_equal(spool_ctl_status(ERR_NOT_FOUND), 1);
	assert_int_equal(spool_ctl_status(ERR_EXISTS), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_status),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
