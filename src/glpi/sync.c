/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * How a sync reads GLPI.  Each kind of row is walked by id in pages
 * (keyset: "id > last ORDER BY id LIMIT n"), side by side with the ids the
 * copy holds, so memory stays the same for any size:
 *
 *  - an id the copy has and GLPI has not was purged: it leaves the copy;
 *  - an id GLPI has and the copy has not is new: it is read;
 *  - a full run reads every row; an incremental run reads the new ones
 *    and those changed since the last run's watermark (date_mod and the
 *    like, on the kind's own table and on its link tables).
 *
 * A row read is inserted when new, or updated only when a value differs,
 * so the counts say what really changed.  GLPI is read in one consistent
 * snapshot and the copy written in one transaction.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/err.h"
#include "glpi/config.h"
#include "glpi/copy.h"
#include "glpi/db.h"
#include "glpi/schema.h"
#include "glpi/sync.h"

#define ID_PAGE		5000	/* ids read at a time, from GLPI and copy */
#define CHANGED_PAGE	10000	/* changed ids read at a time */
#define FETCH_CHUNK	500	/* ids in one "IN (...)" */
#define SQL_MAX		16384
#define BAR_EVERY_NS	100000000L

/*
 * One kind of row.  The SQL texts name their variable parts: {AFTER} and
 * {LIMIT} for a page, {W} for the watermark, {WHERE} for a condition on
 * the id.
 */
struct kind {
	enum copy_table_id	 table;
	const char		*count;		/* rows in GLPI */
	const char		*ids;		/* a page of ids, in order */
	const char		*changed;	/* ids changed since {W}; NULL:
						   every row is read each run */
	const char		*rows;		/* the copy's columns, in order */
	const char		*idcol;		/* the id as {WHERE} names it */
};

#define COMPUTERS	"FROM glpi_computers c WHERE c.is_template = 0"

