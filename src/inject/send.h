/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Sending a payload and reading the verdict, as glpi-injector does, with
 * one difference: an answer "pending" from a proxy is polled with its
 * GLPI-Request-ID until the first final answer, which is the verdict.
 */
#ifndef PASSEUR_INJECT_SEND_H
#define PASSEUR_INJECT_SEND_H

#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>

#include "common/httpc.h"
#include "inject/inject.h"
#include "inject/payload.h"

struct sender {
	struct httpc		 h;
	struct httpc_conf	 conf;
	const struct inject_opts *o;
	/* Where --debug writes the exchanges (locked by the caller's hook). */
	void			(*say)(void *, const char *, ...)
				    __attribute__((format(printf, 2, 3)));
	void			*say_arg;
	/* When set and non-zero, the run is stopping: no more waiting. */
	const atomic_int *stop;
};

/* Ready for o, on the calling thread's libcurl handle. */
void	sender_init(struct sender *s, const struct curlx *cx, CURL *c,
	    const struct inject_opts *o);

/*
 * Sends p to o->url.  Returns 0 when the server accepted it; else the
 * reason in why (the HTTP status and the server's message when there
 * was an answer) and ERR_TRANSPORT (no answer), ERR_PEER (refused),
 * ERR_TIMEOUT (still pending, or a Retry-After past o->timeout) or
 * ERR_CANCELLED (s->stop).
 *
 * With --oauth-client-id every request carries the OAuth token, renewed
 * before it expires and once after a 401.
 *
 * An answer 429 or 503 with Retry-After is not a verdict: the request is
 * made again after that many seconds (at least 1), for as long as the
 * waits fit in o->timeout seconds from the first request of p; a
 * Retry-After past that, or the run stopping (s->stop), fails p.
 */
int	send_payload(struct sender *s, const struct payload *p, char *why,
	    size_t whylen);

/*
 * The Authorization header for o->url, into out: "Bearer <token>" with
 * --oauth-client-id (a cached token, or a new one when it is about to
 * expire or when refused is the value a 401 answered), "" without.
 * Returns 0, or oauth_authorization()'s ERR_* with "no OAuth access
 * token: <why>" in why.
 */
int	send_authorization(struct sender *s, const char *refused, char *out,
	    size_t outlen, char *why, size_t whylen);

/* url without its user:password part, for messages. */
void	send_url_shown(const char *url, char *out, size_t outlen);

#endif
