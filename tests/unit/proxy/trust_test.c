/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * trust: the httpd-trust list of addresses and networks.
 */
#include "../testutil.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/un.h>

#include "common/err.h"
#include "proxy/trust.h"

/* Builds the socket address the server would see for text. */
static const struct sockaddr *
addr(const char *text)
{
	static struct sockaddr_storage	 ss;
	struct sockaddr_in		*sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6		*sin6 = (struct sockaddr_in6 *)&ss;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, text, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(62354);
	} else if (inet_pton(AF_INET6, text, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(62354);
	} else
		fail_msg("bad test address %s", text);
	return (const struct sockaddr *)&ss;
}

static int
trusted(const struct trust *t, const char *text)
{
	return trust_match(t, addr(text));
}

static void
test_parse_good(void **state)
{
	struct trust	 t;
	const char	*bad = "unset";

	(void)state;
	assert_int_equal(trust_parse(&t, "127.0.0.1, 10.0.0.0/8 "
	    "192.168.1.0/24\t::1,2001:db8::/32,,  ", &bad), 0);
	assert_null(bad);
	assert_int_equal(t.n, 5);
	assert_int_equal(t.nets[0].family, AF_INET);
	assert_int_equal(t.nets[0].prefix, 32);
	assert_int_equal(t.nets[1].prefix, 8);
	assert_int_equal(t.nets[3].family, AF_INET6);
	assert_int_equal(t.nets[3].prefix, 128);
	assert_int_equal(t.nets[4].prefix, 32);
	assert_int_equal(trust_parse(&t, "", &bad), 0);
	assert_int_equal(t.n, 0);
	assert_int_equal(trust_parse(&t, NULL, &bad), 0);
	assert_int_equal(t.n, 0);
	assert_null(bad);
}

static void
test_match_v4(void **state)
{
	struct trust	 t;
	const char	*bad;

	(void)state;
	assert_int_equal(trust_parse(&t, "127.0.0.1,10.0.0.0/8,"
	    "192.168.1.77/24,172.16.0.0/12,198.51.100.6/31", &bad), 0);
	assert_true(trusted(&t, "127.0.0.1"));
	assert_false(trusted(&t, "127.0.0.2"));
	assert_true(trusted(&t, "10.0.0.0"));
	assert_true(trusted(&t, "10.255.255.255"));
	assert_false(trusted(&t, "11.0.0.0"));
	assert_false(trusted(&t, "9.255.255.255"));
	/* Host bits in the network are ignored. */
	assert_true(trusted(&t, "192.168.1.1"));
	assert_true(trusted(&t, "192.168.1.255"));
	assert_false(trusted(&t, "192.168.2.1"));
	/* Prefixes that cut a byte. */
	assert_true(trusted(&t, "172.16.0.1"));
	assert_true(trusted(&t, "172.31.255.255"));
	assert_false(trusted(&t, "172.32.0.0"));
	assert_false(trusted(&t, "172.15.255.255"));
	assert_true(trusted(&t, "198.51.100.6"));
	assert_true(trusted(&t, "198.51.100.7"));
	assert_false(trusted(&t, "198.51.100.5"));
	assert_false(trusted(&t, "198.51.100.8"));
	/* IPv4 networks do not match native IPv6 addresses. */
	assert_false(trusted(&t, "::1"));
	assert_false(trusted(&t, "::a00:1"));
	assert_false(trusted(&t, "2001:db8::a00:1"));
}

static void
test_match_v6(void **state)
{
	struct trust	 t;
	const char	*bad;

	(void)state;
	assert_int_equal(trust_parse(&t, "::1 2001:db8::/32 fe80::/10 "
	    "2001:db8:1:2::/127", &bad), 0);
	assert_true(trusted(&t, "::1"));
	assert_false(trusted(&t, "::2"));
	assert_false(trusted(&t, "::"));
	assert_true(trusted(&t, "2001:db8::1"));
	assert_true(trusted(&t, "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"));
	assert_false(trusted(&t, "2001:db9::1"));
	assert_false(trusted(&t, "2001:db7:ffff::1"));
	assert_true(trusted(&t, "fe80::1"));
	assert_true(trusted(&t, "febf:ffff::1"));
	assert_false(trusted(&t, "fec0::1"));
	/* IPv6 networks never match IPv4 clients. */
	assert_false(trusted(&t, "127.0.0.1"));
	assert_false(trusted(&t, "::ffff:127.0.0.1"));
}

static void
test_v4_mapped(void **state)
{
	struct trust	 t;
	const char	*bad;

	(void)state;
	/* A dual-stack socket reports IPv4 clients as ::ffff:a.b.c.d. */
	assert_int_equal(trust_parse(&t, "10.0.0.0/8,127.0.0.1", &bad), 0);
	assert_true(trusted(&t, "::ffff:10.1.2.3"));
	assert_true(trusted(&t, "::ffff:127.0.0.1"));
	assert_false(trusted(&t, "::ffff:11.1.2.3"));
	assert_false(trusted(&t, "::ffff:127.0.0.2"));
	/* Only the mapped form: v4-compatible and others stay IPv6. */
	assert_false(trusted(&t, "::10.1.2.3"));
	assert_false(trusted(&t, "64:ff9b::10.1.2.3"));
}

