/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <unistd.h>

#include "proxy/summary.h"

/*
 * Requests by class of status: 2xx, 4xx, 5xx..., "none" when no answer
 * was sent, "other" for a status outside the counted ones.
 */
static json_t *
by_class(const struct metrics_snapshot *s, json_int_t *total)
{
	static const char *const names[] = {
		"none", "1xx", "2xx", "3xx", "4xx", "5xx", "other"
	};
	json_int_t	 classes[7] = { 0 };
	json_t		*o;
	int		 i, a, st, code, c;

	*total = 0;
	for (i = 0; i < MI_COUNT; i++)
		for (a = 0; a < MA_COUNT; a++)
			for (st = 0; st < MS_COUNT; st++) {
				code = metrics_status_code(st);
				c = code == 0 ? 0 : code < 100 || code > 599 ?
				    6 : code / 100;
				classes[c] += (json_int_t)s->requests[i][a][st];
				*total += (json_int_t)s->requests[i][a][st];
			}
	if ((o = json_object()) == NULL)
		return NULL;
	for (c = 0; c < 7; c++)
		if (classes[c] > 0)
			json_object_set_new(o, names[c],
			    json_integer(classes[c]));
	return o;
}

static json_t *
instances(const struct serve_conf *c)
{
	const struct instance_conf	*ic;
	json_t				*a, *o;
	int				 i;

	if ((a = json_array()) == NULL)
		return NULL;
	for (i = 0; i < CONF_NINSTANCES; i++) {
		ic = &c->inst[i];
		if (ic->disabled)
			continue;
		o = json_pack("{s:s, s:I, s:s, s:b, s:s, s:s}", "name",
		    ic->name, "port", (json_int_t)ic->port, "url_path",
		    ic->url_path, "tls", config_tls_port(c, ic->port),
		    "mode", ic->only_local_store ? "storing only" :
		    "forwarding", "local_store", ic->local_store);
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *
upstreams(const struct metrics_snapshot *s)
{
	const struct metrics_upstream	*u;
	json_t				*a;
	int				 i;

	if ((a = json_array()) == NULL)
		return NULL;
	for (i = 0; i <= METRICS_UPSTREAMS; i++) {
		u = &s->up[i];
		if (u->url[0] == '\0')
			continue;
		json_array_append_new(a, json_pack("{s:s, s:b, s:I, s:I, s:s, "
		    "s:I}", "url", u->url, "up", u->up, "delivered",
		    (json_int_t)u->ok, "failed", (json_int_t)u->failed,
		    "last_error", u->last_error, "last_error_time",
		    (json_int_t)u->last_error_time));
	}
	return a;
}

json_t *
summary_new(const struct metrics_snapshot *s, const struct serve_conf *c,
    const char *why, time_t started)
{
	json_int_t	 total;
	json_t		*o, *classes;

	if ((classes = by_class(s, &total)) == NULL)
		return NULL;
	o = json_pack("{s:s, s:I, s:I, s:b, s:s, s:I, s:o, s:I, s:I, s:I, "
	    "s:I, s:I, s:I, s:o?, s:o?}",
	    "version", PASSEUR_VERSION,
	    "pid", (json_int_t)getpid(),
	    "uptime_seconds", (json_int_t)(time(NULL) - started),
	    "healthy", why[0] == '\0',
	    "reason", why,
	    "requests", total,
	    "requests_by_class", classes,
	    "inflight", (json_int_t)s->inflight,
	    "rate_limited", (json_int_t)s->rate_limited,
	    "stored", (json_int_t)s->stored,
	    "store_errors", (json_int_t)s->store_errors,
	    "bytes_in", (json_int_t)s->bytes_in,
	    "bytes_out", (json_int_t)s->bytes_out,
	    "instances", instances(c),
	    "upstreams", upstreams(s));
	if (o != NULL && s->spool)
		json_object_set_new(o, "spool", json_pack("{s:I, s:I, s:f, "
		    "s:I}", "items", (json_int_t)s->spool_items, "bytes",
		    (json_int_t)s->spool_bytes, "oldest_age_seconds",
		    s->spool_oldest_age, "retries",
		    (json_int_t)s->delivery_retries));
	return o;
}
