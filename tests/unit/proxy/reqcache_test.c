/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * reqcache: answers of forwarded GLPI requests, kept for the agent's poll.
 */
#include "../testutil.h"

#include "common/err.h"
#include "common/uuid.h"
#include "proxy/reqcache.h"

#define T0	1700000000
#define AGENT	"3f2504e0-4f89-41d3-9a0c-0305e82c3301"
#define OTHER	"0d4f8a5c-1b2e-4c3d-8e9f-a0b1c2d3e4f5"

/* The agent id number i: each has its own quota. */
static const char *
agent_n(int i)
{
	static char buf[UUID_STRLEN + 1];

	assert_true(snprintf(buf, sizeof(buf),
	    "00000000-0000-4000-8000-%012x", (unsigned)i) == UUID_STRLEN);
	return buf;
}

static void
test_open_keeps_client_id(void **state)
{
	struct reqcache	*rc;
	char		 id[REQID_STRLEN + 1] = "DEADBEEF";
	char		 id2[REQID_STRLEN + 1] = "DEADBEEF";
	char		 id3[REQID_STRLEN + 1] = "";
	char		 id4[REQID_STRLEN + 1] = "deadbeef";

	(void)state;
	assert_non_null(rc = reqcache_new(100, 1 << 20, 60, 60));
	assert_int_equal(reqcache_open(rc, AGENT, NULL, id, T0), 0);
	assert_string_equal(id, "DEADBEEF");
	/* In use: another id is drawn. */
	assert_int_equal(reqcache_open(rc, OTHER, NULL, id2, T0), 0);
	assert_true(reqid_valid(id2));
	assert_string_not_equal(id2, "DEADBEEF");
	/* Empty or invalid: drawn too. */
	assert_int_equal(reqcache_open(rc, AGENT, NULL, id3, T0), 0);
	assert_true(reqid_valid(id3));
	assert_int_equal(reqcache_open(rc, AGENT, NULL, id4, T0), 0);
	assert_true(reqid_valid(id4));
	assert_int_equal(reqcache_count(rc), 4);
	reqcache_free(rc);
}

static void
test_unique_ids(void **state)
{
	struct reqcache	*rc;
	char		 ids[500][REQID_STRLEN + 1];
	int		 i, j;

	(void)state;
	assert_non_null(rc = reqcache_new(1000, 1 << 20, 60, 60));
	for (i = 0; i < 500; i++) {
		/* Every client asks for the same id: all must differ. */
		memcpy(ids[i], "00C0FFEE", REQID_STRLEN + 1);
		assert_int_equal(reqcache_open(rc, agent_n(i), NULL, ids[i],
		    T0), 0);
		assert_true(reqid_valid(ids[i]));
	}
	for (i = 0; i < 500; i++)
		for (j = i + 1; j < 500; j++)
			assert_string_not_equal(ids[i], ids[j]);
	assert_int_equal(reqcache_count(rc), 500);
	reqcache_free(rc);
}

static void
test_pending_then_final(void **state)
{
	struct reqcache	*rc;
	char		 id[REQID_STRLEN + 1] = "0000BEEF";
	char		*body = (char *)"junk";
	size_t		 len = 77;
	int		 code = -1;

	(void)state;
	assert_non_null(rc = reqcache_new(100, 1 << 20, 60, 60));
	assert_int_equal(reqcache_open(rc, AGENT, NULL, id, T0), 0);
	/* Not answered yet: code 0, no body, entry kept. */
	assert_int_equal(reqcache_take(rc, id, AGENT, &code, &body, &len,
	    T0 + 1), 0);
	assert_int_equal(code, 0);
	assert_null(body);
	assert_int_equal(len, 0);
	assert_int_equal(reqcache_count(rc), 1);
	assert_int_equal(reqcache_set(rc, id, 200, "{\"status\":\"ok\"}", 15,
	    T0 + 2), 0);
	assert_int_equal(reqcache_take(rc, id, AGENT, &code, &body, &len,
	    T0 + 3), 0);
	assert_int_equal(code, 200);
	assert_int_equal(len, 15);
	assert_non_null(body);
	assert_memory_equal(body, "{\"status\":\"ok\"}", 15);
	assert_int_equal(body[len], '\0');
	free(body);
	/* A final answer is given once. */
	assert_int_equal(reqcache_count(rc), 0);
	code = -1;
	assert_int_equal(reqcache_take(rc, id, AGENT, &code, &body, &len,
	    T0 + 3), ERR_NOT_FOUND);
	assert_int_equal(code, 0);
	assert_null(body);
	/* And the id is free for the next request. */
	assert_int_equal(reqcache_open(rc, AGENT, NULL, id, T0 + 4), 0);
	assert_string_equal(id, "0000BEEF");
	reqcache_free(rc);
}

