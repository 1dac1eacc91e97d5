/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Fuzzes the JSON field scanner against jansson, the reference parser.
 *
 * - Whatever jansson accepts as a JSON object (nesting within the
 *   scanner's limit), jsonpeek() accepts too; a field it copies is the
 *   string jansson sees there, and a field it calls absent is absent.
 * - On any input, the copies stay NUL-terminated within their room.
 */
#include <jansson.h>
#include <string.h>

#include "common/jsonpeek.h"
#include "fuzz.h"

static const char *const DEVICEID[] = { "deviceid", NULL };
static const char *const VERSION[] = { "content", "versionclient", NULL };

/* Depth of the deepest container of root. */
static int
depth(json_t *v)
{
	const char	*k;
	json_t		*c;
	size_t		 i;
	int		 d = 0, m;

	if (json_is_object(v)) {
		json_object_foreach(v, k, c)
			if ((m = depth(c)) > d)
				d = m;
		return d + 1;
	}
	if (json_is_array(v)) {
		json_array_foreach(v, i, c)
			if ((m = depth(c)) > d)
				d = m;
		return d + 1;
	}
	return 0;
}

static void
agree(const struct jsonpeek *f, json_t *v)
{
	if (f->found == 1) {
		FUZZ_CHECK(json_is_string(v));
		FUZZ_CHECK(strlen(f->out) == json_string_length(v));
		FUZZ_CHECK(strcmp(f->out, json_string_value(v)) == 0);
	} else if (f->found == 0)
		FUZZ_CHECK(v == NULL);
	/* -1: jsonpeek cannot tell; the caller parses. */
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		 dev[64], ver[16];
	struct jsonpeek	 f[2] = {
		{ DEVICEID, dev, sizeof(dev), 0 },
		{ VERSION, ver, sizeof(ver), 0 },
	};
	json_t		*root;
	int		 r, i;

	r = jsonpeek((const char *)data, size, f, 2);
	for (i = 0; i < 2; i++)
		if (f[i].found == 1)
			FUZZ_CHECK(memchr(f[i].out, '\0', f[i].outlen) != NULL);
	/*
	 * JSON has no NUL byte; jansson takes one between tokens as the end
	 * of a number, so it is no reference there.
	 */
	if (memchr(data, '\0', size) != NULL)
		return 0;
	if ((root = json_loadb((const char *)data, size, 0, NULL)) == NULL)
		return 0;
	if (json_is_object(root) && depth(root) < JSONPEEK_MAX_DEPTH) {
		FUZZ_CHECK(r == 0);
		agree(&f[0], json_object_get(root, "deviceid"));
		agree(&f[1], json_object_get(json_object_get(root, "content"),
		    "versionclient"));
	}
	json_decref(root);
	return 0;
}
