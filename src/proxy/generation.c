/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdlib.h>
#include <string.h>

#include "proxy/generation.h"
#include "proxy/ratelimit.h"
#include "proxy/reqcache.h"

/*
 * The rate table of prev goes on with the new limits (see ratelimit.h).
 * On out of memory the new generation keeps its own, empty, table.
 */
static void
carry_rate(struct proxy *to, struct proxy *from)
{
	const struct instance_conf	*c = to->conf;
	struct ratelimit		*rl;

	if ((rl = ratelimit_carry(from->rate, c->maxrate, c->maxrate_period,
	    (size_t)c->max_rate_clients)) == NULL)
		return;
	ratelimit_free(to->rate);
	to->rate = rl;
}

struct generation *
generation_new(struct serve_conf *conf, const char *proxy_id,
    struct forwarder *fwd, struct reqcache *caches[CONF_NINSTANCES],
    struct generation *prev)
{
	struct generation	*g;
	int			 i;

	if ((g = calloc(1, sizeof(*g))) == NULL)
		return NULL;
	g->conf = *conf;
	memset(conf, 0, sizeof(*conf));
	atomic_init(&g->refs, 1);
	for (i = 0; i < CONF_NINSTANCES; i++) {
		if (proxy_init(&g->proxies[i], &g->conf.inst[i],
		    &g->conf.agent, proxy_id, fwd, caches[i]) != 0) {
			while (i-- > 0)
				proxy_cleanup(&g->proxies[i]);
			config_free(&g->conf);
			free(g);
			return NULL;
		}
		g->proxies[i].gen = g;
		if (prev != NULL) {
			proxy_copy_timings(&g->proxies[i], &prev->proxies[i]);
			carry_rate(&g->proxies[i], &prev->proxies[i]);
		}
	}
	return g;
}

void
generation_hold(struct generation *g)
{
	atomic_fetch_add(&g->refs, 1);
}

void
generation_release(struct generation *g)
{
	int i;

	if (g == NULL || atomic_fetch_sub(&g->refs, 1) != 1)
		return;
	for (i = 0; i < CONF_NINSTANCES; i++)
		proxy_cleanup(&g->proxies[i]);
	config_free(&g->conf);
	free(g);
}

static int
same_instance_listener(const struct instance_conf *a,
    const struct instance_conf *b)
{
	return a->disabled == b->disabled && (a->disabled ||
	    (a->port == b->port && a->workers == b->workers &&
	    a->max_connections == b->max_connections &&
	    a->max_connections_per_ip == b->max_connections_per_ip &&
	    a->request_timeout == b->request_timeout &&
	    a->max_header_size == b->max_header_size &&
	    a->max_uploads_per_ip == b->max_uploads_per_ip &&
	    a->min_data_rate == b->min_data_rate));
}

int
generation_same_listeners(const struct generation *a,
    const struct generation *b)
{
	const struct ssl_conf	*sa = &a->conf.ssl, *sb = &b->conf.ssl;
	int			 i;

	if (strcmp(a->conf.agent.httpd_ip, b->conf.agent.httpd_ip) != 0)
		return 0;
	/* Certificates are not in this: a reload swaps them in place. */
	if (sa->disabled != sb->disabled || (!sa->disabled &&
	    (sa->nports != sb->nports || memcmp(sa->port_list, sb->port_list,
	    sizeof(sa->port_list)) != 0 ||
	    strcmp(sa->priorities, sb->priorities) != 0)))
		return 0;
	for (i = 0; i < CONF_NINSTANCES; i++)
		if (!same_instance_listener(&a->conf.inst[i],
		    &b->conf.inst[i]))
			return 0;
	return 1;
}
