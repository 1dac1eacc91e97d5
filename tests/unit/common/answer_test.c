/*
 * answer: the status, message and expiration of GLPI JSON answers.
 */
#include "../testutil.h"

#include "common/answer.h"

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
	assert_int_equal(answer_expiration_seconds(""), -1);
	assert_int_equal(answer_expiration_seconds("s"), -1);
	assert_int_equal(answer_expiration_seconds("-1s"), -1);
	assert_int_equal(answer_expiration_seconds("10x"), -1);
	assert_int_equal(answer_expiration_seconds("10ss"), -1);
	assert_int_equal(answer_expiration_seconds(NULL), -1);
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
	    msg, sizeof(msg), &exp), -1);
	assert_string_equal(status, "");
	assert_string_equal(msg, "");
	assert_int_equal(exp, -1);
	assert_int_equal(answer_json("[1]", 3, status, sizeof(status), msg,
	    sizeof(msg), &exp), -1);
	assert_int_equal(answer_json("", 0, status, sizeof(status), msg,
	    sizeof(msg), &exp), -1);
	/* A status that does not fit is cut, never overflows. */
	assert_int_equal(answer_json("{\"status\":\"pendingpendingpending\"}",
	    34, status, 8, NULL, 0, &exp), 0);
	assert_string_equal(status, "pending");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_expiration_grammar),
		cmocka_unit_test(test_json_fields),
		cmocka_unit_test(test_not_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
