/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The state of `passeur serve` at a glance, as one JSON document: what
 * the admin listener answers at /status.json and what `passeur status`
 * prints.  Built from a metrics snapshot, the health and the running
 * configuration (secrets never included).  Any thread.
 */
#ifndef PASSEUR_PROXY_SUMMARY_H
#define PASSEUR_PROXY_SUMMARY_H

#include <jansson.h>
#include <time.h>

#include "proxy/config.h"
#include "proxy/metrics.h"

/*
 * A new JSON object (caller owns it, json_decref), or NULL when out of
 * memory.  why is the health reason, "" when healthy; started is when
 * the daemon started.
 */
json_t	*summary_new(const struct metrics_snapshot *s,
	    const struct serve_conf *c, const char *why, time_t started);

#endif
