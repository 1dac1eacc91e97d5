/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <netdb.h>
#include <pthread.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mysql.h>

#include "common/err.h"
#include "common/dynlib.h"
#include "glpi/config.h"
#include "glpi/db.h"

#define CONNECT_TIMEOUT	5	/* seconds */
/*
 * "Prepared statement needs to be re-prepared": the server may answer so
 * to a statement that opens a view just replaced (information_schema
 * included).  Running it again is the documented remedy.
 */
#define ER_NEED_REPREPARE	1615
/* MariaDB's error numbers for an account without the right. */
#define ER_DBACCESS_DENIED		1044
#define ER_TABLEACCESS_DENIED		1142
#define ER_SPECIFIC_ACCESS_DENIED	1227
/* Client errors (CR_*) are numbered from 2000: the link, not the SQL. */
#define CR_MIN_ERROR			2000
#define REPREPARE_TRIES		3
/*
 * Every session: GROUP_CONCAT long enough for a view's column list, and
 * ONLY_FULL_GROUP_BY, so that what Passeur reads (the views included) is
 * proved valid under the strictest mode a GLPI server may run.
 */
#define SESSION_SETTINGS	"SET SESSION group_concat_max_len = 65536, " \
				"sql_mode = CONCAT(@@sql_mode, " \
				"',ONLY_FULL_GROUP_BY')"
#define IO_TIMEOUT	60

/* The functions of Connector/C that Passeur calls. */
static struct {
	MYSQL		*(*init)(MYSQL *);
	int		 (*options)(MYSQL *, enum mysql_option, const void *);
	MYSQL		*(*real_connect)(MYSQL *, const char *, const char *,
			    const char *, const char *, unsigned int,
			    const char *, unsigned long);
	const char	*(*error)(MYSQL *);
	unsigned int	 (*errno_of)(MYSQL *);
	my_socket	 (*get_socket)(MYSQL *);
	int		 (*query)(MYSQL *, const char *);
	MYSQL_RES	*(*store_result)(MYSQL *);
	MYSQL_ROW	 (*fetch_row)(MYSQL_RES *);
	unsigned int	 (*num_fields)(MYSQL_RES *);
	void		 (*free_result)(MYSQL_RES *);
	void		 (*close)(MYSQL *);
	unsigned long	 (*real_escape_string)(MYSQL *, char *, const char *,
			    unsigned long);
	const char	*(*get_ssl_cipher)(MYSQL *);
} my;

static const char *const libraries[] = {
	"libmariadb.so.3",	/* Debian's libmariadb3 */
	"libmariadbclient.so.18",
};

static char		load_error[256];
static int		loaded;
static pthread_mutex_t	load_lock = PTHREAD_MUTEX_INITIALIZER;

struct db {
	MYSQL	*m;
};

static void
load(void)
{
	void	*lib;
	char	 why[200];

	if ((lib = dynlib_open(libraries, sizeof(libraries) /
	    sizeof(libraries[0]), why, sizeof(why))) == NULL) {
		snprintf(load_error, sizeof(load_error), "MariaDB Connector/C "
		    "not found (install libmariadb3): %s", why);
		return;
	}
	if (dynlib_sym(lib, "mysql_init", &my.init) != 0 ||
	    dynlib_sym(lib, "mysql_options", &my.options) != 0 ||
	    dynlib_sym(lib, "mysql_real_connect", &my.real_connect) != 0 ||
	    dynlib_sym(lib, "mysql_error", &my.error) != 0 ||
	    dynlib_sym(lib, "mysql_errno", &my.errno_of) != 0 ||
	    dynlib_sym(lib, "mysql_get_socket", &my.get_socket) != 0 ||
	    dynlib_sym(lib, "mysql_query", &my.query) != 0 ||
	    dynlib_sym(lib, "mysql_store_result", &my.store_result) != 0 ||
	    dynlib_sym(lib, "mysql_fetch_row", &my.fetch_row) != 0 ||
	    dynlib_sym(lib, "mysql_num_fields", &my.num_fields) != 0 ||
	    dynlib_sym(lib, "mysql_free_result", &my.free_result) != 0 ||
	    dynlib_sym(lib, "mysql_close", &my.close) != 0 ||
	    dynlib_sym(lib, "mysql_real_escape_string",
	    &my.real_escape_string) != 0 ||
	    dynlib_sym(lib, "mysql_get_ssl_cipher", &my.get_ssl_cipher) != 0) {
		snprintf(load_error, sizeof(load_error), "the MariaDB client "
		    "library lacks a function Passeur needs");
		dynlib_close(lib);
		return;
	}
	loaded = 1;
}

/*
 * TLS when dbsslenable or any certificate is set: then required, never
 * dropped for a clear connection.  With dbsslca the server's certificate
 * and name are verified; without it the link is only encrypted.
 */
static void
tls_options(MYSQL *m, const struct glpi_conf *conf)
{
	my_bool on = 1;

	if (!conf->dbssl && conf->dbsslca[0] == '\0' &&
	    conf->dbsslcert[0] == '\0')
		return;
	my.options(m, MYSQL_OPT_SSL_ENFORCE, &on);
	if (conf->dbsslca[0] != '\0') {
		my.options(m, MYSQL_OPT_SSL_CA, conf->dbsslca);
		my.options(m, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &on);
	}
	if (conf->dbsslcert[0] != '\0') {
		my.options(m, MYSQL_OPT_SSL_CERT, conf->dbsslcert);
		my.options(m, MYSQL_OPT_SSL_KEY, conf->dbsslkey[0] != '\0' ?
		    conf->dbsslkey : conf->dbsslcert);
	}
}

