/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * compress: zlib and gzip recognition, inflating under a ceiling, deflate.
 */
#include "../testutil.h"

#include <zlib.h>

#include "common/buf.h"
#include "common/compress.h"
#include "common/err.h"

#define MiB	(1024 * 1024)

/* Text that compresses, but not to nothing: a counter in words. */
static char *
sample(size_t n)
{
	char	*p;
	size_t	 i;

	if ((p = malloc(n + 1)) == NULL)
		fail();
	for (i = 0; i < n; i++)
		p[i] = "abcdefghij{}\"<>, \n"[(i * 7 + i / 13) % 18];
	p[n] = '\0';
	return p;
}

/* Deflates with zlib's own stream API, windowBits picks zlib/gzip/raw. */
static void
test_zlib_round_trip(void **state)
{
	struct buf	 z, out;
	char		*in = sample(100000);

	(void)state;
	buf_init(&z, MiB);
	buf_init(&out, MiB);
	assert_int_equal(compress_deflate(in, 100000,
	    COMPRESS_LEVEL_DEFAULT, &z), 0);
	assert_true(z.len > 0 && z.len < 100000);
	assert_true(compress_is_zlib(z.data, z.len));
	assert_false(compress_is_gzip(z.data, z.len));
	assert_int_equal(compress_inflate(COMPRESS_ZLIB, z.data, z.len, &out),
	    0);
	assert_int_equal(out.len, 100000);
	assert_memory_equal(out.data, in, 100000);
	assert_int_equal(out.data[out.len], '\0');
	/* Inflating appends to what the buffer held. */
	buf_reset(&out);
	assert_int_equal(buf_append(&out, "head:", 5), 0);
	assert_int_equal(compress_inflate(COMPRESS_ZLIB, z.data, z.len, &out),
	    0);
	assert_int_equal(out.len, 100005);
	assert_memory_equal(out.data, "head:", 5);
	assert_memory_equal(out.data + 5, in, 100000);
	buf_free(&z);
	buf_free(&out);
	free(in);
}

static void
test_empty_round_trip(void **state)
{
	struct buf z, out;

	(void)state;
	buf_init(&z, 1024);
	buf_init(&out, 1024);
	assert_int_equal(compress_deflate("", 0,
	    COMPRESS_LEVEL_DEFAULT, &z), 0);
	assert_true(compress_is_zlib(z.data, z.len));
	assert_int_equal(compress_inflate(COMPRESS_ZLIB, z.data, z.len, &out),
	    0);
	assert_int_equal(out.len, 0);
	buf_free(&z);
	buf_free(&out);
}

static void
test_gzip_round_trip(void **state)
{
	struct buf	 gz, out;
	char		*in = sample(70000);

	(void)state;
	buf_init(&gz, MiB);
	buf_init(&out, MiB);
	tu_deflate(15 + 16, 6, in, 70000, &gz);
	assert_true(compress_is_gzip(gz.data, gz.len));
	assert_false(compress_is_zlib(gz.data, gz.len));
	assert_int_equal(compress_inflate(COMPRESS_GZIP, gz.data, gz.len,
	    &out), 0);
	assert_int_equal(out.len, 70000);
	assert_memory_equal(out.data, in, 70000);
	/* A gzip stream is not a zlib one. */
	buf_reset(&out);
	assert_int_equal(compress_inflate(COMPRESS_ZLIB, gz.data, gz.len,
	    &out), ERR_FORMAT);
	buf_free(&gz);
	buf_free(&out);
	free(in);
}

static void
test_raw_round_trip(void **state)
{
	struct buf	 raw, out;
	char		*in = sample(5000);

	(void)state;
	buf_init(&raw, MiB);
	buf_init(&out, MiB);
	tu_deflate(-15, 6, in, 5000, &raw);
	assert_int_equal(compress_inflate(COMPRESS_RAW, raw.data, raw.len,
	    &out), 0);
	assert_int_equal(out.len, 5000);
	assert_memory_equal(out.data, in, 5000);
	buf_free(&raw);
	buf_free(&out);
	free(in);
}

