/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "glpi/db.h"
#include "glpi/schema.h"
#include "glpi/views.h"

#define PULSE_COLUMNS_HEAD \
	"id,entities_id,name,serial,otherserial,contact,contact_num," \
	"users_id_tech,"
#define PULSE_COLUMNS_MID \
	"comment,date_mod,operatingsystems_id," \
	"operatingsystemversions_id,operatingsystemservicepacks_id," \
	"operatingsystemarchitectures_id,license_number,licenseid," \
	"operatingsystemkernelversions_id,autoupdatesystems_id,locations_id," \
	"domains_id,networks_id,computermodels_id,computertypes_id," \
	"is_template,template_name,manufacturers_id,is_deleted,is_dynamic," \
	"users_id,"
#define PULSE_COLUMNS_TAIL \
	"states_id,ticket_tco,uuid,date_creation,is_recursive"
#define PULSE_COLUMNS \
	PULSE_COLUMNS_HEAD "groups_id_tech," PULSE_COLUMNS_MID "groups_id," \
	PULSE_COLUMNS_TAIL
/* GLPI 11 moved an asset's groups to glpi_groups_items: glpi-110.sql. */
#define PULSE_COLUMNS_11 \
	PULSE_COLUMNS_HEAD PULSE_COLUMNS_MID PULSE_COLUMNS_TAIL

/*
 * GLPI 10 keeps a computer's OS and domain in link tables shared by every
 * item type.  Each computer takes its own first link (smallest id) of
 * item type Computer, found through the (items_id, itemtype) index, so a
 * lookup by computer id stays an index lookup.
 */
#define PULSE_SQL_SELECT(groups_tech, groups) \
"SELECT c.id, c.entities_id, c.name, c.serial, c.otherserial, c.contact,\n" \
"    c.contact_num, c.users_id_tech, " groups_tech "c.comment,\n" \
"    c.date_mod, os.operatingsystems_id, os.operatingsystemversions_id,\n" \
"    os.operatingsystemservicepacks_id,\n" \
"    os.operatingsystemarchitectures_id, os.license_number, os.licenseid,\n" \
"    os.operatingsystemkernelversions_id, c.autoupdatesystems_id,\n" \
"    c.locations_id, d.domains_id, c.networks_id, c.computermodels_id,\n" \
"    c.computertypes_id, c.is_template, c.template_name,\n" \
"    c.manufacturers_id, c.is_deleted, c.is_dynamic, c.users_id,\n" \
"    " groups "c.states_id, c.ticket_tco, c.uuid, c.date_creation,\n" \
"    c.is_recursive\n" \
"FROM glpi_computers c\n" \
"LEFT JOIN glpi_items_operatingsystems os ON os.id =\n" \
"    (SELECT MIN(o.id) FROM glpi_items_operatingsystems o\n" \
"     WHERE o.items_id = c.id AND o.itemtype = 'Computer')\n" \
"LEFT JOIN glpi_domains_items d ON d.id =\n" \
"    (SELECT MIN(di.id) FROM glpi_domains_items di\n" \
"     WHERE di.items_id = c.id AND di.itemtype = 'Computer')"

/*
 * GLPI 10 keeps a computer's OS and domain in link tables shared by every
 * item type.  Each computer takes its own first link (smallest id) of
 * item type Computer, found through the (items_id, itemtype) index, so a
 * lookup by computer id stays an index lookup.  GLPI 11 is read the same
 * way, without the group columns that left glpi_computers.
 */
#define PULSE_SQL \
"CREATE OR REPLACE VIEW glpi_computers_pulse AS\n" \
PULSE_SQL_SELECT("c.groups_id_tech, ", "c.groups_id, ")
#define PULSE_SQL_11 \
"CREATE OR REPLACE VIEW glpi_computers_pulse AS\n" \
PULSE_SQL_SELECT("", "")

#define ITEMS_SQL(view, type) \
"CREATE OR REPLACE VIEW " view " AS\n" \
"SELECT id, items_id, computers_id, is_deleted, is_dynamic\n" \
"FROM glpi_computers_items WHERE itemtype = '" type "'"

/* GLPI 11's links of an asset to its peripherals, same columns. */
#define ITEMS_SQL_11(view, type) \
"CREATE OR REPLACE VIEW " view " AS\n" \
"SELECT id, items_id_peripheral AS items_id, items_id_asset AS computers_id,\n" \
"    is_deleted, is_dynamic\n" \
"FROM glpi_assets_assets_peripheralassets\n" \
"WHERE itemtype_asset = 'Computer' AND itemtype_peripheral = '" type "'"

#define ITEMS_COLUMNS	"id,items_id,computers_id,is_deleted,is_dynamic"
#define MANUFACTURERS \
	{ "glpi_view_peripherals_manufacturers", \
	    "id,name,comment,date_mod,date_creation", \
	    "CREATE OR REPLACE VIEW glpi_view_peripherals_manufacturers AS\n" \
	    "SELECT id, name, comment, date_mod, date_creation\n" \
	    "FROM glpi_manufacturers" }

static const struct view_def views_10[] = {
	{ "glpi_computers_pulse", PULSE_COLUMNS, PULSE_SQL },
	{ "glpi_view_computers_items_printer", ITEMS_COLUMNS,
	    ITEMS_SQL("glpi_view_computers_items_printer", "Printer") },
	{ "glpi_view_computers_items_peripheral", ITEMS_COLUMNS,
	    ITEMS_SQL("glpi_view_computers_items_peripheral", "Peripheral") },
	MANUFACTURERS,
};

