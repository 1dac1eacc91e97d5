/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/err.h"
#include "glpi/check.h"
#include "glpi/check_api.h"
#include "glpi/db.h"
#include "glpi/schema.h"
#include "glpi/views.h"

#define MAX_ROWS	24
#define PROBE_TIMEOUT	5000	/* ms, the TCP probe of the database */

enum verdict { V_FAIL, V_OK, V_SKIPPED };

struct row {
	const char	*item;
	char		 expected[160];
	char		 found[256];
	enum verdict	 verdict;
	char		 fix[512];
};

struct grants {
	const char	*dbname;
	int		 read, write;
};

struct check {
	const struct glpi_conf	*conf;
	struct db		*db;
	struct row		 rows[MAX_ROWS];
	int			 n;
	char			 local_ip[INET6_ADDRSTRLEN];
	struct grants		 grants;	/* of the account */
	enum glpi_mode		 mode;		/* the one found usable */
	int			 api_proven;	/* by the API itself (--api) */
	int			 trust_api;	/* over the database's rows */
	enum glpi_schema	 schema;	/* from glpi.version */
};

static struct row * __attribute__((format(printf, 3, 4)))
add(struct check *ck, const char *item, const char *expected, ...)
{
	struct row	*r = &ck->rows[ck->n++];
	va_list		 ap;

	memset(r, 0, sizeof(*r));
	r->item = item;
	va_start(ap, expected);
	vsnprintf(r->expected, sizeof(r->expected), expected, ap);
	va_end(ap);
	return r;
}

static void __attribute__((format(printf, 2, 3)))
found(struct row *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->found, sizeof(r->found), fmt, ap);
	va_end(ap);
}

static void __attribute__((format(printf, 2, 3)))
fix(struct row *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->fix, sizeof(r->fix), fmt, ap);
	va_end(ap);
}

/* The host part of the account, as the server sees this client. */
static const char *
account_host(const struct check *ck)
{
	if (ck->conf->dbsocket[0] != '\0')
		return "localhost";
	return ck->local_ip[0] != '\0' ? ck->local_ip : "%";
}

/* A query of the row failed: most often a table the account cannot read. */
static void
sql_failed(const struct check *ck, struct row *r, const char *why)
{
	r->verdict = V_FAIL;
	found(r, "%s", why);
	fix(r, "the account needs SELECT on the GLPI tables: an admin runs "
	    "GRANT SELECT ON %s.* TO '%s'@'%s'", ck->conf->dbname,
	    ck->conf->dbuser, account_host(ck));
}

/*
 * Connects to host:port within the probe timeout.  Returns 0,
 * ERR_NOT_FOUND when host does not resolve, or ERR_SYSTEM with errno.
 */
static int
probe(const char *host, int port, char *local, size_t locallen)
{
	struct addrinfo	 hints, *res, *ai;
	struct sockaddr_storage ss;
	socklen_t	 sl = sizeof(ss);
	struct pollfd	 pfd;
	char		 serv[16];
	int		 fd, e = EHOSTUNREACH, so;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	snprintf(serv, sizeof(serv), "%d", port);
	if (getaddrinfo(host, serv, &hints, &res) != 0)
		return ERR_NOT_FOUND;
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if ((fd = socket(ai->ai_family, ai->ai_socktype |
		    SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol)) == -1) {
			e = errno;
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			e = 0;
		else if (errno != EINPROGRESS)
			e = errno;
		else {
			pfd.fd = fd;
			pfd.events = POLLOUT;
			sl = sizeof(so);
			if (poll(&pfd, 1, PROBE_TIMEOUT) != 1)
				e = ETIMEDOUT;
			else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &so,
			    &sl) != 0)
				e = errno;
			else
				e = so;
		}
		sl = sizeof(ss);
		if (e == 0 && getsockname(fd, (struct sockaddr *)&ss, &sl) ==
		    0 && getnameinfo((struct sockaddr *)&ss, sl, local,
		    (socklen_t)locallen, NULL, 0, NI_NUMERICHOST) != 0)
			local[0] = '\0';
		close(fd);
		if (e == 0)
			break;
	}
	freeaddrinfo(res);
	if (e == 0)
		return 0;
	errno = e;
	return ERR_SYSTEM;
}

