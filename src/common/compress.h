/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * zlib and gzip bodies: recognise, inflate with a ceiling, deflate.
 *
 * Inflating stops with ERR_TOO_BIG as soon as the output would pass the
 * ceiling, so a small "zip bomb" never costs more than that ceiling.
 * Truncated or corrupt streams give ERR_FORMAT, and so do bytes after the
 * end of the stream: a second zlib stream, a second gzip member, any
 * other bytes (only the first would be read: a body would be kept in
 * part and acknowledged whole).
 *
 * Whole bodies are inflated with libdeflate; zlib deflates, and gives the
 * verdict on every stream libdeflate refuses or that passes the ceiling.
 * Any thread may call them; each thread keeps one libdeflate decompressor
 * (freed when the thread ends), nothing else is kept or shared.
 */
#ifndef PASSEUR_COMPRESS_H
#define PASSEUR_COMPRESS_H

#include <stddef.h>

#include "common/buf.h"

enum compress_kind { COMPRESS_ZLIB, COMPRESS_GZIP, COMPRESS_RAW };

/* True when p starts with a valid RFC 1950 header (any FLG level). */
int	compress_is_zlib(const void *p, size_t len);
/* True when p starts with the gzip magic 1F 8B 08. */
int	compress_is_gzip(const void *p, size_t len);

/*
 * Appends the inflated data to out, whose ceiling bounds the output.  On
 * error out keeps what it held before.  Its verdicts are those of
 * compress_inflate_zlib(), except that libdeflate accepts a few invalid
 * deflate streams that zlib refuses and no compressor writes: length
 * symbols 286 and 287 (read as 258), distance codes 30 and 31, more than
 * 286 length or 30 distance codes declared in a dynamic block header, and
 * a code-length code of a single 1-bit codeword.
 */
int	compress_inflate(enum compress_kind kind, const void *in, size_t len,
	    struct buf *out);
/*
 * compress_inflate(), and when trailing is not NULL it gets the number of
 * bytes after the end of the stream when they are why the body is
 * refused (0 otherwise), for a log line that says why.
 */
int	compress_inflate_trailing(enum compress_kind kind, const void *in,
	    size_t len, struct buf *out, size_t *trailing);
/*
 * The same with zlib's streaming inflate: the reference compress_inflate()
 * falls back on for refusals, and that fuzz/fuzz_inflate.c checks it
 * against.
 */
int	compress_inflate_zlib(enum compress_kind kind, const void *in,
	    size_t len, struct buf *out);

/*
 * Levels of compress_deflate(): zlib's default (6), as the agent sends;
 * and a level that costs a third of its time for 15% more bytes, for
 * bulk sending where the CPU is the limit.
 */
#define COMPRESS_LEVEL_DEFAULT	(-1)
#define COMPRESS_LEVEL_FAST	3

/* Appends the zlib (RFC 1950) deflated form of in to out. */
int	compress_deflate(const void *in, size_t len, int level,
	    struct buf *out);

#endif
