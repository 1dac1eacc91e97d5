/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * decode: body decoding, step 10 of the pipeline (spec sections 3, 8.3).
 */
#include "../testutil.h"

#include <zlib.h>

#include "common/buf.h"
#include "common/compress.h"
#include "common/err.h"
#include "proxy/decode.h"

#define MiB		(1024 * 1024)
#define JSON		"{\"action\":\"inventory\",\"deviceid\":\"pc1\"}"
#define XML		"<?xml version=\"1.0\"?>\n<REQUEST><QUERY>PROLOG" \
			"</QUERY></REQUEST>"
#define GZIP_ERROR	"Unsupported application/x-compress-gzip Content-type"

/* A request body holding len bytes of p, with the body ceiling max. */
static void
body_set(struct buf *b, const void *p, size_t len, size_t max)
{
	buf_init(b, max);
	assert_int_equal(buf_append(b, p, len), 0);
}

static void
body_zlib(struct buf *b, const char *text)
{
	buf_init(b, MiB);
	assert_int_equal(compress_deflate(text, strlen(text),
	    COMPRESS_LEVEL_DEFAULT, b), 0);
}

/* Deflates with zlib's stream API: bits 15 for zlib, 31 for gzip. */
static void
body_pack(struct buf *b, int bits, const void *p, size_t len, int level)
{
	buf_init(b, 4 * MiB);
	tu_deflate(bits, level, p, len, b);
}

static void
body_gzip(struct buf *b, const void *p, size_t len, int level)
{
	body_pack(b, 15 + 16, p, len, level);
}

/* Runs decode_body and checks the error is left alone on success. */
static int
decode(const char *ctype, struct buf *b, size_t max, const char **outp,
    struct decode_error *err)
{
	err->status = -1;
	err->message = NULL;
	*outp = NULL;
	return decode_body(ctype, b, max, outp, err);
}

static void
test_zlib_json(void **state)
{
	static const char	*types[] = {
		"application/x-compress-zlib",
		"application/x-compress",
		"Application/X-Compress-Zlib",
		"APPLICATION/X-COMPRESS",
		"application/x-compress-zlib; charset=binary",
		"application/x-compress-zlib ;x=y",
	};
	struct buf		 b;
	struct decode_error	 err;
	const char		*ct;
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		body_zlib(&b, JSON);
		assert_int_equal(decode(types[i], &b, MiB, &ct, &err), 0);
		assert_int_equal(err.status, -1);
		assert_string_equal(ct, "application/json");
		assert_int_equal(b.len, strlen(JSON));
		assert_string_equal(b.data, JSON);
		/* The inflated body lives under the inflated ceiling. */
		assert_int_equal(b.max, MiB);
		buf_free(&b);
	}
}

static void
test_zlib_xml(void **state)
{
	struct buf		 b;
	struct decode_error	 err;
	const char		*ct;

	(void)state;
	body_zlib(&b, XML);
	assert_int_equal(decode("application/x-compress-zlib", &b, MiB, &ct,
	    &err), 0);
	assert_string_equal(ct, "application/xml");
	assert_string_equal(b.data, XML);
	buf_free(&b);
}

static void
test_zlib_other_content(void **state)
{
	struct buf		 b;
	struct decode_error	 err;
	const char		*ctype = "application/x-compress-zlib", *ct;

	(void)state;
	/* Inflated, but neither JSON nor XML: the type is left as given. */
	body_zlib(&b, " {\"a\":1}");
	assert_int_equal(decode(ctype, &b, MiB, &ct, &err), 0);
	assert_ptr_equal(ct, ctype);
	assert_string_equal(b.data, " {\"a\":1}");
	buf_free(&b);
	body_zlib(&b, "");
	assert_int_equal(decode(ctype, &b, MiB, &ct, &err), 0);
	assert_ptr_equal(ct, ctype);
	assert_int_equal(b.len, 0);
	buf_free(&b);
}

static void
test_plain_retyped(void **state)
{
	struct buf		 b;
	struct decode_error	 err;
	const char		*ct;

	(void)state;
	/* The agent may label a plain body as compressed: no inflating. */
	body_set(&b, JSON, strlen(JSON), 1000);
	assert_int_equal(decode("application/x-compress-zlib", &b, MiB, &ct,
	    &err), 0);
	assert_string_equal(ct, "application/json");
	assert_string_equal(b.data, JSON);
	assert_int_equal(b.max, 1000);
	buf_free(&b);
	body_set(&b, XML, strlen(XML), 1000);
	assert_int_equal(decode("application/x-compress", &b, MiB, &ct,
	    &err), 0);
	assert_string_equal(ct, "application/xml");
	assert_string_equal(b.data, XML);
	buf_free(&b);
	/* Any x-compress* type is retyped by content. */
	body_set(&b, JSON, strlen(JSON), 1000);
	assert_int_equal(decode("application/x-compress-br", &b, MiB, &ct,
	    &err), 0);
	assert_string_equal(ct, "application/json");
	buf_free(&b);
}