static int
check_port(struct check *ck)
{
	const struct glpi_conf	*c = ck->conf;
	struct row		*r;
	struct stat		 st;
	int			 e;

	if (c->dbsocket[0] != '\0') {
		r = add(ck, "db.port", "socket %s", c->dbsocket);
		if (stat(c->dbsocket, &st) == 0 && S_ISSOCK(st.st_mode)) {
			found(r, "present");
			r->verdict = V_OK;
		} else {
			found(r, "%s", stat(c->dbsocket, &st) == 0 ?
			    "not a socket" : strerror(errno));
			fix(r, "start MariaDB, or set dbsocket to its socket "
			    "(SHOW VARIABLES LIKE 'socket')");
		}
		snprintf(ck->local_ip, sizeof(ck->local_ip), "127.0.0.1");
		return r->verdict == V_OK;
	}
	r = add(ck, "db.port", "TCP %s:%d reachable", c->dbhost, c->dbport);
	if ((e = probe(c->dbhost, c->dbport, ck->local_ip,
	    sizeof(ck->local_ip))) == 0) {
		found(r, "reachable");
		r->verdict = V_OK;
		return 1;
	}
	found(r, "%s", e == ERR_NOT_FOUND ? "unknown host" : strerror(errno));
	fix(r, "start MariaDB on %s, and let this host reach port %d "
	    "(bind-address in its configuration, firewalls)", c->dbhost,
	    c->dbport);
	return 0;
}

static int
check_login(struct check *ck)
{
	const struct glpi_conf	*c = ck->conf;
	struct row		*r;
	char			 why[512];
	int			 tls = c->dbssl || c->dbsslca[0] != '\0' ||
				    c->dbsslcert[0] != '\0';

	r = add(ck, "db.login", "login as %s, database %s%s", c->dbuser,
	    c->dbname, tls ? c->dbsslca[0] != '\0' ? ", TLS verified" :
	    ", TLS" : "");
	if ((ck->db = db_connect(c, why, sizeof(why))) != NULL) {
		if (db_tls_cipher(ck->db) != NULL)
			found(r, "logged in over TLS (%s)",
			    db_tls_cipher(ck->db));
		else
			found(r, "logged in");
		r->verdict = V_OK;
		return 1;
	}
	found(r, "%s", why);
	fix(r, "check dbuser and dbpassword%s; an admin creates the account "
	    "for this host: CREATE USER '%s'@'%s' IDENTIFIED BY '...'; "
	    "GRANT SELECT ON %s.* TO '%s'@'%s'", tls ? ", and dbsslca, "
	    "dbsslcert and dbsslkey against the server's TLS setup" : "",
	    c->dbuser, account_host(ck), c->dbname, c->dbuser,
	    account_host(ck));
	return 0;
}

/* The value of glpi_configs (context core) name, into out; -1 on error. */
static int
config_value(struct check *ck, const char *name, char *out, size_t outlen,
    char *why, size_t whylen)
{
	char sql[256];

	snprintf(sql, sizeof(sql), "SELECT value FROM glpi_configs WHERE "
	    "context = 'core' AND name = '%s'", name);
	return db_value(ck->db, sql, out, outlen, NULL, why, whylen);
}

static int
check_version(struct check *ck)
{
	struct row	*r = add(ck, "glpi.version", GLPI_SUPPORTED);
	char		 v[64], why[512];
	int		 e;

	if ((e = schema_read(ck->db, &ck->schema, v, sizeof(v), why,
	    sizeof(why))) == 0) {
		found(r, "%s", v);
		r->verdict = V_OK;
		return 1;
	}
	if (e == ERR_INVALID) {
		found(r, "%s", v);
		fix(r, "passeur glpi reads GLPI " GLPI_SUPPORTED "; this "
		    "database is GLPI %s", v);
	} else {
		found(r, "%s", why);
		fix(r, "dbname must name an installed GLPI database");
	}
	return 0;
}

/* The privileges of one SHOW GRANTS line, if they cover the database. */
static int
on_grant(void *arg, int nf, const char *const *v)
{
	struct grants	*g = arg;
	const char	*on, *s;
	char		 db[160];
	size_t		 i = 0;

	if (nf < 1 || v[0] == NULL || (on = strstr(v[0], " ON ")) == NULL)
		return 0;
	/* `glpi`.* or *.*; SHOW GRANTS escapes _ and % with \. */
	s = on + 4;
	if (strncmp(s, "*.*", 3) != 0) {
		if (*s++ != '`')
			return 0;
		while (*s != '\0' && *s != '`' && i < sizeof(db) - 1) {
			if (*s == '\\' && s[1] != '\0')
				s++;
			db[i++] = *s++;
		}
		db[i] = '\0';
		if (strcmp(s, "`.*") != 0 && strncmp(s, "`.* ", 4) != 0)
			return 0;
		if (strcmp(db, g->dbname) != 0)
			return 0;
	}
	if (strncmp(v[0], "GRANT ALL PRIVILEGES ", 21) == 0) {
		g->read = g->write = 1;
		return 0;
	}
	if (strstr(v[0], "SELECT") != NULL && strstr(v[0], "SELECT") < on)
		g->read = 1;
	if ((s = strstr(v[0], "UPDATE")) != NULL && s < on &&
	    (s = strstr(v[0], "INSERT")) != NULL && s < on)
		g->write = 1;
	return 0;
}

