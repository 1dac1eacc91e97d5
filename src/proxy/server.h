/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * HTTP listeners of `passeur serve` (libmicrohttpd).
 *
 * One listener per distinct port; each serves the proxy instances
 * configured on it, routed by url_path.  The listener does what needs the
 * connection: body collection under its ceilings, trust, rate and
 * in-flight limits, apiversion, suspension while forwarding, and the
 * access log line.  Each request holds the generation (configuration) it
 * started with until it completes.  struct server is caller storage;
 * server_start() fills it and server_stop() releases what it holds.
 */
#ifndef PASSEUR_PROXY_SERVER_H
#define PASSEUR_PROXY_SERVER_H

#include <pthread.h>
#include <stdatomic.h>

#include "proxy/generation.h"

struct listener_set;

/*
 * The listeners of one start.  A set is its own allocation so that a set
 * abandoned at a stop (a request still in progress past every grace) never
 * shares memory with the next one.
 */
struct server {
	struct listener_set	*set;
};

/*
 * Binds every port of gen; on failure nothing stays bound.  Logs its
 * errors.  The server takes its own reference to gen.
 */
int	server_start(struct server *s, struct generation *gen);
/* Requests that start from now on use gen (same listeners required). */
void	server_swap(struct server *s, struct generation *gen);
/*
 * Replaces the listeners by those of gen, without waiting.  With the same
 * httpd-ip, a port both listen on keeps its listening socket: it is
 * handed to the new listener, so no connection is refused or reset; the
 * others are closed or bound.  The old listeners finish their requests in
 * the background (connections asking clients to reconnect), then stop
 * and are freed.  On failure (logged) the old listeners serve on as they
 * were; when httpd-ip changed they are started again, and s->set is NULL
 * when even that fails.
 */
int	server_restart(struct server *s, struct generation *gen);
/*
 * Stops accepting and closes the listening sockets, waits up to grace
 * seconds for requests in progress, those of listeners being replaced
 * included, then calls cancel (when not NULL) so that forwards they wait
 * for give up, and stops.  Returns 0, or ERR_TIMEOUT when requests were
 * left running (the generation, forwarder and caches they use must then
 * stay alive; their listeners are freed if they end).  Does nothing but wait
 * for the listeners being replaced when s has none.
 */
int	server_stop(struct server *s, int grace, void (*cancel)(void *),
	    void *arg);
/*
 * How many requests have completed since the process started, on every
 * listener (any thread; a relaxed atomic read).
 */
unsigned long	server_completed(void);
/* The worker threads of the listener whose first instance is ic. */
int		server_workers(const struct instance_conf *ic);

#endif
