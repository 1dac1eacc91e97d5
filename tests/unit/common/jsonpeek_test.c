/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * jsonpeek: string fields of a JSON object read in one scan.
 */
#include "../testutil.h"

#include <jansson.h>

#include "common/err.h"
#include "common/jsonpeek.h"

static const char *const DEVICEID[] = { "deviceid", NULL };
static const char *const VERSION[] = { "content", "versionclient", NULL };

/* Peeks deviceid and content.versionclient of text. */
static int
peek(const char *text, char dev[64], char ver[64], int found[2])
{
	struct jsonpeek	f[2] = {
		{ DEVICEID, dev, 64, 0 },
		{ VERSION, ver, 64, 0 },
	};
	int		r;

	dev[0] = ver[0] = '\0';
	r = jsonpeek(text, strlen(text), f, 2);
	found[0] = f[0].found;
	found[1] = f[1].found;
	return r;
}

static void
test_found(void **state)
{
	char	dev[64], ver[64];
	int	found[2];

	(void)state;
	/* content before deviceid, as the agent writes keys (sorted). */
	assert_int_equal(peek(" {\"action\":\"inventory\",\"content\":{"
	    "\"bios\":{\"x\":[1,2.5e3,true,null,{\"deviceid\":\"inner\"}]},"
	    "\"versionclient\":\"GLPI-Agent_v1.12\"},\"deviceid\":"
	    "\"pc1-2026\",\"itemtype\":\"Computer\"}\n", dev, ver, found), 0);
	assert_int_equal(found[0], 1);
	assert_string_equal(dev, "pc1-2026");
	assert_int_equal(found[1], 1);
	assert_string_equal(ver, "GLPI-Agent_v1.12");
}

static void
test_absent_or_not_plain(void **state)
{
	char	dev[64], ver[64];
	int	found[2];

	(void)state;
	/* A key of the same name deeper down is not the one asked. */
	assert_int_equal(peek("{\"a\":{\"deviceid\":\"x\"},\"b\":[\"deviceid\"]}",
	    dev, ver, found), 0);
	assert_int_equal(found[0], 0);
	assert_int_equal(found[1], 0);
	/* Escapes, numbers, objects: present but not for copying. */
	assert_int_equal(peek("{\"deviceid\":\"T\\u00e9l\"}", dev, ver, found),
	    0);
	assert_int_equal(found[0], -1);
	assert_int_equal(peek("{\"deviceid\":12,\"content\":{\"versionclient\":"
	    "{}}}", dev, ver, found), 0);
	assert_int_equal(found[0], -1);
	assert_int_equal(found[1], -1);
	/* A key with an escape might be the one: cannot be told. */
	assert_int_equal(peek("{\"device\\u0069d\":\"x\"}", dev, ver, found),
	    0);
	assert_int_equal(found[0], -1);
	assert_int_equal(found[1], -1);		/* it might be "content" */
	/* A later duplicate of content without the field: absent. */
	assert_int_equal(peek("{\"content\":{\"versionclient\":\"a\"},"
	    "\"content\":[1]}", dev, ver, found), 0);
	assert_int_equal(found[1], 0);
	/* Too long for the caller's room. */
	assert_int_equal(peek("{\"deviceid\":\"0123456789012345678901234567890"
	    "1234567890123456789012345678901234\"}", dev, ver, found), 0);
	assert_int_equal(found[0], -1);
	/* Escaped quotes and brackets inside strings are skipped. */
	assert_int_equal(peek("{\"x\":\"a\\\"}{[\",\"deviceid\":\"d\"}", dev,
	    ver, found), 0);
	assert_int_equal(found[0], 1);
	assert_string_equal(dev, "d");
}

static void
test_malformed(void **state)
{
	static const char *const bad[] = {
		"", "   ", "[]", "\"x\"", "{", "{\"a\"}", "{\"a\":}",
		"{\"a\":1,}", "{\"a\":1}x", "{\"a\":[1,2}", "{\"a\":\"x}",
		"{\"a\":\"\x01\"}", "{\"a\":1 2}", "{a:1}", "{\"a\":1]",
	};
	char	dev[64], ver[64];
	int	found[2];
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (peek(bad[i], dev, ver, found) != ERR_FORMAT)
			fail_msg("accepted: %s", bad[i]);
}

static void
test_depth(void **state)
{
	char	*text, dev[64], ver[64];
	int	found[2], i, n = JSONPEEK_MAX_DEPTH + 10;
	size_t	len;

	(void)state;
	text = malloc((size_t)n * 7 + 16);
	assert_non_null(text);
	for (len = 0, i = 0; i < n; i++, len += 5)
		memcpy(text + len, "{\"a\":", 5);
	text[len++] = '1';
	for (i = 0; i < n; i++)
		text[len++] = '}';
	text[len] = '\0';
	assert_int_equal(peek(text, dev, ver, found), ERR_FORMAT);
	free(text);
}

/* Agrees with jansson on the project's own JSON fixture. */
static void
test_agrees_with_jansson(void **state)
{
	char		 dir[1024], *text, dev[64], ver[64];
	size_t		 len;
	int		 found[2];
	json_t		*root;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/tests/fixtures", PASSEUR_SOURCE_DIR);
	text = tu_read(dir, "computer_small.json", &len);
	assert_non_null(text);
	root = json_loadb(text, len, 0, NULL);
	assert_non_null(root);
	assert_int_equal(peek(text, dev, ver, found), 0);
	assert_int_equal(found[0], 1);
	assert_string_equal(dev, json_string_value(json_object_get(root,
	    "deviceid")));
	json_decref(root);
	free(text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_found),
		cmocka_unit_test(test_absent_or_not_plain),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_agrees_with_jansson),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
