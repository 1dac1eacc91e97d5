/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The rows of passeur glpi check --api: the API access proven through the
 * API itself (initSession with the configured tokens, the profile, the
 * entities, reads of computers, users and entities), beside the rows the
 * database gives, and which to trust where the two disagree.  On GLPI 11
 * the tokens are encrypted in the database: only these rows prove them.
 * Called by check.c, on its thread; the rows are the caller's storage.
 */
#ifndef PASSEUR_GLPI_CHECK_API_H
#define PASSEUR_GLPI_CHECK_API_H

#include "glpi/config.h"

#define CHECK_API_ROWS	5	/* rows check_api() adds */

struct check_api_row {
	const char	*item;
	char		 expected[160];
	char		 found[256];
	int		 ok;
	int		 skipped;	/* not checked: no session */
	char		 fix[512];
};

/* What the database rows of the API access said. */
struct check_api_db {
	int		 read;		/* the rows were checked at all */
	int		 ok;		/* every api.* row was ok */
	enum glpi_mode	 mode;		/* the mode they found usable */
};

struct check_api_result {
	int		 proven;	/* every API row is ok */
	enum glpi_mode	 mode;		/* the mode the API allows */
	/* The database's failed api.* rows are contradicted by the API. */
	int		 trust_api;
	int		 session;	/* initSession took both tokens */
	char		 refused[64];	/* else GLPI's ERROR_... or "" */
};

/*
 * Fills rows[0..CHECK_API_ROWS-1] by asking the API of conf; db is what
 * the database rows said.  Never fails: a failure is a row.
 */
void	check_api(const struct glpi_conf *conf, const struct check_api_db *db,
	    struct check_api_row *rows, struct check_api_result *res);

#endif
