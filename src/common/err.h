/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Error codes shared by every module.
 *
 * Fallible functions return 0 on success or one of these negative codes.
 * A system call failure returns ERR_SYSTEM and leaves errno set, so that the
 * layer that reports it can add strerror(errno).  err_str() never fails and
 * returns a static string.
 */
#ifndef PASSEUR_ERR_H
#define PASSEUR_ERR_H

enum {
	ERR_OK = 0,
	ERR_NOMEM = -1,		/* allocation failed */
	ERR_SYSTEM = -2,	/* system call failed, see errno */
	ERR_TOO_BIG = -3,	/* a configured ceiling was reached */
	ERR_FORMAT = -4,	/* input is malformed */
	ERR_INVALID = -5,	/* argument or value out of its domain */
	ERR_NOT_FOUND = -6,	/* no such entry, file or key */
	ERR_UNSAFE = -7,	/* input would escape its folder or is unsafe */
	ERR_EXISTS = -8,	/* entry already present */
	ERR_TIMEOUT = -9,	/* a deadline passed */
	ERR_TRANSPORT = -10,	/* network failure talking to a peer */
	ERR_PEER = -11,		/* peer answered with an error */
};

const char *err_str(int code);

#endif
