/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "common/err.h"
#include "common/fsx.h"
#include "common/xmlsniff.h"

struct scan {
	const char		*start, *p, *end;
	struct xml_fields	*f;
	const char		*names[XMLSNIFF_MAX_DEPTH];
	size_t			 namelens[XMLSNIFF_MAX_DEPTH];
	int			 depth;
	int			 root_seen, root_is_request;
	char			*field;		/* direct text goes here */
	size_t			 fieldcap, fieldlen;
	int			 last_cr;	/* the last byte added was CR */
};

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * Byte tables, filled once.  name_class: 1 may start a name, 2 may follow.
 * byte_class: 0 plain, 1 refused, 2 starts a multi-byte UTF-8 sequence.
 * text_class: 1 for the bytes that stop a run of character data.
 */
static unsigned char	name_class[256], byte_class[256], text_class[256];
static pthread_once_t	classes_once = PTHREAD_ONCE_INIT;

static void
init_classes(void)
{
	int c;

	text_class['<'] = text_class['&'] = text_class[']'] = 1;
	for (c = 0; c < 256; c++) {
		if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
			byte_class[c] = 1;
		else if (c >= 0x80)
			byte_class[c] = 2;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    c == '_' || c == ':' || c >= 0x80)
			name_class[c] = 3;
		else if ((c >= '0' && c <= '9') || c == '-' || c == '.')
			name_class[c] = 2;
	}
}

static size_t
scan_name(struct scan *s)
{
	const unsigned char	*p = (const unsigned char *)s->p;
	const unsigned char	*end = (const unsigned char *)s->end;
	const unsigned char	*start = p;

	if (p >= end || !(name_class[*p] & 1))
		return 0;
	while (p < end && name_class[*p] != 0)
		p++;
	s->p = (const char *)p;
	return (size_t)(p - start);
}

static void
skip_space(struct scan *s)
{
	while (s->p < s->end && is_space(*s->p))
		s->p++;
}

/* Advances past the first occurrence of the terminator, or fails. */
static int
skip_past(struct scan *s, const char *term)
{
	size_t		 tlen = strlen(term);
	const char	*q;

	q = memmem(s->p, (size_t)(s->end - s->p), term, tlen);
	if (q == NULL)
		return ERR_FORMAT;
	s->p = q + tlen;
	return 0;
}

static void
field_put(struct scan *s, char c)
{
	if (s->fieldlen + 1 >= s->fieldcap) {
		s->f->too_long = 1;
		return;
	}
	s->field[s->fieldlen++] = c;
	s->field[s->fieldlen] = '\0';
}

/*
 * Appends document text to the current field.  Line ends are normalised
 * as XML requires: CR LF and a lone CR read as LF.
 */
static void
field_add(struct scan *s, const char *p, size_t n)
{
	size_t i;

	if (s->field == NULL)
		return;
	for (i = 0; i < n; i++) {
		if (p[i] == '\n' && s->last_cr) {
			s->last_cr = 0;
			continue;
		}
		s->last_cr = p[i] == '\r';
		field_put(s, s->last_cr ? '\n' : p[i]);
	}
}

/* Appends what a character reference stands for, as is. */
static void
field_add_raw(struct scan *s, const char *p, size_t n)
{
	size_t i;

	if (s->field == NULL)
		return;
	s->last_cr = 0;
	for (i = 0; i < n; i++)
		field_put(s, p[i]);
}

