/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The GLPI-Proxy-ID chain: the ids of the proxies a request went through.
 *
 * The reference compares raw bytes with strings, so its loop detection
 * never fires; here every item is trimmed and compared case-insensitively.
 * Every item must be a proxy's agent id, a UUID: anything else is refused
 * (CHAIN_INVALID) rather than forwarded upstream.  Several GLPI-Proxy-ID
 * header lines are one list (RFC 9110 5.3), joined by chain_add_line().
 */
#ifndef PASSEUR_PROXY_CHAIN_H
#define PASSEUR_PROXY_CHAIN_H

#include "common/buf.h"

enum chain_verdict { CHAIN_OK, CHAIN_TOO_LONG, CHAIN_LOOP, CHAIN_INVALID };

/*
 * Checks the received header (may be NULL) against our id and the limit.
 * Empty items (",,", a trailing comma) are skipped; an item that is not
 * a UUID makes the chain CHAIN_INVALID, whatever else it holds.
 */
enum chain_verdict chain_check(const char *header, const char *own_id,
    long long max_pass_through);

/* Returns "<header>,<own_id>" or own_id alone (caller frees); NULL on OOM. */
char	*chain_append(const char *header, const char *own_id);

/*
 * Adds one received header line to chain: "<chain>,<line>", in amortized
 * linear time (a request may carry thousands of lines).  0, or the
 * buf_append() error (ERR_TOO_BIG past the buffer's ceiling).
 */
int	chain_add_line(struct buf *chain, const char *line);

#endif