/* What SHOW GRANTS allows on the database, into ck->grants. */
static int
read_grants(struct check *ck, char *why, size_t whylen)
{
	int n;

	ck->grants.dbname = ck->conf->dbname;
	ck->grants.read = ck->grants.write = 0;
	n = db_rows(ck->db, "SHOW GRANTS", on_grant, &ck->grants, why, whylen);
	return n < 0 ? n : 0;
}

static int
check_access(struct check *ck)
{
	struct row	*r;
	struct grants	*g = &ck->grants;
	char		 why[512], v[32];

	r = add(ck, "db.access", "%s", ck->conf->mode == GLPI_MODE_READ_ONLY ?
	    "read (SELECT)" : "read (SELECT), read/write for setup");
	if (read_grants(ck, why, sizeof(why)) != 0) {
		sql_failed(ck, r, why);
		return 0;
	}
	/* A harmless probe: the grants may come from a role. */
	if (!g->read && db_value(ck->db, "SELECT COUNT(*) FROM glpi_computers",
	    v, sizeof(v), NULL, why, sizeof(why)) >= 0)
		g->read = 1;
	if (!g->read) {
		found(r, "no SELECT on %s", ck->conf->dbname);
		fix(r, "an admin runs: GRANT SELECT ON %s.* TO '%s'@'%s'",
		    ck->conf->dbname, ck->conf->dbuser, account_host(ck));
		return 0;
	}
	found(r, "%s", g->write ? "read/write" : "read-only");
	r->verdict = V_OK;
	return 1;
}

/* The fix for views that are missing or wrong. */
static void
views_fix(const struct check *ck, struct row *r)
{
	char cmd[512];

	if (ck->grants.write) {
		fix(r, "passeur glpi views install");
		return;
	}
	views_admin_command(ck->conf, ck->schema, cmd, sizeof(cmd));
	fix(r, "the account may not create views; an admin runs: %s", cmd);
}

static void
check_views(struct check *ck)
{
	struct row	*r = add(ck, "db.views", "the %zu views, correct", nviews);
	char		 got[512], bad[512];
	size_t		 i, nbad = 0, len = 0;

	bad[0] = '\0';
	for (i = 0; i < nviews; i++) {
		if (views_verify(ck->db, ck->schema, i, got, sizeof(got)))
			continue;
		nbad++;
		len += (size_t)snprintf(bad + len, len < sizeof(bad) ?
		    sizeof(bad) - len : 0, "%s%s %s", len > 0 ? "; " : "",
		    views_of(ck->schema)[i].name, got);
		if (len >= sizeof(bad))
			len = sizeof(bad) - 1;
	}
	if (nbad == 0) {
		found(r, "present");
		r->verdict = V_OK;
		return;
	}
	found(r, "%s", bad);
	views_fix(ck, r);
}

static int
check_api_enabled(struct check *ck)
{
	struct row	*r = add(ck, "api.enabled", "REST API enabled");
	char		 v[16], why[512];
	int		 n;

	n = config_value(ck, "enable_api", v, sizeof(v), why, sizeof(why));
	if (n < 0) {
		sql_failed(ck, r, why);
		return 0;
	}
	if (n == 1 && strcmp(v, "1") == 0) {
		found(r, "enabled (from the database)");
		r->verdict = V_OK;
		return 1;
	}
	found(r, "disabled (from the database)");
	fix(r, "in GLPI: Setup > General > API, \"Enable Rest API\" = Yes "
	    "(the enable_api row of glpi_configs)");
	return 0;
}

struct client {
	int		 rows, active;
	char		 token[256];
	int		 has_token, any_ip, end_set;
	unsigned long	 start, end;
};

static int
on_client(void *arg, int nf, const char *const *v)
{
	struct client *cl = arg;

	if (nf < 4)
		return 1;
	cl->rows++;
	if (v[0] == NULL || strcmp(v[0], "1") != 0)
		return 0;		/* inactive: look further */
	cl->active = 1;
	cl->has_token = v[1] != NULL && v[1][0] != '\0';
	snprintf(cl->token, sizeof(cl->token), "%s", v[1] != NULL ? v[1] :
	    "");
	/* As GLPI: no start admits any address; a start alone, none. */
	cl->any_ip = v[2] == NULL;
	cl->end_set = v[3] != NULL;
	cl->start = v[2] != NULL ? strtoul(v[2], NULL, 10) : 0;
	cl->end = v[3] != NULL ? strtoul(v[3], NULL, 10) : 0;
	return 1;
}

/*
 * GLPI 11 stores the app and user tokens encrypted, with a key
 * (glpicrypt.key) this host does not have: SQL can neither compare nor
 * find them.  They are proven by opening a session with them through the
 * REST API (initSession), which is the REST client's part: this is where
 * check calls it.  Until it does, the row says why it is not proven, and
 * the access is not reported usable.
 */
static void
token_through_api(struct row *t)
{
	t->verdict = V_SKIPPED;
	found(t, "encrypted in GLPI 11, SQL cannot compare it: proven "
	    "through the REST API (initSession)");
}

