/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/answer.h"

long
answer_expiration_seconds(const char *text)
{
	char	*end;
	long	 n;

	if (text == NULL || !isdigit((unsigned char)*text))
		return ERR_FORMAT;
	n = strtol(text, &end, 10);
	switch (*end) {
	case 's':
		break;
	case 'm':
		n *= 60;
		break;
	case 'd':
		n *= 86400;
		break;
	case '\0':
	case 'h':
		n *= 3600;
		break;
	default:
		return ERR_FORMAT;
	}
	if (*end != '\0' && end[1] != '\0')
		return ERR_FORMAT;
	return n;
}

int
answer_json(const void *body, size_t len, char *status, size_t statuslen,
    char *message, size_t messagelen, long *expirationp)
{
	json_t		*root, *v;
	const char	*s;

	*status = '\0';
	if (message != NULL)
		*message = '\0';
	*expirationp = -1;
	if (len == 0 || (root = json_loadb(body, len, 0, NULL)) == NULL)
		return ERR_FORMAT;
	if (!json_is_object(root)) {
		json_decref(root);
		return ERR_FORMAT;
	}
	if ((s = json_string_value(json_object_get(root, "status"))) != NULL)
		snprintf(status, statuslen, "%s", s);
	if (message != NULL && (s = json_string_value(json_object_get(root,
	    "message"))) != NULL)
		snprintf(message, messagelen, "%s", s);
	v = json_object_get(root, "expiration");
	if (json_is_integer(v))
		*expirationp = (long)json_integer_value(v) * 3600;
	else if (json_is_string(v) && (*expirationp =
	    answer_expiration_seconds(json_string_value(v))) < 0)
		*expirationp = -1;
	json_decref(root);
	return 0;
}

long
answer_poll_next(struct answer_poll *ap, long expiration)
{
	long cap, step;

	if (expiration < 1)
		expiration = 1;
	if (expiration > 60)
		expiration = 60;
	cap = expiration * 1000;
	if (ap->tries == 40 || ap->waited_ms >= 12 * cap)
		return ERR_TIMEOUT;
	step = ap->step_ms < cap ? ap->step_ms : cap;
	ap->step_ms *= 2;
	ap->waited_ms += step;
	ap->tries++;
	return step;
}

/* Copies s into out, cut with "..." when it does not fit. */
static void
fit(char *out, size_t outlen, const char *s)
{
	size_t n = strlen(s);

	if (n < outlen) {
		memcpy(out, s, n + 1);
		return;
	}
	memcpy(out, s, outlen - 4);
	memcpy(out + outlen - 4, "...", 4);
}

int
answer_summary(const void *body, size_t len, char *out, size_t outlen)
{
	static const char	 hex[] = "0123456789abcdef";
	const unsigned char	*p = body;
	json_t			*root;
	char			*s;
	size_t			 i, n = 0;

	*out = '\0';
	if (len == 0)
		return 0;
	if ((root = json_loadb(body, len, JSON_DECODE_ANY, NULL)) != NULL) {
		s = json_dumps(root, JSON_COMPACT | JSON_ENSURE_ASCII |
		    JSON_ENCODE_ANY);
		json_decref(root);
		if (s == NULL) {
			fit(out, outlen, "(out of memory)");
			return 1;
		}
		fit(out, outlen, s);
		free(s);
		return 1;
	}
	for (i = 0; i < len; i++) {
		if (p[i] < 0x20 || p[i] >= 0x7f || p[i] == '\\') {
			if (n + 4 + 3 >= outlen)
				break;
			out[n++] = '\\';
			out[n++] = 'x';
			out[n++] = hex[p[i] >> 4];
			out[n++] = hex[p[i] & 0xf];
		} else {
			if (n + 1 + 3 >= outlen)
				break;
			out[n++] = (char)p[i];
		}
	}
	if (i < len) {
		memcpy(out + n, "...", 3);
		n += 3;
	}
	out[n] = '\0';
	return 0;
}
