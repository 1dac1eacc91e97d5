/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * xmlsniff: REQUEST/QUERY and REQUEST/DEVICEID of legacy XML messages.
 */
#include "../testutil.h"

#include "common/err.h"
#include "common/xmlsniff.h"

static int
sniff(const char *doc, struct xml_fields *f)
{
	memset(f, 0x5a, sizeof(*f));
	return xmlsniff(doc, strlen(doc), f);
}

static void
test_prolog(void **state)
{
	struct xml_fields f;

	(void)state;
	assert_int_equal(sniff("<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\n"
	    "<REQUEST>\n"
	    "  <DEVICEID>pc1-2024-01-01-00-00-00</DEVICEID>\n"
	    "  <QUERY>PROLOG</QUERY>\n"
	    "  <TOKEN>12345678</TOKEN>\n"
	    "</REQUEST>\n", &f), 0);
	assert_true(f.has_query);
	assert_true(f.has_deviceid);
	assert_false(f.too_long);
	assert_string_equal(f.query, "PROLOG");
	assert_string_equal(f.deviceid, "pc1-2024-01-01-00-00-00");
}

static void
test_inventory_nested(void **state)
{
	struct xml_fields f;

	(void)state;
	/* Fields inside CONTENT are the inventory's, not the message's. */
	assert_int_equal(sniff("<?xml version=\"1.0\"?>"
	    "<REQUEST><CONTENT><DEVICEID>inner</DEVICEID>"
	    "<HARDWARE><QUERY>nested</QUERY></HARDWARE></CONTENT>"
	    "<QUERY>INVENTORY</QUERY></REQUEST>", &f), 0);
	assert_true(f.has_query);
	assert_false(f.has_deviceid);
	assert_string_equal(f.query, "INVENTORY");
	assert_string_equal(f.deviceid, "");
	assert_false(f.too_long);
}

static void
test_other_root(void **state)
{
	struct xml_fields f;

	(void)state;
	assert_int_equal(sniff("<REPLY><QUERY>PROLOG</QUERY>"
	    "<DEVICEID>x</DEVICEID></REPLY>", &f), 0);
	assert_false(f.has_query);
	assert_false(f.has_deviceid);
	assert_string_equal(f.query, "");
	/* Not at depth 1 either. */
	assert_int_equal(sniff("<QUERY>PROLOG</QUERY>", &f), 0);
	assert_false(f.has_query);
	/* A REQUEST below the root does not count. */
	assert_int_equal(sniff("<A><REQUEST><QUERY>PROLOG</QUERY></REQUEST>"
	    "</A>", &f), 0);
	assert_false(f.has_query);
	/* Names are case-sensitive. */
	assert_int_equal(sniff("<request><query>PROLOG</query></request>",
	    &f), 0);
	assert_false(f.has_query);
}

static void
test_first_wins_and_text(void **state)
{
	struct xml_fields f;

	(void)state;
	assert_int_equal(sniff("<REQUEST><QUERY>PROLOG</QUERY>"
	    "<QUERY>INVENTORY</QUERY><DEVICEID>a</DEVICEID>"
	    "<DEVICEID>b</DEVICEID></REQUEST>", &f), 0);
	assert_string_equal(f.query, "PROLOG");
	assert_string_equal(f.deviceid, "a");
	/* Entities, character references and CDATA are decoded. */
	assert_int_equal(sniff("<REQUEST><DEVICEID>a&amp;b&#x2F;&lt;c"
	    "</DEVICEID><QUERY><![CDATA[PRO]]>LOG</QUERY></REQUEST>", &f), 0);
	assert_string_equal(f.deviceid, "a&b/<c");
	assert_string_equal(f.query, "PROLOG");
	/* UTF-8 text is kept as is. */
	assert_int_equal(sniff("<REQUEST><DEVICEID>t\xc3\xa9l\xc3\xa9phone"
	    "</DEVICEID></REQUEST>", &f), 0);
	assert_string_equal(f.deviceid, "t\xc3\xa9l\xc3\xa9phone");
	assert_false(f.has_query);
	/* Empty elements are present but empty. */
	assert_int_equal(sniff("<REQUEST><QUERY/><DEVICEID></DEVICEID>"
	    "</REQUEST>", &f), 0);
	assert_true(f.has_query);
	assert_true(f.has_deviceid);
	assert_string_equal(f.query, "");
	assert_string_equal(f.deviceid, "");
}

