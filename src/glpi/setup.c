/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "common/err.h"
#include "common/fsx.h"
#include "common/uuid.h"
#include "glpi/db.h"
#include "glpi/schema.h"
#include "glpi/setup.h"
#include "glpi/setup_account.h"
#include "glpi/setup_api.h"
#include "glpi/views.h"

#define TOKEN_LEN	40	/* as GLPI makes them */
#define LOCAL_FILE	"glpi.local"

struct setup {
	struct glpi_conf	*conf;
	const struct setup_opts	*o;
	struct db		*db;
	int			 changes;
	enum glpi_schema	 schema;
};

/*
 * Runs sql, or with --dry-run only prints it (secret tokens masked in
 * what is printed).  shown is the text printed, NULL for sql itself.
 */
static int
change(struct setup *st, const char *sql, const char *shown, const char *what)
{
	char	why[512];
	int	e;

	st->changes++;
	if (st->o->dry_run) {
		printf("%s;\n", shown != NULL ? shown : sql);
		return 0;
	}
	if ((e = db_exec(st->db, sql, why, sizeof(why))) != 0) {
		fprintf(stderr, "passeur glpi: %s: %s\n", what, why);
		/* Not allowed: a read-only account. */
		if (e == ERR_DENIED && st->o->admin_user == NULL)
			fprintf(stderr, "passeur glpi: this account may not "
			    "change GLPI; give an admin account once: passeur "
			    "glpi setup --admin-user NAME\n");
		return e;
	}
	printf("%s\n", what);
	return 0;
}

static int
enable_api(struct setup *st)
{
	char v[16], why[512];
	int  n;

	n = db_value(st->db, "SELECT value FROM glpi_configs WHERE context = "
	    "'core' AND name = 'enable_api'", v, sizeof(v), NULL, why,
	    sizeof(why));
	if (n < 0) {
		fprintf(stderr, "passeur glpi: %s\n", why);
		return n;
	}
	if (n == 1 && strcmp(v, "1") == 0)
		return 0;
	if (n == 1)
		return change(st, "UPDATE glpi_configs SET value = '1' WHERE "
		    "context = 'core' AND name = 'enable_api'", NULL,
		    "REST API enabled");
	return change(st, "INSERT INTO glpi_configs (context, name, value) "
	    "VALUES ('core', 'enable_api', '1')", NULL, "REST API enabled");
}

struct client_row {
	char	id[24], active[4], token[256];
	int	rows;
};

static int
on_client(void *arg, int nf, const char *const *v)
{
	struct client_row *c = arg;

	if (nf < 3)
		return 1;
	c->rows++;
	snprintf(c->id, sizeof(c->id), "%s", v[0] != NULL ? v[0] : "");
	snprintf(c->active, sizeof(c->active), "%s", v[1] != NULL ? v[1] :
	    "");
	snprintf(c->token, sizeof(c->token), "%s", v[2] != NULL ? v[2] : "");
	return 1;
}

/* The API client: created, activated or given a token as needed. */
static int
api_client(struct setup *st, const char *local_ip)
{
	struct glpi_conf	*c = st->conf;
	struct client_row	 cl;
	char			 q[520], sql[1536], shown[1536], tok[TOKEN_LEN + 1];
	char			 range[160], why[512];
	int			 r;

	memset(&cl, 0, sizeof(cl));
	if ((r = db_quote(st->db, c->api_client, q, sizeof(q))) != 0)
		return r;
	snprintf(sql, sizeof(sql), "SELECT id, is_active, app_token FROM "
	    "glpi_apiclients WHERE name = %s ORDER BY is_active DESC, id", q);
	if ((r = db_rows(st->db, sql, on_client, &cl, why,
	    sizeof(why))) < 0) {
		fprintf(stderr, "passeur glpi: %s\n", why);
		return r;
	}
	if (cl.rows == 0) {
		if ((r = token_random(tok, TOKEN_LEN)) != 0)
			return r;
		if (st->o->no_ip_range || local_ip[0] == '\0' ||
		    strchr(local_ip, ':') != NULL)
			snprintf(range, sizeof(range), "NULL, NULL");
		else
			snprintf(range, sizeof(range), "INET_ATON('%s'), "
			    "INET_ATON('%s')", local_ip, local_ip);
		snprintf(sql, sizeof(sql), "INSERT INTO glpi_apiclients "
		    "(entities_id, is_recursive, name, is_active, "
		    "ipv4_range_start, ipv4_range_end, app_token, "
		    "app_token_date, dolog_method, date_mod, date_creation) "
		    "VALUES (0, 1, %s, 1, %s, '%s', NOW(), 0, NOW(), NOW())",
		    q, range, tok);
		snprintf(shown, sizeof(shown), "INSERT INTO glpi_apiclients "
		    "(entities_id, is_recursive, name, is_active, "
		    "ipv4_range_start, ipv4_range_end, app_token, "
		    "app_token_date, dolog_method, date_mod, date_creation) "
		    "VALUES (0, 1, %s, 1, %s, '<new token>', NOW(), 0, NOW(), "
		    "NOW())", q, range);
		if ((r = change(st, sql, shown, "API client created")) != 0)
			return r;
		snprintf(c->app_token, sizeof(c->app_token), "%s", tok);
		return 0;
	}
	if (strcmp(cl.active, "1") != 0) {
		snprintf(sql, sizeof(sql), "UPDATE glpi_apiclients SET "
		    "is_active = 1, date_mod = NOW() WHERE id = %s", cl.id);
		if ((r = change(st, sql, NULL, "API client activated")) != 0)
			return r;
	}
	if (cl.token[0] == '\0') {
		if ((r = token_random(tok, TOKEN_LEN)) != 0)
			return r;
		snprintf(sql, sizeof(sql), "UPDATE glpi_apiclients SET "
		    "app_token = '%s', app_token_date = NOW(), date_mod = "
		    "NOW() WHERE id = %s", tok, cl.id);
		snprintf(shown, sizeof(shown), "UPDATE glpi_apiclients SET "
		    "app_token = '<new token>', app_token_date = NOW(), "
		    "date_mod = NOW() WHERE id = %s", cl.id);
		if ((r = change(st, sql, shown, "API client given an "
		    "application token")) != 0)
			return r;
		snprintf(cl.token, sizeof(cl.token), "%s", tok);
	}
	snprintf(c->app_token, sizeof(c->app_token), "%s", cl.token);
	return 0;
}

