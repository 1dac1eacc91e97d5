/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>

#include "common/curlx.h"
#include "common/dynlib.h"

static const char *const libraries[] = {
	"libcurl-gnutls.so.4",	/* the flavour Passeur is built against */
	"libcurl.so.4",
};

static struct curlx	 api;
static char		 load_error[256];
static int		 loaded;
static pthread_mutex_t	 lock = PTHREAD_MUTEX_INITIALIZER;

static void
load(void)
{
	CURLcode	(*global_init)(long);
	void		*lib;

	if ((lib = dynlib_open(libraries, sizeof(libraries) /
	    sizeof(libraries[0]), load_error, sizeof(load_error))) == NULL)
		return;
	if (dynlib_sym(lib, "curl_global_init", &global_init) != 0 ||
	    dynlib_sym(lib, "curl_easy_init", &api.easy_init) != 0 ||
	    dynlib_sym(lib, "curl_easy_setopt", &api.easy_setopt) != 0 ||
	    dynlib_sym(lib, "curl_easy_perform", &api.easy_perform) != 0 ||
	    dynlib_sym(lib, "curl_easy_getinfo", &api.easy_getinfo) != 0 ||
	    dynlib_sym(lib, "curl_easy_reset", &api.easy_reset) != 0 ||
	    dynlib_sym(lib, "curl_easy_cleanup", &api.easy_cleanup) != 0 ||
	    dynlib_sym(lib, "curl_easy_strerror", &api.easy_strerror) != 0 ||
	    dynlib_sym(lib, "curl_slist_append", &api.slist_append) != 0 ||
	    dynlib_sym(lib, "curl_slist_free_all", &api.slist_free_all) != 0) {
		snprintf(load_error, sizeof(load_error), "libcurl lacks a "
		    "function Passeur needs");
		dynlib_close(lib);
		return;
	}
	if (global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		snprintf(load_error, sizeof(load_error), "libcurl failed to "
		    "initialise");
		dynlib_close(lib);
		return;
	}
	loaded = 1;
}

const struct curlx *
curlx_load(const char **whyp)
{
	const struct curlx *r = &api;

	/* A failed load is tried again: the library may be installed since. */
	pthread_mutex_lock(&lock);
	if (!loaded)
		load();
	if (!loaded) {
		if (whyp != NULL)
			*whyp = load_error;
		r = NULL;
	}
	pthread_mutex_unlock(&lock);
	return r;
}
