/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "common/conf.h"
#include "common/err.h"
#include "glpi/config.h"

struct load {
	struct glpi_conf	*c;
	const char		*confdir;
};

const char *
glpi_mode_name(enum glpi_mode mode)
{
	switch (mode) {
	case GLPI_MODE_READ_ONLY:
		return "read-only";
	case GLPI_MODE_SUPER_ADMIN:
		return "super-admin";
	default:
		return "auto";
	}
}

static int
bad(const char *file, int line, const char *key, const char *what)
{
	fprintf(stderr, "%s:%d: %s: %s\n", file, line, key, what);
	return 1;
}

static int
copy(char *dst, size_t dstlen, const char *value, const char *file,
    int line, const char *key)
{
	if (strlen(value) >= dstlen)
		return bad(file, line, key, "value too long");
	memcpy(dst, value, strlen(value) + 1);
	return 0;
}

/*
 * A secret kept in a file: its first line.  Relative names are taken from
 * the configuration folder.  The file's content is never printed.
 */
static int
read_secret(const struct load *ld, char *dst, size_t dstlen,
    const char *value, const char *file, int line, const char *key)
{
	char	 path[4096], buf[1024];
	FILE	*fp;
	size_t	 n;

	snprintf(path, sizeof(path), "%s%s%s", value[0] == '/' ? "" :
	    ld->confdir, value[0] == '/' ? "" : "/", value);
	if ((fp = fopen(path, "r")) == NULL) {
		fprintf(stderr, "%s:%d: %s: %s: %s\n", file, line, key, path,
		    strerror(errno));
		return 1;
	}
	if (fgets(buf, sizeof(buf), fp) == NULL)
		buf[0] = '\0';
	fclose(fp);
	n = strcspn(buf, "\r\n");
	buf[n] = '\0';
	if (n >= dstlen)
		return bad(file, line, key, "the secret in that file is too "
		    "long");
	memcpy(dst, buf, n + 1);
	return 0;
}

/*
 * The text keys: where each goes, and whether its value is the text, a
 * file holding it (the *_file keys of secrets), or a file's name.
 */
enum { TEXT, SECRET_FILE, PATH };

#define TEXT_KEY(key, field, kind) \
	{ key, offsetof(struct glpi_conf, field), \
	    sizeof(((struct glpi_conf *)0)->field), kind }

static const struct text_key {
	const char	*key;
	size_t		 offset, size;
	int		 kind;
} text_keys[] = {
	TEXT_KEY("dbhost", dbhost, TEXT),
	TEXT_KEY("dbname", dbname, TEXT),
	TEXT_KEY("dbuser", dbuser, TEXT),
	TEXT_KEY("dbpassword", dbpassword, TEXT),
	TEXT_KEY("dbpassword_file", dbpassword, SECRET_FILE),
	TEXT_KEY("dbsocket", dbsocket, TEXT),
	TEXT_KEY("dbsslca", dbsslca, PATH),
	TEXT_KEY("dbsslcert", dbsslcert, PATH),
	TEXT_KEY("dbsslkey", dbsslkey, PATH),
	TEXT_KEY("api_url", api_url, TEXT),
	TEXT_KEY("api_client", api_client, TEXT),
	TEXT_KEY("api_user", api_user, TEXT),
	TEXT_KEY("app_token", app_token, TEXT),
	TEXT_KEY("app_token_file", app_token, SECRET_FILE),
	TEXT_KEY("user_token", user_token, TEXT),
	TEXT_KEY("user_token_file", user_token, SECRET_FILE),
	TEXT_KEY("sync_db", sync_db, TEXT),
};

static int
on_key(void *arg, const char *key, const char *value, const char *file,
    int line)
{
	struct load		*ld = arg;
	struct glpi_conf	*c = ld->c;
	const struct text_key	*t;
	char			*dst;
	long long		 n;
	size_t			 i;

	for (i = 0; i < sizeof(text_keys) / sizeof(text_keys[0]); i++) {
		t = &text_keys[i];
		if (strcmp(key, t->key) != 0)
			continue;
		dst = (char *)c + t->offset;
		if (t->kind == SECRET_FILE)
			return read_secret(ld, dst, t->size, value, file, line,
			    key);
		if (t->kind == PATH && value[0] != '/' && value[0] != '\0') {
			if ((size_t)snprintf(dst, t->size, "%s/%s",
			    ld->confdir, value) >= t->size)
				return bad(file, line, key, "value too long");
			return 0;
		}
		return copy(dst, t->size, value, file, line, key);
	}
	if (strcmp(key, "dbsslenable") == 0) {
		if ((c->dbssl = conf_bool(value, -1)) < 0)
			return bad(file, line, key, "yes or no");
		return 0;
	}
	if (strcmp(key, "dbport") == 0) {
		if (conf_number(value, 1, 65535, &n) != 0)
			return bad(file, line, key, "a port from 1 to 65535");
		c->dbport = (int)n;
		return 0;
	}
	if (strcmp(key, "mode") == 0) {
		if (strcasecmp(value, "auto") == 0)
			c->mode = GLPI_MODE_AUTO;
		else if (strcasecmp(value, "read-only") == 0)
			c->mode = GLPI_MODE_READ_ONLY;
		else if (strcasecmp(value, "super-admin") == 0)
			c->mode = GLPI_MODE_SUPER_ADMIN;
		else
			return bad(file, line, key, "auto, read-only or "
			    "super-admin");
		return 0;
	}
	/* Keys of later releases, and typos, are said once and ignored. */
	fprintf(stderr, "%s:%d: unknown key \"%s\" ignored\n", file, line,
	    key);
	return 0;
}

int
glpi_conf_load(const char *confdir, struct glpi_conf *c)
{
	struct load	ld = { c, confdir };
	char		path[4096];
	int		errors = 0, r;

	memset(c, 0, sizeof(*c));
	snprintf(c->dbhost, sizeof(c->dbhost), "localhost");
	c->dbport = 3306;
	snprintf(c->dbname, sizeof(c->dbname), "glpi");
	snprintf(c->api_client, sizeof(c->api_client), "MMC");
	snprintf(c->api_user, sizeof(c->api_user), "glpi");
	snprintf(c->sync_db, sizeof(c->sync_db), "%s", GLPI_SYNC_DB);
	c->mode = GLPI_MODE_AUTO;
	snprintf(path, sizeof(path), "%s/%s", confdir, GLPI_CONF_FILE);
	if ((r = conf_read(path, on_key, &ld, &errors)) != 0) {
		fprintf(stderr, "%s: %s\n", path, r == ERR_NOT_FOUND ?
		    "no such file" : strerror(errno));
		return r;
	}
	if (c->dbuser[0] == '\0') {
		fprintf(stderr, "%s: dbuser is not set\n", path);
		errors++;
	}
	return errors > 0 ? ERR_INVALID : 0;
}