static void
check_api_client(struct check *ck)
{
	const struct glpi_conf	*c = ck->conf;
	struct client		 cl;
	struct row		*r, *t, *ip;
	char			 sql[1024], q[520], why[512];
	struct in_addr		 a;
	unsigned long		 me;

	memset(&cl, 0, sizeof(cl));
	r = add(ck, "api.client", "API client \"%s\", active, with an app "
	    "token", c->api_client);
	t = add(ck, "api.app_token", "app_token = the client's");
	ip = add(ck, "api.client_ip", "its IP range admits %s",
	    ck->local_ip[0] != '\0' ? ck->local_ip : "this host");
	t->verdict = ip->verdict = V_SKIPPED;
	snprintf(t->found, sizeof(t->found), "-");
	snprintf(ip->found, sizeof(ip->found), "-");
	if (db_quote(ck->db, c->api_client, q, sizeof(q)) != 0) {
		found(r, "api_client too long");
		fix(r, "api_client is the name of the API client in GLPI");
		return;
	}
	snprintf(sql, sizeof(sql), "SELECT is_active, app_token, "
	    "ipv4_range_start, ipv4_range_end FROM glpi_apiclients "
	    "WHERE name = %s ORDER BY is_active DESC, id", q);
	if (db_rows(ck->db, sql, on_client, &cl, why, sizeof(why)) < 0) {
		sql_failed(ck, r, why);
		return;
	}
	if (cl.rows == 0 || !cl.active || !cl.has_token) {
		found(r, "%s (from the database)", cl.rows == 0 ? "absent" :
		    !cl.active ? "inactive" : "no app token");
		fix(r, "in GLPI: Setup > General > API > Add API client: name "
		    "%s, active, \"Regenerate\" the application token; then "
		    "app_token = that token in glpi.local", c->api_client);
		return;
	}
	found(r, "active, with an app token (from the database)");
	r->verdict = V_OK;
	/* The token is compared, never shown. */
	t->verdict = V_FAIL;
	if (c->app_token[0] == '\0') {
		found(t, "app_token not set");
		fix(t, "set app_token (or app_token_file) in glpi.local to "
		    "the App-Token of client %s", c->api_client);
	} else if (schema_tokens_encrypted(ck->schema)) {
		token_through_api(t);
	} else if (strcmp(c->app_token, cl.token) != 0) {
		found(t, "differs");
		fix(t, "copy the App-Token of client %s into app_token",
		    c->api_client);
	} else {
		found(t, "matches");
		t->verdict = V_OK;
	}
	ip->verdict = V_FAIL;
	if (cl.any_ip) {
		found(ip, "any address (no range)");
		ip->verdict = V_OK;
	} else if (cl.end_set && inet_pton(AF_INET, ck->local_ip, &a) == 1 &&
	    (me = ntohl(a.s_addr)) >= cl.start && me <= cl.end) {
		found(ip, "range admits it");
		ip->verdict = V_OK;
	} else {
		found(ip, "range does not admit it");
		fix(ip, "widen the IPv4 range of client %s to %s, or empty it",
		    c->api_client, ck->local_ip[0] != '\0' ? ck->local_ip :
		    "this host");
	}
}

static int
on_user(void *arg, int nf, const char *const *v)
{
	char *out = arg;

	if (nf >= 2)
		snprintf(out, 256, "%s\t%s", v[0] != NULL ? v[0] : "",
		    v[1] != NULL ? v[1] : "");
	return 1;
}

struct profiles {
	int	super_admin, read_only;
	char	list[200];
};

static int
on_profile(void *arg, int nf, const char *const *v)
{
	struct profiles	*p = arg;
	size_t		 len = strlen(p->list);
	int		 root;

	if (nf < 3 || v[0] == NULL)
		return 0;
	root = v[1] != NULL && strcmp(v[1], "0") == 0 && v[2] != NULL &&
	    strcmp(v[2], "1") == 0;
	if (root && strcmp(v[0], "Super-Admin") == 0)
		p->super_admin = 1;
	if (root && strcmp(v[0], "Read-Only") == 0)
		p->read_only = 1;
	snprintf(p->list + len, sizeof(p->list) - len, "%s%s on entity %s%s",
	    len > 0 ? ", " : "", v[0], v[1] != NULL ? v[1] : "?",
	    v[2] != NULL && strcmp(v[2], "1") == 0 ? " (recursive)" : "");
	return 0;
}

