/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * passeur glpi sync: copies GLPI's entities, profiles, users (with their
 * profiles per entity) and computers into the local SQLite copy.
 */
#ifndef PASSEUR_GLPI_SYNC_H
#define PASSEUR_GLPI_SYNC_H

struct glpi_conf;

struct sync_opts {
	int	full;		/* read every row, not only changed ones */
	int	json;		/* the summary as one JSON object */
};

/*
 * One run, in one read snapshot of GLPI and one transaction of the copy:
 * either the copy takes every change, or it stays as it was.  Prints the
 * summary; returns the exit status (0 done, 1 failed).
 */
int	sync_run(const struct glpi_conf *conf, const struct sync_opts *o);

#endif
