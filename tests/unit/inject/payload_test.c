/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * payload: one stored inventory made ready to send.
 */
#include "../testutil.h"

#include <sys/file.h>

#include "common/compress.h"
#include "common/err.h"
#include "inject/payload.h"

#define JSON_INV	"{\"deviceid\":\"pc1-2026\",\"content\":" \
			"{\"versionclient\":\"GLPI-Agent_v1.12\"}}"
#define XML_INV		"<?xml version=\"1.0\"?>\n<REQUEST><CONTENT>" \
			"<VERSIONCLIENT>FusionInventory-Agent_v2.6" \
			"</VERSIONCLIENT></CONTENT><DEVICEID>pc2-2026" \
			"</DEVICEID><QUERY>INVENTORY</QUERY></REQUEST>"
#define UUID_NAME	"3A609A2E-947F-4E6A-9AF9-32C024AC3E98"

static struct inject_opts	opts;

static int
setup(void **state)
{
	memset(&opts, 0, sizeof(opts));
	opts.useragent = "GLPI-Injector";
	return tu_setup_dir(state);
}

/* Loads dir/name into *p; returns payload_load()'s result. */
static int
load(const char *dir, const char *name, struct payload *p, char *why,
    size_t whylen)
{
	char	*path = tu_path(dir, name);
	int	 r;

	r = payload_load(p, path, &opts, 1, why, whylen);
	p->name = NULL;		/* path is freed here */
	free(path);
	return r;
}

static void
test_json(void **state)
{
	struct payload	p;
	struct buf	plain;
	char		why[256];

	tu_write_str(*state, "pc1.json", JSON_INV);
	assert_int_equal(load(*state, "pc1.json", &p, why, sizeof(why)), 0);
	assert_true(p.json);
	assert_string_equal(p.deviceid, "pc1-2026");
	assert_true(uuid_valid(p.agentid));
	assert_string_equal(p.user_agent, "GLPI-Injector");
	assert_string_equal(p.ctype, "Application/x-compress-zlib");
	/* The body is the content, deflated. */
	assert_true(compress_is_zlib(p.body.data, p.body.len));
	buf_init(&plain, 1 << 20);
	assert_int_equal(compress_inflate(COMPRESS_ZLIB, p.body.data,
	    p.body.len, &plain), 0);
	assert_int_equal(plain.len, strlen(JSON_INV));
	assert_memory_equal(plain.data, JSON_INV, plain.len);
	buf_free(&plain);
	payload_free(&p);
}

static void
test_agentid_from_name(void **state)
{
	struct payload	p;
	char		why[256];

	tu_write_str(*state, "x-" UUID_NAME ".json", JSON_INV);
	assert_int_equal(load(*state, "x-" UUID_NAME ".json", &p, why,
	    sizeof(why)), 0);
	assert_string_equal(p.agentid, "3a609a2e-947f-4e6a-9af9-32c024ac3e98");
	payload_free(&p);
	tu_write_str(*state, UUID_NAME ".data", JSON_INV);
	assert_int_equal(load(*state, UUID_NAME ".data", &p, why,
	    sizeof(why)), 0);
	assert_string_equal(p.agentid, "3a609a2e-947f-4e6a-9af9-32c024ac3e98");
	payload_free(&p);
	/* Not a UUID: a fresh one. */
	tu_write_str(*state, "3a609a2e-947f-4e6a-9af9-32c024ac3e9z.json",
	    JSON_INV);
	assert_int_equal(load(*state,
	    "3a609a2e-947f-4e6a-9af9-32c024ac3e9z.json", &p, why,
	    sizeof(why)), 0);
	assert_true(uuid_valid(p.agentid));
	assert_string_not_equal(p.agentid,
	    "3a609a2e-947f-4e6a-9af9-32c024ac3e98");
	payload_free(&p);
}

static void
test_kind_from_content(void **state)
{
	struct payload	p;
	char		why[256];

	/* XML in a .json file: no agent id; JSON in .xml: one. */
	tu_write_str(*state, UUID_NAME ".json", XML_INV);
	assert_int_equal(load(*state, UUID_NAME ".json", &p, why,
	    sizeof(why)), 0);
	assert_false(p.json);
	assert_string_equal(p.agentid, "");
	assert_string_equal(p.deviceid, "pc2-2026");
	payload_free(&p);
	tu_write_str(*state, "odd.xml", "\n  " JSON_INV);
	assert_int_equal(load(*state, "odd.xml", &p, why, sizeof(why)), 0);
	assert_true(p.json);
	assert_true(uuid_valid(p.agentid));
	payload_free(&p);
}

/*
 * Integers beyond int64 (SNMP 64-bit counters) are valid JSON, as
 * passeur serve takes them: the full parse (here for the escaped device
 * id) does not refuse them.
 */
static void
test_big_integers(void **state)
{
	struct payload	p;
	char		why[256];

	tu_write_str(*state, "big.json", "{\"deviceid\":\"sw\\u00e9\","
	    "\"action\":\"netinventory\",\"content\":{\"network_ports\":"
	    "[{\"ifinoctets\":18446744073709551615,\"x\":"
	    "-340282366920938463463374607431768211456}]}}");
	assert_int_equal(load(*state, "big.json", &p, why, sizeof(why)), 0);
	assert_string_equal(p.deviceid, "sw\xc3\xa9");
	assert_string_equal(p.action, "netinventory");
	payload_free(&p);
}

