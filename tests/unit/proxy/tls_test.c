/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tls: the agent's ssl_cipher (SSL_version syntax) as GnuTLS priorities.
 */
#include "../testutil.h"

#include <stdio.h>

#include "common/err.h"
#include "proxy/tls.h"

static void
expect(const char *in, const char *out)
{
	char	 prio[256];
	FILE	*err = fopen("/dev/null", "w");

	assert_non_null(err);
	assert_int_equal(tls_priority(in, prio, sizeof(prio), err), 0);
	assert_string_equal(prio, out);
	fclose(err);
}

static void
refused(const char *in)
{
	char	 prio[256];
	FILE	*err = fopen("/dev/null", "w");

	assert_non_null(err);
	assert_int_equal(tls_priority(in, prio, sizeof(prio), err),
	    ERR_INVALID);
	fclose(err);
}

static void
test_defaults_and_single_versions(void **state)
{
	(void)state;
	/* TLS 1.0 and 1.1 only when asked for. */
	expect("", "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2");
	expect("SSLv23", "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:"
	    "+VERS-TLS1.1:+VERS-TLS1.0");
	expect("TLSv11:TLSv12:TLSv13", "NORMAL:-VERS-ALL:+VERS-TLS1.3:"
	    "+VERS-TLS1.2:+VERS-TLS1.1");
	expect("TLSv13", "NORMAL:-VERS-ALL:+VERS-TLS1.3");
	expect("TLSv1_2", "NORMAL:-VERS-ALL:+VERS-TLS1.2");
	expect("tlsv12:TLSv13",
	    "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2");
}

static void
test_negations(void **state)
{
	(void)state;
	/* Negations alone start from every protocol. */
	expect("!SSLv3:!TLSv11", "NORMAL:-VERS-ALL:+VERS-TLS1.3:"
	    "+VERS-TLS1.2:+VERS-TLS1.0");
	expect("SSLv23:!TLSv1:!TLSv11",
	    "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2");
	/* A negation wins over a later mention. */
	expect("!TLSv12:SSLv23", "NORMAL:-VERS-ALL:+VERS-TLS1.3:"
	    "+VERS-TLS1.1:+VERS-TLS1.0");
}

static void
test_refusals(void **state)
{
	(void)state;
	refused("TLSv9");
	refused("SSLv3");		/* nothing this server speaks */
	refused("SSLv2:SSLv3");
	refused("!SSLv23");
	refused("TLSv13 ");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_and_single_versions),
		cmocka_unit_test(test_negations),
		cmocka_unit_test(test_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