static void
check_api_user(struct check *ck)
{
	const struct glpi_conf	*c = ck->conf;
	struct row		*u, *p;
	struct profiles		 pr;
	char			 sql[1024], q[520], who[256], why[512], *tab;
	long long		 user_id;

	u = add(ck, "api.user", "an active user whose API token is "
	    "user_token");
	p = add(ck, "api.profile", "%s on the root entity, recursive",
	    c->mode == GLPI_MODE_SUPER_ADMIN ? "Super-Admin" :
	    c->mode == GLPI_MODE_READ_ONLY ? "Read-Only or Super-Admin" :
	    "Super-Admin or Read-Only");
	p->verdict = V_SKIPPED;
	snprintf(p->found, sizeof(p->found), "-");
	if (c->user_token[0] == '\0') {
		found(u, "user_token not set");
		fix(u, "set user_token (or user_token_file) in glpi.local: "
		    "in GLPI, the API user's Settings > Remote access keys > "
		    "API token");
		return;
	}
	if (db_quote(ck->db, c->user_token, q, sizeof(q)) != 0) {
		found(u, "user_token too long");
		fix(u, "user_token is the API token of a GLPI user");
		return;
	}
	who[0] = '\0';
	/* On 11 the token is ciphertext: the user is found by its name. */
	if (schema_tokens_encrypted(ck->schema)) {
		if (db_quote(ck->db, c->api_user, q, sizeof(q)) != 0) {
			found(u, "api_user too long");
			fix(u, "api_user is the name of the GLPI user whose "
			    "API token is user_token");
			return;
		}
		snprintf(u->expected, sizeof(u->expected), "active user %.100s, "
		    "with an API token", c->api_user);
	}
	snprintf(sql, sizeof(sql), "SELECT id, name FROM glpi_users WHERE "
	    "%s = %s AND is_active = 1 AND is_deleted = 0%s ORDER BY id",
	    schema_tokens_encrypted(ck->schema) ? "name" : "api_token", q,
	    schema_tokens_encrypted(ck->schema) ? " AND api_token IS NOT "
	    "NULL AND api_token <> ''" : "");
	if (db_rows(ck->db, sql, on_user, who, why, sizeof(why)) < 0) {
		sql_failed(ck, u, why);
		return;
	}
	if (who[0] == '\0' || (tab = strchr(who, '\t')) == NULL) {
		if (schema_tokens_encrypted(ck->schema))
			found(u, "no active user %s with an API token (from "
			    "the database)", c->api_user);
		else
			found(u, "no active user has this token (from the "
			    "database)");
		fix(u, "in GLPI, the API user's Settings > Remote access keys: "
		    "regenerate the API token and copy it to user_token%s",
		    schema_tokens_encrypted(ck->schema) ? ", and the user's "
		    "name to api_user" : "");
		return;
	}
	*tab = '\0';
	user_id = strtoll(who, NULL, 10);
	/* A name with ciphertext beside it proves nothing of user_token. */
	if (schema_tokens_encrypted(ck->schema)) {
		found(u, "%.64s, id %s, has a token (from the database); "
		    "encrypted in GLPI 11, SQL cannot compare it: proven "
		    "through the REST API (initSession)", tab + 1, who);
		u->verdict = V_SKIPPED;
	} else {
		found(u, "%s, id %s (from the database)", tab + 1, who);
		u->verdict = V_OK;
	}
	memset(&pr, 0, sizeof(pr));
	snprintf(sql, sizeof(sql), "SELECT p.name, pu.entities_id, "
	    "pu.is_recursive FROM glpi_profiles_users pu JOIN glpi_profiles p "
	    "ON p.id = pu.profiles_id WHERE pu.users_id = %lld ORDER BY p.id",
	    user_id);
	if (db_rows(ck->db, sql, on_profile, &pr, why, sizeof(why)) < 0) {
		sql_failed(ck, p, why);
		return;
	}
	found(p, "%s", pr.list[0] != '\0' ? pr.list : "no profile");
	if (pr.super_admin && c->mode != GLPI_MODE_READ_ONLY)
		ck->mode = GLPI_MODE_SUPER_ADMIN;
	else if (pr.read_only || pr.super_admin)
		ck->mode = c->mode == GLPI_MODE_SUPER_ADMIN ? GLPI_MODE_AUTO :
		    GLPI_MODE_READ_ONLY;
	if (ck->mode != GLPI_MODE_AUTO) {
		p->verdict = V_OK;
		return;
	}
	p->verdict = V_FAIL;
	fix(p, "in GLPI: Administration > Users > %s > Authorizations: add "
	    "the %s profile on the root entity, recursive", tab + 1,
	    c->mode == GLPI_MODE_SUPER_ADMIN ? "Super-Admin" :
	    "Read-Only (or Super-Admin)");
}

/*
 * GLPI 11 may ask agents for OAuth client credentials (inventory setting
 * auth_required = client_credentials); then the inventories that pass
 * through passeur serve need an active OAuth client with the grant
 * client_credentials and the scope inventory (glpi_oauthclients keeps
 * both as JSON lists).  Its secret is ciphertext: only its use proves it.
 */
