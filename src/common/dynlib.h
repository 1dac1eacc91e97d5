/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Libraries opened when first needed (libcurl, MariaDB Connector/C): a
 * daemon that never uses them does not map them.
 */
#ifndef PASSEUR_COMMON_DYNLIB_H
#define PASSEUR_COMMON_DYNLIB_H

#include <stddef.h>

/*
 * Opens the first of the n library names that loads (RTLD_NOW, local).
 * Returns its handle, or NULL with dlerror()'s text in why.
 */
void	*dynlib_open(const char *const *names, size_t n, char *why,
	    size_t whylen);

/* Closes a library none of whose functions is in use any more. */
void	 dynlib_close(void *lib);

/* Resolves name into *slot (a function pointer); 0, or ERR_NOT_FOUND. */
int	 dynlib_sym(void *lib, const char *name, void *slot);

#endif