struct user_row {
	char	id[24], token[256];
	int	rows;
};

static int
on_user(void *arg, int nf, const char *const *v)
{
	struct user_row *u = arg;

	if (nf < 2)
		return 1;
	u->rows++;
	snprintf(u->id, sizeof(u->id), "%s", v[0] != NULL ? v[0] : "");
	snprintf(u->token, sizeof(u->token), "%s", v[1] != NULL ? v[1] : "");
	return 1;
}

/* The API user's token, generated when it has none. */
static int
api_user(struct setup *st)
{
	struct glpi_conf	*c = st->conf;
	struct user_row		 u;
	char			 q[520], sql[1024], shown[1024], tok[TOKEN_LEN + 1];
	char			 why[512];
	int			 r;

	memset(&u, 0, sizeof(u));
	if ((r = db_quote(st->db, c->api_user, q, sizeof(q))) != 0)
		return r;
	snprintf(sql, sizeof(sql), "SELECT id, api_token FROM glpi_users "
	    "WHERE name = %s AND is_deleted = 0 ORDER BY id", q);
	if ((r = db_rows(st->db, sql, on_user, &u, why, sizeof(why))) < 0) {
		fprintf(stderr, "passeur glpi: %s\n", why);
		return r;
	}
	if (u.rows == 0) {
		fprintf(stderr, "passeur glpi: no GLPI user named %s: set "
		    "api_user to the user the platform acts as\n", c->api_user);
		return ERR_NOT_FOUND;
	}
	if (u.token[0] == '\0') {
		if ((r = token_random(tok, TOKEN_LEN)) != 0)
			return r;
		snprintf(sql, sizeof(sql), "UPDATE glpi_users SET api_token = "
		    "'%s', api_token_date = NOW() WHERE id = %s", tok, u.id);
		snprintf(shown, sizeof(shown), "UPDATE glpi_users SET "
		    "api_token = '<new token>', api_token_date = NOW() WHERE "
		    "id = %s", u.id);
		if ((r = change(st, sql, shown,
		    "API token of the user made")) != 0)
			return r;
		snprintf(u.token, sizeof(u.token), "%s", tok);
	}
	snprintf(c->user_token, sizeof(c->user_token), "%s", u.token);
	return 0;
}

static int
install_views(struct setup *st)
{
	const struct view_def	*views = views_of(st->schema);
	char			 got[512], why[512];
	size_t			 i;
	int			 r;

	for (i = 0; i < nviews; i++) {
		if (views_verify(st->db, st->schema, i, got, sizeof(got)))
			continue;
		st->changes++;
		if (st->o->dry_run) {
			printf("%s;\n", views[i].sql);
			continue;
		}
		if ((r = db_exec(st->db, views[i].sql, why,
		    sizeof(why))) != 0) {
			fprintf(stderr, "passeur glpi: %s: %s\n", views[i].name,
			    why);
			return r;
		}
		printf("view %s created\n", views[i].name);
	}
	return 0;
}

