/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "glpi/config.h"
#include "glpi/copy.h"
#include "glpi/list.h"

#define MAX_FIELDS	16

/*
 * Each list: the command, its SELECT (whose column names are the JSON
 * keys and, upper-cased, the header), the columns --search looks in, and
 * the order.  ?1 is the search pattern.
 */
static const struct list {
	const char	*command;
	const char	*select;
	const char	*search;
	const char	*order;
} lists[] = {
	{ "devices",
	  "SELECT c.id, c.name, c.serial, c.uuid, "
	  "COALESCE(e.completename, e.name) AS entity, "
	  "TRIM(COALESCE(c.os, '') || ' ' || COALESCE(c.os_version, '')) "
	  "AS os, c.macs, c.ips, c.deviceid, c.last_contact, "
	  "c.last_inventory, c.date_mod, c.is_deleted "
	  "FROM computers c LEFT JOIN entities e ON e.id = c.entities_id",
	  "c.name || ' ' || COALESCE(c.serial, '') || ' ' || "
	  "COALESCE(c.uuid, '') || ' ' || COALESCE(c.macs, '') || ' ' || "
	  "COALESCE(c.ips, '') || ' ' || COALESCE(c.deviceid, '')",
	  "c.name, c.id" },
	{ "users",
	  "SELECT u.id, u.name, u.realname, u.firstname, u.is_active, "
	  "u.is_deleted, (SELECT group_concat(COALESCE(p.name, "
	  "'profile ' || pu.profiles_id) || ' on ' || COALESCE(e.completename, "
	  "e.name, 'entity ' || pu.entities_id) || CASE WHEN pu.is_recursive "
	  "THEN ' (recursive)' ELSE '' END, '; ') FROM profiles_users pu "
	  "LEFT JOIN profiles p ON p.id = pu.profiles_id "
	  "LEFT JOIN entities e ON e.id = pu.entities_id "
	  "WHERE pu.users_id = u.id) AS profiles FROM users u",
	  "u.name || ' ' || COALESCE(u.realname, '') || ' ' || "
	  "COALESCE(u.firstname, '')",
	  "u.name, u.id" },
	{ "entities",
	  "SELECT e.id, COALESCE(e.completename, e.name) AS entity, "
	  "e.level, e.parent_id FROM entities e",
	  "COALESCE(e.completename, e.name)",
	  "COALESCE(e.completename, e.name), e.id" },
};

static const struct list *
find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		if (strcmp(lists[i].command, name) == 0)
			return &lists[i];
	return NULL;
}

/* A LIKE pattern that matches text anywhere, its wildcards escaped. */
static void
pattern(const char *text, char *out, size_t outlen)
{
	size_t len = 0;

	out[len++] = '%';
	for (; *text != '\0' && len + 4 < outlen; text++) {
		if (*text == '%' || *text == '_' || *text == '\\')
			out[len++] = '\\';
		out[len++] = *text;
	}
	out[len++] = '%';
	out[len] = '\0';
}

/* A value on a tab-separated line: tabs and newlines become spaces. */
static void
put_field(const char *v)
{
	for (; v != NULL && *v != '\0'; v++)
		putchar(*v == '\t' || *v == '\n' || *v == '\r' ? ' ' : *v);
}

static int
put_json(sqlite3_stmt *st, int n, long long row)
{
	json_t	*o = json_object();
	char	*text;
	int	 i, r;

	for (i = 0; i < n; i++) {
		json_t *v;

		switch (sqlite3_column_type(st, i)) {
		case SQLITE_INTEGER:
			v = json_integer(sqlite3_column_int64(st, i));
			break;
		case SQLITE_NULL:
			v = json_null();
			break;
		default:
			v = json_string((const char *)
			    sqlite3_column_text(st, i));
		}
		/* Text that is not UTF-8 is not a JSON string: null. */
		json_object_set_new(o, sqlite3_column_name(st, i),
		    v != NULL ? v : json_null());
	}
	text = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (text == NULL)
		return ERR_NOMEM;
	r = printf("%s%s", row > 0 ? ",\n" : "[\n", text);
	free(text);
	return r < 0 ? ERR_SYSTEM : 0;
}

int
list_run(const struct glpi_conf *conf, const struct list_opts *o)
{
	const struct list	*l = find(o->what);
	sqlite3			*sq;
	sqlite3_stmt		*st;
	char			 sql[2048], pat[1024], why[2048];
	long long		 row = 0;
	int			 i, n, r;

	if ((sq = copy_open(conf->sync_db, 0, NULL, why, sizeof(why))) ==
	    NULL) {
		fprintf(stderr, "passeur glpi %s: %s\n", o->what, why);
		return 1;
	}
	snprintf(sql, sizeof(sql), "%s%s%s%s ORDER BY %s", l->select,
	    o->search != NULL ? " WHERE " : "",
	    o->search != NULL ? l->search : "",
	    o->search != NULL ? " LIKE ?1 ESCAPE '\\'" : "", l->order);
	if (sqlite3_prepare_v2(sq, sql, -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "passeur glpi %s: %s: %s\n", o->what,
		    conf->sync_db, sqlite3_errmsg(sq));
		copy_close(sq);
		return 1;
	}
	if (o->search != NULL) {
		pattern(o->search, pat, sizeof(pat));
		sqlite3_bind_text(st, 1, pat, -1, SQLITE_STATIC);
	}
	n = sqlite3_column_count(st);
	if (!o->json) {
		for (i = 0; i < n; i++) {
			const char *c = sqlite3_column_name(st, i);

			if (i > 0)
				putchar('\t');
			for (; *c != '\0'; c++)
				putchar(*c >= 'a' && *c <= 'z' ? *c - 32 : *c);
		}
		putchar('\n');
	}
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if (o->json) {
			if (put_json(st, n, row) != 0)
				break;
		} else {
			for (i = 0; i < n; i++) {
				if (i > 0)
					putchar('\t');
				put_field((const char *)
				    sqlite3_column_text(st, i));
			}
			putchar('\n');
		}
		row++;
	}
	if (o->json && r == SQLITE_DONE)
		printf(row > 0 ? "\n]\n" : "[]\n");
	if (r != SQLITE_DONE)
		fprintf(stderr, "passeur glpi %s: %s: %s\n", o->what,
		    conf->sync_db, sqlite3_errmsg(sq));
	sqlite3_finalize(st);
	copy_close(sq);
	return r == SQLITE_DONE && fflush(stdout) == 0 ? 0 : 1;
}
