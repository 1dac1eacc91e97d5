/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The folders `passeur serve` writes to (the state folder and every
 * local_store), the lock that gives a state folder to one instance, and
 * the pid file.
 *
 * Called by the main thread only, at start-up and on a reload, before any
 * other thread exists for the functions that fork.  Messages are written
 * into caller buffers (why, whylen); the caller reports them.
 */
#ifndef PASSEUR_PROXY_STATEDIR_H
#define PASSEUR_PROXY_STATEDIR_H

#include <stddef.h>
#include <sys/types.h>

struct passwd;

/*
 * Checks, without changing anything, that path is a folder this process
 * can write in, or one it can create (its nearest existing parent is a
 * folder it can write in).  Returns 0, or ERR_INVALID with the reason.
 */
int	statedir_check(const char *path, char *why, size_t whylen);

/*
 * Creates path and its missing parents (mode 0750); when pw is not NULL,
 * the folders created are given to that user and its group.  Returns 0,
 * or ERR_SYSTEM with the reason.
 */
int	statedir_make(const char *path, const struct passwd *pw, char *why,
	    size_t whylen);

/*
 * Checks as user pw (a child process that becomes that user) that each
 * of the n paths can be written in, or, when it does not exist yet, that
 * its nearest existing parent can be searched.  Returns 0, or
 * ERR_INVALID with *failed the index of the first path that cannot, and
 * the reason.  For root only (it changes user).
 */
int	statedir_check_as(const struct passwd *pw, const char *const *paths,
	    int n, int *failed, char *why, size_t whylen);

/* The lock file of a state folder. */
#define STATEDIR_LOCK	"passeur.lock"

/*
 * Locks a folder for this process: an exclusive flock(2) on dir/name
 * (made when missing), which holds the pid of the holder.  *fdp gets the
 * descriptor, to keep open as long as the lock is held (close-on-exec).
 * Returns 0; ERR_EXISTS when another process holds it, its pid in
 * *holder (0 when unknown); ERR_SYSTEM with the reason.  Also called by
 * `passeur spool` on a spool folder, from its only thread.
 */
int	statedir_lock(const char *dir, const char *name, int *fdp,
	    long *holder, char *why, size_t whylen);

/* Writes this process's pid into path (mode 0644), atomically. */
int	statedir_pidfile_write(const char *path, char *why, size_t whylen);

#endif
