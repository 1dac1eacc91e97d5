/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * passeur: carries GLPI inventories across networks.
 * One program, one subcommand per job.
 */
#include <stdio.h>
#include <string.h>

#include "glpi/glpi.h"
#include "inject/inject.h"
#include "proxy/serve.h"
#include "proxy/spool_cmd.h"
#include "status/status.h"

static void
usage(FILE *out)
{
	fprintf(out,
	    "usage: passeur serve [-fnTv] [-c confdir] [-u user] [--vardir dir]\n"
	    "                     [--pidfile file]\n"
	    "       passeur inject [options] [-f file | -d dir | --stdin] -u url\n"
	    "       passeur glpi [-c confdir] check | setup | views | sync |\n"
	    "                    devices | users | entities [options]\n"
	    "       passeur glpi [-c confdir] computer | user | entity\n"
	    "                    list | show | add | update | delete [options]\n"
	    "       passeur spool [-c confdir] [--spool dir] list | show ID |\n"
	    "                     stats [--json] | retry ID | retry --all |\n"
	    "                     drop ID [--yes]\n"
	    "       passeur status [-c confdir] [--json]\n"
	    "       passeur --version\n"
	    "       passeur --help\n"
	    "\n"
	    "  serve     run the inventory proxy (GLPI Agent proxy plugin)\n"
	    "  inject    send stored inventories (glpi-injector)\n"
	    "  glpi      GLPI access of a management platform: check, setup,\n"
	    "            views (sql, install, check), sync, devices, users,\n"
	    "            entities; computer, user, entity through the REST API\n"
	    "  spool     what waits in the spool: list, show, stats; retry\n"
	    "            or drop an item, through the running daemon\n"
	    "  status    ask a running passeur serve how it is (its admin\n"
	    "            listener): exit 0 healthy, 1 degraded, 2 unreachable\n"
	    "  --version print the version\n"
	    "  --help    this help (each command has its own: passeur serve "
	    "--help)\n"
	    "\n"
	    "See passeur(1), passeur-serve(8), passeur-inject(1), passeur-glpi(1).\n");
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--version") == 0 ||
	    strcmp(argv[1], "version") == 0) {
		printf("passeur %s\n", PASSEUR_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "serve") == 0)
		return serve_main(argc - 1, argv + 1);
	if (strcmp(argv[1], "glpi") == 0)
		return glpi_main(argc - 1, argv + 1);
	if (strcmp(argv[1], "inject") == 0)
		return inject_main(argc - 1, argv + 1);
	if (strcmp(argv[1], "spool") == 0)
		return spool_cmd_main(argc - 1, argv + 1);
	if (strcmp(argv[1], "status") == 0)
		return status_main(argc - 1, argv + 1);
	fprintf(stderr, "passeur: unknown command \"%s\"\n", argv[1]);
	usage(stderr);
	return 2;
}
