/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * zlib and gzip bodies: recognise, inflate with a ceiling, deflate.
 *
 * Inflating stops with ERR_TOO_BIG as soon as the output would pass the
 * ceiling, so a small "zip bomb" never costs more than that ceiling.
 * Truncated or corrupt streams give ERR_FORMAT.
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

/* Appends the inflated data to out, whose ceiling bounds the output. */
int	compress_inflate(enum compress_kind kind, const void *in, size_t len,
	    struct buf *out);

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
