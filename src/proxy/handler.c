/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The protocol pipeline of one proxied request, after the listener's
 * early checks: chain limits, polls, query strings, content checks,
 * decoding, and the choice between the GLPI (JSON) and legacy (XML)
 * branches.  Statuses and messages follow the reference plugin; see
 * passeur-serve(8) for the table.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/log.h"
#include "proxy/branch.h"
#include "proxy/chain.h"
#include "proxy/decode.h"
#include "proxy/proxy.h"
#include "proxy/reqcache.h"

void
response_set(struct response *rs, int status, const char *ctype,
    const char *body, size_t len)
{
	rs->status = status;
	rs->content_type = ctype;
	buf_reset(&rs->body);
	if (buf_append(&rs->body, body, len) != 0)
		rs->status = 500;
}

void
response_error(struct response *rs, int status, const char *fmt, ...)
{
	va_list	ap;
	char	msg[512];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	response_set(rs, status, "text/plain; charset=utf-8", msg,
	    strlen(msg));
}

/* GET with a request id: the agent polls for a forwarded answer. */
static void
poll_answer(struct request *rq, struct response *rs)
{
	char	*body;
	size_t	 len;
	int	 code;

	rq->action = "poll";
	if (reqcache_take(rq->px->cache, rq->request_id, rq->agent_id, &code,
	    &body, &len, time(NULL)) != 0) {
		response_error(rs, 404, "Unknown status");
		return;
	}
	snprintf(rs->reqid, sizeof(rs->reqid), "%s", rq->request_id);
	if (code == 0)
		branch_pending(rq, rs, proxy_expected_seconds(rq->px));
	else
		response_set(rs, code, "application/json", body, len);
	free(body);
}

/*
 * A loop of proxies is a configuration mistake on some proxy's `server`:
 * say so, with the chain that shows the way the message went.
 */
static void
log_chain_loop(const struct request *rq)
{
	char chain[512];

	log_escape(chain, sizeof(chain), rq->proxy_ids);
	log_warnx("%s: loop detected (proxy id %s): GLPI-Proxy-ID %s already "
	    "holds this proxy's id, refused with 404", rq->ip,
	    rq->px->proxy_id, chain);
}

void
handler_run(struct request *rq, struct response *rs)
{
	struct decode_error	 derr;
	const char		*ctype;
	struct proxy		*px = rq->px;

	switch (chain_check(rq->proxy_ids, px->proxy_id,
	    px->conf->max_pass_through)) {
	case CHAIN_TOO_LONG:
		branch_json_error(rs, 403, "max-proxy-pass-through-reached");
		return;
	case CHAIN_LOOP:
		log_chain_loop(rq);
		branch_json_error(rs, 404, "proxy-loop-detected");
		/* Tells the proxy whose forward is refused which one we are. */
		rs->proxy_id = px->proxy_id;
		return;
	case CHAIN_INVALID:
		/* Not forwarded: its items would reach the next proxy's log. */
		branch_json_error(rs, 400, "invalid-proxy-id");
		return;
	case CHAIN_OK:
		break;
	}
	if (rq->method == METHOD_GET && rq->request_id != NULL) {
		poll_answer(rq, rs);
		return;
	}
	if (rq->nquery > 0) {
		if (rq->query_action != NULL &&
		    strcmp(rq->query_action, "getConfig") == 0)
			response_set(rs, 200, "application/json", "{}", 2);
		else
			response_error(rs, 403, "Unsupported request");
		return;
	}
	if (rq->content_type == NULL || *rq->content_type == '\0') {
		response_error(rs, 403, "Content-type not set");
		return;
	}
	if (rq->body.len == 0) {
		response_error(rs, 403, "No content");
		return;
	}
	/* The spool keeps a body as the agent compressed it. */
	buf_init(&rq->wire, rq->body.len);
	if (px->deliver != NULL && ctype_is(rq->content_type,
	    "application/x-compress") && buf_append(&rq->wire,
	    rq->body.data, rq->body.len) != 0) {
		response_error(rs, 500, "Out of memory");
		return;
	}
	if (decode_body(rq->content_type, &rq->body,
	    (size_t)px->conf->max_inflated_size, &ctype, &derr) != 0) {
		if (derr.why[0] != '\0')
			log_warnx("%s: body refused with %d: %s", rq->ip,
			    derr.status, derr.why);
		response_error(rs, derr.status, "%s", derr.message);
		buf_free(&rq->wire);
		return;
	}
	if (px->conf->glpi_protocol && uuid_valid(rq->agent_id))
		branch_glpi(rq, rs, ctype);
	else
		branch_legacy(rq, rs, ctype);
	buf_free(&rq->wire);
}
