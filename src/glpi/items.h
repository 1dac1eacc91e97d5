/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * passeur glpi computer | user | entity list | show | add | update |
 * delete: GLPI's objects read and written through its REST API.  Writes
 * are refused locally, before any request, when the mode is read-only;
 * on a terminal they are confirmed unless --yes.  A command of the main
 * thread, which owns everything it allocates until it returns.
 */
#ifndef PASSEUR_GLPI_ITEMS_H
#define PASSEUR_GLPI_ITEMS_H

/* Exit status of a write refused locally (read-only mode). */
#define ITEMS_EXIT_READ_ONLY	3

/* 1 when word names one of the object types (computer, user, entity). */
int	items_is_type(const char *word);

/*
 * Runs the command argv[0] (the type) argv[1] (the action) and its
 * arguments, with the configuration of confdir.  Returns the exit status:
 * 0, 1 (failed), 2 (usage), ITEMS_EXIT_READ_ONLY, or the enum rest_kind
 * of an API failure.
 */
int	items_main(const char *confdir, int argc, char **argv);

#endif