static void
test_error_answers_are_final(void **state)
{
	static const int	 codes[] = { 200, 400, 404, 500, 503 };
	struct reqcache		*rc;
	char			 id[REQID_STRLEN + 1];
	char			*body;
	size_t			 len, i;
	int			 code;

	(void)state;
	assert_non_null(rc = reqcache_new(100, 1 << 20, 60, 60));
	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		id[0] = '\0';
		assert_int_equal(reqcache_open(rc, AGENT, NULL, id, T0), 0);
		assert_int_equal(reqcache_set(rc, id, codes[i], "", 0, T0), 0);
		assert_int_equal(reqcache_take(rc, id, AGENT, &code, &body,
		    &len, T0), 0);
		assert_int_equal(code, codes[i]);
		assert_int_equal(len, 0);
		free(body);
		assert_int_equal(reqcache_take(rc, id, AGENT, &code, &body,
		    &len, T0), ERR_NOT_FOUND);
	}
	assert_int_equal(reqcache_count(rc), 0);
	reqcache_free(rc);
}

static void
test_wrong_agent(void **state)
{
	struct reqcache	*rc;
	char		 id[REQID_STRLEN + 1] = "";
	char		*body;
	size_t		 len;
	int		 code;

	(void)state;
	assert_non_null(rc = reqcache_new(100, 1 << 20, 60, 60));
	assert_int_equal(reqcache_open(rc, AGENT, NULL, id, T0), 0);
	assert_int_equal(reqcache_set(rc, id, 200, "secret", 6, T0), 0);
	assert_int_equal(reqcache_take(rc, id, OTHER, &code, &body, &len, T0),
	    ERR_NOT_FOUND);
	assert_null(body);
	assert_int_equal(reqcache_take(rc, id, NULL, &code, &body, &len, T0),
	    ERR_NOT_FOUND);
	assert_int_equal(reqcache_take(rc, id, "", &code, &body, &len, T0),
	    ERR_NOT_FOUND);
	assert_int_equal(reqcache_take(rc, id, AGENT "0", &code, &body, &len,
	    T0), ERR_NOT_FOUND);
	assert_int_equal(reqcache_take(rc, "FFFFFFFF", AGENT, &code, &body,
	    &len, T0), ERR_NOT_FOUND);
	/* None of these took the answer away from its owner. */
	assert_int_equal(reqcache_count(rc), 1);
	assert_int_equal(reqcache_take(rc, id, AGENT, &code, &body, &len, T0),
	    0);
	assert_int_equal(code, 200);
	assert_memory_equal(body, "secret", 6);
	free(body);
	reqcache_free(rc);
}

static void
test_202_kept(void **state)
{
	struct reqcache	*rc;
	char		 id[REQID_STRLEN + 1] = "";
	char		*body;
	size_t		 len;
	int		 code, i;

	(void)state;
	assert_non_null(rc = reqcache_new(100, 1 << 20, 60, 60));
	assert_int_equal(reqcache_open(rc, AGENT, NULL, id, T0), 0);
	assert_int_equal(reqcache_set(rc, id, 202, "{\"status\":\"pending\"}",
	    20, T0), 0);
	/* An upstream "still working" answer: every poll gets a copy. */
	for (i = 0; i < 3; i++) {
		assert_int_equal(reqcache_take(rc, id, AGENT, &code, &body,
		    &len, T0 + i), 0);
		assert_int_equal(code, 202);
		assert_int_equal(len, 20);
		assert_memory_equal(body, "{\"status\":\"pending\"}", 20);
		free(body);
	}
	assert_int_equal(reqcache_count(rc), 1);
	/* Replaced by the final answer, which is then taken once. */
	assert_int_equal(reqcache_set(rc, id, 200, "{}", 2, T0 + 5), 0);
	assert_int_equal(reqcache_take(rc, id, AGENT, &code, &body, &len,
	    T0 + 6), 0);
	assert_int_equal(code, 200);
	assert_int_equal(len, 2);
	free(body);
	assert_int_equal(reqcache_count(rc), 0);
	reqcache_free(rc);
}

