/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/jsonscan.h"

#define MAX_FIELDS	16

/*
 * The smallest decimal that a correctly rounded strtod() turns into
 * HUGE_VAL (ERANGE): 2^1024 - 2^970, half an ulp above DBL_MAX, which
 * rounds up to infinity (ties to even).  Its significant digits, for a
 * real whose first digit is of the order of 10^308.  jansson refuses a
 * real that overflows ("real number overflow").
 */
static const char overflow_digits[] =
    "17976931348623158079372897140530341507993413271003782693617377898044"
    "49682927647509466490179775872070963302864166928879109465555478519404"
    "02630657488671505820681908902000708383676273854845817711531764475730"
    "27006985557136695962284291481986083493647529271907416844436551070434"
    "2711559699508093042880177904174497792";

struct scan {
	const unsigned char	*p, *end;
	struct jsonscan_field	*f;
	int			 n;
	/* The raw text of the last string value of each field. */
	const unsigned char	*raw[MAX_FIELDS];
	size_t			 rawlen[MAX_FIELDS];
};

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
hex4(const unsigned char *p, const unsigned char *end, unsigned *v)
{
	int i, c;

	if (end - p < 4)
		return ERR_FORMAT;
	*v = 0;
	for (i = 0; i < 4; i++) {
		c = p[i];
		if (is_digit(c))
			*v = *v << 4 | (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			*v = *v << 4 | (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			*v = *v << 4 | (unsigned)(c - 'A' + 10);
		else
			return ERR_FORMAT;
	}
	return 0;
}

/*
 * Byte classes: one table look-up per byte in the two loops that read
 * most of a document, the blanks between tokens and the plain bytes of
 * strings.
 */
#define C_WS	1	/* JSON whitespace */
#define C_PLAIN	2	/* a string byte with nothing to check */

static const unsigned char cls[256] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 1, 0, 0,	/* 00 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,	/* 10 */
	3, 2, 0, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,	/* 20 */
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,	/* 30 */
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,	/* 40 */
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 0, 2, 2, 2,	/* 50 */
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,	/* 60 */
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,	/* 70 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,	/* 80 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,	/* 90 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,	/* a0 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,	/* b0 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,	/* c0 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,	/* d0 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,	/* e0 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,	/* f0 */
};

static inline void
skip_ws(struct scan *s)
{
	const unsigned char *p = s->p;

	while (p < s->end && (cls[*p] & C_WS))
		p++;
	s->p = p;
}

/*
 * One UTF-8 sequence of two to four bytes at s->p, strict as jansson's
 * utf8_check_full(): no overlong form, no surrogate, nothing above
 * U+10FFFF.
 */
static int
utf8_seq(struct scan *s)
{
	const unsigned char	*p = s->p;
	unsigned		 c = p[0], lo = 0x80, hi = 0xbf;
	int			 n, i;

	if (c >= 0xc2 && c <= 0xdf)
		n = 1;
	else if (c >= 0xe0 && c <= 0xef) {
		n = 2;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 3;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else
		return ERR_FORMAT;
	if (s->end - p <= n)
		return ERR_FORMAT;
	if (p[1] < lo || p[1] > hi)
		return ERR_FORMAT;
	for (i = 2; i <= n; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return ERR_FORMAT;
	s->p = p + n + 1;
	return 0;
}

/*
 * An escape after its backslash, at s->p.  \u0000 and lone surrogates
 * are refused as jansson refuses them; a high surrogate must be followed
 * at once by a low one.
 */
static int
escape(struct scan *s)
{
	unsigned v, w;

	if (s->p >= s->end)
		return ERR_FORMAT;
	switch (*s->p) {
	case '"': case '\\': case '/': case 'b': case 'f': case 'n':
	case 'r': case 't':
		s->p++;
		return 0;
	case 'u':
		break;
	default:
		return ERR_FORMAT;
	}
	if (hex4(s->p + 1, s->end, &v) != 0 || v == 0)
		return ERR_FORMAT;
	s->p += 5;
	if (v >= 0xdc00 && v <= 0xdfff)
		return ERR_FORMAT;
	if (v < 0xd800 || v > 0xdbff)
		return 0;
	if (s->end - s->p < 2 || s->p[0] != '\\' || s->p[1] != 'u' ||
	    hex4(s->p + 2, s->end, &w) != 0 || w < 0xdc00 || w > 0xdfff)
		return ERR_FORMAT;
	s->p += 6;
	return 0;
}

/*
 * A string whose opening quote is at s->p; *startp and *lenp get its raw
 * contents (between the quotes).
 */
static int
string(struct scan *s, const unsigned char **startp, size_t *lenp)
{
	const unsigned char	*p;
	unsigned		 c;

	*startp = ++s->p;
	for (;;) {
		/* Most bytes of an inventory are plain ASCII in strings. */
		p = s->p;
		while (p < s->end && (cls[*p] & C_PLAIN))
			p++;
		s->p = p;
		if (p >= s->end)
			return ERR_FORMAT;
		c = *p;
		if (c == '"') {
			*lenp = (size_t)(p - *startp);
			s->p++;
			return 0;
		}
		if (c == '\\') {
			s->p++;
			if (escape(s) != 0)
				return ERR_FORMAT;
		} else if (c < 0x20 || utf8_seq(s) != 0)
			return ERR_FORMAT;
	}
}

/*
 * Whether a real overflows a double, as strtod() says with ERANGE:
 * mantissa digits [m, mend) with the decimal point after dot digits
 * (dot == mend - m when there is none), times 10^exp10.
 */
static int
real_overflows(const unsigned char *m, const unsigned char *mend,
    long long dot, long long exp10)
{
	const unsigned char	*q = m;
	const char		*t = overflow_digits;
	long long		 order;

	while (q < mend && (*q == '0' || *q == '.'))
		q++;
	if (q == mend)
		return 0;	/* zero, whatever the exponent */
	/* The order of magnitude of the first significant digit. */
	if (q - m < dot)
		order = dot - (q - m) - 1;
	else
		order = dot - (q - m);
	order += exp10;
	if (order < 308)
		return 0;
	if (order > 308)
		return 1;
	for (; q < mend && *t != '\0'; q++) {
		if (*q == '.')
			continue;
		if (*q != *t)
			return *q > *t;
		t++;
	}
	if (*t == '\0')
		return 1;	/* equal so far, the rest no smaller */
	return 0;
}

/*
 * A number at s->p, with jansson's ranges under JSON_DECODE_INT_AS_REAL:
 * no number may overflow a double.  An integer beyond int64 is valid
 * JSON and agents send them (SNMP 64-bit counters such as
 * 18446744073709551615): jansson's default refuses them ("too big
 * integer"), which once answered 403 to real inventories.
 */
static int
number(struct scan *s)
{
	const unsigned char	*m, *p;
	long long		 exp10 = 0, dot;
	int			 eneg = 0;

	if (*s->p == '-')
		s->p++;
	m = s->p;
	if (s->p >= s->end || !is_digit(*s->p))
		return ERR_FORMAT;
	if (*s->p == '0') {
		s->p++;
		if (s->p < s->end && is_digit(*s->p))
			return ERR_FORMAT;
	} else
		while (s->p < s->end && is_digit(*s->p))
			s->p++;
	dot = (long long)(s->p - m);
	if (s->p < s->end && *s->p == '.') {
		s->p++;
		if (s->p >= s->end || !is_digit(*s->p))
			return ERR_FORMAT;
		while (s->p < s->end && is_digit(*s->p))
			s->p++;
	}
	p = s->p;	/* the mantissa ends here */
	if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
		s->p++;
		if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
			eneg = *s->p++ == '-';
		if (s->p >= s->end || !is_digit(*s->p))
			return ERR_FORMAT;
		/* Saturated: beyond this the verdict no longer changes. */
		while (s->p < s->end && is_digit(*s->p)) {
			if (exp10 < 1000000000000LL)
				exp10 = exp10 * 10 + (*s->p - '0');
			s->p++;
		}
	}
	/* An integer is a real with no fraction and no exponent. */
	return real_overflows(m, p, dot, eneg ? -exp10 : exp10) ?
	    ERR_FORMAT : 0;
}

/*
 * A literal at s->p: its letters must spell true, false or null.  *kind
 * gets JSONSCAN_TRUE, JSONSCAN_FALSE or JSONSCAN_OTHER (null).
 */
static int
literal(struct scan *s, enum jsonscan_kind *kind)
{
	const unsigned char	*w = s->p;
	size_t			 len;

	while (s->p < s->end && ((*s->p >= 'a' && *s->p <= 'z') ||
	    (*s->p >= 'A' && *s->p <= 'Z')))
		s->p++;
	len = (size_t)(s->p - w);
	if (len == 4 && memcmp(w, "true", 4) == 0)
		*kind = JSONSCAN_TRUE;
	else if (len == 5 && memcmp(w, "false", 5) == 0)
		*kind = JSONSCAN_FALSE;
	else if (len == 4 && memcmp(w, "null", 4) == 0)
		*kind = JSONSCAN_OTHER;
	else
		return ERR_FORMAT;
	return 0;
}

/*
 * Decodes the raw contents of a string already checked by string() into
 * out, which has room for len + 1 bytes (a decoded string is never
 * longer than its source).  Returns the decoded length.
 */
static size_t
decode(const unsigned char *p, size_t len, char *out)
{
	const unsigned char	*end = p + len;
	char			*o = out;
	unsigned		 v, w;

	while (p < end) {
		if (*p != '\\') {
			*o++ = (char)*p++;
			continue;
		}
		switch (p[1]) {
		case 'b': *o++ = '\b'; break;
		case 'f': *o++ = '\f'; break;
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 't': *o++ = '\t'; break;
		case 'u': break;
		default: *o++ = (char)p[1]; break;
		}
		if (p[1] != 'u') {
			p += 2;
			continue;
		}
		hex4(p + 2, end, &v);
		p += 6;
		if (v >= 0xd800 && v <= 0xdbff) {
			hex4(p + 2, end, &w);
			p += 6;
			v = 0x10000 + ((v - 0xd800) << 10) + (w - 0xdc00);
		}
		if (v < 0x80)
			*o++ = (char)v;
		else if (v < 0x800) {
			*o++ = (char)(0xc0 | v >> 6);
			*o++ = (char)(0x80 | (v & 0x3f));
		} else if (v < 0x10000) {
			*o++ = (char)(0xe0 | v >> 12);
			*o++ = (char)(0x80 | (v >> 6 & 0x3f));
			*o++ = (char)(0x80 | (v & 0x3f));
		} else {
			*o++ = (char)(0xf0 | v >> 18);
			*o++ = (char)(0x80 | (v >> 12 & 0x3f));
			*o++ = (char)(0x80 | (v >> 6 & 0x3f));
			*o++ = (char)(0x80 | (v & 0x3f));
		}
	}
	*o = '\0';
	return (size_t)(o - out);
}

/* Which asked field a top-level key names, or ERR_NOT_FOUND. */
static int
field_of(struct scan *s, const unsigned char *k, size_t klen)
{
	char	buf[256];
	size_t	len;
	int	i;

	if (memchr(k, '\\', klen) == NULL) {
		for (i = s->n - 1; i >= 0; i--)
			if (strlen(s->f[i].key) == klen &&
			    memcmp(s->f[i].key, k, klen) == 0)
				return i;
		return ERR_NOT_FOUND;
	}
	/* Longer than that, it cannot decode to a key asked for. */
	if (klen >= sizeof(buf))
		return ERR_NOT_FOUND;
	len = decode(k, klen, buf);
	for (i = s->n - 1; i >= 0; i--)
		if (strlen(s->f[i].key) == len &&
		    memcmp(s->f[i].key, buf, len) == 0)
			return i;
	return ERR_NOT_FOUND;
}

/*
 * The whole document, without recursion: stack holds the kind of each
 * open container ('{' or '['), so nesting costs a byte per level and
 * stops at jansson's depth, where every value counts as a level (a
 * scalar inside 2048 arrays is one too many).
 */
static int
document(struct scan *s)
{
	unsigned char		 stack[JSONSCAN_MAX_DEPTH];
	const unsigned char	*v;
	size_t			 sp = 0, vlen;
	enum jsonscan_kind	 kind;
	int			 want = -1, m;

	skip_ws(s);
	if (s->p >= s->end || *s->p != '{')
		return ERR_FORMAT;
value:
	/* A value at depth sp + 1; want is the field it is the value of. */
	m = want;
	want = -1;
	if (sp >= JSONSCAN_MAX_DEPTH)
		return ERR_FORMAT;
	skip_ws(s);
	if (s->p >= s->end)
		return ERR_FORMAT;
	switch (*s->p) {
	case '{':
	case '[':
		if (m >= 0)
			s->f[m].kind = JSONSCAN_OTHER;
		stack[sp++] = *s->p++;
		skip_ws(s);
		if (s->p < s->end && *s->p == (stack[sp - 1] == '{' ?
		    '}' : ']')) {
			s->p++;
			sp--;
			goto after;
		}
		if (stack[sp - 1] == '[')
			goto value;
		goto key;
	case '"':
		if (string(s, &v, &vlen) != 0)
			return ERR_FORMAT;
		if (m >= 0) {
			s->f[m].kind = JSONSCAN_STRING;
			s->raw[m] = v;
			s->rawlen[m] = vlen;
		}
		goto after;
	default:
		if (*s->p == '-' || is_digit(*s->p)) {
			if (number(s) != 0)
				return ERR_FORMAT;
			kind = JSONSCAN_OTHER;
		} else if (literal(s, &kind) != 0)
			return ERR_FORMAT;
		if (m >= 0)
			s->f[m].kind = kind;
		/*
		 * jansson reads one byte past a number or a literal and
		 * puts it back; a NUL put back is lost (its stream takes a
		 * NUL in its buffer for "empty").
		 */
		if (s->p < s->end && *s->p == '\0')
			s->p++;
		goto after;
	}
key:
	skip_ws(s);
	if (s->p >= s->end || *s->p != '"' || string(s, &v, &vlen) != 0)
		return ERR_FORMAT;
	if (sp == 1)
		want = field_of(s, v, vlen);
	skip_ws(s);
	if (s->p >= s->end || *s->p != ':')
		return ERR_FORMAT;
	s->p++;
	goto value;
after:
	/* A value ended; it was in the container stack[sp - 1]. */
	skip_ws(s);
	if (sp == 0)
		return s->p == s->end ? 0 : ERR_FORMAT;
	if (s->p >= s->end)
		return ERR_FORMAT;
	if (*s->p == ',') {
		s->p++;
		if (stack[sp - 1] == '[')
			goto value;
		goto key;
	}
	if (*s->p != (stack[sp - 1] == '{' ? '}' : ']'))
		return ERR_FORMAT;
	s->p++;
	sp--;
	goto after;
}

int
jsonscan(const char *data, size_t len, struct jsonscan_field *f, int n)
{
	struct scan	s;
	int		i;

	for (i = 0; i < n; i++) {
		f[i].kind = JSONSCAN_ABSENT;
		f[i].str = NULL;
		f[i].len = 0;
	}
	if (n < 0 || n > MAX_FIELDS)
		return ERR_INVALID;
	if (data == NULL)
		return ERR_FORMAT;	/* before s.p + len: NULL + len is undefined */
	memset(&s, 0, sizeof(s));
	s.p = (const unsigned char *)data;
	s.end = s.p + len;
	s.f = f;
	s.n = n;
	if (document(&s) != 0) {
		for (i = 0; i < n; i++)
			f[i].kind = JSONSCAN_ABSENT;
		return ERR_FORMAT;
	}
	for (i = 0; i < n; i++) {
		if (f[i].kind != JSONSCAN_STRING)
			continue;
		if ((f[i].str = malloc(s.rawlen[i] + 1)) == NULL) {
			jsonscan_fields_free(f, n);
			return ERR_NOMEM;
		}
		f[i].len = decode(s.raw[i], s.rawlen[i], f[i].str);
	}
	return 0;
}

void
jsonscan_fields_free(struct jsonscan_field *f, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		free(f[i].str);
		f[i].str = NULL;
		f[i].len = 0;
	}
}
