/*
 * HTTP listeners of `passeur serve` (libmicrohttpd).
 *
 * One listener per distinct port; each serves the proxy instances
 * configured on it, routed by url_path.  The listener does what needs the
 * connection: body collection under its ceilings, trust, rate and
 * in-flight limits, apiversion, suspension while forwarding, and the
 * access log line.  struct server is caller storage; server_start() fills
 * it and server_stop() releases what it holds.
 */
#ifndef PASSEUR_PROXY_SERVER_H
#define PASSEUR_PROXY_SERVER_H

#include <stdatomic.h>

#include "proxy/config.h"
#include "proxy/proxy.h"

struct MHD_Daemon;

struct listener {
	struct MHD_Daemon		*daemon;
	struct server			*srv;
	long long			 port;
	const struct instance_conf	*limits;	/* first instance's */
	struct proxy			*proxies[CONF_NINSTANCES];
	int				 nproxies;
};

struct server {
	const struct serve_conf	*conf;
	struct listener		 listeners[CONF_NINSTANCES];
	int			 nlisteners;
	atomic_int		 active;	/* requests not yet completed */
};

/* Binds every port; on failure nothing stays bound.  Logs its errors. */
int	server_start(struct server *s, const struct serve_conf *conf,
	    struct proxy *proxies);
/* Stops accepting, waits up to grace seconds for requests, stops. */
void	server_stop(struct server *s, int grace);

#endif
