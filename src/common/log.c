/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "common/err.h"
#include "common/log.h"

/*
 * Every thread that logs reads the destination and the descriptor; the
 * main thread changes them on a reload.  The log file always has the same
 * descriptor number, log_slot: a new file is put in its place with
 * dup3(), in one step, and the number is never closed while the daemon
 * runs.  Were it closed, a thread about to write a line could find the
 * number reused by a file another thread just opened (an inventory's
 * temporary file) and write its line there.  Leaving the file for stderr
 * or syslog leaves the slot open, on the old file, until the next file or
 * log_close().
 */
static _Atomic enum log_dest	 log_dest = LOG_TO_STDERR;
static atomic_int		 log_fd = STDERR_FILENO;
static atomic_int		 log_verbose;
static int			 log_slot = -1;	/* main thread only */
/* Read by every thread that logs, set by the main thread at start-up. */
static atomic_int	 log_tee;

static const struct {
	const char	*name;
	int		 value;
} facilities[] = {
	{ "LOG_DAEMON", LOG_DAEMON }, { "LOG_USER", LOG_USER },
	{ "LOG_LOCAL0", LOG_LOCAL0 }, { "LOG_LOCAL1", LOG_LOCAL1 },
	{ "LOG_LOCAL2", LOG_LOCAL2 }, { "LOG_LOCAL3", LOG_LOCAL3 },
	{ "LOG_LOCAL4", LOG_LOCAL4 }, { "LOG_LOCAL5", LOG_LOCAL5 },
	{ "LOG_LOCAL6", LOG_LOCAL6 }, { "LOG_LOCAL7", LOG_LOCAL7 },
};

static int
facility_value(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(facilities) / sizeof(facilities[0]); i++) {
		if (strcasecmp(name, facilities[i].name) == 0 ||
		    strcasecmp(name, facilities[i].name + 4) == 0)
			return facilities[i].value;
	}
	return ERR_NOT_FOUND;
}

int
log_facility_valid(const char *facility)
{
	return facility_value(facility) >= 0;
}

int
log_init(enum log_dest dest, const char *path, const char *facility,
    int verbosity)
{
	int fd = STDERR_FILENO, fac, saved;

	if (dest == LOG_TO_FILE) {
		fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
		if (fd == -1)
			return ERR_SYSTEM;
		if (log_slot == -1)
			log_slot = fd;
		else {
			/* Swapped under writers: the number stays valid. */
			if (dup3(fd, log_slot, O_CLOEXEC) == -1) {
				saved = errno;
				close(fd);
				errno = saved;
				return ERR_SYSTEM;
			}
			close(fd);
		}
		fd = log_slot;
	}
	/* Leave the previous destination only once the new one is open. */
	if (atomic_load(&log_dest) == LOG_TO_SYSLOG && dest != LOG_TO_SYSLOG)
		closelog();
	atomic_store(&log_fd, fd);
	atomic_store(&log_verbose, verbosity);
	if (dest == LOG_TO_SYSLOG) {
		fac = facility != NULL ? facility_value(facility) : LOG_DAEMON;
		openlog("passeur", LOG_PID | LOG_NDELAY,
		    fac < 0 ? LOG_DAEMON : fac);
	}
	atomic_store(&log_dest, dest);
	return 0;
}

void
log_close(void)
{
	if (atomic_load(&log_dest) == LOG_TO_SYSLOG)
		closelog();
	atomic_store(&log_fd, STDERR_FILENO);
	atomic_store(&log_dest, LOG_TO_STDERR);
	/* At the end only: no thread logs any more. */
	if (log_slot != -1) {
		close(log_slot);
		log_slot = -1;
	}
}

void
log_escape(char *dst, size_t dstlen, const char *src)
{
	static const char	 hex[] = "0123456789abcdef";
	size_t			 n = 0;
	unsigned char		 c;

	if (dstlen == 0)
		return;
	for (; *src != '\0'; src++) {
		c = (unsigned char)*src;
		if (c <= 0x20 || c == 0x7f || c == '\\') {
			if (n + 4 >= dstlen)
				break;
			dst[n++] = '\\';
			dst[n++] = 'x';
			dst[n++] = hex[c >> 4];
			dst[n++] = hex[c & 0xf];
		} else {
			if (n + 1 >= dstlen)
				break;
			dst[n++] = (char)c;
		}
	}
	dst[n] = '\0';
}

int
log_verbosity(void)
{
	return atomic_load(&log_verbose);
}

void
log_tee_stderr(int on)
{
	atomic_store_explicit(&log_tee, on, memory_order_relaxed);
}

