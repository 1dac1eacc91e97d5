/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The httpd-trust list: IPv4 and IPv6 addresses and CIDR ranges that may
 * use the proxy when forbid_not_trusted is on.
 */
#ifndef PASSEUR_PROXY_TRUST_H
#define PASSEUR_PROXY_TRUST_H

#include <sys/socket.h>

#define TRUST_MAX	64

struct trust_net {
	int		 family;	/* AF_INET or AF_INET6 */
	unsigned char	 addr[16];
	int		 prefix;
};

struct trust {
	struct trust_net	 nets[TRUST_MAX];
	int			 n;
};

/*
 * Parses a comma or space list.  Items that are not an address or a range
 * are skipped; returns how many, and *badp names the first.
 */
int	trust_parse(struct trust *t, const char *list, const char **badp);
/*
 * Adds every address the host of an http(s) URL resolves to (the agent
 * trusts its server targets).  Returns 0; ERR_NOT_FOUND when the URL has
 * no host or it does not resolve now; ERR_TOO_BIG when TRUST_MAX entries
 * are taken before all its addresses are in (those that fit are kept).
 */
int	trust_add_url_host(struct trust *t, const char *url);
/* 1 when sa is inside one of the networks (v4-mapped v6 counts as v4). */
int	trust_match(const struct trust *t, const struct sockaddr *sa);

#endif
