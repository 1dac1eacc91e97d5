/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Fuzzes compress_inflate() (libdeflate, whole buffer) against
 * compress_inflate_zlib() (zlib's streaming inflate, the reference).
 *
 * The first byte picks the framing (zlib, gzip, raw deflate), the ceiling
 * (from nothing to 1 MiB, so that zip bombs are cheap) and whether the
 * output buffer already holds a few bytes; the rest is the stream.
 *
 * - Same verdict: 0, ERR_FORMAT or ERR_TOO_BIG, and on success the same
 *   bytes.  The one allowed difference is compress.h's list of invalid
 *   streams libdeflate accepts and zlib refuses; zlib's own message tells
 *   them apart.
 * - Bytes after the end of the stream are refused by both (ERR_FORMAT);
 *   when compress_inflate_trailing() counts n of them, the input without
 *   its last n bytes inflates.
 * - Both stay under the ceiling (len <= max, cap <= max + 1), keep what the
 *   buffer held, and leave the data NUL-terminated; on error the buffer
 *   is as it was.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "common/buf.h"
#include "common/compress.h"
#include "common/err.h"
#include "fuzz.h"

static const size_t ceilings[] = { 0, 1, 100, 4096, 65536, 1024 * 1024 };

#define HEAD	"head:"

/*
 * Why zlib refuses the stream: its message, read with a plain streaming
 * inflate that throws the output away (at most 4 MiB of it).
 */
static const char *
zlib_reason(int bits, const uint8_t *in, size_t len)
{
	static char	 msg[128];
	unsigned char	 sink[16384];
	z_stream	 zs;
	size_t		 total = 0;
	int		 zr;

	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, bits) != Z_OK)
		return "";
	zs.next_in = (unsigned char *)(uintptr_t)in;
	zs.avail_in = (uInt)len;
	do {
		zs.next_out = sink;
		zs.avail_out = sizeof(sink);
		zr = inflate(&zs, Z_NO_FLUSH);
		total += sizeof(sink) - zs.avail_out;
	} while (zr == Z_OK && zs.avail_out == 0 && total < (4u << 20));
	msg[0] = '\0';
	if (zs.msg != NULL)
		(void)snprintf(msg, sizeof(msg), "%s", zs.msg);
	else if (zr == Z_NEED_DICT)
		(void)snprintf(msg, sizeof(msg), "need dictionary");
	inflateEnd(&zs);
	return msg;
}

/* The invalid streams compress.h says libdeflate accepts. */
static int
known_leniency(const char *why)
{
	static const char *const list[] = {
		"invalid literal/length code",		/* symbols 286, 287 */
		"invalid distance code",		/* codes 30, 31 */
		"too many length or distance symbols",	/* HLIT, HDIST */
		"invalid code lengths set",		/* one 1-bit codeword */
	};
	size_t i;

	for (i = 0; i < sizeof(list) / sizeof(list[0]); i++)
		if (strcmp(why, list[i]) == 0)
			return 1;
	return 0;
}

static int
run(int (*f)(enum compress_kind, const void *, size_t, struct buf *),
    enum compress_kind kind, const uint8_t *in, size_t len, size_t max,
    int head, struct buf *out)
{
	int r;

	buf_init(out, max);
	if (head)
		FUZZ_CHECK(buf_append(out, HEAD, strlen(HEAD)) == 0);
	r = f(kind, in, len, out);
	FUZZ_CHECK(r == 0 || r == ERR_FORMAT || r == ERR_TOO_BIG);
	FUZZ_CHECK(out->len <= max);
	FUZZ_CHECK(out->cap <= max + 1);
	if (head)
		FUZZ_CHECK(memcmp(out->data, HEAD, strlen(HEAD)) == 0);
	if (r != 0)
		FUZZ_CHECK(out->len == (head ? strlen(HEAD) : 0));
	FUZZ_CHECK(out->data == NULL || out->data[out->len] == '\0');
	return r;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum compress_kind	 kinds[] = {
		COMPRESS_ZLIB, COMPRESS_GZIP, COMPRESS_RAW,
	};
	static const int		 bits[] = { 15, 15 + 16, -15 };
	struct buf			 a, b;
	enum compress_kind		 kind;
	size_t				 max;
	int				 ra, rb, head;

	if (size < 1 || size > (1 << 20))
		return -1;
	kind = kinds[data[0] % 3];
	max = ceilings[(data[0] / 3) % 6];
	head = (data[0] / 18) & 1;
	if (head && max < strlen(HEAD))
		head = 0;

	ra = run(compress_inflate, kind, data + 1, size - 1, max, head, &a);
	rb = run(compress_inflate_zlib, kind, data + 1, size - 1, max, head,
	    &b);
	if (ra == 0 && rb != 0)
		FUZZ_CHECK(known_leniency(zlib_reason(bits[data[0] % 3],
		    data + 1, size - 1)));
	else
		FUZZ_CHECK(ra == rb);
	if (ra == ERR_FORMAT) {
		size_t	n;
		int	rt;

		buf_free(&a);
		buf_init(&a, max);
		rt = compress_inflate_trailing(kind, data + 1, size - 1, &a, &n);
		FUZZ_CHECK(rt == ERR_FORMAT);
		FUZZ_CHECK(n == 0 || n < size - 1);
		if (n > 0) {
			buf_free(&a);
			buf_init(&a, max);
			FUZZ_CHECK(compress_inflate(kind, data + 1,
			    size - 1 - n, &a) == 0);
		}
	}
	if (ra == 0 && rb == 0) {
		FUZZ_CHECK(a.len == b.len);
		FUZZ_CHECK(a.len == 0 || memcmp(a.data, b.data, a.len) == 0);
	}
	buf_free(&a);
	buf_free(&b);
	return 0;
}
