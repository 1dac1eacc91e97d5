/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * `passeur spool retry ID | retry --all | drop ID`: the changes a person
 * asks of the items of a spool, and how the request reaches the daemon
 * that owns the spool.
 *
 * The daemon holds the spool's lock (SPOOL_LOCK) for its whole life and
 * alone changes its items.  With the lock free, the command takes it and
 * applies the request itself (spool_ctl_apply()).  With the lock held,
 * the command writes the request into <spool>/ctl/<name>.req (temporary
 * name, rename) and waits for <name>.ans; the daemon's deliverer reads
 * ctl/ a few times a second (spool_ctl_serve()), removes the request,
 * applies it with hooks that keep its window and counts right, and
 * writes the answer: its first line the exit status, then the message.
 *
 * Threads: spool_ctl_serve() from the deliverer's thread only (the hooks
 * run there); the rest from the command's only thread.  Ownership: the
 * caller owns every buffer and FILE it passes.
 */
#ifndef PASSEUR_PROXY_SPOOL_CTL_H
#define PASSEUR_PROXY_SPOOL_CTL_H

#include <stdio.h>

#include "proxy/spool.h"

/* How long the command waits for the daemon's answer. */
#define SPOOL_CTL_WAIT_MS	10000
/* Exit status of a command whose daemon did not answer in time. */
#define SPOOL_CTL_NO_ANSWER	3

enum spool_ctl_verb { SPOOL_CTL_RETRY, SPOOL_CTL_DROP };

struct spool_ctl_req {
	enum spool_ctl_verb	verb;
	int			all;	/* retry --all */
	char			id[SPOOL_ID_LEN + 1];
};

/*
 * What the daemon does around a change of a waiting item.  claim(): the
 * item is about to change; ERR_EXISTS when an attempt of it runs (it is
 * left alone), else 0 and no attempt starts until release().  release():
 * it is the item as it is now (due now, or back from failed/), or NULL
 * when unchanged; gone: it was dropped.
 */
struct spool_ctl_hooks {
	int	(*claim)(void *arg, const char *id);
	void	(*release)(void *arg, const char *id,
		    const struct spool_item *it, int gone);
	void	*arg;
};

/*
 * Parses "retry ID", "retry --all" or "drop ID" (one line).  ERR_FORMAT
 * for anything else, an id that is not 16 hexadecimal digits included.
 */
int	spool_ctl_parse(const char *text, struct spool_ctl_req *req);

/*
 * Applies req to the spool: the message for the person goes to out, one
 * line per item (for retry --all, one line per item back from failed/
 * and a total); with logs, each of those lines goes to the log too.
 * hooks may be NULL (no daemon).  Returns 0, ERR_NOT_FOUND for an
 * unknown id, ERR_EXISTS for an item whose attempt runs (drop), or
 * another code when the folder fails (the message says why).
 */
int	spool_ctl_apply(struct spool *sp, const struct spool_ctl_req *req,
	    const struct spool_ctl_hooks *hooks, FILE *out, int logs);

/* The exit status of the command for a result of spool_ctl_apply(). */
int	spool_ctl_status(int r);

/*
 * The daemon's side: applies the requests waiting in ctl/ (a few at a
 * time) and writes their answers; answers nobody fetched are removed
 * after a minute.  Never fails: what goes wrong is logged.
 */
void	spool_ctl_serve(struct spool *sp, const struct spool_ctl_hooks *hooks);

/*
 * The command's side: runs req on the spool folder dir, itself when it
 * gets the lock, through the daemon otherwise, waiting at most
 * SPOOL_CTL_WAIT_MS.  The message goes to stdout (stderr for a failure);
 * returns the exit status (SPOOL_CTL_NO_ANSWER when the daemon did not
 * answer).
 */
int	spool_ctl_run(struct spool *sp, const struct spool_ctl_req *req);

#endif
