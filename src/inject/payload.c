/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/action.h"
#include "common/compress.h"
#include "common/err.h"
#include "common/jsonpeek.h"
#include "common/xmlsniff.h"
#include "inject/payload.h"

#define READ_CHUNK	(64 * 1024)

/*
 * Reads all of fd into b.  Returns 0, ERR_TOO_BIG past the ceiling, or
 * ERR_SYSTEM with errno.
 */
static int
read_all(int fd, struct buf *b)
{
	ssize_t n;

	for (;;) {
		if (buf_reserve(b, READ_CHUNK) != 0)
			return ERR_TOO_BIG;
		n = read(fd, b->data + b->len, b->cap - b->len - 1);
		if (n == 0)
			break;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return ERR_SYSTEM;
		}
		b->len += (size_t)n;
		b->data[b->len] = '\0';
	}
	return 0;
}

/* Opens and locks path as glpi-injector does (exclusive, no waiting). */
static int
open_locked(struct payload *p, const char *path, char *why, size_t whylen)
{
	struct stat st;

	/* O_NONBLOCK: a FIFO given by mistake must not hang the run. */
	if ((p->fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) == -1) {
		snprintf(why, whylen, "cannot open: %s", strerror(errno));
		return ERR_SYSTEM;
	}
	if (fstat(p->fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(why, whylen, "not a regular file");
		return ERR_INVALID;
	}
	if (flock(p->fd, LOCK_EX | LOCK_NB) != 0) {
		snprintf(why, whylen, errno == EWOULDBLOCK ? "locked by "
		    "another process" : "cannot lock: %s", strerror(errno));
		return ERR_SYSTEM;
	}
	return 0;
}

/* Replaces p->content with its inflated form when it is compressed. */
static int
inflate_stored(struct payload *p, char *why, size_t whylen)
{
	enum compress_kind	kind;
	struct buf		plain;
	int			r;

	if (compress_is_zlib(p->content.data, p->content.len))
		kind = COMPRESS_ZLIB;
	else if (compress_is_gzip(p->content.data, p->content.len))
		kind = COMPRESS_GZIP;
	else
		return 0;
	buf_init(&plain, INJECT_FILE_MAX);
	if ((r = compress_inflate(kind, p->content.data, p->content.len,
	    &plain)) != 0) {
		snprintf(why, whylen, "cannot inflate its %s data: %s",
		    kind == COMPRESS_ZLIB ? "zlib" : "gzip", err_str(r));
		buf_free(&plain);
		return r;
	}
	buf_free(&p->content);
	p->content = plain;
	return 0;
}

/* Lower-cased UUID ending the name before ".json" or ".data", or "". */
static void
agentid_of_name(const char *path, char out[UUID_STRLEN + 1])
{
	size_t	len = strlen(path), i;
	char	cand[UUID_STRLEN + 1];

	out[0] = '\0';
	if (len < UUID_STRLEN + 5 || (strcasecmp(path + len - 5, ".json") !=
	    0 && strcasecmp(path + len - 5, ".data") != 0))
		return;
	memcpy(cand, path + len - 5 - UUID_STRLEN, UUID_STRLEN);
	cand[UUID_STRLEN] = '\0';
	/* Any hex digits in the 8-4-4-4-12 form, not only version 4. */
	if (!uuid_valid(cand))
		return;
	for (i = 0; i < UUID_STRLEN; i++)
		out[i] = (char)tolower((unsigned char)cand[i]);
	out[UUID_STRLEN] = '\0';
}

/* Copies a version string if it is plain printable text. */
static void
set_user_agent(struct payload *p, const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len >= sizeof(p->user_agent))
		return;
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return;
	memcpy(p->user_agent, s, len);
	p->user_agent[len] = '\0';
}

/* The full check: the whole document parsed (jansson). */
static int
parse_json(struct payload *p, const struct inject_opts *o, char *why,
    size_t whylen)
{
	json_error_t	 e;
	json_t		*root, *v;
	const char	*s;
	int		 r = ERR_FORMAT;

	/*
	 * Integers beyond int64 (SNMP 64-bit counters) are valid JSON, as
	 * passeur serve takes them: read as reals, never written back.
	 */
	if ((root = json_loadb(p->content.data, p->content.len,
	    JSON_DECODE_INT_AS_REAL, &e)) == NULL) {
		snprintf(why, whylen, "not an inventory: invalid JSON at line "
		    "%d: %s", e.line, e.text);
		return ERR_FORMAT;
	}
	if (!json_is_object(root))
		snprintf(why, whylen, "not an inventory: JSON that is not an "
		    "object");
	else if ((s = json_string_value(json_object_get(root, "deviceid"))) ==
	    NULL || *s == '\0')
		snprintf(why, whylen, "not an inventory: no deviceid");
	else {
		snprintf(p->deviceid, sizeof(p->deviceid), "%s", s);
		v = json_object_get(root, "action");
		if (json_is_string(v))
			snprintf(p->action, sizeof(p->action), "%s",
			    json_string_value(v));
		else if (v != NULL)
			snprintf(p->action, sizeof(p->action), "?");
		v = json_object_get(json_object_get(root, "content"),
		    "versionclient");
		if (o->content_ua && json_is_string(v))
			set_user_agent(p, json_string_value(v),
			    json_string_length(v));
		r = 0;
	}
	json_decref(root);
	return r;
}

/*
 * Before sending, the structure and the two fields are enough (the
 * server parses what it receives): a scan, with the full parse only when
 * the scan cannot tell, for its precise message or an escaped value.
 */
