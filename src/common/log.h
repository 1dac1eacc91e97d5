/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Logging to stderr, a file or syslog, as the agent's `logger` key says.
 *
 * log_warn() appends strerror(errno); log_warnx() does not.  log_errx()
 * is for what stops the daemon or refuses a reload.  fatal() and
 * fatalx() log and exit(1); they are for start-up and out-of-memory only.
 * Every function but log_init() and log_close() (the main thread's) is
 * safe to call from any thread: a line is formatted first and written
 * with one write(2).  log_init() may run while other threads log: a new
 * log file takes the descriptor number of the previous one (dup3), which
 * is never closed before log_close(), so a line is never written to a
 * descriptor that was closed and reused meanwhile (an inventory's
 * temporary file).
 */
#ifndef PASSEUR_LOG_H
#define PASSEUR_LOG_H

#include <stddef.h>

enum log_dest { LOG_TO_STDERR, LOG_TO_FILE, LOG_TO_SYSLOG };

/*
 * verbosity: 0 info, 1 debug, 2 debug2.  Returns 0, or ERR_SYSTEM (errno
 * set) when the log file cannot be opened; the former destination stays.
 */
int	 log_init(enum log_dest dest, const char *path, const char *facility,
	    int verbosity);
void	 log_close(void);
int	 log_verbosity(void);
/*
 * While on, every line also goes to stderr when the destination is a
 * file or syslog: start-up messages reach the operator who started the
 * daemon, wherever the log goes.
 */
void	 log_tee_stderr(int on);
/*
 * 1 when syslog can be reached (its socket, /dev/log, exists); lines
 * sent to syslog without it are lost.
 */
int	 log_syslog_available(void);
int	 log_facility_valid(const char *facility);
/*
 * Copies src for a log line: control bytes, spaces, backslashes and DEL
 * become \xHH, so client data can neither forge lines nor shift fields.
 */
void	 log_escape(char *dst, size_t dstlen, const char *src);

#define LOG_FMT __attribute__((format(printf, 1, 2)))
void	 log_errx(const char *, ...) LOG_FMT;
void	 log_warn(const char *, ...) LOG_FMT;
void	 log_warnx(const char *, ...) LOG_FMT;
void	 log_info(const char *, ...) LOG_FMT;
void	 log_debug(const char *, ...) LOG_FMT;
void	 fatal(const char *, ...) LOG_FMT __attribute__((noreturn));
void	 fatalx(const char *, ...) LOG_FMT __attribute__((noreturn));
#undef LOG_FMT

#endif
