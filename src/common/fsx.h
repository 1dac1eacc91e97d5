/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * File system helpers that keep data safe and names inside their folder.
 *
 * fsx_name_ok() is the single gate through which a device id may become a
 * file name: it accepts readable UTF-8 (non-ASCII letters included) and
 * refuses anything that could leave the folder or hide in it.
 * fsx_write_atomic() writes to a temporary name, fsyncs, renames over the
 * target and fsyncs the folder: a reader sees the old file or the new one,
 * never a mix, and an acknowledged write survives a crash.
 */
#ifndef PASSEUR_FSX_H
#define PASSEUR_FSX_H

#include <stddef.h>

#define FSX_NAME_MAX	200	/* bytes of a device id used as a name */

/* 1 when id (len bytes) may be used as a file name stem, else 0. */
int	fsx_name_ok(const char *id, size_t len);
/* 1 when s (len bytes) is well-formed UTF-8 (no overlongs, surrogates). */
int	fsx_utf8_ok(const char *s, size_t len);

/* Atomically replaces dir/name with data. */
/* Writes all of p to fd, again after EINTR; ERR_SYSTEM with errno set. */
int	fsx_write_all(int fd, const char *p, size_t len);
int	fsx_write_atomic(const char *dir, const char *name, const void *data,
	    size_t len, int mode);

/*
 * Returns path as read from folder dir: path itself when absolute, else
 * dir/path (caller frees).  NULL when out of memory.
 */
char	*fsx_path_in(const char *dir, const char *path);

/* 1 when path is an existing directory. */
int	fsx_is_dir(const char *path);

#endif
