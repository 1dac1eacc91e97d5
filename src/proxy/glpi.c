/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * GLPI (JSON) branch.  Inventories are stored byte for byte as the agent
 * sent them (after decompression), control messages are not stored; both
 * are forwarded the same way.  Answers are JSON with sorted keys, as the
 * reference prints them.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/action.h"
#include "common/answer.h"
#include "common/err.h"
#include "common/fsx.h"
#include "common/jsonscan.h"
#include "common/log.h"
#include "proxy/branch.h"
#include "proxy/chain.h"
#include "proxy/contactcache.h"
#include "proxy/decode.h"
#include "proxy/forward.h"
#include "proxy/generation.h"
#include "proxy/reqcache.h"
#include "proxy/spool.h"
#include "proxy/store.h"
#include "common/xmlsniff.h"

static void
json_answer(struct response *rs, int status, json_t *obj)
{
	char *s;

	s = json_dumps(obj, JSON_INDENT(3) | JSON_SORT_KEYS);
	json_decref(obj);
	if (s == NULL) {
		response_error(rs, 500, "Out of memory");
		return;
	}
	response_set(rs, status, "application/json", s, strlen(s));
	free(s);
	buf_append(&rs->body, "\n", 1);
}

void
branch_json_error(struct response *rs, int status, const char *msg)
{
	json_answer(rs, status, json_pack("{s:s,s:s}", "status", "error",
	    "message", msg));
}

void
branch_pending(struct request *rq, struct response *rs, int seconds)
{
	char exp[32];

	(void)rq;
	snprintf(exp, sizeof(exp), "%ds", seconds);
	json_answer(rs, 202, json_pack("{s:s,s:s}", "expiration", exp,
	    "status", "pending"));
}

/*
 * The CONTACT answer of the proxy itself (§4.1): inventory only, every
 * other task disabled, the next contact in prolog_freq hours.  Given by
 * a proxy that only stores, where no server will ever reply, with the
 * reference's message; and, with a message that says so, when the
 * server cannot be reached and gave no answer to repeat.
 */
static void
emulated_contact(const struct instance_conf *c, struct response *rs,
    const char *message)
{
	json_t *inv;

	inv = json_object();
	if (c->no_category[0] != '\0')
		json_object_set_new(inv, "no-category",
		    json_string(c->no_category));
	json_answer(rs, 200, json_pack("{s:s,s:s,s:{s:o},s:[ssssss],s:I}",
	    "status", "ok", "message", message,
	    "tasks", "inventory", inv, "disabled", "netdiscovery",
	    "netinventory", "esx", "collect", "deploy", "wakeonlan",
	    "expiration", (json_int_t)c->prolog_freq));
}

#define STORING_MESSAGE	"contact on only storing proxy agent"

/* §4.1: a legacy XML PROLOG sent with a GLPI-Agent-ID. */
static void
legacy_contact(struct request *rq, struct response *rs)
{
	struct xml_fields f;

	if (xmlsniff(rq->body.data, rq->body.len, &f) != 0 || f.too_long) {
		response_error(rs, 403, "Unsupported Content");
		return;
	}
	if (!f.has_query || strcmp(f.query, "PROLOG") != 0) {
		response_error(rs, 403, "Not a legacy CONTACT");
		return;
	}
	if (!f.has_deviceid || f.deviceid[0] == '\0') {
		response_error(rs, 403, "No deviceid in CONTACT");
		return;
	}
	snprintf(rq->deviceid, sizeof(rq->deviceid), "%s", f.deviceid);
	rq->action = "prolog";
	if (rq->px->conf->only_local_store) {
		emulated_contact(rq->px->conf, rs, STORING_MESSAGE);
		return;
	}
	/* Tell the agent to switch to the JSON protocol at once. */
	json_answer(rs, 202, json_pack("{s:i,s:s}", "expiration", 0,
	    "status", "pending"));
}

/*
 * File name suffix of a stored message.  A full inventory is
 * <id>.json; a partial one or another action goes beside it so that it
 * never replaces the full inventory an offline site will inject.
 */
static void
store_suffix(const char *action, int partial, char *out, size_t outlen)
{
	size_t i;

	if (strcmp(action, "inventory") == 0 || strlen(action) > 32)
		action = strlen(action) > 32 ? "other" : "";
	for (i = 0; action[i] != '\0'; i++)
		if (!((action[i] >= 'a' && action[i] <= 'z') ||
		    action[i] == '_' || action[i] == '-')) {
			action = "other";
			break;
		}
	snprintf(out, outlen, "%s%s%s.json", *action ? "." : "", action,
	    partial ? ".partial" : "");
}

