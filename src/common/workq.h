/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A fixed pool of threads that run queued items in arrival order.
 *
 * Items are intrusive: the caller embeds struct workq_item in its own
 * record, so queueing never allocates and never fails once the pool runs.
 * workq_stop() lets the threads finish every item queued before it, then
 * joins them.
 */
#ifndef PASSEUR_WORKQ_H
#define PASSEUR_WORKQ_H

struct workq;

struct workq_item {
	struct workq_item	*next;
	void			(*run)(struct workq_item *);
};

/* Starts nthreads threads; NULL when they cannot be created. */
struct workq	*workq_start(int nthreads);
void		 workq_push(struct workq *q, struct workq_item *it);
void		 workq_stop(struct workq *q);

#endif