static int
check_json(struct payload *p, const struct inject_opts *o, int full,
    char *why, size_t whylen)
{
	static const char *const deviceid[] = { "deviceid", NULL };
	static const char *const version[] = { "content", "versionclient",
	    NULL };
	static const char *const action[] = { "action", NULL };
	char		vc[sizeof(p->user_agent)];
	struct jsonpeek	f[3] = {
		{ deviceid, p->deviceid, sizeof(p->deviceid), 0 },
		{ version, vc, sizeof(vc), 0 },
		{ action, p->action, sizeof(p->action), 0 },
	};

	if (full || jsonpeek(p->content.data, p->content.len, f, 3) != 0 ||
	    f[0].found == -1 || (o->content_ua && f[1].found == -1) ||
	    f[2].found == -1)
		return parse_json(p, o, why, whylen);
	if (f[0].found == 0 || p->deviceid[0] == '\0') {
		snprintf(why, whylen, "not an inventory: no deviceid");
		return ERR_FORMAT;
	}
	if (o->content_ua && f[1].found == 1)
		set_user_agent(p, vc, strlen(vc));
	return 0;
}

static int
check_xml(struct payload *p, const struct inject_opts *o, char *why,
    size_t whylen)
{
	struct xml_fields	 f;
	const char		*a, *b;

	if (xmlsniff(p->content.data, p->content.len, &f) != 0) {
		snprintf(why, whylen, "not an inventory: XML that is not "
		    "well-formed");
		return ERR_FORMAT;
	}
	if (f.too_long) {
		snprintf(why, whylen, "not an inventory: its QUERY or DEVICEID "
		    "is too long");
		return ERR_FORMAT;
	}
	if (!f.has_query || f.query[0] == '\0' || !f.has_deviceid ||
	    f.deviceid[0] == '\0') {
		snprintf(why, whylen, "not an inventory: XML without "
		    "REQUEST/QUERY and REQUEST/DEVICEID");
		return ERR_FORMAT;
	}
	snprintf(p->deviceid, sizeof(p->deviceid), "%s", f.deviceid);
	/* REQUEST/CONTENT/VERSIONCLIENT, which the agent writes as text. */
	if (o->content_ua &&
	    (a = strstr(p->content.data, "<VERSIONCLIENT>")) != NULL &&
	    (b = strstr(a, "</VERSIONCLIENT>")) != NULL &&
	    memchr(a + 15, '&', (size_t)(b - a - 15)) == NULL &&
	    memchr(a + 15, '<', (size_t)(b - a - 15)) == NULL)
		set_user_agent(p, a + 15, (size_t)(b - a - 15));
	return 0;
}

int
payload_load(struct payload *p, const char *path,
    const struct inject_opts *o, int encode, char *why, size_t whylen)
{
	const char	*s;
	int		 r;

	memset(p, 0, sizeof(*p));
	p->name = path != NULL ? path : "STDIN DATA";
	p->fd = -1;
	buf_init(&p->content, INJECT_FILE_MAX);
	buf_init(&p->body, INJECT_FILE_MAX);
	snprintf(p->user_agent, sizeof(p->user_agent), "%s", o->useragent);
	if (path != NULL && (r = open_locked(p, path, why, whylen)) != 0)
		return r;
	if ((r = read_all(path != NULL ? p->fd : STDIN_FILENO,
	    &p->content)) != 0) {
		if (r == ERR_TOO_BIG)
			snprintf(why, whylen, "larger than %lu MiB",
			    INJECT_FILE_MAX >> 20);
		else
			snprintf(why, whylen, "cannot read: %s",
			    strerror(errno));
		return r;
	}
	if (p->content.len == 0) {
		snprintf(why, whylen, "empty");
		return ERR_FORMAT;
	}
	if ((r = inflate_stored(p, why, whylen)) != 0)
		return r;
	for (s = p->content.data; isspace((unsigned char)*s); s++)
		;
	if (*s == '{') {
		p->json = 1;
		if ((r = check_json(p, o, !encode, why, whylen)) != 0)
			return r;
		if (!action_is_inventory(p->action)) {
			snprintf(why, whylen, "skipped: control message "
			    "(action \"%s\"), not an inventory", p->action);
			return 1;
		}
		if (path != NULL)
			agentid_of_name(path, p->agentid);
		if (p->agentid[0] == '\0' &&
		    (r = uuid_random(p->agentid)) != 0) {
			snprintf(why, whylen, "cannot make an agent id");
			return r;
		}
	} else if (*s == '<') {
		if ((r = check_xml(p, o, why, whylen)) != 0)
			return r;
	} else {
		snprintf(why, whylen, "not an inventory: neither JSON nor XML");
		return ERR_FORMAT;
	}
	if (!encode)
		return 0;
	if (o->no_compression) {
		p->ctype = p->json ? "Application/json" : "Application/xml";
		return 0;	/* the content itself is sent */
	}
	p->ctype = "Application/x-compress-zlib";
	if (buf_reserve(&p->body, p->content.len / 2 + 1024) != 0 ||
	    compress_deflate(p->content.data, p->content.len,
	    COMPRESS_LEVEL_FAST, &p->body) != 0) {
		snprintf(why, whylen, "cannot compress: out of memory");
		return ERR_NOMEM;
	}
	return 0;
}

void
payload_free(struct payload *p)
{
	if (p->fd != -1)
		close(p->fd);
	p->fd = -1;
	buf_free(&p->content);
	buf_free(&p->body);
}
