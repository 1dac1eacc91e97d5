/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * libcurl, loaded when first needed.
 *
 * One binary serves every subcommand, and a proxy that only stores never
 * sends a request: linking libcurl (and the TLS, Kerberos, LDAP and SSH
 * libraries it pulls in) would cost such a daemon more memory than all
 * of its own work.  curlx_load() opens the library once and returns the
 * table of the functions Passeur calls; the table lives until exit.
 */
#ifndef PASSEUR_CURLX_H
#define PASSEUR_CURLX_H

#include <curl/curl.h>

struct curlx {
	CURL			*(*easy_init)(void);
	CURLcode		 (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode		 (*easy_perform)(CURL *);
	CURLcode		 (*easy_getinfo)(CURL *, CURLINFO, ...);
	void			 (*easy_reset)(CURL *);
	void			 (*easy_cleanup)(CURL *);
	const char		*(*easy_strerror)(CURLcode);
	struct curl_slist	*(*slist_append)(struct curl_slist *,
				    const char *);
	void			 (*slist_free_all)(struct curl_slist *);
};

/*
 * Loads libcurl (the GnuTLS build, else the default one) and initialises
 * it, once; a failed load is tried again by the next call.  Returns the
 * table, or NULL with a reason in *whyp (static).  Thread-safe.
 */
const struct curlx	*curlx_load(const char **whyp);

#endif