static void
check_inventory_oauth(struct check *ck)
{
	struct row	*r = add(ck, "inventory.oauth", "an active OAuth client "
	    "with client_credentials and scope inventory, if required");
	char		 v[64], n[32], why[512];
	int		 got;

	if (ck->schema != GLPI_SCHEMA_11) {
		found(r, "not applicable (GLPI 10.0 has no OAuth for "
		    "inventories)");
		r->verdict = V_OK;
		return;
	}
	if ((got = db_value(ck->db, "SELECT value FROM glpi_configs WHERE "
	    "context = 'inventory' AND name = 'auth_required'", v, sizeof(v),
	    NULL, why, sizeof(why))) < 0) {
		sql_failed(ck, r, why);
		return;
	}
	if (got == 0 || strcmp(v, "client_credentials") != 0) {
		found(r, "not required (auth_required = %s)", got == 0 ?
		    "none" : v);
		r->verdict = V_OK;
		return;
	}
	if (db_value(ck->db, "SELECT COUNT(*) FROM glpi_oauthclients WHERE "
	    "is_active = 1 AND grants LIKE '%\"client_credentials\"%' AND "
	    "scopes LIKE '%\"inventory\"%'", n, sizeof(n), NULL, why,
	    sizeof(why)) < 0) {
		sql_failed(ck, r, why);
		return;
	}
	if (strcmp(n, "0") != 0) {
		found(r, "required; %s client(s) fit (from the database)", n);
		r->verdict = V_OK;
		return;
	}
	found(r, "required (auth_required = client_credentials), no client "
	    "fits (from the database)");
	fix(r, "in GLPI: Setup > OAuth clients > Add: active, grant "
	    "\"Client credentials\", scope \"inventory\"; then its id and "
	    "secret go to oauth-client-id and oauth-client-secret-file in "
	    "passeur serve's agent.cfg");
}

/* Rows not reached because an earlier one failed. */
static void
skip_rest(struct check *ck, const char *const *items, const char *why)
{
	struct row *r;

	for (; *items != NULL; items++) {
		r = add(ck, *items, "-");
		r->verdict = V_SKIPPED;
		found(r, "not checked: %s", why);
	}
}

static const char *
verdict_name(enum verdict v)
{
	return v == V_OK ? "ok" : v == V_SKIPPED ? "skipped" : "FAIL";
}

/*
 * What the platform can do with this access, through the REST API (by the
 * profile) and through the database (by the account's grants).  GLPI's
 * computers are deleted through the API only: their links are GLPI's.
 */
enum { CAN_NO, CAN_YES, CAN_NOT_THAT_WAY };

struct capability {
	const char	*what;
	int		 api, db;
};

static int
rows_ok(const struct check *ck, const char *prefix)
{
	int i, seen = 0;

	for (i = 0; i < ck->n; i++) {
		if (strncmp(ck->rows[i].item, prefix, strlen(prefix)) != 0)
			continue;
		if (ck->rows[i].verdict != V_OK)
			return 0;
		seen = 1;
	}
	return seen;
}

static int
capabilities(const struct check *ck, struct capability *cap)
{
	int api = (ck->api_proven || rows_ok(ck, "api.")) &&
	    ck->mode != GLPI_MODE_AUTO;
	int admin = api && ck->mode == GLPI_MODE_SUPER_ADMIN;
	int read = rows_ok(ck, "db.access") && ck->grants.read;
	int write = read && ck->grants.write;

	cap[0] = (struct capability){ "read devices, users, entities", api,
	    read };
	cap[1] = (struct capability){ "create, delete users", admin, write };
	cap[2] = (struct capability){ "create, delete entities", admin,
	    write };
	cap[3] = (struct capability){ "delete computers", admin,
	    CAN_NOT_THAT_WAY };
	cap[4] = (struct capability){ "modify objects", admin, write };
	return 5;
}

static const char *
can_name(int can)
{
	return can == CAN_YES ? "yes" : can == CAN_NO ? "no" : "-";
}

static void
print_capabilities(const struct check *ck)
{
	struct capability	cap[8];
	int			i, n = capabilities(ck, cap);

	printf("\n%-30s  %-8s  %s\n", "CAPABILITY", "REST API", "DATABASE");
	for (i = 0; i < n; i++)
		printf("%-30s  %-8s  %s\n", cap[i].what, can_name(cap[i].api),
		    can_name(cap[i].db));
}

static json_t *
capabilities_json(const struct check *ck)
{
	struct capability	 cap[8];
	json_t			*a = json_array();
	int			 i, n = capabilities(ck, cap);

	for (i = 0; i < n; i++)
		json_array_append_new(a, json_pack("{s:s,s:o,s:o}",
		    "capability", cap[i].what, "api", json_boolean(cap[i].api ==
		    CAN_YES), "database", cap[i].db == CAN_NOT_THAT_WAY ?
		    json_null() : json_boolean(cap[i].db == CAN_YES)));
	return a;
}

