/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "glpi/check.h"
#include "glpi/config.h"
#include "glpi/glpi.h"
#include "glpi/items.h"
#include "glpi/list.h"
#include "glpi/schema.h"
#include "glpi/setup.h"
#include "glpi/sync.h"
#include "glpi/views.h"

/* The build's <sysconfdir>/passeur, where `cmake --install` puts etc/. */
#define DEFAULT_CONFDIR	PASSEUR_CONFDIR

static void
usage(int code)
{
	fprintf(code == 0 ? stdout : stderr,
	    "usage: passeur glpi [-c confdir] check [--api | --no-api] [--json]\n"
	    "       passeur glpi [-c confdir] setup [--dry-run] [--no-ip-range]\n"
	    "                    [--admin-user name [--db-account name "
	    "[--read-only]]]\n"
	    "       passeur glpi [-c confdir] views sql [--glpi 10|11] | "
	    "install | check [--json]\n"
	    "       passeur glpi [-c confdir] sync [--full] [--json]\n"
	    "       passeur glpi [-c confdir] devices | users | entities "
	    "[--search text] [--json]\n"
	    "       passeur glpi [-c confdir] computer | user | entity list "
	    "[--search text] [--json]\n"
	    "       passeur glpi [-c confdir] computer | user | entity show "
	    "ID|NAME [--json]\n"
	    "       passeur glpi [-c confdir] entity add NAME [--parent "
	    "ID|NAME]\n"
	    "       passeur glpi [-c confdir] user add NAME [--profile ID|NAME] "
	    "[--entity ID|NAME]\n"
	    "                    [--recursive] [--password-stdin]\n"
	    "       passeur glpi [-c confdir] computer add NAME [--entity "
	    "ID|NAME] [--serial S]\n"
	    "       passeur glpi [-c confdir] computer | user | entity update "
	    "ID|NAME\n"
	    "                    --set FIELD=VALUE... [--yes] [--json]\n"
	    "       passeur glpi [-c confdir] computer | user | entity delete "
	    "ID|NAME\n"
	    "                    [--purge] [--yes] [--json]\n"
	    "\n"
	    "  check          check every prerequisite of the GLPI access "
	    "(exit 0 when usable)\n"
	    "  setup          create what the access lacks (read/write "
	    "account)\n"
	    "  views sql      print the SQL of the views, for an admin\n"
	    "  views install  create the views (read/write account)\n"
	    "  views check    check the views\n"
	    "  sync           copy entities, users and computers into the "
	    "local copy\n"
	    "  devices, users, entities\n"
	    "                 list what the last sync copied\n"
	    "  computer, user, entity\n"
	    "                 read and write GLPI's objects through its REST "
	    "API;\n"
	    "                 writes need the Super-Admin profile (mode in "
	    "glpi.cfg)\n"
	    "\n"
	    "  -c confdir     the folder of glpi.cfg (default %s)\n"
	    "  --json         rows as JSON, for a program (check, views check, "
	    "sync, lists)\n"
	    "  --api, --no-api\n"
	    "                 check: prove the API access through the API "
	    "itself, or\n"
	    "                 not (default: when api_url and the tokens are "
	    "set)\n"
	    "  --dry-run      setup: print the SQL, change nothing\n"
	    "  --no-ip-range  setup: leave the API client's address range empty\n"
	    "  --admin-user name\n"
	    "                 setup: make the changes as this MariaDB account "
	    "(its\n"
	    "                 password is asked, or read from stdin)\n"
	    "  --db-account name [--read-only]\n"
	    "                 setup, with --admin-user: create the "
	    "platform's database\n"
	    "                 account for this host (read-only: SELECT), its "
	    "new\n"
	    "                 password written to glpi.local\n"
	    "  --glpi 10|11   views sql: the views of GLPI 10.0 (default) or "
	    "11.0\n"
	    "  --full         sync: read everything again\n"
	    "  --search text  lists: only the rows that contain text\n"
	    "  --yes          writes: no confirmation on a terminal\n"
	    "  --parent ID|NAME, --entity ID|NAME\n"
	    "                 add: the entity to create in (default: the "
	    "root)\n"
	    "  --profile ID|NAME\n"
	    "                 user add: give the user this profile on the "
	    "entity\n"
	    "  --recursive    user add: the profile covers the sub-entities\n"
	    "  --password-stdin\n"
	    "                 user add: the password is the first line of "
	    "stdin\n"
	    "  --serial S     computer add: its serial number\n"
	    "  --set FIELD=VALUE\n"
	    "                 update: a field and its new value (repeatable)\n"
	    "  --purge        delete: remove for good, not to the trash\n"
	    "\n"
	    "See passeur-glpi(1).\n", DEFAULT_CONFDIR);
	exit(code);
}

/*
 * The commands and the options each takes (their short letters); the
 * views' commands are the word after "views".
 */
enum command_id {
	CMD_CHECK, CMD_SETUP, CMD_SYNC, CMD_LIST, CMD_VIEWS_SQL,
	CMD_VIEWS_INSTALL, CMD_VIEWS_CHECK
};

