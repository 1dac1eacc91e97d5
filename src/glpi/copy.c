/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "common/err.h"
#include "glpi/copy.h"

/* Raised whenever a table changes shape; an older copy is then made anew. */
#define COPY_VERSION	1
#define BUSY_MS		10000

const struct copy_table copy_tables[COPY_NTABLES] = {
	[COPY_ENTITIES] = { "entities", 6, {
		"id INTEGER PRIMARY KEY", "name TEXT", "parent_id INTEGER",
		"completename TEXT", "level INTEGER", "date_mod TEXT" },
		"parent_id" },
	[COPY_PROFILES] = { "profiles", 3, {
		"id INTEGER PRIMARY KEY", "name TEXT", "interface TEXT" },
		NULL },
	[COPY_USERS] = { "users", 8, {
		"id INTEGER PRIMARY KEY", "name TEXT", "realname TEXT",
		"firstname TEXT", "entities_id INTEGER", "is_active INTEGER",
		"is_deleted INTEGER", "date_mod TEXT" },
		"name" },
	[COPY_PROFILES_USERS] = { "profiles_users", 6, {
		"id INTEGER PRIMARY KEY", "users_id INTEGER",
		"profiles_id INTEGER", "entities_id INTEGER",
		"is_recursive INTEGER", "is_default_profile INTEGER" },
		"users_id" },
	[COPY_COMPUTERS] = { "computers", 14, {
		"id INTEGER PRIMARY KEY", "name TEXT", "serial TEXT",
		"uuid TEXT", "entities_id INTEGER", "os TEXT",
		"os_version TEXT", "macs TEXT", "ips TEXT", "deviceid TEXT",
		"last_contact TEXT", "last_inventory TEXT", "date_mod TEXT",
		"is_deleted INTEGER" },
		"uuid" },
};

int
copy_exec(sqlite3 *sq, const char *sql, char *why, size_t whylen)
{
	char	*msg = NULL;

	if (sqlite3_exec(sq, sql, NULL, NULL, &msg) == SQLITE_OK)
		return 0;
	snprintf(why, whylen, "%s", msg != NULL ? msg : sqlite3_errmsg(sq));
	sqlite3_free(msg);
	return ERR_LIBRARY;
}

static int
user_version(sqlite3 *sq)
{
	sqlite3_stmt	*st;
	int		 v = ERR_LIBRARY;

	if (sqlite3_prepare_v2(sq, "PRAGMA user_version", -1, &st, NULL) !=
	    SQLITE_OK)
		return ERR_LIBRARY;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* Drops what an older release made and creates every table. */
static int
make_tables(sqlite3 *sq, char *why, size_t whylen)
{
	char	sql[1024];
	size_t	len;
	int	t, c;

	if (copy_exec(sq, "BEGIN IMMEDIATE", why, whylen) != 0)
		return ERR_LIBRARY;
	for (t = 0; t < COPY_NTABLES; t++) {
		const struct copy_table *ct = &copy_tables[t];

		snprintf(sql, sizeof(sql), "DROP TABLE IF EXISTS %s", ct->name);
		if (copy_exec(sq, sql, why, whylen) != 0)
			goto fail;
		len = (size_t)snprintf(sql, sizeof(sql), "CREATE TABLE %s (",
		    ct->name);
		for (c = 0; c < ct->ncolumns; c++)
			len += (size_t)snprintf(sql + len, sizeof(sql) - len,
			    "%s%s", c > 0 ? ", " : "", ct->columns[c]);
		snprintf(sql + len, sizeof(sql) - len, ")");
		if (copy_exec(sq, sql, why, whylen) != 0)
			goto fail;
		if (ct->index == NULL)
			continue;
		snprintf(sql, sizeof(sql), "CREATE INDEX %s_%s ON %s (%s)",
		    ct->name, ct->index, ct->name, ct->index);
		if (copy_exec(sq, sql, why, whylen) != 0)
			goto fail;
	}
	snprintf(sql, sizeof(sql), "DROP TABLE IF EXISTS meta; "
	    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT); "
	    "PRAGMA user_version = %d; COMMIT", COPY_VERSION);
	if (copy_exec(sq, sql, why, whylen) == 0)
		return 0;
fail:
	sqlite3_exec(sq, "ROLLBACK", NULL, NULL, NULL);
	return ERR_LIBRARY;
}

sqlite3 *
copy_open(const char *path, int writable, int *fresh, char *why,
    size_t whylen)
{
	sqlite3	*sq = NULL;
	mode_t	 old;
	int	 r, v;

	if (fresh != NULL)
		*fresh = 0;
	/* The copy names people and machines: not for every local user. */
	old = umask(027);
	r = sqlite3_open_v2(path, &sq, writable ? SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY, NULL);
	umask(old);
	if (r != SQLITE_OK) {
		if (!writable && r == SQLITE_CANTOPEN)
			snprintf(why, whylen, "%s: no copy yet (run \"passeur "
			    "glpi sync\" first)", path);
		else
			snprintf(why, whylen, "%s: %s", path, sq != NULL ?
			    sqlite3_errmsg(sq) : sqlite3_errstr(r));
		sqlite3_close(sq);
		return NULL;
	}
	sqlite3_busy_timeout(sq, BUSY_MS);
	if ((v = user_version(sq)) < 0) {
		snprintf(why, whylen, "%s: %s", path, sqlite3_errmsg(sq));
		goto fail;
	}
	if (!writable) {
		if (v == COPY_VERSION)
			return sq;
		snprintf(why, whylen, "%s: %s (run \"passeur glpi sync\")",
		    path, v == 0 ? "no copy yet" : "made by another release");
		goto fail;
	}
	/* WAL: the list commands read while a sync writes. */
	if (copy_exec(sq, "PRAGMA journal_mode = WAL; "
	    "PRAGMA synchronous = FULL", why, whylen) != 0)
		goto fail;
	if (v != COPY_VERSION) {
		if (make_tables(sq, why, whylen) != 0)
			goto fail;
		if (fresh != NULL)
			*fresh = 1;
	}
	return sq;
fail:
	sqlite3_close(sq);
	return NULL;
}

void
copy_close(sqlite3 *sq)
{
	sqlite3_close(sq);
}

int
copy_meta_get(sqlite3 *sq, const char *key, char *out, size_t outlen)
{
	sqlite3_stmt		*st;
	const unsigned char	*v;
	int			 r;

	out[0] = '\0';
	if (sqlite3_prepare_v2(sq, "SELECT value FROM meta WHERE key = ?1",
	    -1, &st, NULL) != SQLITE_OK)
		return ERR_LIBRARY;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if ((r = sqlite3_step(st)) == SQLITE_ROW &&
	    (v = sqlite3_column_text(st, 0)) != NULL)
		snprintf(out, outlen, "%s", (const char *)v);
	sqlite3_finalize(st);
	return r == SQLITE_ROW || r == SQLITE_DONE ? 0 : ERR_LIBRARY;
}

int
copy_meta_set(sqlite3 *sq, const char *key, const char *value)
{
	sqlite3_stmt	*st;
	int		 r;

	if (sqlite3_prepare_v2(sq, "INSERT OR REPLACE INTO meta (key, value) "
	    "VALUES (?1, ?2)", -1, &st, NULL) != SQLITE_OK)
		return ERR_LIBRARY;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	r = sqlite3_step(st);
	sqlite3_finalize(st);
	return r == SQLITE_DONE ? 0 : ERR_LIBRARY;
}