/* Encodes a code point as UTF-8 into out (4 bytes); returns its length. */
static size_t
utf8_put(unsigned long cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* A character allowed by XML 1.0 (Char production). */
static int
xml_char(unsigned long cp)
{
	return cp == 0x9 || cp == 0xa || cp == 0xd ||
	    (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) ||
	    (cp >= 0x10000 && cp <= 0x10ffff);
}

/* At '&': checks one reference and appends what it stands for. */
static int
scan_reference(struct scan *s)
{
	static const struct { const char *name; char c; } named[] = {
		{ "lt;", '<' }, { "gt;", '>' }, { "amp;", '&' },
		{ "apos;", '\'' }, { "quot;", '"' },
	};
	unsigned long	 cp = 0;
	size_t		 i, n;
	char		 out[4];
	int		 hex, digits = 0;

	s->p++;
	if (s->p < s->end && *s->p == '#') {
		s->p++;
		hex = s->p < s->end && *s->p == 'x';
		if (hex)
			s->p++;
		for (; s->p < s->end && *s->p != ';'; s->p++, digits++) {
			unsigned char c = (unsigned char)*s->p;
			int v;

			if (c >= '0' && c <= '9')
				v = c - '0';
			else if (hex && c >= 'a' && c <= 'f')
				v = c - 'a' + 10;
			else if (hex && c >= 'A' && c <= 'F')
				v = c - 'A' + 10;
			else
				return ERR_FORMAT;
			if (digits > 8)
				return ERR_FORMAT;
			cp = cp * (hex ? 16 : 10) + (unsigned long)v;
		}
		if (s->p >= s->end || digits == 0 || !xml_char(cp))
			return ERR_FORMAT;
		s->p++;
		n = utf8_put(cp, out);
		field_add_raw(s, out, n);
		return 0;
	}
	for (i = 0; i < sizeof(named) / sizeof(named[0]); i++) {
		n = strlen(named[i].name);
		if ((size_t)(s->end - s->p) >= n &&
		    memcmp(s->p, named[i].name, n) == 0) {
			s->p += n;
			field_add_raw(s, &named[i].c, 1);
			return 0;
		}
	}
	return ERR_FORMAT;
}

#define ONES	0x0101010101010101ULL
#define HIGHS	0x8080808080808080ULL

/*
 * Marks the bytes of w equal to c.  Bytes above a marked one may be marked
 * wrongly (borrows), but the lowest mark is always right, which is all
 * first_stop() needs.
 */
static uint64_t
mark_byte(uint64_t w, unsigned char c)
{
	w ^= ONES * c;
	return (w - ONES) & ~w & HIGHS;
}

/* The first byte from p that stops a run of character data, or end. */
static const char *
first_stop(const char *p, const char *end)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	uint64_t w, m;

	for (; end - p >= 8; p += 8) {
		memcpy(&w, p, 8);
		m = mark_byte(w, '<') | mark_byte(w, '&') | mark_byte(w, ']');
		if (m != 0)
			return p + __builtin_ctzll(m) / 8;
	}
#endif
	while (p < end && text_class[(unsigned char)*p] == 0)
		p++;
	return p;
}

/* Character data up to the next '<'. */
static int
scan_text(struct scan *s)
{
	const char	*start;
	int		 r;

	while (s->p < s->end && *s->p != '<') {
		start = s->p;
		s->p = first_stop(s->p, s->end);
		field_add(s, start, (size_t)(s->p - start));
		if (s->p >= s->end || *s->p == '<')
			break;
		if (*s->p == '&') {
			if ((r = scan_reference(s)) != 0)
				return r;
		} else {
			/* "]]>" may only close a CDATA section. */
			if (s->end - s->p >= 3 && memcmp(s->p, "]]>", 3) == 0)
				return ERR_FORMAT;
			field_add(s, s->p++, 1);
		}
	}
	return 0;
}

#define MAX_ATTRIBUTES	32