/*
 * glpi.local with app_token and user_token set (tokens), dbuser and
 * dbpassword (account): other lines kept, those keys replaced.  Written
 * atomically, readable by its owner only.
 */
static int
write_local(struct setup *st, int tokens, int account)
{
	const struct glpi_conf	*c = st->conf;
	char			*path, line[2048], key[64], *text = NULL;
	size_t			 len = 0;
	FILE			*fp, *mem;
	int			 r;

	if ((path = fsx_path_in(st->o->confdir, LOCAL_FILE)) == NULL ||
	    (mem = open_memstream(&text, &len)) == NULL) {
		free(path);
		return ERR_NOMEM;
	}
	if ((fp = fopen(path, "r")) != NULL) {
		while (fgets(line, sizeof(line), fp) != NULL) {
			if (sscanf(line, " %63[a-z_] =", key) == 1 &&
			    ((tokens && (strcmp(key, "app_token") == 0 ||
			    strcmp(key, "user_token") == 0 ||
			    strcmp(key, "app_token_file") == 0 ||
			    strcmp(key, "user_token_file") == 0)) ||
			    (account && (strcmp(key, "dbuser") == 0 ||
			    strcmp(key, "dbpassword") == 0 ||
			    strcmp(key, "dbpassword_file") == 0))))
				continue;
			fputs(line, mem);
			if (strchr(line, '\n') == NULL)
				fputc('\n', mem);
		}
		fclose(fp);
	}
	if (account)
		fprintf(mem, "dbuser = %s\ndbpassword = %s\n", c->dbuser,
		    c->dbpassword);
	if (tokens)
		fprintf(mem, "app_token = %s\nuser_token = %s\n",
		    c->app_token, c->user_token);
	fclose(mem);
	r = fsx_write_atomic(st->o->confdir, LOCAL_FILE, text, len, 0600);
	if (r != 0)
		fprintf(stderr, "passeur glpi: cannot write %s: %s\n", path,
		    strerror(errno));
	else
		printf("%s written to %s (mode 0600)\n", tokens && account ?
		    "tokens and database password" : tokens ? "tokens" :
		    "database password", path);
	explicit_bzero(text, len);
	free(text);
	free(path);
	return r;
}

/*
 * The admin's password: typed at the terminal without echo, or the first
 * line of the standard input.  It is kept for this run only.
 */
static int
read_admin_password(const char *user, char *out, size_t outlen)
{
	struct termios	old, quiet;
	int		tty = isatty(STDIN_FILENO), ok;
	size_t		n;

	if (tty) {
		fprintf(stderr, "Password of the database account %s: ", user);
		fflush(stderr);
		if (tcgetattr(STDIN_FILENO, &old) != 0)
			tty = 0;
		else {
			quiet = old;
			quiet.c_lflag &= ~(tcflag_t)ECHO;
			tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
		}
	}
	ok = fgets(out, (int)outlen, stdin) != NULL;
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fputc('\n', stderr);
	}
	if (!ok) {
		fprintf(stderr, "passeur glpi: setup --admin-user: no password "
		    "(type it, or give it on the standard input)\n");
		return ERR_INVALID;
	}
	n = strcspn(out, "\r\n");
	out[n] = '\0';
	return 0;
}

/* The account that makes the changes: dbuser, or the admin given once. */
static struct db *
connect_as(const struct glpi_conf *conf, const struct setup_opts *o)
{
	static struct glpi_conf	admin;
	struct db		*db;
	char			 why[512];
	const char		*user = conf->dbuser;

	if (o->admin_user != NULL) {
		admin = *conf;
		user = o->admin_user;
		if ((size_t)snprintf(admin.dbuser, sizeof(admin.dbuser), "%s",
		    user) >= sizeof(admin.dbuser) ||
		    read_admin_password(user, admin.dbpassword,
		    sizeof(admin.dbpassword)) != 0)
			return NULL;
		conf = &admin;
	}
	db = db_connect(conf, why, sizeof(why));
	explicit_bzero(admin.dbpassword, sizeof(admin.dbpassword));
	if (db == NULL)
		fprintf(stderr, "passeur glpi: cannot log in to %s as %s: %s\n",
		    conf->dbname, user, why);
	return db;
}

/* What a platform needs to know, filled in; secrets only by where. */
static void
print_summary(const struct setup *st)
{
	const struct glpi_conf *c = st->conf;

	printf("\nSummary of required information\n");
	if (c->dbsocket[0] != '\0')
		printf("  %-17s %s, database %s\n", "GLPI database", c->dbsocket,
		    c->dbname);
	else
		printf("  %-17s %s:%d, database %s\n", "GLPI database",
		    c->dbhost, c->dbport, c->dbname);
	printf("  %-17s %s\n", "database account", c->dbuser);
	printf("  %-17s %s\n", "SQL views", "present");
	printf("  %-17s enabled%s%s\n", "REST API", c->api_url[0] != '\0' ?
	    ", " : "", c->api_url);
	printf("  %-17s %s, app_token in %s/%s\n", "API client",
	    c->api_client, st->o->confdir, LOCAL_FILE);
	printf("  %-17s %s, user_token in %s/%s\n", "API user", c->api_user,
	    st->o->confdir, LOCAL_FILE);
}