static void
print_table(const struct check *ck)
{
	size_t	wi = 4, we = 8, wf = 5, l;
	int	i;

	for (i = 0; i < ck->n; i++) {
		if ((l = strlen(ck->rows[i].item)) > wi)
			wi = l;
		if ((l = strlen(ck->rows[i].expected)) > we)
			we = l;
		if ((l = strlen(ck->rows[i].found)) > wf)
			wf = l;
	}
	printf("%-*s  %-*s  %-*s  %s\n", (int)wi, "ITEM", (int)we, "EXPECTED",
	    (int)wf, "FOUND", "VERDICT");
	for (i = 0; i < ck->n; i++) {
		const struct row *r = &ck->rows[i];

		printf("%-*s  %-*s  %-*s  %s\n", (int)wi, r->item, (int)we,
		    r->expected, (int)wf, r->found, verdict_name(r->verdict));
		if (r->verdict == V_FAIL && r->fix[0] != '\0')
			printf("    fix: %s\n", r->fix);
	}
}

static void
print_json(const struct check *ck, int usable, int with_mode, int failed)
{
	json_t	*items = json_array(), *root;
	char	*s;
	int	 i;

	for (i = 0; i < ck->n; i++) {
		const struct row *r = &ck->rows[i];

		json_array_append_new(items, json_pack("{s:s,s:s,s:s,s:s,s:b,"
		    "s:s?}", "item", r->item, "expected", r->expected, "found",
		    r->found, "verdict", verdict_name(r->verdict), "ok",
		    r->verdict == V_OK, "fix", r->verdict == V_FAIL &&
		    r->fix[0] != '\0' ? r->fix : NULL));
	}
	root = json_pack("{s:b,s:o}", "usable", usable, "items", items);
	/* The access's mode and capabilities; the views alone have none. */
	if (root != NULL && with_mode) {
		/* Not proven but not failed (GLPI 11): the profile's. */
		json_object_set_new(root, "mode", json_string(!failed ?
		    glpi_mode_name(ck->mode) : "none"));
		json_object_set_new(root, "capabilities",
		    capabilities_json(ck));
	}
	if (root != NULL && (s = json_dumps(root, JSON_INDENT(2))) != NULL) {
		printf("%s\n", s);
		free(s);
	}
	json_decref(root);
}

static struct row *
find_row(struct check *ck, const char *item)
{
	int i;

	for (i = 0; i < ck->n; i++)
		if (strcmp(ck->rows[i].item, item) == 0)
			return &ck->rows[i];
	return NULL;
}

/*
 * GLPI 11: the token rows SQL left unproven take the API's word, the
 * session opened with both tokens or refused naming one of them.  A row
 * the database already failed (a token unset, no such user) stays so.
 */
static void
tokens_from_api(struct check *ck, const struct check_api_result *res)
{
	const struct glpi_conf	*c = ck->conf;
	struct row		*t = find_row(ck, "api.app_token");
	struct row		*u = find_row(ck, "api.user");
	const char		*code = res->refused;

	if (t != NULL && t->verdict == V_SKIPPED && res->session) {
		found(t, "proven through the REST API: initSession took it");
		t->verdict = V_OK;
	} else if (t != NULL && t->verdict == V_SKIPPED &&
	    (strcmp(code, "ERROR_WRONG_APP_TOKEN_PARAMETER") == 0 ||
	    strcmp(code, "ERROR_APP_TOKEN_PARAMETERS_MISSING") == 0)) {
		found(t, "refused through the REST API (%.64s)", code);
		fix(t, "copy the App-Token of client %s into app_token",
		    c->api_client);
		t->verdict = V_FAIL;
	}
	if (u != NULL && u->verdict == V_SKIPPED && res->session) {
		found(u, "%.100s: its token proven through the REST API "
		    "(initSession)", c->api_user);
		u->verdict = V_OK;
	} else if (u != NULL && u->verdict == V_SKIPPED &&
	    strcmp(code, "ERROR_GLPI_LOGIN_USER_TOKEN") == 0) {
		found(u, "refused through the REST API (%.64s)", code);
		fix(u, "in GLPI, the API user's Settings > Remote access keys: "
		    "regenerate the API token and copy it to user_token");
		u->verdict = V_FAIL;
	}
}

/*
 * The rows the API proves itself (check_api.c), after the database's.
 * Where the API contradicts the database's api.* rows, those are kept as
 * they are but no longer decide: the API is what GLPI does.
 */
