/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * One HTTP exchange with a GLPI server or a proxy, as the agent's client
 * makes it: POST or GET, Pragma: no-cache, credentials on 401, a proxy
 * or the environment's, and TLS
 * with the agent's keys (ca-cert-file, ca-cert-dir, ssl-cert-file,
 * no-ssl-check, ssl-fingerprint).  Answers of type application/x-* that
 * are compressed are inflated.  Unlike the agent's client, it follows no
 * redirect: a 3xx is an answer, its target in httpc_answer.location (a
 * redirect would re-post an inventory to any host it names).  Header
 * lines are sent whole, up to HTTPC_HEADER_MAX bytes each, or the
 * exchange is refused.
 *
 * Used by the proxy's forwarder and by the injector; each thread has its
 * own struct httpc (one libcurl handle, connections kept between calls).
 */
#ifndef PASSEUR_COMMON_HTTPC_H
#define PASSEUR_COMMON_HTTPC_H

#include <stddef.h>

#include "common/buf.h"
#include "common/curlx.h"
#include "common/fingerprint.h"
#include "common/uuid.h"

#define HTTPC_ANSWER_MAX	(16 * 1024 * 1024)	/* answer ceiling */
/*
 * Ceiling of one request header line.  A GLPI-Proxy-ID chain at the
 * largest max_pass_through (1000 ids of 37 bytes) takes 37 KB.
 */
#define HTTPC_HEADER_MAX	(64 * 1024)

/* The settings of a client; strings are caller storage, "" = unset. */
struct httpc_conf {
	long				 timeout;	/* seconds, whole exchange */
	const char			*proxy;		/* "" = environment */
	const char			*user, *password;
	const char			*ca_cert_file, *ca_cert_dir;
	const char			*ssl_cert_file;	/* client certificate */
	const char			*ssl_key_file;	/* "" = in the cert file */
	int				 no_ssl_check;
	const struct fingerprints	*pins;		/* NULL = none */
};

struct httpc {
	const struct curlx	*cx;
	CURL			*c;
	const struct httpc_conf	*conf;
	int			 cert_has_key;	/* ssl_cert_file holds its key */
	/* When set, a transfer stops as soon as it returns non-zero. */
	int			(*cancelled)(void *);
	void			*cancel_arg;
};

struct httpc_request {
	const char		*url;
	const char		*ctype;		/* of body */
	const void		*body;		/* NULL: a GET */
	size_t			 len;
	const char		*user_agent;
	/* Further headers: name, value, ..., NULL; empty values skipped. */
	const char *const	*headers;
	/* Another method (PUT, DELETE...); NULL: POST with a body, else GET. */
	const char		*method;
};

struct httpc_answer {
	long		 status;		/* HTTP status */
	char		 reason[64];		/* its reason phrase */
	struct buf	 body;			/* inflated when it was compressed */
	char		 ctype[128];
	char		 reqid[REQID_STRLEN + 1];	/* GLPI-Request-ID, or "" */
	/* GLPI-Proxy-ID when it holds one id (a proxy refusing a loop). */
	char		 proxy_id[UUID_STRLEN + 1];
	long		 retry_after;	/* Retry-After in seconds, -1 if none */
	/* The absolute target of a 3xx (not followed), as sent; or "". */
	char		 location[1024];
	char		 content_range[96];	/* Content-Range, or "" */
	/* The connection closed before the announced end of the body. */
	int		 truncated;
	int		 too_big;	/* over HTTPC_ANSWER_MAX: cut off */
	char		 error[CURL_ERROR_SIZE + 512];
};

/*
 * Makes h ready for conf (kept by pointer), on the libcurl handle c of
 * the calling thread.  Nothing is allocated.
 */
void	httpc_init(struct httpc *h, const struct curlx *cx, CURL *c,
	    const struct httpc_conf *conf);

/*
 * Sends rq and reads the answer into *a (whose body the caller frees
 * with buf_free, whatever the result).  Returns 0 when an HTTP answer
 * came, whatever its status; ERR_TRANSPORT when none came,
 * ERR_INVALID when libcurl cannot do what conf asks, or ERR_TOO_BIG when
 * a header line of rq is over HTTPC_HEADER_MAX; a->error says why,
 * naming the TLS reason or the client certificate when they are the cause.
 */
int	httpc_exchange(const struct httpc *h, const struct httpc_request *rq,
	    struct httpc_answer *a);

#endif
