/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * chain: the GLPI-Proxy-ID header (pipeline step 5, spec section 12.1).
 */
#include "../testutil.h"

#include "common/err.h"
#include "proxy/chain.h"

#define OWN	"3f2504e0-4f89-41d3-9a0c-0305e82c3301"
#define OWN_UP	"3F2504E0-4F89-41D3-9A0C-0305E82C3301"
#define A	"0d4f8a5c-1b2e-4c3d-8e9f-a0b1c2d3e4f5"
#define B	"9b8a7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
#define I(n)	"00000000-0000-4000-8000-00000000000" #n

static void
test_no_header(void **state)
{
	(void)state;
	assert_int_equal(chain_check(NULL, OWN, 5), CHAIN_OK);
	assert_int_equal(chain_check("", OWN, 5), CHAIN_OK);
	assert_int_equal(chain_check("  , ,", OWN, 1), CHAIN_OK);
	assert_int_equal(chain_check(A, OWN, 5), CHAIN_OK);
	assert_int_equal(chain_check(A "," B, OWN, 5), CHAIN_OK);
}

static void
test_loop(void **state)
{
	(void)state;
	assert_int_equal(chain_check(OWN, OWN, 5), CHAIN_LOOP);
	assert_int_equal(chain_check(A "," OWN, OWN, 5), CHAIN_LOOP);
	assert_int_equal(chain_check(OWN "," A, OWN, 5), CHAIN_LOOP);
	/* Case and blanks around items do not hide a loop. */
	assert_int_equal(chain_check(OWN_UP, OWN, 5), CHAIN_LOOP);
	assert_int_equal(chain_check(A ",  " OWN_UP "\t, " B, OWN, 5),
	    CHAIN_LOOP);
	assert_int_equal(chain_check(" " OWN " ", OWN_UP, 5), CHAIN_LOOP);
	/* A prefix, a suffix or an id inside another item is no id. */
	assert_int_equal(chain_check(OWN "0", OWN, 5), CHAIN_INVALID);
}

static void
test_invalid(void **state)
{
	(void)state;
	/* Every item is a proxy's agent id: anything else is refused. */
	assert_int_equal(chain_check("a", OWN, 5), CHAIN_INVALID);
	assert_int_equal(chain_check(A ",x", OWN, 5), CHAIN_INVALID);
	assert_int_equal(chain_check("x" OWN, OWN, 5), CHAIN_INVALID);
	assert_int_equal(chain_check("3f2504e0-4f89-41d3-9a0c-0305e82c330",
	    OWN, 5), CHAIN_INVALID);
	assert_int_equal(chain_check(OWN " " A, OWN, 5), CHAIN_INVALID);
	assert_int_equal(chain_check(A ",\x1b[31m", OWN, 5), CHAIN_INVALID);
	assert_int_equal(chain_check("3f2504e0x4f89-41d3-9a0c-0305e82c3301",
	    OWN, 5), CHAIN_INVALID);
	/* Before the length and the loop: nothing of it is trusted. */
	assert_int_equal(chain_check(I(1) "," I(2) "," I(3) "," I(4) ","
	    I(5) ",x", OWN, 5), CHAIN_INVALID);
	assert_int_equal(chain_check(OWN ",x", OWN, 5), CHAIN_INVALID);
}