static int
scan_attributes(struct scan *s)
{
	const char	*names[MAX_ATTRIBUTES], *name;
	size_t		 lens[MAX_ATTRIBUTES], len;
	int		 n = 0, i, r;
	char		 quote;

	for (;;) {
		int spaced = s->p < s->end && is_space(*s->p);

		skip_space(s);
		if (s->p >= s->end)
			return ERR_FORMAT;
		if (*s->p == '>' || *s->p == '/')
			return 0;
		name = s->p;
		if (!spaced || (len = scan_name(s)) == 0 || n == MAX_ATTRIBUTES)
			return ERR_FORMAT;
		/* An attribute may appear once per element. */
		for (i = 0; i < n; i++)
			if (lens[i] == len && memcmp(names[i], name, len) == 0)
				return ERR_FORMAT;
		names[n] = name;
		lens[n++] = len;
		skip_space(s);
		if (s->p >= s->end || *s->p++ != '=')
			return ERR_FORMAT;
		skip_space(s);
		if (s->p >= s->end || (*s->p != '"' && *s->p != '\''))
			return ERR_FORMAT;
		quote = *s->p++;
		while (s->p < s->end && *s->p != quote) {
			if (*s->p == '<')
				return ERR_FORMAT;
			if (*s->p == '&') {
				/* Attribute text is checked, never kept. */
				char *keep = s->field;

				s->field = NULL;
				r = scan_reference(s);
				s->field = keep;
				if (r != 0)
					return r;
			} else
				s->p++;
		}
		if (s->p >= s->end)
			return ERR_FORMAT;
		s->p++;
	}
}

static void
enter_field(struct scan *s, const char *name, size_t len)
{
	struct xml_fields *f = s->f;

	s->field = NULL;
	if (s->depth != 2 || !s->root_is_request)
		return;
	if (len == 5 && memcmp(name, "QUERY", 5) == 0 && !f->has_query) {
		f->has_query = 1;
		s->field = f->query;
		s->fieldcap = sizeof(f->query);
	} else if (len == 8 && memcmp(name, "DEVICEID", 8) == 0 &&
	    !f->has_deviceid) {
		f->has_deviceid = 1;
		s->field = f->deviceid;
		s->fieldcap = sizeof(f->deviceid);
	}
	s->fieldlen = 0;
	s->last_cr = 0;
}

static int
scan_start_tag(struct scan *s)
{
	const char	*name = s->p;
	size_t		 len;
	int		 r;

	if ((len = scan_name(s)) == 0)
		return ERR_FORMAT;
	if ((r = scan_attributes(s)) != 0)
		return r;
	if (s->depth == 0) {
		if (s->root_seen)
			return ERR_FORMAT;	/* a second root */
		s->root_seen = 1;
		s->root_is_request = len == 7 && memcmp(name, "REQUEST", 7) == 0;
	}
	if (*s->p == '/') {
		if (++s->p >= s->end || *s->p != '>')
			return ERR_FORMAT;
		s->p++;
		/* An empty element at depth 2 still counts as present. */
		s->depth++;
		enter_field(s, name, len);
		s->depth--;
		s->field = NULL;
		return 0;
	}
	s->p++;
	if (s->depth == XMLSNIFF_MAX_DEPTH)
		return ERR_FORMAT;
	s->names[s->depth] = name;
	s->namelens[s->depth] = len;
	s->depth++;
	enter_field(s, name, len);
	return 0;
}

static int
scan_end_tag(struct scan *s)
{
	const char	*name = s->p;
	size_t		 len;

	if ((len = scan_name(s)) == 0 || s->depth == 0)
		return ERR_FORMAT;
	skip_space(s);
	if (s->p >= s->end || *s->p != '>')
		return ERR_FORMAT;
	s->p++;
	s->depth--;
	if (len != s->namelens[s->depth] ||
	    memcmp(name, s->names[s->depth], len) != 0)
		return ERR_FORMAT;
	s->field = NULL;
	return 0;
}

