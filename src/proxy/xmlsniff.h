/*
 * Reads the two fields the proxy needs from a legacy XML message:
 * REQUEST/QUERY and REQUEST/DEVICEID, with a streaming parser (no tree).
 * The whole document must be well-formed.
 */
#ifndef PASSEUR_PROXY_XMLSNIFF_H
#define PASSEUR_PROXY_XMLSNIFF_H

#include <stddef.h>

struct xml_fields {
	char	query[32];
	char	deviceid[256];
	int	has_query, has_deviceid;
	int	too_long;	/* a field did not fit: treat as invalid */
};

/* 0, or ERR_FORMAT when the document is not well-formed XML. */
int	xmlsniff(const char *data, size_t len, struct xml_fields *f);

/* True when a line of data starts with "<?xml" (the reference's test). */
int	xmlsniff_looks_xml(const char *data, size_t len);

#endif
