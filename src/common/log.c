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

#include "common/log.h"

/*
 * Read by every thread that logs, replaced by the main thread at start-up
 * and on SIGHUP (log_init) while the others run: atomics, each read once
 * a line.
 */
static _Atomic enum log_dest	 log_dest = LOG_TO_STDERR;
static atomic_int		 log_fd = STDERR_FILENO;
static atomic_int		 log_verbose;
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
	return -1;
}

int
log_facility_valid(const char *facility)
{
	return facility_value(facility) != -1;
}

int
log_init(enum log_dest dest, const char *path, const char *facility,
    int verbosity)
{
	int fd = STDERR_FILENO, oldfd, fac;

	if (dest == LOG_TO_FILE) {
		fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
		if (fd == -1)
			return -1;
	}
	/*
	 * Leave the previous destination only once the new one is open, and
	 * publish the new descriptor before closing the old one.
	 */
	if (log_dest == LOG_TO_SYSLOG)
		closelog();
	oldfd = atomic_exchange(&log_fd, fd);
	if (oldfd != STDERR_FILENO)
		close(oldfd);
	log_verbose = verbosity;
	if (dest == LOG_TO_SYSLOG) {
		fac = facility != NULL ? facility_value(facility) : LOG_DAEMON;
		openlog("passeur", LOG_PID | LOG_NDELAY,
		    fac == -1 ? LOG_DAEMON : fac);
	}
	log_dest = dest;
	return 0;
}

void
log_close(void)
{
	if (log_dest == LOG_TO_FILE && log_fd != STDERR_FILENO)
		close(log_fd);
	else if (log_dest == LOG_TO_SYSLOG)
		closelog();
	log_fd = STDERR_FILENO;
	log_dest = LOG_TO_STDERR;
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
	return log_verbose;
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

/* Formats one line and writes it whole, so threads never interleave. */
static void vlog(int, const char *, const char *, va_list, int)
    __attribute__((format(printf, 3, 0)));

static void
vlog(int pri, const char *level, const char *fmt, va_list ap, int errnum)
{
	char		 msg[2048], line[2200];
	char		 stamp[32];
	struct tm	 tm;
	time_t		 now;
	int		 n, tee, fd = log_fd;
	enum log_dest	 dest = log_dest;

	tee = atomic_load_explicit(&log_tee, memory_order_relaxed);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (errnum != 0) {
		n = (int)strlen(msg);
		snprintf(msg + n, sizeof(msg) - (size_t)n, ": %s",
		    strerror(errnum));
	}
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
LOGFN(log_debug, LOG_DEBUG, "debug", log_verbose > 0, 0)

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
