/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Which GLPI a database is, and what its version changes for passeur glpi.
 *
 * GLPI 10.0.x and 11.0.x are read; any other version is refused with a
 * message that names the supported ones.  What differs between them
 * (spec/glpi-11.md, section 4): the computer-peripheral links moved to
 * glpi_assets_assets_peripheralassets, the groups of an asset to
 * glpi_groups_items, and the API tokens are stored encrypted with a key
 * this host does not have, so SQL can neither compare nor write them.
 * No state: callers keep the enum they were given.
 */
#ifndef PASSEUR_GLPI_SCHEMA_H
#define PASSEUR_GLPI_SCHEMA_H

#include <stddef.h>

struct db;

enum glpi_schema { GLPI_SCHEMA_10, GLPI_SCHEMA_11 };

#define GLPI_SUPPORTED	"10.0.x and 11.0.x"

/* The schema of a version string ("11.0.6"); 0, or ERR_INVALID. */
int	schema_of_version(const char *version, enum glpi_schema *out);

/*
 * Reads the version row of the connected database into version and its
 * schema into *out.  0; ERR_NOT_FOUND (no GLPI tables, or no version
 * row), ERR_INVALID (a version outside GLPI_SUPPORTED), with why set.
 */
int	schema_read(struct db *db, enum glpi_schema *out, char *version,
	    size_t versionlen, char *why, size_t whylen);

/* "10.0" or "11.0", for messages. */
const char *schema_name(enum glpi_schema s);

/* 1 when app and user tokens are ciphertext in the database (11.0). */
int	schema_tokens_encrypted(enum glpi_schema s);

#endif
