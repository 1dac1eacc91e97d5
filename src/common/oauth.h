/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * OAuth client credentials for GLPI 11's inventory endpoint.
 *
 * When GLPI 11 asks agents to authenticate (inventory setting
 * auth_required = client_credentials), every inventory request carries
 * "Authorization: Bearer <token>", the token obtained from
 * <GLPI root>/api.php/token with the client-credentials grant and the
 * scope "inventory".  This module keeps one token per GLPI root and
 * client, asks for a new one before the current one expires (or once a
 * server refused it), and hands out the header value.
 *
 * The cache is process-wide: the proxy's forwarder threads and the
 * injector's senders share it, so a pool asks for one token, not one per
 * thread.  Every function may be called from any thread; the cache has
 * one lock for its table and one per entry, held while that entry's
 * token is being asked for (the other threads that need it wait for it
 * rather than ask again).  Secrets and tokens are never logged nor put
 * in a message; they are wiped when an entry is dropped.
 */
#ifndef PASSEUR_COMMON_OAUTH_H
#define PASSEUR_COMMON_OAUTH_H

#include <stddef.h>

#include "common/httpc.h"

#define OAUTH_TOKEN_MAX		4096	/* bytes of an access token */
/* "Bearer " and a token. */
#define OAUTH_HEADER_MAX	(OAUTH_TOKEN_MAX + 8)
/* At most this many roots and clients are kept; the oldest goes first. */
#define OAUTH_CACHE_MAX		32

/*
 * The token endpoint of the GLPI behind a server URL: the path without a
 * final "/front/inventory.php" or "/Inventory" (the inventory routes),
 * else cut before its last "marketplace" or "plugins" (the GLPI 10
 * plugin routes, as glpi-injector does), without trailing slashes, then
 * "/api.php/token"; the query is kept.  0, or ERR_FORMAT when url has no
 * scheme, ERR_TOO_BIG when out is too small.
 */
int	oauth_token_url(const char *url, char *out, size_t outlen);

/*
 * The value of the Authorization header for server_url ("Bearer ..."),
 * into out, for the client id/secret.  A cached token is given while it
 * has more than a tenth of its lifetime (at most a minute) left; else a
 * new one is asked for over h (the caller's connection settings: TLS,
 * proxy, timeout).  refused, when not NULL, is a header value a server
 * answered 401 to: unless another thread already replaced that token,
 * it is dropped and a new one asked for.
 *
 * Returns 0; or ERR_PEER (the token server refused: why has its URL, the
 * HTTP status and the OAuth error, e.g. "invalid_client"), ERR_TRANSPORT
 * (no answer), ERR_FORMAT (an answer without a usable access_token, or
 * server_url without a scheme), ERR_TOO_BIG, ERR_NOMEM.  why never holds
 * the secret nor a token.
 */
int	oauth_authorization(const struct httpc *h, const char *server_url,
	    const char *client_id, const char *client_secret,
	    const char *refused, char *out, size_t outlen, char *why,
	    size_t whylen);

/* Drops every cached token (at exit, or after a reload of the secrets). */
void	oauth_forget(void);

#endif
