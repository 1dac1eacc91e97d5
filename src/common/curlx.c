#include <dlfcn.h>
#include <pthread.h>
#include <stddef.h>

#include "common/curlx.h"

static const char *const libraries[] = {
	"libcurl-gnutls.so.4",	/* the flavour Passeur is built against */
	"libcurl.so.4",
};

static struct curlx	 api;
static const char	*load_error;
static int		 loaded;
static pthread_once_t	 once = PTHREAD_ONCE_INIT;

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
		load_error = dlerror();
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
		load_error = "libcurl lacks a function Passeur needs";
		return;
	}
	if (global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		load_error = "libcurl failed to initialise";
		return;
	}
	loaded = 1;
}

const struct curlx *
curlx_load(const char **whyp)
{
	pthread_once(&once, load);
	if (!loaded) {
		if (whyp != NULL)
			*whyp = load_error != NULL ? load_error :
			    "libcurl could not be loaded";
		return NULL;
	}
	return &api;
}