struct db *
db_connect(const struct glpi_conf *conf, char *why, size_t whylen)
{
	struct db	*db;
	unsigned int	 t;

	pthread_mutex_lock(&load_lock);
	if (!loaded)
		load();
	pthread_mutex_unlock(&load_lock);
	if (!loaded) {
		snprintf(why, whylen, "%s", load_error);
		return NULL;
	}
	if ((db = calloc(1, sizeof(*db))) == NULL ||
	    (db->m = my.init(NULL)) == NULL) {
		free(db);
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	t = CONNECT_TIMEOUT;
	my.options(db->m, MYSQL_OPT_CONNECT_TIMEOUT, &t);
	t = IO_TIMEOUT;
	my.options(db->m, MYSQL_OPT_READ_TIMEOUT, &t);
	my.options(db->m, MYSQL_OPT_WRITE_TIMEOUT, &t);
	my.options(db->m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	my.options(db->m, MYSQL_INIT_COMMAND, SESSION_SETTINGS);
	tls_options(db->m, conf);
	/*
	 * The client library takes "localhost" for its default socket; the
	 * configuration means TCP unless dbsocket is set.
	 */
	if (conf->dbsocket[0] == '\0') {
		t = MYSQL_PROTOCOL_TCP;
		my.options(db->m, MYSQL_OPT_PROTOCOL, &t);
	}
	if (my.real_connect(db->m, conf->dbsocket[0] != '\0' ? "localhost" :
	    conf->dbhost, conf->dbuser, conf->dbpassword, conf->dbname,
	    (unsigned int)conf->dbport, conf->dbsocket[0] != '\0' ?
	    conf->dbsocket : NULL, 0) == NULL) {
		snprintf(why, whylen, "%s", my.error(db->m));
		db_close(db);
		return NULL;
	}
	return db;
}

void
db_close(struct db *db)
{
	if (db == NULL)
		return;
	if (db->m != NULL)
		my.close(db->m);
	free(db);
}

/* mysql_query(), run again while the server asks for a re-prepare. */
static int
query(struct db *db, const char *sql)
{
	int i, r;

	for (i = 0; (r = my.query(db->m, sql)) != 0 && i < REPREPARE_TRIES &&
	    my.errno_of(db->m) == ER_NEED_REPREPARE; i++)
		;
	return r;
}

/*
 * The code of the last error on db, its message into why: the server's
 * error numbers stay inside this file.
 */
static int
db_error(struct db *db, char *why, size_t whylen)
{
	unsigned int e = my.errno_of(db->m);

	snprintf(why, whylen, "%s", my.error(db->m));
	switch (e) {
	case ER_DBACCESS_DENIED:
	case ER_TABLEACCESS_DENIED:
	case ER_SPECIFIC_ACCESS_DENIED:
		return ERR_DENIED;
	}
	return e >= CR_MIN_ERROR ? ERR_TRANSPORT : ERR_PEER;
}

int
db_rows(struct db *db, const char *sql,
    int (*row)(void *, int, const char *const *), void *arg, char *why,
    size_t whylen)
{
	MYSQL_RES	*res;
	MYSQL_ROW	 r;
	int		 n = 0, nf;

	if (query(db, sql) != 0 ||
	    (res = my.store_result(db->m)) == NULL)
		return db_error(db, why, whylen);
	nf = (int)my.num_fields(res);
	while ((r = my.fetch_row(res)) != NULL) {
		n++;
		if (row(arg, nf, (const char *const *)r) != 0)
			break;
	}
	my.free_result(res);
	return n;
}

int
db_exec(struct db *db, const char *sql, char *why, size_t whylen)
{
	MYSQL_RES	*res;

	if (query(db, sql) != 0)
		return db_error(db, why, whylen);
	if ((res = my.store_result(db->m)) != NULL)
		my.free_result(res);
	return 0;
}

int
db_local_address(struct db *db, char *out, size_t outlen)
{
	struct sockaddr_storage	ss;
	socklen_t		sl = sizeof(ss);
	my_socket		fd = my.get_socket(db->m);

	out[0] = '\0';
	if (getsockname((int)fd, (struct sockaddr *)&ss, &sl) != 0)
		return ERR_SYSTEM;
	if (ss.ss_family != AF_INET && ss.ss_family != AF_INET6)
		return 0;
	return getnameinfo((struct sockaddr *)&ss, sl, out, (socklen_t)outlen,
	    NULL, 0, NI_NUMERICHOST) == 0 ? 0 : ERR_TOO_BIG;
}

struct first {
	char	*out;
	size_t	 outlen;
	int	*nullp;
};

static int
take_first(void *arg, int nf, const char *const *v)
{
	struct first *f = arg;

	if (f->nullp != NULL)
		*f->nullp = nf < 1 || v[0] == NULL;
	snprintf(f->out, f->outlen, "%s", nf >= 1 && v[0] != NULL ? v[0] :
	    "");
	return 1;
}

int
db_value(struct db *db, const char *sql, char *out, size_t outlen,
    int *nullp, char *why, size_t whylen)
{
	struct first	f = { out, outlen, nullp };
	int		n;

	out[0] = '\0';
	if ((n = db_rows(db, sql, take_first, &f, why, whylen)) < 0)
		return n;
	return n > 0 ? 1 : 0;
}

int
db_quote(struct db *db, const char *text, char *out, size_t outlen)
{
	size_t len = strlen(text);

	if (outlen < 2 * len + 3)
		return ERR_TOO_BIG;
	out[0] = '\'';
	len = my.real_escape_string(db->m, out + 1, text, (unsigned long)len);
	out[len + 1] = '\'';
	out[len + 2] = '\0';
	return 0;
}

const char *
db_tls_cipher(struct db *db)
{
	return my.get_ssl_cipher(db->m);
}
