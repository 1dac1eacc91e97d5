/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Fuzzes the legacy XML reader against expat, the reference parser.
 *
 * - Whatever expat accepts as UTF-8 (no DOCTYPE, nesting within the
 *   scanner's limit), xmlsniff() accepts too, with the same QUERY and
 *   DEVICEID: the proxy never refuses a valid agent document.
 * - Whatever xmlsniff() accepts, expat accepts too, for ASCII documents
 *   without an XML declaration (the scanner does not check the
 *   declaration's pseudo-attributes nor the Unicode classes of names).
 * - The fields stay NUL-terminated within their arrays, and
 *   xmlsniff_looks_xml() agrees with the reference's /^<\?xml/m test.
 */
#include <expat.h>
#include <string.h>

#include "common/err.h"
#include "common/xmlsniff.h"
#include "fuzz.h"

/* The fields as the proxy means them, read with expat. */
struct oracle {
	struct xml_fields	 f;
	int			 depth, max_depth, root_is_request;
	int			 doctype;
	char			*field;
	size_t			 cap, len;
};

static void XMLCALL
on_start(void *arg, const XML_Char *name, const XML_Char **attrs)
{
	struct oracle *o = arg;

	(void)attrs;
	if (++o->depth > o->max_depth)
		o->max_depth = o->depth;
	o->field = NULL;
	if (o->depth == 1)
		o->root_is_request = strcmp(name, "REQUEST") == 0;
	if (o->depth != 2 || !o->root_is_request)
		return;
	if (strcmp(name, "QUERY") == 0 && !o->f.has_query) {
		o->f.has_query = 1;
		o->field = o->f.query;
		o->cap = sizeof(o->f.query);
	} else if (strcmp(name, "DEVICEID") == 0 && !o->f.has_deviceid) {
		o->f.has_deviceid = 1;
		o->field = o->f.deviceid;
		o->cap = sizeof(o->f.deviceid);
	}
	o->len = 0;
}

static void XMLCALL
on_end(void *arg, const XML_Char *name)
{
	struct oracle *o = arg;

	(void)name;
	o->depth--;
	o->field = NULL;
}

static void XMLCALL
on_text(void *arg, const XML_Char *text, int len)
{
	struct oracle *o = arg;

	if (o->field == NULL)
		return;
	if (o->len + (size_t)len >= o->cap) {
		o->f.too_long = 1;
		return;
	}
	memcpy(o->field + o->len, text, (size_t)len);
	o->len += (size_t)len;
	o->field[o->len] = '\0';
}

static void XMLCALL
on_doctype(void *arg, const XML_Char *name, const XML_Char *sysid,
    const XML_Char *pubid, int has_internal_subset)
{
	(void)name;
	(void)sysid;
	(void)pubid;
	(void)has_internal_subset;
	((struct oracle *)arg)->doctype = 1;
}

static int
expat_accepts(const uint8_t *data, size_t size, struct oracle *o)
{
	XML_Parser	p;
	int		ok;

	memset(o, 0, sizeof(*o));
	/* UTF-8 whatever the declaration says, as the scanner reads it. */
	if ((p = XML_ParserCreate("UTF-8")) == NULL)
		return -1;
	XML_SetUserData(p, o);
	XML_SetElementHandler(p, on_start, on_end);
	XML_SetCharacterDataHandler(p, on_text);
	XML_SetStartDoctypeDeclHandler(p, on_doctype);
	ok = XML_Parse(p, (const char *)data, (int)size, 1) == XML_STATUS_OK;
	XML_ParserFree(p);
	return ok;
}

static int
ascii_only(const uint8_t *data, size_t size)
{
	size_t i;

	for (i = 0; i < size; i++)
		if (data[i] >= 0x80)
			return 0;
	return 1;
}

static int
looks_xml_slow(const uint8_t *data, size_t size)
{
	size_t i;

	for (i = 0; i + 5 <= size; i++)
		if ((i == 0 || data[i - 1] == '\n') &&
		    memcmp(data + i, "<?xml", 5) == 0)
			return 1;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xml_fields	f;
	struct oracle		o;
	int			r, ok;

	if (size > (1 << 20))
		return 0;
	r = xmlsniff((const char *)data, size, &f);
	FUZZ_CHECK(r == 0 || r == ERR_FORMAT);
	FUZZ_CHECK(memchr(f.query, '\0', sizeof(f.query)) != NULL);
	FUZZ_CHECK(memchr(f.deviceid, '\0', sizeof(f.deviceid)) != NULL);
	FUZZ_CHECK(f.has_query || f.query[0] == '\0');
	FUZZ_CHECK(f.has_deviceid || f.deviceid[0] == '\0');

	ok = expat_accepts(data, size, &o);
	if (ok == 1 && !o.doctype &&
	    o.max_depth <= XMLSNIFF_MAX_DEPTH &&
	    memchr(data, '\0', size) == NULL) {
		FUZZ_CHECK(r == 0);
		FUZZ_CHECK(f.has_query == o.f.has_query);
		FUZZ_CHECK(f.has_deviceid == o.f.has_deviceid);
		FUZZ_CHECK(f.too_long == o.f.too_long);
		if (!f.too_long) {
			FUZZ_CHECK(strcmp(f.query, o.f.query) == 0);
			FUZZ_CHECK(strcmp(f.deviceid, o.f.deviceid) == 0);
		}
	}
	if (r == 0 && ascii_only(data, size) &&
	    !(size >= 5 && memcmp(data, "<?xml", 5) == 0))
		FUZZ_CHECK(ok == 1);

	FUZZ_CHECK(xmlsniff_looks_xml((const char *)data, size) ==
	    looks_xml_slow(data, size));
	return 0;
}
