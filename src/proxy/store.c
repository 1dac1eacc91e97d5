/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "common/fsx.h"
#include "proxy/store.h"

int
store_save(const char *dir, const char *id, const char *suffix,
    const void *data, size_t len)
{
	char	name[FSX_NAME_MAX + 64];

	if (!fsx_name_ok(id, strlen(id)) ||
	    (size_t)snprintf(name, sizeof(name), "%s%s", id, suffix) >=
	    sizeof(name))
		return ERR_UNSAFE;
	return fsx_write_atomic(dir, name, data, len, 0640);
}
