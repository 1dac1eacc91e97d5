/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The local copy that "passeur glpi sync" keeps: one SQLite file with the
 * GLPI entities, profiles, users, their profile links and computers, plus
 * what the next sync needs to know (meta).  Its tables are described here
 * once; sync fills them and the list commands read them.
 */
#ifndef PASSEUR_GLPI_COPY_H
#define PASSEUR_GLPI_COPY_H

#include <sqlite3.h>

#define COPY_MAX_COLUMNS	16

/* A table of the copy; its first column is always "id INTEGER PRIMARY KEY". */
struct copy_table {
	const char	*name;
	int		 ncolumns;
	const char	*columns[COPY_MAX_COLUMNS];	/* "name TYPE" */
	const char	*index;		/* a column to index, or NULL */
};

enum copy_table_id {
	COPY_ENTITIES, COPY_PROFILES, COPY_USERS, COPY_PROFILES_USERS,
	COPY_COMPUTERS, COPY_NTABLES
};

extern const struct copy_table copy_tables[COPY_NTABLES];

/*
 * Opens the copy at path.  For writing, creates the file (mode 0640) and
 * its tables when they are missing, and *fresh says whether the tables
 * were just made (the next sync must then be full).  For reading, a copy
 * that does not exist yet is an error that says to run sync.  Returns the
 * handle, or NULL with the reason in why.
 */
sqlite3	*copy_open(const char *path, int writable, int *fresh, char *why,
	    size_t whylen);
void	 copy_close(sqlite3 *sq);

/*
 * A value of the meta table into out ("" when unset), or a value set;
 * 0 or ERR_LIBRARY.
 */
int	 copy_meta_get(sqlite3 *sq, const char *key, char *out, size_t outlen);
int	 copy_meta_set(sqlite3 *sq, const char *key, const char *value);

/* Runs statements that return nothing; 0, or ERR_LIBRARY with why. */
int	 copy_exec(sqlite3 *sq, const char *sql, char *why, size_t whylen);

#endif
