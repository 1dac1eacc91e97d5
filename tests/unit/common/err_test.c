/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * err: every code has its own text; other numbers are named as unknown.
 */
#include "../testutil.h"

#include "common/err.h"

static void
test_err_known(void **state)
{
	const char	*seen[-ERR_LAST + 1];
	int		 code, k, n = 0;

	(void)state;
	assert_string_equal(err_str(ERR_OK), "success");
	assert_string_equal(err_str(ERR_NOMEM), "out of memory");
	assert_string_equal(err_str(ERR_SYSTEM), "system error");
	/* Each code has a text of its own, none of them "unknown". */
	for (code = ERR_OK; code >= ERR_LAST; code--) {
		if (code == -1)
			continue;
		seen[n] = err_str(code);
		assert_non_null(seen[n]);
		assert_null(strstr(seen[n], "unknown"));
		for (k = 0; k < n; k++)
			assert_string_not_equal(seen[k], seen[n]);
		n++;
	}
}

static void
test_err_unknown(void **state)
{
	char	want[40];

	(void)state;
	/* A stray -1 from a system call is not a known code. */
	assert_true(ERR_NOMEM != -1 && ERR_SYSTEM != -1);
	assert_string_equal(err_str(-1), "unknown error (-1)");
	snprintf(want, sizeof(want), "unknown error (%d)", ERR_LAST - 1);
	assert_string_equal(err_str(ERR_LAST - 1), want);
	assert_string_equal(err_str(1), "unknown error (1)");
	assert_string_equal(err_str(-2147483647 - 1),
	    "unknown error (-2147483648)");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_err_known),
		cmocka_unit_test(test_err_unknown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
