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
#include "glpi/schema.h"

struct db;

struct view_def {
	const char	*name;
	const char	*columns;	/* comma list, in order */
	const char	*sql;		/* CREATE OR REPLACE VIEW ... */
};

/* As many views for each schema, in the same order, with the same names. */
extern const size_t		nviews;

/*
 * The views of a schema: glpi-100.sql's for 10.0; glpi-110.sql's for
 * 11.0 (glpi_computers_pulse without groups_id and groups_id_tech, the
 * printer and peripheral views read from
 * glpi_assets_assets_peripheralassets), with the same fixes.
 */
const struct view_def	*views_of(enum glpi_schema schema);

/* Writes the SQL script an admin applies: mariadb DBNAME < it. */
void	views_print_sql(FILE *fp, enum glpi_schema schema);

/*
 * Checks view i of schema in the connected database: present, with its
 * columns in order, readable under ONLY_FULL_GROUP_BY.  Returns 1 when it
 * is, 0 when not, with what was found in found either way.
 */
int	views_verify(struct db *db, enum glpi_schema schema, size_t i,
	    char *found, size_t foundlen);

/* The command an admin runs to apply the views to conf's database. */
void	views_admin_command(const struct glpi_conf *conf,
	    enum glpi_schema schema, char *out, size_t outlen);

/* passeur glpi views install (the database's schema); the exit status. */
int	views_install(const struct glpi_conf *conf);

#endif
