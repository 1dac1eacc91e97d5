/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Reading a few string fields of a large JSON document without building
 * it: one pass that follows the structure (objects, arrays, strings,
 * scalars) and copies the values found at the paths asked for.
 *
 * An inventory of a megabyte costs jansson tens of milliseconds and as
 * many allocations as it has values; this costs about one millisecond
 * and none.  It checks the structure, not the grammar of numbers and
 * literals, nor UTF-8: it says where to look, and whoever needs a
 * verdict on the whole document parses it.
 */
#ifndef PASSEUR_COMMON_JSONPEEK_H
#define PASSEUR_COMMON_JSONPEEK_H

#include <stddef.h>

#define JSONPEEK_MAX_DEPTH	512

struct jsonpeek {
	const char *const	*path;	/* keys from the top, NULL-ended */
	char			*out;
	size_t			 outlen;
	/*
	 * 1: found and copied; 0: absent; -1: cannot be told here (not a
	 * string, a string with escapes or too long for out, or a key on
	 * the path written with escapes): parse the document to know.
	 */
	int			 found;
};

/*
 * Scans the JSON object in data for the n fields.  Returns 0, or
 * ERR_FORMAT when the text is not a well-nested JSON object (then found
 * means nothing).
 */
int	jsonpeek(const char *data, size_t len, struct jsonpeek *f, int n);

#endif
