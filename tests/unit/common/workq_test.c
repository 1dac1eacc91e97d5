/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * workq: every item runs once, in order with one thread, and stopping
 * runs what was queued before the stop.
 */
#include "../testutil.h"

#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

#include "common/workq.h"

#define NITEMS	2000

struct counted {
	struct workq_item	 item;		/* first */
	atomic_int		*runs;
	int			 index;
	int			*order;
	atomic_int		*next;
};

static void
count_run(struct workq_item *it)
{
	struct counted *c = (struct counted *)it;

	atomic_fetch_add(&c->runs[c->index], 1);
	if (c->order != NULL)
		c->order[atomic_fetch_add(c->next, 1)] = c->index;
}

static void
run_all(int nthreads, int *order)
{
	static struct counted	 items[NITEMS];
	static atomic_int	 runs[NITEMS];
	atomic_int		 next = 0;
	struct workq		*q;
	int			 i;

	assert_non_null(q = workq_start(nthreads));
	for (i = 0; i < NITEMS; i++) {
		atomic_init(&runs[i], 0);
		items[i].runs = runs;
		items[i].index = i;
		items[i].order = order;
		items[i].next = &next;
		items[i].item.run = count_run;
		workq_push(q, &items[i].item);
	}
	/* Stopping waits for every item queued before it. */
	workq_stop(q);
	for (i = 0; i < NITEMS; i++)
		assert_int_equal(atomic_load(&runs[i]), 1);
}

static void
test_each_item_once(void **state)
{
	(void)state;
	run_all(4, NULL);
	run_all(1, NULL);
}

static void
test_fifo_with_one_thread(void **state)
{
	static int	order[NITEMS];
	int		i;

	(void)state;
	run_all(1, order);
	for (i = 0; i < NITEMS; i++)
		assert_int_equal(order[i], i);
}

static void
test_refuses_no_threads(void **state)
{
	(void)state;
	assert_null(workq_start(0));
	assert_null(workq_start(-3));
	workq_stop(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_each_item_once),
		cmocka_unit_test(test_fifo_with_one_thread),
		cmocka_unit_test(test_refuses_no_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
