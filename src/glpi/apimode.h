/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The mode of an API session, known before any write: forced by glpi.cfg
 * (mode = read-only or super-admin), or read from GLPI (mode = auto) with
 * getActiveProfile, getMyProfiles and getMyEntities.  In auto mode a user
 * whose active profile is not Super-Admin but who has it is switched to
 * it (changeActiveProfile).  Used by one thread, on the caller's session.
 */
#ifndef PASSEUR_GLPI_APIMODE_H
#define PASSEUR_GLPI_APIMODE_H

#include "glpi/config.h"
#include "glpi/rest.h"

#define APIMODE_WRITER	"Super-Admin"	/* the profile that writes */

struct apimode {
	enum glpi_mode	 mode;		/* read-only or super-admin */
	int		 forced;	/* by glpi.cfg, not read from GLPI */
	char		 profile[128];	/* the active profile, or "" */
	long		 nentities;	/* getMyEntities, recursive; -1 unread */
	int		 root;		/* the root entity is among them */
};

/*
 * Fills *m for the session r under the configured mode.  Returns 0, or
 * as rest_call() with *e filled.
 */
int	apimode_resolve(struct rest *r, enum glpi_mode configured,
	    struct apimode *m, struct rest_error *e);

/*
 * Makes the entities created in this session visible to it: GLPI keeps
 * the active entities of a session as they were when it was opened, so
 * that a new entity can be neither used nor deleted in it.  Asks for the
 * active entity again, recursive (changeActiveEntities).
 */
int	apimode_refresh_entities(struct rest *r, struct rest_error *e);

#endif
