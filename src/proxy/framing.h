/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Request framing that two HTTP parsers could read two ways (request
 * smuggling once a reverse proxy stands in front): a NUL byte in a header
 * line (it would cut the value), a blank inside a header name
 * ("Content-Length :"), Transfer-Encoding with Content-Length, a transfer
 * coding other than chunked, more than one Transfer-Encoding, differing
 * or malformed Content-Length.
 *
 * Reads libmicrohttpd's header lines of one connection; owns nothing.
 * Called by the listener's network thread.
 */
#ifndef PASSEUR_PROXY_FRAMING_H
#define PASSEUR_PROXY_FRAMING_H

#include <microhttpd.h>

/* NULL when the framing is sound, or why it is refused. */
const char	*framing_refusal(struct MHD_Connection *conn);

#endif
