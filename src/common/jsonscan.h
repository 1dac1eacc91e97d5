/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The verdict on a whole JSON document and a few of its top-level fields,
 * in one pass with no tree.
 *
 * jsonscan() accepts exactly the texts that jansson's json_loadb(data,
 * len, JSON_DECODE_INT_AS_REAL) turns into an object: RFC 8259 with
 * strict UTF-8, no \u0000 in any string or key, no lone surrogate, no
 * number that overflows a double (integers beyond int64, such as SNMP
 * 64-bit counters, are valid), at most JSON_PARSER_MAX_DEPTH (2048)
 * nested values, duplicate keys allowed (the last one counts), and
 * jansson's one quirk: a single NUL byte right after a number or a
 * literal is skipped.  fuzz/fuzz_jsonscan.c checks this against jansson.
 *
 * It allocates nothing while scanning, whatever the shape of the
 * document; only the string values asked for are copied at the end, so
 * its memory is at most the length of those strings.
 *
 * Any thread may call it; it keeps no state.
 */
#ifndef PASSEUR_COMMON_JSONSCAN_H
#define PASSEUR_COMMON_JSONSCAN_H

#include <stddef.h>

/* Nesting limit of jansson's parser (JSON_PARSER_MAX_DEPTH). */
#define JSONSCAN_MAX_DEPTH	2048

enum jsonscan_kind {
	JSONSCAN_ABSENT = 0,
	JSONSCAN_STRING,	/* str holds the decoded value */
	JSONSCAN_TRUE,		/* the literal true */
	JSONSCAN_FALSE,		/* the literal false */
	JSONSCAN_OTHER		/* any other value */
};

struct jsonscan_field {
	const char	*key;	/* in: a top-level key, plain ASCII */
	/* out: what the last member with that key holds. */
	enum jsonscan_kind kind;
	char		*str;	/* decoded, NUL-terminated; owned, see below */
	size_t		 len;
};

/*
 * Scans data for the n fields (n <= 16).  Returns 0 when data is a JSON
 * object as above, ERR_FORMAT when it is not (an array, a scalar, or not
 * JSON), ERR_NOMEM.  The str of each field is freed by
 * jsonscan_fields_free(), which is safe to call whatever the result.
 */
int	jsonscan(const char *data, size_t len, struct jsonscan_field *f,
	    int n);
void	jsonscan_fields_free(struct jsonscan_field *f, int n);

#endif