static void
test_ttl(void **state)
{
	struct reqcache	*rc;
	char		 a[REQID_STRLEN + 1] = "";
	char		 b[REQID_STRLEN + 1] = "";
	char		*body;
	size_t		 len;
	int		 code;

	(void)state;
	assert_non_null(rc = reqcache_new(100, 1 << 20, 10, 10));
	assert_int_equal(reqcache_open(rc, AGENT, NULL, a, T0), 0);
	assert_int_equal(reqcache_open(rc, AGENT, NULL, b, T0), 0);
	assert_int_equal(reqcache_take(rc, a, AGENT, &code, &body, &len,
	    T0 + 9), 0);
	assert_int_equal(code, 0);
	assert_int_equal(reqcache_take(rc, a, AGENT, &code, &body, &len,
	    T0 + 10), ERR_NOT_FOUND);
	/* Setting an answer restarts the clock. */
	assert_int_equal(reqcache_set(rc, b, 200, "late", 4, T0 + 8), 0);
	assert_int_equal(reqcache_take(rc, b, AGENT, &code, &body, &len,
	    T0 + 17), 0);
	assert_int_equal(code, 200);
	assert_memory_equal(body, "late", 4);
	free(body);
	reqcache_free(rc);
}

static void
test_max_entries(void **state)
{
	struct reqcache	*rc;
	char		 id[4][REQID_STRLEN + 1];
	char		*body;
	size_t		 len;
	int		 code, i;

	(void)state;
	assert_non_null(rc = reqcache_new(3, 1 << 20, 100, 100));
	for (i = 0; i < 3; i++) {
		id[i][0] = '\0';
		assert_int_equal(reqcache_open(rc, AGENT, NULL, id[i], T0), 0);
	}
	/* Full: new requests are refused, old answers are not dropped. */
	id[3][0] = '\0';
	assert_int_equal(reqcache_open(rc, AGENT, NULL, id[3], T0 + 1),
	    ERR_TOO_BIG);
	assert_int_equal(reqcache_count(rc), 3);
	for (i = 0; i < 3; i++) {
		assert_int_equal(reqcache_take(rc, id[i], AGENT, &code, &body,
		    &len, T0 + 1), 0);
		assert_int_equal(code, 0);
	}
	/* Taking a final answer makes room. */
	assert_int_equal(reqcache_set(rc, id[0], 200, "x", 1, T0 + 1), 0);
	assert_int_equal(reqcache_take(rc, id[0], AGENT, &code, &body, &len,
	    T0 + 1), 0);
	free(body);
	assert_int_equal(reqcache_open(rc, AGENT, NULL, id[3], T0 + 1), 0);
	id[0][0] = '\0';
	assert_int_equal(reqcache_open(rc, AGENT, NULL, id[0], T0 + 2),
	    ERR_TOO_BIG);
	/* Expired entries are swept when the cache is full. */
	assert_int_equal(reqcache_open(rc, AGENT, NULL, id[0], T0 + 100), 0);
	assert_int_equal(reqcache_count(rc), 2);
	reqcache_free(rc);
}

static void
test_max_bytes(void **state)
{
	struct reqcache	*rc;
	char		 a[REQID_STRLEN + 1] = "", b[REQID_STRLEN + 1] = "";
	char		 big[100], *body;
	size_t		 len;
	int		 code;

	(void)state;
	memset(big, 'b', sizeof(big));
	assert_non_null(rc = reqcache_new(10, 150, 100, 100));
	assert_int_equal(reqcache_open(rc, AGENT, NULL, a, T0), 0);
	assert_int_equal(reqcache_open(rc, AGENT, NULL, b, T0), 0);
	assert_int_equal(reqcache_set(rc, a, 202, big, 100, T0), 0);
	assert_int_equal(reqcache_set(rc, b, 200, big, 51, T0), ERR_TOO_BIG);
	assert_int_equal(reqcache_set(rc, b, 200, big, 50, T0), 0);
	/* Replacing a body counts the new size, not both. */
	assert_int_equal(reqcache_set(rc, a, 202, big, 100, T0), 0);
	assert_int_equal(reqcache_set(rc, a, 200, big, 10, T0), 0);
	assert_int_equal(reqcache_take(rc, a, AGENT, &code, &body, &len, T0),
	    0);
	assert_int_equal(len, 10);
	free(body);
	/* Taken bodies free their bytes. */
	assert_int_equal(reqcache_set(rc, b, 200, big, 100, T0), 0);
	assert_int_equal(reqcache_set(rc, "00000000", 200, "x", 1, T0),
	    ERR_NOT_FOUND);
	reqcache_free(rc);
}

