/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The open-file limit against max_connections.
 *
 * Every connection is a descriptor, and so is what a request needs to be
 * stored (its folder, its temporary file) or forwarded (a socket): when
 * connections take every descriptor the limit allows, accepted agents get
 * 500 (EMFILE).  At start the soft RLIMIT_NOFILE is raised to the hard
 * limit; then each listener's max_connections is lowered, with a warning,
 * so that connections leave a reserve for the workers, the forwarders,
 * the listeners and the process itself.
 *
 * Called by the main thread only, at start and on reloads.
 */
#ifndef PASSEUR_PROXY_FDLIMIT_H
#define PASSEUR_PROXY_FDLIMIT_H

#include "proxy/config.h"

/* Descriptors kept apart from connections. */
#define FDLIMIT_BASE		32	/* stdio, log, lock, pid file, libs */
#define FDLIMIT_PER_LISTENER	8	/* two daemons: socket, epoll, event */
#define FDLIMIT_PER_WORKER	3	/* folder, temporary file, one spare */
#define FDLIMIT_PER_FORWARDER	3	/* socket, resolver pair */

/*
 * Raises the soft limit to the hard one and remembers the result for
 * fdlimit_clamp().  Logs (a warning) when it cannot; never fails.
 */
void	fdlimit_raise(void);

/* What fdlimit_available() says of a negative limit: no limit at all. */
#define FDLIMIT_UNLIMITED	(-1LL)

/*
 * The number of connections the listeners of conf may hold together
 * within limit, given nforwarders forward threads; FDLIMIT_UNLIMITED when
 * limit is negative.  workers(ic) gives the worker threads of an
 * instance's listener.
 */
long long	fdlimit_available(const struct serve_conf *conf,
		    long long limit, int nforwarders,
		    int (*workers)(const struct instance_conf *));

/*
 * Lowers max_connections of conf's listeners, in proportion, so that
 * their sum fits the limit fdlimit_raise() left, and logs a warning for
 * each one lowered.  Instances that share a port share a listener (the
 * first one's values count, as in server.c) and get the same value.
 */
void	fdlimit_clamp(struct serve_conf *conf, int nforwarders,
	    int (*workers)(const struct instance_conf *));

#endif
