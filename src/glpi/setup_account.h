/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * passeur glpi setup --db-account: the platform's own MariaDB account,
 * made by the admin account of --admin-user for this host's address.
 * Read-only: SELECT on the GLPI database (its tables and the views in
 * it); read/write: all privileges on it.  A new password is generated
 * only when the account's password is not already the configured one;
 * grants are added (or, for read-only, write rights taken back) only when
 * they differ, so a second run changes nothing.  Main thread only; conf
 * is the caller's, and receives dbuser and the new dbpassword.
 */
#ifndef PASSEUR_GLPI_SETUP_ACCOUNT_H
#define PASSEUR_GLPI_SETUP_ACCOUNT_H

#include "glpi/config.h"
#include "glpi/db.h"

struct setup_account {
	const char	*name;		/* the account's user name */
	const char	*host;		/* its host part: this host's address */
	int		 read_only;
	int		 dry_run;	/* print the SQL (password masked) */
	int		 changes;	/* out: statements run or shown */
	int		 new_password;	/* out: conf's dbpassword is new */
};

/*
 * Makes the account through admin (the admin's connection).  Returns 0,
 * or a negative ERR_* after saying why on stderr.
 */
int	setup_account(struct db *admin, struct glpi_conf *conf,
	    struct setup_account *a);

#endif