static const struct kind kinds[] = {
	{ COPY_ENTITIES,
	  "SELECT COUNT(*) FROM glpi_entities",
	  "SELECT id FROM glpi_entities WHERE id > {AFTER} "
	  "ORDER BY id LIMIT {LIMIT}",
	  "SELECT id FROM glpi_entities WHERE date_mod >= {W}",
	  "SELECT id, name, entities_id, completename, level, date_mod "
	  "FROM glpi_entities WHERE {WHERE}",
	  "id" },
	{ COPY_PROFILES,
	  "SELECT COUNT(*) FROM glpi_profiles",
	  "SELECT id FROM glpi_profiles WHERE id > {AFTER} "
	  "ORDER BY id LIMIT {LIMIT}",
	  NULL,
	  "SELECT id, name, interface FROM glpi_profiles WHERE {WHERE}",
	  "id" },
	{ COPY_USERS,
	  "SELECT COUNT(*) FROM glpi_users",
	  "SELECT id FROM glpi_users WHERE id > {AFTER} "
	  "ORDER BY id LIMIT {LIMIT}",
	  "SELECT id FROM glpi_users WHERE date_mod >= {W}",
	  "SELECT id, name, realname, firstname, entities_id, is_active, "
	  "is_deleted, date_mod FROM glpi_users WHERE {WHERE}",
	  "id" },
	/* The links have no date: every one is read, few values change. */
	{ COPY_PROFILES_USERS,
	  "SELECT COUNT(*) FROM glpi_profiles_users",
	  "SELECT id FROM glpi_profiles_users WHERE id > {AFTER} "
	  "ORDER BY id LIMIT {LIMIT}",
	  NULL,
	  "SELECT id, users_id, profiles_id, entities_id, is_recursive, "
	  "is_default_profile FROM glpi_profiles_users WHERE {WHERE}",
	  "id" },
	/*
	 * A computer's OS is its first link of itemtype Computer; its agent
	 * the one heard from last.  An inventory stamps the computer, its OS
	 * link or its ports, and the agent's last contact.
	 */
	{ COPY_COMPUTERS,
	  "SELECT COUNT(*) " COMPUTERS,
	  "SELECT c.id " COMPUTERS " AND c.id > {AFTER} "
	  "ORDER BY c.id LIMIT {LIMIT}",
	  "SELECT id FROM glpi_computers WHERE date_mod >= {W} "
	  "UNION SELECT id FROM glpi_computers WHERE "
	  "last_inventory_update >= {W} "
	  "UNION SELECT items_id FROM glpi_items_operatingsystems "
	  "WHERE itemtype = 'Computer' AND date_mod >= {W} "
	  "UNION SELECT items_id FROM glpi_networkports "
	  "WHERE itemtype = 'Computer' AND date_mod >= {W} "
	  "UNION SELECT items_id FROM glpi_agents "
	  "WHERE itemtype = 'Computer' AND last_contact >= {W}",
	  "SELECT c.id, c.name, c.serial, c.uuid, c.entities_id, "
	  "os.name, osv.name, "
	  "(SELECT GROUP_CONCAT(DISTINCT LOWER(p.mac) ORDER BY LOWER(p.mac) "
	  "SEPARATOR ',') FROM glpi_networkports p WHERE p.itemtype = "
	  "'Computer' AND p.items_id = c.id AND p.is_deleted = 0 AND "
	  "p.mac <> '' AND p.mac <> '00:00:00:00:00:00'), "
	  "(SELECT GROUP_CONCAT(DISTINCT a.name ORDER BY a.name SEPARATOR "
	  "',') FROM glpi_ipaddresses a WHERE a.mainitemtype = 'Computer' "
	  "AND a.mainitems_id = c.id AND a.is_deleted = 0 AND a.name <> ''), "
	  "ag.deviceid, ag.last_contact, c.last_inventory_update, c.date_mod, "
	  "c.is_deleted "
	  "FROM glpi_computers c "
	  "LEFT JOIN glpi_items_operatingsystems io ON io.id = "
	  "(SELECT MIN(i.id) FROM glpi_items_operatingsystems i WHERE "
	  "i.itemtype = 'Computer' AND i.items_id = c.id AND "
	  "i.is_deleted = 0) "
	  "LEFT JOIN glpi_operatingsystems os ON "
	  "os.id = io.operatingsystems_id "
	  "LEFT JOIN glpi_operatingsystemversions osv ON "
	  "osv.id = io.operatingsystemversions_id "
	  "LEFT JOIN glpi_agents ag ON ag.id = "
	  "(SELECT g.id FROM glpi_agents g WHERE g.itemtype = 'Computer' AND "
	  "g.items_id = c.id ORDER BY g.last_contact DESC, g.id LIMIT 1) "
	  "WHERE c.is_template = 0 AND {WHERE}",
	  "c.id" },
};
#define NKINDS	(sizeof(kinds) / sizeof(kinds[0]))

struct counts {
	long long	added, updated, removed, total;
};

/* A page of ids from the copy, read ahead of the GLPI walk. */
struct idpage {
	long long	v[ID_PAGE];
	int		n, i, end;
};

struct sync {
	const struct glpi_conf	*conf;
	struct db		*db;
	sqlite3			*sq;
	int			 full, bar;
	char			 wm[64];	/* quoted: since when */
	char			 why[2048];
	struct counts		 counts[COPY_NTABLES];
	/* The kind at work. */
	const struct kind	*k;
	struct counts		*c;
	sqlite3_stmt		*insert, *update, *remove, *local_ids;
	int			 every;		/* read every row */
	long long		 pending[FETCH_CHUNK];
	int			 npending;
	int			 failed;	/* ERR_* of a row, or 0 */
	char			 chg_sql[SQL_MAX];	/* a page of changes */
	long long		 chg[CHANGED_PAGE];	/* the first page */
	int			 nchg;
	long long		 seen, expected;
	struct timespec		 drawn;
};

/* Expands tmpl's {NAME}s from the NULL-ended name, value pairs. */
static int
fill(char *out, size_t outlen, const char *tmpl, const char *const *pairs)
{
	const char	*const *p;
	size_t		 len = 0, n;

	while (*tmpl != '\0') {
		for (p = pairs; *p != NULL; p += 2)
			if (strncmp(tmpl, p[0], strlen(p[0])) == 0)
				break;
		if (*p != NULL) {
			n = strlen(p[1]);
			tmpl += strlen(p[0]);
		} else
			n = 1;
		if (len + n >= outlen)
			return ERR_TOO_BIG;
		memcpy(out + len, *p != NULL ? p[1] : tmpl++, n);
		len += n;
	}
	out[len] = '\0';
	return 0;
}

