/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Request body decoding (step 10 of the pipeline): inflate zlib and gzip
 * bodies per their Content-Type, then retype compressed bodies by content.
 *
 * decode_body() replaces the body in place with the decoded bytes and
 * returns the effective content type (a static string or ctype itself).
 * On failure it fills the HTTP status and message the agent must get,
 * and, when the agent's message alone would not tell an operator why,
 * a reason for the log (why, "" otherwise).
 */
#ifndef PASSEUR_PROXY_DECODE_H
#define PASSEUR_PROXY_DECODE_H

#include "common/buf.h"

struct decode_error {
	int		 status;
	const char	*message;
	char		 why[128];
};

int	decode_body(const char *ctype, struct buf *body, size_t max_inflated,
	    const char **ctypep, struct decode_error *err);

/* Case-insensitive prefix test, for content types. */
int	ctype_is(const char *ctype, const char *prefix);
/* Exact type, any case, parameters after ';' ignored. */
int	ctype_equals(const char *ctype, const char *type);

#endif
