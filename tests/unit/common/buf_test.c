/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * buf: growable buffer with a hard ceiling.
 */
#include "../testutil.h"

#include <stdint.h>

#include "common/buf.h"
#include "common/err.h"

static void
test_init_empty(void **state)
{
	struct buf b;

	(void)state;
	memset(&b, 0x5a, sizeof(b));
	buf_init(&b, 100);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
	assert_int_equal(b.max, 100);
	/* Freeing an unused buffer is fine, and so is freeing twice. */
	buf_free(&b);
	buf_free(&b);
	assert_null(b.data);
}

static void
test_append_nul(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 1024);
	assert_int_equal(buf_append(&b, "abc", 3), 0);
	assert_int_equal(b.len, 3);
	assert_string_equal(b.data, "abc");
	assert_int_equal(buf_append(&b, "de", 2), 0);
	assert_int_equal(b.len, 5);
	assert_string_equal(b.data, "abcde");
	/* Binary data keeps its NULs; the terminator follows len. */
	assert_int_equal(buf_append(&b, "\0z", 2), 0);
	assert_int_equal(b.len, 7);
	assert_memory_equal(b.data, "abcde\0z", 8);
	/* An empty append still gives a terminated string. */
	buf_free(&b);
	buf_init(&b, 16);
	assert_int_equal(buf_append(&b, NULL, 0), 0);
	assert_non_null(b.data);
	assert_int_equal(b.data[0], '\0');
	buf_free(&b);
}

static void
test_ceiling(void **state)
{
	struct buf	b;
	char		big[300];

	(void)state;
	memset(big, 'q', sizeof(big));
	buf_init(&b, 10);
	assert_int_equal(buf_append(&b, "0123456789", 10), 0);
	assert_int_equal(b.len, 10);
	/* Exactly at the ceiling; one more byte is refused. */
	assert_int_equal(buf_append(&b, "x", 1), ERR_TOO_BIG);
	assert_int_equal(b.len, 10);
	assert_string_equal(b.data, "0123456789");
	assert_true(b.cap <= b.max + 1);
	buf_free(&b);

	/* A single append larger than the ceiling, on an empty buffer. */
	buf_init(&b, 10);
	assert_int_equal(buf_append(&b, big, 11), ERR_TOO_BIG);
	assert_int_equal(b.len, 0);
	assert_null(b.data);
	buf_free(&b);

	/* Growth never allocates past max + 1 even from a 256 start. */
	buf_init(&b, 200);
	assert_int_equal(buf_append(&b, big, 200), 0);
	assert_true(b.cap <= 201);
	assert_int_equal(buf_append(&b, big, 1), ERR_TOO_BIG);
	buf_free(&b);
}

static void
test_failure_keeps_contents(void **state)
{
	struct buf	 b;
	char		 chunk[1000];
	char		*before;
	size_t		 i;

	(void)state;
	buf_init(&b, 4000);
	for (i = 0; i < sizeof(chunk); i++)
		chunk[i] = (char)('a' + i % 26);
	for (i = 0; i < 4; i++)
		assert_int_equal(buf_append(&b, chunk, sizeof(chunk)), 0);
	assert_int_equal(b.len, 4000);
	if ((before = malloc(b.len)) == NULL)
		fail();
	memcpy(before, b.data, b.len);
	assert_int_equal(buf_append(&b, chunk, 1), ERR_TOO_BIG);
	assert_int_equal(buf_appendf(&b, "%s", "x"), ERR_TOO_BIG);
	assert_int_equal(buf_reserve(&b, 1), ERR_TOO_BIG);
	assert_int_equal(b.len, 4000);
	assert_memory_equal(b.data, before, 4000);
	assert_int_equal(b.data[4000], '\0');
	/* Still usable after a reset. */
	buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.data, "");
	assert_int_equal(buf_append(&b, "ok", 2), 0);
	assert_string_equal(b.data, "ok");
	free(before);
	buf_free(&b);
}

static void
test_overflow(void **state)
{
	struct buf b;

	(void)state;
	/* Sizes near SIZE_MAX must not wrap around the checks. */
	buf_init(&b, SIZE_MAX - 1);
	assert_int_equal(buf_append(&b, "abc", 3), 0);
	assert_int_equal(buf_reserve(&b, SIZE_MAX), ERR_TOO_BIG);
	assert_int_equal(buf_reserve(&b, SIZE_MAX - 2), ERR_TOO_BIG);
	assert_int_equal(b.len, 3);
	assert_string_equal(b.data, "abc");
	buf_free(&b);
	buf_init(&b, 64);
	assert_int_equal(buf_reserve(&b, SIZE_MAX), ERR_TOO_BIG);
	assert_int_equal(buf_reserve(&b, 65), ERR_TOO_BIG);
	assert_int_equal(buf_reserve(&b, 64), 0);
	assert_true(b.cap >= 65);
	assert_int_equal(b.len, 0);
	buf_free(&b);
}

static void
test_appendf(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 32);
	assert_int_equal(buf_appendf(&b, "%d-%s", 42, "x"), 0);
	assert_string_equal(b.data, "42-x");
	assert_int_equal(buf_appendf(&b, "%s", ""), 0);
	assert_int_equal(b.len, 4);
	assert_int_equal(buf_appendf(&b, "[%05d]", 7), 0);
	assert_string_equal(b.data, "42-x[00007]");
	assert_int_equal(b.len, 11);
	/* 11 + 22 > 32: refused whole, nothing half-written. */
	assert_int_equal(buf_appendf(&b, "%22s", "y"), ERR_TOO_BIG);
	assert_string_equal(b.data, "42-x[00007]");
	assert_int_equal(buf_appendf(&b, "%21s", "y"), 0);
	assert_int_equal(b.len, 32);
	assert_int_equal(b.data[32], '\0');
	buf_free(&b);
}

static void
test_steal(void **state)
{
	struct buf	 b;
	char		*p;
	size_t		 len = 99;

	(void)state;
	buf_init(&b, 100);
	assert_int_equal(buf_append(&b, "hello", 5), 0);
	p = buf_steal(&b, &len);
	assert_non_null(p);
	assert_int_equal(len, 5);
	assert_string_equal(p, "hello");
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
	/* The ceiling stays: the buffer can be reused as it was set up. */
	assert_int_equal(b.max, 100);
	assert_int_equal(buf_append(&b, "again", 5), 0);
	assert_string_equal(b.data, "again");
	assert_string_equal(p, "hello");
	free(p);
	buf_free(&b);
	/* Stealing an empty buffer gives NULL and 0; lenp may be NULL. */
	buf_init(&b, 10);
	len = 7;
	assert_null(buf_steal(&b, &len));
	assert_int_equal(len, 0);
	assert_null(buf_steal(&b, NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_empty),
		cmocka_unit_test(test_append_nul),
		cmocka_unit_test(test_ceiling),
		cmocka_unit_test(test_failure_keeps_contents),
		cmocka_unit_test(test_overflow),
		cmocka_unit_test(test_appendf),
		cmocka_unit_test(test_steal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
