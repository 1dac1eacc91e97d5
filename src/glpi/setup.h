/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * passeur glpi setup: creates what the GLPI access lacks, with a
 * read/write account, and says what it did: the REST API enabled, the
 * API client (active, recursive, with an application token, limited to
 * this host's address unless asked not to), the API user's token, the
 * views; then writes the tokens to glpi.local (mode 0600).  With an admin
 * account, also the platform's own database account (setup_account.h),
 * its name and password written to glpi.local.  It changes
 * nothing that is already as needed, so a second run changes nothing.
 */
#ifndef PASSEUR_GLPI_SETUP_H
#define PASSEUR_GLPI_SETUP_H

#include "glpi/config.h"

struct setup_opts {
	const char	*confdir;
	int		 dry_run;	/* print the SQL, change nothing */
	int		 no_ip_range;	/* the client admits any address */
	const char	*admin_user;	/* makes the changes, or NULL: dbuser */
	const char	*db_account;	/* the account to make, or NULL */
	int		 read_only;	/* db_account: SELECT only */
};

/* Returns the exit status. */
int	setup_run(struct glpi_conf *conf, const struct setup_opts *o);

#endif