static void
test_plain_unknown(void **state)
{
	struct buf		 b;
	struct decode_error	 err;
	const char		*ctype = "application/x-compress-zlib", *ct;

	(void)state;
	body_set(&b, "hello", 5, 1000);
	assert_int_equal(decode(ctype, &b, MiB, &ct, &err), 0);
	assert_ptr_equal(ct, ctype);
	assert_string_equal(b.data, "hello");
	buf_free(&b);
	/* An empty body does not crash and keeps its type. */
	buf_init(&b, 1000);
	assert_int_equal(decode(ctype, &b, MiB, &ct, &err), 0);
	assert_ptr_equal(ct, ctype);
	buf_free(&b);
}

static void
test_other_types_untouched(void **state)
{
	static const char	*types[] = {
		"application/json", "application/xml", "text/plain",
		"application/x-compress-zlibx", "application/x-zlib",
		"application/octet-stream",
	};
	struct buf		 b, orig;
	struct decode_error	 err;
	const char		*ct;
	size_t			 i;

	(void)state;
	body_zlib(&orig, JSON);
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		body_set(&b, orig.data, orig.len, MiB);
		assert_int_equal(decode(types[i], &b, MiB, &ct, &err), 0);
		assert_ptr_equal(ct, types[i]);
		assert_int_equal(b.len, orig.len);
		assert_memory_equal(b.data, orig.data, orig.len);
		buf_free(&b);
	}
	buf_free(&orig);
}

static void
test_zlib_corrupt(void **state)
{
	struct buf		 b, copy;
	struct decode_error	 err;
	const char		*ct;

	(void)state;
	body_zlib(&b, JSON);
	b.data[b.len / 2] ^= 0xff;
	b.data[b.len - 1] ^= 0xff;
	body_set(&copy, b.data, b.len, MiB);
	assert_int_not_equal(decode("application/x-compress-zlib", &b, MiB,
	    &ct, &err), 0);
	assert_int_equal(err.status, 403);
	assert_non_null(err.message);
	/* On failure the body is left as received. */
	assert_int_equal(b.len, copy.len);
	assert_memory_equal(b.data, copy.data, copy.len);
	buf_free(&b);
	buf_free(&copy);
	/* A truncated stream with a valid header. */
	body_zlib(&b, JSON);
	b.len -= 6;
	assert_int_equal(decode("application/x-compress", &b, MiB, &ct, &err),
	    ERR_FORMAT);
	assert_int_equal(err.status, 403);
	buf_free(&b);
}

static void
test_gzip(void **state)
{
	static const char	*types[] = {
		"application/x-compress-gzip",
		"Application/X-Compress-GZIP",
		"application/x-compress-gzip; q=1",
	};
	struct buf		 b;
	struct decode_error	 err;
	const char		*ct;
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		body_gzip(&b, JSON, strlen(JSON), 6);
		assert_int_equal(decode(types[i], &b, MiB, &ct, &err), 0);
		assert_string_equal(ct, "application/json");
		assert_string_equal(b.data, JSON);
		buf_free(&b);
	}
	body_gzip(&b, XML, strlen(XML), 6);
	assert_int_equal(decode(types[0], &b, MiB, &ct, &err), 0);
	assert_string_equal(ct, "application/xml");
	buf_free(&b);
}

/*
 * A second zlib stream, bytes after the stream, a second gzip member:
 * answered as any undecodable body, with a reason for the log; the
 * body is left as it came.
 */
static void
test_trailing(void **state)
{
	static const char	*zlib_types[] = {
		"application/x-compress-zlib", "application/x-compress",
	};
	struct buf		 b;
	struct decode_error	 err;
	const char		*ct;
	size_t			 i, len;

	(void)state;
	for (i = 0; i < 2; i++) {
		body_zlib(&b, JSON);
		tu_deflate(15, 6, JSON, strlen(JSON), &b);
		len = b.len;
		assert_int_equal(decode(zlib_types[i], &b, MiB, &ct, &err),
		    ERR_FORMAT);
		assert_int_equal(err.status, 403);
		assert_string_equal(err.message,
		    "Invalid zlib compressed content");
		assert_non_null(strstr(err.why, "after the end of the zlib"));
		assert_int_equal(b.len, len);
		buf_free(&b);
		body_zlib(&b, JSON);
		assert_int_equal(buf_append(&b, "\r\n", 2), 0);
		assert_int_equal(decode(zlib_types[i], &b, MiB, &ct, &err),
		    ERR_FORMAT);
		assert_int_equal(err.status, 403);
		assert_non_null(strstr(err.why, "2 bytes after"));
		buf_free(&b);
	}
	body_gzip(&b, JSON, strlen(JSON), 6);
	tu_deflate(15 + 16, 6, "{}", 2, &b);
	assert_int_equal(decode("application/x-compress-gzip", &b, MiB, &ct,
	    &err), ERR_FORMAT);
	assert_int_equal(err.status, 403);
	assert_string_equal(err.message, GZIP_ERROR);
	assert_non_null(strstr(err.why, "gzip member"));
	buf_free(&b);
	/* A plain corrupt stream has no reason beyond its answer. */
	body_gzip(&b, JSON, strlen(JSON), 6);
	b.len -= 3;
	assert_int_not_equal(decode("application/x-compress-gzip", &b, MiB,
	    &ct, &err), 0);
	assert_string_equal(err.why, "");
	buf_free(&b);
}