static void
test_free_with_entries(void **state)
{
	struct reqcache	*rc;
	char		 id[REQID_STRLEN + 1];
	int		 i;

	(void)state;
	reqcache_free(NULL);
	assert_non_null(rc = reqcache_new(100, 1 << 20, 100, 100));
	for (i = 0; i < 50; i++) {
		id[0] = '\0';
		assert_int_equal(reqcache_open(rc, agent_n(i), NULL, id, T0),
		    0);
		if (i % 2 == 0)
			assert_int_equal(reqcache_set(rc, id, 202, "abc", 3,
			    T0), 0);
	}
	/* Leak detection checks that bodies and entries are released. */
	reqcache_free(rc);
}

static void
test_202_binary_body(void **state)
{
	struct reqcache	*rc;
	char		 id[REQID_STRLEN + 1] = "";
	char		*body;
	size_t		 len;
	int		 code;

	(void)state;
	/*
	 * The body is upstream data with a length: a 202 answer comes back
	 * whole, NUL bytes included, with its true length.
	 */
	assert_non_null(rc = reqcache_new(100, 1 << 20, 60, 60));
	assert_int_equal(reqcache_open(rc, AGENT, NULL, id, T0), 0);
	assert_int_equal(reqcache_set(rc, id, 202, "ab\0cd", 5, T0), 0);
	assert_int_equal(reqcache_take(rc, id, AGENT, &code, &body, &len, T0),
	    0);
	assert_int_equal(len, 5);
	assert_memory_equal(body, "ab\0cd", 5);
	free(body);
	reqcache_free(rc);
}

/*
 * Ids a client chooses to share a bucket under an unkeyed hash (multiples
 * of 4096, the bucket count: with the id's value as its hash all 20,000
 * made one chain) spread evenly under the keyed hash.
 */
static void
test_adversarial_ids_spread(void **state)
{
	struct reqcache	*rc;
	char		 id[REQID_STRLEN + 1];
	size_t		 longest;
	int		 i;

	(void)state;
	assert_non_null(rc = reqcache_new(30000, 1 << 20, 60, 60));
	for (i = 0; i < 20000; i++) {
		assert_true(snprintf(id, sizeof(id), "%08X",
		    (unsigned)i * 4096u) == REQID_STRLEN);
		assert_int_equal(reqcache_open(rc, agent_n(i), NULL, id, T0),
		    0);
		assert_true(id[0] != '\0');
	}
	assert_int_equal(reqcache_count(rc), 20000);
	/*
	 * 20,000 entries in 4,096 buckets: about 5 each; a fair hash keeps
	 * the fullest under 30 with overwhelming probability.
	 */
	longest = reqcache_longest_chain(rc);
	if (longest > 30)
		fail_msg("longest chain %zu", longest);
	reqcache_free(rc);
}

/* A final answer lives answer_ttl, a running forward ttl. */
static void
test_answer_ttl(void **state)
{
	struct reqcache	*rc;
	char		 a[REQID_STRLEN + 1] = "", b[REQID_STRLEN + 1] = "";
	char		*body;
	size_t		 len;
	int		 code;

	(void)state;
	assert_non_null(rc = reqcache_new(100, 1 << 20, 3600, 600));
	assert_int_equal(reqcache_open(rc, AGENT, NULL, a, T0), 0);
	assert_int_equal(reqcache_open(rc, OTHER, NULL, b, T0), 0);
	assert_int_equal(reqcache_set(rc, a, 200, "{}", 2, T0 + 5), 0);
	assert_int_equal(reqcache_take(rc, a, AGENT, &code, &body, &len,
	    T0 + 605), ERR_NOT_FOUND);
	assert_int_equal(reqcache_take(rc, b, OTHER, &code, &body, &len,
	    T0 + 605), 0);
	assert_int_equal(code, 0);
	/* Expired answers leave the table with the next open. */
	assert_int_equal(reqcache_count(rc), 2);
	a[0] = '\0';
	assert_int_equal(reqcache_open(rc, AGENT, NULL, a, T0 + 606), 0);
	assert_int_equal(reqcache_count(rc), 2);
	/* An upstream 202 is a forward still running: the long life. */
	assert_int_equal(reqcache_set(rc, b, 202, "{}", 2, T0 + 606), 0);
	assert_int_equal(reqcache_take(rc, b, OTHER, &code, &body, &len,
	    T0 + 606 + 3599), 0);
	assert_int_equal(code, 202);
	free(body);
	reqcache_free(rc);
}

/*
 * Answers nobody polls do not make others wait: when the table is full,
 * the oldest of them is dropped; running forwards are never dropped.
 */
