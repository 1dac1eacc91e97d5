/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/httpc.h"
#include "glpi/rest.h"

#define REST_TIMEOUT	120	/* seconds, one exchange */
#define REST_PAGE	100	/* items asked per page */
/* A body sent: an item's input, never large. */
#define REST_BODY_MAX	(1024 * 1024)

struct rest {
	const struct curlx	*cx;
	CURL			*c;
	struct httpc_conf	 hc;
	struct httpc		 h;
	const struct glpi_conf	*conf;
	char			 base[600];
	char			 session[128];
};

int
rest_base_url(const char *api_url, char *out, size_t outlen)
{
	size_t	n = strlen(api_url);
	int	w;

	if (strncasecmp(api_url, "http://", 7) != 0 &&
	    strncasecmp(api_url, "https://", 8) != 0)
		return ERR_INVALID;
	while (n > 0 && api_url[n - 1] == '/')
		n--;
	/* apirest.php, or GLPI 11's /api.php/v1, are kept as they are. */
	if ((n >= 12 && strncmp(api_url + n - 12, "/apirest.php", 12) == 0) ||
	    (n >= 11 && strncmp(api_url + n - 11, "/api.php/v1", 11) == 0))
		w = snprintf(out, outlen, "%.*s", (int)n, api_url);
	else
		w = snprintf(out, outlen, "%.*s/apirest.php", (int)n, api_url);
	return w < 0 || (size_t)w >= outlen ? ERR_TOO_BIG : 0;
}

