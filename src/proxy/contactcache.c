/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/err.h"
#include "common/fsx.h"
#include "common/log.h"
#include "proxy/config.h"
#include "proxy/contactcache.h"

/* A file holds the answer pretty-printed, the URL and a few words. */
#define FILE_MAX	(4 * CONTACTCACHE_MAX_ANSWER + 8192)
#define TIME_FORMAT	"%Y-%m-%dT%H:%M:%SZ"

struct contact_entry {
	char	*url;		/* NULL: no answer kept */
	char	*answer;	/* as received, NUL-terminated */
	size_t	 len;
	time_t	 when;		/* received */
	time_t	 disk_when;	/* when of the copy on disk, 0: none */
};

struct contactcache {
	pthread_mutex_t		lock;
	char			*dir;
	struct contact_entry	e[CONF_MAX_SERVERS];
};

/* 0 when answer is a JSON object with "status": "ok" and "tasks" {}. */
static int
answer_valid(const char *answer, size_t len)
{
	json_t		*doc, *status, *tasks;
	json_error_t	 err;
	int		 ok;

	if ((doc = json_loadb(answer, len, JSON_REJECT_DUPLICATES, &err)) ==
	    NULL)
		return ERR_FORMAT;
	status = json_object_get(doc, "status");
	tasks = json_object_get(doc, "tasks");
	ok = json_is_object(doc) && json_is_string(status) &&
	    strcmp(json_string_value(status), "ok") == 0 &&
	    json_is_object(tasks);
	json_decref(doc);
	return ok ? 0 : ERR_FORMAT;
}

static void
file_name(char *out, size_t outlen, int server)
{
	snprintf(out, outlen, "contact-server%d.json", server);
}

static void
entry_clear(struct contact_entry *e)
{
	free(e->url);
	free(e->answer);
	memset(e, 0, sizeof(*e));
}

/* The text of the file of server; caller frees; NULL on out of memory. */
static char *
file_text(int server, const char *url, const char *answer, size_t len,
    time_t when)
{
	json_t		*doc, *obj;
	struct tm	 tm;
	char		 at[32], *text;

	if (gmtime_r(&when, &tm) == NULL ||
	    strftime(at, sizeof(at), TIME_FORMAT, &tm) == 0)
		snprintf(at, sizeof(at), "-");
	if ((obj = json_loadb(answer, len, 0, NULL)) == NULL)
		return NULL;
	doc = json_pack("{s:i,s:s,s:s,s:o}", "server", server, "url", url,
	    "received", at, "answer", obj);
	if (doc == NULL)
		return NULL;
	text = json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS);
	json_decref(doc);
	return text;
}

static int
write_file(const struct contactcache *cc, int server, const char *url,
    const char *answer, size_t len, time_t when)
{
	char	 name[64], *text;
	size_t	 tlen;
	int	 r;

	if ((text = file_text(server, url, answer, len, when)) == NULL)
		return ERR_NOMEM;
	tlen = strlen(text);
	text[tlen] = '\n';	/* the NUL is not written */
	file_name(name, sizeof(name), server);
	r = fsx_write_atomic(cc->dir, name, text, tlen + 1, 0640);
	free(text);
	return r;
}

int
contactcache_put(struct contactcache *cc, int server, const char *url,
    const char *answer, size_t len, time_t now)
{
	struct contact_entry	*e;
	char			*u = NULL, *a = NULL;
	int			 same, write, r = 0;

	if (server < 0 || server >= CONF_MAX_SERVERS)
		return ERR_INVALID;
	if (len > CONTACTCACHE_MAX_ANSWER)
		return ERR_TOO_BIG;
	if ((r = answer_valid(answer, len)) != 0)
		return r;
	if ((u = strdup(url)) == NULL || (a = malloc(len + 1)) == NULL) {
		free(u);
		return ERR_NOMEM;
	}
	memcpy(a, answer, len);
	a[len] = '\0';
	pthread_mutex_lock(&cc->lock);
	e = &cc->e[server];
	same = e->url != NULL && strcmp(e->url, url) == 0 && e->len == len &&
	    memcmp(e->answer, answer, len) == 0;
	write = !same || now - e->disk_when >= CONTACTCACHE_REFRESH;
	if (!same) {
		entry_clear(e);
		e->url = u;
		e->answer = a;
		e->len = len;
		u = a = NULL;	/* transferred */
	}
	e->when = now;
	/* Claimed: a put of the same answer meanwhile does not write too. */
	if (write)
		e->disk_when = now;
	pthread_mutex_unlock(&cc->lock);
	free(u);
	free(a);
	if (!write)
		return 0;
	if ((r = write_file(cc, server, url, answer, len, now)) != 0) {
		pthread_mutex_lock(&cc->lock);
		if (e->disk_when == now)
			e->disk_when = 0;
		pthread_mutex_unlock(&cc->lock);
	}
	return r;
}

