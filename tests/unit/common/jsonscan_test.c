/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * jsonscan: the verdict on a JSON object and its top-level fields, as
 * jansson's json_loadb(data, len, 0) gives them, with no tree.
 */
#include "../testutil.h"

#include "common/err.h"
#include "common/jsonscan.h"

enum { F_ACTION, F_DEVICEID, F_PARTIAL, F_COUNT };

/* 309 zeros: "1" then these is 10^309, past DBL_MAX. */
#define Z10	"0000000000"
#define Z100	Z10 Z10 Z10 Z10 Z10 Z10 Z10 Z10 Z10 Z10
#define OVER_DBL	Z100 Z100 Z100 "000000000"
/* 291 zeros: 179769313486231570 * 10^291, just under DBL_MAX. */
#define OVER_DBL_291	Z100 Z100 Z10 Z10 Z10 Z10 Z10 Z10 Z10 Z10 Z10 "0"

/* Scans len bytes of text (strlen when len is 0) for the three fields. */
static int
scan(const char *text, size_t len, struct jsonscan_field f[F_COUNT])
{
	f[F_ACTION].key = "action";
	f[F_DEVICEID].key = "deviceid";
	f[F_PARTIAL].key = "partial";
	return jsonscan(text, len ? len : strlen(text), f, F_COUNT);
}

static int
verdict(const char *text, size_t len)
{
	struct jsonscan_field	f[F_COUNT];
	int			r;

	r = scan(text, len, f);
	jsonscan_fields_free(f, F_COUNT);
	return r;
}

static void
test_fields(void **state)
{
	struct jsonscan_field f[F_COUNT];

	(void)state;
	assert_int_equal(scan(" {\"content\":{\"action\":\"x\",\"partial\":"
	    "true},\"action\":\"contact\",\"deviceid\":\"pc-\\u00e9\\ud834"
	    "\\udd1e\",\"partial\":true}\n", 0, f), 0);
	assert_int_equal(f[F_ACTION].kind, JSONSCAN_STRING);
	assert_string_equal(f[F_ACTION].str, "contact");
	assert_int_equal(f[F_DEVICEID].kind, JSONSCAN_STRING);
	assert_string_equal(f[F_DEVICEID].str, "pc-\xc3\xa9\xf0\x9d\x84\x9e");
	assert_int_equal(f[F_DEVICEID].len, 9);
	assert_int_equal(f[F_PARTIAL].kind, JSONSCAN_TRUE);
	assert_null(f[F_PARTIAL].str);
	jsonscan_fields_free(f, F_COUNT);

	/* Nested fields do not count; the last duplicate does. */
	assert_int_equal(scan("{\"content\":{\"action\":\"contact\"},"
	    "\"deviceid\":\"a\",\"deviceid\":\"b\",\"partial\":true,"
	    "\"partial\":1}", 0, f), 0);
	assert_int_equal(f[F_ACTION].kind, JSONSCAN_ABSENT);
	assert_string_equal(f[F_DEVICEID].str, "b");
	assert_int_equal(f[F_PARTIAL].kind, JSONSCAN_OTHER);
	jsonscan_fields_free(f, F_COUNT);

	/* A key written with escapes is the key it decodes to. */
	assert_int_equal(scan("{\"act\\u0069on\":[],\"p\\u0061rtial\":true}",
	    0, f), 0);
	assert_int_equal(f[F_ACTION].kind, JSONSCAN_OTHER);
	assert_int_equal(f[F_PARTIAL].kind, JSONSCAN_TRUE);
	jsonscan_fields_free(f, F_COUNT);

	/* false, null and the other values apart. */
	assert_int_equal(scan("{\"action\":null,\"deviceid\":false,"
	    "\"partial\":false}", 0, f), 0);
	assert_int_equal(f[F_ACTION].kind, JSONSCAN_OTHER);
	assert_int_equal(f[F_DEVICEID].kind, JSONSCAN_FALSE);
	assert_int_equal(f[F_PARTIAL].kind, JSONSCAN_FALSE);
	jsonscan_fields_free(f, F_COUNT);

	/* A refused document tells nothing. */
	assert_int_equal(scan("{\"deviceid\":\"x\",}", 0, f), ERR_FORMAT);
	assert_int_equal(f[F_DEVICEID].kind, JSONSCAN_ABSENT);
	assert_null(f[F_DEVICEID].str);
	jsonscan_fields_free(f, F_COUNT);
}