static const struct command {
	const char	*name;
	int		 of_views;
	enum command_id	 id;
	const char	*options;
} commands[] = {
	{ "check", 0, CMD_CHECK, "jAN" },
	{ "setup", 0, CMD_SETUP, "nauDR" },
	{ "sync", 0, CMD_SYNC, "fj" },
	{ "devices", 0, CMD_LIST, "sj" },
	{ "users", 0, CMD_LIST, "sj" },
	{ "entities", 0, CMD_LIST, "sj" },
	{ "sql", 1, CMD_VIEWS_SQL, "g" },
	{ "install", 1, CMD_VIEWS_INSTALL, "" },
	{ "check", 1, CMD_VIEWS_CHECK, "j" },
};

static const struct command *
find_command(const char *name, int of_views)
{
	size_t i;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (commands[i].of_views == of_views &&
		    strcmp(commands[i].name, name) == 0)
			return &commands[i];
	fprintf(stderr, "passeur glpi: unknown command \"%s%s\"\n",
	    of_views ? "views " : "", name);
	usage(2);
	return NULL;
}

int
glpi_main(int argc, char **argv)
{
	static const struct option top[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	static const struct option cmdopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "no-ip-range", no_argument, NULL, 'a' },
		{ "full", no_argument, NULL, 'f' },
		{ "api", no_argument, NULL, 'A' },
		{ "no-api", no_argument, NULL, 'N' },
		{ "search", required_argument, NULL, 's' },
		{ "admin-user", required_argument, NULL, 'u' },
		{ "db-account", required_argument, NULL, 'D' },
		{ "read-only", no_argument, NULL, 'R' },
		{ "glpi", required_argument, NULL, 'g' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const struct command	*cmd;
	struct glpi_conf	 conf;
	const char		*confdir = DEFAULT_CONFDIR;
	struct setup_opts	 so = { NULL, 0, 0, NULL, NULL, 0 };
	struct sync_opts	 sy = { 0, 0 };
	struct list_opts	 lo = { NULL, NULL, 0 };
	enum glpi_schema	 schema = GLPI_SCHEMA_10;
	int			 ch, json = 0, of_views, api = -1;

	/* Options of "glpi" stop at the command name. */
	while ((ch = getopt_long(argc, argv, "+c:h", top, NULL)) != -1) {
		switch (ch) {
		case 'c':
			confdir = optarg;
			break;
		case 'h':
			usage(0);
			break;
		default:
			usage(2);
		}
	}
	if (optind >= argc)
		usage(2);
	argc -= optind;
	argv += optind;
	/* The objects of the REST API have their own options. */
	if (items_is_type(argv[0]))
		return items_main(confdir, argc, argv);
	/* "views sql", "views check": the second word is the command. */
	if ((of_views = strcmp(argv[0], "views") == 0)) {
		if (argc < 2)
			usage(2);
		argc--;
		argv++;
	}
	cmd = find_command(argv[0], of_views);
	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", cmdopts, NULL)) != -1) {
		if (ch == 'h')
			usage(0);
		if (ch == '?' || strchr(cmd->options, ch) == NULL)
			usage(2);
		switch (ch) {
		case 'j':
			json = 1;
			break;
		case 'n':
			so.dry_run = 1;
			break;
		case 'a':
			so.no_ip_range = 1;
			break;
		case 'f':
			sy.full = 1;
			break;
		case 'A':
			api = 1;
			break;
		case 'N':
			api = 0;
			break;
		case 's':
			lo.search = optarg;
			break;
		case 'u':
			so.admin_user = optarg;
			break;
		case 'D':
			so.db_account = optarg;
			break;
		case 'R':
			so.read_only = 1;
			break;
		case 'g':
			if (strcmp(optarg, "10") == 0 ||
			    strcmp(optarg, "10.0") == 0)
				schema = GLPI_SCHEMA_10;
			else if (strcmp(optarg, "11") == 0 ||
			    strcmp(optarg, "11.0") == 0)
				schema = GLPI_SCHEMA_11;
			else {
				fprintf(stderr, "passeur glpi: --glpi: \"%s\": "
				    "passeur glpi reads GLPI " GLPI_SUPPORTED
				    " (--glpi 10 or 11)\n", optarg);
				usage(2);
			}
			break;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "passeur glpi: unexpected argument \"%s\"\n",
		    argv[optind]);
		usage(2);
	}
	/* The platform's account is made by an admin, given once. */
	if ((so.db_account != NULL && so.admin_user == NULL) ||
	    (so.read_only && so.db_account == NULL)) {
		fprintf(stderr, "passeur glpi: setup: --db-account needs "
		    "--admin-user, and --read-only needs --db-account\n");
		usage(2);
	}
	if (cmd->id == CMD_VIEWS_SQL) {
		/* Needs no configuration: the version is told. */
		views_print_sql(stdout, schema);
		return fflush(stdout) == 0 ? 0 : 1;
	}
	if (glpi_conf_load(confdir, &conf) != 0)
		return 1;
	switch (cmd->id) {
	case CMD_SETUP:
		so.confdir = confdir;
		return setup_run(&conf, &so);
	case CMD_SYNC:
		sy.json = json;
		return sync_run(&conf, &sy);
	case CMD_LIST:
		lo.what = cmd->name;
		lo.json = json;
		return list_run(&conf, &lo);
	case CMD_VIEWS_INSTALL:
		return views_install(&conf);
	case CMD_VIEWS_CHECK:
		return check_views_run(&conf, json);
	default:
		return check_run(&conf, json, api);
	}
}
