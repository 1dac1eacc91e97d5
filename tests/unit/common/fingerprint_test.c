/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fingerprint: the agent's ssl-fingerprint (IO::Socket::SSL's
 * SSL_fingerprint syntax), and matching a DER certificate against it.
 */
#include "../testutil.h"

#include "common/err.h"
#include "common/fingerprint.h"

/* Digests of the three bytes "abc" (FIPS 180 test vectors). */
#define ABC_SHA1	"a9993e364706816aba3e25717850c26c9cd0d89d"
#define ABC_SHA256	"ba7816bf8f01cfea414140de5dae2223" \
			"b00361a396177a9cb410ff61f20015ad"
#define ABC_SHA256_COLONS \
	"BA:78:16:BF:8F:01:CF:EA:41:41:40:DE:5D:AE:22:23:" \
	"B0:03:61:A3:96:17:7A:9C:B4:10:FF:61:F2:00:15:AD"

static void
parses(const char *text, int n)
{
	struct fingerprints	fps;
	char			why[256];

	assert_int_equal(fingerprint_parse(text, &fps, why, sizeof(why)), 0);
	assert_int_equal(fps.n, n);
	assert_string_equal(why, "");
}

static void
refused(const char *text, int code, const char *reason)
{
	struct fingerprints	fps;
	char			why[256];

	assert_int_equal(fingerprint_parse(text, &fps, why, sizeof(why)),
	    code);
	assert_int_equal(fps.n, 0);		/* nothing half parsed */
	if (strstr(why, reason) == NULL)
		fail_msg("\"%s\": reason \"%s\" lacks \"%s\"", text, why,
		    reason);
}

static int
matches(const char *text, const char *der)
{
	struct fingerprints fps;

	assert_int_equal(fingerprint_parse(text, &fps, NULL, 0), 0);
	return fingerprint_match(&fps, der, strlen(der));
}

static void
test_empty(void **state)
{
	struct fingerprints fps;

	(void)state;
	parses("", 0);
	parses("  ,\t, ", 0);
	assert_int_equal(fingerprint_parse(NULL, &fps, NULL, 0), 0);
	assert_int_equal(fps.n, 0);
	assert_int_equal(fingerprint_match(&fps, "abc", 3), 0);
}

static void
test_forms(void **state)
{
	struct fingerprints fps;

	(void)state;
	assert_int_equal(fingerprint_parse("sha256$" ABC_SHA256, &fps, NULL,
	    0), 0);
	assert_int_equal(fps.n, 1);
	assert_int_equal(fps.fp[0].algo, FINGERPRINT_SHA256);
	assert_int_equal(fps.fp[0].len, 32);
	assert_int_equal(fps.fp[0].digest[0], 0xba);
	assert_int_equal(fps.fp[0].digest[31], 0xad);
	parses("SHA256$" ABC_SHA256_COLONS, 1);
	parses(" sha1$" ABC_SHA1 " ,  sha256$" ABC_SHA256 " ", 2);
	parses("sha224$" "23097d223405d8228642a477bda255b3"
	    "2aadbce4bda0b3f7e36c9da7", 1);
	/* Without a name, the length tells the digest. */
	assert_int_equal(fingerprint_parse(ABC_SHA1 "," ABC_SHA256_COLONS,
	    &fps, NULL, 0), 0);
	assert_int_equal(fps.n, 2);
	assert_int_equal(fps.fp[0].algo, FINGERPRINT_SHA1);
	assert_int_equal(fps.fp[1].algo, FINGERPRINT_SHA256);
}

static void
test_refusals(void **state)
{
	char	many[41 * (FINGERPRINT_MAX + 1) + 1];
	size_t	at = 0;
	int	i;

	(void)state;
	refused("md5$900150983cd24fb0d6963f7d28e17f72", ERR_FORMAT,
	    "unknown digest");
	refused("sha256$pub$" ABC_SHA256, ERR_FORMAT, "public key");
	refused("sha256$zz", ERR_FORMAT, "item 1 \"sha256$zz\": the digest "
	    "is not hexadecimal");
	refused("sha256$abc", ERR_FORMAT, "not hexadecimal");
	refused("sha256$", ERR_FORMAT, "not hexadecimal");
	refused("sha1$" ABC_SHA256, ERR_FORMAT, "wrong length");
	refused("sha256$" ABC_SHA256 ",abcd", ERR_FORMAT,
	    "item 2 \"abcd\": no digest has this length");
	refused("sha256 " ABC_SHA256, ERR_FORMAT, "neither algo$hex");
	for (i = 0; i <= FINGERPRINT_MAX; i++)
		at += (size_t)snprintf(many + at, sizeof(many) - at, "%s,",
		    ABC_SHA1);
	refused(many, ERR_TOO_BIG, "too many");
}

static void
test_match(void **state)
{
	(void)state;
	assert_int_equal(matches("sha256$" ABC_SHA256, "abc"), 1);
	assert_int_equal(matches("sha256$" ABC_SHA256_COLONS, "abc"), 1);
	assert_int_equal(matches("sha1$" ABC_SHA1, "abc"), 1);
	assert_int_equal(matches("sha256$" ABC_SHA256, "abd"), 0);
	/* Any item of a list will do. */
	assert_int_equal(matches("sha1$" ABC_SHA1 ",sha256$" ABC_SHA256,
	    "abc"), 1);
	assert_int_equal(matches("sha256$" "00000000000000000000000000000000"
	    "00000000000000000000000000000000, sha1$" ABC_SHA1, "abc"), 1);
	/* The same digest under another name is another fingerprint. */
	assert_int_equal(matches("sha512$" ABC_SHA256 ABC_SHA256, "abc"), 0);
}

static void
test_format(void **state)
{
	char out[FINGERPRINT_STRLEN];

	(void)state;
	assert_int_equal(fingerprint_format(FINGERPRINT_SHA256, "abc", 3, out,
	    sizeof(out)), 0);
	assert_string_equal(out, "sha256$" ABC_SHA256);
	assert_int_equal(fingerprint_format(FINGERPRINT_SHA1, "abc", 3, out,
	    sizeof(out)), 0);
	assert_string_equal(out, "sha1$" ABC_SHA1);
	assert_int_equal(fingerprint_format(FINGERPRINT_SHA256, "abc", 3, out,
	    20), ERR_TOO_BIG);
	/* What it writes parses back and matches. */
	assert_int_equal(fingerprint_format(FINGERPRINT_SHA512, "abc", 3, out,
	    sizeof(out)), 0);
	assert_int_equal(matches(out, "abc"), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_forms),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
