/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/err.h"
#include "proxy/page.h"

#define CHART_W		600
#define CHART_H		120

/* Appends a string literal. */
#define LIT(out, s)	buf_append((out), (s), sizeof(s) - 1)

/* Text into HTML: the five characters that matter escaped. */
static int
esc(struct buf *out, const char *s)
{
	const char	*rep;
	size_t		 n;
	int		 r;

	while (*s != '\0') {
		n = strcspn(s, "<>&\"'");
		if (n > 0 && (r = buf_append(out, s, n)) != 0)
			return r;
		s += n;
		if (*s == '\0')
			break;
		switch (*s++) {
		case '<':
			rep = "&lt;";
			break;
		case '>':
			rep = "&gt;";
			break;
		case '&':
			rep = "&amp;";
			break;
		case '"':
			rep = "&quot;";
			break;
		default:
			rep = "&#39;";
			break;
		}
		if ((r = buf_append(out, rep, strlen(rep))) != 0)
			return r;
	}
	return 0;
}

static void
stamp(time_t t, char *out, size_t outlen)
{
	struct tm tm;

	if (t == 0 || gmtime_r(&t, &tm) == NULL ||
	    strftime(out, outlen, "%Y-%m-%d %H:%M:%S", &tm) == 0)
		snprintf(out, outlen, "-");
}

/* A row of two cells, the value with an id the tests read. */
static int
row(struct buf *out, const char *label, const char *id,
    unsigned long long v)
{
	return buf_appendf(out, "<tr><th>%s</th><td id=\"%s\">%llu</td></tr>\n",
	    label, id, v);
}

static uint64_t
total_requests(const struct metrics_snapshot *s)
{
	uint64_t	n = 0;
	int		i, a, st;

	for (i = 0; i < MI_COUNT; i++)
		for (a = 0; a < MA_COUNT; a++)
			for (st = 0; st < MS_COUNT; st++)
				n += s->requests[i][a][st];
	return n;
}

/*
 * Bars of requests per minute, oldest on the left, and a line of
 * deliveries, on one scale.
 */
static int
chart(struct buf *out, const struct metrics_snapshot *s)
{
	uint64_t	max = 1;
	double		bw = (double)CHART_W / METRICS_MINUTES, x, h;
	int		i, r;

	for (i = 0; i < METRICS_MINUTES; i++) {
		if (s->requests_per_minute[i] > max)
			max = s->requests_per_minute[i];
		if (s->deliveries_per_minute[i] > max)
			max = s->deliveries_per_minute[i];
	}
	if ((r = buf_appendf(out, "<svg id=\"chart\" width=\"%d\" "
	    "height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" "
	    "aria-label=\"requests and deliveries per minute\"><rect "
	    "width=\"%d\" height=\"%d\" fill=\"#f6f8fa\"/>", CHART_W,
	    CHART_H + 14, CHART_W, CHART_H + 14, CHART_W, CHART_H)) != 0)
		return r;
	for (i = 0; i < METRICS_MINUTES; i++) {
		x = (METRICS_MINUTES - 1 - i) * bw;
		h = (double)s->requests_per_minute[i] * CHART_H / (double)max;
		if ((r = buf_appendf(out, "<rect class=\"req\" x=\"%.1f\" "
		    "y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
		    "fill=\"#4a90d9\"><title>%d min ago: %llu requests, "
		    "%llu deliveries</title></rect>", x + 1, CHART_H - h,
		    bw - 2, h, i, (unsigned long long)s->requests_per_minute[i],
		    (unsigned long long)s->deliveries_per_minute[i])) != 0)
			return r;
	}
	if ((r = LIT(out, "<polyline fill=\"none\" stroke=\"#e67e22\" "
	    "stroke-width=\"2\" points=\"")) != 0)
		return r;
	for (i = METRICS_MINUTES - 1; i >= 0; i--)
		if ((r = buf_appendf(out, "%.1f,%.1f ",
		    (METRICS_MINUTES - 1 - i) * bw + bw / 2, CHART_H -
		    (double)s->deliveries_per_minute[i] * CHART_H /
		    (double)max)) != 0)
			return r;
	return buf_appendf(out, "\"/><text x=\"0\" y=\"%d\" font-size=\"11\">"
	    "60 min ago</text><text x=\"%d\" y=\"%d\" font-size=\"11\" "
	    "text-anchor=\"end\">now (max %llu/min; bars: requests, line: "
	    "deliveries)</text></svg>\n", CHART_H + 12, CHART_W, CHART_H + 12,
	    (unsigned long long)max);
}