static void
test_add_line(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 4096);
	/* Several header lines are one list: a loop on the second is seen. */
	assert_int_equal(chain_add_line(&b, A), 0);
	assert_string_equal(b.data, A);
	assert_int_equal(chain_add_line(&b, B " , " OWN), 0);
	assert_string_equal(b.data, A "," B " , " OWN);
	assert_int_equal(chain_check(b.data, OWN, 5), CHAIN_LOOP);
	assert_int_equal(chain_check(b.data, OWN, 3), CHAIN_TOO_LONG);
	assert_int_equal(chain_add_line(&b, "bogus"), 0);
	assert_int_equal(chain_check(b.data, OWN, 5), CHAIN_INVALID);
	/* An empty line adds an empty item, which is skipped. */
	buf_reset(&b);
	assert_int_equal(chain_add_line(&b, ""), 0);
	assert_int_equal(chain_add_line(&b, A), 0);
	assert_string_equal(b.data, A);
	assert_int_equal(chain_check(b.data, OWN, 5), CHAIN_OK);
	/* The buffer's ceiling holds. */
	buf_free(&b);
	buf_init(&b, 40);
	assert_int_equal(chain_add_line(&b, A), 0);
	assert_int_equal(chain_add_line(&b, B), ERR_TOO_BIG);
	buf_free(&b);
}

static void
test_too_long(void **state)
{
	(void)state;
	/* The reference refuses when count >= max_pass_through. */
	assert_int_equal(chain_check(I(1) "," I(2) "," I(3) "," I(4), OWN, 5),
	    CHAIN_OK);
	assert_int_equal(chain_check(I(1) "," I(2) "," I(3) "," I(4) ","
	    I(5), OWN, 5), CHAIN_TOO_LONG);
	assert_int_equal(chain_check(I(1) "," I(2) "," I(3) "," I(4) ","
	    I(5) "," I(6) "," I(7), OWN, 5), CHAIN_TOO_LONG);
	assert_int_equal(chain_check(I(1), OWN, 1), CHAIN_TOO_LONG);
	assert_int_equal(chain_check(I(1), OWN, 2), CHAIN_OK);
	/* Empty items are not counted. */
	assert_int_equal(chain_check(I(1) ",," I(2) ", ," I(3) "," I(4) ",",
	    OWN, 5), CHAIN_OK);
	/* The length is checked first, as the reference does. */
	assert_int_equal(chain_check(I(1) "," I(2) "," I(3) "," I(4) "," OWN,
	    OWN, 5), CHAIN_TOO_LONG);
	assert_int_equal(chain_check(I(1) "," I(2) "," I(3) "," OWN, OWN, 5),
	    CHAIN_LOOP);
}

static void
test_append(void **state)
{
	char *s;

	(void)state;
	assert_non_null(s = chain_append(NULL, OWN));
	assert_string_equal(s, OWN);
	free(s);
	assert_non_null(s = chain_append("", OWN));
	assert_string_equal(s, OWN);
	free(s);
	assert_non_null(s = chain_append("  \t", OWN));
	assert_string_equal(s, OWN);
	free(s);
	assert_non_null(s = chain_append(A, OWN));
	assert_string_equal(s, A "," OWN);
	free(s);
	assert_non_null(s = chain_append("  " A "," B " , ", OWN));
	assert_string_equal(s, A "," B "," OWN);
	free(s);
	/* What we send is what the next proxy checks: our id is found. */
	assert_non_null(s = chain_append(A, OWN));
	assert_int_equal(chain_check(s, OWN, 5), CHAIN_LOOP);
	assert_int_equal(chain_check(s, B, 5), CHAIN_OK);
	assert_int_equal(chain_check(s, B, 2), CHAIN_TOO_LONG);
	free(s);
}

static void
test_append_grows(void **state)
{
	char	*s, *t;
	int	 i;

	(void)state;
	/* Each hop adds one id; the count seen downstream follows. */
	s = NULL;
	for (i = 0; i < 10; i++) {
		assert_non_null(t = chain_append(s, i % 2 ? A : B));
		free(s);
		s = t;
		assert_int_equal(chain_check(s, OWN, i + 2), CHAIN_OK);
		assert_int_equal(chain_check(s, OWN, i + 1), CHAIN_TOO_LONG);
	}
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_header),
		cmocka_unit_test(test_loop),
		cmocka_unit_test(test_too_long),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_add_line),
		cmocka_unit_test(test_append),
		cmocka_unit_test(test_append_grows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
