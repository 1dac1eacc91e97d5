/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/err.h"
#include "common/log.h"
#include "common/oauth.h"

#define LIFETIME_DEFAULT	3600	/* seconds, when expires_in is absent */
#define RENEW_MARGIN_MAX	60	/* seconds before expiry */

/*
 * One client of one GLPI.  root, id and secret never change once the
 * entry is in the table; token and renew_at are read and written with
 * lock held.  refs counts the threads using the entry (table_lock): an
 * entry in use is never evicted.
 */
struct entry {
	char		*url;		/* token endpoint */
	char		*id, *secret;
	pthread_mutex_t	 lock;
	char		 token[OAUTH_TOKEN_MAX];
	double		 renew_at;	/* monotonic seconds; 0: no token */
	unsigned long	 last_used;
	int		 refs;
};

static pthread_mutex_t	 table_lock = PTHREAD_MUTEX_INITIALIZER;
static struct entry	*table[OAUTH_CACHE_MAX];
static unsigned long	 ticks;

static double
monotonic(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
wipe_free(char *s)
{
	if (s != NULL) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

static void
entry_free(struct entry *e)
{
	if (e == NULL)
		return;
	free(e->url);
	free(e->id);
	wipe_free(e->secret);
	explicit_bzero(e->token, sizeof(e->token));
	pthread_mutex_destroy(&e->lock);
	free(e);
}

static struct entry *
entry_new(const char *url, const char *id, const char *secret)
{
	struct entry *e;

	if ((e = calloc(1, sizeof(*e))) == NULL)
		return NULL;
	pthread_mutex_init(&e->lock, NULL);
	if ((e->url = strdup(url)) == NULL || (e->id = strdup(id)) == NULL ||
	    (e->secret = strdup(secret)) == NULL) {
		entry_free(e);
		return NULL;
	}
	return e;
}

/* Ends with suffix, compared over the last strlen(suffix) bytes. */
static int
ends_with(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);

	return len >= n && strncmp(s + len - n, suffix, n) == 0;
}

int
oauth_token_url(const char *url, char *out, size_t outlen)
{
	const char	*auth, *path, *rest, *p, *cut = NULL;
	size_t		 plen;

	if ((auth = strstr(url, "://")) == NULL)
		return ERR_FORMAT;
	path = auth + 3 + strcspn(auth + 3, "/?#");
	rest = path + strcspn(path, "?#");
	plen = (size_t)(rest - path);
	while (plen > 0 && path[plen - 1] == '/')
		plen--;
	if (ends_with(path, plen, "/front/inventory.php"))
		plen -= strlen("/front/inventory.php");
	else if (ends_with(path, plen, "/Inventory"))
		plen -= strlen("/Inventory");
	else {
		/* The path up to its last "marketplace" or "plugins". */
		for (p = path; p < path + plen; p++)
			if (strncmp(p, "plugins", 7) == 0 ||
			    strncmp(p, "marketplace", 11) == 0)
				cut = p;
		if (cut != NULL)
			plen = (size_t)(cut - path);
	}
	while (plen > 0 && path[plen - 1] == '/')
		plen--;
	if ((size_t)snprintf(out, outlen, "%.*s%.*s/api.php/token%s",
	    (int)(path - url), url, (int)plen, path, rest) >= outlen)
		return ERR_TOO_BIG;
	return 0;
}

/* Appends s percent-encoded as in a form (RFC 3986 unreserved kept). */
static int
form_append(struct buf *b, const char *s)
{
	static const char	hex[] = "0123456789ABCDEF";
	char			e[3];
	int			r;

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~')
			r = buf_append(b, s, 1);
		else {
			e[0] = '%';
			e[1] = hex[c >> 4];
			e[2] = hex[c & 15];
			r = buf_append(b, e, 3);
		}
		if (r != 0)
			return r;
	}
	return 0;
}

/* The OAuth error of a refusal ("invalid_client"), escaped, or "". */
static void
refusal_text(const struct buf *body, char *out, size_t outlen)
{
	json_t		*root;
	const char	*e = NULL;

	out[0] = '\0';
	if (body->data == NULL ||
	    (root = json_loadb(body->data, body->len, 0, NULL)) == NULL)
		return;
	if ((e = json_string_value(json_object_get(root, "error"))) == NULL)
		e = json_string_value(json_object_get(root, "message"));
	if (e != NULL)
		log_escape(out, outlen, e);
	json_decref(root);
}

/*
 * Asks e->url for a token; with e->lock held.  The request body holds the
 * secret and the answer the token: both are wiped before they are freed.
 */
