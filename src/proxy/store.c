/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "common/fsx.h"
#include "proxy/store.h"

int
store_save(const char *dir, const char *id, const char *suffix,
    const void *data, size_t len)
{
	char	name[STORE_NAME_MAX + 1];
	int	r;

	if (!fsx_name_ok(id, strlen(id)))
		return ERR_UNSAFE;
	/*
	 * A long id with a long action would make a temporary name over
	 * NAME_MAX: refused here, before the system says ENAMETOOLONG and
	 * the agent, answered 500, retries forever.
	 */
	if ((size_t)snprintf(name, sizeof(name), "%s%s", id, suffix) >=
	    sizeof(name))
		return ERR_TOO_BIG;
	/*
	 * A file system may take shorter names (eCryptfs: 143 bytes):
	 * nothing was created, and the answer is the same.
	 */
	r = fsx_write_atomic(dir, name, data, len, 0640);
	return r == ERR_SYSTEM && errno == ENAMETOOLONG ? ERR_TOO_BIG : r;
}
