/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <libdeflate.h>
#include <zlib.h>

#include "common/compress.h"
#include "common/err.h"

int
compress_is_zlib(const void *p, size_t len)
{
	const unsigned char *b = p;

	if (len < 2)
		return 0;
	/* CM 8 (deflate), window at most 32K, header checksum, no dict. */
	return (b[0] & 0x0f) == 8 && (b[0] >> 4) <= 7 &&
	    ((b[0] << 8) | b[1]) % 31 == 0 && (b[1] & 0x20) == 0;
}

int
compress_is_gzip(const void *p, size_t len)
{
	const unsigned char *b = p;

	return len >= 3 && b[0] == 0x1f && b[1] == 0x8b && b[2] == 0x08;
}

/*
 * A first size for the output, so that it is seldom moved: a gzip trailer
 * tells it (modulo 2^32, and it may lie); inventories deflate about 13
 * times.
 */
static size_t
size_hint(enum compress_kind kind, const unsigned char *in, size_t len)
{
	size_t hint;

	if (kind == COMPRESS_GZIP && len >= 18)
		hint = (size_t)in[len - 4] | (size_t)in[len - 3] << 8 |
		    (size_t)in[len - 2] << 16 | (size_t)in[len - 1] << 24;
	else
		hint = len > SIZE_MAX / 16 ? SIZE_MAX : len * 16;
	/* Deflate cannot expand more than 1032 times. */
	if (len < SIZE_MAX / 1032 && hint > len * 1032)
		hint = len * 1032;
	/* Past a few megabytes, growing costs little: do not trust more. */
	if (hint > 8u << 20)
		hint = 8u << 20;
	return hint < 4096 ? 4096 : hint;
}

/*
 * The verdict on bytes after the end of the first stream, once it
 * inflated: a second zlib stream, a second gzip member or any other
 * bytes make the body ERR_FORMAT.  No agent sends them; reading only the
 * first stream would keep part of what was sent and acknowledge all of
 * it.  *trailing gets their count when it is not NULL.
 */
static int
trailing_verdict(size_t left, size_t *trailing)
{
	if (trailing != NULL)
		*trailing = left;
	return left == 0 ? 0 : ERR_FORMAT;
}

/*
 * The reference: zlib's streaming inflate, straight into out's spare room.
 * The room may reach one byte past the ceiling (the place of the final
 * NUL): output that lands there is over the ceiling.
 */
static int
zlib_inflate(enum compress_kind kind, const void *in, size_t len,
    struct buf *out, size_t *trailing)
{
	z_stream	 zs;
	int		 bits, zr, r = 0;
	size_t		 have, room, hint, start = out->len;

	switch (kind) {
	case COMPRESS_ZLIB:
		bits = 15;
		break;
	case COMPRESS_GZIP:
		bits = 15 + 16;
		break;
	default:
		bits = -15;
		break;
	}
	hint = size_hint(kind, in, len);
	if (hint > out->max - out->len)
		hint = out->max - out->len;
	if ((r = buf_reserve(out, hint)) != 0)
		return r;
	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, bits) != Z_OK)
		return ERR_NOMEM;
	zs.next_in = (unsigned char *)(uintptr_t)in;
	do {
		/* zlib counts in uInt; feed large bodies in slices. */
		if (zs.avail_in == 0) {
			have = len > UINT_MAX ? UINT_MAX : len;
			zs.avail_in = (uInt)have;
			len -= have;
		}
		if (out->len == out->cap) {
			have = out->cap - start;
			if (have > out->max - out->len)
				have = out->max - out->len;
			if ((r = buf_reserve(out, have)) != 0)
				break;
		}
		room = out->cap - out->len;
		zs.next_out = (unsigned char *)out->data + out->len;
		zs.avail_out = room > UINT_MAX ? UINT_MAX : (uInt)room;
		zr = inflate(&zs, Z_NO_FLUSH);
		out->len += (size_t)(zs.next_out -
		    ((unsigned char *)out->data + out->len));
		if (zr == Z_MEM_ERROR) {
			r = ERR_NOMEM;
			break;
		}
		if (zr != Z_OK && zr != Z_STREAM_END) {
			/* Z_BUF_ERROR here means the input ran out early. */
			r = ERR_FORMAT;
			break;
		}
		if (out->len > out->max) {
			r = ERR_TOO_BIG;
			break;
		}
		if (zr == Z_OK && zs.avail_in == 0 && len == 0 &&
		    zs.avail_out != 0) {
			r = ERR_FORMAT;		/* truncated stream */
			break;
		}
	} while (zr != Z_STREAM_END);
	if (r == 0)
		r = trailing_verdict(zs.avail_in + len, trailing);
	inflateEnd(&zs);
	if (r == 0)
		r = buf_reserve(out, 0);
	if (r != 0)
		out->len = start;
	out->data[out->len] = '\0';
	return r;
}

int
compress_inflate_zlib(enum compress_kind kind, const void *in, size_t len,
    struct buf *out)
{
	return zlib_inflate(kind, in, len, out, NULL);
}

/*
 * A gzip member whose header carries its own CRC (FHCRC): zlib checks it,
 * libdeflate skips it.  No agent sets the flag; such members take the
 * zlib path so that a wrong header CRC is refused as before.
 */
