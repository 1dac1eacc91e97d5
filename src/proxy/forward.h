/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The forwarder: sends received messages to every `server` target.
 *
 * A pool of worker threads, each with its own libcurl handle (so
 * connections to upstream are reused), takes jobs from a bounded queue.
 * A JSON job carries GLPI-Agent-ID and the GLPI-Proxy-ID chain, follows an
 * upstream that answers "pending" by polling it with its GLPI-Request-ID
 * until it gives a final answer (so chains of proxies work), and stops at
 * the first target that fails.  A target that answers 429 or 503 with
 * Retry-After is busy, not failing: it is asked again after that delay,
 * while the waits fit in the agent's timeout.  An XML job is the legacy
 * OCS post, with
 * the GLPI-Proxy-ID chain too, so that a loop of proxies is refused for
 * XML as for JSON.
 *
 * A job that fails is logged here, once, on one line that names the
 * target and says why (transport error, refusal, loop, an error answer
 * condensed by answer_summary()); the done callback logs nothing more
 * about the failure.
 *
 * HTTPS upstreams are checked as the agent checks them, from agent.cfg:
 * ca-cert-file and ca-cert-dir (instead of the system's CAs), ssl-cert-file
 * (client certificate), ssl-fingerprint (certificates accepted without a
 * CA), no-ssl-check; proxy, or else the *_proxy environment variables.  A
 * refused certificate fails the target before any byte of the request is
 * sent, and its log line names the server and the reason.
 *
 * A failure says whether the target is unreachable or not answering
 * now (no answer, a timeout, 5xx, 408, 429, an upstream still pending),
 * which may pass, or refused the message (another 4xx, an error answer,
 * a redirection), which the agent must hear of: job->unreachable.
 *
 * Ownership: forward_submit() takes the job; the done callback runs on a
 * worker thread exactly once and then the job belongs to the callback,
 * which frees it with forward_job_free().  If forward_submit() fails, the
 * callback never runs and the caller keeps the job.
 */
#ifndef PASSEUR_PROXY_FORWARD_H
#define PASSEUR_PROXY_FORWARD_H

#include <stddef.h>
#include <time.h>

#include "common/uuid.h"

struct proxy;
struct forwarder;

enum forward_kind { FORWARD_JSON, FORWARD_XML };

struct forward_job;
typedef void (*forward_done_cb)(struct forward_job *job);
/*
 * Called on the worker thread with the final JSON answer (200, not
 * pending) of each target that accepted the message, before the next
 * target is tried; body is the answer as received, len bytes.
 */
typedef void (*forward_answer_cb)(struct forward_job *job, int target,
    const char *body, size_t len);

struct forward_job {
	struct forward_job	*next;
	struct proxy		*px;
	enum forward_kind	 kind;
	char			*body;		/* decoded, as received */
	int			 zlib;		/* body is the agent's zlib */
	size_t			 len;
	char			 agentid[UUID_STRLEN + 1];
	char			 reqid[REQID_STRLEN + 1];
	char			*proxy_ids;	/* chain to send, ours last */
	char			*user_agent;
	struct timespec		 started;
	char			*kept;		/* path in local_store, or NULL */
	forward_done_cb		 done;
	forward_answer_cb	 answered;	/* or NULL */
	void			*arg;
	int			 first_target;	/* servers before it have it */

	/* Result, set before done() runs. */
	int			 ok;		/* every target accepted */
	int			 failed_target;	/* index when !ok */
	long			 failed_http;	/* its HTTP status, 0 if none */
	long			 retry_after;	/* its Retry-After, -1 if none */
	int			 unreachable;	/* it failed by an outage */
	int			 status;	/* HTTP status for the agent */
	char			 reason[768];	/* why failed_target failed */
	char			*answer;	/* JSON answer of the last target */
	size_t			 answer_len;
};

struct forwarder	*forwarder_new(int max_workers, int max_queue);
/*
 * Makes every queued and running job fail at once (transfers and polls
 * are interrupted); their callbacks still run.  New jobs are refused.
 */
void			 forwarder_cancel(struct forwarder *f);
/* Waits up to grace seconds for queued jobs, then stops the workers. */
void			 forwarder_free(struct forwarder *f, int grace);

/* Copies body; ERR_TOO_BIG when the queue is full. */
int	forward_job_new(struct forward_job **jobp, struct proxy *px,
	    enum forward_kind kind, const char *body, size_t len,
	    const char *agentid, const char *proxy_ids,
	    const char *user_agent);
void	forward_job_free(struct forward_job *job);
int	forward_submit(struct forwarder *f, struct forward_job *job,
	    forward_done_cb done, void *arg);


#endif
