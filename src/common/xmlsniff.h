/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Reads the two fields the proxy needs from a legacy XML message,
 * REQUEST/QUERY and REQUEST/DEVICEID, in one pass over the bytes.
 *
 * Inventories are large (300 KB of XML is common) and the proxy needs
 * neither a tree nor entity expansion, so this is a strict structural
 * scanner rather than a full parser: the document must be valid UTF-8
 * with exactly one root element, properly nested and closed elements,
 * quoted attribute values, closed comments, CDATA sections and processing
 * instructions, and only the predefined or numeric character references.
 * A DOCTYPE is refused (agents never send one; it is how entity tricks
 * begin).  Its verdicts are checked against expat by a fuzz target.
 */
#ifndef PASSEUR_COMMON_XMLSNIFF_H
#define PASSEUR_COMMON_XMLSNIFF_H

#include <stddef.h>

#define XMLSNIFF_MAX_DEPTH	256

struct xml_fields {
	char	query[32];
	char	deviceid[256];
	int	has_query, has_deviceid;
	int	too_long;	/* a field did not fit: treat as invalid */
};

/* 0, or ERR_FORMAT when the document is not acceptable (see above). */
int	xmlsniff(const char *data, size_t len, struct xml_fields *f);

/* True when a line of data starts with "<?xml" (the reference's test). */
int	xmlsniff_looks_xml(const char *data, size_t len);

#endif
