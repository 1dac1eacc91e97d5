/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * SipHash-2-4 (Aumasson and Bernstein, 2012): a keyed hash for the tables
 * whose keys a client chooses (request ids, addresses, agent ids).  With a
 * secret random key, a client cannot compute which keys share a bucket,
 * so it cannot make one chain long.  Debian ships no C library for it
 * (libhighwayhash's SipHash is C++), hence these few lines.
 *
 * Pure functions; any thread.  A table draws its key once, when it is made.
 */
#ifndef PASSEUR_COMMON_SIPHASH_H
#define PASSEUR_COMMON_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

#define SIPHASH_KEY_LEN	16

struct siphash_key {
	uint64_t	k0, k1;
};

/* The 64-bit SipHash-2-4 of data[0..len) under key. */
uint64_t	siphash24(const struct siphash_key *key, const void *data,
		    size_t len);

/* Sets key from the 16 bytes k, read little-endian as the paper says. */
void		siphash_key_set(struct siphash_key *key,
		    const uint8_t k[SIPHASH_KEY_LEN]);

/* Draws a random key with getrandom().  ERR_SYSTEM (errno set) on failure. */
int		siphash_key_random(struct siphash_key *key);

#endif
