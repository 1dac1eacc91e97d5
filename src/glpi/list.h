/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * passeur glpi devices | users | entities: what the last sync copied, as
 * tab-separated lines under a header, or as a JSON array.
 */
#ifndef PASSEUR_GLPI_LIST_H
#define PASSEUR_GLPI_LIST_H

struct glpi_conf;

struct list_opts {
	const char	*what;		/* "devices", "users" or "entities" */
	const char	*search;	/* text the row must contain, or NULL */
	int		 json;
};

/* Prints the list; returns the exit status (0, or 1 with a message). */
int	list_run(const struct glpi_conf *conf, const struct list_opts *o);

#endif
