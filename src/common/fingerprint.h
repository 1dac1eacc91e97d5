/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * ssl-fingerprint of agent.cfg: certificates an upstream may present even
 * when they do not chain to a trusted CA.
 *
 * The agent hands the value to IO::Socket::SSL as SSL_fingerprint, so the
 * syntax is that one: "algo$hex", algo a digest name (sha1, sha256...),
 * hex the digest of the whole DER certificate, colons allowed, any case.
 * The "algo$" part may be left out: the length of the digest tells it.
 * Several fingerprints are separated by commas.  Public key fingerprints
 * ("algo$pub$hex") and MD5 are refused with a reason.
 *
 * Everything here works on caller storage; nothing is allocated.
 */
#ifndef PASSEUR_COMMON_FINGERPRINT_H
#define PASSEUR_COMMON_FINGERPRINT_H

#include <stddef.h>

#define FINGERPRINT_MAX		16	/* fingerprints in one list */
#define FINGERPRINT_DIGEST_MAX	64	/* bytes of a SHA-512 digest */
/* "sha512$" and 128 hex digits, with the NUL. */
#define FINGERPRINT_STRLEN	(7 + 2 * FINGERPRINT_DIGEST_MAX + 1)

enum fingerprint_algo {
	FINGERPRINT_SHA1,
	FINGERPRINT_SHA224,
	FINGERPRINT_SHA256,
	FINGERPRINT_SHA384,
	FINGERPRINT_SHA512
};

struct fingerprint {
	enum fingerprint_algo	 algo;
	size_t			 len;
	unsigned char		 digest[FINGERPRINT_DIGEST_MAX];
};

struct fingerprints {
	int			 n;
	struct fingerprint	 fp[FINGERPRINT_MAX];
};

/*
 * Parses a comma list into *fps (emptied first; an empty or blank text
 * gives no fingerprint).  Returns 0, or ERR_FORMAT / ERR_TOO_BIG with a
 * sentence in why (which may be NULL).
 */
int	fingerprint_parse(const char *text, struct fingerprints *fps,
	    char *why, size_t whylen);

/*
 * Returns 1 when the DER certificate has one of the fingerprints, 0 when
 * it has none, or ERR_INVALID when a digest cannot be computed.
 */
int	fingerprint_match(const struct fingerprints *fps, const void *der,
	    size_t len);

/* Writes "algo$hex" of the DER certificate to out; 0 or ERR_*. */
int	fingerprint_format(enum fingerprint_algo algo, const void *der,
	    size_t len, char *out, size_t outlen);

#endif
