/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * schema: which versions of GLPI passeur glpi reads, and as what.
 */
#include "../testutil.h"

#include "common/err.h"
#include "glpi/schema.h"

static void
test_versions(void **state)
{
	static const char *const refused[] = {
		"9.5.13", "10.1.0", "11.1.0", "12.0.0", "10.0", "11.0.", "10.0.x",
		"1.0.0", "", "110.0.1",
	};
	enum glpi_schema	s;
	size_t			i;

	(void)state;
	assert_int_equal(schema_of_version("10.0.18", &s), 0);
	assert_int_equal(s, GLPI_SCHEMA_10);
	assert_int_equal(schema_of_version("11.0.6", &s), 0);
	assert_int_equal(s, GLPI_SCHEMA_11);
	assert_int_equal(schema_of_version("11.0.99", &s), 0);
	assert_int_equal(s, GLPI_SCHEMA_11);
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		assert_int_equal(schema_of_version(refused[i], &s),
		    ERR_INVALID);
	assert_string_equal(schema_name(GLPI_SCHEMA_11), "11.0");
	assert_false(schema_tokens_encrypted(GLPI_SCHEMA_10));
	assert_true(schema_tokens_encrypted(GLPI_SCHEMA_11));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_versions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
