/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "common/err.h"
#include "common/uuid.h"

static int
fill_random(unsigned char *p, size_t n)
{
	ssize_t got;

	while (n > 0) {
		if ((got = getrandom(p, n, 0)) < 0)
			return ERR_SYSTEM;
		p += got;
		n -= (size_t)got;
	}
	return 0;
}

int
uuid_random(char out[UUID_STRLEN + 1])
{
	unsigned char	 b[16];
	int		 r;

	if ((r = fill_random(b, sizeof(b))) != 0)
		return r;
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	snprintf(out, UUID_STRLEN + 1,
	    "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3], b[4], b[5],
	    b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
	return 0;
}

int
uuid_valid(const char *s)
{
	int i;

	if (s == NULL || strlen(s) != UUID_STRLEN)
		return 0;
	for (i = 0; i < UUID_STRLEN; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (!isxdigit((unsigned char)s[i]))
			return 0;
	}
	return 1;
}

int
reqid_random(char out[REQID_STRLEN + 1])
{
	unsigned char	 b[4];
	int		 r;

	if ((r = fill_random(b, sizeof(b))) != 0)
		return r;
	snprintf(out, REQID_STRLEN + 1, "%02X%02X%02X%02X", b[0], b[1], b[2],
	    b[3]);
	return 0;
}

int
reqid_valid(const char *s)
{
	int i;

	if (s == NULL || strlen(s) != REQID_STRLEN)
		return 0;
	for (i = 0; i < REQID_STRLEN; i++)
		if (!isdigit((unsigned char)s[i]) &&
		    (s[i] < 'A' || s[i] > 'F'))
			return 0;
	return 1;
}

int
token_random(char *out, size_t len)
{
	static const char alnum[] = "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	unsigned char	b;
	size_t		i;
	int		r;

	for (i = 0; i < len; i++) {
		/* 62 symbols: values from 248 up would favour the first 8. */
		do {
			if ((r = fill_random(&b, 1)) != 0)
				return r;
		} while (b >= 248);
		out[i] = alnum[b % 62];
	}
	out[len] = '\0';
	return 0;
}