static void
test_full_evicts_oldest_answer(void **state)
{
	struct reqcache	*rc;
	char		 id[40][REQID_STRLEN + 1];
	char		*body;
	size_t		 len;
	int		 code, i;

	(void)state;
	assert_non_null(rc = reqcache_new(16, 1 << 20, 3600, 600));
	for (i = 0; i < 40; i++) {
		id[i][0] = '\0';
		assert_int_equal(reqcache_open(rc, agent_n(i), NULL, id[i],
		    T0 + i), 0);
		assert_int_equal(reqcache_set(rc, id[i], 200, "{}", 2,
		    T0 + i), 0);
	}
	assert_int_equal(reqcache_count(rc), 16);
	/* The newest 16 are kept, the oldest went. */
	assert_int_equal(reqcache_take(rc, id[23], agent_n(23), &code, &body,
	    &len, T0 + 40), ERR_NOT_FOUND);
	assert_int_equal(reqcache_take(rc, id[24], agent_n(24), &code, &body,
	    &len, T0 + 40), 0);
	assert_int_equal(code, 200);
	free(body);
	/* Full of running forwards: refused. */
	for (i = 0; i < 16; i++) {
		id[i][0] = '\0';
		assert_int_equal(reqcache_open(rc, agent_n(100 + i), NULL,
		    id[i], T0 + 41), 0);
	}
	id[16][0] = '\0';
	assert_int_equal(reqcache_open(rc, agent_n(200), NULL, id[16],
	    T0 + 41), ERR_TOO_BIG);
	for (i = 0; i < 16; i++) {
		assert_int_equal(reqcache_take(rc, id[i], agent_n(100 + i),
		    &code, &body, &len, T0 + 41), 0);
		assert_int_equal(code, 0);
	}
	reqcache_free(rc);
}

/* One agent, one address, cannot fill the table. */
static void
test_quotas(void **state)
{
	struct reqcache	*rc;
	char		 id[REQID_STRLEN + 1], keep[REQID_STRLEN + 1];
	char		*body;
	size_t		 len;
	int		 code, i;

	(void)state;
	assert_non_null(rc = reqcache_new(64, 1 << 20, 3600, 600));
	for (i = 0; i < REQCACHE_PER_AGENT; i++) {
		id[0] = '\0';
		assert_int_equal(reqcache_open(rc, AGENT, NULL, id, T0), 0);
	}
	memcpy(keep, id, sizeof(keep));
	id[0] = '\0';
	assert_int_equal(reqcache_open(rc, AGENT, NULL, id, T0), ERR_TOO_BIG);
	assert_int_equal(reqcache_open(rc, OTHER, NULL, id, T0), 0);
	/* A taken answer gives the agent its place back. */
	assert_int_equal(reqcache_set(rc, keep, 200, "{}", 2, T0), 0);
	assert_int_equal(reqcache_take(rc, keep, AGENT, &code, &body, &len,
	    T0), 0);
	free(body);
	id[0] = '\0';
	assert_int_equal(reqcache_open(rc, AGENT, NULL, id, T0), 0);
	/* An address holds a quarter of the table, whatever its agents. */
	for (i = 0; i < 16; i++) {
		id[0] = '\0';
		assert_int_equal(reqcache_open(rc, agent_n(i), "192.0.2.1", id,
		    T0), 0);
	}
	id[0] = '\0';
	assert_int_equal(reqcache_open(rc, agent_n(16), "192.0.2.1", id, T0),
	    ERR_TOO_BIG);
	assert_int_equal(reqcache_open(rc, agent_n(16), "192.0.2.2", id, T0),
	    0);
	id[0] = '\0';
	assert_int_equal(reqcache_open(rc, agent_n(17), NULL, id, T0), 0);
	assert_int_equal(reqcache_count(rc), 8 + 1 + 16 + 2);
	reqcache_free(rc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_keeps_client_id),
		cmocka_unit_test(test_unique_ids),
		cmocka_unit_test(test_pending_then_final),
		cmocka_unit_test(test_error_answers_are_final),
		cmocka_unit_test(test_wrong_agent),
		cmocka_unit_test(test_202_kept),
		cmocka_unit_test(test_ttl),
		cmocka_unit_test(test_max_entries),
		cmocka_unit_test(test_max_bytes),
		cmocka_unit_test(test_free_with_entries),
		cmocka_unit_test(test_202_binary_body),
		cmocka_unit_test(test_adversarial_ids_spread),
		cmocka_unit_test(test_answer_ttl),
		cmocka_unit_test(test_full_evicts_oldest_answer),
		cmocka_unit_test(test_quotas),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
