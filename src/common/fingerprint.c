/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <gnutls/gnutls.h>

#include "common/conf.h"
#include "common/err.h"
#include "common/fingerprint.h"

static const struct {
	const char		*name;
	enum fingerprint_algo	 algo;
	size_t			 len;
	gnutls_digest_algorithm_t dig;
} algos[] = {
	{ "sha1", FINGERPRINT_SHA1, 20, GNUTLS_DIG_SHA1 },
	{ "sha224", FINGERPRINT_SHA224, 28, GNUTLS_DIG_SHA224 },
	{ "sha256", FINGERPRINT_SHA256, 32, GNUTLS_DIG_SHA256 },
	{ "sha384", FINGERPRINT_SHA384, 48, GNUTLS_DIG_SHA384 },
	{ "sha512", FINGERPRINT_SHA512, 64, GNUTLS_DIG_SHA512 },
};
#define NALGOS	(sizeof(algos) / sizeof(algos[0]))

/* Says why item (p[0..len)) is refused; returns r. */
static int
refuse(char *why, size_t whylen, int r, int item, const char *p, size_t len,
    const char *reason)
{
	if (why != NULL && whylen > 0)
		snprintf(why, whylen, "item %d \"%.*s\": %s", item,
		    (int)(len > 80 ? 80 : len), p, reason);
	return r;
}

/* The hex digits of p[0..len), colons skipped, into fp; 0 or -1. */
static int
parse_hex(const char *p, size_t len, struct fingerprint *fp)
{
	size_t	i, ndigits = 0;
	int	v;

	fp->len = 0;
	for (i = 0; i < len; i++) {
		if (p[i] == ':')
			continue;
		if (!isxdigit((unsigned char)p[i]) ||
		    ndigits / 2 >= sizeof(fp->digest))
			return ERR_FORMAT;
		v = isdigit((unsigned char)p[i]) ? p[i] - '0' :
		    tolower((unsigned char)p[i]) - 'a' + 10;
		if (ndigits % 2 == 0)
			fp->digest[ndigits / 2] = (unsigned char)(v << 4);
		else
			fp->digest[ndigits / 2] |= (unsigned char)v;
		ndigits++;
	}
	if (ndigits == 0 || ndigits % 2 != 0)
		return ERR_FORMAT;
	fp->len = ndigits / 2;
	return 0;
}

/* One item of the list, p[0..len) without surrounding blanks. */
static int
parse_one(const char *p, size_t len, int item, struct fingerprint *fp,
    char *why, size_t whylen)
{
	const char	*dollar, *hex = p;
	size_t		 i, namelen;

	if ((dollar = memchr(p, '$', len)) != NULL) {
		namelen = (size_t)(dollar - p);
		hex = dollar + 1;
		if (memchr(hex, '$', len - namelen - 1) != NULL)
			return refuse(why, whylen, ERR_FORMAT, item, p, len,
			    "public key fingerprints (algo$pub$hex) are not "
			    "supported, give the certificate's");
		for (i = 0; i < NALGOS; i++)
			if (strlen(algos[i].name) == namelen &&
			    strncasecmp(algos[i].name, p, namelen) == 0)
				break;
		if (i == NALGOS)
			return refuse(why, whylen, ERR_FORMAT, item, p, len,
			    "unknown digest, use sha1, sha224, sha256, sha384 "
			    "or sha512");
		if (parse_hex(hex, len - namelen - 1, fp) != 0)
			return refuse(why, whylen, ERR_FORMAT, item, p, len,
			    "the digest is not hexadecimal");
		if (fp->len != algos[i].len)
			return refuse(why, whylen, ERR_FORMAT, item, p, len,
			    "wrong length for this digest");
		fp->algo = algos[i].algo;
		return 0;
	}
	if (parse_hex(hex, len, fp) != 0)
		return refuse(why, whylen, ERR_FORMAT, item, p, len,
		    "neither algo$hex nor hexadecimal");
	/* Without a name, the length tells the digest (as IO::Socket::SSL). */
	for (i = 0; i < NALGOS; i++)
		if (algos[i].len == fp->len) {
			fp->algo = algos[i].algo;
			return 0;
		}
	return refuse(why, whylen, ERR_FORMAT, item, p, len,
	    "no digest has this length");
}

int
fingerprint_parse(const char *text, struct fingerprints *fps, char *why,
    size_t whylen)
{
	const char	*rest = text, *p;
	size_t		 len;
	int		 item = 0, r;

	memset(fps, 0, sizeof(*fps));
	if (why != NULL && whylen > 0)
		*why = '\0';
	if (text == NULL)
		return 0;
	while ((p = conf_list_next(&rest, &len)) != NULL) {
		if (len == 0)
			continue;
		item++;
		if (fps->n == FINGERPRINT_MAX)
			r = refuse(why, whylen, ERR_TOO_BIG, item, p, len,
			    "too many fingerprints");
		else
			r = parse_one(p, len, item, &fps->fp[fps->n], why,
			    whylen);
		if (r != 0) {
			/* All or nothing: no half list to match. */
			memset(fps, 0, sizeof(*fps));
			return r;
		}
		fps->n++;
	}
	return 0;
}

/* Digest of der with algo into out (FINGERPRINT_DIGEST_MAX bytes). */
static int
digest(enum fingerprint_algo algo, const void *der, size_t len,
    unsigned char *out, size_t *outlen)
{
	gnutls_datum_t	d;
	size_t		i;

	for (i = 0; i < NALGOS && algos[i].algo != algo; i++)
		;
	if (i == NALGOS || len > 0xffffffffU)
		return ERR_INVALID;
	/* GnuTLS only reads the datum. */
	d.data = (unsigned char *)(uintptr_t)der;
	d.size = (unsigned int)len;
	*outlen = FINGERPRINT_DIGEST_MAX;
	if (gnutls_fingerprint(algos[i].dig, &d, out, outlen) != 0 ||
	    *outlen != algos[i].len)
		return ERR_INVALID;
	return 0;
}

int
fingerprint_match(const struct fingerprints *fps, const void *der,
    size_t len)
{
	unsigned char	out[FINGERPRINT_DIGEST_MAX];
	size_t		outlen;
	int		i, r;

	for (i = 0; i < fps->n; i++) {
		if ((r = digest(fps->fp[i].algo, der, len, out, &outlen)) != 0)
			return r;
		if (outlen == fps->fp[i].len &&
		    memcmp(out, fps->fp[i].digest, outlen) == 0)
			return 1;
	}
	return 0;
}

int
fingerprint_format(enum fingerprint_algo algo, const void *der, size_t len,
    char *out, size_t outlen)
{
	unsigned char	d[FINGERPRINT_DIGEST_MAX];
	size_t		dlen, i, at;
	int		r, n;

	if ((r = digest(algo, der, len, d, &dlen)) != 0)
		return r;
	for (i = 0; algos[i].algo != algo; i++)
		;
	n = snprintf(out, outlen, "%s$", algos[i].name);
	if (n < 0 || (size_t)n + 2 * dlen >= outlen)
		return ERR_TOO_BIG;
	at = (size_t)n;
	for (i = 0; i < dlen; i++, at += 2)
		snprintf(out + at, outlen - at, "%02x", d[i]);
	return 0;
}
