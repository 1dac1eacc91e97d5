/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/curlx.h"
#include "common/err.h"
#include "common/log.h"
#include "proxy/config.h"
#include "proxy/tls.h"
#include "status/status.h"

#define STATUS_HEALTHY		0
#define STATUS_DEGRADED		1
#define STATUS_UNREACHABLE	2
#define STATUS_TIMEOUT		10	/* seconds */
#define STATUS_MAX_BODY		(1024 * 1024)

static void
usage(int code)
{
	FILE *out = code == 0 ? stdout : stderr;

	fprintf(out, "usage: passeur status [-c confdir] [--json]\n");
	if (code == 0)
		fprintf(out, "\n"
		    "  -c confdir    configuration folder (default %s)\n"
		    "  --json        print the summary as JSON\n"
		    "  -h, --help    this help\n"
		    "\n"
		    "Asks the admin listener of passeur serve (status_port in "
		    "agent.cfg).\n"
		    "Exit status: 0 healthy, 1 degraded, 2 unreachable.\n"
		    "See passeur(1), passeur-serve(8).\n", DEFAULT_CONFDIR);
	exit(code);
}

static size_t
on_data(char *p, size_t size, size_t n, void *arg)
{
	return buf_append(arg, p, size * n) == 0 ? size * n : 0;
}

/*
 * The URL of the summary.  An unspecified address (0.0.0.0, ::) is
 * reached on loopback.
 */
static int
summary_url(const struct agent_conf *a, char *out, size_t outlen)
{
	const char *host = a->status_ip;
	int n;

	if (strcmp(host, "0.0.0.0") == 0)
		host = "127.0.0.1";
	else if (strcmp(host, "::") == 0)
		host = "::1";
	n = snprintf(out, outlen, strchr(host, ':') != NULL ?
	    "%s://[%s]:%lld/status.json" : "%s://%s:%lld/status.json",
	    a->status_tls ? "https" : "http", host, a->status_port);
	return n < 0 || (size_t)n >= outlen ? ERR_TOO_BIG : 0;
}

/*
 * GET url into body.  Never through a proxy (the listener is local or
 * on the site's network).  Over TLS, the certificate must chain to the
 * one of ssl-server-plugin.cfg, the daemon's own; the host name is not
 * checked, the address comes from the same configuration.
 */
static int
fetch(const struct serve_conf *c, const char *url, struct buf *body,
    long *status, char *why, size_t whylen)
{
	const struct curlx	*cx;
	const char		*reason;
	char			 err[CURL_ERROR_SIZE] = "";
	CURL			*h;
	CURLcode		 cc;
	int			 r = 0;

	if ((cx = curlx_load(&reason)) == NULL) {
		snprintf(why, whylen, "%s", reason);
		return ERR_NOT_FOUND;
	}
	if ((h = cx->easy_init()) == NULL) {
		snprintf(why, whylen, "curl_easy_init failed");
		return ERR_NOMEM;
	}
	cx->easy_setopt(h, CURLOPT_URL, url);
	cx->easy_setopt(h, CURLOPT_PROXY, "");
	cx->easy_setopt(h, CURLOPT_TIMEOUT, (long)STATUS_TIMEOUT);
	cx->easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	cx->easy_setopt(h, CURLOPT_ERRORBUFFER, err);
	cx->easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	cx->easy_setopt(h, CURLOPT_WRITEDATA, body);
	if (c->agent.status_tls) {
		cx->easy_setopt(h, CURLOPT_CAINFO, c->ssl.ssl_cert_file);
		cx->easy_setopt(h, CURLOPT_CAPATH, NULL);
		cx->easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if ((cc = cx->easy_perform(h)) != CURLE_OK) {
		snprintf(why, whylen, "%s", err[0] != '\0' ? err :
		    cx->easy_strerror(cc));
		r = ERR_TRANSPORT;
	} else
		cx->easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
	cx->easy_cleanup(h);
	return r;
}

/* 1024-based sizes, as people read them. */
static void
human(json_int_t n, char *out, size_t outlen)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double	v = (double)n;
	int	u = 0;

	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(out, outlen, "%lld B", (long long)n);
	else
		snprintf(out, outlen, "%.1f %s", v, units[u]);
}

static json_int_t
num(json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

static const char *
str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "";
}