static void
test_is_zlib(void **state)
{
	static const unsigned char good[][2] = {
		{ 0x78, 0x01 }, { 0x78, 0x5e }, { 0x78, 0x9c }, { 0x78, 0xda },
		{ 0x68, 0x81 }, { 0x08, 0x1d },
	};
	static const unsigned char bad[][2] = {
		{ 0x78, 0x9d },	/* checksum */
		{ 0x78, 0x00 },	/* checksum */
		{ 0x79, 0x9c },	/* not deflate */
		{ 0x7f, 0x9c },	/* not deflate */
		{ 0x88, 0x1c },	/* window of 64K: invalid */
		{ 0x78, 0xbb },	/* preset dictionary */
		{ 0x1f, 0x8b },	/* gzip */
		{ '{', '"' },
		{ '<', '?' },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_int_equal((good[i][0] * 256 + good[i][1]) % 31, 0);
		assert_true(compress_is_zlib(good[i], 2));
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (compress_is_zlib(bad[i], 2))
			fail_msg("accepted %02x %02x", bad[i][0], bad[i][1]);
	assert_false(compress_is_zlib("\x78", 1));
	assert_false(compress_is_zlib("", 0));
}

static void
test_is_gzip(void **state)
{
	(void)state;
	assert_true(compress_is_gzip("\x1f\x8b\x08", 3));
	assert_true(compress_is_gzip("\x1f\x8b\x08\x00rest", 7));
	assert_false(compress_is_gzip("\x1f\x8b", 2));
	assert_false(compress_is_gzip("\x1f\x8b\x07", 3));
	assert_false(compress_is_gzip("\x1e\x8b\x08", 3));
	assert_false(compress_is_gzip("x\x9c", 2));
}

static void
test_truncated(void **state)
{
	struct buf	 z, out;
	char		*in = sample(3000);
	size_t		 cut;
	int		 r;

	(void)state;
	buf_init(&z, MiB);
	assert_int_equal(compress_deflate(in, 3000,
	    COMPRESS_LEVEL_DEFAULT, &z), 0);
	/* Every proper prefix, the adler32 trailer included, is refused. */
	for (cut = 0; cut < z.len; cut++) {
		buf_init(&out, MiB);
		r = compress_inflate(COMPRESS_ZLIB, z.data, cut, &out);
		if (r != ERR_FORMAT)
			fail_msg("prefix of %zu/%zu bytes gave %d", cut, z.len,
			    r);
		buf_free(&out);
	}
	buf_free(&z);
	buf_init(&z, MiB);
	tu_deflate(15 + 16, 6, in, 3000, &z);
	for (cut = 0; cut < z.len; cut++) {
		buf_init(&out, MiB);
		r = compress_inflate(COMPRESS_GZIP, z.data, cut, &out);
		if (r != ERR_FORMAT)
			fail_msg("gzip prefix of %zu/%zu bytes gave %d", cut,
			    z.len, r);
		buf_free(&out);
	}
	buf_free(&z);
	free(in);
}

static void
test_corrupt(void **state)
{
	struct buf	 z, out;
	char		*in = sample(3000);

	(void)state;
	buf_init(&z, MiB);
	assert_int_equal(compress_deflate(in, 3000,
	    COMPRESS_LEVEL_DEFAULT, &z), 0);
	/* A changed byte of the checksum. */
	z.data[z.len - 1] ^= 0x55;
	buf_init(&out, MiB);
	assert_int_equal(compress_inflate(COMPRESS_ZLIB, z.data, z.len, &out),
	    ERR_FORMAT);
	buf_free(&out);
	z.data[z.len - 1] ^= 0x55;
	/* A header that is not zlib. */
	z.data[0] = 0x79;
	buf_init(&out, MiB);
	assert_int_equal(compress_inflate(COMPRESS_ZLIB, z.data, z.len, &out),
	    ERR_FORMAT);
	buf_free(&out);
	/* Plain text given as gzip. */
	buf_init(&out, MiB);
	assert_int_equal(compress_inflate(COMPRESS_GZIP, "{\"a\":1}", 7, &out),
	    ERR_FORMAT);
	buf_free(&out);
	buf_free(&z);
	free(in);
}

/* 50 MB of zeros, deflated a slice at a time so the test stays small. */
static void
zeros_pack(int bits, size_t total, struct buf *out)
{
	static const unsigned char	zeros[65536];
	z_stream			zs;
	unsigned char			chunk[16384];
	size_t				left = total;
	int				flush, zr;

	memset(&zs, 0, sizeof(zs));
	assert_int_equal(deflateInit2(&zs, 9, Z_DEFLATED, bits, 9,
	    Z_DEFAULT_STRATEGY), Z_OK);
	do {
		if (zs.avail_in == 0 && left > 0) {
			zs.next_in = (unsigned char *)(uintptr_t)zeros;
			zs.avail_in = left > sizeof(zeros) ? sizeof(zeros) :
			    (uInt)left;
			left -= zs.avail_in;
		}
		flush = left == 0 ? Z_FINISH : Z_NO_FLUSH;
		zs.next_out = chunk;
		zs.avail_out = sizeof(chunk);
		zr = deflate(&zs, flush);
		assert_true(zr == Z_OK || zr == Z_STREAM_END ||
		    zr == Z_BUF_ERROR);
		assert_int_equal(buf_append(out, chunk,
		    sizeof(chunk) - zs.avail_out), 0);
	} while (zr != Z_STREAM_END);
	deflateEnd(&zs);
}

static void
test_bomb(void **state)
{
	struct buf	 bomb, out;
	double		 t0, dt;
	int		 bits[2] = { 15, 15 + 16 }, i;

	(void)state;
	for (i = 0; i < 2; i++) {
		buf_init(&bomb, 4 * MiB);
		zeros_pack(bits[i], 50 * (size_t)MiB, &bomb);
		assert_true(bomb.len < 200 * 1024);
		buf_init(&out, MiB);
		t0 = tu_now();
		assert_int_equal(compress_inflate(i == 0 ? COMPRESS_ZLIB :
		    COMPRESS_GZIP, bomb.data, bomb.len, &out), ERR_TOO_BIG);
		dt = tu_now() - t0;
		/* It stops at the ceiling: never inflates the 50 MB. */
		assert_true(out.len <= MiB);
		assert_true(out.cap <= MiB + 1);
		assert_true(dt < 1.0);
		buf_free(&out);
		/* With room enough, the same stream inflates whole. */
		if (i == 0) {
			buf_init(&out, 50 * (size_t)MiB);
			assert_int_equal(compress_inflate(COMPRESS_ZLIB,
			    bomb.data, bomb.len, &out), 0);
			assert_int_equal(out.len, 50 * (size_t)MiB);
			assert_int_equal(out.data[out.len - 1], 0);
			buf_free(&out);
		}
		buf_free(&bomb);
	}
}

static void
test_ceiling_exact(void **state)
{
	struct buf	 z, out;
	char		*in = sample(4096);

	(void)state;
	buf_init(&z, MiB);
	assert_int_equal(compress_deflate(in, 4096,
	    COMPRESS_LEVEL_DEFAULT, &z), 0);
	/* The ceiling is inclusive: exactly 4096 fits, 4095 does not. */
	buf_init(&out, 4096);
	assert_int_equal(compress_inflate(COMPRESS_ZLIB, z.data, z.len, &out),
	    0);
	assert_int_equal(out.len, 4096);
	buf_free(&out);
	buf_init(&out, 4095);
	assert_int_equal(compress_inflate(COMPRESS_ZLIB, z.data, z.len, &out),
	    ERR_TOO_BIG);
	buf_free(&out);
	buf_free(&z);
	free(in);
}

static void
test_deflate_ceiling(void **state)
{
	struct buf	 z;
	char		*in = sample(100000);

	(void)state;
	/* deflate needs room for zlib's bound, which is above the input. */
	buf_init(&z, 1000);
	assert_int_equal(compress_deflate(in, 100000,
	    COMPRESS_LEVEL_DEFAULT, &z), ERR_TOO_BIG);
	assert_int_equal(z.len, 0);
	buf_free(&z);
	free(in);
}

/*
 * The gzip trailer's size is only a hint: a trailer that lies (the check
 * fails) is refused, whatever room it asked for, and a stream that
 * inflates 1000 times grows its buffer past the first guess.
 */
static void
test_gzip_size_hint(void **state)
{
	struct buf	 gz, out;
	char		*in = sample(70000);
	size_t		 i;
	static const unsigned char lies[][4] = {
		{ 0x10, 0, 0, 0 }, { 0xff, 0xff, 0xff, 0x7f }, { 0, 0, 0, 0 },
	};

	(void)state;
	for (i = 0; i < sizeof(lies) / sizeof(lies[0]); i++) {
		buf_init(&gz, MiB);
		tu_deflate(15 + 16, 6, in, 70000, &gz);
		memcpy(gz.data + gz.len - 4, lies[i], 4);
		buf_init(&out, MiB);
		assert_int_equal(compress_inflate(COMPRESS_GZIP, gz.data,
		    gz.len, &out), ERR_FORMAT);
		assert_int_equal(out.len, 0);
		buf_free(&out);
		buf_free(&gz);
	}
	free(in);
	buf_init(&gz, MiB);
	zeros_pack(15 + 16, 3 * (size_t)MiB, &gz);
	buf_init(&out, 4 * MiB);
	assert_int_equal(compress_inflate(COMPRESS_GZIP, gz.data, gz.len,
	    &out), 0);
	assert_int_equal(out.len, 3 * (size_t)MiB);
	buf_free(&out);
	buf_free(&gz);
}

/* A gzip header with its own CRC (FHCRC): checked, as zlib checks it. */
static void
test_gzip_header_crc(void **state)
{
	static const unsigned char head[10] = {
		0x1f, 0x8b, 0x08, 0x02, 0, 0, 0, 0, 0, 3,
	};
	struct buf	 raw, gz, out;
	unsigned long	 crc;
	unsigned char	 le[4];
	int		 bad, i;

	(void)state;
	for (bad = 0; bad < 2; bad++) {
		buf_init(&raw, MiB);
		tu_deflate(-15, 6, "{\"a\":1}", 7, &raw);
		buf_init(&gz, MiB);
		assert_int_equal(buf_append(&gz, head, sizeof(head)), 0);
		crc = crc32(0, head, sizeof(head)) & 0xffff;
		if (bad)
			crc ^= 0x5555;
		le[0] = crc & 0xff;
		le[1] = crc >> 8;
		assert_int_equal(buf_append(&gz, le, 2), 0);
		assert_int_equal(buf_append(&gz, raw.data, raw.len), 0);
		crc = crc32(0, (const unsigned char *)"{\"a\":1}", 7);
		for (i = 0; i < 4; i++)
			le[i] = (crc >> (8 * i)) & 0xff;
		assert_int_equal(buf_append(&gz, le, 4), 0);
		assert_int_equal(buf_append(&gz, "\x07\0\0\0", 4), 0);
		buf_init(&out, MiB);
		assert_int_equal(compress_inflate(COMPRESS_GZIP, gz.data,
		    gz.len, &out), bad ? ERR_FORMAT : 0);
		if (!bad)
			assert_string_equal(out.data, "{\"a\":1}");
		buf_free(&out);
		buf_free(&gz);
		buf_free(&raw);
	}
}

/*
 * Bytes after the end of the stream are refused, whatever they are (a
 * second zlib stream, a second gzip member, junk, one byte), by both
 * inflates, and compress_inflate_trailing() counts them; the stream
 * alone inflates.
 */
static void
test_trailing(void **state)
{
	struct buf	 z, out;
	size_t		 alone, n;
	int		 bits[3] = { 15, 15 + 16, -15 }, i, j;
	enum compress_kind kinds[3] = {
		COMPRESS_ZLIB, COMPRESS_GZIP, COMPRESS_RAW,
	};

	(void)state;
	for (i = 0; i < 3; i++)
		for (j = 0; j < 3; j++) {
			buf_init(&z, MiB);
			tu_deflate(bits[i], 6, "first", 5, &z);
			alone = z.len;
			if (j == 0)
				tu_deflate(bits[i], 6, "second", 6, &z);
			else if (j == 1)
				assert_int_equal(buf_append(&z, "junk", 4), 0);
			else
				assert_int_equal(buf_append(&z, "\n", 1), 0);
			buf_init(&out, MiB);
			n = 99;
			assert_int_equal(compress_inflate_trailing(kinds[i],
			    z.data, z.len, &out, &n), ERR_FORMAT);
			assert_int_equal(n, z.len - alone);
			assert_int_equal(out.len, 0);
			assert_int_equal(compress_inflate(kinds[i], z.data,
			    z.len, &out), ERR_FORMAT);
			assert_int_equal(compress_inflate_zlib(kinds[i],
			    z.data, z.len, &out), ERR_FORMAT);
			assert_int_equal(out.len, 0);
			n = 99;
			assert_int_equal(compress_inflate_trailing(kinds[i],
			    z.data, alone, &out, &n), 0);
			assert_int_equal(n, 0);
			assert_string_equal(out.data, "first");
			buf_free(&out);
			buf_free(&z);
		}
	/* A corrupt stream is no trailing-bytes refusal. */
	buf_init(&out, MiB);
	n = 99;
	assert_int_equal(compress_inflate_trailing(COMPRESS_ZLIB,
	    "\x78\x9c garbage", 10, &out, &n), ERR_FORMAT);
	assert_int_equal(n, 0);
	buf_free(&out);
}

/*
 * Every verdict is zlib's: every prefix of a stream, under ceilings
 * around its inflated size, gives the same code and bytes with both.
 * (libdeflate reads a truncated stream's missing bits as zeros, and may
 * run over a ceiling on them where zlib says "truncated".)
 */
static void
test_same_verdicts(void **state)
{
	struct buf	 z, a, b;
	char		*in = sample(6000);
	size_t		 cut, max;
	int		 ra, rb, bits[2] = { 15, 15 + 16 }, i;
	static const size_t ceilings[] = {
		0, 100, 4000, 5990, 5999, 6000, 6001, 8192, MiB,
	};
	size_t		 c;

	(void)state;
	for (i = 0; i < 2; i++) {
		buf_init(&z, MiB);
		tu_deflate(bits[i], i == 0 ? 1 : 9, in, 6000, &z);
		for (cut = 0; cut <= z.len; cut++)
			for (c = 0; c < sizeof(ceilings) /
			    sizeof(ceilings[0]); c++) {
				max = ceilings[c];
				buf_init(&a, max);
				buf_init(&b, max);
				ra = compress_inflate(i == 0 ? COMPRESS_ZLIB :
				    COMPRESS_GZIP, z.data, cut, &a);
				rb = compress_inflate_zlib(i == 0 ?
				    COMPRESS_ZLIB : COMPRESS_GZIP, z.data, cut,
				    &b);
				if (ra != rb || a.len != b.len)
					fail_msg("%d: %zu/%zu bytes under %zu: "
					    "%d (%zu) against zlib's %d (%zu)",
					    i, cut, z.len, max, ra, a.len, rb,
					    b.len);
				if (ra == 0)
					assert_memory_equal(a.data, b.data,
					    a.len);
				buf_free(&a);
				buf_free(&b);
			}
		buf_free(&z);
	}
	free(in);
}

/*
 * The documented difference (compress.h): a length symbol 286 in a fixed
 * Huffman block, which no compressor writes, is 258 for libdeflate and
 * an error for zlib.  A literal 'a', then <286, distance code 0>.
 */
static void
test_lenient_symbol_286(void **state)
{
	static const unsigned char stream[] = { 0x4b, 0x1c, 0x03, 0x00 };
	struct buf out;

	(void)state;
	buf_init(&out, MiB);
	assert_int_equal(compress_inflate(COMPRESS_RAW, stream,
	    sizeof(stream), &out), 0);
	assert_int_equal(out.len, 259);
	assert_int_equal(out.data[258], 'a');
	buf_free(&out);
	buf_init(&out, MiB);
	assert_int_equal(compress_inflate_zlib(COMPRESS_RAW, stream,
	    sizeof(stream), &out), ERR_FORMAT);
	buf_free(&out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zlib_round_trip),
		cmocka_unit_test(test_empty_round_trip),
		cmocka_unit_test(test_gzip_round_trip),
		cmocka_unit_test(test_raw_round_trip),
		cmocka_unit_test(test_is_zlib),
		cmocka_unit_test(test_is_gzip),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_corrupt),
		cmocka_unit_test(test_bomb),
		cmocka_unit_test(test_ceiling_exact),
		cmocka_unit_test(test_deflate_ceiling),
		cmocka_unit_test(test_gzip_size_hint),
		cmocka_unit_test(test_gzip_header_crc),
		cmocka_unit_test(test_trailing),
		cmocka_unit_test(test_same_verdicts),
		cmocka_unit_test(test_lenient_symbol_286),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