static void
test_malformed(void **state)
{
	static const char	*bad[] = {
		"",
		"   ",
		"not xml at all",
		"{\"action\":\"inventory\"}",
		"<REQUEST><QUERY>PROLOG</QUERY>",
		"<REQUEST><QUERY>PROLOG</REQUEST>",
		"<REQUEST><QUERY>PROLOG</QUERY></REQUEST><REQUEST/>",
		"<REQUEST><QUERY a=b>PROLOG</QUERY></REQUEST>",
		"<REQUEST>&undefined;</REQUEST>",
		"<REQUEST><QUERY>PRO\x01LOG</QUERY></REQUEST>",
		"<REQUEST><DEVICEID>\xff\xfe</DEVICEID></REQUEST>",
		"<?xml version=\"1.0\"?><?xml version=\"1.0\"?><REQUEST/>",
		" <?xml version=\"1.0\"?><REQUEST/>",
		"<?xMl version=\"1.0\"?><REQUEST/>",
		"<?pi?x?><REQUEST/>",
		"<?piX<REQUEST/>?><REQUEST/>",
		"<REQUEST><!-- a -- b --></REQUEST>",
		"<REQUEST>a ]]> b</REQUEST>",
		"<REQUEST a='1' a='2'/>",
		"<REQUEST a='1'b='2'/>",
		"<REQUEST><QUERY>&#0;</QUERY></REQUEST>",
		"<REQUEST><QUERY>&#xD800;</QUERY></REQUEST>",
		"<!DOCTYPE REQUEST><REQUEST/>",
		"<REQUEST></request>",
		"<REQUEST><![CDATA[x]]</REQUEST>",
	};
	struct xml_fields	 f;
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (sniff(bad[i], &f) != ERR_FORMAT)
			fail_msg("accepted malformed document #%zu", i);
	/* The length is what counts: a NUL inside is malformed. */
	assert_int_equal(xmlsniff("<REQUEST/>\0", 11, &f), ERR_FORMAT);
	assert_int_equal(xmlsniff("<REQUEST/>garbage", 10, &f), 0);
}

static void
test_bom_and_line_ends(void **state)
{
	struct xml_fields f;

	(void)state;
	/* A byte order mark may open the document. */
	assert_int_equal(sniff("\xef\xbb\xbf<?xml version='1.0'?><REQUEST>"
	    "<QUERY>PROLOG</QUERY></REQUEST>", &f), 0);
	assert_string_equal(f.query, "PROLOG");
	/* CR LF and a lone CR read as LF; a character reference is kept. */
	assert_int_equal(sniff("<REQUEST><DEVICEID>a\r\nb\rc&#13;d"
	    "<![CDATA[e\r\nf]]></DEVICEID></REQUEST>", &f), 0);
	assert_string_equal(f.deviceid, "a\nb\nc\rde\nf");
	/* Markup between CR and LF: two line ends, as expat reads it. */
	assert_int_equal(sniff("<REQUEST><DEVICEID>a\r<!--x-->\nb</DEVICEID>"
	    "</REQUEST>", &f), 0);
	assert_string_equal(f.deviceid, "a\n\nb");
}

static void
test_too_long(void **state)
{
	struct xml_fields	 f;
	char			 doc[1024], field[300];

	(void)state;
	/* query holds 31 bytes and a NUL. */
	memset(field, 'Q', 31);
	field[31] = '\0';
	snprintf(doc, sizeof(doc), "<REQUEST><QUERY>%s</QUERY></REQUEST>",
	    field);
	assert_int_equal(sniff(doc, &f), 0);
	assert_false(f.too_long);
	assert_int_equal(strlen(f.query), 31);
	memset(field, 'Q', 32);
	field[32] = '\0';
	snprintf(doc, sizeof(doc), "<REQUEST><QUERY>%s</QUERY></REQUEST>",
	    field);
	assert_int_equal(sniff(doc, &f), 0);
	assert_true(f.too_long);
	/* deviceid holds 255. */
	memset(field, 'd', 255);
	field[255] = '\0';
	snprintf(doc, sizeof(doc), "<REQUEST><DEVICEID>%s</DEVICEID>"
	    "</REQUEST>", field);
	assert_int_equal(sniff(doc, &f), 0);
	assert_false(f.too_long);
	assert_int_equal(strlen(f.deviceid), 255);
	memset(field, 'd', 256);
	field[256] = '\0';
	snprintf(doc, sizeof(doc), "<REQUEST><DEVICEID>%s</DEVICEID>"
	    "</REQUEST>", field);
	assert_int_equal(sniff(doc, &f), 0);
	assert_true(f.too_long);
	/* A long field elsewhere is of no concern. */
	memset(field, 'x', 299);
	field[299] = '\0';
	snprintf(doc, sizeof(doc), "<REQUEST><TOKEN>%s</TOKEN>"
	    "<CONTENT><DEVICEID>%s</DEVICEID></CONTENT></REQUEST>", field,
	    field);
	assert_int_equal(sniff(doc, &f), 0);
	assert_false(f.too_long);
}