/* The server's text reaches a terminal: no control characters. */
static void
clean(char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

/* GLPI's message less its "; view documentation..." tail. */
static void
set_glpi_message(struct rest_error *e, const char *msg)
{
	const char *tail = strstr(msg, "; view documentation");

	snprintf(e->glpi, sizeof(e->glpi), "%.*s", tail != NULL ?
	    (int)(tail - msg) : (int)strlen(msg), msg);
	clean(e->glpi);
}

/* What the administrator does about each kind of failure. */
static void
advise(const struct glpi_conf *c, struct rest_error *e)
{
	switch (e->kind) {
	case REST_E_UNREACHABLE:
		snprintf(e->advice, sizeof(e->advice), "check api_url in "
		    "glpi.cfg and that GLPI's web server answers from this "
		    "host");
		break;
	case REST_E_API_DISABLED:
		snprintf(e->advice, sizeof(e->advice), "in GLPI: Setup > "
		    "General > API: enable the REST API");
		break;
	case REST_E_IP:
		snprintf(e->advice, sizeof(e->advice), "in GLPI: Setup > "
		    "General > API > %.64s: add this host's address to its "
		    "IPv4 range, or empty the range", c->api_client);
		break;
	case REST_E_APP_TOKEN:
		snprintf(e->advice, sizeof(e->advice), "set app_token in "
		    "glpi.local to the application token of the API client "
		    "%.64s (Setup > General > API)", c->api_client);
		break;
	case REST_E_USER_TOKEN:
		/*
		 * Missing although sent: the Authorization header was lost on
		 * the way (Apache with PHP-FPM strips it unless told; GLPI 11's
		 * /api.php/v1 may not read it).
		 */
		if (strcmp(e->code, "ERROR_LOGIN_PARAMETERS_MISSING") == 0 &&
		    c->user_token[0] != '\0')
			snprintf(e->advice, sizeof(e->advice), "GLPI did not "
			    "get the Authorization header: let the web server "
			    "pass it to PHP, or point api_url at apirest.php");
		else
			snprintf(e->advice, sizeof(e->advice), "set user_token "
			    "in glpi.local to the API token of %.64s "
			    "(Administration > Users > %.64s > Remote access "
			    "keys)", c->api_user, c->api_user);
		break;
	case REST_E_SESSION:
		snprintf(e->advice, sizeof(e->advice), "GLPI refused a session "
		    "it had just opened: check its PHP session storage "
		    "(session.save_path) and session lifetime");
		break;
	case REST_E_RIGHT:
		snprintf(e->advice, sizeof(e->advice), "the profile of %.64s "
		    "lacks this right: give it Super-Admin (Administration > "
		    "Users > %.64s > Authorizations)", c->api_user,
		    c->api_user);
		break;
	case REST_E_NOT_FOUND:
		snprintf(e->advice, sizeof(e->advice), "check the id or name "
		    "(passeur glpi computer|user|entity list)");
		break;
	case REST_E_HTML:
		snprintf(e->advice, sizeof(e->advice), "api_url must be the "
		    "GLPI root or end in /apirest.php; else the web server "
		    "failed (see its error log)");
		break;
	case REST_E_TRUNCATED:
		snprintf(e->advice, sizeof(e->advice), "the web server or a "
		    "proxy cut the answer (see its error log: PHP "
		    "memory_limit, timeouts); try again");
		break;
	default:
		snprintf(e->advice, sizeof(e->advice), "see GLPI's logs "
		    "(files/_logs)");
		break;
	}
}

/* The kind of GLPI's error code, with its message for the cases that
 * share a code. */
static enum rest_kind
kind_of(const char *code, const char *msg)
{
	static const struct {
		const char	*code;
		enum rest_kind	 kind;
	} codes[] = {
		{ "ERROR_NOT_ALLOWED_IP", REST_E_IP },
		{ "ERROR_WRONG_APP_TOKEN_PARAMETER", REST_E_APP_TOKEN },
		{ "ERROR_APP_TOKEN_PARAMETERS_MISSING", REST_E_APP_TOKEN },
		{ "ERROR_GLPI_LOGIN_USER_TOKEN", REST_E_USER_TOKEN },
		{ "ERROR_LOGIN_PARAMETERS_MISSING", REST_E_USER_TOKEN },
		{ "ERROR_GLPI_LOGIN", REST_E_USER_TOKEN },
		{ "ERROR_SESSION_TOKEN_INVALID", REST_E_SESSION },
		{ "ERROR_SESSION_TOKEN_MISSING", REST_E_SESSION },
		{ "ERROR_RIGHT_MISSING", REST_E_RIGHT },
		{ "ERROR_ITEM_NOT_FOUND", REST_E_NOT_FOUND },
	};
	size_t i;

	if (strcmp(code, "ERROR") == 0 && strcasecmp(msg, "API disabled") == 0)
		return REST_E_API_DISABLED;
	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (strcmp(code, codes[i].code) == 0)
			return codes[i].kind;
	/*
	 * A write without the right is ERROR_GLPI_ADD, _UPDATE or _DELETE
	 * with the permission text; a delete of a missing item, the last
	 * with "Item not found".
	 */
	if (strncmp(code, "ERROR_GLPI_", 11) == 0 &&
	    strstr(msg, "permission") != NULL)
		return REST_E_RIGHT;
	if (strcmp(code, "ERROR_GLPI_DELETE") == 0 &&
	    strcasestr(msg, "not found") != NULL)
		return REST_E_NOT_FOUND;
	return REST_E_OTHER;
}

/* Whether the text starts like a web page. */
static int
looks_html(const char *ctype, const char *body)
{
	const char *p = body != NULL ? body : "";

	while (isspace((unsigned char)*p))
		p++;
	return strncasecmp(ctype, "text/html", 9) == 0 || *p == '<';
}

int
rest_answer_parse(const struct glpi_conf *conf, long status,
    const char *ctype, const char *body, size_t len, json_t **outp,
    struct rest_error *e)
{
	json_error_t	 je;
	json_t		*j;
	const char	*code, *msg;

	if (outp != NULL)
		*outp = NULL;
	e->status = status;
	j = json_loadb(body != NULL ? body : "", len, JSON_DECODE_ANY, &je);
	if (j == NULL) {
		if (len > 0 && looks_html(ctype, body)) {
			e->kind = REST_E_HTML;
			snprintf(e->glpi, sizeof(e->glpi), "HTTP %ld, %.128s "
			    "instead of JSON", status, ctype[0] != '\0' ?
			    ctype : "a page");
		} else if (len > 0 && json_error_code(&je) ==
		    json_error_premature_end_of_input) {
			e->kind = REST_E_TRUNCATED;
			snprintf(e->glpi, sizeof(e->glpi), "HTTP %ld, the JSON "
			    "ends after %zu bytes", status, len);
		} else {
			e->kind = REST_E_OTHER;
			snprintf(e->glpi, sizeof(e->glpi), "HTTP %ld, not JSON: "
			    "%s", status, je.text);
		}
		clean(e->glpi);
		advise(conf, e);
		return ERR_PEER;
	}
	if (status >= 200 && status <= 299 && status != 207) {
		if (outp != NULL)
			*outp = j;
		else
			json_decref(j);
		return 0;
	}
	if (json_is_array(j) && json_is_string(json_array_get(j, 0))) {
		code = json_string_value(json_array_get(j, 0));
		msg = json_string_value(json_array_get(j, 1));
		/* A partial failure (207) lists {"id":false,"message":...}. */
		if (msg == NULL)
			msg = json_string_value(json_object_get(json_array_get(
			    json_array_get(j, 1), 0), "message"));
		if (msg == NULL)
			msg = "";
		snprintf(e->code, sizeof(e->code), "%s", code);
		clean(e->code);
		set_glpi_message(e, msg);
		e->kind = kind_of(code, msg);
	} else {
		e->kind = REST_E_OTHER;
		snprintf(e->glpi, sizeof(e->glpi), "HTTP %ld", status);
	}
	json_decref(j);
	advise(conf, e);
	return ERR_PEER;
}

/* The answer a into *outp (on success) or *e; 0 or ERR_PEER. */
static int
classify(const struct rest *r, const struct httpc_answer *a, json_t **outp,
    struct rest_error *e)
{
	return rest_answer_parse(r->conf, a->status, a->ctype, a->body.data,
	    a->body.len, outp, e);
}

/*
 * One exchange: method on path, with the session (or, for initSession,
 * the user token).  Fills *e when no answer came.
 */
static int
exchange(struct rest *r, const char *method, const char *path,
    const char *body, int login, struct httpc_answer *a, struct rest_error *e)
{
	struct httpc_request	 rq;
	struct buf		 url, auth;
	const char		*headers[12];
	int			 i = 0, rc;

	/* The answer is the caller's to free, whatever happens here. */
	memset(a, 0, sizeof(*a));
	memset(&rq, 0, sizeof(rq));
	buf_init(&url, 8192);
	buf_init(&auth, 1024);
	if ((rc = buf_appendf(&url, "%s/%s", r->base, path)) != 0 ||
	    (rc = buf_appendf(&auth, "user_token %s",
	    r->conf->user_token)) != 0) {
		snprintf(e->glpi, sizeof(e->glpi), "the request: %s",
		    err_str(rc));
		e->kind = REST_E_OTHER;
		goto out;
	}
	headers[i++] = "Accept";
	headers[i++] = "application/json";
	headers[i++] = "App-Token";
	headers[i++] = r->conf->app_token;
	if (login) {
		headers[i++] = "Authorization";
		headers[i++] = r->conf->user_token[0] != '\0' ? auth.data : "";
	} else {
		headers[i++] = "Session-Token";
		headers[i++] = r->session;
	}
	headers[i++] = NULL;
	rq.url = url.data;
	rq.headers = headers;
	rq.method = method;
	if (body != NULL) {
		rq.body = body;
		rq.len = strlen(body);
		rq.ctype = "application/json";
	}
	if ((rc = httpc_exchange(&r->h, &rq, a)) != 0) {
		e->kind = a->truncated ? REST_E_TRUNCATED : REST_E_UNREACHABLE;
		snprintf(e->glpi, sizeof(e->glpi), "%.500s", a->error);
		if (a->too_big) {
			e->kind = REST_E_OTHER;
			snprintf(e->glpi, sizeof(e->glpi), "an answer over %d "
			    "MiB", HTTPC_ANSWER_MAX / (1024 * 1024));
		}
		advise(r->conf, e);
	}
out:
	buf_free(&url);
	buf_free(&auth);
	return rc;
}

/* initSession: r->session, or *e. */
static int
login(struct rest *r, struct rest_error *e)
{
	struct httpc_answer	 a;
	json_t			*j = NULL;
	const char		*t;
	int			 rc;

	r->session[0] = '\0';
	if ((rc = exchange(r, NULL, "initSession", NULL, 1, &a, e)) != 0)
		goto out;
	if ((rc = classify(r, &a, &j, e)) != 0)
		goto out;
	if ((t = json_string_value(json_object_get(j, "session_token"))) ==
	    NULL || strlen(t) >= sizeof(r->session) || *t == '\0') {
		e->kind = REST_E_OTHER;
		snprintf(e->glpi, sizeof(e->glpi), "initSession answered no "
		    "session_token");
		advise(r->conf, e);
		rc = ERR_PEER;
		goto out;
	}
	snprintf(r->session, sizeof(r->session), "%s", t);
out:
	json_decref(j);
	buf_free(&a.body);
	return rc;
}

int
rest_open(const struct glpi_conf *conf, struct rest **rp,
    struct rest_error *e)
{
	struct rest	*r;
	const char	*why = NULL;
	int		 rc;

	*rp = NULL;
	memset(e, 0, sizeof(*e));
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return ERR_NOMEM;
	r->conf = conf;
	if ((rc = rest_base_url(conf->api_url, r->base, sizeof(r->base))) !=
	    0) {
		e->kind = REST_E_UNREACHABLE;
		snprintf(e->glpi, sizeof(e->glpi), "api_url \"%.128s\" is not "
		    "an http:// or https:// URL", conf->api_url);
		advise(r->conf, e);
		free(r);
		return rc;
	}
	if ((r->cx = curlx_load(&why)) == NULL ||
	    (r->c = r->cx->easy_init()) == NULL) {
		e->kind = REST_E_UNREACHABLE;
		snprintf(e->glpi, sizeof(e->glpi), "libcurl: %s", why != NULL ?
		    why : "cannot make a handle");
		advise(r->conf, e);
		free(r);
		return ERR_SYSTEM;
	}
	/* The system's CAs, the environment's proxy: nothing else is set. */
	r->hc.timeout = REST_TIMEOUT;
	r->hc.proxy = r->hc.user = r->hc.password = "";
	r->hc.ca_cert_file = r->hc.ca_cert_dir = "";
	r->hc.ssl_cert_file = r->hc.ssl_key_file = "";
	httpc_init(&r->h, r->cx, r->c, &r->hc);
	if ((rc = login(r, e)) != 0) {
		r->cx->easy_cleanup(r->c);
		free(r);
		return rc;
	}
	*rp = r;
	return 0;
}

void
rest_close(struct rest *r)
{
	struct httpc_answer	a;
	struct rest_error	e;

	if (r == NULL)
		return;
	/* Its failure changes nothing: GLPI ends idle sessions itself. */
	if (r->session[0] != '\0') {
		(void)exchange(r, NULL, "killSession", NULL, 0, &a, &e);
		buf_free(&a.body);
	}
	r->cx->easy_cleanup(r->c);
	explicit_bzero(r->session, sizeof(r->session));
	free(r);
}

/*
 * rest_call(), with the answer's Content-Range copied to crange (may be
 * NULL).  A session GLPI calls invalid is opened again, once.
 */
static int
call(struct rest *r, const char *method, const char *path, json_t *body,
    json_t **outp, char *crange, size_t crlen, struct rest_error *e)
{
	struct httpc_answer	 a;
	char			*text = NULL;
	int			 rc, tries;

	memset(e, 0, sizeof(*e));
	if (outp != NULL)
		*outp = NULL;
	if (body != NULL && (text = json_dumps(body, JSON_COMPACT)) == NULL)
		return ERR_NOMEM;
	if (text != NULL && strlen(text) > REST_BODY_MAX) {
		free(text);
		return ERR_TOO_BIG;
	}
	for (tries = 0; tries < 2; tries++) {
		if ((rc = exchange(r, method, path, text, 0, &a, e)) != 0) {
			buf_free(&a.body);
			break;
		}
		if (crange != NULL)
			snprintf(crange, crlen, "%s", a.content_range);
		rc = classify(r, &a, outp, e);
		buf_free(&a.body);
		if (rc == 0 || tries > 0 ||
		    strcmp(e->code, "ERROR_SESSION_TOKEN_INVALID") != 0)
			break;
		/* Expired or killed on GLPI's side: a new one, once. */
		if ((rc = login(r, e)) != 0)
			break;
		memset(e, 0, sizeof(*e));
	}
	free(text);
	return rc;
}

int
rest_call(struct rest *r, const char *method, const char *path,
    json_t *body, json_t **outp, struct rest_error *e)
{
	return call(r, method, path, body, outp, NULL, 0, e);
}

int
rest_content_range(const char *s, long *endp, long *totalp)
{
	long	a, b, t;
	int	n = 0;

	if (sscanf(s, "%ld-%ld/%ld%n", &a, &b, &t, &n) != 3 ||
	    s[n] != '\0' || a < 0 || b < a || t < 0)
		return ERR_FORMAT;
	*endp = b;
	*totalp = t;
	return 0;
}

int
rest_each(struct rest *r, const char *path, int (*row)(void *, json_t *),
    void *arg, long *totalp, struct rest_error *e)
{
	struct buf	 p;
	json_t		*page = NULL, *v;
	char		 crange[96];
	long		 start = 0, end, total = 0;
	size_t		 i;
	int		 rc = 0;

	if (totalp != NULL)
		*totalp = 0;
	buf_init(&p, 8192);
	/* Each page moves start forward, so the walk ends. */
	for (;;) {
		p.len = 0;
		if ((rc = buf_appendf(&p, "%s%crange=%ld-%ld", path,
		    strchr(path, '?') != NULL ? '&' : '?', start,
		    start + REST_PAGE - 1)) != 0)
			break;
		if ((rc = call(r, "GET", p.data, NULL, &page, crange,
		    sizeof(crange), e)) != 0) {
			/* Past the end: how GLPI says the walk is over. */
			if (strcmp(e->code, "ERROR_RANGE_EXCEED_TOTAL") == 0) {
				memset(e, 0, sizeof(*e));
				rc = 0;
			}
			break;
		}
		if (!json_is_array(page)) {
			e->kind = REST_E_OTHER;
			snprintf(e->glpi, sizeof(e->glpi), "%s: a list was "
			    "expected", path);
			advise(r->conf, e);
			rc = ERR_PEER;
			break;
		}
		json_array_foreach(page, i, v)
			if ((rc = row(arg, v)) != 0)
				break;
		if (rc != 0)
			break;
		/* No Content-Range: GLPI sends none for an empty list. */
		if (crange[0] == '\0' || rest_content_range(crange, &end, &total) !=
		    0) {
			if (json_array_size(page) == 0)
				break;
			e->kind = REST_E_OTHER;
			snprintf(e->glpi, sizeof(e->glpi), "%s: no valid "
			    "Content-Range on a page of %zu items", path,
			    json_array_size(page));
			advise(r->conf, e);
			rc = ERR_PEER;
			break;
		}
		if (totalp != NULL)
			*totalp = total;
		/* An empty page or one that does not move on ends the walk,
		 * whatever total a server announces. */
		if (json_array_size(page) == 0 || end + 1 >= total ||
		    end < start) {
			json_decref(page);
			page = NULL;
			break;
		}
		json_decref(page);
		page = NULL;
		start = end + 1;
	}
	json_decref(page);
	buf_free(&p);
	return rc;
}

/* s percent-encoded (RFC 3986 unreserved characters kept) onto b. */
static int
append_escaped(struct buf *b, const char *s)
{
	int rc = 0;

	for (; *s != '\0' && rc == 0; s++) {
		unsigned char c = (unsigned char)*s;

		if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~')
			rc = buf_append(b, s, 1);
		else
			rc = buf_appendf(b, "%%%02X", c);
	}
	return rc;
}

int
rest_find_by_name(struct rest *r, const char *itemtype, const char *name,
    long *idp, struct rest_error *e)
{
	struct buf	 p;
	json_t		*j = NULL, *id;
	json_int_t	 total;
	int		 rc, field;

	*idp = 0;
	buf_init(&p, 8192);
	/*
	 * Search option 1 is the name, but for an entity its complete name
	 * ("Root entity > Paris"); its own name is option 14.
	 */
	field = strcmp(itemtype, "Entity") == 0 && strstr(name, " > ") ==
	    NULL ? 14 : 1;
	if ((rc = buf_appendf(&p, "search/%s?criteria[0][field]=%d&"
	    "criteria[0][searchtype]=equals&criteria[0][value]=",
	    itemtype, field)) != 0 || (rc = append_escaped(&p, name)) != 0 ||
	    (rc = buf_appendf(&p, "&forcedisplay[0]=2&range=0-1")) != 0)
		goto out;
	if ((rc = rest_call(r, "GET", p.data, NULL, &j, e)) != 0)
		goto out;
	total = json_integer_value(json_object_get(j, "totalcount"));
	id = json_object_get(json_array_get(json_object_get(j, "data"), 0),
	    "2");
	if (total == 0 || id == NULL) {
		e->kind = REST_E_NOT_FOUND;
		snprintf(e->glpi, sizeof(e->glpi), "no %s named \"%.128s\"",
		    itemtype, name);
		advise(r->conf, e);
		rc = ERR_NOT_FOUND;
		goto out;
	}
	if (total > 1) {
		e->kind = REST_E_OTHER;
		snprintf(e->glpi, sizeof(e->glpi), "%lld items of type %s are "
		    "named \"%.128s\"", (long long)total, itemtype, name);
		snprintf(e->advice, sizeof(e->advice), "give the id instead "
		    "of the name");
		rc = ERR_EXISTS;
		goto out;
	}
	/* The search API gives ids as numbers, or as text in some fields. */
	*idp = json_is_integer(id) ? (long)json_integer_value(id) :
	    json_is_string(id) ? strtol(json_string_value(id), NULL, 10) : 0;
out:
	json_decref(j);
	buf_free(&p);
	return rc;
}

void
rest_error_print(const struct rest_error *e, const char *prefix)
{
	static const char *const what[] = {
		[REST_E_OTHER] = "GLPI refused the request",
		[REST_E_UNREACHABLE] = "GLPI cannot be reached",
		[REST_E_API_DISABLED] = "GLPI's REST API is disabled",
		[REST_E_IP] = "GLPI does not accept API calls from this "
		    "address",
		[REST_E_APP_TOKEN] = "the application token (app_token) is "
		    "missing or wrong",
		[REST_E_USER_TOKEN] = "the user token (user_token) is missing "
		    "or wrong",
		[REST_E_SESSION] = "the API session expired",
		[REST_E_RIGHT] = "the GLPI profile lacks the right",
		[REST_E_NOT_FOUND] = "no such item",
		[REST_E_HTML] = "a web page came instead of GLPI's API",
		[REST_E_TRUNCATED] = "GLPI's answer was cut short",
	};
	const char *w = (size_t)e->kind < sizeof(what) / sizeof(what[0]) &&
	    what[e->kind] != NULL ? what[e->kind] : what[REST_E_OTHER];

	fprintf(stderr, "%s: %s", prefix, w);
	if (e->code[0] != '\0')
		fprintf(stderr, " (%s: %s)", e->code, e->glpi);
	else if (e->glpi[0] != '\0')
		fprintf(stderr, " (%s)", e->glpi);
	fprintf(stderr, "\n%s: %s\n", prefix, e->advice);
}
