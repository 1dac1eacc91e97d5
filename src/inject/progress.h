/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What an injection shows while it runs: on a terminal, one status line
 * redrawn in place (files, bytes, rate, time left); elsewhere, a plain
 * line now and then.  Lines about single files are printed above it, by
 * any thread.
 */
#ifndef PASSEUR_INJECT_PROGRESS_H
#define PASSEUR_INJECT_PROGRESS_H

#include <stdio.h>
#include <sys/types.h>

struct progress;

/* Tracks files files of bytes bytes, drawing on out (a terminal or not). */
struct progress	*progress_new(FILE *out, size_t files, off_t bytes);

/* One file done (sent or not), with its size; any thread. */
void	progress_done(struct progress *pr, off_t size, int sent);

/* One file skipped (a control message: neither sent nor failed). */
void	progress_skipped(struct progress *pr, off_t size);

/* Prints a line to fp (stdout or stderr) above the bar; any thread. */
void	progress_say(struct progress *pr, FILE *fp, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

/* Redraws when it is time to; called by the waiting thread. */
void	progress_tick(struct progress *pr);

/*
 * Clears the bar and prints the summary line to out (of a dry run: files
 * checked, not sent); skipped is added to the files skipped here; frees
 * pr.
 */
void	progress_end(struct progress *pr, size_t skipped, int dry_run);

#endif
