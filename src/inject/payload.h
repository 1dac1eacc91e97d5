/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * One inventory made ready to send: read (the file locked meanwhile),
 * inflated when stored compressed, checked to be an inventory, given its
 * agent id and User-Agent, and encoded as glpi-injector sends it.
 *
 * The kind comes from the content, not from the name: JSON gets a
 * GLPI-Agent-ID (the UUID ending the file name, else a new one), XML
 * gets none, as the proxy and GLPI expect.
 */
#ifndef PASSEUR_INJECT_PAYLOAD_H
#define PASSEUR_INJECT_PAYLOAD_H

#include "common/buf.h"
#include "common/uuid.h"
#include "inject/inject.h"

struct payload {
	const char	*name;		/* the path, or "STDIN DATA" */
	int		 fd;		/* the locked file, or -1 */
	struct buf	 content;	/* inflated inventory */
	int		 json;		/* else legacy XML */
	char		 deviceid[256];
	char		 action[64];	/* JSON "action", "" when absent */
	char		 agentid[UUID_STRLEN + 1];	/* "" for XML */
	char		 user_agent[256];
	struct buf	 body;		/* what goes on the wire */
	const char	*ctype;
};

/*
 * Reads path (locking it) or, when path is NULL, standard input, and
 * prepares it; with encode unset the body is left empty (--dry-run).
 * Returns 0; 1 when it is a JSON control message (get_params, contact...:
 * see common/action.h), which is never sent, with why starting
 * "skipped: "; or a negative ERR_* with a sentence in why.  Either way
 * payload_free() releases what was taken.
 */
int	payload_load(struct payload *p, const char *path,
	    const struct inject_opts *o, int encode, char *why, size_t whylen);

void	payload_free(struct payload *p);

#endif
