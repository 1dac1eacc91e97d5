/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * uuid: agent ids (version 4 UUIDs) and GLPI request ids.
 */
#include "../testutil.h"

#include <ctype.h>

#include "common/uuid.h"

#define ROUNDS	256

static void
test_uuid_format(void **state)
{
	char	u[UUID_STRLEN + 1];
	int	i, k;

	(void)state;
	for (i = 0; i < ROUNDS; i++) {
		memset(u, 'Z', sizeof(u));
		assert_int_equal(uuid_random(u), 0);
		assert_int_equal(strlen(u), UUID_STRLEN);
		assert_true(uuid_valid(u));
		for (k = 0; k < UUID_STRLEN; k++) {
			if (k == 8 || k == 13 || k == 18 || k == 23) {
				assert_int_equal(u[k], '-');
				continue;
			}
			/* Lower-case hex, as the agent writes it. */
			if (!isxdigit((unsigned char)u[k]) ||
			    isupper((unsigned char)u[k]))
				fail_msg("bad digit in %s", u);
		}
		/* Version 4, RFC 4122 variant. */
		assert_int_equal(u[14], '4');
		assert_non_null(strchr("89ab", u[19]));
	}
}

static void
test_uuid_unique(void **state)
{
	char	u[ROUNDS][UUID_STRLEN + 1];
	int	i, j;

	(void)state;
	for (i = 0; i < ROUNDS; i++)
		assert_int_equal(uuid_random(u[i]), 0);
	for (i = 0; i < ROUNDS; i++)
		for (j = i + 1; j < ROUNDS; j++)
			assert_string_not_equal(u[i], u[j]);
}

static void
test_uuid_valid(void **state)
{
	(void)state;
	assert_true(uuid_valid("3f2504e0-4f89-41d3-9a0c-0305e82c3301"));
	assert_true(uuid_valid("3F2504E0-4F89-41D3-9A0C-0305E82C3301"));
	assert_true(uuid_valid("00000000-0000-0000-0000-000000000000"));
	/* The agent's test does not look at the version digit. */
	assert_true(uuid_valid("3f2504e0-4f89-11d3-9a0c-0305e82c3301"));
	assert_false(uuid_valid(NULL));
	assert_false(uuid_valid(""));
	assert_false(uuid_valid("3f2504e0-4f89-41d3-9a0c-0305e82c330"));
	assert_false(uuid_valid("3f2504e0-4f89-41d3-9a0c-0305e82c33011"));
	assert_false(uuid_valid("3f2504e0-4f89-41d3-9a0c-0305e82c330g"));
	assert_false(uuid_valid("3f2504e04f89-41d3-9a0c-0305e82c3301-"));
	assert_false(uuid_valid("3f2504e0_4f89_41d3_9a0c_0305e82c3301"));
	assert_false(uuid_valid("{3f2504e0-4f89-41d3-9a0c-0305e82c330}"));
	assert_false(uuid_valid(" 3f2504e0-4f89-41d3-9a0c-0305e82c330"));
	assert_false(uuid_valid("3f2504e0-4f89-41d3-9a0c-0305e82c330 "));
	assert_false(uuid_valid("3f2504e0-4f89-41d3-9a0c+0305e82c3301"));
	assert_false(uuid_valid("3f2504e0-4f89-41d3-9a0c-0305e82c33\xc3\xa9"));
}

static void
test_reqid(void **state)
{
	char	r[REQID_STRLEN + 1], seen[ROUNDS][REQID_STRLEN + 1];
	int	i, j, k;

	(void)state;
	for (i = 0; i < ROUNDS; i++) {
		memset(r, 'Z', sizeof(r));
		assert_int_equal(reqid_random(r), 0);
		assert_int_equal(strlen(r), REQID_STRLEN);
		assert_true(reqid_valid(r));
		for (k = 0; k < REQID_STRLEN; k++)
			assert_non_null(strchr("0123456789ABCDEF", r[k]));
		memcpy(seen[i], r, sizeof(r));
	}
	/* 32 random bits: 64 draws collide with odds of about 5e-7. */
	for (i = 0; i < 64; i++)
		for (j = i + 1; j < 64; j++)
			assert_string_not_equal(seen[i], seen[j]);
}

static void
test_reqid_valid(void **state)
{
	(void)state;
	assert_true(reqid_valid("0123ABCD"));
	assert_true(reqid_valid("FFFFFFFF"));
	assert_true(reqid_valid("00000000"));
	assert_false(reqid_valid(NULL));
	assert_false(reqid_valid(""));
	assert_false(reqid_valid("0123abcd"));	/* upper case only */
	assert_false(reqid_valid("0123ABC"));
	assert_false(reqid_valid("0123ABCDE"));
	assert_false(reqid_valid("0123ABCG"));
	assert_false(reqid_valid(" 123ABCD"));
	assert_false(reqid_valid("0123ABC "));
	assert_false(reqid_valid("-123ABCD"));
	assert_false(reqid_valid("0x23ABCD"));
}

static void
test_token(void **state)
{
	char	a[41], b[41];
	int	seen[256] = { 0 }, i, k, kinds = 0;

	(void)state;
	for (i = 0; i < ROUNDS; i++) {
		memset(a, 'Z', sizeof(a));
		assert_int_equal(token_random(a, 40), 0);
		assert_int_equal(strlen(a), 40);
		for (k = 0; k < 40; k++) {
			if (!isalnum((unsigned char)a[k]))
				fail_msg("not a letter or digit in %s", a);
			seen[(unsigned char)a[k]]++;
		}
	}
	for (k = 0; k < 256; k++)
		kinds += seen[k] > 0;
	/* 10,240 draws over 62 symbols: every one of them turns up. */
	assert_int_equal(kinds, 62);
	assert_int_equal(token_random(b, 40), 0);
	assert_string_not_equal(a, b);
	assert_int_equal(token_random(b, 0), 0);
	assert_string_equal(b, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uuid_format),
		cmocka_unit_test(test_uuid_unique),
		cmocka_unit_test(test_uuid_valid),
		cmocka_unit_test(test_reqid),
		cmocka_unit_test(test_reqid_valid),
		cmocka_unit_test(test_token),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
