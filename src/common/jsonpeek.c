/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <string.h>

#include "common/err.h"
#include "common/jsonpeek.h"

struct scan {
	const char	*p, *end;
	struct jsonpeek	*f;
	int		 n;
	unsigned	 ambiguous;	/* fields behind an escaped key */
};

static void
skip_ws(struct scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' ||
	    *s->p == '\n' || *s->p == '\r'))
		s->p++;
}

/*
 * Skips a string whose opening quote is at s->p; sets *startp and *lenp
 * to its raw contents and *escapedp when it has a backslash.
 */
static int
skip_string(struct scan *s, const char **startp, size_t *lenp,
    int *escapedp)
{
	const char	*q;

	*escapedp = 0;
	*startp = ++s->p;
	for (;;) {
		q = s->p;
		while (q < s->end && *q != '"' && *q != '\\' &&
		    (unsigned char)*q >= 0x20)
			q++;
		if (q >= s->end || (unsigned char)*q < 0x20)
			return ERR_FORMAT;
		if (*q == '"') {
			*lenp = (size_t)(q - *startp);
			s->p = q + 1;
			return 0;
		}
		*escapedp = 1;
		if (q + 1 >= s->end)
			return ERR_FORMAT;
		s->p = q + 2;	/* the escaped byte is never the end */
	}
}

/*
 * Which asked fields continue below key at this depth (bit set).  A key
 * with an escape is not decoded: it might be one asked for, so those
 * fields can no longer be told.
 */
static unsigned
follow(struct scan *s, unsigned live, int depth, const char *key,
    size_t klen, int escaped)
{
	unsigned	next = 0;
	int		i;

	for (i = 0; i < s->n; i++) {
		const char *want;

		/* Only a live path is as deep as depth. */
		if (!(live & (1u << i)) ||
		    (want = s->f[i].path[depth]) == NULL)
			continue;
		if (escaped)
			s->ambiguous |= 1u << i;
		else if (strlen(want) == klen && memcmp(want, key, klen) == 0)
			next |= 1u << i;
	}
	return next;
}

static int	value(struct scan *, unsigned, int);

/*
 * A value reached by the paths in live.  Where a path ends here, it is
 * the value asked for; where it goes on, this is a new container for it,
 * and what an earlier duplicate key gave no longer counts (the last of
 * duplicate keys wins, as in jansson).
 */
static void
take(struct scan *s, unsigned live, int depth, const char *v, size_t len,
    int is_plain)
{
	int i;

	for (i = 0; i < s->n; i++) {
		if (!(live & (1u << i)))
			continue;
		if (s->f[i].path[depth] != NULL)
			s->f[i].found = 0;
		else if (!is_plain || len >= s->f[i].outlen)
			s->f[i].found = -1;
		else {
			memcpy(s->f[i].out, v, len);
			s->f[i].out[len] = '\0';
			s->f[i].found = 1;
		}
	}
}

static int
object(struct scan *s, unsigned live, int depth)
{
	const char	*key;
	size_t		 klen;
	int		 esc;

	s->p++;
	skip_ws(s);
	if (s->p < s->end && *s->p == '}') {
		s->p++;
		return 0;
	}
	for (;;) {
		if (s->p >= s->end || *s->p != '"' ||
		    skip_string(s, &key, &klen, &esc) != 0)
			return ERR_FORMAT;
		skip_ws(s);
		if (s->p >= s->end || *s->p != ':')
			return ERR_FORMAT;
		s->p++;
		if (value(s, follow(s, live, depth, key, klen, esc),
		    depth + 1) != 0)
			return ERR_FORMAT;
		skip_ws(s);
		if (s->p < s->end && *s->p == ',') {
			s->p++;
			skip_ws(s);
			continue;
		}
		if (s->p < s->end && *s->p == '}') {
			s->p++;
			return 0;
		}
		return ERR_FORMAT;
	}
}

static int
array(struct scan *s, int depth)
{
	s->p++;
	skip_ws(s);
	if (s->p < s->end && *s->p == ']') {
		s->p++;
		return 0;
	}
	for (;;) {
		if (value(s, 0, depth + 1) != 0)
			return ERR_FORMAT;
		skip_ws(s);
		if (s->p < s->end && *s->p == ',') {
			s->p++;
			continue;
		}
		if (s->p < s->end && *s->p == ']') {
			s->p++;
			return 0;
		}
		return ERR_FORMAT;
	}
}

/* One value; live holds the fields whose path led here. */
static int
value(struct scan *s, unsigned live, int depth)
{
	const char	*v;
	size_t		 len;
	int		 esc;

	if (depth > JSONPEEK_MAX_DEPTH)
		return ERR_FORMAT;
	skip_ws(s);
	if (s->p >= s->end)
		return ERR_FORMAT;
	switch (*s->p) {
	case '{':
		take(s, live, depth, NULL, 0, 0);
		return object(s, live, depth);
	case '[':
		take(s, live, depth, NULL, 0, 0);
		return array(s, depth);
	case '"':
		if (skip_string(s, &v, &len, &esc) != 0)
			return ERR_FORMAT;
		take(s, live, depth, v, len, !esc);
		return 0;
	default:
		/* A number or a literal: its bytes up to a delimiter. */
		v = s->p;
		while (s->p < s->end && strchr(",}] \t\r\n", *s->p) == NULL)
			s->p++;
		if (s->p == v)
			return ERR_FORMAT;
		take(s, live, depth, NULL, 0, 0);
		return 0;
	}
}

int
jsonpeek(const char *data, size_t len, struct jsonpeek *f, int n)
{
	struct scan	s = { data, data + len, f, n, 0 };
	int		i;

	if (n > 16)
		return ERR_FORMAT;
	for (i = 0; i < n; i++)
		f[i].found = 0;
	skip_ws(&s);
	if (s.p >= s.end || *s.p != '{')
		return ERR_FORMAT;
	if (value(&s, (1u << n) - 1, 0) != 0)
		return ERR_FORMAT;
	skip_ws(&s);
	for (i = 0; i < n; i++)
		if (s.ambiguous & (1u << i))
			f[i].found = -1;
	return s.p == s.end ? 0 : ERR_FORMAT;
}