/* The summary as a table; returns the exit status it stands for. */
static int
print_table(json_t *o)
{
	static const char *const classes_names[] = {
		"none", "1xx", "2xx", "3xx", "4xx", "5xx", "other"
	};
	json_t		*v, *list, *classes;
	char		 in[32], out[32];
	json_int_t	 up = num(o, "uptime_seconds");
	size_t		 i;
	int		 code = STATUS_HEALTHY, healthy;

	classes = json_object_get(o, "requests_by_class");
	healthy = json_is_true(json_object_get(o, "healthy"));
	printf("%-12s passeur %s, pid %lld, up %lldd %02lld:%02lld:%02lld\n",
	    "daemon", str(o, "version"), (long long)num(o, "pid"),
	    (long long)(up / 86400), (long long)(up / 3600 % 24),
	    (long long)(up / 60 % 60), (long long)(up % 60));
	printf("%-12s %s%s%s\n", "health", healthy ? "ok" : "DEGRADED",
	    healthy ? "" : ": ", str(o, "reason"));
	if (!healthy)
		code = STATUS_DEGRADED;
	printf("%-12s %lld", "requests", (long long)num(o, "requests"));
	for (i = 0; i < sizeof(classes_names) / sizeof(classes_names[0]); i++)
		if ((v = json_object_get(classes, classes_names[i])) != NULL)
			printf(", %s %lld", classes_names[i],
			    (long long)json_integer_value(v));
	printf("\n%-12s %lld in flight, %lld rate limited\n", "",
	    (long long)num(o, "inflight"), (long long)num(o, "rate_limited"));
	printf("%-12s %lld stored, %lld store errors\n", "local_store",
	    (long long)num(o, "stored"), (long long)num(o, "store_errors"));
	human(num(o, "bytes_in"), in, sizeof(in));
	human(num(o, "bytes_out"), out, sizeof(out));
	printf("%-12s %s in, %s out\n", "traffic", in, out);
	if ((v = json_object_get(o, "spool")) != NULL) {
		human(num(v, "bytes"), in, sizeof(in));
		printf("%-12s %lld waiting (%s), oldest %.0f s, %lld retries\n",
		    "spool", (long long)num(v, "items"), in,
		    json_number_value(json_object_get(v,
		    "oldest_age_seconds")), (long long)num(v, "retries"));
	}
	list = json_object_get(o, "instances");
	for (i = 0; (v = json_array_get(list, i)) != NULL; i++)
		printf("%-12s port %lld%s, %s/glpi, %s%s%s\n", str(v, "name"),
		    (long long)num(v, "port"),
		    json_is_true(json_object_get(v, "tls")) ? " (TLS)" : "",
		    str(v, "url_path"), str(v, "mode"),
		    str(v, "local_store")[0] != '\0' ? ", " : "",
		    str(v, "local_store"));
	list = json_object_get(o, "upstreams");
	for (i = 0; (v = json_array_get(list, i)) != NULL; i++) {
		int is_up = json_is_true(json_object_get(v, "up"));

		printf("%-12s %s %s, %lld delivered, %lld failed\n",
		    i == 0 ? "upstream" : "", str(v, "url"),
		    is_up ? "up" : "DOWN", (long long)num(v, "delivered"),
		    (long long)num(v, "failed"));
		if (!is_up) {
			printf("%-12s   last error: %s\n", "",
			    str(v, "last_error"));
			code = STATUS_DEGRADED;
		}
	}
	return code;
}

/* The exit status a summary stands for. */
static int
verdict(json_t *o)
{
	json_t	*v, *list;
	size_t	 i;

	if (!json_is_true(json_object_get(o, "healthy")))
		return STATUS_DEGRADED;
	list = json_object_get(o, "upstreams");
	for (i = 0; (v = json_array_get(list, i)) != NULL; i++)
		if (!json_is_true(json_object_get(v, "up")))
			return STATUS_DEGRADED;
	return STATUS_HEALTHY;
}

/*
 * Reads the admin listener's address from confdir.  The other files'
 * errors (a key this user cannot read...) do not matter here: they are
 * printed only when no listener can be found.
 */
static int
load(struct serve_conf *c, const char *confdir)
{
	char	*text = NULL;
	size_t	 len = 0;
	FILE	*err;
	int	 r;

	if ((err = open_memstream(&text, &len)) == NULL)
		fatal("open_memstream");
	r = config_load(c, confdir, NULL, err);
	fclose(err);
	if (c->agent.status_port == 0) {
		if (r != 0)
			fputs(text, stderr);
		fprintf(stderr, "passeur status: no admin listener in "
		    "%s/agent.cfg (status_port is 0); see passeur.cfg(5)\n",
		    confdir);
		free(text);
		return ERR_NOT_FOUND;
	}
	free(text);
	return 0;
}

int
status_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct serve_conf	 c;
	struct buf		 body;
	json_t			*o = NULL;
	json_error_t		 jerr;
	const char		*confdir = DEFAULT_CONFDIR;
	char			 url[512], why[CURL_ERROR_SIZE + 64];
	long			 status = 0;
	int			 ch, json = 0, code = STATUS_UNREACHABLE;

	while ((ch = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			confdir = optarg;
			break;
		case 'j':
			json = 1;
			break;
		case 'h':
			usage(0);
			break;
		default:
			usage(STATUS_UNREACHABLE);
		}
	}
	if (optind != argc)
		usage(STATUS_UNREACHABLE);
	/* Warnings of the configuration (unknown keys...) go to stderr. */
	log_init(LOG_TO_STDERR, NULL, NULL, 0);
	buf_init(&body, STATUS_MAX_BODY);
	if (load(&c, confdir) != 0)
		goto out;
	if (summary_url(&c.agent, url, sizeof(url)) != 0 ||
	    fetch(&c, url, &body, &status, why, sizeof(why)) != 0) {
		fprintf(stderr, "passeur status: %s: unreachable: %s\n", url,
		    why);
		goto out;
	}
	if (status != 200 || (o = json_loadb(body.data, body.len, 0,
	    &jerr)) == NULL || !json_is_object(o)) {
		fprintf(stderr, "passeur status: %s: answered %ld, not a "
		    "summary%s%.200s\n", url, status, status == 403 ?
		    " (is this address in status_trust?): " : ": ",
		    body.data != NULL ? body.data : "");
		goto out;
	}
	if (json) {
		fwrite(body.data, 1, body.len, stdout);
		code = verdict(o);
	} else
		code = print_table(o);
out:
	json_decref(o);
	buf_free(&body);
	config_free(&c);
	tls_cleanup();
	return code;
}