static void
test_all(void **state)
{
	struct trust	 t;
	const char	*bad;

	(void)state;
	assert_int_equal(trust_parse(&t, "0.0.0.0/0", &bad), 0);
	assert_true(trusted(&t, "1.2.3.4"));
	assert_true(trusted(&t, "255.255.255.255"));
	assert_true(trusted(&t, "::ffff:8.8.8.8"));
	assert_false(trusted(&t, "2001:db8::1"));
	assert_int_equal(trust_parse(&t, "::/0", &bad), 0);
	assert_true(trusted(&t, "2001:db8::1"));
	assert_false(trusted(&t, "1.2.3.4"));
}

static void
test_bad_items(void **state)
{
	struct trust	 t;
	const char	*bad;

	(void)state;
	assert_int_equal(trust_parse(&t, "bogus,10.0.0.0/8,10.0.0.0/33,"
	    "::1/129,1.2.3.4/,1.2.3.4/x,300.1.1.1,10.0.0.1/8/8,"
	    "host.example,::1,1.2.3,/8,1.2.3.4/8x", &bad), 11);
	assert_non_null(bad);
	assert_string_equal(bad, "bogus");
	/* The good ones are kept, in order. */
	assert_int_equal(t.n, 2);
	assert_int_equal(t.nets[0].family, AF_INET);
	assert_int_equal(t.nets[1].family, AF_INET6);
	assert_true(trusted(&t, "10.9.9.9"));
	assert_true(trusted(&t, "::1"));
	assert_false(trusted(&t, "1.2.3.4"));
	/* The first bad item is named even after good ones. */
	assert_int_equal(trust_parse(&t, "127.0.0.1 not-an-ip 1::/200", &bad),
	    2);
	assert_string_equal(bad, "not-an-ip");
	assert_int_equal(t.n, 1);
}

static void
test_limits(void **state)
{
	struct trust	 t;
	const char	*bad;
	char		 list[4096], item[32], longitem[200];
	size_t		 off = 0;
	int		 i;

	(void)state;
	/* Past TRUST_MAX networks, items are refused and counted. */
	for (i = 0; i < TRUST_MAX + 6; i++) {
		snprintf(item, sizeof(item), "10.0.%d.%d,", i / 256, i % 256);
		memcpy(list + off, item, strlen(item));
		off += strlen(item);
	}
	list[off] = '\0';
	assert_int_equal(trust_parse(&t, list, &bad), 6);
	assert_int_equal(t.n, TRUST_MAX);
	assert_true(trusted(&t, "10.0.0.63"));
	assert_false(trusted(&t, "10.0.0.64"));
	assert_string_equal(bad, "10.0.0.64");
	/* An over-long item is refused, whatever it holds. */
	memset(longitem, '1', sizeof(longitem) - 1);
	longitem[sizeof(longitem) - 1] = '\0';
	assert_int_equal(trust_parse(&t, longitem, &bad), 1);
	assert_int_equal(t.n, 0);
	assert_non_null(bad);
	assert_true(strlen(bad) < sizeof(longitem));
}

static void
test_other_family(void **state)
{
	struct trust		t;
	struct sockaddr_un	un;
	const char		*bad;

	(void)state;
	assert_int_equal(trust_parse(&t, "0.0.0.0/0 ::/0", &bad), 0);
	memset(&un, 0, sizeof(un));
	un.sun_family = AF_UNIX;
	assert_false(trust_match(&t, (const struct sockaddr *)&un));
}

static void
test_signed_prefix(void **state)
{
	struct trust	 t;
	const char	*bad;

	(void)state;
	/* A prefix is digits only: signed ones are bad items. */
	assert_int_equal(trust_parse(&t, "10.0.0.1/-1,::1/-5,10.0.0.0/+8",
	    &bad), 3);
	assert_int_equal(t.n, 0);
}

/*
 * Server URLs: numeric hosts need no resolver, and "!" is refused by the
 * C library before any DNS query, so the test stays on the machine.
 */
static void
test_url_hosts(void **state)
{
	struct trust	 t;
	const char	*bad;
	char		 list[64 * 16], *p = list;
	int		 i;

	(void)state;
	assert_int_equal(trust_parse(&t, "", &bad), 0);
	assert_int_equal(trust_add_url_host(&t,
	    "https://user:pw@192.0.2.7:8443/front/inventory.php"), 0);
	assert_int_equal(trust_add_url_host(&t, "http://[2001:db8::9]/x"), 0);
	assert_int_equal(t.n, 2);
	assert_true(trusted(&t, "192.0.2.7"));
	assert_true(trusted(&t, "2001:db8::9"));
	assert_int_equal(trust_add_url_host(&t,
	    "http://no-such-host!.invalid/"), ERR_NOT_FOUND);
	assert_int_equal(trust_add_url_host(&t, "no-scheme"), ERR_NOT_FOUND);
	assert_int_equal(t.n, 2);
	/* A full table is another warning than a name that does not resolve. */
	for (i = 0; i < TRUST_MAX; i++)
		p += snprintf(p, sizeof(list) - (size_t)(p - list),
		    "10.0.0.%d,", i);
	assert_int_equal(trust_parse(&t, list, &bad), 0);
	assert_int_equal(t.n, TRUST_MAX);
	assert_int_equal(trust_add_url_host(&t, "http://192.0.2.7/"),
	    ERR_TOO_BIG);
	assert_int_equal(t.n, TRUST_MAX);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_match_v4),
		cmocka_unit_test(test_match_v6),
		cmocka_unit_test(test_v4_mapped),
		cmocka_unit_test(test_all),
		cmocka_unit_test(test_bad_items),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_other_family),
		cmocka_unit_test(test_signed_prefix),
		cmocka_unit_test(test_url_hosts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
