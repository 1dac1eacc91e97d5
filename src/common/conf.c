/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "common/conf.h"
#include "common/err.h"
#include "common/log.h"

#define CONF_MAX_FILES	64	/* files loaded by one conf_read() */
#define CONF_MAX_DEPTH	8	/* include nesting */
#define CONF_MAX_LINE	8192

struct conf_ctx {
	conf_cb	 cb;
	void	*arg;
	int	 errors;
	int	 nfiles;
	char	*files[CONF_MAX_FILES];
};

static int	read_file(struct conf_ctx *, const char *, int);

static int
seen_before(struct conf_ctx *ctx, const char *real)
{
	int i;

	for (i = 0; i < ctx->nfiles; i++)
		if (strcmp(ctx->files[i], real) == 0)
			return 1;
	return 0;
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Loads every *.cfg of a folder in sorted order, as the agent does. */
static void
read_folder(struct conf_ctx *ctx, const char *dir, int depth)
{
	DIR		*d;
	struct dirent	*de;
	char		*names[256], path[PATH_MAX];
	size_t		 n = 0, i, len;

	if ((d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL && n < 256) {
		len = strlen(de->d_name);
		if (len > 4 && strcmp(de->d_name + len - 4, ".cfg") == 0 &&
		    (names[n] = strdup(de->d_name)) != NULL)
			n++;
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), cmp_names);
	for (i = 0; i < n; i++) {
		if (snprintf(path, sizeof(path), "%s/%s", dir, names[i]) <
		    (int)sizeof(path))
			read_file(ctx, path, depth + 1);
		free(names[i]);
	}
}

static void
include_path(struct conf_ctx *ctx, const char *from, const char *target,
    int depth, int line)
{
	char		 path[PATH_MAX], base[PATH_MAX], *slash;
	struct stat	 st;
	int		 n;

	if (depth >= CONF_MAX_DEPTH) {
		log_warnx("%s:%d: includes nested too deep, %s skipped", from,
		    line, target);
		return;
	}
	if (target[0] == '/')
		n = snprintf(path, sizeof(path), "%s", target);
	else {
		snprintf(base, sizeof(base), "%s", from);
		if ((slash = strrchr(base, '/')) != NULL)
			*slash = '\0';
		else
			snprintf(base, sizeof(base), ".");
		n = snprintf(path, sizeof(path), "%s/%s", base, target);
	}
	if (n < 0 || (size_t)n >= sizeof(path))
		return;
	if (stat(path, &st) == -1)
		return;		/* a missing include is not an error */
	if (S_ISDIR(st.st_mode))
		read_folder(ctx, path, depth);
	else
		read_file(ctx, path, depth + 1);
}

/*
 * Extracts the value the way the agent does: trailing blanks go; a quoted
 * value runs to the last matching quote; otherwise a trailing comment
 * (blanks, '#', at least one character) goes.
 */
static void
clean_value(char *v)
{
	char	*end, *hash, *q;
	size_t	 len = strlen(v);

	while (len > 0 && isspace((unsigned char)v[len - 1]))
		v[--len] = '\0';
	if (v[0] == '\'' || v[0] == '"') {
		q = strrchr(v + 1, v[0]);
		if (q != NULL) {
			*q = '\0';
			memmove(v, v + 1, (size_t)(q - v));
			return;
		}
	}
	for (hash = strchr(v, '#'); hash != NULL; hash = strchr(hash + 1, '#')) {
		if (hash[1] == '\0')
			break;
		end = hash;
		while (end > v && isspace((unsigned char)end[-1]))
			end--;
		*end = '\0';
		break;
	}
}

static void
parse_line(struct conf_ctx *ctx, const char *file, int lineno, char *s,
    int depth)
{
	char	*key, *val, *p;

	while (isspace((unsigned char)*s))
		s++;
	if (*s == '#' || *s == '\0')
		return;
	key = s;
	while (isalnum((unsigned char)*s) || *s == '_' || *s == '-')
		s++;
	if (s == key)
		return;
	p = s;
	while (isspace((unsigned char)*s))
		s++;
	if (*s != '=') {
		/* `include "file"`: the only assignment without '='. */
		if (p - key == 7 && strncasecmp(key, "include", 7) == 0 &&
		    p != s) {
			clean_value(s);
			if (*s != '\0')
				include_path(ctx, file, s, depth, lineno);
		}
		return;
	}
	*p = '\0';
	s++;
	while (isspace((unsigned char)*s))
		s++;
	val = s;
	clean_value(val);
	if (strcasecmp(key, "include") == 0) {
		if (*val != '\0')
			include_path(ctx, file, val, depth, lineno);
		return;
	}
	if (ctx->cb(ctx->arg, key, val, file, lineno) != 0)
		ctx->errors++;
}

static int
read_file(struct conf_ctx *ctx, const char *path, int depth)
{
	FILE	*fp;
	char	 real[PATH_MAX], *line = NULL;
	size_t	 cap = 0;
	ssize_t	 len;
	int	 lineno = 0;

	if (realpath(path, real) == NULL)
		return errno == ENOENT ? ERR_NOT_FOUND : ERR_SYSTEM;
	if (seen_before(ctx, real))
		return 0;
	if (ctx->nfiles == CONF_MAX_FILES) {
		log_warnx("%s: too many configuration files, skipped", path);
		return 0;
	}
	if ((fp = fopen(path, "r")) == NULL)
		return errno == ENOENT ? ERR_NOT_FOUND : ERR_SYSTEM;
	if ((ctx->files[ctx->nfiles] = strdup(real)) == NULL) {
		fclose(fp);
		return ERR_NOMEM;
	}
	ctx->nfiles++;
	while ((len = getline(&line, &cap, fp)) != -1) {
		lineno++;
		if (len > CONF_MAX_LINE) {
			log_warnx("%s:%d: line too long, ignored", path,
			    lineno);
			continue;
		}
		/* A NUL byte ends the line, as it would in the agent's C. */
		len = (ssize_t)strlen(line);
		while (len > 0 && (line[len - 1] == '\n' ||
		    line[len - 1] == '\r'))
			line[--len] = '\0';
		parse_line(ctx, path, lineno, line, depth);
	}
	free(line);
	fclose(fp);
	return 0;
}

int
conf_read(const char *path, conf_cb cb, void *arg, int *errorsp)
{
	struct conf_ctx	 ctx;
	int		 r, i;

	memset(&ctx, 0, sizeof(ctx));
	ctx.cb = cb;
	ctx.arg = arg;
	r = read_file(&ctx, path, 0);
	for (i = 0; i < ctx.nfiles; i++)
		free(ctx.files[i]);
	if (errorsp != NULL)
		*errorsp = ctx.errors;
	return r;
}

int
conf_bool(const char *v, int empty_is)
{
	static const char *yes[] = { "yes", "true", "on", "1" };
	static const char *no[] = { "no", "false", "off", "0" };
	size_t i, len;

	if (v == NULL || *v == '\0')
		return empty_is;
	for (i = 0; i < 4; i++) {
		if (strcasecmp(v, yes[i]) == 0)
			return 1;
		if (strcasecmp(v, no[i]) == 0)
			return 0;
	}
	len = strlen(v);
	if (v[0] == '0' || (len >= 2 && strcasecmp(v + len - 2, "no") == 0))
		return 0;
	return 1;
}

int
conf_bool_strict(const char *v, int empty_is, int *out)
{
	static const char *yes[] = { "yes", "true", "on", "1" };
	static const char *no[] = { "no", "false", "off", "0" };
	size_t i;

	if (v == NULL || *v == '\0') {
		*out = empty_is;
		return 0;
	}
	for (i = 0; i < 4; i++) {
		if (strcasecmp(v, yes[i]) == 0) {
			*out = 1;
			return 0;
		}
		if (strcasecmp(v, no[i]) == 0) {
			*out = 0;
			return 0;
		}
	}
	return ERR_INVALID;
}

#define DISTANCE_MAX_LEN	64

int
conf_distance(const char *a, const char *b)
{
	int	 row[DISTANCE_MAX_LEN + 1], diag, up, cost;
	size_t	 la = strlen(a), lb = strlen(b), i, j;

	if (la > DISTANCE_MAX_LEN || lb > DISTANCE_MAX_LEN)
		return DISTANCE_MAX_LEN * 2;
	for (j = 0; j <= lb; j++)
		row[j] = (int)j;
	for (i = 1; i <= la; i++) {
		diag = row[0];
		row[0] = (int)i;
		for (j = 1; j <= lb; j++) {
			up = row[j];
			cost = tolower((unsigned char)a[i - 1]) !=
			    tolower((unsigned char)b[j - 1]);
			row[j] = diag + cost;
			if (up + 1 < row[j])
				row[j] = up + 1;
			if (row[j - 1] + 1 < row[j])
				row[j] = row[j - 1] + 1;
			diag = up;
		}
	}
	return row[lb];
}

int
conf_number(const char *v, long long min, long long max, long long *out)
{
	char		*end;
	long long	 n;

	if (v == NULL || !isdigit((unsigned char)*v))
		return ERR_INVALID;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno != 0 || *end != '\0' || n < min || n > max)
		return ERR_INVALID;
	*out = n;
	return 0;
}

const char *
conf_list_next(const char **pp, size_t *lenp)
{
	const char	*p = *pp, *end;
	size_t		 len;

	if (*p == '\0')
		return NULL;
	end = p + strcspn(p, ",");
	while (p < end && isspace((unsigned char)*p))
		p++;
	len = (size_t)(end - p);
	while (len > 0 && isspace((unsigned char)p[len - 1]))
		len--;
	*pp = *end == ',' ? end + 1 : end;
	*lenp = len;
	return p;
}