static const char *
table_name(const struct sync *s)
{
	return copy_tables[s->k->table].name;
}

static void
bar(struct sync *s, int last)
{
	struct timespec	now;
	long long	pct;
	int		i, w;

	if (!s->bar)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!last && (now.tv_sec - s->drawn.tv_sec) * 1000000000L +
	    (now.tv_nsec - s->drawn.tv_nsec) < BAR_EVERY_NS)
		return;
	s->drawn = now;
	pct = s->expected > 0 ? s->seen * 100 / s->expected : 100;
	if (pct > 100)
		pct = 100;
	w = (int)(pct * 30 / 100);
	fprintf(stderr, "\r%-15s [", table_name(s));
	for (i = 0; i < 30; i++)
		fputc(i < w ? '#' : ' ', stderr);
	fprintf(stderr, "] %3lld%%  %lld/%lld\033[K", pct, s->seen,
	    s->expected);
	if (last)
		fputs("\r\033[K", stderr);
	fflush(stderr);
}

static int
glpi_fail(struct sync *s, const char *what, const char *why)
{
	snprintf(s->why, sizeof(s->why), "reading %s from GLPI (%s): %s",
	    table_name(s), what, why);
	return ERR_PEER;
}

static int
copy_fail(struct sync *s, const char *what)
{
	snprintf(s->why, sizeof(s->why), "writing %s to the copy (%s): %s",
	    table_name(s), what, sqlite3_errmsg(s->sq));
	return ERR_LIBRARY;
}

/* Copies one GLPI row: inserted when new, updated when it differs. */
static int
put_row(void *arg, int nf, const char *const *v)
{
	struct sync	*s = arg;
	int		 i, r;

	if (nf != copy_tables[s->k->table].ncolumns) {
		snprintf(s->why, sizeof(s->why), "reading %s from GLPI: %d "
		    "columns for %d", table_name(s), nf,
		    copy_tables[s->k->table].ncolumns);
		s->failed = ERR_PEER;
		return 1;
	}
	for (i = 0; i < nf; i++) {
		if (v[i] == NULL) {
			sqlite3_bind_null(s->insert, i + 1);
			sqlite3_bind_null(s->update, i + 1);
		} else {
			sqlite3_bind_text(s->insert, i + 1, v[i], -1,
			    SQLITE_STATIC);
			sqlite3_bind_text(s->update, i + 1, v[i], -1,
			    SQLITE_STATIC);
		}
	}
	r = sqlite3_step(s->insert);
	sqlite3_reset(s->insert);
	if (r != SQLITE_DONE)
		goto fail;
	if (sqlite3_changes(s->sq) > 0) {
		s->c->added++;
		return 0;
	}
	r = sqlite3_step(s->update);
	sqlite3_reset(s->update);
	if (r != SQLITE_DONE)
		goto fail;
	if (sqlite3_changes(s->sq) > 0)
		s->c->updated++;
	return 0;
fail:
	s->failed = copy_fail(s, "a row");
	return 1;
}

/* Reads and copies the rows whose id meets cond. */
static int
fetch(struct sync *s, const char *cond)
{
	static char	sql[SQL_MAX];
	const char	*pairs[] = { "{WHERE}", cond, NULL };
	char		why[512];

	if (fill(sql, sizeof(sql), s->k->rows, pairs) != 0)
		return glpi_fail(s, "rows", "query too long");
	s->failed = 0;
	if (db_rows(s->db, sql, put_row, s, why, sizeof(why)) < 0)
		return glpi_fail(s, "rows", why);
	return s->failed;
}

static int
fetch_between(struct sync *s, long long first, long long last)
{
	char cond[160];

	snprintf(cond, sizeof(cond), "%s BETWEEN %lld AND %lld", s->k->idcol,
	    first, last);
	return fetch(s, cond);
}

/* Reads the pending ids' rows. */
static int
flush(struct sync *s)
{
	char	cond[FETCH_CHUNK * 22 + 64];
	size_t	len;
	int	i;

	if (s->npending == 0)
		return 0;
	len = (size_t)snprintf(cond, sizeof(cond), "%s IN (", s->k->idcol);
	for (i = 0; i < s->npending; i++)
		len += (size_t)snprintf(cond + len, sizeof(cond) - len,
		    "%s%lld", i > 0 ? "," : "", s->pending[i]);
	snprintf(cond + len, sizeof(cond) - len, ")");
	s->npending = 0;
	return fetch(s, cond);
}

