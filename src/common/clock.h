/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Milliseconds of the two clocks the daemon reads: the wall clock for
 * times written down (the spool's ids and attempts), the monotonic clock
 * for durations and deadlines.  Pure functions; any thread.
 */
#ifndef PASSEUR_COMMON_CLOCK_H
#define PASSEUR_COMMON_CLOCK_H

#include <time.h>

static inline long long
clock_ms(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Unix time in milliseconds. */
static inline long long
wall_ms(void)
{
	return clock_ms(CLOCK_REALTIME);
}

/* Milliseconds since an unspecified start; never goes back. */
static inline long long
mono_ms(void)
{
	return clock_ms(CLOCK_MONOTONIC);
}

#endif