/*
 * GLPI 11 keeps the app and user tokens encrypted with its own key
 * (glpicrypt.key): a token written with SQL would be ciphertext GLPI
 * cannot read.  They are made in GLPI (or, once the REST client makes
 * them through the API, by it: this is where setup calls it); setup says
 * how, changes nothing of them, and leaves glpi.local as it is.
 */
static void
tokens_in_glpi(const struct setup *st)
{
	const struct glpi_conf *c = st->conf;

	printf("GLPI 11 stores API tokens encrypted: setup does not write "
	    "them with SQL.\n"
	    "In GLPI:\n"
	    "  - Setup > General > API > Add API client: name %s, active, "
	    "\"Regenerate\" the\n"
	    "    application token; copy it to app_token in %s/%s\n"
	    "  - Administration > Users > %s > Settings > Remote access keys: "
	    "regenerate\n"
	    "    the API token; copy it to user_token in %s/%s\n"
	    "then run: passeur glpi check (it proves them through the REST "
	    "API)\n", c->api_client, st->o->confdir, LOCAL_FILE, c->api_user,
	    st->o->confdir, LOCAL_FILE);
}

int
setup_run(struct glpi_conf *conf, const struct setup_opts *o)
{
	struct setup	st = { conf, o, NULL, 0, GLPI_SCHEMA_10 };
	char		local_ip[64], version[64], why[512];
	char		old_app[sizeof(conf->app_token)];
	char		old_user[sizeof(conf->user_token)];
	struct setup_account acct;
	int		r, tokens;

	if ((st.db = connect_as(conf, o)) == NULL)
		return 1;
	if (schema_read(st.db, &st.schema, version, sizeof(version), why,
	    sizeof(why)) != 0) {
		fprintf(stderr, "passeur glpi: %s: %s\n", conf->dbname, why);
		db_close(st.db);
		return 1;
	}
	if (db_local_address(st.db, local_ip, sizeof(local_ip)) != 0)
		local_ip[0] = '\0';
	memset(&acct, 0, sizeof(acct));
	if (o->db_account != NULL) {
		acct.name = o->db_account;
		acct.host = local_ip[0] != '\0' ? local_ip : "localhost";
		acct.read_only = o->read_only;
		acct.dry_run = o->dry_run;
		r = setup_account(st.db, conf, &acct);
		st.changes += acct.changes;
		if (r != 0) {
			db_close(st.db);
			return 1;
		}
	}
	if (schema_tokens_encrypted(st.schema)) {
		if ((r = enable_api(&st)) == 0)
			r = install_views(&st);
		if (r == 0 && acct.new_password)
			r = write_local(&st, 0, 1);
		db_close(st.db);
		if (r != 0)
			return 1;
		if (o->dry_run && st.changes > 0)
			printf("-- dry run: %d change(s) shown, none made\n",
			    st.changes);
		tokens_in_glpi(&st);
		return 0;
	}
	memcpy(old_app, conf->app_token, sizeof(old_app));
	memcpy(old_user, conf->user_token, sizeof(old_user));
	if ((r = enable_api(&st)) == 0 &&
	    (r = api_client(&st, local_ip)) == 0 &&
	    (r = api_user(&st)) == 0)
		r = install_views(&st);
	tokens = strcmp(old_app, conf->app_token) != 0 ||
	    strcmp(old_user, conf->user_token) != 0;
	if (r == 0 && !o->dry_run && (tokens || acct.new_password)) {
		st.changes++;
		r = write_local(&st, tokens, acct.new_password);
	}
	db_close(st.db);
	if (r != 0)
		return 1;
	if (st.changes == 0)
		printf("nothing to do: GLPI and %s are set up\n", LOCAL_FILE);
	else if (o->dry_run)
		printf("-- dry run: %d change(s) shown, none made\n",
		    st.changes);
	if (o->dry_run)
		return 0;
	print_summary(&st);
	/* Made in the database: whether GLPI takes them decides the exit. */
	if ((r = setup_api_prove(conf, o->confdir)) != 0) {
		printf("\nsetup: the access is not usable yet; fix what is "
		    "said above, then run: passeur glpi check\n");
		return r;
	}
	printf("\nNow run: passeur glpi check\n");
	return 0;
}