static int
pend(struct sync *s, long long id)
{
	s->pending[s->npending++] = id;
	return s->npending == FETCH_CHUNK ? flush(s) : 0;
}

struct ids {
	long long	*v;
	int		 n, max;
};

static int
take_id(void *arg, int nf, const char *const *v)
{
	struct ids *ids = arg;

	if (nf < 1 || v[0] == NULL || ids->n == ids->max)
		return 1;
	ids->v[ids->n++] = strtoll(v[0], NULL, 10);
	return 0;
}

/* A page of GLPI ids after after, from tmpl (an ids query). */
static int
glpi_ids(struct sync *s, const char *tmpl, long long after, long long *v,
    int max)
{
	static char	 sql[SQL_MAX];
	char		 a[24], l[16], why[512];
	const char	*pairs[] = { "{AFTER}", a, "{LIMIT}", l, "{W}", s->wm,
			    NULL };
	struct ids	 ids = { v, 0, max };

	snprintf(a, sizeof(a), "%lld", after);
	snprintf(l, sizeof(l), "%d", max);
	if (fill(sql, sizeof(sql), tmpl, pairs) != 0)
		return glpi_fail(s, "ids", "query too long");
	if (db_rows(s->db, sql, take_id, &ids, why, sizeof(why)) < 0)
		return glpi_fail(s, "ids", why);
	return ids.n;
}

/*
 * The copy's next id into *id without taking it: 1, or 0 at the end.
 * Pages are read after the last id taken, so rows the walk inserts below
 * it are not seen again.
 */
static int
local_peek(struct sync *s, struct idpage *p, long long *id)
{
	long long	after;
	int		r;

	if (p->i == p->n) {
		if (p->end)
			return 0;
		after = p->n > 0 ? p->v[p->n - 1] : -1;
		sqlite3_bind_int64(s->local_ids, 1, after);
		sqlite3_bind_int(s->local_ids, 2, ID_PAGE);
		p->n = p->i = 0;
		while ((r = sqlite3_step(s->local_ids)) == SQLITE_ROW)
			p->v[p->n++] = sqlite3_column_int64(s->local_ids, 0);
		sqlite3_reset(s->local_ids);
		if (r != SQLITE_DONE)
			return copy_fail(s, "ids");
		p->end = p->n < ID_PAGE;
		if (p->n == 0)
			return 0;
	}
	*id = p->v[p->i];
	return 1;
}

static int
remove_local(struct sync *s, long long id)
{
	int r;

	sqlite3_bind_int64(s->remove, 1, id);
	r = sqlite3_step(s->remove);
	sqlite3_reset(s->remove);
	if (r != SQLITE_DONE)
		return copy_fail(s, "removing a row");
	s->c->removed++;
	return 0;
}

/*
 * Walks GLPI's ids and the copy's side by side.  Removes what GLPI
 * purged; reads the new rows, or every row of a full run.
 */
static int
walk(struct sync *s)
{
	static long long	 g[ID_PAGE];
	static struct idpage	 lp;
	long long		 after = -1, prev = -1, l;
	int			 n, i, r, every = s->every;

	memset(&lp, 0, sizeof(lp));
	do {
		if ((n = glpi_ids(s, s->k->ids, after, g, ID_PAGE)) < 0)
			return n;
		for (i = 0; i < n; i++) {
			while ((r = local_peek(s, &lp, &l)) == 1 && l < g[i]) {
				lp.i++;
				/* At or below prev: a row this walk wrote. */
				if (l > prev && (r = remove_local(s, l)) != 0)
					return r;
			}
			if (r < 0)
				return r;
			if (r == 1 && l == g[i])
				lp.i++;
			else if (!every && (r = pend(s, g[i])) != 0)
				return r;
			prev = g[i];
		}
		if (n > 0 && every &&
		    (r = fetch_between(s, g[0], g[n - 1])) != 0)
			return r;
		s->seen += n;
		bar(s, 0);
		after = n > 0 ? g[n - 1] : after;
	} while (n == ID_PAGE);
	while ((r = local_peek(s, &lp, &l)) == 1) {
		lp.i++;
		if (l > prev && (r = remove_local(s, l)) != 0)
			return r;
	}
	return r < 0 ? r : flush(s);
}