static int
upstreams(struct buf *out, const struct metrics_snapshot *s)
{
	const struct metrics_upstream	*u;
	char				 when[32];
	int				 i, r;

	if ((r = buf_appendf(out, "<h2>Server targets</h2>\n<table "
	    "id=\"upstreams\"><tr><th>URL</th><th>state</th><th>delivered"
	    "</th><th>failed</th><th>last error</th></tr>\n")) != 0)
		return r;
	for (i = 0; i <= METRICS_UPSTREAMS; i++) {
		u = &s->up[i];
		if (u->url[0] == '\0')
			continue;
		stamp(u->last_error_time, when, sizeof(when));
		if ((r = LIT(out, "<tr><td>")) != 0 ||
		    (r = esc(out, u->url)) != 0 ||
		    (r = buf_appendf(out, "</td><td class=\"%s\">%s</td><td>"
		    "%llu</td><td>%llu</td><td>", u->up ? "ok" : "bad",
		    u->up ? "up" : "down", (unsigned long long)u->ok,
		    (unsigned long long)u->failed)) != 0 ||
		    (u->last_error[0] != '\0' && ((r = buf_appendf(out, "%s ",
		    when)) != 0 || (r = esc(out, u->last_error)) != 0)) ||
		    (r = LIT(out, "</td></tr>\n")) != 0)
			return r;
	}
	return LIT(out, "</table>\n");
}

static int
agents(struct buf *out, const struct metrics_agent *a, int n)
{
	char	when[32];
	int	i, r;

	if ((r = buf_appendf(out, "<h2>Agents seen last</h2>\n<table "
	    "id=\"agents\"><tr><th>time (UTC)</th><th>device id</th>"
	    "<th>address</th><th>action</th><th>answer</th></tr>\n")) != 0)
		return r;
	for (i = 0; i < n; i++) {
		stamp(a[i].when, when, sizeof(when));
		if ((r = buf_appendf(out, "<tr><td>%s</td><td>", when)) != 0 ||
		    (r = esc(out, a[i].deviceid)) != 0 ||
		    (r = LIT(out, "</td><td>")) != 0 ||
		    (r = esc(out, a[i].ip)) != 0 ||
		    (r = LIT(out, "</td><td>")) != 0 ||
		    (r = esc(out, a[i].action)) != 0 ||
		    (r = buf_appendf(out, "</td><td>%d</td></tr>\n",
		    a[i].status)) != 0)
			return r;
	}
	return LIT(out, "</table>\n");
}

static int
failures(struct buf *out, const struct metrics_failure *f, int n)
{
	char	when[32];
	int	i, r;

	if ((r = buf_appendf(out, "<h2>Last failures</h2>\n<table "
	    "id=\"failures\"><tr><th>time (UTC)</th><th>what</th>"
	    "<th>why</th></tr>\n")) != 0)
		return r;
	for (i = 0; i < n; i++) {
		stamp(f[i].when, when, sizeof(when));
		if ((r = buf_appendf(out, "<tr><td>%s</td><td>", when)) != 0 ||
		    (r = esc(out, f[i].what)) != 0 ||
		    (r = LIT(out, "</td><td>")) != 0 ||
		    (r = esc(out, f[i].reason)) != 0 ||
		    (r = LIT(out, "</td></tr>\n")) != 0)
			return r;
	}
	return LIT(out, "</table>\n");
}

/* A server URL without its user and password. */
static int
masked_url(struct buf *out, const char *url)
{
	const char	*host = strstr(url, "://"), *at, *end;
	int		 r;

	if (host == NULL)
		return esc(out, url);
	host += 3;
	end = host + strcspn(host, "/?#");
	at = memchr(host, '@', (size_t)(end - host));
	if (at == NULL)
		return esc(out, url);
	if ((r = buf_append(out, url, (size_t)(host - url))) != 0 ||
	    (r = LIT(out, "********@")) != 0)
		return r;
	return esc(out, at + 1);
}

static int
configuration(struct buf *out, const struct serve_conf *c)
{
	const struct instance_conf	*ic;
	const struct agent_conf		*a = &c->agent;
	int				 i, r;

	if ((r = LIT(out, "<h2>Configuration</h2>\n<table id=\"conf\">"
	    "<tr><th>instance</th><th>listens on</th><th>mode</th>"
	    "<th>local_store</th><th>maxrate</th><th>max_body_size</th>"
	    "</tr>\n")) != 0)
		return r;
	for (i = 0; i < CONF_NINSTANCES; i++) {
		ic = &c->inst[i];
		if (ic->disabled)
			continue;
		if ((r = buf_appendf(out, "<tr><td>%s</td><td>%s:%lld%s ",
		    ic->name, a->httpd_ip[0] != '\0' ? a->httpd_ip : "*",
		    ic->port, config_tls_port(c, ic->port) ? " (TLS)" : "")) !=
		    0 ||
		    (r = esc(out, ic->url_path)) != 0 ||
		    (r = buf_appendf(out, "/glpi</td><td>%s</td><td>",
		    ic->only_local_store ? "storing only" : "forwarding")) !=
		    0 || (r = esc(out, ic->local_store[0] != '\0' ?
		    ic->local_store : "-")) != 0 ||
		    (ic->maxrate == 0 && (r = LIT(out, "</td><td>off")) != 0) ||
		    (ic->maxrate > 0 && (r = buf_appendf(out, "</td><td>%lld "
		    "per %lld s", ic->maxrate, ic->maxrate_period)) != 0) ||
		    (r = buf_appendf(out, "</td><td>%lld</td></tr>\n",
		    ic->max_body_size)) != 0)
			return r;
	}
	if ((r = LIT(out, "</table>\n<p>Server targets: ")) != 0)
		return r;
	for (i = 0; i < a->nservers; i++)
		if ((i > 0 && (r = LIT(out, ", ")) != 0) ||
		    (r = masked_url(out, a->servers[i])) != 0)
			return r;
	if (a->nservers == 0 && (r = LIT(out, "none")) != 0)
		return r;
	if ((r = buf_appendf(out, ".  Credentials: %s.  Admin listener: ",
	    a->user[0] != '\0' ? "set (masked)" : "none")) != 0 ||
	    (r = esc(out, a->status_ip)) != 0)
		return r;
	return buf_appendf(out, " port %lld%s.</p>\n", a->status_port,
	    a->status_tls ? " (TLS)" : "");
}

