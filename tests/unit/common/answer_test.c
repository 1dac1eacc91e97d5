/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * answer: the status, message and expiration of GLPI JSON answers.
 */
#include "../testutil.h"

#include "common/answer.h"
#include "common/err.h"

static void
test_expiration_grammar(void **state)
{
	(void)state;
	assert_int_equal(answer_expiration_seconds("10s"), 10);
	assert_int_equal(answer_expiration_seconds("5m"), 300);
	assert_int_equal(answer_expiration_seconds("2h"), 7200);
	assert_int_equal(answer_expiration_seconds("24"), 86400);
	assert_int_equal(answer_expiration_seconds("1d"), 86400);
	assert_int_equal(answer_expiration_seconds("0s"), 0);
	assert_int_equal(answer_expiration_seconds(""), ERR_FORMAT);
	assert_int_equal(answer_expiration_seconds("s"), ERR_FORMAT);
	assert_int_equal(answer_expiration_seconds("-1s"), ERR_FORMAT);
	assert_int_equal(answer_expiration_seconds("10x"), ERR_FORMAT);
	assert_int_equal(answer_expiration_seconds("10ss"), ERR_FORMAT);
	assert_int_equal(answer_expiration_seconds(NULL), ERR_FORMAT);
}

static void
test_json_fields(void **state)
{
	const char	*ok = "{\"status\":\"ok\",\"expiration\":24}";
	const char	*pend = "{\"status\":\"pending\",\"expiration\":\"10s\"}";
	const char	*err = "{\"status\":\"error\",\"message\":\"busy\"}";
	char		 status[16], msg[64];
	long		 exp;

	(void)state;
	assert_int_equal(answer_json(ok, strlen(ok), status, sizeof(status),
	    msg, sizeof(msg), &exp), 0);
	assert_string_equal(status, "ok");
	assert_string_equal(msg, "");
	assert_int_equal(exp, 24 * 3600);
	assert_int_equal(answer_json(pend, strlen(pend), status,
	    sizeof(status), NULL, 0, &exp), 0);
	assert_string_equal(status, "pending");
	assert_int_equal(exp, 10);
	assert_int_equal(answer_json(err, strlen(err), status, sizeof(status),
	    msg, sizeof(msg), &exp), 0);
	assert_string_equal(status, "error");
	assert_string_equal(msg, "busy");
	assert_int_equal(exp, -1);
}

static void
test_not_json(void **state)
{
	char	status[16] = "x", msg[16] = "x";
	long	exp = 5;

	(void)state;
	assert_int_equal(answer_json("<REPLY/>", 8, status, sizeof(status),
	    msg, sizeof(msg), &exp), ERR_FORMAT);
	assert_string_equal(status, "");
	assert_string_equal(msg, "");
	assert_int_equal(exp, -1);
	assert_int_equal(answer_json("[1]", 3, status, sizeof(status), msg,
	    sizeof(msg), &exp), ERR_FORMAT);
	assert_int_equal(answer_json("", 0, status, sizeof(status), msg,
	    sizeof(msg), &exp), ERR_FORMAT);
	/* A status that does not fit is cut, never overflows. */
	assert_int_equal(answer_json("{\"status\":\"pendingpendingpending\"}",
	    34, status, 8, NULL, 0, &exp), 0);
	assert_string_equal(status, "pending");
}

static void
test_poll_schedule(void **state)
{
	struct answer_poll	ap = ANSWER_POLL_INIT;
	long			ms, total = 0;
	int			n = 0;

	(void)state;
	/* 0.1, 0.2, 0.4, 0.8 s, then the 1 s expiration, up to 12 s. */
	assert_int_equal(answer_poll_next(&ap, 1), 100);
	assert_int_equal(answer_poll_next(&ap, 1), 200);
	assert_int_equal(answer_poll_next(&ap, 1), 400);
	assert_int_equal(answer_poll_next(&ap, 1), 800);
	assert_int_equal(answer_poll_next(&ap, 1), 1000);
	while ((ms = answer_poll_next(&ap, 1)) >= 0)
		assert_int_equal(ms, 1000);
	assert_true(ap.waited_ms >= 12000 && ap.waited_ms < 13000);
	/* No expiration counts as 1 s; a long one is capped at 60 s. */
	ap = (struct answer_poll)ANSWER_POLL_INIT;
	while ((ms = answer_poll_next(&ap, 3600)) >= 0) {
		assert_true(ms <= 60000);
		total += ms;
		n++;
	}
	assert_true(n <= 40);
	assert_int_equal(total, ap.waited_ms);
	assert_true(total <= 12 * 60000 + 60000);
	ap = (struct answer_poll)ANSWER_POLL_INIT;
	assert_int_equal(answer_poll_next(&ap, -1), 100);
}

static void
test_summary(void **state)
{
	const char	*pretty = "{\n   \"status\": \"error\",\n   "
	    "\"message\": \"two\\nlines \u00e9\"\n}\n";
	char		 out[64], small[16], big[4096];
	char		 body[300];

	(void)state;
	/* Pretty JSON comes out on one line, ASCII only, order kept. */
	assert_int_equal(answer_summary(pretty, strlen(pretty), out,
	    sizeof(out)), 1);
	assert_string_equal(out,
	    "{\"status\":\"error\",\"message\":\"two\\nlines \\u00E9\"}");
	/* Too long: cut, with "...". */
	assert_int_equal(answer_summary(pretty, strlen(pretty), small,
	    sizeof(small)), 1);
	assert_string_equal(small, "{\"status\":\"e...");
	/* Not JSON: its start, control bytes and non-ASCII escaped. */
	assert_int_equal(answer_summary("<html>\r\nbusy \\ \xc3\xa9", 17, out,
	    sizeof(out)), 0);
	assert_string_equal(out, "<html>\\x0d\\x0abusy \\x5c \\xc3\\xa9");
	assert_int_equal(answer_summary("a\0b", 3, out, sizeof(out)), 0);
	assert_string_equal(out, "a\\x00b");
	memset(body, 'x', sizeof(body));
	assert_int_equal(answer_summary(body, sizeof(body), small,
	    sizeof(small)), 0);
	assert_string_equal(small, "xxxxxxxxxxxx...");
	assert_int_equal(answer_summary(body, sizeof(body), big,
	    sizeof(big)), 0);
	assert_int_equal(strlen(big), sizeof(body));
	assert_int_equal(answer_summary("", 0, out, sizeof(out)), 0);
	assert_string_equal(out, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_expiration_grammar),
		cmocka_unit_test(test_json_fields),
		cmocka_unit_test(test_not_json),
		cmocka_unit_test(test_poll_schedule),
		cmocka_unit_test(test_summary),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
