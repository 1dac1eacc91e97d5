/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The files an injection sends: one named file, or the inventories of a
 * folder (and of its sub-folders with -R), as glpi-injector picks them:
 * entries in byte order, names ending in .data, .json, .ocs or .xml
 * (case counts), other files counted as skipped.
 */
#ifndef PASSEUR_INJECT_COLLECT_H
#define PASSEUR_INJECT_COLLECT_H

#include <stddef.h>
#include <sys/types.h>

struct item {
	char	*path;		/* as given or joined; "STDIN DATA" for stdin */
	off_t	 size;		/* bytes on disk when collected */
};

struct items {
	struct item	*v;
	size_t		 n, cap;
	size_t		 skipped;	/* files with another suffix */
	off_t		 bytes;		/* sum of the sizes */
};

/* True when name has a suffix glpi-injector sends from a folder. */
int	collect_wanted(const char *name);

/*
 * Appends the inventories of dir (recursively when recursive) to *it.
 * A folder that cannot be read stops the walk: returns a negative ERR_*
 * with a sentence in why.  A folder reached again through a symbolic link (to
 * an ancestor, or to a folder walked already) is not walked twice.
 */
int	collect_dir(struct items *it, const char *dir, int recursive,
	    char *why, size_t whylen);

/*
 * Appends one path (any suffix), with its size when it can be read.
 * Returns 0 or ERR_NOMEM.
 */
int	collect_add(struct items *it, const char *path, off_t size);

void	collect_free(struct items *it);

#endif