static const char style[] =
    "body{font:14px/1.4 sans-serif;margin:1em 2em;color:#222}"
    "table{border-collapse:collapse;margin-bottom:1em}"
    "th,td{border:1px solid #ccc;padding:2px 8px;text-align:left}"
    "th{background:#eee}.ok{color:#1a7f37}.bad{color:#c0392b;"
    "font-weight:bold}h1 span{font-size:60%;padding:2px 8px;"
    "border-radius:4px}h1 span.ok{background:#1a7f37;color:#fff}"
    "h1 span.bad{background:#c0392b;color:#fff}";

int
page_write(struct buf *out, const struct metrics_snapshot *s,
    const struct serve_conf *c, const char *why, time_t started)
{
	struct metrics_agent	*a;
	struct metrics_failure	 f[METRICS_FAILURES];
	char			 now[32];
	int			 na, nf, r;
	long long		 up = (long long)(time(NULL) - started);

	/* Fifty agents are some 10 kB: not on the listener's stack. */
	if ((a = calloc(METRICS_AGENTS, sizeof(*a))) == NULL)
		return ERR_NOMEM;
	metrics_recent(a, &na, f, &nf);
	stamp(time(NULL), now, sizeof(now));
	if ((r = buf_appendf(out, "<!DOCTYPE html>\n<html lang=\"en\"><head>"
	    "<meta charset=\"utf-8\"><meta http-equiv=\"refresh\" "
	    "content=\"%d\"><title>passeur</title><style>%s</style></head>"
	    "<body>\n<h1>passeur %s <span id=\"health\" class=\"%s\">%s"
	    "</span></h1>\n", PAGE_REFRESH, style, PASSEUR_VERSION,
	    why[0] == '\0' ? "ok" : "bad", why[0] == '\0' ? "healthy" :
	    "degraded")) != 0)
		goto out;
	if (why[0] != '\0' && ((r = LIT(out, "<p id=\"reason\" "
	    "class=\"bad\">")) != 0 || (r = esc(out, why)) != 0 ||
	    (r = LIT(out, "</p>\n")) != 0))
		goto out;
	if ((r = buf_appendf(out, "<p>pid %ld, up %lldd %02lld:%02lld:%02lld, "
	    "at %s UTC, refreshed every %d s.  Also: <a href=\"/metrics\">"
	    "metrics</a>, <a href=\"/health\">health</a>, <a href=\""
	    "/status.json\">status.json</a>.</p>\n", (long)getpid(), up / 86400,
	    up / 3600 % 24, up / 60 % 60, up % 60, now, PAGE_REFRESH)) != 0 ||
	    (r = chart(out, s)) != 0 ||
	    (r = LIT(out, "<table id=\"counts\">\n")) != 0 ||
	    (r = row(out, "requests", "requests", total_requests(s))) != 0 ||
	    (r = row(out, "in flight", "inflight",
	    (unsigned long long)s->inflight)) != 0 ||
	    (r = row(out, "rate limited", "rate_limited", s->rate_limited)) !=
	    0 || (r = row(out, "stored", "stored", s->stored)) != 0 ||
	    (r = row(out, "store errors", "store_errors", s->store_errors)) !=
	    0 || (r = row(out, "bytes in", "bytes_in", s->bytes_in)) != 0 ||
	    (r = row(out, "bytes out", "bytes_out", s->bytes_out)) != 0 ||
	    (s->spool && ((r = row(out, "spool items", "spool_items",
	    s->spool_items)) != 0 || (r = row(out, "spool bytes",
	    "spool_bytes", s->spool_bytes)) != 0 || (r = row(out,
	    "oldest in spool (s)", "spool_oldest_age_seconds",
	    (unsigned long long)s->spool_oldest_age)) != 0 || (r = row(out,
	    "delivery retries", "delivery_retries", s->delivery_retries)) !=
	    0)) ||
	    (r = LIT(out, "</table>\n")) != 0 ||
	    (r = upstreams(out, s)) != 0 ||
	    (r = agents(out, a, na)) != 0 ||
	    (r = failures(out, f, nf)) != 0 ||
	    (r = configuration(out, c)) != 0)
		goto out;
	r = LIT(out, "</body></html>\n");
out:
	free(a);
	return r;
}
