/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/conf.h"
#include "proxy/chain.h"

enum chain_verdict
chain_check(const char *header, const char *own_id, long long max)
{
	const char	*rest = header, *p;
	size_t		 len, ownlen = strlen(own_id);
	long long	 count = 0;
	int		 loop = 0;

	if (header == NULL)
		return CHAIN_OK;
	while ((p = conf_list_next(&rest, &len)) != NULL) {
		if (len == 0)
			continue;
		count++;
		if (len == ownlen && strncasecmp(p, own_id, len) == 0)
			loop = 1;
	}
	if (count >= max)
		return CHAIN_TOO_LONG;
	return loop ? CHAIN_LOOP : CHAIN_OK;
}

char *
chain_append(const char *header, const char *own_id)
{
	char	*s;
	size_t	 len;

	while (header != NULL && isspace((unsigned char)*header))
		header++;
	if (header == NULL || *header == '\0')
		return strdup(own_id);
	len = strlen(header);
	while (len > 0 && (isspace((unsigned char)header[len - 1]) ||
	    header[len - 1] == ','))
		len--;
	if (asprintf(&s, "%.*s,%s", (int)len, header, own_id) == -1)
		return NULL;
	return s;
}
