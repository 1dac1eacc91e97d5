/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <arpa/inet.h>
#include <ctype.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "proxy/trust.h"

static int
parse_item(struct trust_net *n, const char *item)
{
	char	 host[64], *slash;
	long	 prefix = -1;
	char	*end;
	size_t	 len = strlen(item);

	if (len >= sizeof(host))
		return ERR_INVALID;
	memcpy(host, item, len + 1);
	if ((slash = strchr(host, '/')) != NULL) {
		*slash++ = '\0';
		if (!isdigit((unsigned char)*slash))
			return ERR_INVALID;
		prefix = strtol(slash, &end, 10);
		if (*end != '\0')
			return ERR_INVALID;
	}
	memset(n, 0, sizeof(*n));
	if (inet_pton(AF_INET, host, n->addr) == 1) {
		n->family = AF_INET;
		n->prefix = prefix < 0 ? 32 : (int)prefix;
		return prefix > 32 ? ERR_INVALID : 0;
	}
	if (inet_pton(AF_INET6, host, n->addr) == 1) {
		n->family = AF_INET6;
		n->prefix = prefix < 0 ? 128 : (int)prefix;
		return prefix > 128 ? ERR_INVALID : 0;
	}
	return ERR_INVALID;
}

int
trust_parse(struct trust *t, const char *list, const char **badp)
{
	static char	 bad[64];
	char		 item[64];
	const char	*p = list;
	size_t		 len;
	int		 nbad = 0;

	t->n = 0;
	*badp = NULL;
	while (p != NULL && *p != '\0') {
		p += strspn(p, ", \t");
		len = strcspn(p, ", \t");
		if (len == 0)
			break;
		snprintf(item, sizeof(item), "%.*s", (int)len, p);
		if (len >= sizeof(item) || t->n == TRUST_MAX ||
		    parse_item(&t->nets[t->n], item) != 0) {
			if (nbad++ == 0) {
				snprintf(bad, sizeof(bad), "%.*s", (int)len, p);
				*badp = bad;
			}
		} else
			t->n++;
		p += len;
	}
	return nbad;
}

static int
prefix_match(const unsigned char *a, const unsigned char *b, int bits)
{
	int bytes = bits / 8, rest = bits % 8;

	if (memcmp(a, b, (size_t)bytes) != 0)
		return 0;
	if (rest == 0)
		return 1;
	return ((a[bytes] ^ b[bytes]) & (0xff << (8 - rest))) == 0;
}

int
trust_match(const struct trust *t, const struct sockaddr *sa)
{
	const unsigned char	*addr;
	unsigned char		 v4[4];
	int			 family, i;

	if (sa->sa_family == AF_INET) {
		family = AF_INET;
		addr = (const unsigned char *)
		    &((const struct sockaddr_in *)sa)->sin_addr;
	} else if (sa->sa_family == AF_INET6) {
		const struct in6_addr *a6 =
		    &((const struct sockaddr_in6 *)sa)->sin6_addr;
		if (IN6_IS_ADDR_V4MAPPED(a6)) {
			memcpy(v4, a6->s6_addr + 12, 4);
			family = AF_INET;
			addr = v4;
		} else {
			family = AF_INET6;
			addr = a6->s6_addr;
		}
	} else
		return 0;
	for (i = 0; i < t->n; i++)
		if (t->nets[i].family == family &&
		    prefix_match(t->nets[i].addr, addr, t->nets[i].prefix))
			return 1;
	return 0;
}

int
trust_add_url_host(struct trust *t, const char *url)
{
	struct addrinfo	 hints, *res, *ai;
	char		 host[256];
	const char	*p;
	size_t		 len;
	int		 added = 0, full = 0;

	if ((p = strstr(url, "://")) == NULL)
		return ERR_NOT_FOUND;
	p += 3;
	p += strcspn(p, "@/") < strcspn(p, "/") ? strcspn(p, "@") + 1 : 0;
	if (*p == '[') {
		p++;
		len = strcspn(p, "]");
	} else
		len = strcspn(p, ":/?#");
	if (len == 0 || len >= sizeof(host))
		return ERR_NOT_FOUND;
	memcpy(host, p, len);
	host[len] = '\0';
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(host, NULL, &hints, &res) != 0)
		return ERR_NOT_FOUND;
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		struct trust_net *n = &t->nets[t->n];

		if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6)
			continue;
		if (t->n == TRUST_MAX) {
			full = 1;
			break;
		}
		memset(n, 0, sizeof(*n));
		n->family = ai->ai_family;
		if (ai->ai_family == AF_INET) {
			memcpy(n->addr, &((struct sockaddr_in *)ai->ai_addr)->
			    sin_addr, 4);
			n->prefix = 32;
		} else {
			memcpy(n->addr, &((struct sockaddr_in6 *)ai->ai_addr)->
			    sin6_addr, 16);
			n->prefix = 128;
		}
		t->n++;
		added++;
	}
	freeaddrinfo(res);
	if (full)
		return ERR_TOO_BIG;
	return added > 0 ? 0 : ERR_NOT_FOUND;
}