/* At '<': one markup construct. */
static int
scan_markup(struct scan *s)
{
	size_t		 left;
	const char	*start;

	s->p++;
	/* Line ends are normalised in the document: markup ends a CR run. */
	s->last_cr = 0;
	left = (size_t)(s->end - s->p);
	if (left >= 3 && memcmp(s->p, "!--", 3) == 0) {
		/* "--" may only close a comment. */
		s->p += 3;
		if (skip_past(s, "--") != 0 || s->p >= s->end ||
		    *s->p != '>')
			return ERR_FORMAT;
		s->p++;
		return 0;
	}
	if (left >= 8 && memcmp(s->p, "![CDATA[", 8) == 0) {
		if (s->depth == 0)
			return ERR_FORMAT;
		s->p += 8;
		start = s->p;
		if (skip_past(s, "]]>") != 0)
			return ERR_FORMAT;
		field_add(s, start, (size_t)(s->p - 3 - start));
		return 0;
	}
	if (left >= 1 && *s->p == '?') {
		const char *name = ++s->p;
		size_t len;

		if ((len = scan_name(s)) == 0)
			return ERR_FORMAT;
		/*
		 * Targets named xml in any case are reserved: only the XML
		 * declaration, in lower case, opening the document.
		 */
		if (len == 3 && strncasecmp(name, "xml", 3) == 0 &&
		    (name != s->start + 2 || memcmp(name, "xml", 3) != 0))
			return ERR_FORMAT;
		/* After the target: "?>" or a blank, then anything. */
		if (s->end - s->p >= 2 && memcmp(s->p, "?>", 2) == 0) {
			s->p += 2;
			return 0;
		}
		if (s->p >= s->end || !is_space(*s->p))
			return ERR_FORMAT;
		return skip_past(s, "?>");
	}
	if (left >= 1 && *s->p == '!')
		return ERR_FORMAT;	/* DOCTYPE and other declarations */
	if (left >= 1 && *s->p == '/') {
		s->p++;
		return scan_end_tag(s);
	}
	return scan_start_tag(s);
}

/* Marks the bytes of w, all below 0x80, equal to c; exact. */
static uint64_t
ascii_eq(uint64_t w, unsigned char c)
{
	return ~((w ^ (ONES * c)) + ONES * 0x7f) & HIGHS;
}

/*
 * One pass over the bytes: XML 1.0 allows no control byte but tab,
 * newline and carriage return (so no NUL), and the text must be UTF-8.
 */
static int
chars_ok(const char *data, size_t len)
{
	const unsigned char	*p = (const unsigned char *)data;
	size_t			 i = 0, n;
	uint64_t		 w, ctl, ok;

	while (i < len) {
		/*
		 * Words of ASCII: with no high bit set no byte carries into
		 * the next, so each test below is exact per byte.
		 */
		if (len - i >= 8) {
			memcpy(&w, p + i, 8);
			if ((w & HIGHS) == 0) {
				ctl = ~(w + ONES * 0x60) & HIGHS; /* < 0x20 */
				ok = ascii_eq(w, '\t') | ascii_eq(w, '\n') |
				    ascii_eq(w, '\r');
				if ((ctl & ~ok) != 0)
					return 0;
				i += 8;
				continue;
			}
		}
		switch (byte_class[p[i]]) {
		case 0:
			i++;
			break;
		case 1:
			return 0;
		default:
			n = p[i] >= 0xf0 ? 4 : p[i] >= 0xe0 ? 3 : 2;
			if (n > len - i || !fsx_utf8_ok(data + i, n))
				return 0;
			i += n;
			break;
		}
	}
	return 1;
}

int
xmlsniff(const char *data, size_t len, struct xml_fields *f)
{
	struct scan	s;
	int		r;

	memset(f, 0, sizeof(*f));
	pthread_once(&classes_once, init_classes);
	if (!chars_ok(data, len))
		return ERR_FORMAT;
	memset(&s, 0, sizeof(s));
	/* A UTF-8 byte order mark may open the document. */
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0) {
		data += 3;
		len -= 3;
	}
	s.start = s.p = data;
	s.end = data + len;
	s.f = f;
	while (s.p < s.end) {
		if (*s.p == '<') {
			if ((r = scan_markup(&s)) != 0)
				return r;
		} else if (s.depth == 0) {
			/* Outside the root only blanks may stand. */
			if (!is_space(*s.p))
				return ERR_FORMAT;
			s.p++;
		} else if ((r = scan_text(&s)) != 0)
			return r;
	}
	return s.root_seen && s.depth == 0 ? 0 : ERR_FORMAT;
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