static void
test_compressed_input(void **state)
{
	struct payload	p;
	struct buf	z;
	char		why[256];
	int		bits[] = { 15, 31 }, i;

	for (i = 0; i < 2; i++) {
		buf_init(&z, 1 << 20);
		tu_deflate(bits[i], 6, XML_INV, strlen(XML_INV), &z);
		tu_write(*state, "z.xml", z.data, z.len);
		buf_free(&z);
		assert_int_equal(load(*state, "z.xml", &p, why, sizeof(why)),
		    0);
		assert_int_equal(p.content.len, strlen(XML_INV));
		assert_memory_equal(p.content.data, XML_INV, p.content.len);
		payload_free(&p);
	}
	/* A zlib header with garbage after it. */
	tu_write(*state, "bad.json", "\x78\x9c\x01\x02\x03", 5);
	assert_int_equal(load(*state, "bad.json", &p, why, sizeof(why)),
	    ERR_FORMAT);
	assert_non_null(strstr(why, "cannot inflate"));
	payload_free(&p);
}

static void
test_not_inventories(void **state)
{
	static const struct {
		const char *body, *why;
	} bad[] = {
		{ "", "empty" },
		{ "hello", "neither JSON nor XML" },
		{ "[1,2]", "JSON" },
		{ "{\"content\":{}}", "no deviceid" },
		{ "{\"deviceid\":", "invalid JSON" },
		{ "<REQUEST><DEVICEID>x</DEVICEID>", "well-formed" },
		{ "<html><body/></html>", "REQUEST/QUERY" },
	};
	struct payload	p;
	char		why[256];
	size_t		i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		tu_write_str(*state, "bad.json", bad[i].body);
		assert_int_equal(load(*state, "bad.json", &p, why,
		    sizeof(why)), ERR_FORMAT);
		if (strstr(why, bad[i].why) == NULL)
			fail_msg("%s: got \"%s\"", bad[i].body, why);
		payload_free(&p);
	}
}

static void
test_content_user_agent(void **state)
{
	struct payload	p;
	char		why[256];

	opts.content_ua = 1;
	tu_write_str(*state, "a.json", JSON_INV);
	assert_int_equal(load(*state, "a.json", &p, why, sizeof(why)), 0);
	assert_string_equal(p.user_agent, "GLPI-Agent_v1.12");
	payload_free(&p);
	tu_write_str(*state, "a.xml", XML_INV);
	assert_int_equal(load(*state, "a.xml", &p, why, sizeof(why)), 0);
	assert_string_equal(p.user_agent, "FusionInventory-Agent_v2.6");
	payload_free(&p);
}

static void
test_no_compression(void **state)
{
	struct payload	p;
	char		why[256];

	opts.no_compression = 1;
	tu_write_str(*state, "a.json", JSON_INV);
	assert_int_equal(load(*state, "a.json", &p, why, sizeof(why)), 0);
	assert_string_equal(p.ctype, "Application/json");
	assert_int_equal(p.body.len, 0);	/* the content goes as is */
	payload_free(&p);
	tu_write_str(*state, "a.xml", XML_INV);
	assert_int_equal(load(*state, "a.xml", &p, why, sizeof(why)), 0);
	assert_string_equal(p.ctype, "Application/xml");
	payload_free(&p);
}

static void
test_locked_and_odd_files(void **state)
{
	struct payload	 p;
	char		 why[256], *path;
	int		 fd;

	tu_write_str(*state, "held.json", JSON_INV);
	path = tu_path(*state, "held.json");
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(flock(fd, LOCK_EX), 0);
	assert_int_equal(load(*state, "held.json", &p, why, sizeof(why)),
	    ERR_SYSTEM);
	assert_string_equal(why, "locked by another process");
	payload_free(&p);
	close(fd);
	/* Released: it loads, and holds the lock itself meanwhile. */
	assert_int_equal(load(*state, "held.json", &p, why, sizeof(why)), 0);
	fd = open(path, O_RDONLY);
	assert_int_equal(flock(fd, LOCK_EX | LOCK_NB), -1);
	payload_free(&p);
	assert_int_equal(flock(fd, LOCK_EX | LOCK_NB), 0);
	close(fd);
	free(path);
	/* A folder, a FIFO (never waited on), a missing file. */
	tu_mkdir(*state, "dir.json");
	assert_int_equal(load(*state, "dir.json", &p, why, sizeof(why)),
	    ERR_INVALID);
	assert_string_equal(why, "not a regular file");
	payload_free(&p);
	path = tu_path(*state, "fifo.json");
	assert_int_equal(mkfifo(path, 0600), 0);
	free(path);
	assert_int_equal(load(*state, "fifo.json", &p, why, sizeof(why)),
	    ERR_INVALID);
	assert_string_equal(why, "not a regular file");
	payload_free(&p);
	assert_int_equal(load(*state, "gone.json", &p, why, sizeof(why)),
	    ERR_SYSTEM);
	assert_non_null(strstr(why, "No such file"));
	payload_free(&p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_json, setup, tu_teardown_dir),
		cmocka_unit_test_setup_teardown(test_agentid_from_name, setup,
		    tu_teardown_dir),
		cmocka_unit_test_setup_teardown(test_kind_from_content, setup,
		    tu_teardown_dir),
		cmocka_unit_test_setup_teardown(test_big_integers, setup,
		    tu_teardown_dir),
		cmocka_unit_test_setup_teardown(test_compressed_input, setup,
		    tu_teardown_dir),
		cmocka_unit_test_setup_teardown(test_not_inventories, setup,
		    tu_teardown_dir),
		cmocka_unit_test_setup_teardown(test_content_user_agent, setup,
		    tu_teardown_dir),
		cmocka_unit_test_setup_teardown(test_no_compression, setup,
		    tu_teardown_dir),
		cmocka_unit_test_setup_teardown(test_locked_and_odd_files,
		    setup, tu_teardown_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