/*
 * A CONTACT answer of target i, kept as the last one of that upstream
 * (the forward's answered callback, on its worker thread).  An answer
 * that is not one to repeat (an error, no tasks) is not kept, silently.
 */
static void
contact_answered(struct forward_job *job, int i, const char *body,
    size_t len)
{
	struct proxy	*px = job->px;
	int		 r;

	if (px->contacts == NULL)
		return;
	r = contactcache_put(px->contacts, i, px->agent->servers[i], body, len,
	    time(NULL));
	if (r == ERR_SYSTEM)
		log_warn("cannot keep the CONTACT answer of server%d in %s", i,
		    px->agent->vardir);
	else if (r == ERR_TOO_BIG)
		log_warnx("CONTACT answer of server%d not kept: %zu bytes, over "
		    "%d", i, len, CONTACTCACHE_MAX_ANSWER);
	else if (r != 0 && r != ERR_FORMAT)
		log_warnx("CONTACT answer of server%d not kept: %s", i,
		    err_str(r));
}

/*
 * The answer to a CONTACT whose upstream cannot be reached now: the last
 * answer that upstream gave to a CONTACT, or else the proxy's own (§4.1),
 * so that the agent goes on with its inventory, which the spool keeps
 * until the upstream is back (instead of "serverN forward failure",
 * after which the agent sends nothing).  One log line says which.
 *
 * The expiration of a CONTACT answer is when the agent is to contact
 * again (JPC).  The spec gives the answers the proxy makes itself, the
 * emulated one and the forward failure (§4.1, §4.3), prolog_freq hours:
 * a repeated answer is the proxy's word too, so it is kept when GLPI
 * asked for sooner and shortened to prolog_freq otherwise, so that the
 * agent hears GLPI's own answer again no later than the proxy would ask
 * it to come back.
 */
static void
contact_substitute(struct forward_job *job, struct response *rs)
{
	struct proxy			*px = job->px;
	const struct instance_conf	*c = px->conf;
	const char			*url;
	json_t				*doc = NULL, *exp;
	char				*cached = NULL, at[32], msg[128];
	size_t				 len;
	time_t				 when;
	long				 secs;
	int				 i = job->failed_target;

	url = i < px->agent->nservers ? px->agent->servers[i] : "-";
	if (px->contacts != NULL && contactcache_get(px->contacts, i, url,
	    &cached, &len, &when) == 0)
		doc = json_loadb(cached, len, 0, NULL);
	free(cached);
	if (doc == NULL) {
		snprintf(msg, sizeof(msg), "server%d unreachable, contact "
		    "answered by proxy", i);
		emulated_contact(c, rs, msg);
		log_warnx("contact %s (agent %s): server%d (%s) unreachable "
		    "(%.200s): answered with the emulated answer, no CONTACT "
		    "answer of it is cached", job->reqid, job->agentid, i, url,
		    job->reason);
		return;
	}
	exp = json_object_get(doc, "expiration");
	if (json_is_integer(exp))
		secs = (long)json_integer_value(exp) * 3600;
	else if (json_is_string(exp))
		secs = answer_expiration_seconds(json_string_value(exp));
	else
		secs = -1;
	if (secs < 0 || secs > c->prolog_freq * 3600)
		json_object_set_new(doc, "expiration",
		    json_integer((json_int_t)c->prolog_freq));
	spool_when(at, sizeof(at), (long long)when * 1000);
	json_answer(rs, 200, doc);
	log_warnx("contact %s (agent %s): server%d (%s) unreachable (%.200s): "
	    "answered from the cached CONTACT answer of %s", job->reqid,
	    job->agentid, i, url, job->reason, at);
}

static void
json_forward_done(struct forward_job *job)
{
	struct proxy	*px = job->px;
	struct timespec	 now;
	struct response	 rs;
	char		 msg[64];
	int		 secs;

	clock_gettime(CLOCK_MONOTONIC, &now);
	secs = (int)(now.tv_sec - job->started.tv_sec) + 1;
	proxy_add_timing(px, secs);
	memset(&rs, 0, sizeof(rs));
	buf_init(&rs.body, 16 * 1024 * 1024);
	if (job->ok) {
		response_set(&rs, job->status, "application/json",
		    job->answer != NULL ? job->answer : "",
		    job->answer_len);
	} else if (job->answered == contact_answered && job->unreachable) {
		contact_substitute(job, &rs);
	} else {
		snprintf(msg, sizeof(msg), "server%d forward failure",
		    job->failed_target);
		json_answer(&rs, 200, json_pack("{s:s,s:s,s:I}", "status",
		    "error", "message", msg, "expiration",
		    (json_int_t)px->conf->prolog_freq));
	}
	if (reqcache_set(px->cache, job->reqid, rs.status, rs.body.data,
	    rs.body.len, time(NULL)) != 0) {
		/* Too large to keep: the agent must not wait for it. */
		log_warnx("answer of %s too large to keep for the poll",
		    job->reqid);
		branch_json_error(&rs, 503, "answer too large to keep");
		reqcache_set(px->cache, job->reqid, rs.status, rs.body.data,
		    rs.body.len, time(NULL));
	}
	/* A failure was logged with its reason by the forwarder. */
	if (job->ok)
		log_info("forward %s done in %ds: HTTP %d", job->reqid, secs,
		    rs.status);
	proxy_log_refused(job);
	buf_free(&rs.body);
	forward_job_free(job);
	generation_release(px->gen);
}

