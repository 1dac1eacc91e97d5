/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/err.h"
#include "inject/collect.h"

#define WALK_MAX_DEPTH	64

/* The folders walked so far: one reached again by a link is skipped. */
struct walked {
	struct {
		dev_t	dev;
		ino_t	ino;
	}	*v;
	size_t	 n, cap;
	int	 depth;
};

int
collect_wanted(const char *name)
{
	static const char *const suffixes[] = { ".data", ".json", ".ocs",
	    ".xml" };
	size_t	len = strlen(name), i, sl;

	for (i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		sl = strlen(suffixes[i]);
		/* The reference's pattern needs one byte before the dot. */
		if (len > sl && strcmp(name + len - sl, suffixes[i]) == 0)
			return 1;
	}
	return 0;
}

int
collect_add(struct items *it, const char *path, off_t size)
{
	struct item	*v;
	size_t		 cap;

	if (it->n == it->cap) {
		cap = it->cap == 0 ? 64 : it->cap * 2;
		if ((v = realloc(it->v, cap * sizeof(*v))) == NULL)
			return ERR_NOMEM;
		it->v = v;
		it->cap = cap;
	}
	if ((it->v[it->n].path = strdup(path)) == NULL)
		return ERR_NOMEM;
	it->v[it->n].size = size;
	it->bytes += size;
	it->n++;
	return 0;
}

static int
byname(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in dir, sorted, without "." and ".."; NULL on error. */
static char **
sorted_names(const char *dir, size_t *np, char *why, size_t whylen)
{
	DIR		*d;
	struct dirent	*de;
	char		**names = NULL, **nn;
	size_t		 n = 0, cap = 0, i;

	if ((d = opendir(dir)) == NULL) {
		snprintf(why, whylen, "cannot read folder %s: %s", dir,
		    strerror(errno));
		return NULL;
	}
	for (;;) {
		errno = 0;
		if ((de = readdir(d)) == NULL)
			break;
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (n == cap) {
			cap = cap == 0 ? 64 : cap * 2;
			if ((nn = realloc(names, cap * sizeof(*nn))) == NULL)
				break;
			names = nn;
		}
		if ((names[n] = strdup(de->d_name)) == NULL)
			break;
		n++;
	}
	if (errno != 0) {
		snprintf(why, whylen, "cannot read folder %s: %s", dir,
		    strerror(errno));
		for (i = 0; i < n; i++)
			free(names[i]);
		free(names);
		closedir(d);
		return NULL;
	}
	closedir(d);
	if (n > 0)
		qsort(names, n, sizeof(*names), byname);
	*np = n;
	return names != NULL ? names : calloc(1, sizeof(*names));
}

/* Records dir as walked; 1 when it already was, ERR_NOMEM. */
static int
seen(struct walked *w, const struct stat *st)
{
	size_t	 i, cap;
	void	*v;

	for (i = 0; i < w->n; i++)
		if (w->v[i].dev == st->st_dev && w->v[i].ino == st->st_ino)
			return 1;
	if (w->n == w->cap) {
		cap = w->cap == 0 ? 16 : w->cap * 2;
		if ((v = realloc(w->v, cap * sizeof(*w->v))) == NULL)
			return ERR_NOMEM;
		w->v = v;
		w->cap = cap;
	}
	w->v[w->n].dev = st->st_dev;
	w->v[w->n].ino = st->st_ino;
	w->n++;
	return 0;
}

static int
walk(struct items *it, const char *dir, int recursive, struct walked *up,
    char *why, size_t whylen)
{
	struct stat	 st;
	char		**names, *path;
	size_t		 n = 0, i;
	int		 r = 0;

	if (stat(dir, &st) != 0) {
		snprintf(why, whylen, "cannot read folder %s: %s", dir,
		    strerror(errno));
		return ERR_SYSTEM;
	}
	if ((r = seen(up, &st)) != 0) {
		if (r < 0)
			snprintf(why, whylen, "out of memory");
		return r < 0 ? r : 0;
	}
	if (up->depth == WALK_MAX_DEPTH) {
		snprintf(why, whylen, "folder %s: more than %d levels deep",
		    dir, WALK_MAX_DEPTH);
		return ERR_TOO_BIG;
	}
	up->depth++;
	if ((names = sorted_names(dir, &n, why, whylen)) == NULL) {
		up->depth--;
		return ERR_SYSTEM;
	}
	for (i = 0; i < n && r == 0; i++) {
		if (asprintf(&path, "%s%s%s", dir, dir[strlen(dir) - 1] ==
		    '/' ? "" : "/", names[i]) < 0) {
			snprintf(why, whylen, "out of memory");
			r = ERR_NOMEM;
			break;
		}
		if (stat(path, &st) != 0) {
			/* A dangling link, or gone: the send will say. */
			if (collect_wanted(names[i]))
				r = collect_add(it, path, 0);
		} else if (S_ISDIR(st.st_mode)) {
			if (recursive)
				r = walk(it, path, recursive, up, why, whylen);
		} else if (collect_wanted(names[i]))
			r = collect_add(it, path, st.st_size);
		else
			it->skipped++;
		if (r != 0 && why[0] == '\0')
			snprintf(why, whylen, "out of memory");
		free(path);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	up->depth--;
	return r;
}

int
collect_dir(struct items *it, const char *dir, int recursive, char *why,
    size_t whylen)
{
	struct walked	up = { NULL, 0, 0, 0 };
	int		r;

	why[0] = '\0';
	r = walk(it, dir, recursive, &up, why, whylen);
	free(up.v);
	return r;
}

void
collect_free(struct items *it)
{
	size_t i;

	for (i = 0; i < it->n; i++)
		free(it->v[i].path);
	free(it->v);
	memset(it, 0, sizeof(*it));
}