static void
test_big_document(void **state)
{
	struct xml_fields	 f;
	struct {
		char	*p;
		size_t	 len;
	} d;
	size_t			 i, n = 20000;
	FILE			*fp;

	(void)state;
	if ((fp = open_memstream(&d.p, &d.len)) == NULL)
		fail();
	fputs("<?xml version=\"1.0\"?>\n<REQUEST><CONTENT>", fp);
	for (i = 0; i < n; i++)
		fprintf(fp, "<SOFTWARES><NAME>pkg%zu</NAME>"
		    "<DEVICEID>no</DEVICEID></SOFTWARES>\n", i);
	fputs("</CONTENT><DEVICEID>big-1</DEVICEID>"
	    "<QUERY>INVENTORY</QUERY></REQUEST>\n", fp);
	fclose(fp);
	assert_int_equal(xmlsniff(d.p, d.len, &f), 0);
	assert_string_equal(f.query, "INVENTORY");
	assert_string_equal(f.deviceid, "big-1");
	/* Cut anywhere before the end tag: malformed. */
	assert_int_equal(xmlsniff(d.p, d.len / 2, &f), ERR_FORMAT);
	free(d.p);
}

static void
test_entity_bomb(void **state)
{
	struct xml_fields	 f;
	char			 doc[2048];
	size_t			 off = 0;
	double			 t0;
	int			 i;

	(void)state;
	/* "Billion laughs": 10^10 bytes from a 1 kB document. */
	off += (size_t)snprintf(doc + off, sizeof(doc) - off,
	    "<?xml version=\"1.0\"?>\n<!DOCTYPE REQUEST [\n"
	    "<!ENTITY l0 \"lollollollollollollollollollol\">\n");
	for (i = 1; i < 10; i++)
		off += (size_t)snprintf(doc + off, sizeof(doc) - off,
		    "<!ENTITY l%d \"&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;"
		    "&l%d;&l%d;\">\n", i, i - 1, i - 1, i - 1, i - 1, i - 1,
		    i - 1, i - 1, i - 1, i - 1, i - 1);
	off += (size_t)snprintf(doc + off, sizeof(doc) - off,
	    "]>\n<REQUEST><QUERY>PROLOG</QUERY><TOKEN>&l9;</TOKEN>"
	    "</REQUEST>\n");
	assert_true(off < sizeof(doc));
	t0 = tu_now();
	assert_int_equal(xmlsniff(doc, off, &f), ERR_FORMAT);
	assert_true(tu_now() - t0 < 2.0);
}

static void
test_looks_xml(void **state)
{
	(void)state;
#define LX(s)	xmlsniff_looks_xml(s, sizeof(s) - 1)
	assert_true(LX("<?xml version=\"1.0\"?><REQUEST/>"));
	assert_true(LX("<?xml"));
	/* The reference's test is multiline: any line may start it. */
	assert_true(LX("\n<?xml version=\"1.0\"?>"));
	assert_true(LX("garbage\n<?xml version=\"1.0\"?>"));
	assert_true(LX("a\r\nb\r\n<?xml"));
	assert_false(LX(""));
	assert_false(LX("<?xm"));
	assert_false(LX(" <?xml"));
	assert_false(LX("\t<?xml"));
	assert_false(LX("<REQUEST/>"));
	assert_false(LX("{\"a\":\"<?xml\"}"));
	assert_false(LX("abc\n <?xml"));
	assert_false(LX("abc\n<?xm"));
#undef LX
	/* The length bounds the search. */
	assert_false(xmlsniff_looks_xml("<?xml", 4));
	assert_false(xmlsniff_looks_xml("ab\n<?xml", 7));
	assert_true(xmlsniff_looks_xml("ab\n<?xml", 8));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prolog),
		cmocka_unit_test(test_inventory_nested),
		cmocka_unit_test(test_other_root),
		cmocka_unit_test(test_first_wins_and_text),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_bom_and_line_ends),
		cmocka_unit_test(test_too_long),
		cmocka_unit_test(test_big_document),
		cmocka_unit_test(test_entity_bomb),
		cmocka_unit_test(test_looks_xml),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
