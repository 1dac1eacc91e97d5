/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/conf.h"
#include "common/err.h"
#include "common/uuid.h"
#include "proxy/chain.h"

/* 1 when the len bytes at p are a UUID (uuid_valid() needs a string). */
static int
item_is_uuid(const char *p, size_t len)
{
	char id[UUID_STRLEN + 1];

	if (len != UUID_STRLEN)
		return 0;
	memcpy(id, p, len);
	id[len] = '\0';
	return uuid_valid(id);
}

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
		if (!item_is_uuid(p, len))
			return CHAIN_INVALID;
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

int
chain_add_line(struct buf *chain, const char *line)
{
	int r;

	if (chain->len > 0 && (r = buf_append(chain, ",", 1)) != 0)
		return r;
	return buf_append(chain, line, strlen(line));
}
