/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "common/compress.h"
#include "common/err.h"
#include "proxy/decode.h"

int
ctype_is(const char *ctype, const char *prefix)
{
	return ctype != NULL && strncasecmp(ctype, prefix, strlen(prefix)) == 0;
}

int
ctype_equals(const char *ctype, const char *type)
{
	size_t n = strlen(type);

	if (ctype == NULL || strncasecmp(ctype, type, n) != 0)
		return 0;
	ctype += n;
	while (*ctype == ' ' || *ctype == '\t')
		ctype++;
	return *ctype == '\0' || *ctype == ';';
}

static int
swap_inflated(enum compress_kind kind, struct buf *body, size_t max,
    struct decode_error *err)
{
	struct buf	out;
	size_t		trailing;
	int		r;

	buf_init(&out, max);
	if ((r = compress_inflate_trailing(kind, body->data, body->len, &out,
	    &trailing)) != 0) {
		/* The answer is that of any undecodable body; the log says. */
		if (trailing > 0)
			(void)snprintf(err->why, sizeof(err->why), "%zu bytes "
			    "after the end of the %s stream (a second stream "
			    "or member?)", trailing, kind == COMPRESS_GZIP ?
			    "first gzip member's" : "zlib");
		buf_free(&out);
		return r;
	}
	buf_free(body);
	*body = out;
	body->max = max;
	return 0;
}

static int
fail(struct decode_error *err, int status, const char *message, int r)
{
	err->status = status;
	err->message = message;
	return r;
}

int
decode_body(const char *ctype, struct buf *body, size_t max_inflated,
    const char **ctypep, struct decode_error *err)
{
	const char	*p;
	int		 r;

	*ctypep = ctype;
	err->why[0] = '\0';
	if (ctype_equals(ctype, "application/x-compress") ||
	    ctype_equals(ctype, "application/x-compress-zlib")) {
		/* Only a real zlib stream is inflated; plain bodies pass. */
		if (compress_is_zlib(body->data, body->len) &&
		    (r = swap_inflated(COMPRESS_ZLIB, body, max_inflated,
		    err)) != 0)
			return r == ERR_TOO_BIG ?
			    fail(err, 413, "Inflated content too large", r) :
			    fail(err, 403, "Invalid zlib compressed content", r);
	} else if (ctype_equals(ctype, "application/x-compress-gzip")) {
		if ((r = swap_inflated(COMPRESS_GZIP, body, max_inflated,
		    err)) != 0)
			return r == ERR_TOO_BIG ?
			    fail(err, 413, "Inflated content too large", r) :
			    fail(err, 403, "Unsupported application/"
			    "x-compress-gzip Content-type", r);
	}
	if (ctype_is(ctype, "application/x-compress")) {
		p = body->data != NULL ? body->data : "";
		if (*p == '{')
			*ctypep = "application/json";
		else if (strncmp(p, "<?xml", 5) == 0)
			*ctypep = "application/xml";
	}
	return 0;
}
