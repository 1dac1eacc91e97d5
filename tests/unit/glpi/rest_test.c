/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * glpi rest: the base of the API's calls from api_url, and GLPI's answers
 * sorted into kinds of failure.
 */
#include "../testutil.h"

#include <string.h>

#include "common/err.h"
#include "glpi/rest.h"

/* The kind rest_answer_parse() gives status and body; *e kept. */
static enum rest_kind
kind(long status, const char *ctype, const char *body, struct rest_error *e)
{
	struct glpi_conf	 conf;
	json_t			*j = NULL;
	int			 r;

	memset(&conf, 0, sizeof(conf));
	memset(e, 0, sizeof(*e));
	r = rest_answer_parse(&conf, status, ctype, body, strlen(body), &j, e);
	if (r == 0) {
		assert_non_null(j);
		json_decref(j);
		return REST_OK;
	}
	assert_int_equal(r, ERR_PEER);
	assert_null(j);
	assert_true(e->advice[0] != '\0');
	return e->kind;
}

static void
test_answers(void **state)
{
	static const char *const json = "application/json";
	struct rest_error e;

	(void)state;
	assert_int_equal(kind(200, json, "{\"session_token\":\"t\"}", &e),
	    REST_OK);
	assert_int_equal(kind(206, json, "[{\"id\":1}]", &e), REST_OK);
	assert_int_equal(kind(400, json, "[\"ERROR\",\"API disabled\"]", &e),
	    REST_E_API_DISABLED);
	assert_int_equal(kind(400, json, "[\"ERROR\",\"bad range\"]", &e),
	    REST_E_OTHER);
	assert_int_equal(kind(400, json, "[\"ERROR_NOT_ALLOWED_IP\",\"no\"]",
	    &e), REST_E_IP);
	assert_int_equal(kind(400, json, "[\"ERROR_WRONG_APP_TOKEN_PARAMETER\","
	    "\"parameter app_token seems wrong; view documentation in your "
	    "browser at http://h/apirest.php/#ERROR\"]", &e), REST_E_APP_TOKEN);
	assert_string_equal(e.glpi, "parameter app_token seems wrong");
	assert_string_equal(e.code, "ERROR_WRONG_APP_TOKEN_PARAMETER");
	assert_int_equal(kind(400, json,
	    "[\"ERROR_APP_TOKEN_PARAMETERS_MISSING\",\"x\"]", &e),
	    REST_E_APP_TOKEN);
	assert_int_equal(kind(401, json, "[\"ERROR_GLPI_LOGIN_USER_TOKEN\","
	    "\"parameter user_token seems invalid\"]", &e), REST_E_USER_TOKEN);
	assert_int_equal(kind(401, json, "[\"ERROR_SESSION_TOKEN_INVALID\","
	    "\"session_token seems invalid\"]", &e), REST_E_SESSION);
	assert_int_equal(kind(400, json, "[\"ERROR_GLPI_DELETE\",\"You don't "
	    "have permission to perform this action.\"]", &e), REST_E_RIGHT);
	assert_int_equal(kind(403, json, "[\"ERROR_RIGHT_MISSING\",\"x\"]",
	    &e), REST_E_RIGHT);
	assert_int_equal(kind(400, json, "[\"ERROR_GLPI_DELETE\",\"Item not "
	    "found\"]", &e), REST_E_NOT_FOUND);
	assert_int_equal(kind(404, json, "[\"ERROR_ITEM_NOT_FOUND\",\"Item "
	    "not found\"]", &e), REST_E_NOT_FOUND);
	assert_int_equal(kind(502, "text/html", "<html><body>Bad Gateway",
	    &e), REST_E_HTML);
	assert_int_equal(kind(200, "", "  <!DOCTYPE html>", &e), REST_E_HTML);
	assert_int_equal(kind(200, json, "{\"session_token\":\"83a", &e),
	    REST_E_TRUNCATED);
	assert_int_equal(kind(207, json, "[\"ERROR_GLPI_PARTIAL_ADD\",[{\"id\""
	    ":false,\"message\":\"duplicate\"}]]", &e), REST_E_OTHER);
	assert_string_equal(e.glpi, "duplicate");
	assert_int_equal(kind(500, json, "{\"not\":\"an error\"}", &e),
	    REST_E_OTHER);
	/* A server's control characters never reach the terminal. */
	kind(400, json, "[\"ERROR\\u001b[2J\",\"a\\nb\\u0007c\"]", &e);
	assert_string_equal(e.code, "ERROR?[2J");
	assert_string_equal(e.glpi, "a?b?c");
}

static void
test_content_range(void **state)
{
	long end, total;

	(void)state;
	assert_int_equal(rest_content_range("0-99/250", &end, &total), 0);
	assert_int_equal(end, 99);
	assert_int_equal(total, 250);
	assert_int_equal(rest_content_range("200-249/250", &end, &total), 0);
	assert_int_equal(end, 249);
	assert_int_equal(rest_content_range("9-3/20", &end, &total),
	    ERR_FORMAT);
	assert_int_equal(rest_content_range("0-9/20 extra", &end, &total),
	    ERR_FORMAT);
	assert_int_equal(rest_content_range("items 0-9/20", &end, &total),
	    ERR_FORMAT);
	assert_int_equal(rest_content_range("", &end, &total), ERR_FORMAT);
}

static void
test_base_url(void **state)
{
	static const char *const cases[][2] = {
		{ "http://glpi.example", "http://glpi.example/apirest.php" },
		{ "http://glpi.example/glpi/",
		    "http://glpi.example/glpi/apirest.php" },
		{ "https://h/glpi/apirest.php", "https://h/glpi/apirest.php" },
		{ "https://h/glpi/apirest.php//", "https://h/glpi/apirest.php" },
		{ "http://h/api.php/v1", "http://h/api.php/v1" },
		{ "http://h/api.php/v1/", "http://h/api.php/v1" },
		{ "HTTP://h:8080", "HTTP://h:8080/apirest.php" },
	};
	char	out[128];
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(rest_base_url(cases[i][0], out, sizeof(out)),
		    0);
		assert_string_equal(out, cases[i][1]);
	}
}

static void
test_base_url_refused(void **state)
{
	char	out[24];

	(void)state;
	assert_int_equal(rest_base_url("", out, sizeof(out)), ERR_INVALID);
	assert_int_equal(rest_base_url("glpi.example/apirest.php", out,
	    sizeof(out)), ERR_INVALID);
	assert_int_equal(rest_base_url("ftp://h/", out, sizeof(out)),
	    ERR_INVALID);
	/* Cut would call another URL: refused instead. */
	assert_int_equal(rest_base_url("http://a-long-host.example/", out,
	    sizeof(out)), ERR_TOO_BIG);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base_url),
		cmocka_unit_test(test_base_url_refused),
		cmocka_unit_test(test_answers),
		cmocka_unit_test(test_content_range),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
