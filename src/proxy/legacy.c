/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Legacy (FusionInventory/OCS XML) branch: PROLOG is answered here,
 * INVENTORY is stored as <DEVICEID>.xml and forwarded to every server
 * target, with the GLPI-Proxy-ID chain, before the agent gets its <REPLY>.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/fsx.h"
#include "common/log.h"
#include "proxy/branch.h"
#include "proxy/chain.h"
#include "proxy/decode.h"
#include "proxy/forward.h"
#include "proxy/store.h"
#include "common/xmlsniff.h"

static const char inventory_reply[] =
    "<?xml version='1.0' encoding='UTF-8'?>\n<REPLY></REPLY>\n";

static void
prolog_reply(struct request *rq, struct response *rs)
{
	char body[256];
	int n;

	n = snprintf(body, sizeof(body),
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<REPLY>\n"
	    "  <PROLOG_FREQ>%lld</PROLOG_FREQ>\n"
	    "  <RESPONSE>SEND</RESPONSE>\n</REPLY>\n",
	    rq->px->conf->prolog_freq);
	response_set(rs, 200, "application/xml", body, (size_t)n);
}

void
branch_legacy_reply(struct response *rs, int ok, int failed_target)
{
	if (ok)
		response_set(rs, 200, "application/xml", inventory_reply,
		    sizeof(inventory_reply) - 1);
	else
		response_error(rs, 500, "Inventory not sent to server%d",
		    failed_target);
}

void
branch_legacy(struct request *rq, struct response *rs, const char *ctype)
{
	const struct instance_conf	*c = rq->px->conf;
	struct xml_fields		 f;
	char				*chain, name[STORE_NAME_MAX + 1];
	int				 r, has_store, spooled;

	if (!ctype_is(ctype, "application/xml")) {
		response_error(rs, 403, "Unsupported Content-type");
		return;
	}
	if (rq->body.len == 0) {
		response_error(rs, 403, "No content");
		return;
	}
	if (!xmlsniff_looks_xml(rq->body.data, rq->body.len)) {
		response_error(rs, 403, "Unsupported content");
		return;
	}
	if (xmlsniff(rq->body.data, rq->body.len, &f) != 0 || f.too_long) {
		response_error(rs, 403, "Unsupported xml content");
		return;
	}
	if (!f.has_query || (strcmp(f.query, "PROLOG") != 0 &&
	    strcmp(f.query, "INVENTORY") != 0)) {
		response_error(rs, 403, "Unsupported query");
		return;
	}
	if (!f.has_deviceid || f.deviceid[0] == '\0') {
		response_error(rs, 403, "%s query without deviceid", f.query);
		return;
	}
	snprintf(rq->deviceid, sizeof(rq->deviceid), "%s", f.deviceid);
	/* A trusted proxy's or injector's request counts for its device. */
	if (rq->rate_deferred && proxy_rate_deferred(rq, rs, f.deviceid))
		return;
	if (strcmp(f.query, "PROLOG") == 0) {
		rq->action = "prolog";
		prolog_reply(rq, rs);
		return;
	}
	rq->action = "inventory";
	/* As the JSON branch: a store that cannot be made again is a 500. */
	has_store = c->local_store[0] != '\0';
	if (has_store && store_ready(c->local_store) != 0) {
		response_error(rs, 500, "Proxy local store missing");
		return;
	}
	if (c->only_local_store && !has_store) {
		response_error(rs, 500, "No local storage for inventory");
		return;
	}
	/* An id this long, or unsafe, is refused before it is kept. */
	if (has_store && store_name(name, sizeof(name), f.deviceid, ".xml") !=
	    0) {
		response_error(rs, 400, "Invalid deviceid");
		return;
	}
	/*
	 * With a spool, the spool first, as in the JSON branch: what it
	 * refuses is not stored, and what it took is delivered whatever
	 * becomes of the local copy; <REPLY> says it is kept.
	 */
	spooled = !c->only_local_store && rq->px->agent->nservers > 0 &&
	    rq->px->deliver != NULL;
	if (spooled && branch_spool(rq, rs, SPOOL_XML, "inventory", NULL,
	    1) != 0)
		return;
	if (has_store) {
		r = store_save(c->local_store, f.deviceid, ".xml",
		    rq->body.data, rq->body.len);
		if (r != 0 && spooled)
			log_warn("store %s in %s (the spool keeps it for "
			    "delivery)", name, c->local_store);
		else if (r == ERR_TOO_BIG) {
			response_error(rs, 400, "Invalid deviceid");
			return;
		} else if (r != 0) {
			log_warn("store %s in %s", name, c->local_store);
			response_error(rs, 500, "Proxy cannot store content");
			return;
		} else
			snprintf(rq->stored, sizeof(rq->stored), "%s", name);
	}
	if (spooled || c->only_local_store || rq->px->agent->nservers == 0) {
		branch_legacy_reply(rs, 1, 0);
		return;
	}
	/* The chain goes upstream as for JSON: a loop is refused there. */
	if ((chain = chain_append(rq->proxy_ids, rq->px->proxy_id)) == NULL ||
	    forward_job_new(&rs->job, rq->px, FORWARD_XML, rq->body.data,
	    rq->body.len, NULL, chain, rq->user_agent) != 0)
		response_error(rs, 500, "Out of memory");
	else
		proxy_job_kept(rs->job, rq);
	free(chain);
}
