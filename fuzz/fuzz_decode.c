/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Fuzzes decode_body(), step 10 of the pipeline.  The first byte picks
 * the Content-Type among those agents send (and their odd spellings);
 * the rest is the body.  The inflate ceiling is small so that a zip bomb
 * costs at most 1 MiB per run.
 */
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "proxy/decode.h"
#include "fuzz.h"

#define MAX_INFLATED	(1024 * 1024)

static const char *ctypes[] = {
	"application/x-compress",
	"application/x-compress-zlib",
	"application/x-compress-gzip",
	"application/json",
	"application/xml",
	"text/plain",
	"Application/X-Compress-Zlib",
	"APPLICATION/X-COMPRESS-GZIP",
	"application/x-COMPRESS",
	"application/x-compress-zlib; charset=utf-8",
	"application/x-compress-gzip \t;",
	"application/x-compress-br",
	"application/x-compress-zlibx",
	"application/json; charset=UTF-8",
	"application/xml; charset=ISO-8859-1",
	"",
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct decode_error	 err = { 0, NULL, "" };
	struct buf		 body;
	const char		*ctype, *out = NULL;
	int			 r;

	if (size < 1)
		return -1;
	ctype = ctypes[data[0] % (sizeof(ctypes) / sizeof(ctypes[0]))];
	buf_init(&body, size);
	FUZZ_CHECK(buf_append(&body, data + 1, size - 1) == 0);

	r = decode_body(ctype, &body, MAX_INFLATED, &out, &err);
	FUZZ_CHECK(out != NULL);
	if (r != 0) {
		FUZZ_CHECK(r < 0);
		FUZZ_CHECK(err.status == 403 || err.status == 413);
		FUZZ_CHECK(err.message != NULL && err.message[0] != '\0');
		FUZZ_CHECK(err.status != 413 || r == ERR_TOO_BIG);
		FUZZ_CHECK(memchr(err.why, '\0', sizeof(err.why)) != NULL);
	} else {
		FUZZ_CHECK(err.why[0] == '\0');
		/* The decoded body stays a string a text parser can read. */
		FUZZ_CHECK(body.len <= (size_t)MAX_INFLATED ||
		    body.len == size - 1);
		FUZZ_CHECK(body.data == NULL || body.data[body.len] == '\0');
		/* Only compressed types are retyped, and only to these. */
		FUZZ_CHECK(out == ctype ||
		    (ctype_is(ctype, "application/x-compress") &&
		    (strcmp(out, "application/json") == 0 ||
		    strcmp(out, "application/xml") == 0)));
	}
	buf_free(&body);
	return 0;
}
