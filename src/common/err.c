/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdio.h>

#include "common/err.h"

const char *
err_str(int code)
{
	static _Thread_local char unknown[40];

	switch (code) {
	case ERR_OK:
		return "success";
	case ERR_NOMEM:
		return "out of memory";
	case ERR_SYSTEM:
		return "system error";
	case ERR_TOO_BIG:
		return "size limit reached";
	case ERR_FORMAT:
		return "malformed input";
	case ERR_INVALID:
		return "invalid value";
	case ERR_NOT_FOUND:
		return "not found";
	case ERR_UNSAFE:
		return "unsafe input";
	case ERR_EXISTS:
		return "already exists";
	case ERR_TIMEOUT:
		return "timed out";
	case ERR_TRANSPORT:
		return "transport failure";
	case ERR_PEER:
		return "peer error";
	case ERR_DENIED:
		return "permission denied";
	case ERR_CANCELLED:
		return "cancelled";
	case ERR_LIBRARY:
		return "library error";
	}
	/* 40 bytes hold the text with any int. */
	if (snprintf(unknown, sizeof(unknown), "unknown error (%d)", code) >=
	    (int)sizeof(unknown))
		return "unknown error";
	return unknown;
}
