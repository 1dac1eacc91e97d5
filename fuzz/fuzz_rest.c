/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Fuzzes how GLPI's REST answers are read (glpi/rest.c): the first byte
 * picks the status and the Content-Type, the rest is the body; the body
 * is also read as a Content-Range header.
 *
 * - A success gives JSON, a failure a kind of error; never both.
 * - An error's texts are NUL-terminated and free of control characters
 *   (they reach a terminal), and it always says what to do.
 * - A Content-Range accepted has 0 <= end and 0 <= total.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "fuzz.h"
#include "glpi/rest.h"

static const long STATUS[] = { 200, 206, 207, 400, 401, 403, 404, 500 };
static const char *const CTYPE[] = { "application/json", "text/html", "" };

static int
printable(const char *s, size_t room)
{
	const char *end = memchr(s, '\0', room);

	if (end == NULL)
		return 0;
	for (; s < end; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct glpi_conf	 conf;
	struct rest_error	 e;
	json_t			*j = NULL;
	char			 text[128];
	long			 end, total;
	int			 r;

	if (size == 0)
		return 0;
	memset(&conf, 0, sizeof(conf));
	snprintf(conf.api_client, sizeof(conf.api_client), "MMC");
	snprintf(conf.api_user, sizeof(conf.api_user), "glpi");
	memset(&e, 0, sizeof(e));
	r = rest_answer_parse(&conf, STATUS[data[0] % 8], CTYPE[(data[0] >> 3)
	    % 3], (const char *)data + 1, size - 1, &j, &e);
	if (r == 0)
		FUZZ_CHECK(j != NULL && e.kind == REST_OK);
	else {
		FUZZ_CHECK(r == ERR_PEER && j == NULL);
		FUZZ_CHECK(e.kind != REST_OK);
		FUZZ_CHECK(printable(e.code, sizeof(e.code)));
		FUZZ_CHECK(printable(e.glpi, sizeof(e.glpi)));
		FUZZ_CHECK(e.advice[0] != '\0');
	}
	json_decref(j);
	if (size - 1 < sizeof(text)) {
		memcpy(text, data + 1, size - 1);
		text[size - 1] = '\0';
		if (rest_content_range(text, &end, &total) == 0)
			FUZZ_CHECK(end >= 0 && total >= 0);
	}
	return 0;
}
