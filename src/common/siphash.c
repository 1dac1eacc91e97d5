/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <sys/random.h>

#include "common/err.h"
#include "common/siphash.h"

#define ROTL(x, b)	(uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

#define SIPROUND do {							\
	v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32);	\
	v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2;				\
	v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0;				\
	v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32);	\
} while (0)

static uint64_t
le64(const uint8_t *p)
{
	uint64_t	v = 0;
	int		i;

	for (i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

void
siphash_key_set(struct siphash_key *key, const uint8_t k[SIPHASH_KEY_LEN])
{
	key->k0 = le64(k);
	key->k1 = le64(k + 8);
}

int
siphash_key_random(struct siphash_key *key)
{
	uint8_t	k[SIPHASH_KEY_LEN];
	size_t	got = 0;
	ssize_t	n;

	while (got < sizeof(k)) {
		if ((n = getrandom(k + got, sizeof(k) - got, 0)) < 0) {
			if (errno == EINTR)
				continue;
			return ERR_SYSTEM;
		}
		got += (size_t)n;
	}
	siphash_key_set(key, k);
	return 0;
}

uint64_t
siphash24(const struct siphash_key *key, const void *data, size_t len)
{
	const uint8_t	*p = data, *end = p + (len & ~(size_t)7);
	uint64_t	 v0 = 0x736f6d6570736575ULL ^ key->k0;
	uint64_t	 v1 = 0x646f72616e646f6dULL ^ key->k1;
	uint64_t	 v2 = 0x6c7967656e657261ULL ^ key->k0;
	uint64_t	 v3 = 0x7465646279746573ULL ^ key->k1;
	uint64_t	 m, b = (uint64_t)len << 56;
	size_t		 i;

	for (; p != end; p += 8) {
		m = le64(p);
		v3 ^= m;
		SIPROUND;
		SIPROUND;
		v0 ^= m;
	}
	/* The last 0-7 bytes, and the length in the top byte. */
	for (i = 0; i < (len & 7); i++)
		b |= (uint64_t)p[i] << (8 * i);
	v3 ^= b;
	SIPROUND;
	SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}
