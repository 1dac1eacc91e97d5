/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The Prometheus text exposition (format 0.0.4) of `passeur serve`:
 * the counters of metrics.h, the health, the build and the process.
 * Names and units follow Prometheus conventions (_total counters,
 * _seconds and _bytes units).  Called by the admin listener's thread.
 */
#ifndef PASSEUR_PROXY_EXPOSITION_H
#define PASSEUR_PROXY_EXPOSITION_H

#include "common/buf.h"
#include "proxy/metrics.h"

/*
 * Appends the exposition of s to out, with healthy (1 or 0) as
 * passeur_healthy.  Returns 0 or ERR_TOO_BIG (out's ceiling).
 */
int	exposition_write(struct buf *out, const struct metrics_snapshot *s,
	    int healthy);

/* The process figures exposed as process_*; -1 where unknown. */
struct process_stats {
	double		cpu_seconds;
	long long	resident_bytes, virtual_bytes;
	long long	open_fds, max_fds;
	double		start_time;	/* seconds since the epoch */
};

/* Reads /proc/self; any thread. */
void	exposition_process(struct process_stats *p);

#endif