static void
forward_json(struct request *rq, struct response *rs)
{
	struct proxy		*px = rq->px;
	struct forward_job	*job = NULL;
	char			*chain = NULL;
	int			 r;

	snprintf(rs->reqid, sizeof(rs->reqid), "%s",
	    rq->request_id != NULL ? rq->request_id : "");
	/* A trusted address sends for many agents: no quota per address. */
	if ((r = reqcache_open(px->cache, rq->agent_id,
	    rq->trusted ? NULL : rq->ip, rs->reqid, time(NULL))) != 0) {
		rs->reqid[0] = '\0';
		response_error(rs, 503, "Proxy busy, retry later");
		return;
	}
	if ((chain = chain_append(rq->proxy_ids, px->proxy_id)) == NULL ||
	    forward_job_new(&job, px, FORWARD_JSON, rq->body.data,
	    rq->body.len, rq->agent_id, chain, rq->user_agent) != 0) {
		free(chain);
		reqcache_drop(px->cache, rs->reqid);
		rs->reqid[0] = '\0';
		response_error(rs, 500, "Out of memory");
		return;
	}
	free(chain);
	memcpy(job->reqid, rs->reqid, sizeof(job->reqid));
	if (strcmp(rq->action, "contact") == 0)
		job->answered = contact_answered;
	proxy_job_kept(job, rq);
	/* The forward outlives this request: it holds the configuration. */
	generation_hold(px->gen);
	if (forward_submit(px->fwd, job, json_forward_done, NULL) != 0) {
		generation_release(px->gen);
		forward_job_free(job);
		reqcache_drop(px->cache, rs->reqid);
		rs->reqid[0] = '\0';
		response_error(rs, 503, "Proxy busy, retry later");
		return;
	}
	branch_pending(rq, rs, proxy_expected_seconds(px));
}

/*
 * An inventory to forward: kept in the spool before the 202, delivered
 * by the deliverer, whose outcome the poll gets (deliver.h).
 */
static int
spool_json(struct request *rq, struct response *rs, const char *action,
    int full)
{
	struct proxy	*px = rq->px;
	int		 r;

	snprintf(rs->reqid, sizeof(rs->reqid), "%s",
	    rq->request_id != NULL ? rq->request_id : "");
	if ((r = reqcache_open(px->cache, rq->agent_id, rq->trusted ? NULL :
	    rq->ip, rs->reqid, time(NULL))) != 0) {
		rs->reqid[0] = '\0';
		response_error(rs, 503, "Proxy busy, retry later");
		return r;
	}
	if ((r = branch_spool(rq, rs, SPOOL_JSON, action, rs->reqid,
	    full)) != 0) {
		reqcache_drop(px->cache, rs->reqid);
		rs->reqid[0] = '\0';
		return r;
	}
	branch_pending(rq, rs, proxy_expected_seconds(px));
	return 0;
}

/*
 * The JSON branch reads its document in one pass with no tree
 * (jsonscan): a tree of a 1.1 MB inventory costs jansson 13 ms and up
 * to 79 bytes per byte, the scan under 1 ms and nothing but the three
 * fields (README, Performance).  jsonscan accepts exactly what
 * json_loadb() accepted here, but for integers beyond int64 (SNMP 64-bit
 * counters), valid JSON that jansson refuses unless told
 * JSON_DECODE_INT_AS_REAL.
 */
enum { F_ACTION, F_DEVICEID, F_PARTIAL, F_COUNT };

