/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * passeur glpi check: every prerequisite of a management platform's GLPI
 * access, one row each (item, expected, found, verdict, and the fix when
 * it fails), as a table for a person or JSON for a program.
 */
#ifndef PASSEUR_GLPI_CHECK_H
#define PASSEUR_GLPI_CHECK_H

#include "glpi/config.h"

/*
 * Runs the checks, prints them; returns the exit status (0 = usable).
 * With api 1, the API access is also proven through the API (check_api.h);
 * 0 skips it; -1 proves it when api_url and both tokens are configured.
 */
int	check_run(const struct glpi_conf *conf, int json, int api);

/* passeur glpi views check: one row per view; returns the exit status. */
int	check_views_run(const struct glpi_conf *conf, int json);

#endif
