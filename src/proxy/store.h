/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The local store: one file per device, replaced atomically.
 *
 * store_save() turns a device id into a file name through fsx_name_ok()
 * only, so no id can leave the folder, and writes with fsx_write_atomic():
 * concurrent posts of one device never mix, and a stored file is on disk
 * (fsync'd) before the agent is answered.
 */
#ifndef PASSEUR_PROXY_STORE_H
#define PASSEUR_PROXY_STORE_H

#include <stddef.h>

/*
 * The longest <id><suffix> that can be stored: fsx_write_atomic() first
 * writes ".<name>.<8 random characters>.tmp", which must fit in NAME_MAX
 * (255) bytes: 14 bytes of decoration.
 */
#define STORE_NAME_MAX	(255 - 14)

/*
 * Writes <id><suffix> into name (namelen bytes): ERR_UNSAFE when id
 * cannot be a file name, ERR_TOO_BIG when the name is longer than
 * STORE_NAME_MAX.  No I/O: a branch that keeps an inventory elsewhere
 * first (the spool) refuses a bad id before it does.
 */
int	store_name(char *name, size_t namelen, const char *id,
	    const char *suffix);

/*
 * Saves data as <dir>/<id><suffix>.  ERR_UNSAFE when id cannot be a file
 * name, ERR_TOO_BIG when <id><suffix> is longer than STORE_NAME_MAX (both
 * checked before any I/O: the agent's fault, it must not retry) or than
 * the file system takes (ENAMETOOLONG, nothing created), ERR_SYSTEM (errno
 * set) when the write fails.
 */
int	store_save(const char *dir, const char *id, const char *suffix,
	    const void *data, size_t len);

/*
 * Makes sure the store folder dir exists before a message is kept: when
 * it was removed under the running daemon, it is made again (this level
 * only: a missing parent is not guessed at) with the mode and owner it
 * had when last seen, and "local_store <dir> was missing: recreated" is
 * logged.  Returns 0, or ERR_SYSTEM (errno set) when it cannot be made or
 * is not a folder; that is logged once until it works again.  Called by
 * workers of every branch, JSON and XML alike; locks a mutex of its own.
 */
int	store_ready(const char *dir);

/*
 * Removes the temporary files a crash left in the store folder dir (those
 * of fsx_write_atomic(): ".<name>.<8 characters>.tmp"), one log line
 * each.  At start-up, before any request.
 */
void	store_clean(const char *dir);

#endif
