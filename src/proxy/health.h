/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Whether `passeur serve` can accept and keep a message now: the answer
 * of the admin listener's /health, for load balancers and monitoring.
 *
 * Reads the file system only (nothing is created or changed); any
 * thread.  The reason is written in caller storage.
 */
#ifndef PASSEUR_PROXY_HEALTH_H
#define PASSEUR_PROXY_HEALTH_H

#include <stddef.h>

#include "proxy/config.h"

/*
 * 0 when every enabled instance can keep what it accepts: its
 * local_store is a folder this process can write in (or can make again,
 * as the request path does), with free space and free inodes.  Else
 * ERR_INVALID, with the first reason in why.  With a spool (d not
 * NULL), its folder must be writable and not full (spool_max_size, or
 * its file system 90% full): see deliver_check().
 */
struct deliver;
int	health_check(const struct serve_conf *c, struct deliver *d, char *why,
	    size_t whylen);

#endif
