/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The status page of the admin listener (`/`): what a person reads at a
 * glance, in one HTML document with no external asset (inline style and
 * SVG, no script) that reloads itself every PAGE_REFRESH seconds.
 * Requests and deliveries per minute over the last hour, each server
 * target's health and last error, the agents seen last, the last
 * failures, and a summary of the configuration without its secrets.
 * Called by the admin listener's thread.
 */
#ifndef PASSEUR_PROXY_PAGE_H
#define PASSEUR_PROXY_PAGE_H

#include <time.h>

#include "common/buf.h"
#include "proxy/config.h"
#include "proxy/metrics.h"

#define PAGE_REFRESH	10	/* seconds */

/*
 * The Content-Security-Policy the page is served with: nothing is
 * loaded from anywhere, inline style only.
 */
#define PAGE_CSP	"default-src 'none'; style-src 'unsafe-inline'"

/*
 * Appends the page to out.  why is the health reason, "" when healthy;
 * started is when the daemon started.  Returns 0 or ERR_TOO_BIG.
 */
int	page_write(struct buf *out, const struct metrics_snapshot *s,
	    const struct serve_conf *c, const char *why, time_t started);

#endif
