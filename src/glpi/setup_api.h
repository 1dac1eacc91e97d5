/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The last step of passeur glpi setup: the tokens it made are proven
 * against the live API (initSession), and the configuration as check will
 * read it is seen to hold them (a glpi.cfg that does not include
 * glpi.local would not).  Main thread only.
 */
#ifndef PASSEUR_GLPI_SETUP_API_H
#define PASSEUR_GLPI_SETUP_API_H

#include "glpi/config.h"

/*
 * Prints one summary line for each, and on stderr what to do when one
 * fails; conf holds the tokens setup made, confdir is where it read
 * glpi.cfg.  Returns setup's exit status: 0 when both hold (or no
 * api_url is set: nothing to prove the tokens against), the exit status
 * of the API's refusal (enum rest_kind) when initSession fails, else 1
 * when check would not see the tokens.
 */
int	setup_api_prove(const struct glpi_conf *conf, const char *confdir);

#endif
