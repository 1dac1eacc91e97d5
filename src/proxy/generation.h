/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A generation: one loaded configuration and the proxy instances built
 * from it.  SIGHUP makes a new generation and swaps it in; requests and
 * forwards hold a reference to the generation they started with, so the
 * old one is freed only when the last of them ends.  The request-id caches
 * belong to the process and are shared by every generation, so agents
 * polling across a reload still get their answers; each rate table is
 * carried from one generation to the next, so a reload resets no limit.
 */
#ifndef PASSEUR_PROXY_GENERATION_H
#define PASSEUR_PROXY_GENERATION_H

#include <stdatomic.h>

#include "proxy/config.h"
#include "proxy/proxy.h"

struct generation {
	atomic_int		refs;
	struct serve_conf	conf;		/* owned */
	struct proxy		proxies[CONF_NINSTANCES];
};

/*
 * Builds a generation that owns conf (moved in; the caller's copy is
 * cleared), using the caller's request-id cache of each instance; prev
 * (may be NULL) hands over its forward timings.  Returns NULL on out of
 * memory.  The caller holds one reference.  prev's rate tables are
 * shared with the new generation, under its limits.
 */
struct generation	*generation_new(struct serve_conf *conf,
			    const char *proxy_id, struct forwarder *fwd,
			    struct reqcache *caches[CONF_NINSTANCES],
			    struct generation *prev);
void			 generation_hold(struct generation *g);
void			 generation_release(struct generation *g);

/* 1 when both need the very same listening sockets. */
int			 generation_same_listeners(const struct generation *a,
			    const struct generation *b);

#endif
