/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Helpers shared by the unit tests: scratch folders under $TEST_TMPDIR,
 * small files, and a reading of the heap in use (to bound memory).
 *
 * Every helper aborts the test through cmocka on failure, so a test never
 * goes on with a half-made fixture.  Paths returned are owned by the caller.
 */
#ifndef PASSEUR_TESTUTIL_H
#define PASSEUR_TESTUTIL_H

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <malloc.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <setjmp.h>
#include <cmocka.h>
#include <stdint.h>
#include <zlib.h>

#include "common/buf.h"

#if defined(__SANITIZE_ADDRESS__)
#define TU_HAVE_ASAN	1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TU_HAVE_ASAN	1
#endif
#endif

#ifdef TU_HAVE_ASAN
size_t	__sanitizer_get_current_allocated_bytes(void);
#endif

/* Bytes of heap in use now; only differences between two calls matter. */
static inline size_t
tu_heap_bytes(void)
{
#ifdef TU_HAVE_ASAN
	return __sanitizer_get_current_allocated_bytes();
#else
	return mallinfo2().uordblks;
#endif
}

/* Creates $TEST_TMPDIR (or /tmp) and a fresh folder inside it. */
static inline char *
tu_mkdtemp(const char *prefix)
{
	const char	*base = getenv("TEST_TMPDIR");
	char		 path[PATH_MAX], *p;

	if (base == NULL || *base == '\0')
		base = "/tmp";
	/* mkdir -p */
	snprintf(path, sizeof(path), "%s", base);
	for (p = path + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0755) == -1 && errno != EEXIST)
			fail_msg("mkdir %s: %s", path, strerror(errno));
		*p = '/';
	}
	if (mkdir(path, 0755) == -1 && errno != EEXIST)
		fail_msg("mkdir %s: %s", path, strerror(errno));
	if ((size_t)snprintf(path, sizeof(path), "%s/%sXXXXXX", base,
	    prefix) >= sizeof(path))
		fail_msg("scratch path too long");
	if (mkdtemp(path) == NULL)
		fail_msg("mkdtemp %s: %s", path, strerror(errno));
	if ((p = strdup(path)) == NULL)
		fail_msg("out of memory");
	return p;
}

static inline char *
tu_path(const char *dir, const char *name)
{
	char *p;

	if (asprintf(&p, "%s/%s", dir, name) == -1)
		fail_msg("out of memory");
	return p;
}

/* Writes len bytes to dir/name, replacing it. */
static inline void
tu_write(const char *dir, const char *name, const void *data, size_t len)
{
	char	*path = tu_path(dir, name);
	FILE	*fp;

	if ((fp = fopen(path, "wb")) == NULL)
		fail_msg("fopen %s: %s", path, strerror(errno));
	if (len > 0 && fwrite(data, 1, len, fp) != len)
		fail_msg("fwrite %s", path);
	if (fclose(fp) != 0)
		fail_msg("fclose %s", path);
	free(path);
}

static inline void
tu_write_str(const char *dir, const char *name, const char *text)
{
	tu_write(dir, name, text, strlen(text));
}

static inline void
tu_mkdir(const char *dir, const char *name)
{
	char *path = tu_path(dir, name);

	if (mkdir(path, 0755) == -1)
		fail_msg("mkdir %s: %s", path, strerror(errno));
	free(path);
}

/* Reads a whole file; NULL when it cannot be opened.  Caller frees. */
static inline char *
tu_read(const char *dir, const char *name, size_t *lenp)
{
	char	*path = tu_path(dir, name), *data = NULL;
	FILE	*fp;
	long	 n = 0;

	*lenp = 0;
	if ((fp = fopen(path, "rb")) == NULL) {
		free(path);
		return NULL;
	}
	free(path);
	if (fseek(fp, 0, SEEK_END) != 0 || (n = ftell(fp)) < 0 ||
	    fseek(fp, 0, SEEK_SET) != 0)
		fail_msg("cannot size file");
	if ((data = malloc((size_t)n + 1)) == NULL)
		fail_msg("out of memory");
	if (fread(data, 1, (size_t)n, fp) != (size_t)n)
		fail_msg("short read");
	data[n] = '\0';
	fclose(fp);
	*lenp = (size_t)n;
	return data;
}

static inline int
tu_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Removes a scratch folder and everything below it, then frees dir. */
static inline void
tu_rmtree(char *dir)
{
	if (dir == NULL)
		return;
	nftw(dir, tu_rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(dir);
}

/*
 * cmocka fixtures for tests that work in a folder of their own: the
 * setup puts a fresh scratch folder in *state, the teardown removes it.
 */
static inline int
tu_setup_dir(void **state)
{
	*state = tu_mkdtemp("unit.");
	return 0;
}

static inline int
tu_teardown_dir(void **state)
{
	tu_rmtree(*state);
	return 0;
}

static inline double
tu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Appends in, deflated with zlib's stream API, to out: bits 15 gives a
 * zlib stream, 31 a gzip one, -15 raw deflate.
 */
static inline void
tu_deflate(int bits, int level, const void *in, size_t len, struct buf *out)
{
	z_stream	zs;
	unsigned char	chunk[16384];
	int		zr;

	memset(&zs, 0, sizeof(zs));
	assert_int_equal(deflateInit2(&zs, level, Z_DEFLATED, bits, 9,
	    Z_DEFAULT_STRATEGY), Z_OK);
	zs.next_in = (unsigned char *)(uintptr_t)in;
	zs.avail_in = (uInt)len;
	do {
		zs.next_out = chunk;
		zs.avail_out = sizeof(chunk);
		zr = deflate(&zs, Z_FINISH);
		assert_true(zr == Z_OK || zr == Z_STREAM_END);
		assert_int_equal(buf_append(out, chunk,
		    sizeof(chunk) - zs.avail_out), 0);
	} while (zr != Z_STREAM_END);
	deflateEnd(&zs);
}

#endif
