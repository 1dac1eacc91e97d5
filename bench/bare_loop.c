/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bare-loop: the least work a store-only proxy must do per inventory, on
 * one core, to compare passeur's CPU per inventory with (bench/README.md).
 *
 *   bare-loop loop FILE DIR SECONDS [recv] [scan]
 *	Deflates FILE once (zlib, the agent's level), then for SECONDS:
 *	inflates it with compress_inflate() (libdeflate, passeur's code) and
 *	stores it with fsx_write_atomic() (temporary name, write, fsync,
 *	rename, fsync of the folder), the call passeur's store makes.
 *	With "recv", each round first receives the deflated body over a
 *	loopback TCP connection from a child process (which sends it, then
 *	waits for a one-byte answer), into a buffer of its size; with
 *	"scan", it also gives the JSON verdict with jsonscan() as the GLPI
 *	branch does.  Only this process's CPU is counted, not the child's:
 *	the floor of a store-only proxy with no HTTP, no threads.
 *	Prints: RESULT inventories=N cpu_ms_per_inv=X wall_ms_per_inv=X
 *	        inflate_ms=X recv_ms=X scan_ms=X
 *   bare-loop inflate FILE [ROUNDS]
 *	Times the inflate alone, zlib (compress_inflate_zlib(), the code
 *	before libdeflate) against compress_inflate(), in CPU ms per body.
 *
 * A bench helper, not a test: it asserts nothing.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/compress.h"
#include "common/err.h"
#include "common/fsx.h"
#include "common/jsonscan.h"

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

/* Reads or writes exactly n bytes; 0, or -1 on error or end of file. */
static int
io_all(int fd, void *p, size_t n, int out)
{
	char	*b = p;
	ssize_t	 k;

	while (n > 0) {
		k = out ? send(fd, b, n, MSG_NOSIGNAL) : recv(fd, b, n, 0);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		b += k;
		n -= (size_t)k;
	}
	return 0;
}

/*
 * The child of "recv": connects to port and sends z, a 64-bit length
 * then the bytes, each time the parent answers, until it hangs up.
 */
static void
sender(unsigned short port, const struct buf *z)
{
	struct sockaddr_in	 sa;
	uint64_t		 n = z->len;
	char			 ack;
	int			 fd;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons(port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
	    connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
		_exit(1);
	for (;;) {
		if (io_all(fd, &n, sizeof(n), 1) != 0 ||
		    io_all(fd, z->data, z->len, 1) != 0 ||
		    io_all(fd, &ack, 1, 0) != 0)
			_exit(0);
	}
}

/* A listening socket on a free loopback port, and the child on it. */
static int
start_sender(const struct buf *z, pid_t *pidp)
{
	struct sockaddr_in	 sa;
	socklen_t		 sl = sizeof(sa);
	int			 lfd, fd;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((lfd = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
	    bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    listen(lfd, 1) != 0 ||
	    getsockname(lfd, (struct sockaddr *)&sa, &sl) != 0) {
		perror("bare-loop: listen");
		return -1;
	}
	if ((*pidp = fork()) == -1) {
		perror("bare-loop: fork");
		return -1;
	}
	if (*pidp == 0) {
		close(lfd);
		sender(ntohs(sa.sin_port), z);
	}
	fd = accept(lfd, NULL, NULL);
	close(lfd);
	if (fd < 0)
		perror("bare-loop: accept");
	return fd;
}

static int
cmd_loop(const char *path, const char *dir, double seconds, int with_recv,
    int with_scan)
{
	struct buf	plain, z, out, in;
	double		c0, w0, inflate_ms = 0, recv_ms = 0, scan_ms = 0, t;
	uint64_t	n64;
	long		n = 0;
	pid_t		pid = -1;
	char		ack = 'k';
	int		r, fd = -1;

	if (load(path, &plain, &z) != 0)
		return 1;
	if (with_recv && (fd = start_sender(&z, &pid)) < 0)
		return 1;
	c0 = now(CLOCK_PROCESS_CPUTIME_ID);
	w0 = now(CLOCK_MONOTONIC);
	do {
		const struct buf *body = &z;

		if (with_recv) {
			/* As the server does: a buffer of the announced size. */
			t = now(CLOCK_PROCESS_CPUTIME_ID);
			if (io_all(fd, &n64, sizeof(n64), 0) != 0)
				return 1;
			buf_init(&in, 256u << 20);
			if (buf_reserve(&in, (size_t)n64) != 0 ||
			    io_all(fd, in.data, (size_t)n64, 0) != 0)
				return 1;
			in.len = (size_t)n64;
			body = &in;
			recv_ms += now(CLOCK_PROCESS_CPUTIME_ID) - t;
		}
		t = now(CLOCK_PROCESS_CPUTIME_ID);
		buf_init(&out, plain.len);
		if ((r = compress_inflate(COMPRESS_ZLIB, body->data, body->len,
		    &out)) != 0) {
			fprintf(stderr, "bare-loop: inflate: %s\n", err_str(r));
			return 1;
		}
		inflate_ms += now(CLOCK_PROCESS_CPUTIME_ID) - t;
		if (with_scan) {
			struct jsonscan_field f[3] = {
				{ .key = "action" }, { .key = "deviceid" },
				{ .key = "partial" },
			};

			t = now(CLOCK_PROCESS_CPUTIME_ID);
			if (jsonscan(out.data, out.len, f, 3) != 0) {
				fprintf(stderr, "bare-loop: not a JSON object\n");
				return 1;
			}
			jsonscan_fields_free(f, 3);
			scan_ms += now(CLOCK_PROCESS_CPUTIME_ID) - t;
		}
		/* One device, overwritten, as an agent's inventories are. */
		if ((r = fsx_write_atomic(dir, "bare-loop.json", out.data,
		    out.len, 0640)) != 0) {
			fprintf(stderr, "bare-loop: %s: %s\n", dir, err_str(r));
			return 1;
		}
		buf_free(&out);
		if (with_recv) {
			buf_free(&in);
			if (io_all(fd, &ack, 1, 1) != 0)
				return 1;
		}
		n++;
	} while (now(CLOCK_MONOTONIC) - w0 < seconds * 1e3);
	printf("RESULT inventories=%ld cpu_ms_per_inv=%.3f "
	    "wall_ms_per_inv=%.3f inflate_ms=%.3f recv_ms=%.3f "
	    "scan_ms=%.3f\n", n,
	    (now(CLOCK_PROCESS_CPUTIME_ID) - c0) / (double)n,
	    (now(CLOCK_MONOTONIC) - w0) / (double)n, inflate_ms / (double)n,
	    recv_ms / (double)n, scan_ms / (double)n);
	if (fd >= 0) {
		close(fd);
		(void)waitpid(pid, NULL, 0);
	}
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
	if (argc >= 5 && argc <= 7 && strcmp(argv[1], "loop") == 0) {
		int i, rcv = 0, scan = 0;

		for (i = 5; i < argc; i++) {
			if (strcmp(argv[i], "recv") == 0)
				rcv = 1;
			else if (strcmp(argv[i], "scan") == 0)
				scan = 1;
			else
				goto usage;
		}
		return cmd_loop(argv[2], argv[3], strtod(argv[4], NULL), rcv,
		    scan);
	}
usage:
	fprintf(stderr, "usage: bare-loop loop FILE DIR SECONDS [recv] "
	    "[scan]\n"
	    "       bare-loop inflate FILE [ROUNDS]\n");
	return 2;
}
