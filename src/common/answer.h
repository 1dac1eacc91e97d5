/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Reading the answers of a GLPI server or a proxy: the "status" and
 * "expiration" of a JSON answer (JPC), and the ERROR of a legacy XML
 * REPLY.
 */
#ifndef PASSEUR_COMMON_ANSWER_H
#define PASSEUR_COMMON_ANSWER_H

#include <stddef.h>

/*
 * Seconds of an expiration text: "^\d+[smhd]?$", no unit meaning hours.
 * Returns ERR_FORMAT when the text does not follow that grammar.
 */
long	answer_expiration_seconds(const char *text);

/*
 * Reads a JSON answer: its "status" into status ("" when absent or not
 * JSON), its "message" into message ("" when absent; message may be
 * NULL), and its expiration in seconds into *expirationp (-1 when absent
 * or unreadable; a number is hours).  Returns 0, or ERR_FORMAT when the
 * body is not a JSON object.
 */
int	answer_json(const void *body, size_t len, char *status,
	    size_t statuslen, char *message, size_t messagelen,
	    long *expirationp);

/*
 * A one-line account of an answer body for the log, in out (at most
 * outlen - 1 bytes, "..." marking a cut; outlen at least 4): a JSON value
 * printed again compactly and in ASCII, so that neither a pretty-printed
 * answer nor a byte of the peer's can split or forge a log line;
 * otherwise the start of the body with every byte outside printable
 * ASCII, and the backslash, written as \xHH; "" for an empty body.
 * Returns 1 when the body is JSON, 0 when it is not or is empty.
 */
int	answer_summary(const void *body, size_t len, char *out,
	    size_t outlen);

/*
 * When to ask again for an answer that is "pending": after 0.1, 0.2,
 * 0.4... seconds, never more than the expiration announced (clamped to
 * 1..60 s) between two polls, and never longer in all than twelve times
 * that expiration (the agent's patience) nor more than 40 polls.  A proxy
 * usually has the answer within milliseconds; a chain or a backlog must
 * not wait seconds for each message.
 */
struct answer_poll {
	long	step_ms, waited_ms;
	int	tries;
};

#define ANSWER_POLL_INIT	{ 100, 0, 0 }

/*
 * Milliseconds to sleep before the next poll, given the expiration of the
 * last pending answer in seconds (-1 when it had none), or ERR_TIMEOUT
 * when it is time to give up.
 */
long	answer_poll_next(struct answer_poll *ap, long expiration);

#endif
