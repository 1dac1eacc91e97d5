/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The step both branches share when an inventory is to be forwarded:
 * keep it in the spool, durably, before the agent is answered.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/log.h"
#include "proxy/branch.h"
#include "proxy/chain.h"
#include "proxy/deliver.h"

/* What an agent told that the spool cannot keep its inventory waits. */
#define SPOOL_RETRY_AFTER	60

int
branch_spool(struct request *rq, struct response *rs, enum spool_kind kind,
    const char *action, const char *reqid, int full)
{
	struct proxy		*px = rq->px;
	struct spool_item	 it;
	const struct buf	*body;
	int			 r, saved;

	memset(&it, 0, sizeof(it));
	it.kind = kind;
	it.full = full;
	it.instance = strcmp(px->conf->name, "proxy2") == 0;
	snprintf(it.device, sizeof(it.device), "%s", rq->deviceid);
	if (kind == SPOOL_JSON) {
		snprintf(it.agent, sizeof(it.agent), "%s", rq->agent_id);
		snprintf(it.reqid, sizeof(it.reqid), "%s", reqid);
	}
	snprintf(it.action, sizeof(it.action), "%s", action);
	snprintf(it.ctype, sizeof(it.ctype), "%s", rq->content_type);
	/* A compressed body is kept as it came: 20 KB, not 275. */
	body = rq->wire.len > 0 ? &rq->wire : &rq->body;
	if ((it.proxy_ids = chain_append(rq->proxy_ids, px->proxy_id)) ==
	    NULL || (rq->user_agent != NULL &&
	    (it.user_agent = strndup(rq->user_agent, SPOOL_UA_MAX)) ==
	    NULL)) {
		spool_item_clear(&it);
		response_error(rs, 500, "Out of memory");
		return ERR_NOMEM;
	}
	r = deliver_queue(px->deliver, &it, body->data, body->len);
	saved = errno;
	spool_item_clear(&it);
	if (r == 0)
		return 0;
	rs->retry_after = SPOOL_RETRY_AFTER;
	if (r == ERR_TOO_BIG) {
		log_warnx("spool full (spool_max_size, or its file system at "
		    "90%%): the %s of device %s refused with 503", action,
		    rq->deviceid);
		response_error(rs, 503, "Proxy spool full, retry later");
		return r;
	}
	errno = saved;
	log_warn("spool: cannot keep the %s of device %s", action,
	    rq->deviceid);
	if (r == ERR_SYSTEM && (saved == ENOSPC || saved == EDQUOT))
		response_error(rs, 503, "Proxy spool full, retry later");
	else
		response_error(rs, 503, "Proxy cannot keep the inventory, "
		    "retry later");
	return r;
}
