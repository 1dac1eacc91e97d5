/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The GLPI database, through MariaDB Connector/C opened when first needed
 * (as libcurl is: a proxy that never reads GLPI does not map it, nor the
 * OpenSSL it links).  One connection, for the calling thread.
 */
#ifndef PASSEUR_GLPI_DB_H
#define PASSEUR_GLPI_DB_H

#include <stddef.h>

struct db;
struct glpi_conf;

/*
 * Connects as conf says (TCP or socket, timeouts of a few seconds); the
 * session runs with ONLY_FULL_GROUP_BY added to the server's sql_mode.
 * Returns the connection, or NULL with the reason in why: the library's
 * own message, which names neither password nor token.
 */
struct db	*db_connect(const struct glpi_conf *conf, char *why,
		    size_t whylen);
void		 db_close(struct db *db);

/*
 * Runs sql and copies the first column of its first row into out.
 * Returns 1 when there was a row (a NULL value gives "" and *nullp set
 * when nullp is given), 0 when there was none, a negative ERR_* on error
 * (as db_exec(), the server's message in why).
 */
int	db_value(struct db *db, const char *sql, char *out, size_t outlen,
	    int *nullp, char *why, size_t whylen);

/*
 * Runs sql and calls row() for each row (values NULL for SQL NULLs);
 * row returns non-zero to stop.  Returns the rows seen, or a negative
 * ERR_* as db_exec().
 */
int	db_rows(struct db *db, const char *sql,
	    int (*row)(void *, int, const char *const *), void *arg,
	    char *why, size_t whylen);

/*
 * Runs a statement and drops any result.  Returns 0, or with the
 * server's message in why: ERR_DENIED when the account lacks the right,
 * ERR_TRANSPORT when the connection failed, ERR_PEER for any other
 * error of the server.
 */
int	db_exec(struct db *db, const char *sql, char *why, size_t whylen);

/* The TLS cipher of the connection, or NULL when it is clear. */
const char	*db_tls_cipher(struct db *db);

/*
 * The numeric address of this end of the connection ("" over a socket).
 * Returns 0, ERR_SYSTEM (errno set) or ERR_TOO_BIG.
 */
int	db_local_address(struct db *db, char *out, size_t outlen);

/*
 * Quotes text as an SQL string literal ('...') into out; 0, or
 * ERR_TOO_BIG when out is too small.
 */
int	db_quote(struct db *db, const char *text, char *out, size_t outlen);

#endif
