/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The SQL views a management platform reads (the names and columns of
 * Medulla's glpi-100.sql, so its consumers keep working), without that
 * file's defects: OS and domain rows of other item types never show on a
 * computer, one row per computer under ONLY_FULL_GROUP_BY, and no
 * database name inside.
 */
#ifndef PASSEUR_GLPI_VIEWS_H
#define PASSEUR_GLPI_VIEWS_H

#include <stddef.h>
#include <stdio.h>

#include "glpi/config.h"

struct db;

struct view_def {
	const char	*name;
	const char	*columns;	/* comma list, in order */
	const char	*sql;		/* CREATE OR REPLACE VIEW ... */
};

extern const struct view_def	views[];
extern const size_t		nviews;

/* Writes the SQL script an admin applies: mariadb DBNAME < it. */
void	views_print_sql(FILE *fp);

/*
 * Checks view i in the connected database: present, with its columns in
 * order, readable under ONLY_FULL_GROUP_BY.  Returns 1 when it is, 0 when
 * not, with what was found in found either way.
 */
int	views_verify(struct db *db, size_t i, char *found, size_t foundlen);

/* The command an admin runs to apply the views to conf's database. */
void	views_admin_command(const struct glpi_conf *conf, char *out,
	    size_t outlen);

/* passeur glpi views install; returns the exit status. */
int	views_install(const struct glpi_conf *conf);

#endif
