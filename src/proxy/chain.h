/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The GLPI-Proxy-ID chain: the ids of the proxies a request went through.
 *
 * The reference compares raw bytes with strings, so its loop detection
 * never fires; here every item is trimmed and compared case-insensitively.
 */
#ifndef PASSEUR_PROXY_CHAIN_H
#define PASSEUR_PROXY_CHAIN_H

enum chain_verdict { CHAIN_OK, CHAIN_TOO_LONG, CHAIN_LOOP };

/* Checks the received header (may be NULL) against our id and the limit. */
enum chain_verdict chain_check(const char *header, const char *own_id,
    long long max_pass_through);

/* Returns "<header>,<own_id>" or own_id alone (caller frees); NULL on OOM. */
char	*chain_append(const char *header, const char *own_id);

#endif