int
log_syslog_available(void)
{
	struct stat st;

	return stat(_PATH_LOG, &st) == 0 && S_ISSOCK(st.st_mode);
}

/*
 * Length of the valid UTF-8 sequence at p, or 0.  A NUL is never a
 * continuation byte, so the string's end stops the check.
 */
static size_t
utf8_length(const unsigned char *p)
{
	size_t	len, i;
	unsigned char lo = 0x80, hi = 0xbf;

	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		len = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		len = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		len = 4;
	else
		return 0;
	/* No overlong form, no surrogate, nothing past U+10FFFF. */
	if (p[0] == 0xe0)
		lo = 0xa0;
	else if (p[0] == 0xed)
		hi = 0x9f;
	else if (p[0] == 0xf0)
		lo = 0x90;
	else if (p[0] == 0xf4)
		hi = 0x8f;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return len;
}

/*
 * Copies the message src into dst for one log line: control bytes
 * (newlines included), DEL and bytes that are not valid UTF-8 become
 * \xHH, so that nothing a message quotes (an upstream's answer, a
 * client's header) can start a line of its own, move the terminal's
 * cursor or make the file unreadable as text.  The last line of defence:
 * callers still escape what they quote with log_escape().
 */
static void
log_clean(char *dst, size_t dstlen, const char *src)
{
	static const char	 hex[] = "0123456789abcdef";
	const unsigned char	*p = (const unsigned char *)src;
	size_t			 n = 0, len;

	while (*p != '\0') {
		if (*p >= 0x20 && *p < 0x7f) {
			if (n + 1 >= dstlen)
				break;
			dst[n++] = (char)*p++;
		} else if (*p >= 0x80 && (len = utf8_length(p)) > 0) {
			if (n + len >= dstlen)
				break;
			memcpy(dst + n, p, len);
			n += len;
			p += len;
		} else {
			if (n + 4 >= dstlen)
				break;
			dst[n++] = '\\';
			dst[n++] = 'x';
			dst[n++] = hex[*p >> 4];
			dst[n++] = hex[*p & 0xf];
			p++;
		}
	}
	dst[n] = '\0';
}

/* Formats one line and writes it whole, so threads never interleave. */
static void vlog(int, const char *, const char *, va_list, int)
    __attribute__((format(printf, 3, 0)));

static void
vlog(int pri, const char *level, const char *fmt, va_list ap, int errnum)
{
	char		 raw[2048], msg[2048], line[2200];
	char		 stamp[32];
	struct tm	 tm;
	time_t		 now;
	int		 n, tee, fd;
	enum log_dest	 dest;

	tee = atomic_load_explicit(&log_tee, memory_order_relaxed);
	dest = atomic_load(&log_dest);
	fd = atomic_load(&log_fd);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	if (errnum != 0) {
		n = (int)strlen(raw);
		snprintf(raw + n, sizeof(raw) - (size_t)n, ": %s",
		    strerror(errnum));
	}
	log_clean(msg, sizeof(msg), raw);
	if (dest == LOG_TO_SYSLOG)
		syslog(pri, "%s", msg);
	if (dest == LOG_TO_SYSLOG && !tee)
		return;
	now = time(NULL);
	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm);
	n = snprintf(line, sizeof(line), "[%s][%s] %s\n", stamp, level, msg);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	if (dest != LOG_TO_SYSLOG)
		(void)!write(fd, line, (size_t)n);
	if (tee && (dest == LOG_TO_SYSLOG || fd != STDERR_FILENO))
		(void)!write(STDERR_FILENO, line, (size_t)n);
}

#define LOGFN(name, pri, level, cond, witherr)				\
void									\
name(const char *fmt, ...)						\
{									\
	va_list ap;							\
	int saved = errno;						\
	if (!(cond))							\
		return;							\
	va_start(ap, fmt);						\
	vlog(pri, level, fmt, ap, witherr ? saved : 0);			\
	va_end(ap);							\
	errno = saved;							\
}

LOGFN(log_errx, LOG_ERR, "error", 1, 0)
LOGFN(log_warn, LOG_WARNING, "warning", 1, 1)
LOGFN(log_warnx, LOG_WARNING, "warning", 1, 0)
LOGFN(log_info, LOG_INFO, "info", 1, 0)
LOGFN(log_debug, LOG_DEBUG, "debug", atomic_load(&log_verbose) > 0, 0)

void
fatal(const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	vlog(LOG_CRIT, "fatal", fmt, ap, saved);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, "fatal", fmt, ap, 0);
	va_end(ap);
	exit(1);
}