static const struct view_def views_11[] = {
	{ "glpi_computers_pulse", PULSE_COLUMNS_11, PULSE_SQL_11 },
	{ "glpi_view_computers_items_printer", ITEMS_COLUMNS,
	    ITEMS_SQL_11("glpi_view_computers_items_printer", "Printer") },
	{ "glpi_view_computers_items_peripheral", ITEMS_COLUMNS,
	    ITEMS_SQL_11("glpi_view_computers_items_peripheral",
	    "Peripheral") },
	MANUFACTURERS,
};

const size_t nviews = sizeof(views_10) / sizeof(views_10[0]);

const struct view_def *
views_of(enum glpi_schema schema)
{
	return schema == GLPI_SCHEMA_11 ? views_11 : views_10;
}

void
views_print_sql(FILE *fp, enum glpi_schema schema)
{
	const struct view_def	*v = views_of(schema);
	size_t			 i;

	fprintf(fp,
	    "-- Views of the GLPI %s database for a management platform,\n"
	    "-- with the names and columns of %s.  Apply to the GLPI\n"
	    "-- database, as an account that may create views:\n"
	    "--   passeur glpi views sql%s | mariadb <database>\n"
	    "-- Re-running it replaces the views with the same definitions.\n",
	    schema_name(schema), schema == GLPI_SCHEMA_11 ? "glpi-110.sql" :
	    "glpi-100.sql", schema == GLPI_SCHEMA_11 ? " --glpi 11" : "");
	for (i = 0; i < nviews; i++)
		fprintf(fp, "\n%s;\n", v[i].sql);
}

int
views_verify(struct db *db, enum glpi_schema schema, size_t i, char *found,
    size_t foundlen)
{
	const struct view_def	*v = &views_of(schema)[i];
	char			 sql[512], cols[2048], why[512];
	int			 n;

	snprintf(sql, sizeof(sql), "SELECT GROUP_CONCAT(c.COLUMN_NAME ORDER "
	    "BY c.ORDINAL_POSITION SEPARATOR ',') FROM "
	    "information_schema.TABLES t JOIN information_schema.COLUMNS c "
	    "ON c.TABLE_SCHEMA = t.TABLE_SCHEMA AND c.TABLE_NAME = "
	    "t.TABLE_NAME WHERE t.TABLE_SCHEMA = DATABASE() AND "
	    "t.TABLE_NAME = '%s' AND t.TABLE_TYPE = 'VIEW'", v->name);
	if ((n = db_value(db, sql, cols, sizeof(cols), NULL, why,
	    sizeof(why))) < 0) {
		snprintf(found, foundlen, "%s", why);
		return 0;
	}
	if (cols[0] == '\0') {
		snprintf(found, foundlen, "missing");
		return 0;
	}
	if (strcmp(cols, v->columns) != 0) {
		snprintf(found, foundlen, "other columns: %.200s", cols);
		return 0;
	}
	snprintf(sql, sizeof(sql), "SELECT * FROM %s LIMIT 1", v->name);
	/* The session runs with ONLY_FULL_GROUP_BY (db_connect). */
	if (db_exec(db, sql, why, sizeof(why)) != 0) {
		snprintf(found, foundlen, "unreadable under ONLY_FULL_GROUP_BY: "
		    "%s", why);
		return 0;
	}
	snprintf(found, foundlen, "present");
	return 1;
}

void
views_admin_command(const struct glpi_conf *conf, enum glpi_schema schema,
    char *out, size_t outlen)
{
	const char *opt = schema == GLPI_SCHEMA_11 ? " --glpi 11" : "";

	if (conf->dbsocket[0] != '\0')
		snprintf(out, outlen, "passeur glpi views sql%s | mariadb -S %s "
		    "-u <admin> -p %s", opt, conf->dbsocket, conf->dbname);
	else
		snprintf(out, outlen, "passeur glpi views sql%s | mariadb -h %s "
		    "-P %d -u <admin> -p %s", opt, conf->dbhost, conf->dbport,
		    conf->dbname);
}

int
views_install(const struct glpi_conf *conf)
{
	const struct view_def	*views;
	enum glpi_schema	 schema;
	struct db		*db;
	char			 why[512], cmd[512], version[64];
	size_t			 i;
	int			 e;

	if ((db = db_connect(conf, why, sizeof(why))) == NULL) {
		fprintf(stderr, "passeur glpi: cannot log in to %s: %s\n",
		    conf->dbname, why);
		return 1;
	}
	if (schema_read(db, &schema, version, sizeof(version), why,
	    sizeof(why)) != 0) {
		fprintf(stderr, "passeur glpi: %s: %s\n", conf->dbname, why);
		db_close(db);
		return 1;
	}
	views = views_of(schema);
	for (i = 0; i < nviews; i++) {
		if ((e = db_exec(db, views[i].sql, why, sizeof(why))) == 0) {
			printf("%s: created\n", views[i].name);
			continue;
		}
		views_admin_command(conf, schema, cmd, sizeof(cmd));
		if (e == ERR_DENIED)
			fprintf(stderr, "passeur glpi: the account %s may not "
			    "create views (%s).\nAn admin applies them "
			    "once:\n    %s\n", conf->dbuser, why, cmd);
		else
			fprintf(stderr, "passeur glpi: %s: %s\nAn admin may "
			    "apply them:\n    %s\n", views[i].name, why, cmd);
		db_close(db);
		return 1;
	}
	db_close(db);
	return 0;
}
