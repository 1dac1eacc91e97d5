/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bare-loop: the least work a store-only proxy must do per inventory, on
 * one core, to compare passeur's CPU per inventory with (bench/README.md).
 *
 *   bare-loop loop FILE DIR SECONDS
 *	Deflates FILE once (zlib, the agent's level), then for SECONDS:
 *	inflates it with compress_inflate() (libdeflate, passeur's code) and
 *	stores it with fsx_write_atomic() (temporary name, write, fsync,
 *	rename, fsync of the folder), the call passeur's store makes.
 *	Prints: RESULT inventories=N cpu_ms_per_inv=X wall_ms_per_inv=X
 *	        inflate_ms=X
 *   bare-loop inflate FILE [ROUNDS]
 *	Times the inflate alone, zlib (compress_inflate_zlib(), the code
 *	before libdeflate) against compress_inflate(), in CPU ms per body.
 *
 * A bench helper, not a test: it asserts nothing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/buf.h"
#include "common/compress.h"
#include "common/err.h"
#include "common/fsx.h"

static double
now(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int
load(const char *path, struct buf *plain, struct buf *z)
{
	FILE	*f;
	char	 chunk[65536];
	size_t	 n;
	int	 r = 0;

	if ((f = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "bare-loop: %s: %s\n", path, strerror(errno));
		return -1;
	}
	buf_init(plain, 256u << 20);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if ((r = buf_append(plain, chunk, n)) != 0)
			break;
	fclose(f);
	buf_init(z, 256u << 20);
	if (r == 0)
		r = compress_deflate(plain->data, plain->len,
		    COMPRESS_LEVEL_DEFAULT, z);
	if (r != 0)
		fprintf(stderr, "bare-loop: %s: %s\n", path, err_str(r));
	return r;
}

/* CPU ms per inflate of z with f, over rounds rounds. */
static double
time_inflate(int (*f)(enum compress_kind, const void *, size_t,
    struct buf *), const struct buf *z, size_t max, int rounds)
{
	struct buf	out;
	double		t0;
	int		i;

	t0 = now(CLOCK_PROCESS_CPUTIME_ID);
	for (i = 0; i < rounds; i++) {
		buf_init(&out, max);
		if (f(COMPRESS_ZLIB, z->data, z->len, &out) != 0) {
			fprintf(stderr, "bare-loop: inflate failed\n");
			exit(1);
		}
		buf_free(&out);
	}
	return (now(CLOCK_PROCESS_CPUTIME_ID) - t0) / rounds;
}

static int
cmd_inflate(const char *path, int rounds)
{
	struct buf	plain, z;
	double		old, new;

	if (load(path, &plain, &z) != 0)
		return 1;
	/* One round each first, so that both start warm. */
	(void)time_inflate(compress_inflate_zlib, &z, plain.len, 1);
	(void)time_inflate(compress_inflate, &z, plain.len, 1);
	old = time_inflate(compress_inflate_zlib, &z, plain.len, rounds);
	new = time_inflate(compress_inflate, &z, plain.len, rounds);
	printf("RESULT plain_bytes=%zu zlib_bytes=%zu rounds=%d "
	    "zlib_ms=%.3f libdeflate_ms=%.3f speedup=%.2f\n", plain.len,
	    z.len, rounds, old, new, old / new);
	buf_free(&plain);
	buf_free(&z);
	return 0;
}

static int
cmd_loop(const char *path, const char *dir, double seconds)
{
	struct buf	plain, z, out;
	double		c0, w0, inflate_ms = 0, t;
	long		n = 0;
	int		r;

	if (load(path, &plain, &z) != 0)
		return 1;
	c0 = now(CLOCK_PROCESS_CPUTIME_ID);
	w0 = now(CLOCK_MONOTONIC);
	do {
		t = now(CLOCK_PROCESS_CPUTIME_ID);
		buf_init(&out, plain.len);
		if ((r = compress_inflate(COMPRESS_ZLIB, z.data, z.len,
		    &out)) != 0) {
			fprintf(stderr, "bare-loop: inflate: %s\n", err_str(r));
			return 1;
		}
		inflate_ms += now(CLOCK_PROCESS_CPUTIME_ID) - t;
		/* One device, overwritten, as an agent's inventories are. */
		if ((r = fsx_write_atomic(dir, "bare-loop.json", out.data,
		    out.len, 0640)) != 0) {
			fprintf(stderr, "bare-loop: %s: %s\n", dir, err_str(r));
			return 1;
		}
		buf_free(&out);
		n++;
	} while (now(CLOCK_MONOTONIC) - w0 < seconds * 1e3);
	printf("RESULT inventories=%ld cpu_ms_per_inv=%.3f "
	    "wall_ms_per_inv=%.3f inflate_ms=%.3f\n", n,
	    (now(CLOCK_PROCESS_CPUTIME_ID) - c0) / (double)n,
	    (now(CLOCK_MONOTONIC) - w0) / (double)n, inflate_ms / (double)n);
	buf_free(&plain);
	buf_free(&z);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc >= 3 && strcmp(argv[1], "inflate") == 0)
		return cmd_inflate(argv[2], argc > 3 ?
		    (int)strtol(argv[3], NULL, 10) : 200);
	if (argc == 5 && strcmp(argv[1], "loop") == 0)
		return cmd_loop(argv[2], argv[3], strtod(argv[4], NULL));
	fprintf(stderr, "usage: bare-loop loop FILE DIR SECONDS\n"
	    "       bare-loop inflate FILE [ROUNDS]\n");
	return 2;
}
