/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "common/uuid.h"
#include "glpi/setup_account.h"

#define PASSWORD_LEN	32

struct grants {
	const char	*on;		/* "ON `dbname`.*" */
	int		 any;		/* the account exists */
	int		 select, all;
};

static int
on_grant(void *arg, int nf, const char *const *v)
{
	struct grants *g = arg;

	g->any = 1;
	if (nf < 1 || v[0] == NULL || strstr(v[0], g->on) == NULL)
		return 0;
	if (strncmp(v[0], "GRANT ALL PRIVILEGES ", 21) == 0)
		g->all = 1;
	else if (strncmp(v[0], "GRANT SELECT", 12) == 0)
		g->select = 1;
	return 0;
}

/* sql run, or shown (shown: sql with the password masked) in a dry run. */
static int
run(struct db *db, struct setup_account *a, const char *sql,
    const char *shown, const char *what)
{
	char	why[512];
	int	r;

	a->changes++;
	if (a->dry_run) {
		printf("%s;\n", shown != NULL ? shown : sql);
		return 0;
	}
	if ((r = db_exec(db, sql, why, sizeof(why))) != 0) {
		fprintf(stderr, "passeur glpi: %s: %s\n", what, why);
		if (r == ERR_DENIED)
			fprintf(stderr, "passeur glpi: --db-account needs an "
			    "--admin-user that may create accounts and grant "
			    "(CREATE USER, GRANT OPTION)\n");
		return r;
	}
	printf("%s\n", what);
	return 0;
}

/* Whether conf already logs in as the account with its password. */
static int
password_known(const struct glpi_conf *conf, const char *name)
{
	struct db	*db;
	char		 why[512];

	if (strcmp(conf->dbuser, name) != 0 || conf->dbpassword[0] == '\0')
		return 0;
	if ((db = db_connect(conf, why, sizeof(why))) == NULL)
		return 0;
	db_close(db);
	return 1;
}

int
setup_account(struct db *admin, struct glpi_conf *conf,
    struct setup_account *a)
{
	struct grants	g;
	char		acct[600], qn[300], qh[300], on[300], sql[1024];
	char		shown[1024], pw[PASSWORD_LEN + 1], what[400];
	char		why[512];
	size_t		i, n = 0;
	int		r;

	/* The database as an identifier: backquoted, backquotes doubled. */
	on[n++] = '`';
	for (i = 0; conf->dbname[i] != '\0' && n < sizeof(on) - 8; i++) {
		if (conf->dbname[i] == '`')
			on[n++] = '`';
		on[n++] = conf->dbname[i];
	}
	memcpy(on + n, "`.*", 4);
	if (db_quote(admin, a->name, qn, sizeof(qn)) != 0 ||
	    db_quote(admin, a->host, qh, sizeof(qh)) != 0 ||
	    strlen(a->name) >= sizeof(conf->dbuser)) {
		fprintf(stderr, "passeur glpi: --db-account: name too long\n");
		return ERR_INVALID;
	}
	snprintf(acct, sizeof(acct), "%s@%s", qn, qh);
	memset(&g, 0, sizeof(g));
	snprintf(what, sizeof(what), "ON %s", on);
	g.on = what;
	snprintf(sql, sizeof(sql), "SHOW GRANTS FOR %s", acct);
	/* An error: no such account (or not ours to see; CREATE says). */
	(void)db_rows(admin, sql, on_grant, &g, why, sizeof(why));
	if (!g.any || !password_known(conf, a->name)) {
		if ((r = token_random(pw, PASSWORD_LEN)) != 0)
			return r;
		/* Not IF NOT EXISTS: an account we could not see is said. */
		snprintf(sql, sizeof(sql), "%s USER %s IDENTIFIED BY '%s'",
		    g.any ? "ALTER" : "CREATE", acct, pw);
		snprintf(shown, sizeof(shown), "%s USER %s IDENTIFIED BY "
		    "'<new password>'", g.any ? "ALTER" : "CREATE", acct);
		snprintf(what, sizeof(what), "database account %s@%s %s, "
		    "with a new password", a->name, a->host, g.any ?
		    "given" : "created");
		r = run(admin, a, sql, shown, what);
		explicit_bzero(sql, sizeof(sql));
		if (r != 0)
			return r;
		if (!a->dry_run) {
			snprintf(conf->dbuser, sizeof(conf->dbuser), "%s",
			    a->name);
			snprintf(conf->dbpassword, sizeof(conf->dbpassword),
			    "%s", pw);
			a->new_password = 1;
		}
		explicit_bzero(pw, sizeof(pw));
	}
	if (a->read_only && g.all) {
		snprintf(sql, sizeof(sql), "REVOKE ALL PRIVILEGES ON %s FROM "
		    "%s", on, acct);
		snprintf(what, sizeof(what), "write rights on %s taken from "
		    "%s", conf->dbname, a->name);
		if ((r = run(admin, a, sql, NULL, what)) != 0)
			return r;
	}
	if (a->read_only ? !g.select || g.all : !g.all) {
		snprintf(sql, sizeof(sql), "GRANT %s ON %s TO %s",
		    a->read_only ? "SELECT" : "ALL PRIVILEGES", on, acct);
		snprintf(what, sizeof(what), "%s granted on %s (its tables "
		    "and views) to %s", a->read_only ? "SELECT" :
		    "all privileges", conf->dbname, a->name);
		if ((r = run(admin, a, sql, NULL, what)) != 0)
			return r;
	}
	return 0;
}