static void
test_gzip_bad(void **state)
{
	struct buf		 b;
	struct decode_error	 err;
	const char		*ct;
	int			 r;

	(void)state;
	/* Unlike zlib, gzip is decided by type alone: plain JSON fails. */
	body_set(&b, JSON, strlen(JSON), 1000);
	r = decode("application/x-compress-gzip", &b, MiB, &ct, &err);
	assert_int_not_equal(r, 0);
	assert_int_equal(err.status, 403);
	assert_string_equal(err.message, GZIP_ERROR);
	assert_string_equal(b.data, JSON);
	buf_free(&b);
	/* zlib data labelled gzip. */
	body_zlib(&b, JSON);
	assert_int_not_equal(decode("application/x-compress-gzip", &b, MiB,
	    &ct, &err), 0);
	assert_int_equal(err.status, 403);
	assert_string_equal(err.message, GZIP_ERROR);
	buf_free(&b);
	/* Truncated gzip. */
	body_gzip(&b, JSON, strlen(JSON), 6);
	b.len -= 3;
	assert_int_not_equal(decode("application/x-compress-gzip", &b, MiB,
	    &ct, &err), 0);
	assert_int_equal(err.status, 403);
	assert_string_equal(err.message, GZIP_ERROR);
	buf_free(&b);
	/* Empty body. */
	buf_init(&b, 1000);
	assert_int_not_equal(decode("application/x-compress-gzip", &b, MiB,
	    &ct, &err), 0);
	assert_int_equal(err.status, 403);
	buf_free(&b);
}

static void
test_bomb(void **state)
{
	struct buf		 b, zeros;
	struct decode_error	 err;
	const char		*ct;
	double			 t0;
	char			*big;
	size_t			 n = 20 * (size_t)MiB;

	(void)state;
	if ((big = calloc(1, n)) == NULL)
		fail();
	big[0] = '{';
	body_pack(&zeros, 15, big, n, 9);
	assert_true(compress_is_zlib(zeros.data, zeros.len));
	assert_true(zeros.len < MiB / 8);
	body_set(&b, zeros.data, zeros.len, MiB);
	t0 = tu_now();
	assert_int_equal(decode("application/x-compress-zlib", &b, MiB, &ct,
	    &err), ERR_TOO_BIG);
	assert_true(tu_now() - t0 < 1.0);
	assert_int_equal(err.status, 413);
	assert_non_null(err.message);
	assert_int_equal(b.len, zeros.len);
	buf_free(&b);
	buf_free(&zeros);

	body_gzip(&b, big, n, 9);
	assert_true(b.len < MiB / 8);
	assert_int_equal(decode("application/x-compress-gzip", &b, MiB, &ct,
	    &err), ERR_TOO_BIG);
	assert_int_equal(err.status, 413);
	buf_free(&b);

	/* Exactly at the ceiling is allowed. */
	buf_init(&zeros, 4 * MiB);
	assert_int_equal(compress_deflate(big, MiB,
	    COMPRESS_LEVEL_DEFAULT, &zeros), 0);
	body_set(&b, zeros.data, zeros.len, MiB);
	assert_int_equal(decode("application/x-compress-zlib", &b, MiB, &ct,
	    &err), 0);
	assert_int_equal(b.len, MiB);
	assert_string_equal(ct, "application/json");
	buf_free(&b);
	body_set(&b, zeros.data, zeros.len, MiB);
	assert_int_equal(decode("application/x-compress-zlib", &b, MiB - 1,
	    &ct, &err), ERR_TOO_BIG);
	assert_int_equal(err.status, 413);
	buf_free(&b);
	buf_free(&zeros);
	free(big);
}

static void
test_ctype_is(void **state)
{
	(void)state;
	assert_true(ctype_is("application/json", "application/json"));
	assert_true(ctype_is("Application/JSON; charset=utf-8",
	    "application/json"));
	assert_true(ctype_is("application/x-compress-zlib",
	    "application/x-compress"));
	assert_false(ctype_is("application/jso", "application/json"));
	assert_false(ctype_is("text/json", "application/json"));
	assert_false(ctype_is(NULL, "application/json"));
	assert_true(ctype_is("", ""));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zlib_json),
		cmocka_unit_test(test_zlib_xml),
		cmocka_unit_test(test_zlib_other_content),
		cmocka_unit_test(test_plain_retyped),
		cmocka_unit_test(test_plain_unknown),
		cmocka_unit_test(test_other_types_untouched),
		cmocka_unit_test(test_zlib_corrupt),
		cmocka_unit_test(test_gzip),
		cmocka_unit_test(test_gzip_bad),
		cmocka_unit_test(test_trailing),
		cmocka_unit_test(test_bomb),
		cmocka_unit_test(test_ctype_is),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
