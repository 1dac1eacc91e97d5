#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "glpi/check.h"
#include "glpi/config.h"
#include "glpi/glpi.h"
#include "glpi/list.h"
#include "glpi/setup.h"
#include "glpi/sync.h"
#include "glpi/views.h"

#define DEFAULT_CONFDIR	"/etc/passeur"

static void
usage(int code)
{
	fprintf(code == 0 ? stdout : stderr,
	    "usage: passeur glpi [-c confdir] check [--json]\n"
	    "       passeur glpi [-c confdir] setup [--dry-run] [--no-ip-range] "
	    "[--admin-user name]\n"
	    "       passeur glpi [-c confdir] views sql | install | "
	    "check [--json]\n"
	    "       passeur glpi [-c confdir] sync [--full] [--json]\n"
	    "       passeur glpi [-c confdir] devices | users | entities "
	    "[--search text] [--json]\n"
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
	    "\n"
	    "See passeur-glpi(1).\n");
	exit(code);
}

int
glpi_main(int argc, char **argv)
{
	static const struct option top[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	static const struct option checkopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "no-ip-range", no_argument, NULL, 'a' },
		{ "full", no_argument, NULL, 'f' },
		{ "search", required_argument, NULL, 's' },
		{ "admin-user", required_argument, NULL, 'u' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct glpi_conf	 conf;
	const char		*confdir = DEFAULT_CONFDIR, *cmd;
	struct setup_opts	 so = { NULL, 0, 0, NULL };
	struct sync_opts	 sy = { 0, 0 };
	struct list_opts	 lo = { NULL, NULL, 0 };
	int			 ch, json = 0, of_views = 0;

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
	cmd = argv[optind];
	argc -= optind;
	argv += optind;
	if (strcmp(cmd, "views") == 0) {
		/* "views sql", "views check": the second word is the command. */
		if (argc < 2)
			usage(2);
		cmd = argv[1];
		if (strcmp(cmd, "sql") != 0 && strcmp(cmd, "install") != 0 &&
		    strcmp(cmd, "check") != 0) {
			fprintf(stderr, "passeur glpi: unknown command \"views "
			    "%s\"\n", cmd);
			usage(2);
		}
		of_views = 1;
		argc--;
		argv++;
	} else if (strcmp(cmd, "check") != 0 && strcmp(cmd, "setup") != 0 &&
	    strcmp(cmd, "sync") != 0 && !list_is_command(cmd)) {
		fprintf(stderr, "passeur glpi: unknown command \"%s\"\n", cmd);
		usage(2);
	}
	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", checkopts, NULL)) != -1) {
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
		case 's':
			lo.search = optarg;
			break;
		case 'u':
			so.admin_user = optarg;
			break;
		case 'h':
			usage(0);
			break;
		default:
			usage(2);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "passeur glpi: unexpected argument \"%s\"\n",
		    argv[optind]);
		usage(2);
	}
	/*
	 * --json is for the checks, sync and the lists; --dry-run,
	 * --no-ip-range and --admin-user for setup; --full for sync;
	 * --search for the lists.
	 */
	if ((json && strcmp(cmd, "setup") == 0) || ((so.dry_run ||
	    so.no_ip_range || so.admin_user != NULL) &&
	    strcmp(cmd, "setup") != 0) ||
	    (sy.full && strcmp(cmd, "sync") != 0) ||
	    (lo.search != NULL && (of_views || !list_is_command(cmd))) ||
	    (json && of_views && strcmp(cmd, "check") != 0))
		usage(2);
	if (of_views && strcmp(cmd, "sql") == 0) {
		views_print_sql(stdout);	/* needs no configuration */
		return fflush(stdout) == 0 ? 0 : 1;
	}
	if (glpi_conf_load(confdir, &conf) != 0)
		return 1;
	if (strcmp(cmd, "setup") == 0) {
		so.confdir = confdir;
		return setup_run(&conf, &so);
	}
	if (strcmp(cmd, "sync") == 0) {
		sy.json = json;
		return sync_run(&conf, &sy);
	}
	if (!of_views && list_is_command(cmd)) {
		lo.what = cmd;
		lo.json = json;
		return list_run(&conf, &lo);
	}
	if (!of_views)
		return check_run(&conf, json);
	if (strcmp(cmd, "install") == 0)
		return views_install(&conf);
	return check_views_run(&conf, json);
}
