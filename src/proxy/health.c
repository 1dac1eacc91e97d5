/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/statvfs.h>

#include "common/err.h"
#include "proxy/deliver.h"
#include "proxy/health.h"
#include "proxy/statedir.h"

/*
 * A full file system fails every atomic write (the temporary file
 * cannot grow): no free block or no free inode is a failure now, before
 * an agent is answered 500.  A store folder that is missing is measured
 * at its parent, where the request path would make it again.
 */
static int
space_left(const char *dir, char *why, size_t whylen)
{
	struct statvfs	 vfs;
	char		 parent[4096];
	char		*slash;

	if (statvfs(dir, &vfs) == -1) {
		if (errno != ENOENT ||
		    (size_t)snprintf(parent, sizeof(parent), "%s", dir) >=
		    sizeof(parent) || (slash = strrchr(parent, '/')) == NULL)
			return 0;	/* statedir_check() said the rest */
		slash[slash == parent] = '\0';
		if (statvfs(parent, &vfs) == -1)
			return 0;
	}
	if (vfs.f_bavail == 0) {
		snprintf(why, whylen, "no space left on the file system of %s",
		    dir);
		return ERR_INVALID;
	}
	if (vfs.f_files > 0 && vfs.f_favail == 0) {
		snprintf(why, whylen, "no inode left on the file system of %s",
		    dir);
		return ERR_INVALID;
	}
	return 0;
}

int
health_check(const struct serve_conf *c, struct deliver *d, char *why,
    size_t whylen)
{
	const struct instance_conf	*ic;
	char				 reason[1024];
	int				 i;

	if (whylen > 0)
		why[0] = '\0';
	for (i = 0; i < CONF_NINSTANCES; i++) {
		ic = &c->inst[i];
		if (ic->disabled || ic->local_store[0] == '\0')
			continue;
		if (statedir_check(ic->local_store, reason,
		    sizeof(reason)) != 0) {
			snprintf(why, whylen, "%s: local_store %s: %s",
			    ic->name, ic->local_store, reason);
			return ERR_INVALID;
		}
		if (space_left(ic->local_store, reason, sizeof(reason)) != 0) {
			snprintf(why, whylen, "%s: local_store: %s", ic->name,
			    reason);
			return ERR_INVALID;
		}
	}
	if (d != NULL && deliver_check(d, why, whylen) != 0)
		return ERR_INVALID;
	return 0;
}
