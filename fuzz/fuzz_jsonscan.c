/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Fuzzes the JSON decision of the GLPI branch against jansson, the
 * parser it replaced there (json_loadb, then the same field reads as
 * before).
 *
 * The oracle is json_loadb with JSON_DECODE_INT_AS_REAL, not flags 0:
 * jansson's default refuses integers beyond int64 ("too big integer"),
 * which are valid JSON that agents send (SNMP 64-bit counters), and
 * passeur accepts them.  With the flag jansson reads every integer with
 * strtod and refuses only what overflows a double, the rule jsonscan
 * follows; every other verdict (UTF-8, escapes, depth, NUL bytes) is
 * the same under both flags, and an integer field is "something else"
 * either way.
 *
 * - jsonscan() accepts a text exactly when jansson makes an object of it:
 *   same verdict on numbers, UTF-8, escapes, \u0000, depth, NUL bytes.
 * - For each field (action, deviceid, partial, and a few more kinds of
 *   value), what it reports is what json_object_get() gives: the same
 *   string byte for byte, json_is_true(), json_is_false(), absent, or
 *   something else.
 */
#include <jansson.h>
#include <string.h>

#include "common/err.h"
#include "common/jsonscan.h"
#include "fuzz.h"

enum { NFIELDS = 5 };

static void
agree(const struct jsonscan_field *f, json_t *v)
{
	switch (f->kind) {
	case JSONSCAN_ABSENT:
		FUZZ_CHECK(v == NULL);
		FUZZ_CHECK(f->str == NULL);
		break;
	case JSONSCAN_STRING:
		FUZZ_CHECK(json_is_string(v));
		FUZZ_CHECK(f->len == json_string_length(v));
		FUZZ_CHECK(memcmp(f->str, json_string_value(v), f->len) == 0);
		FUZZ_CHECK(f->str[f->len] == '\0');
		break;
	case JSONSCAN_TRUE:
		FUZZ_CHECK(json_is_true(v));
		FUZZ_CHECK(f->str == NULL);
		break;
	case JSONSCAN_FALSE:
		FUZZ_CHECK(json_is_false(v));
		FUZZ_CHECK(f->str == NULL);
		break;
	default:
		FUZZ_CHECK(v != NULL && !json_is_string(v) &&
		    !json_is_boolean(v));
		FUZZ_CHECK(f->str == NULL);
		break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jsonscan_field	 f[NFIELDS] = {
		{ .key = "action" }, { .key = "deviceid" },
		{ .key = "partial" }, { .key = "content" }, { .key = "a" },
	};
	json_t			*root;
	int			 r, ok, i;

	if (size > (1 << 20))
		return 0;
	r = jsonscan((const char *)data, size, f, NFIELDS);
	FUZZ_CHECK(r == 0 || r == ERR_FORMAT);
	root = json_loadb((const char *)data, size, JSON_DECODE_INT_AS_REAL,
	    NULL);
	ok = root != NULL && json_is_object(root);
	FUZZ_CHECK((r == 0) == ok);
	for (i = 0; i < NFIELDS; i++)
		if (r == 0)
			agree(&f[i], json_object_get(root, f[i].key));
		else
			FUZZ_CHECK(f[i].kind == JSONSCAN_ABSENT &&
			    f[i].str == NULL);
	jsonscan_fields_free(f, NFIELDS);
	json_decref(root);
	return 0;
}