static sqlite3_stmt *
prepare(struct sync *s, const char *sql)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(s->sq, sql, -1, &st, NULL) != SQLITE_OK) {
		copy_fail(s, "prepare");
		return NULL;
	}
	return st;
}

static long long
local_count(struct sync *s)
{
	sqlite3_stmt	*st;
	char		 sql[128];
	long long	 n = ERR_LIBRARY;

	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM %s", table_name(s));
	if ((st = prepare(s, sql)) == NULL)
		return ERR_LIBRARY;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/*
 * Before the walk of an incremental run: the first page of changed ids.
 * When they are a fifth of the copy or more, reading every row by id
 * ranges costs less than reading them by lists of ids: the kind is then
 * read whole, as in a full run.
 */
static int
plan(struct sync *s)
{
	static char	 count[SQL_MAX], sql[SQL_MAX];
	const char	*pairs[] = { "{CHANGED}", s->k->changed, NULL };
	const char	*since[] = { "{W}", s->wm, NULL };
	char		 v[32], why[512];
	long long	 many, total;

	s->every = s->full || s->k->changed == NULL;
	s->nchg = 0;
	if (s->every)
		return 0;
	if (fill(s->chg_sql, sizeof(s->chg_sql), "SELECT id FROM ({CHANGED}) "
	    "AS ch WHERE id > {AFTER} ORDER BY id LIMIT {LIMIT}", pairs) != 0 ||
	    fill(count, sizeof(count), "SELECT COUNT(*) FROM ({CHANGED}) AS "
	    "ch", pairs) != 0 || fill(sql, sizeof(sql), count, since) != 0)
		return glpi_fail(s, "changes", "query too long");
	if ((s->nchg = glpi_ids(s, s->chg_sql, -1, s->chg, CHANGED_PAGE)) < 0)
		return s->nchg;
	many = s->nchg;
	if (s->nchg == CHANGED_PAGE) {
		if (db_value(s->db, sql, v, sizeof(v), NULL, why,
		    sizeof(why)) < 0)
			return glpi_fail(s, "changes", why);
		many = strtoll(v, NULL, 10);
	}
	if ((total = local_count(s)) < 0)
		return (int)total;
	if (many * 5 > total)
		s->every = 1;
	return 0;
}

/* After the walk: reads the rows changed since the watermark. */
static int
changed(struct sync *s)
{
	int	n = s->nchg, i, r;

	for (;;) {
		for (i = 0; i < n; i++)
			if ((r = pend(s, s->chg[i])) != 0)
				return r;
		if (n < CHANGED_PAGE)
			break;
		if ((n = glpi_ids(s, s->chg_sql, s->chg[n - 1], s->chg,
		    CHANGED_PAGE)) < 0)
			return n;
	}
	return flush(s);
}

/* The insert and the update-when-different of table t. */
static int
prepare_kind(struct sync *s)
{
	const struct copy_table	*t = &copy_tables[s->k->table];
	char			 ins[1024], upd[2048], sql[256];
	size_t			 il, ul, cl;
	int			 i;

	il = (size_t)snprintf(ins, sizeof(ins), "INSERT OR IGNORE INTO %s "
	    "VALUES (?1", t->name);
	ul = (size_t)snprintf(upd, sizeof(upd), "UPDATE %s SET ", t->name);
	for (i = 1; i < t->ncolumns; i++) {
		cl = strcspn(t->columns[i], " ");
		il += (size_t)snprintf(ins + il, sizeof(ins) - il, ", ?%d",
		    i + 1);
		ul += (size_t)snprintf(upd + ul, sizeof(upd) - ul,
		    "%s%.*s = ?%d", i > 1 ? ", " : "", (int)cl, t->columns[i],
		    i + 1);
	}
	snprintf(ins + il, sizeof(ins) - il, ")");
	ul += (size_t)snprintf(upd + ul, sizeof(upd) - ul, " WHERE id = ?1 "
	    "AND (");
	for (i = 1; i < t->ncolumns; i++) {
		cl = strcspn(t->columns[i], " ");
		ul += (size_t)snprintf(upd + ul, sizeof(upd) - ul,
		    "%s%.*s IS NOT ?%d", i > 1 ? " OR " : "", (int)cl,
		    t->columns[i], i + 1);
	}
	snprintf(upd + ul, sizeof(upd) - ul, ")");
	if ((s->insert = prepare(s, ins)) == NULL ||
	    (s->update = prepare(s, upd)) == NULL)
		return ERR_LIBRARY;
	snprintf(sql, sizeof(sql), "DELETE FROM %s WHERE id = ?1", t->name);
	if ((s->remove = prepare(s, sql)) == NULL)
		return ERR_LIBRARY;
	snprintf(sql, sizeof(sql), "SELECT id FROM %s WHERE id > ?1 "
	    "ORDER BY id LIMIT ?2", t->name);
	return (s->local_ids = prepare(s, sql)) == NULL ? ERR_LIBRARY : 0;
}

static void
finish_kind(struct sync *s)
{
	sqlite3_finalize(s->insert);
	sqlite3_finalize(s->update);
	sqlite3_finalize(s->remove);
	sqlite3_finalize(s->local_ids);
	s->insert = s->update = s->remove = s->local_ids = NULL;
}

static int
sync_kind(struct sync *s, const struct kind *k)
{
	char	v[32], why[512];
	int	r;

	s->k = k;
	s->c = &s->counts[k->table];
	s->seen = s->expected = 0;
	s->npending = 0;
	if (s->bar) {
		if (db_value(s->db, k->count, v, sizeof(v), NULL, why,
		    sizeof(why)) < 0)
			return glpi_fail(s, "count", why);
		s->expected = strtoll(v, NULL, 10);
		bar(s, 0);
	}
	if ((r = prepare_kind(s)) == 0 && (r = plan(s)) == 0 &&
	    (r = walk(s)) == 0 && !s->every)
		r = changed(s);
	if (r == 0 && (s->c->total = local_count(s)) < 0)
		r = (int)s->c->total;
	finish_kind(s);
	bar(s, 1);
	return r;
}

/* Where the copy comes from: a copy of another GLPI is made anew. */
static void
source_of(const struct glpi_conf *c, char *out, size_t outlen)
{
	if (c->dbsocket[0] != '\0')
		snprintf(out, outlen, "%s/%s", c->dbsocket, c->dbname);
	else
		snprintf(out, outlen, "%s:%d/%s", c->dbhost, c->dbport,
		    c->dbname);
}

/*
 * Opens GLPI's read snapshot.  The next watermark is the database's clock
 * a minute before the snapshot: a change stamped by a transaction still
 * open, or by a web server whose clock is a little behind, is read again
 * next time rather than missed.
 */
static int
open_glpi(struct sync *s, char *next_wm, size_t len)
{
	enum glpi_schema	schema;
	char			v[64], why[512];
	int			n;

	if ((s->db = db_connect(s->conf, why, sizeof(why))) == NULL) {
		snprintf(s->why, sizeof(s->why), "cannot log in to the GLPI "
		    "database: %s (see passeur glpi check)", why);
		return ERR_TRANSPORT;
	}
	/* 10.0 and 11.0 keep what sync reads in the same tables. */
	if ((n = schema_read(s->db, &schema, v, sizeof(v), why,
	    sizeof(why))) != 0) {
		snprintf(s->why, sizeof(s->why), "%s is not a GLPI 10.0 or "
		    "11.0 database: %s", s->conf->dbname, why);
		return n;
	}
	if ((n = db_exec(s->db, "SET time_zone = '+00:00'", why,
	    sizeof(why))) != 0 || (n = db_value(s->db, "SELECT NOW() - "
	    "INTERVAL 1 MINUTE", v, sizeof(v), NULL, why, sizeof(why))) != 1 ||
	    (n = db_exec(s->db, "START TRANSACTION WITH CONSISTENT SNAPSHOT, "
	    "READ ONLY", why, sizeof(why))) != 0) {
		snprintf(s->why, sizeof(s->why), "GLPI database: %s", why);
		return n < 0 ? n : ERR_PEER;
	}
	snprintf(next_wm, len, "%s", v);
	return 0;
}

/* Opens the copy's transaction; decides between a full and a new run. */
static int
open_copy(struct sync *s, const char *source)
{
	char	old[1400], wm[40];
	int	fresh;

	if ((s->sq = copy_open(s->conf->sync_db, 1, &fresh, s->why,
	    sizeof(s->why))) == NULL)
		return ERR_LIBRARY;
	if (copy_exec(s->sq, "BEGIN IMMEDIATE", s->why, sizeof(s->why)) != 0 ||
	    copy_meta_get(s->sq, "source", old, sizeof(old)) != 0 ||
	    copy_meta_get(s->sq, "watermark", wm, sizeof(wm)) != 0) {
		snprintf(s->why, sizeof(s->why), "%s: %s", s->conf->sync_db,
		    sqlite3_errmsg(s->sq));
		return ERR_LIBRARY;
	}
	/* A watermark is a date; anything else makes the run full. */
	if (fresh || wm[0] == '\0' || wm[strspn(wm, "0123456789-: ")] != '\0' ||
	    strcmp(old, source) != 0)
		s->full = 1;
	snprintf(s->wm, sizeof(s->wm), "'%s'", wm);
	return 0;
}

static void
print_summary(const struct sync *s, const char *source, double secs,
    int json)
{
	size_t	i;
	int	t;

	if (json) {
		printf("{\"mode\":\"%s\",\"seconds\":%.3f", s->full ? "full" :
		    "incremental", secs);
		for (i = 0; i < NKINDS; i++) {
			t = kinds[i].table;
			printf(",\"%s\":{\"added\":%lld,\"updated\":%lld,"
			    "\"removed\":%lld,\"total\":%lld}",
			    copy_tables[t].name, s->counts[t].added,
			    s->counts[t].updated, s->counts[t].removed,
			    s->counts[t].total);
		}
		printf("}\n");
		return;
	}
	printf("%s sync of %s into %s in %.2f s\n", s->full ? "full" :
	    "incremental", source, s->conf->sync_db, secs);
	for (i = 0; i < NKINDS; i++) {
		t = kinds[i].table;
		printf("  %-15s %8lld  (added %lld, updated %lld, removed "
		    "%lld)\n", copy_tables[t].name, s->counts[t].total,
		    s->counts[t].added, s->counts[t].updated,
		    s->counts[t].removed);
	}
}

int
sync_run(const struct glpi_conf *conf, const struct sync_opts *o)
{
	static struct sync	 s;
	struct timespec		 t0, t1;
	char			 source[1400], next_wm[64];
	size_t			 i;
	int			 r = 1;

	memset(&s, 0, sizeof(s));
	s.conf = conf;
	s.full = o->full;
	s.bar = !o->json && isatty(STDERR_FILENO);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	source_of(conf, source, sizeof(source));
	if (open_glpi(&s, next_wm, sizeof(next_wm)) != 0 ||
	    open_copy(&s, source) != 0)
		goto done;
	for (i = 0; i < NKINDS; i++)
		if (sync_kind(&s, &kinds[i]) != 0)
			goto done;
	if (copy_meta_set(s.sq, "source", source) != 0 ||
	    copy_meta_set(s.sq, "watermark", next_wm) != 0 ||
	    copy_meta_set(s.sq, "mode", s.full ? "full" : "incremental") != 0 ||
	    copy_exec(s.sq, "INSERT OR REPLACE INTO meta (key, value) VALUES "
	    "('synced', strftime('%Y-%m-%d %H:%M:%S', 'now'))", s.why,
	    sizeof(s.why)) != 0 ||
	    copy_exec(s.sq, "COMMIT", s.why, sizeof(s.why)) != 0) {
		if (s.why[0] == '\0')
			snprintf(s.why, sizeof(s.why), "%s: %s", conf->sync_db,
			    sqlite3_errmsg(s.sq));
		goto done;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	print_summary(&s, source, (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9, o->json);
	r = fflush(stdout) == 0 ? 0 : 1;
done:
	if (r != 0 && s.why[0] != '\0')
		fprintf(stderr, "passeur glpi sync: %s; the copy is "
		    "unchanged\n", s.why);
	if (s.sq != NULL)
		copy_close(s.sq);	/* rolls back what was not committed */
	if (s.db != NULL)
		db_close(s.db);
	return r;
}
