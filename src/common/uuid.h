/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Random identifiers: agent/proxy UUIDs and GLPI request ids, drawn from the
 * kernel's CSPRNG so that concurrent requests never share one.
 */
#ifndef PASSEUR_UUID_H
#define PASSEUR_UUID_H

#include <stddef.h>

#define UUID_STRLEN	36
#define REQID_STRLEN	8

/* Writes a lower-case version 4 UUID and a NUL into out[37]. */
int	uuid_random(char out[UUID_STRLEN + 1]);
/* True for 8-4-4-4-12 hex digits, any case (the agent's own test). */
int	uuid_valid(const char *s);
/* Writes 8 upper-case hex digits and a NUL into out[9]. */
int	reqid_random(char out[REQID_STRLEN + 1]);
/* True for exactly 8 upper-case hex digits. */
int	reqid_valid(const char *s);
/*
 * Writes len random letters and digits ([A-Za-z0-9], evenly drawn) and a
 * NUL into out[len + 1]: tokens such as GLPI's API tokens.
 */
int	token_random(char *out, size_t len);

#endif
