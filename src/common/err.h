/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Error codes shared by every module.
 *
 * Fallible functions return 0 on success or one of these negative codes;
 * functions that return a count or a length return it (>= 0) on success and
 * a negative code on failure.  The codes start at -2, so that a stray -1
 * (a system call's result passed on by mistake) is never read as a known
 * code: err_str() reports it as an unknown error.
 *
 * A system call failure returns ERR_SYSTEM and leaves errno set, so that the
 * layer that reports it can add strerror(errno).  A library's own numbers
 * (MariaDB, curl, GnuTLS, zlib) are turned into these codes where the module
 * calls the library; the library's message goes into the module's message
 * buffer when a person must read it.
 *
 * err_str() never fails.  It returns a static string for every code, and for
 * any other number a string in storage of the calling thread, valid until
 * its next call of err_str() with an unknown number.
 */
#ifndef PASSEUR_ERR_H
#define PASSEUR_ERR_H

enum {
	ERR_OK = 0,
	ERR_NOMEM = -2,		/* allocation failed */
	ERR_SYSTEM = -3,	/* system call failed, see errno */
	ERR_TOO_BIG = -4,	/* a configured ceiling was reached */
	ERR_FORMAT = -5,	/* input is malformed */
	ERR_INVALID = -6,	/* argument or value out of its domain */
	ERR_NOT_FOUND = -7,	/* no such entry, file or key */
	ERR_UNSAFE = -8,	/* input would escape its folder or is unsafe */
	ERR_EXISTS = -9,	/* entry already present */
	ERR_TIMEOUT = -10,	/* a deadline passed */
	ERR_TRANSPORT = -11,	/* network failure talking to a peer */
	ERR_PEER = -12,		/* peer answered with an error */
	ERR_DENIED = -13,	/* the peer refused the account this access */
	ERR_CANCELLED = -14,	/* the work was stopped before it ended */
	ERR_LIBRARY = -15,	/* a library failed (SQLite): see its message */
};

/* The lowest code; a test walks from ERR_OK down to it. */
#define ERR_LAST	ERR_LIBRARY

const char *err_str(int code);

#endif
