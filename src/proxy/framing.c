/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <string.h>
#include <strings.h>

#include "proxy/framing.h"

/* What framing_refusal() gathers from the header lines. */
struct framing {
	int		 bad;		/* NUL, or blank in a name */
	int		 nclen, nte, clen_differ, clen_bad;
	const char	*clen, *te;
};

static enum MHD_Result
framing_header(void *arg, enum MHD_ValueKind kind, const char *key,
    size_t key_size, const char *value, size_t value_size)
{
	struct framing	*f = arg;
	const char	*end;
	size_t		 n;

	(void)kind;

	/*
	 * libmicrohttpd 0.9.75 keeps a header line in its read buffer, ends
	 * the value with a NUL before its trailing blanks and puts NULs
	 * where the line's CR and LF were: anything but blanks between the
	 * value's NUL and those means a NUL of the client's cut the value
	 * (or the line ended with a bare LF, refused as well).
	 */
	end = value != NULL ? value + value_size + 1 : NULL;
	while (end != NULL && (*end == ' ' || *end == '\t'))
		end++;
	if (strlen(key) != key_size || key[strcspn(key, " \t")] != '\0' ||
	    (value != NULL && (strlen(value) != value_size || *end != '\0'))) {
		f->bad = 1;
		return MHD_YES;
	}
	if (value == NULL)
		value = "";
	if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0) {
		n = strspn(value, "0123456789");
		if (n == 0 || value[n + strspn(value + n, " \t")] != '\0')
			f->clen_bad = 1;
		if (f->nclen++ > 0 && strcmp(f->clen, value) != 0)
			f->clen_differ = 1;
		f->clen = value;
	} else if (strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING) == 0) {
		f->nte++;
		f->te = value;
	}
	return MHD_YES;
}

const char *
framing_refusal(struct MHD_Connection *conn)
{
	struct framing f;

	memset(&f, 0, sizeof(f));
	MHD_get_connection_values_n(conn, MHD_HEADER_KIND, framing_header,
	    &f);
	if (!f.bad && !f.clen_bad && !f.clen_differ && f.nte <= 1 &&
	    (f.nte == 0 || (f.nclen == 0 && strcasecmp(f.te, "chunked") == 0)))
		return NULL;
	return f.bad ? "NUL byte or blank in a header name" :
	    f.clen_bad ? "malformed Content-Length" :
	    f.clen_differ ? "differing Content-Length" :
	    f.nte > 1 ? "several Transfer-Encoding" :
	    f.nclen > 0 ? "Transfer-Encoding with Content-Length" :
	    "Transfer-Encoding other than chunked";
}
