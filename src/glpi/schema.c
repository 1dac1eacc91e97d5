/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "glpi/db.h"
#include "glpi/schema.h"

int
schema_of_version(const char *version, enum glpi_schema *out)
{
	/* "10.0" alone is no release; a digit must follow the dot. */
	if (strncmp(version, "10.0.", 5) == 0 && version[5] >= '0' &&
	    version[5] <= '9')
		*out = GLPI_SCHEMA_10;
	else if (strncmp(version, "11.0.", 5) == 0 && version[5] >= '0' &&
	    version[5] <= '9')
		*out = GLPI_SCHEMA_11;
	else
		return ERR_INVALID;
	return 0;
}

int
schema_read(struct db *db, enum glpi_schema *out, char *version,
    size_t versionlen, char *why, size_t whylen)
{
	char	err[512];
	int	n;

	version[0] = '\0';
	if ((n = db_value(db, "SELECT value FROM glpi_configs WHERE "
	    "context = 'core' AND name = 'version'", version, versionlen,
	    NULL, err, sizeof(err))) < 0) {
		snprintf(why, whylen, "no GLPI tables: %s", err);
		return ERR_NOT_FOUND;
	}
	if (n == 0) {
		snprintf(why, whylen, "no version row in glpi_configs");
		return ERR_NOT_FOUND;
	}
	if (schema_of_version(version, out) != 0) {
		snprintf(why, whylen, "GLPI %s; passeur glpi reads GLPI "
		    GLPI_SUPPORTED, version);
		return ERR_INVALID;
	}
	return 0;
}

const char *
schema_name(enum glpi_schema s)
{
	return s == GLPI_SCHEMA_11 ? "11.0" : "10.0";
}

int
schema_tokens_encrypted(enum glpi_schema s)
{
	return s == GLPI_SCHEMA_11;
}
