#include <limits.h>
#include <stdint.h>
#include <string.h>
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

int
compress_inflate(enum compress_kind kind, const void *in, size_t len,
    struct buf *out)
{
	z_stream	 zs;
	unsigned char	 chunk[16384];
	int		 bits, zr, r = 0;
	size_t		 have;

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
		zs.next_out = chunk;
		zs.avail_out = sizeof(chunk);
		zr = inflate(&zs, Z_NO_FLUSH);
		if (zr == Z_MEM_ERROR) {
			r = ERR_NOMEM;
			break;
		}
		if (zr != Z_OK && zr != Z_STREAM_END) {
			/* Z_BUF_ERROR here means the input ran out early. */
			r = ERR_FORMAT;
			break;
		}
		if ((r = buf_append(out, chunk, sizeof(chunk) - zs.avail_out))
		    != 0)
			break;
		if (zr == Z_OK && zs.avail_in == 0 && len == 0 &&
		    zs.avail_out != 0) {
			r = ERR_FORMAT;		/* truncated stream */
			break;
		}
	} while (zr != Z_STREAM_END);
	inflateEnd(&zs);
	return r;
}

int
compress_deflate(const void *in, size_t len, struct buf *out)
{
	uLong	 bound;
	uLongf	 outlen;
	int	 r;

	bound = compressBound((uLong)len);
	if ((r = buf_reserve(out, bound)) != 0)
		return r;
	outlen = bound;
	if (compress2((Bytef *)out->data + out->len, &outlen, in, (uLong)len,
	    Z_DEFAULT_COMPRESSION) != Z_OK)
		return ERR_NOMEM;
	out->len += outlen;
	out->data[out->len] = '\0';
	return 0;
}