void
branch_glpi(struct request *rq, struct response *rs, const char *ctype)
{
	const struct instance_conf	*c = rq->px->conf;
	struct jsonscan_field		 f[F_COUNT] = {
		[F_ACTION] = { .key = "action" },
		[F_DEVICEID] = { .key = "deviceid" },
		[F_PARTIAL] = { .key = "partial" },
	};
	const char			*action, *id;
	char				 suffix[64], name[STORE_NAME_MAX + 1];
	int				 partial, r, store, spooled;

	if (!ctype_equals(ctype, "application/json")) {
		legacy_contact(rq, rs);
		return;
	}
	if (jsonscan(rq->body.data, rq->body.len, f, F_COUNT) != 0) {
		response_error(rs, 403, "Unsupported JSON Content");
		goto out;
	}
	action = f[F_ACTION].kind == JSONSCAN_STRING ? f[F_ACTION].str : NULL;
	if (action == NULL || *action == '\0')
		action = "inventory";
	rq->action = strcmp(action, "contact") == 0 ? "contact" :
	    strcmp(action, "inventory") == 0 ? "inventory" : "other";
	id = f[F_DEVICEID].kind == JSONSCAN_STRING ? f[F_DEVICEID].str : NULL;
	if (id == NULL || *id == '\0')
		id = rq->agent_id;
	snprintf(rq->deviceid, sizeof(rq->deviceid), "%s", id);
	/*
	 * "partial" is a boolean in GLPI's inventory format
	 * (inventory.schema.json: "type": "boolean"), the agent writes
	 * JSON true or false (GLPI::Agent::Protocol::Inventory normalizes
	 * it), and GLPI refuses an inventory whose "partial" is anything
	 * else, a string included, when it validates it against the
	 * schema.  Storing "yes" as a full inventory would replace the
	 * device's full inventory with a partial one: refused here, as
	 * GLPI would.  Only inventories are validated so.
	 */
	partial = f[F_PARTIAL].kind == JSONSCAN_TRUE;
	if (action_is_inventory(action) && f[F_PARTIAL].kind !=
	    JSONSCAN_ABSENT && f[F_PARTIAL].kind != JSONSCAN_TRUE &&
	    f[F_PARTIAL].kind != JSONSCAN_FALSE) {
		response_error(rs, 400, "Invalid partial: must be true or "
		    "false");
		goto out;
	}

	if (c->local_store[0] != '\0' && store_ready(c->local_store) != 0) {
		response_error(rs, 500, "Proxy local store missing");
		goto out;
	}
	/*
	 * Only inventories are kept: a control message (get_params,
	 * register...) left in local_store would be sent to GLPI by the
	 * next `passeur inject -d`, long after its conversation.
	 */
	store = c->local_store[0] != '\0' && action_is_inventory(action);
	if (action_is_inventory(action) && !store && c->only_local_store) {
		response_error(rs, 500, "Proxy local store not set");
		goto out;
	}
	if (store) {
		store_suffix(action, partial, suffix, sizeof(suffix));
		r = store_name(name, sizeof(name), id, suffix);
		if (r == ERR_UNSAFE) {
			response_error(rs, 400, "Invalid deviceid");
			goto out;
		}
		if (r == ERR_TOO_BIG) {
			response_error(rs, 400, "Invalid deviceid: too long for "
			    "a file name with suffix %s", suffix);
			goto out;
		}
	}
	/*
	 * An inventory to forward goes to the spool first: one the spool
	 * refuses (full) is not stored either, and one it took is the
	 * proxy's to deliver, whatever becomes of the local copy.
	 */
	spooled = !c->only_local_store && rq->px->deliver != NULL &&
	    action_is_inventory(action);
	if (spooled && spool_json(rq, rs, action, !partial &&
	    strcmp(action, "inventory") == 0) != 0)
		goto out;
	if (store) {
		r = store_save(c->local_store, id, suffix, rq->body.data,
		    rq->body.len);
		if (r == ERR_TOO_BIG && !spooled) {
			response_error(rs, 400, "Invalid deviceid: too long for "
			    "a file name with suffix %s", suffix);
			goto out;
		}
		if (r != 0 && spooled)
			log_warn("store %s in %s (the spool keeps it for "
			    "delivery)", name, c->local_store);
		else if (r != 0) {
			log_warn("store %s in %s", name, c->local_store);
			response_error(rs, 500, "Proxy failed to store json");
			goto out;
		} else
			snprintf(rq->stored, sizeof(rq->stored), "%s", name);
	}
	if (spooled)
		goto out;
	if (c->only_local_store) {
		if (strcmp(action, "contact") == 0)
			emulated_contact(rq->px->conf, rs, STORING_MESSAGE);
		else
			json_answer(rs, 200, json_pack("{s:s}", "status",
			    "ok"));
		goto out;
	}
	forward_json(rq, rs);
out:
	jsonscan_fields_free(f, F_COUNT);
}
