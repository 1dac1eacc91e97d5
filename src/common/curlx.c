#include <dlfcn.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>

#include "common/curlx.h"

static const char *const libraries[] = {
	"libcurl-gnutls.so.4",	/* the flavour Passeur is built against */
	"libcurl.so.4",
};

static struct curlx	 api;
static char		 load_error[256];
static int		 loaded;
static pthread_mutex_t	 lock = PTHREAD_MUTEX_INITIALIZER;

/* Resolves name into *slot; 0 on success. */
static int
resolve(void *lib, const char *name, void *slot)
{
	void *fn;

	if ((fn = dlsym(lib, name)) == NULL)
		return -1;
	/* POSIX guarantees object and function pointers convert. */
	*(void **)slot = fn;
	return 0;
}

static void
load(void)
{
	CURLcode	(*global_init)(long);
	void		*lib = NULL;
	size_t		 i;

	for (i = 0; lib == NULL && i < sizeof(libraries) /
	    sizeof(libraries[0]); i++)
		lib = dlopen(libraries[i], RTLD_NOW | RTLD_LOCAL);
	if (lib == NULL) {
		snprintf(load_error, sizeof(load_error), "%s", dlerror());
		return;
	}
	if (resolve(lib, "curl_global_init", &global_init) != 0 ||
	    resolve(lib, "curl_easy_init", &api.easy_init) != 0 ||
	    resolve(lib, "curl_easy_setopt", &api.easy_setopt) != 0 ||
	    resolve(lib, "curl_easy_perform", &api.easy_perform) != 0 ||
	    resolve(lib, "curl_easy_getinfo", &api.easy_getinfo) != 0 ||
	    resolve(lib, "curl_easy_reset", &api.easy_reset) != 0 ||
	    resolve(lib, "curl_easy_cleanup", &api.easy_cleanup) != 0 ||
	    resolve(lib, "curl_easy_strerror", &api.easy_strerror) != 0 ||
	    resolve(lib, "curl_slist_append", &api.slist_append) != 0 ||
	    resolve(lib, "curl_slist_free_all", &api.slist_free_all) != 0) {
		snprintf(load_error, sizeof(load_error), "libcurl lacks a "
		    "function Passeur needs");
		dlclose(lib);
		return;
	}
	if (global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		snprintf(load_error, sizeof(load_error), "libcurl failed to "
		    "initialise");
		dlclose(lib);
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