static int
fetch(const struct httpc *h, struct entry *e, char *why, size_t whylen)
{
	struct httpc_request	 rq = { 0 };
	struct httpc_answer	 x;
	struct buf		 form;
	char			 error[128];
	json_t			*root = NULL;
	const char		*t;
	json_int_t		 life = LIFETIME_DEFAULT;
	double			 margin;
	int			 r;

	memset(&x, 0, sizeof(x));
	buf_init(&form, 16 * 1024);
	if ((r = buf_appendf(&form, "grant_type=client_credentials"
	    "&client_id=")) != 0 || (r = form_append(&form, e->id)) != 0 ||
	    (r = buf_appendf(&form, "&client_secret=")) != 0 ||
	    (r = form_append(&form, e->secret)) != 0 ||
	    (r = buf_appendf(&form, "&scope=inventory")) != 0) {
		snprintf(why, whylen, "the OAuth client id and secret are "
		    "too long");
		goto out;
	}
	rq.url = e->url;
	rq.ctype = "application/x-www-form-urlencoded";
	rq.body = form.data;
	rq.len = form.len;
	if (httpc_exchange(h, &rq, &x) != 0) {
		snprintf(why, whylen, "%s: %s", e->url, x.error);
		r = ERR_TRANSPORT;
		goto out;
	}
	if (x.status != 200) {
		refusal_text(&x.body, error, sizeof(error));
		snprintf(why, whylen, "%s: HTTP %ld%s%s", e->url, x.status,
		    error[0] != '\0' ? ": " : "", error);
		r = ERR_PEER;
		goto out;
	}
	if ((root = json_loadb(x.body.data, x.body.len, 0, NULL)) == NULL ||
	    (t = json_string_value(json_object_get(root, "access_token"))) ==
	    NULL || *t == '\0' || strlen(t) >= sizeof(e->token) ||
	    strpbrk(t, "\r\n") != NULL) {
		snprintf(why, whylen, "%s: no usable access_token in the "
		    "answer", e->url);
		r = ERR_FORMAT;
		goto out;
	}
	if (json_is_integer(json_object_get(root, "expires_in")))
		life = json_integer_value(json_object_get(root, "expires_in"));
	if (life < 1)
		life = 1;
	margin = (double)life / 10;
	if (margin > RENEW_MARGIN_MAX)
		margin = RENEW_MARGIN_MAX;
	memcpy(e->token, t, strlen(t) + 1);
	e->renew_at = monotonic() + (double)life - margin;
	r = 0;
out:
	if (root != NULL) {
		/* The token's copy inside the tree. */
		t = json_string_value(json_object_get(root, "access_token"));
		if (t != NULL)
			explicit_bzero((char *)t, strlen(t));
		json_decref(root);
	}
	if (form.data != NULL)
		explicit_bzero(form.data, form.len);
	if (x.body.data != NULL)
		explicit_bzero(x.body.data, x.body.len);
	buf_free(&form);
	buf_free(&x.body);
	return r;
}

/*
 * The entry of (url, id, secret), taken (refs + 1); a new one when absent,
 * in place of the least recently used free entry.  *transient is set when
 * the table is full of entries in use: the caller frees that one.
 */
static struct entry *
take(const char *url, const char *id, const char *secret, int *transient)
{
	struct entry	*e = NULL;
	int		 i, free_slot = -1, victim = -1;

	*transient = 0;
	pthread_mutex_lock(&table_lock);
	for (i = 0; i < OAUTH_CACHE_MAX; i++) {
		struct entry *t = table[i];

		if (t == NULL) {
			if (free_slot < 0)
				free_slot = i;
		} else if (strcmp(t->url, url) == 0 &&
		    strcmp(t->id, id) == 0 && strcmp(t->secret, secret) == 0) {
			e = t;
			break;
		} else if (t->refs == 0 && (victim < 0 ||
		    t->last_used < table[victim]->last_used))
			victim = i;
	}
	if (e == NULL && (e = entry_new(url, id, secret)) != NULL) {
		if (free_slot < 0 && victim >= 0) {
			entry_free(table[victim]);
			table[victim] = NULL;
			free_slot = victim;
		}
		if (free_slot >= 0)
			table[free_slot] = e;
		else
			*transient = 1;
	}
	if (e != NULL) {
		e->refs++;
		e->last_used = ++ticks;
	}
	pthread_mutex_unlock(&table_lock);
	return e;
}

static void
give_back(struct entry *e, int transient)
{
	pthread_mutex_lock(&table_lock);
	e->refs--;
	pthread_mutex_unlock(&table_lock);
	if (transient)
		entry_free(e);
}

int
oauth_authorization(const struct httpc *h, const char *server_url,
    const char *client_id, const char *client_secret, const char *refused,
    char *out, size_t outlen, char *why, size_t whylen)
{
	struct entry	*e;
	char		 url[4096];
	int		 r, transient;

	if (outlen > 0)
		out[0] = '\0';
	why[0] = '\0';
	if ((r = oauth_token_url(server_url, url, sizeof(url))) != 0) {
		snprintf(why, whylen, "cannot make the token URL of %s",
		    r == ERR_FORMAT ? "a URL without a scheme" :
		    "a URL this long");
		return r;
	}
	if ((e = take(url, client_id, client_secret, &transient)) == NULL) {
		snprintf(why, whylen, "out of memory");
		return ERR_NOMEM;
	}
	pthread_mutex_lock(&e->lock);
	/* A refused token is dropped, unless it was replaced meanwhile. */
	if (refused != NULL && e->renew_at > 0 &&
	    strncmp(refused, "Bearer ", 7) == 0 &&
	    strcmp(refused + 7, e->token) == 0)
		e->renew_at = 0;
	r = 0;
	if (e->renew_at == 0 || monotonic() >= e->renew_at) {
		e->renew_at = 0;
		explicit_bzero(e->token, sizeof(e->token));
		r = fetch(h, e, why, whylen);
	}
	if (r == 0 && (size_t)snprintf(out, outlen, "Bearer %s", e->token) >=
	    outlen) {
		snprintf(why, whylen, "the access token is too long");
		r = ERR_TOO_BIG;
	}
	pthread_mutex_unlock(&e->lock);
	give_back(e, transient);
	return r;
}

void
oauth_forget(void)
{
	int i;

	pthread_mutex_lock(&table_lock);
	for (i = 0; i < OAUTH_CACHE_MAX; i++)
		if (table[i] != NULL && table[i]->refs == 0) {
			entry_free(table[i]);
			table[i] = NULL;
		}
	pthread_mutex_unlock(&table_lock);
}