static void
add_api_rows(struct check *ck)
{
	struct check_api_row	rows[CHECK_API_ROWS];
	struct check_api_db	db;
	struct check_api_result	res;
	struct row		*r;
	int			i;

	memset(&db, 0, sizeof(db));
	for (i = 0; i < ck->n; i++)
		if (strncmp(ck->rows[i].item, "api.", 4) == 0 &&
		    ck->rows[i].verdict != V_SKIPPED)
			db.read = 1;
	db.ok = rows_ok(ck, "api.");
	db.mode = ck->mode;
	check_api(ck->conf, &db, rows, &res);
	for (i = 0; i < CHECK_API_ROWS && ck->n < MAX_ROWS; i++) {
		r = &ck->rows[ck->n++];
		memset(r, 0, sizeof(*r));
		r->item = rows[i].item;
		memcpy(r->expected, rows[i].expected, sizeof(r->expected));
		memcpy(r->found, rows[i].found, sizeof(r->found));
		snprintf(r->fix, sizeof(r->fix), "%s", rows[i].fix);
		r->verdict = rows[i].skipped ? V_SKIPPED : rows[i].ok ? V_OK :
		    V_FAIL;
	}
	if (schema_tokens_encrypted(ck->schema))
		tokens_from_api(ck, &res);
	ck->api_proven = res.proven;
	ck->trust_api = res.trust_api;
	if (res.proven)
		ck->mode = res.mode;
}

/* Whether row i decides the verdict: not a database api.* row the API
 * overrules. */
static int
decides(const struct check *ck, int i)
{
	const char *item = ck->rows[i].item;

	return !ck->trust_api || strncmp(item, "api.", 4) != 0 ||
	    strncmp(item, "api.session", 11) == 0 ||
	    strcmp(item, "api.agree") == 0;
}

int
check_run(const struct glpi_conf *conf, int json, int api)
{
	static const char *const after_port[] = { "db.login", "glpi.version",
	    "db.access", "db.views", "api.enabled", "api.client", "api.app_token",
	    "api.client_ip", "api.user", "api.profile", "inventory.oauth",
	    NULL };
	struct check	ck;
	int		i, usable = 1, failed = 0;

	memset(&ck, 0, sizeof(ck));
	ck.conf = conf;
	ck.mode = GLPI_MODE_AUTO;
	if (!check_port(&ck))
		skip_rest(&ck, after_port, "the database cannot be reached");
	else if (!check_login(&ck))
		skip_rest(&ck, after_port + 1, "no login");
	else if (!check_version(&ck))
		skip_rest(&ck, after_port + 2, "not a GLPI 10.0 or 11.0 "
		    "database");
	else {
		check_access(&ck);
		check_views(&ck);
		check_api_enabled(&ck);
		check_api_client(&ck);
		check_api_user(&ck);
		check_inventory_oauth(&ck);
	}
	db_close(ck.db);
	/* By default whenever the API is configured: it is what GLPI does. */
	if (api < 0)
		api = conf->api_url[0] != '\0' && conf->app_token[0] != '\0' &&
		    conf->user_token[0] != '\0';
	if (api)
		add_api_rows(&ck);
	for (i = 0; i < ck.n; i++) {
		if (!decides(&ck, i))
			continue;
		if (ck.rows[i].verdict != V_OK)
			usable = 0;
		if (ck.rows[i].verdict == V_FAIL)
			failed = 1;
	}
	if (json)
		print_json(&ck, usable, 1, failed);
	else {
		print_table(&ck);
		print_capabilities(&ck);
		if (usable)
			printf("\nusable: yes, as %s\n",
			    glpi_mode_name(ck.mode));
		else if (failed)
			printf("\nusable: no; fix the rows marked FAIL\n");
		else
			printf("\nusable: not proven; the rows marked "
			    "skipped say what proves them\n");
	}
	return usable ? 0 : 1;
}

int
check_views_run(const struct glpi_conf *conf, int json)
{
	struct check	 ck;
	struct row	*r;
	char		 why[512], version[64];
	size_t		 i;
	int		 ok = 1;

	memset(&ck, 0, sizeof(ck));
	ck.conf = conf;
	if ((ck.db = db_connect(conf, why, sizeof(why))) == NULL) {
		fprintf(stderr, "passeur glpi: cannot log in to %s: %s\n",
		    conf->dbname, why);
		return 1;
	}
	if (schema_read(ck.db, &ck.schema, version, sizeof(version), why,
	    sizeof(why)) != 0) {
		fprintf(stderr, "passeur glpi: %s: %s\n", conf->dbname, why);
		db_close(ck.db);
		return 1;
	}
	/* Whether the account could install them, for the fix. */
	if (read_grants(&ck, why, sizeof(why)) != 0)
		ck.grants.write = 0;
	for (i = 0; i < nviews; i++) {
		r = add(&ck, views_of(ck.schema)[i].name, "present, %s",
		    i > 0 ? "its columns" : ck.schema == GLPI_SCHEMA_11 ?
		    "34 columns, one row per computer" :
		    "36 columns, one row per computer");
		if (views_verify(ck.db, ck.schema, i, r->found,
		    sizeof(r->found)))
			r->verdict = V_OK;
		else {
			views_fix(&ck, r);
			ok = 0;
		}
	}
	db_close(ck.db);
	if (json)
		print_json(&ck, ok, 0, !ok);
	else {
		print_table(&ck);
		printf("\nviews: %s\n", ok ? "all correct" :
		    "fix the rows marked FAIL");
	}
	return ok ? 0 : 1;
}
