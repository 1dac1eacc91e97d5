/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The two protocol branches of the pipeline and their shared answers.
 *
 * branch_glpi() serves the GLPI JSON protocol (CONTACT, inventory and the
 * other actions, legacy PROLOG sent with an agent id); branch_legacy()
 * serves FusionInventory/OCS XML (PROLOG answered here, INVENTORY stored
 * and forwarded).  Both leave their answer in the response; when upstream
 * must answer first, they set response.job.
 */
#ifndef PASSEUR_PROXY_BRANCH_H
#define PASSEUR_PROXY_BRANCH_H

#include "proxy/proxy.h"
#include "proxy/spool.h"

void	branch_glpi(struct request *rq, struct response *rs,
	    const char *ctype);
void	branch_legacy(struct request *rq, struct response *rs,
	    const char *ctype);

/*
 * Keeps the inventory of rq (action, and reqid for JSON; full when it is
 * a full inventory, that supersedes an older one of the device) in the spool of
 * its instance (rq->px->deliver is set), durably, as the agent sent it.
 * 0 once the agent may be told; else rs holds the error answer (503 with
 * Retry-After: full disk, or a write that failed).  branch_spool.c.
 */
int	branch_spool(struct request *rq, struct response *rs,
	    enum spool_kind kind, const char *action, const char *reqid,
	    int full);

/* The legacy INVENTORY answer once forwarding is over. */
void	branch_legacy_reply(struct response *rs, int ok, int failed_target);
/* {"expiration":"<N>s","status":"pending"}, 202. */
void	branch_pending(struct request *rq, struct response *rs, int seconds);
/* {"message":...,"status":"error"} with the given status. */
void	branch_json_error(struct response *rs, int status, const char *msg);

#endif