static int
gzip_has_hcrc(const unsigned char *in, size_t len)
{
	return len >= 4 && (in[3] & 0x02) != 0;
}

/*
 * The _ex forms stop at the end of the stream and say how many bytes it
 * took (its trailer included), as zlib does: the rest is for
 * trailing_verdict().
 */
static enum libdeflate_result
ld_inflate(struct libdeflate_decompressor *d, enum compress_kind kind,
    const void *in, size_t len, void *out, size_t room, size_t *used,
    size_t *outlen)
{
	switch (kind) {
	case COMPRESS_ZLIB:
		return libdeflate_zlib_decompress_ex(d, in, len, out, room,
		    used, outlen);
	case COMPRESS_GZIP:
		return libdeflate_gzip_decompress_ex(d, in, len, out, room,
		    used, outlen);
	default:
		return libdeflate_deflate_decompress_ex(d, in, len, out, room,
		    used, outlen);
	}
}

/*
 * One decompressor per thread, kept for the thread's life: libdeflate's
 * holds about 10 KB of tables that it sets up again for every block, so a
 * fresh one per body would only add an allocation.
 * The key's destructor frees it when a worker thread ends.
 */
static pthread_key_t	ld_key;
static pthread_once_t	ld_once = PTHREAD_ONCE_INIT;
static int		ld_key_ok;

static void
ld_free(void *d)
{
	libdeflate_free_decompressor(d);
}

static void
ld_key_init(void)
{
	ld_key_ok = pthread_key_create(&ld_key, ld_free) == 0;
}

static struct libdeflate_decompressor *
ld_get(int *owned)
{
	struct libdeflate_decompressor *d;

	*owned = 0;
	(void)pthread_once(&ld_once, ld_key_init);
	if (ld_key_ok && (d = pthread_getspecific(ld_key)) != NULL)
		return d;
	if ((d = libdeflate_alloc_decompressor()) == NULL)
		return NULL;
	if (!ld_key_ok || pthread_setspecific(ld_key, d) != 0)
		*owned = 1;
	return d;
}

/*
 * The whole body is in memory, which is libdeflate's model: it inflates
 * into one buffer, two to three times faster than zlib.  The inflated size
 * is unknown (a gzip trailer only hints at it), so the output starts at
 * size_hint() and doubles on LIBDEFLATE_INSUFFICIENT_SPACE, up to the
 * ceiling.
 *
 * Every refusal of the stream itself is decided by zlib: a stream
 * libdeflate refuses, or that does not fit under the ceiling, is inflated
 * again by zlib into the same buffer, so ERR_FORMAT and ERR_TOO_BIG fall
 * exactly where they fall with zlib alone (libdeflate may read a
 * truncated stream's missing bits as zeros and run past the ceiling on
 * them, where zlib says "truncated").  That second pass costs at most the
 * ceiling, and only on bad or oversized input.  Bytes after a stream that
 * inflated are refused by whichever path inflated it (trailing_verdict());
 * both end the stream at the same byte (fuzz/fuzz_inflate.c).
 */
int
compress_inflate_trailing(enum compress_kind kind, const void *in,
    size_t len, struct buf *out, size_t *trailing)
{
	struct libdeflate_decompressor	*d;
	enum libdeflate_result		 lr;
	size_t				 start = out->len, room, limit, got, used;
	int				 r, owned;

	if (trailing != NULL)
		*trailing = 0;
	if (kind == COMPRESS_GZIP && gzip_has_hcrc(in, len))
		return zlib_inflate(kind, in, len, out, trailing);
	limit = out->max - out->len;
	room = size_hint(kind, in, len);
	if (room > limit)
		room = limit;
	if ((d = ld_get(&owned)) == NULL)
		return ERR_NOMEM;
	for (;;) {
		if ((r = buf_reserve(out, room)) != 0)
			goto out;
		got = used = 0;
		lr = ld_inflate(d, kind, in, len, out->data + start, room,
		    &used, &got);
		if (lr == LIBDEFLATE_SUCCESS) {
			out->len = start + got;
			out->data[out->len] = '\0';
			r = trailing_verdict(len - used, trailing);
			goto out;
		}
		if (lr != LIBDEFLATE_INSUFFICIENT_SPACE || room == limit)
			break;
		room = room > limit / 2 ? limit : room * 2;
	}
	/* Refused or over the ceiling: zlib gives the verdict. */
	out->len = start;
	r = zlib_inflate(kind, in, len, out, trailing);
 out:
	if (owned)
		libdeflate_free_decompressor(d);
	if (r != 0 && out->data != NULL) {
		out->len = start;
		out->data[out->len] = '\0';
	}
	return r;
}

int
compress_inflate(enum compress_kind kind, const void *in, size_t len,
    struct buf *out)
{
	return compress_inflate_trailing(kind, in, len, out, NULL);
}

int
compress_deflate(const void *in, size_t len, int level, struct buf *out)
{
	uLong	 bound;
	uLongf	 outlen;
	int	 r;

	bound = compressBound((uLong)len);
	if ((r = buf_reserve(out, bound)) != 0)
		return r;
	outlen = bound;
	if (compress2((Bytef *)out->data + out->len, &outlen, in, (uLong)len,
	    level) != Z_OK)
		return ERR_NOMEM;
	out->len += outlen;
	out->data[out->len] = '\0';
	return 0;
}
