/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A client of GLPI's REST API v1 (apirest.php, also served as
 * /api.php/v1 by GLPI 11): one session opened with the App-Token and the
 * user token (initSession), the Session-Token on every later call,
 * killSession at the end.  A session GLPI calls invalid is opened again
 * once, and the call made again.  Errors come back classified (struct
 * rest_error): each kind has its own exit status and a message that
 * says what to do.  Lists are walked page by page (range, Content-Range):
 * one page is held at a time, whatever the count.
 *
 * A struct rest is used by one thread; it owns its libcurl handle and
 * the session token.  JSON values handed to callers are theirs to
 * json_decref, except the rows given to a rest_each() callback, which
 * live until it returns.
 */
#ifndef PASSEUR_GLPI_REST_H
#define PASSEUR_GLPI_REST_H

#include <jansson.h>

#include "glpi/config.h"

/*
 * The kinds of failure, each with its exit status (the value) for the
 * commands that use the API.
 */
enum rest_kind {
	REST_OK = 0,
	REST_E_OTHER = 1,	/* any other error GLPI answered */
	REST_E_UNREACHABLE = 10,
	REST_E_API_DISABLED = 11,
	REST_E_IP = 12,		/* no API client admits this address */
	REST_E_APP_TOKEN = 13,	/* missing or wrong */
	REST_E_USER_TOKEN = 14,
	REST_E_SESSION = 15,	/* invalid even after a new initSession */
	REST_E_RIGHT = 16,	/* the profile lacks the right */
	REST_E_NOT_FOUND = 17,
	REST_E_HTML = 18,	/* a web page where JSON was expected */
	REST_E_TRUNCATED = 19,	/* the answer ended early */
};

struct rest_error {
	enum rest_kind	 kind;
	long		 status;	/* HTTP status, 0 without an answer */
	char		 code[64];	/* GLPI's ERROR_... or "" */
	char		 glpi[512];	/* GLPI's own message, or the cause */
	char		 advice[256];	/* what to do */
};

struct rest;

/*
 * The base of every call made from api_url: the GLPI root (apirest.php
 * is added), or a URL ending in /apirest.php or /api.php/v1.  Returns 0,
 * or ERR_TOO_BIG / ERR_INVALID (no http:// or https://).
 */
int	rest_base_url(const char *api_url, char *out, size_t outlen);

/*
 * Opens a session with conf's tokens (initSession).  On success *rp is
 * the caller's (rest_close); on failure it is NULL and *e says why.
 * Returns 0, or a negative ERR_*.
 */
int	rest_open(const struct glpi_conf *conf, struct rest **rp,
	    struct rest_error *e);

/* Ends the session (killSession, its failure ignored) and frees r. */
void	rest_close(struct rest *r);

/*
 * One call: method ("GET", "POST", "PUT", "DELETE") on path (after the
 * base, with its query, e.g. "Computer/3?expand_dropdowns=true"), with
 * the JSON body when not NULL.  *outp (may be NULL) receives the answer's
 * JSON on success, the caller's.  A 2xx is a success; anything else
 * fills *e and returns ERR_PEER (ERR_TRANSPORT without an answer).
 */
int	rest_call(struct rest *r, const char *method, const char *path,
	    json_t *body, json_t **outp, struct rest_error *e);

/*
 * Walks the list at path (an itemtype, with its query if any: "&range"
 * is added) page by page, calling row(arg, item) for every item; a
 * non-zero return of row stops the walk and is returned.  *totalp (may
 * be NULL) receives the count GLPI announced.
 */
int	rest_each(struct rest *r, const char *path,
	    int (*row)(void *, json_t *), void *arg, long *totalp,
	    struct rest_error *e);

/*
 * The id of the itemtype's item named name, through the search API
 * (criteria on the name, equals; for an entity, on its complete name when
 * name holds " > ").  ERR_NOT_FOUND (with *e filled) when
 * there is none; ERR_EXISTS when several have that name.
 */
int	rest_find_by_name(struct rest *r, const char *itemtype,
	    const char *name, long *idp, struct rest_error *e);

/*
 * An answer of GLPI (status, Content-Type, body of len bytes) read as
 * rest_call() does: 0 with *outp (may be NULL) the JSON of a success, or
 * ERR_PEER with *e filled (its texts free of control characters), conf
 * naming the client and the user in the advice.
 */
int	rest_answer_parse(const struct glpi_conf *conf, long status,
	    const char *ctype, const char *body, size_t len, json_t **outp,
	    struct rest_error *e);

/* Content-Range "a-b/total" into *endp, *totalp; 0, or ERR_FORMAT. */
int	rest_content_range(const char *s, long *endp, long *totalp);

/* What went wrong, then what to do, as two lines on stderr. */
void	rest_error_print(const struct rest_error *e, const char *prefix);

#endif
