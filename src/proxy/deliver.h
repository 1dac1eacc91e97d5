/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The deliverer: takes the spool's items to the server targets, through
 * the forwarder's workers, until each is delivered or refused for good.
 *
 * Delivery is at least once and in order per device: an item of a device
 * is sent only when no older item of that device waits.  A failed attempt
 * is tried again after an exponential backoff with jitter (spool_retry_min
 * doubled per attempt up to spool_retry_max), or after the Retry-After the
 * upstream asked for when longer.  A refusal for good (a 4xx other than
 * 408 and 429, a GLPI "status":"error" answer) moves the item to failed/,
 * as does a failed attempt of an item older than spool_max_age.
 * A newer full inventory of a device drops an older one still waiting
 * (coalescing; never a partial one, another action or one being sent).
 * Memory is bounded: the deliverer keeps at most DELIVER_WINDOW items in
 * RAM (their ids, a hash of their device and their next attempt, never a
 * body), the oldest ones; when the spool holds more, the next ones are read
 * from the folder as the window empties.
 *
 * The agent's poll of a JSON inventory gets the upstream's answer when the
 * first attempt delivers it, else, once an attempt failed, "inventory held
 * by proxy <id> for delivery" (an "ok": the proxy has it), or the error
 * answer when it is refused for good.
 *
 * The requests of `passeur spool retry | drop` (spool_ctl.h) are applied
 * by the deliverer too, between two passes, a few times a second: the
 * item is marked busy while it changes, and the window follows (an item
 * back from failed/ comes in, a dropped one leaves).
 *
 * Threads: deliver_queue() from the listener's workers, the done callbacks
 * from the forwarder's, one thread of its own schedules and applies the
 * requests of passeur spool; one mutex guards the window and the current
 * generation.  Ownership: the deliverer holds a
 * reference to the generation given last, and one per attempt running.
 */
#ifndef PASSEUR_PROXY_DELIVER_H
#define PASSEUR_PROXY_DELIVER_H

#include <stddef.h>

#include "proxy/spool.h"

/* Items of the spool kept in RAM at once (about 48 bytes each). */
#define DELIVER_WINDOW		4096
/* Attempts running at once: the forwarder's other workers serve CONTACT. */
#define DELIVER_INFLIGHT	16

struct deliver;
struct forwarder;
struct generation;

/* Starts the deliverer of sp (not owned) through fwd (not owned). */
int	deliver_start(struct deliver **dp, struct spool *sp,
	    struct forwarder *fwd);
/* The configuration to deliver with: servers, timeouts, backoff. */
void	deliver_set_generation(struct deliver *d, struct generation *g);
/*
 * Writes it with its body into the spool (durably: see spool_add()) and
 * schedules it.  0 once the agent can be told its inventory is kept.
 */
int	deliver_queue(struct deliver *d, struct spool_item *it,
	    const void *body, size_t len);
/*
 * Stops scheduling: attempts running end in the forwarder (let it drain
 * before deliver_free()); an attempt cancelled by the stop counts for
 * nothing, its item waits in the spool for the next start.
 */
void	deliver_stop(struct deliver *d);
void	deliver_free(struct deliver *d);

/*
 * What the admin listener shows of the queue, without reading the
 * folder: items and bytes waiting, the arrival of the oldest (Unix time
 * in milliseconds, 0 when none), and failed attempts since the start.
 */
struct deliver_stats {
	size_t		items;
	uint64_t	bytes;
	long long	oldest_ms;
	uint64_t	retries;
};
void	deliver_stats(struct deliver *d, struct deliver_stats *st);
/* 0 when the spool can take an inventory now; otherwise why not. */
int	deliver_check(struct deliver *d, char *why, size_t whylen);

#endif
