#include <expat.h>
#include <string.h>

#include "common/err.h"
#include "proxy/xmlsniff.h"

enum field { F_NONE, F_QUERY, F_DEVICEID };

struct sniff {
	struct xml_fields	*f;
	int			 depth;
	int			 root_ok;
	enum field		 in;
	size_t			 len;
};

static void XMLCALL
on_start(void *arg, const XML_Char *name, const XML_Char **attrs)
{
	struct sniff *s = arg;

	(void)attrs;
	s->depth++;
	if (s->depth == 1)
		s->root_ok = strcmp(name, "REQUEST") == 0;
	else if (s->depth == 2 && s->root_ok) {
		if (strcmp(name, "QUERY") == 0 && !s->f->has_query) {
			s->in = F_QUERY;
			s->f->has_query = 1;
		} else if (strcmp(name, "DEVICEID") == 0 &&
		    !s->f->has_deviceid) {
			s->in = F_DEVICEID;
			s->f->has_deviceid = 1;
		}
		s->len = 0;
	}
}

static void XMLCALL
on_end(void *arg, const XML_Char *name)
{
	struct sniff *s = arg;

	(void)name;
	if (s->depth == 2)
		s->in = F_NONE;
	s->depth--;
}

static void XMLCALL
on_text(void *arg, const XML_Char *text, int len)
{
	struct sniff	*s = arg;
	char		*dst;
	size_t		 cap;

	if (s->in == F_NONE || s->depth != 2)
		return;
	if (s->in == F_QUERY) {
		dst = s->f->query;
		cap = sizeof(s->f->query);
	} else {
		dst = s->f->deviceid;
		cap = sizeof(s->f->deviceid);
	}
	if (s->len + (size_t)len >= cap) {
		s->f->too_long = 1;
		return;
	}
	memcpy(dst + s->len, text, (size_t)len);
	s->len += (size_t)len;
	dst[s->len] = '\0';
}

int
xmlsniff(const char *data, size_t len, struct xml_fields *f)
{
	struct sniff	 s;
	XML_Parser	 p;
	int		 ok;

	memset(f, 0, sizeof(*f));
	memset(&s, 0, sizeof(s));
	s.f = f;
	if ((p = XML_ParserCreate(NULL)) == NULL)
		return ERR_NOMEM;
	XML_SetUserData(p, &s);
	XML_SetElementHandler(p, on_start, on_end);
	XML_SetCharacterDataHandler(p, on_text);
	ok = 1;
	/* Expat takes an int length: feed large documents in slices. */
	while (ok && len > (1U << 30)) {
		ok = XML_Parse(p, data, 1 << 30, 0) == XML_STATUS_OK;
		data += 1 << 30;
		len -= 1U << 30;
	}
	if (ok)
		ok = XML_Parse(p, data, (int)len, 1) == XML_STATUS_OK;
	XML_ParserFree(p);
	return ok ? 0 : ERR_FORMAT;
}

int
xmlsniff_looks_xml(const char *data, size_t len)
{
	const char *p = data, *end = data + len, *nl;

	while (p < end) {
		if ((size_t)(end - p) >= 5 && memcmp(p, "<?xml", 5) == 0)
			return 1;
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			break;
		p = nl + 1;
	}
	return 0;
}