/* What jansson refuses, with JSON_DECODE_INT_AS_REAL. */
static void
test_refused(void **state)
{
	static const char *const bad[] = {
		"", " ", "[]", "\"x\"", "1", "\xef\xbb\xbf{}", "{}x", "{}{}",
		"{\"a\":1,}", "{\"a\":[1,]}", "{\"a\" 1}", "{a:1}", "{\f}",
		"{\"a\":\"\\u0000\"}", "{\"\\u0000\":1}", "{\"a\":\"\\ud800\"}",
		"{\"a\":\"\\udc00\"}", "{\"a\":\"\\ud800\\ud800\"}",
		"{\"a\":\"\\x\"}", "{\"a\":\"\\u12g4\"}", "{\"a\":\"\t\"}",
		"{\"a\":\"\xc0\xaf\"}", "{\"a\":\"\xed\xa0\x80\"}",
		"{\"a\":\"\xf4\x90\x80\x80\"}", "{\"a\":\"\xe2\x82\"}",
		"{\"a\":\"\x80\"}", "{\"a\":01}", "{\"a\":1.}", "{\"a\":1e}",
		"{\"a\":-}", "{\"a\":.5}", "{\"a\":+1}",
		"{\"a\":1e309}",
		"{\"a\":0.01e311}", "{\"a\":1.7976931348623159e308}",
		/* An integer that overflows a double, as jansson reads it. */
		"{\"a\":1" OVER_DBL "}", "{\"a\":-1" OVER_DBL "}",
		"{\"a\":True}", "{\"a\":truex}", "{\"a\":nul}", "{\"a\"",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (verdict(bad[i], 0) != ERR_FORMAT)
			fail_msg("accepted: %s", bad[i]);
	}
	assert_int_equal(verdict("{}", 0), 0);
	assert_int_equal(verdict("{\"a\":1\0\0}", 9), ERR_FORMAT);
	assert_int_equal(verdict("{\"a\":\"x\"\0}", 10), ERR_FORMAT);
	assert_int_equal(verdict("{\"a\":1 \0}", 9), ERR_FORMAT);
	assert_int_equal(verdict("{}\0", 3), ERR_FORMAT);
}

/* What jansson accepts, some of it at the edge. */
static void
test_accepted(void **state)
{
	static const char *const good[] = {
		" \t\r\n{ \"a\" : [ 1 , 2 ] } \r\n", "{\"a\":-0,\"b\":-0.0}",
		"{\"a\":9223372036854775807,\"b\":-9223372036854775808}",
		/* Beyond int64: SNMP 64-bit counters, and larger. */
		"{\"a\":9223372036854775808,\"b\":-9223372036854775809}",
		"{\"ifinoctets\":18446744073709551615,\"b\":"
		"340282366920938463463374607431768211455}",
		"{\"a\":179769313486231570" OVER_DBL_291 "}",
		"{\"a\":1.7976931348623157e308,\"b\":1e-400,\"c\":0e99999}",
		"{\"a\":1.7976931348623158e308,\"b\":179769313486231570e291}",
		"{\"a\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\uD834\\uDD1E\"}",
		"{\"a\":\"\xc3\xa9\xe2\x82\xac\xf0\x9d\x84\x9e\xf4\x8f\xbf\xbf\"}",
		"{\"a\":{},\"a\":[],\"a\":null,\"a\":false}",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if (verdict(good[i], 0) != 0)
			fail_msg("refused: %s", good[i]);
	}
	/* jansson loses one NUL byte right after a number or literal. */
	assert_int_equal(verdict("{\"a\":1\0}", 8), 0);
	assert_int_equal(verdict("{\"a\":[true\0,1.5\0]}", 18), 0);
}

/* jansson's limit: 2048 nested values, a scalar counting as one. */
static void
test_depth(void **state)
{
	char	*text;
	size_t	 n, i, len;

	(void)state;
	text = malloc(3 * 4096 + 16);
	assert_non_null(text);
	for (n = 2046; n <= 2048; n++) {
		len = 0;
		text[len++] = '{';
		memcpy(text + len, "\"a\":", 4);
		len += 4;
		for (i = 0; i < n - 1; i++)
			text[len++] = '[';
		text[len++] = '1';
		for (i = 0; i < n - 1; i++)
			text[len++] = ']';
		text[len++] = '}';
		/* n containers around the 1: it is value n + 1. */
		assert_int_equal(verdict(text, len), n + 1 <= 2048 ? 0 :
		    ERR_FORMAT);
	}
	/* 2048 empty containers are within it. */
	memcpy(text, "{\"a\":", 5);
	len = 5;
	for (i = 0; i < 2047; i++)
		text[len++] = '[';
	for (i = 0; i < 2047; i++)
		text[len++] = ']';
	text[len++] = '}';
	assert_int_equal(verdict(text, len), 0);
	free(text);

	/* 100,000 brackets are refused at once, with no memory. */
	n = 100000;
	text = malloc(n + 1);
	assert_non_null(text);
	text[0] = '{';
	memcpy(text + 1, "\"a\":", 4);
	memset(text + 5, '[', n - 5);
	assert_int_equal(verdict(text, n), ERR_FORMAT);
	free(text);
}

/* Every fixture inventory is accepted, with its deviceid. */
static void
test_fixtures(void **state)
{
	static const char *const names[] = {
		"computer_1.json", "computer_3.json", "phone_1.json",
		"networkequipment_1.json", "computer_1_partial_softs.json",
	};
	struct jsonscan_field	 f[F_COUNT];
	char			 dir[1024], *text;
	size_t			 len, i;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/tests/fixtures/inventories/json",
	    PASSEUR_SOURCE_DIR);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		text = tu_read(dir, names[i], &len);
		assert_non_null(text);
		assert_int_equal(scan(text, len, f), 0);
		assert_int_equal(f[F_DEVICEID].kind, JSONSCAN_STRING);
		assert_true(f[F_DEVICEID].len > 0);
		jsonscan_fields_free(f, F_COUNT);
		free(text);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_accepted),
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_fixtures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
