/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <pthread.h>
#include <stdlib.h>

#include "common/workq.h"

struct workq {
	pthread_mutex_t		 lock;
	pthread_cond_t		 more;
	struct workq_item	*head, **tail;
	int			 stopping;
	int			 nthreads;
	pthread_t		*threads;
};

static void *
worker(void *arg)
{
	struct workq		*q = arg;
	struct workq_item	*it;

	pthread_mutex_lock(&q->lock);
	for (;;) {
		while (q->head == NULL && !q->stopping)
			pthread_cond_wait(&q->more, &q->lock);
		if ((it = q->head) == NULL)
			break;
		if ((q->head = it->next) == NULL)
			q->tail = &q->head;
		pthread_mutex_unlock(&q->lock);
		it->run(it);
		pthread_mutex_lock(&q->lock);
	}
	pthread_mutex_unlock(&q->lock);
	return NULL;
}

struct workq *
workq_start(int nthreads)
{
	struct workq	*q;

	if (nthreads < 1 || (q = calloc(1, sizeof(*q))) == NULL)
		return NULL;
	if ((q->threads = calloc((size_t)nthreads, sizeof(pthread_t))) ==
	    NULL) {
		free(q);
		return NULL;
	}
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->more, NULL);
	q->tail = &q->head;
	for (; q->nthreads < nthreads; q->nthreads++)
		if (pthread_create(&q->threads[q->nthreads], NULL, worker, q)
		    != 0) {
			workq_stop(q);
			return NULL;
		}
	return q;
}

void
workq_push(struct workq *q, struct workq_item *it)
{
	it->next = NULL;
	pthread_mutex_lock(&q->lock);
	*q->tail = it;
	q->tail = &it->next;
	pthread_cond_signal(&q->more);
	pthread_mutex_unlock(&q->lock);
}

void
workq_stop(struct workq *q)
{
	int i;

	if (q == NULL)
		return;
	pthread_mutex_lock(&q->lock);
	q->stopping = 1;
	pthread_cond_broadcast(&q->more);
	pthread_mutex_unlock(&q->lock);
	for (i = 0; i < q->nthreads; i++)
		pthread_join(q->threads[i], NULL);
	pthread_cond_destroy(&q->more);
	pthread_mutex_destroy(&q->lock);
	free(q->threads);
	free(q);
}
