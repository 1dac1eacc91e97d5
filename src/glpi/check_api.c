/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "glpi/apimode.h"
#include "glpi/check_api.h"
#include "glpi/rest.h"

static struct check_api_row * __attribute__((format(printf, 3, 4)))
row(struct check_api_row *r, const char *item, const char *expected, ...)
{
	va_list ap;

	memset(r, 0, sizeof(*r));
	r->item = item;
	va_start(ap, expected);
	vsnprintf(r->expected, sizeof(r->expected), expected, ap);
	va_end(ap);
	return r;
}

/* A failure of the API as a row's found and fix. */
static void
failed(struct check_api_row *r, const char *what, const struct rest_error *e)
{
	if (e->code[0] != '\0')
		snprintf(r->found, sizeof(r->found), "%s: %.64s (%.150s)",
		    what, e->code, e->glpi);
	else
		snprintf(r->found, sizeof(r->found), "%s: %.200s", what,
		    e->glpi);
	snprintf(r->fix, sizeof(r->fix), "%s", e->advice);
}

static void
skip(struct check_api_row *r)
{
	r->skipped = 1;
	snprintf(r->found, sizeof(r->found), "not checked: no API session");
}

/* The profile against the configured mode. */
static void
profile_row(const struct glpi_conf *conf, const struct apimode *m,
    struct check_api_row *r, struct check_api_result *res)
{
	int writer = m->mode == GLPI_MODE_SUPER_ADMIN;

	snprintf(r->found, sizeof(r->found), "%s (through the API)",
	    m->profile[0] != '\0' ? m->profile : "no profile");
	if (conf->mode == GLPI_MODE_SUPER_ADMIN && !writer) {
		snprintf(r->fix, sizeof(r->fix), "in GLPI: Administration > "
		    "Users > %s > Authorizations: add the Super-Admin "
		    "profile, or set mode = auto", conf->api_user);
		return;
	}
	if (!writer && strcmp(m->profile, "Read-Only") != 0) {
		snprintf(r->fix, sizeof(r->fix), "in GLPI: Administration > "
		    "Users > %s > Authorizations: add the Read-Only (or "
		    "Super-Admin) profile on the root entity, recursive",
		    conf->api_user);
		return;
	}
	r->ok = 1;
	res->mode = conf->mode == GLPI_MODE_READ_ONLY ? GLPI_MODE_READ_ONLY :
	    m->mode;
}

/* One item of each type read, as the platform's reads do. */
static void
reads_row(struct rest *rest, struct check_api_row *r)
{
	static const char *const types[] = { "Computer", "User", "Entity" };
	struct rest_error	 e;
	char			 path[64];
	size_t			 i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		snprintf(path, sizeof(path), "%s?range=0-0", types[i]);
		if (rest_call(rest, "GET", path, NULL, NULL, &e) != 0 &&
		    strcmp(e.code, "ERROR_RANGE_EXCEED_TOTAL") != 0) {
			failed(r, types[i], &e);
			return;
		}
	}
	snprintf(r->found, sizeof(r->found), "computers, users and entities "
	    "read (through the API)");
	r->ok = 1;
}

/* Which to trust where the database and the API disagree. */
static void
agree_row(const struct check_api_db *db, struct check_api_row *r,
    struct check_api_result *res)
{
	r->ok = 1;
	if (!db->read) {
		snprintf(r->found, sizeof(r->found), "the database rows were "
		    "not read: the API rows stand alone");
		r->ok = res->proven;
		if (!r->ok)
			snprintf(r->fix, sizeof(r->fix), "fix the api.session "
			    "rows above");
	} else if (db->ok && res->proven && db->mode == res->mode)
		snprintf(r->found, sizeof(r->found), "they agree");
	else if (db->ok && res->proven) {
		snprintf(r->found, sizeof(r->found), "the database says %s, "
		    "the API %s: trust the API, whose session has that "
		    "profile", glpi_mode_name(db->mode),
		    glpi_mode_name(res->mode));
		res->trust_api = 1;
	} else if (res->proven) {
		snprintf(r->found, sizeof(r->found), "the API proves what the "
		    "database rows refuse or cannot: trust the API (the rows "
		    "are read from SQL; GLPI 11 keeps tokens encrypted)");
		res->trust_api = 1;
	} else if (db->ok) {
		r->ok = 0;
		snprintf(r->found, sizeof(r->found), "the database rows are "
		    "ok, the API refuses: trust the API, it is what GLPI does "
		    "with these tokens");
		snprintf(r->fix, sizeof(r->fix), "fix the api.session rows; "
		    "check that api_url is the GLPI of this database");
	} else {
		r->ok = 0;
		snprintf(r->found, sizeof(r->found), "both refuse");
		snprintf(r->fix, sizeof(r->fix), "fix the rows marked FAIL "
		    "above");
	}
}

void
check_api(const struct glpi_conf *conf, const struct check_api_db *db,
    struct check_api_row *rows, struct check_api_result *res)
{
	struct check_api_row	*s, *p, *en, *rd, *ag;
	struct rest		*rest = NULL;
	struct rest_error	 e;
	struct apimode		 m;

	memset(res, 0, sizeof(*res));
	res->mode = GLPI_MODE_AUTO;
	s = row(&rows[0], "api.session", "initSession with app_token and "
	    "user_token");
	p = row(&rows[1], "api.session_profile", "%s, through the API",
	    conf->mode == GLPI_MODE_SUPER_ADMIN ? "Super-Admin" :
	    "Super-Admin or Read-Only");
	en = row(&rows[2], "api.session_entities", "the root entity, "
	    "recursive, through the API");
	rd = row(&rows[3], "api.session_reads", "computers, users, entities "
	    "readable");
	ag = row(&rows[4], "api.agree", "the database rows and the API "
	    "agree");
	if (rest_open(conf, &rest, &e) != 0) {
		failed(s, "refused", &e);
		snprintf(res->refused, sizeof(res->refused), "%s", e.code);
		skip(p);
		skip(en);
		skip(rd);
		agree_row(db, ag, res);
		return;
	}
	snprintf(s->found, sizeof(s->found), "session opened (through the "
	    "API)");
	s->ok = 1;
	res->session = 1;
	/* auto: what the session really has, whatever glpi.cfg forces. */
	if (apimode_resolve(rest, GLPI_MODE_AUTO, &m, &e) != 0) {
		failed(p, "unreadable", &e);
		skip(en);
	} else {
		profile_row(conf, &m, p, res);
		snprintf(en->found, sizeof(en->found), "%ld entit%s, the root "
		    "%s", m.nentities, m.nentities == 1 ? "y" : "ies", m.root ?
		    "among them" : "not among them");
		en->ok = m.root;
		if (!m.root)
			snprintf(en->fix, sizeof(en->fix), "in GLPI: give %s "
			    "its profile on the root entity, recursive",
			    conf->api_user);
	}
	reads_row(rest, rd);
	rest_close(rest);
	res->proven = s->ok && p->ok && en->ok && rd->ok;
	if (!res->proven)
		res->mode = GLPI_MODE_AUTO;
	agree_row(db, ag, res);
}
