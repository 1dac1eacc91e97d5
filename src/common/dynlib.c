/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <dlfcn.h>
#include <stdio.h>

#include "common/err.h"
#include "common/dynlib.h"

void *
dynlib_open(const char *const *names, size_t n, char *why, size_t whylen)
{
	void	*lib = NULL;
	size_t	 i;

	for (i = 0; lib == NULL && i < n; i++)
		lib = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
	if (lib == NULL)
		snprintf(why, whylen, "%s", dlerror());
	return lib;
}

int
dynlib_sym(void *lib, const char *name, void *slot)
{
	void *fn;

	if ((fn = dlsym(lib, name)) == NULL)
		return ERR_NOT_FOUND;
	/* POSIX guarantees object and function pointers convert. */
	*(void **)slot = fn;
	return 0;
}

void
dynlib_close(void *lib)
{
	dlclose(lib);
}
