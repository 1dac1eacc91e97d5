/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The admin listener of `passeur serve`: a libmicrohttpd daemon of its
 * own on status_ip:status_port (agent.cfg), off while status_port is 0,
 * plain HTTP or TLS (status_tls, with the certificate of
 * ssl-server-plugin.cfg).  Only addresses in status_trust are answered.
 *
 *   /             a status page for people (page.h)
 *   /metrics      Prometheus text format 0.0.4 (exposition.h)
 *   /health       200 "ok", or 503 and the reason (health.h)
 *   /status.json  the summary `passeur status` prints (summary.h)
 *
 * One listener per process.  admin_start(), admin_reload() and
 * admin_stop() are the main thread's; the daemon's one thread answers,
 * under a reference to the generation it reads the configuration from.
 */
#ifndef PASSEUR_PROXY_ADMIN_H
#define PASSEUR_PROXY_ADMIN_H

#include "proxy/generation.h"

/* Starts the listener gen asks for, if any.  Logs its errors. */
int	admin_start(struct generation *gen);
/*
 * Serves gen from now on: the same listener when its address, port and
 * TLS are unchanged, else a new one (the previous one is kept when the
 * new one cannot start).  Logs its errors.
 */
int	admin_reload(struct generation *gen);
/* Stops the listener and releases its generations. */
void	admin_stop(void);

#endif