int
contactcache_get(struct contactcache *cc, int server, const char *url,
    char **answerp, size_t *lenp, time_t *whenp)
{
	const struct contact_entry	*e;
	int				 r = 0;

	*answerp = NULL;
	*lenp = 0;
	*whenp = 0;
	if (server < 0 || server >= CONF_MAX_SERVERS)
		return ERR_NOT_FOUND;
	pthread_mutex_lock(&cc->lock);
	e = &cc->e[server];
	if (e->url == NULL || strcmp(e->url, url) != 0) {
		r = ERR_NOT_FOUND;
		goto out;
	}
	if ((*answerp = malloc(e->len + 1)) == NULL) {
		r = ERR_NOMEM;
		goto out;
	}
	memcpy(*answerp, e->answer, e->len + 1);
	*lenp = e->len;
	*whenp = e->when;
out:
	pthread_mutex_unlock(&cc->lock);
	return r;
}

/* The bytes of dir/name, at most FILE_MAX; caller frees.  0 or ERR_*. */
static int
read_small(const char *dir, const char *name, char **textp, size_t *lenp)
{
	char	*path, *text = NULL;
	FILE	*fp;
	size_t	 len;
	int	 r = 0;

	*textp = NULL;
	*lenp = 0;
	if ((path = fsx_path_in(dir, name)) == NULL)
		return ERR_NOMEM;
	fp = fopen(path, "rb");
	free(path);
	if (fp == NULL)
		return errno == ENOENT ? ERR_NOT_FOUND : ERR_SYSTEM;
	if ((text = malloc(FILE_MAX + 1)) == NULL) {
		r = ERR_NOMEM;
		goto out;
	}
	len = fread(text, 1, FILE_MAX + 1, fp);
	if (ferror(fp)) {
		r = ERR_SYSTEM;
		goto out;
	}
	if (len > FILE_MAX) {
		r = ERR_TOO_BIG;
		goto out;
	}
	*textp = text;
	*lenp = len;
	text = NULL;	/* transferred */
out:
	free(text);
	fclose(fp);
	return r;
}

/* Reads the file of server into its entry; 0, or ERR_* with why. */
static int
load_one(struct contactcache *cc, int server, const char **why)
{
	struct contact_entry	*e = &cc->e[server];
	json_t			*doc = NULL;
	json_int_t		 index;
	const char		*url, *at, *end;
	char			 name[64], *text = NULL, *answer = NULL;
	struct tm		 tm;
	size_t			 len;
	time_t			 when;
	json_t			*obj;
	int			 r;

	*why = "";
	file_name(name, sizeof(name), server);
	if ((r = read_small(cc->dir, name, &text, &len)) != 0) {
		*why = r == ERR_TOO_BIG ? "too large" : r == ERR_SYSTEM ?
		    strerror(errno) : err_str(r);
		goto out;
	}
	r = ERR_FORMAT;
	*why = "not a cached CONTACT answer";
	if ((doc = json_loadb(text, len, 0, NULL)) == NULL ||
	    json_unpack(doc, "{s:I,s:s,s:s,s:o}", "server", &index, "url",
	    &url, "received", &at, "answer", &obj) != 0 ||
	    index != server)
		goto out;
	memset(&tm, 0, sizeof(tm));
	if ((end = strptime(at, TIME_FORMAT, &tm)) == NULL || *end != '\0' ||
	    (when = timegm(&tm)) == (time_t)-1)
		goto out;
	if ((answer = json_dumps(obj, JSON_COMPACT)) == NULL) {
		r = ERR_NOMEM;
		goto out;
	}
	len = strlen(answer);
	if (len > CONTACTCACHE_MAX_ANSWER ||
	    answer_valid(answer, len) != 0)
		goto out;
	if ((e->url = strdup(url)) == NULL) {
		r = ERR_NOMEM;
		goto out;
	}
	e->answer = answer;
	e->len = len;
	e->when = e->disk_when = when;
	answer = NULL;	/* transferred */
	r = 0;
out:
	free(answer);
	free(text);
	json_decref(doc);
	return r;
}

int
contactcache_open(struct contactcache **ccp, const char *dir)
{
	struct contactcache	*cc;
	const char		*why;
	int			 i, r;

	*ccp = NULL;
	if ((cc = calloc(1, sizeof(*cc))) == NULL)
		return ERR_NOMEM;
	if ((cc->dir = strdup(dir)) == NULL) {
		free(cc);
		return ERR_NOMEM;
	}
	pthread_mutex_init(&cc->lock, NULL);
	for (i = 0; i < CONF_MAX_SERVERS; i++) {
		if ((r = load_one(cc, i, &why)) == ERR_NOMEM) {
			contactcache_free(cc);
			return r;
		}
		if (r != 0 && r != ERR_NOT_FOUND)
			log_warnx("%s/contact-server%d.json: %s; ignored", dir,
			    i, why);
	}
	*ccp = cc;
	return 0;
}

void
contactcache_free(struct contactcache *cc)
{
	int i;

	if (cc == NULL)
		return;
	for (i = 0; i < CONF_MAX_SERVERS; i++)
		entry_clear(&cc->e[i]);
	pthread_mutex_destroy(&cc->lock);
	free(cc->dir);
	free(cc);
}
