/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/conf.h"
#include "common/err.h"
#include "common/fsx.h"
#include "common/log.h"
#include "proxy/config.h"

enum key_type {
	K_STR,		/* free text */
	K_BOOL,		/* yes/no; empty means no */
	K_BOOL_TRUE,	/* yes/no; empty means yes (the agent's regex) */
	K_INT,		/* decimal within [min, max] */
	K_SIZE,		/* bytes, with an optional k/M/G suffix */
	K_PORT,		/* 0-65535; other values fall back to 0 with a warning */
};

struct key {
	const char	*name;
	enum key_type	 type;
	size_t		 off;
	long long	 min, max;
	const char	*def;
	int		 secret;
};

#define A(m)	offsetof(struct agent_conf, m)
#define S(m)	offsetof(struct ssl_conf, m)
#define I(m)	offsetof(struct instance_conf, m)
#define KiB	1024LL
#define MiB	(1024LL * 1024)

static const struct key agent_keys[] = {
	{ "server", K_STR, A(server), 0, 0, "", 0 },
	{ "httpd-ip", K_STR, A(httpd_ip), 0, 0, "", 0 },
	{ "httpd-port", K_INT, A(httpd_port), 1, 65535, "62354", 0 },
	{ "httpd-trust", K_STR, A(httpd_trust), 0, 0, "", 0 },
	{ "timeout", K_INT, A(timeout), 1, 3600, "180", 0 },
	{ "proxy", K_STR, A(proxy), 0, 0, "", 0 },
	{ "user", K_STR, A(user), 0, 0, "", 0 },
	{ "password", K_STR, A(password), 0, 0, "", 1 },
	{ "no-compression", K_BOOL, A(no_compression), 0, 0, "no", 0 },
	{ "logger", K_STR, A(logger), 0, 0, "stderr", 0 },
	{ "logfile", K_STR, A(logfile), 0, 0, "", 0 },
	{ "logfacility", K_STR, A(logfacility), 0, 0, "LOG_DAEMON", 0 },
	{ "debug", K_INT, A(debug), 0, 2, "0", 0 },
	{ "vardir", K_STR, A(vardir), 0, 0, DEFAULT_VARDIR, 0 },
	{ "ca-cert-file", K_STR, A(ca_cert_file), 0, 0, "", 0 },
	{ "ca-cert-dir", K_STR, A(ca_cert_dir), 0, 0, "", 0 },
	{ "ssl-cert-file", K_STR, A(ssl_cert_file), 0, 0, "", 0 },
	{ "ssl-fingerprint", K_STR, A(ssl_fingerprint), 0, 0, "", 0 },
	{ "no-ssl-check", K_BOOL, A(no_ssl_check), 0, 0, "no", 0 },
	{ "oauth-client-id", K_STR, A(oauth_client_id), 0, 0, "", 0 },
	{ "oauth-client-secret", K_STR, A(oauth_client_secret), 0, 0, "", 1 },
	{ "oauth-client-secret-file", K_STR, A(oauth_client_secret_file), 0, 0,
	    "", 0 },
	/* Passeur's own: the durable queue of inventories to forward. */
	{ "spool", K_STR, A(spool), 0, 0, "spool", 0 },
	{ "spool_retry_min", K_INT, A(spool_retry_min), 1, 86400, "10", 0 },
	{ "spool_retry_max", K_INT, A(spool_retry_max), 1, 7 * 86400, "3600", 0 },
	{ "spool_max_age", K_INT, A(spool_max_age), 0, 3650 * 86400LL, "604800", 0 },
	{ "spool_max_size", K_SIZE, A(spool_max_size), 0, 1024LL * 1024 * MiB, "0", 0 },
	{ "status_port", K_INT, A(status_port), 0, 65535, "0", 0 },
	{ "status_ip", K_STR, A(status_ip), 0, 0, "127.0.0.1", 0 },
	{ "status_trust", K_STR, A(status_trust), 0, 0, "127.0.0.0/8, ::1", 0 },
	{ "status_tls", K_BOOL, A(status_tls), 0, 0, "no", 0 },
	{ NULL, 0, 0, 0, 0, NULL, 0 }
};

/*
 * Keys of agent.cfg that belong to the agent's other tasks: an existing
 * agent configuration folder is read as is, without a warning for them.
 */
static const char *agent_other_keys[] = {
	"additional-content", "assetname-support", "backend-collect-timeout",
	"ca-cert-path", "color", "conf-reload-interval", "delaytime", "force",
	"full-inventory-postpone", "glpi-version", "html", "json", "lazy",
	"listen", "local", "logfile-maxsize", "no-category", "no-httpd",
	"no-p2p", "no-task", "remote", "remote-workers", "required-category",
	"scan-homedirs", "scan-profiles", "ssl-keystore", "tag", "tasks",
	"username", "wait", "esx-itemtype", "itemtype", "snmp-retries",
	"ssl-key-file", "vardir-backup", "no-fork", "daemon", "httpd-plugins", NULL
};

static const struct key instance_keys[] = {
	{ "disabled", K_BOOL, I(disabled), 0, 0, "yes", 0 },
	{ "url_path", K_STR, I(url_path), 0, 0, "/proxy", 0 },
	{ "port", K_PORT, I(port), 0, 65535, "0", 0 },
	{ "prolog_freq", K_INT, I(prolog_freq), 1, 8760, "24", 0 },
	{ "local_store", K_STR, I(local_store), 0, 0, "", 0 },
	{ "only_local_store", K_BOOL_TRUE, I(only_local_store), 0, 0, "no", 0 },
	{ "max_proxy_threads", K_INT, I(max_proxy_threads), 1, 100000, "10", 0 },
	{ "max_pass_through", K_INT, I(max_pass_through), 1, 1000, "5", 0 },
	{ "glpi_protocol", K_BOOL_TRUE, I(glpi_protocol), 0, 0, "yes", 0 },
	{ "no_category", K_STR, I(no_category), 0, 0, "", 0 },
	{ "maxrate", K_INT, I(maxrate), 0, 100000000, "30", 0 },
	{ "maxrate_period", K_INT, I(maxrate_period), 0, 31 * 86400, "3600", 0 },
	{ "forbid_not_trusted", K_BOOL_TRUE, I(forbid_not_trusted), 0, 0, "no", 0 },
	{ "max_body_size", K_SIZE, I(max_body_size), 1 * KiB, 4096 * MiB, "32M", 0 },
	{ "max_inflated_size", K_SIZE, I(max_inflated_size), 1 * KiB, 4096 * MiB, "128M", 0 },
	{ "max_connections", K_INT, I(max_connections), 1, 1000000, "4096", 0 },
	{ "max_connections_per_ip", K_INT, I(max_connections_per_ip), 0, 1000000, "64", 0 },
	{ "request_timeout", K_INT, I(request_timeout), 1, 3600, "60", 0 },
	{ "max_header_size", K_SIZE, I(max_header_size), 4 * KiB, 1 * MiB, "32k", 0 },
	{ "max_rate_clients", K_INT, I(max_rate_clients), 16, 10000000, "100000", 0 },
	{ "max_pending_answers", K_INT, I(max_pending_answers), 16, 10000000, "100000", 0 },
	{ "answer_ttl", K_INT, I(answer_ttl), 10, 3600, "600", 0 },
	{ "workers", K_INT, I(workers), 0, 256, "0", 0 },
	{ "max_uploads_per_ip", K_INT, I(max_uploads_per_ip), 0, 1000000, "16", 0 },
	{ "min_data_rate", K_SIZE, I(min_data_rate), 0, 1 * MiB, "1k", 0 },
	{ NULL, 0, 0, 0, 0, NULL, 0 }
};

static const struct key ssl_keys[] = {
	{ "disabled", K_BOOL, S(disabled), 0, 0, "yes", 0 },
	{ "ports", K_STR, S(ports), 0, 0, "0", 0 },
	{ "ssl_cert_file", K_STR, S(ssl_cert_file), 0, 0, "", 0 },
	{ "ssl_key_file", K_STR, S(ssl_key_file), 0, 0, "", 0 },
	{ "ssl_cipher", K_STR, S(ssl_cipher), 0, 0, "", 0 },
	{ "forbid_not_trusted", K_BOOL_TRUE, S(forbid_not_trusted), 0, 0, "no", 0 },
	{ NULL, 0, 0, 0, 0, NULL, 0 }
};

#define NKEYS(t)	(sizeof(t) / sizeof((t)[0]) - 1)

/*
 * Where each key got its value, "file:line" (owned), or NULL while it
 * has its default: checks made after loading name the line an operator
 * wrote, in agent.cfg.local as in agent.cfg.  main[] is the path of each
 * top-level file, for keys at their default.
 */
struct config_where {
	char	*agent[NKEYS(agent_keys)];
	char	*inst[CONF_NINSTANCES][NKEYS(instance_keys)];
	char	*ssl[NKEYS(ssl_keys)];
	char	*agent_file;
	char	*inst_file[CONF_NINSTANCES];
	char	*ssl_file;
};

struct load_ctx {
	const struct key	*keys;
	void			*target;
	const char		**other;
	char			**where;	/* parallel to keys */
	FILE			*err;
};

static int
parse_size(const char *v, long long min, long long max, long long *out)
{
	char		*end;
	long long	 n, mult = 1;

	if (!isdigit((unsigned char)*v))
		return ERR_INVALID;
	n = strtoll(v, &end, 10);
	if (*end != '\0') {
		switch (tolower((unsigned char)*end)) {
		case 'k':
			mult = KiB;
			break;
		case 'm':
			mult = MiB;
			break;
		case 'g':
			mult = 1024 * MiB;
			break;
		default:
			return ERR_INVALID;
		}
		if (end[1] != '\0' && strcasecmp(end + 1, "b") != 0 &&
		    strcasecmp(end + 1, "ib") != 0)
			return ERR_INVALID;
	}
	if (n > max / mult || n * mult < min)
		return ERR_INVALID;
	*out = n * mult;
	return 0;
}

static int
set_key(const struct key *k, void *target, const char *v, const char *file,
    int line, FILE *err)
{
	char		*base = target, **sp;
	long long	 n;

	switch (k->type) {
	case K_STR:
		sp = (char **)(base + k->off);
		free(*sp);
		if ((*sp = strdup(v)) == NULL)
			fatal("strdup");
		return 0;
	case K_BOOL:
	case K_BOOL_TRUE:
		if (conf_bool_strict(v, k->type == K_BOOL_TRUE,
		    (int *)(base + k->off)) != 0) {
			if (file != NULL)
				fprintf(err, "%s:%d: %s: \"%s\" is not a "
				    "boolean; use " CONF_BOOL_VALUES "\n", file,
				    line, k->name, v);
			return 1;
		}
		return 0;
	case K_INT:
		if (*v == '\0' && strcmp(k->name, "maxrate_period") == 0)
			v = "3600";
		if (conf_number(v, k->min, k->max, &n) != 0) {
			if (file != NULL)
				fprintf(err, "%s:%d: %s: expected a number "
				    "from %lld to %lld, got \"%s\"\n", file,
				    line, k->name, k->min, k->max, v);
			return 1;
		}
		*(long long *)(base + k->off) = n;
		return 0;
	case K_SIZE:
		if (parse_size(v, k->min, k->max, &n) != 0) {
			if (file != NULL)
				fprintf(err, "%s:%d: %s: expected a size from "
				    "%lld to %lld bytes (k, M, G allowed), got "
				    "\"%s\"\n", file, line, k->name, k->min,
				    k->max, v);
			return 1;
		}
		*(long long *)(base + k->off) = n;
		return 0;
	case K_PORT:
		if (conf_number(v, 0, 65535, &n) != 0) {
			/* The agent falls back to the main port; so do we. */
			if (file != NULL)
				log_warnx("%s:%d: %s: \"%s\" is not a port, "
				    "using the main port", file, line,
				    k->name, v);
			n = 0;
		}
		*(long long *)(base + k->off) = n;
		return 0;
	}
	return 1;
}

static int
load_cb(void *arg, const char *key, const char *value, const char *file,
    int line)
{
	struct load_ctx		*ctx = arg;
	const struct key	*k, *near = NULL;
	int			 i, d, best = INT_MAX;
	char			**w;

	for (k = ctx->keys; k->name != NULL; k++) {
		if (strcmp(k->name, key) != 0)
			continue;
		w = &ctx->where[k - ctx->keys];
		free(*w);
		if (asprintf(w, "%s:%d", file, line) == -1)
			fatal("asprintf");
		return set_key(k, ctx->target, value, file, line, ctx->err);
	}
	for (i = 0; ctx->other != NULL && ctx->other[i] != NULL; i++)
		if (strcmp(ctx->other[i], key) == 0)
			return 0;
	/* A typo is one or two edits away; an unrelated key is farther. */
	for (k = ctx->keys; k->name != NULL; k++)
		if ((d = conf_distance(key, k->name)) < best) {
			best = d;
			near = k;
		}
	if (near != NULL && best * 3 <= (int)strlen(key))
		log_warnx("%s:%d: unknown configuration directive \"%s\", "
		    "ignored; did you mean %s?", file, line, key, near->name);
	else
		log_warnx("%s:%d: unknown configuration directive \"%s\", "
		    "ignored", file, line, key);
	return 0;
}

/* Where key of table keys (values in w) was set, else the file's path. */
static const char *
where_of(const struct key *keys, char *const *w, const char *file,
    const char *key)
{
	const struct key *k;

	for (k = keys; k->name != NULL; k++)
		if (strcmp(k->name, key) == 0 && w[k - keys] != NULL)
			return w[k - keys];
	return file;
}

#define WHERE_AGENT(c, key)	where_of(agent_keys, (c)->where->agent, \
	(c)->where->agent_file, (key))
#define WHERE_INST(c, i, key)	where_of(instance_keys, \
	(c)->where->inst[i], (c)->where->inst_file[i], (key))
#define WHERE_SSL(c, key)	where_of(ssl_keys, (c)->where->ssl, \
	(c)->where->ssl_file, (key))

static void
set_defaults(const struct key *keys, void *target)
{
	const struct key *k;

	for (k = keys; k->name != NULL; k++)
		set_key(k, target, k->def, NULL, 0, NULL);
}

static void
free_strings(const struct key *keys, void *target)
{
	const struct key *k;

	for (k = keys; k->name != NULL; k++)
		if (k->type == K_STR) {
			free(*(char **)((char *)target + k->off));
			*(char **)((char *)target + k->off) = NULL;
		}
}

/* Reads the file path into target; where[] gets the place of each key set. */
static int
read_file(const struct key *keys, const char **other, void *target,
    char **where, const char *path, FILE *err)
{
	struct load_ctx	 ctx = { keys, target, other, where, err };
	int		 errors = 0, r;

	r = conf_read(path, load_cb, &ctx, &errors);
	if (r == ERR_SYSTEM) {
		fprintf(err, "%s: cannot read: %m\n", path);
		return errors + 1;
	}
	return errors;
}

static void
replace(char **sp, char *v)
{
	free(*sp);
	*sp = v;
}

static char *
xstrdup(const char *s)
{
	char *p;

	if ((p = strdup(s)) == NULL)
		fatal("strdup");
	return p;
}

/* A relative path of a key is read from folder dir; empty stays empty. */
static void
absolute_in(char **sp, const char *dir)
{
	char *p;

	if ((*sp)[0] == '\0')
		return;
	if ((p = fsx_path_in(dir, *sp)) == NULL)
		fatal("fsx_path_in");
	replace(sp, p);
}

/* Splits the comma list of server targets into trimmed URLs. */
static int
split_servers(struct serve_conf *c, FILE *err)
{
	struct agent_conf *a = &c->agent;
	const char	*p = a->server;
	size_t		 len;

	while (*p != '\0') {
		p += strspn(p, ", \t");
		len = strcspn(p, ",");
		while (len > 0 && isspace((unsigned char)p[len - 1]))
			len--;
		if (len == 0)
			break;
		if (a->nservers == CONF_MAX_SERVERS) {
			fprintf(err, "%s: server: at most %d targets\n",
			    WHERE_AGENT(c, "server"), CONF_MAX_SERVERS);
			return 1;
		}
		if ((a->servers[a->nservers] = strndup(p, len)) == NULL)
			fatal("strndup");
		if (strncmp(p, "http://", 7) != 0 &&
		    strncmp(p, "https://", 8) != 0) {
			fprintf(err, "%s: server: \"%s\" is not an "
			    "http:// or https:// URL\n", WHERE_AGENT(c, "server"),
			    a->servers[a->nservers]);
			free(a->servers[a->nservers]);
			return 1;
		}
		a->nservers++;
		p += len;
		p += strcspn(p, ",");
	}
	return 0;
}

/*
 * A running instance answers an inventory only once it is kept: stored
 * in local_store, or handed to a server target (a legacy forward is
 * answered when the server has it; a JSON one is answered 202 and the
 * poll tells the outcome).  A configuration where the answer could come
 * with neither is refused, each way to write it with its own message
 * (passeur.cfg(5), Configuration errors):
 *   - only_local_store on, set or forced by glpi_protocol without a
 *     server, and local_store empty (JSON and XML would be answered and
 *     dropped);
 *   - glpi_protocol off, no server and local_store empty (legacy XML
 *     would be answered 200 and dropped).
 * forced: only_local_store was turned on because no server is set.
 */
static int
check_keeps(struct serve_conf *c, int i, int forced, FILE *err)
{
	const struct instance_conf *ic = &c->inst[i];

	if (ic->local_store[0] != '\0')
		return 0;
	if (forced) {
		fprintf(err, "%s: no server is set in agent.cfg and "
		    "local_store is empty: inventories would be answered and "
		    "dropped; set server in agent.cfg or local_store\n",
		    WHERE_INST(c, i, "local_store"));
		return 1;
	}
	if (ic->only_local_store) {
		fprintf(err, "%s: only_local_store is on but local_store "
		    "is empty: inventories would be answered and dropped; "
		    "set local_store\n", WHERE_INST(c, i, "only_local_store"));
		return 1;
	}
	if (c->agent.nservers == 0) {
		fprintf(err, "%s: glpi_protocol is off, no server is set "
		    "in agent.cfg and local_store is empty: inventories would "
		    "be answered and dropped; set server in agent.cfg or "
		    "local_store\n", WHERE_INST(c, i, "local_store"));
		return 1;
	}
	return 0;
}

static int
resolve_instance(struct serve_conf *c, int i, FILE *err)
{
	struct instance_conf *ic = &c->inst[i];
	char	*path;
	size_t	 len;
	int	 errors = 0, forced;

	if (ic->port == 0)
		ic->port = c->agent.httpd_port;
	if (ic->maxrate_period == 0)
		ic->maxrate_period = 3600;
	/* url_path is matched as a prefix: keep one leading '/', no trailer. */
	len = strlen(ic->url_path);
	while (len > 0 && ic->url_path[len - 1] == '/')
		ic->url_path[--len] = '\0';
	if (ic->url_path[0] != '/' && ic->url_path[0] != '\0') {
		if (asprintf(&path, "/%s", ic->url_path) == -1)
			fatal("asprintf");
		replace(&ic->url_path, path);
	}
	absolute_in(&ic->local_store, c->agent.vardir);
	len = strlen(ic->local_store);
	while (len > 1 && ic->local_store[len - 1] == '/')
		ic->local_store[--len] = '\0';
	/* A JSON proxy with nowhere to forward can only store (agent 1.12). */
	forced = ic->glpi_protocol && c->agent.nservers == 0 &&
	    !ic->only_local_store;
	if (forced)
		ic->only_local_store = 1;
	if (!ic->disabled)
		errors += check_keeps(c, i, forced, err);
	return errors;
}

/*
 * The secret of oauth-client-secret-file: its first line.  Like a private
 * key, the file must not be open to others nor writable by its group (a
 * group that only reads it, the daemon's, is fine).
 */
static int
read_oauth_secret(struct serve_conf *c, FILE *err)
{
	struct agent_conf	*a = &c->agent;
	const char		*where = WHERE_AGENT(c, "oauth-client-secret-file");
	struct stat		 st;
	char			 line[8192];
	FILE			*fp;
	int			 errors = 0;

	if ((fp = fopen(a->oauth_client_secret_file, "r")) == NULL) {
		fprintf(err, "%s: oauth-client-secret-file: %s: %s\n", where,
		    a->oauth_client_secret_file, strerror(errno));
		return 1;
	}
	if (fstat(fileno(fp), &st) == -1 || !S_ISREG(st.st_mode)) {
		fprintf(err, "%s: oauth-client-secret-file: %s: not a regular "
		    "file\n", where, a->oauth_client_secret_file);
		errors++;
	} else if ((st.st_mode & 027) != 0) {
		fprintf(err, "%s: oauth-client-secret-file: %s: mode %04o lets "
		    "%s; chmod 600 (or 640 for the daemon's group)\n", where,
		    a->oauth_client_secret_file, (unsigned)(st.st_mode & 07777),
		    (st.st_mode & 007) != 0 ? "others read it" :
		    "its group change it");
		errors++;
	} else if (fgets(line, sizeof(line), fp) == NULL ||
	    (line[strcspn(line, "\r\n")] = '\0', line[0] == '\0')) {
		fprintf(err, "%s: oauth-client-secret-file: %s: empty\n", where,
		    a->oauth_client_secret_file);
		errors++;
	} else
		replace(&a->oauth_client_secret, xstrdup(line));
	explicit_bzero(line, sizeof(line));
	fclose(fp);
	return errors;
}

/* Both halves of the OAuth client, the secret from one place only. */
static int
check_oauth(struct serve_conf *c, FILE *err)
{
	struct agent_conf *a = &c->agent;

	if (a->oauth_client_secret_file[0] != '\0') {
		if (a->oauth_client_secret[0] != '\0') {
			fprintf(err, "%s: oauth-client-secret-file: "
			    "oauth-client-secret is set too (%s); keep one\n",
			    WHERE_AGENT(c, "oauth-client-secret-file"),
			    WHERE_AGENT(c, "oauth-client-secret"));
			return 1;
		}
		if (read_oauth_secret(c, err) != 0)
			return 1;
	}
	if (a->oauth_client_id[0] != '\0' &&
	    a->oauth_client_secret[0] == '\0') {
		fprintf(err, "%s: oauth-client-id is set without "
		    "oauth-client-secret or oauth-client-secret-file\n",
		    WHERE_AGENT(c, "oauth-client-id"));
		return 1;
	}
	if (a->oauth_client_id[0] == '\0' &&
	    a->oauth_client_secret[0] != '\0') {
		fprintf(err, "%s: an OAuth client secret is set without "
		    "oauth-client-id\n", a->oauth_client_secret_file[0] != '\0' ?
		    WHERE_AGENT(c, "oauth-client-secret-file") :
		    WHERE_AGENT(c, "oauth-client-secret"));
		return 1;
	}
	return 0;
}

static int
check_agent(struct serve_conf *c, FILE *err)
{
	struct agent_conf *a = &c->agent;
	unsigned char	addr[16];
	char		why[256];
	int		errors = 0;

	if (fingerprint_parse(a->ssl_fingerprint, &a->pins, why, sizeof(why))
	    != 0) {
		fprintf(err, "%s: ssl-fingerprint: %s\n",
		    WHERE_AGENT(c, "ssl-fingerprint"), why);
		errors++;
	}

	if (a->httpd_ip[0] != '\0' && inet_pton(AF_INET, a->httpd_ip, addr)
	    != 1 && inet_pton(AF_INET6, a->httpd_ip, addr) != 1) {
		fprintf(err, "%s: httpd-ip: \"%s\" is not an IPv4 or "
		    "IPv6 address\n", WHERE_AGENT(c, "httpd-ip"), a->httpd_ip);
		errors++;
	}
	if (strcasestr(a->logger, "file") != NULL && a->logfile[0] == '\0') {
		fprintf(err, "%s: logger is file but logfile is not "
		    "set\n", WHERE_AGENT(c, "logger"));
		errors++;
	}
	if (strcasestr(a->logger, "syslog") != NULL &&
	    !log_facility_valid(a->logfacility)) {
		fprintf(err, "%s: logfacility: \"%s\" is not a syslog "
		    "facility (LOG_DAEMON, LOG_LOCAL0...)\n",
		    WHERE_AGENT(c, "logfacility"), a->logfacility);
		errors++;
	}
	errors += check_oauth(c, err);
	if (a->spool_retry_max < a->spool_retry_min) {
		fprintf(err, "%s: spool_retry_max (%lld s) is shorter than "
		    "spool_retry_min (%lld s)\n", WHERE_AGENT(c,
		    "spool_retry_max"), a->spool_retry_max,
		    a->spool_retry_min);
		errors++;
	}
	return errors;
}

/* Port numbers of the ports list; 0 is the main port. */
static int
split_ports(struct serve_conf *c, long long main_port, FILE *err)
{
	struct ssl_conf	*s = &c->ssl;
	const char	*p = s->ports;
	char		*end;
	long long	 port;
	int		 i;

	while (*p != '\0') {
		p += strspn(p, ", \t");
		if (*p == '\0')
			break;
		port = strtoll(p, &end, 10);
		if (end == p || port < 0 || port > 65535 ||
		    (*end != '\0' && *end != ',' && !isspace((unsigned char)*end))) {
			fprintf(err, "%s: ports: \"%s\" is not a comma "
			    "list of port numbers\n", WHERE_SSL(c, "ports"),
			    s->ports);
			return 1;
		}
		if (port == 0)
			port = main_port;
		for (i = 0; i < s->nports && s->port_list[i] != port; i++)
			;
		if (i == s->nports) {
			if (s->nports == CONF_MAX_TLS_PORTS) {
				fprintf(err, "%s: ports: at most %d ports\n",
				    WHERE_SSL(c, "ports"), CONF_MAX_TLS_PORTS);
				return 1;
			}
			s->port_list[s->nports++] = port;
		}
		p = end;
	}
	return 0;
}

/*
 * ssl-server-plugin.cfg, when present.  Unlike the agent, which disables
 * the plugin when the certificate is missing, a TLS listener that cannot
 * start is an error: agents would find plain HTTP where they expect TLS.
 */
static int
load_ssl(struct serve_conf *c, const char *confdir, FILE *err)
{
	struct ssl_conf	*s = &c->ssl;
	int		 errors = 0, i, j;

	set_defaults(ssl_keys, s);
	if (asprintf(&c->where->ssl_file, "%s/ssl-server-plugin.cfg",
	    confdir) == -1)
		fatal("asprintf");
	if (access(c->where->ssl_file, F_OK) == 0)
		errors += read_file(ssl_keys, NULL, s, c->where->ssl,
		    c->where->ssl_file, err);
	if (s->disabled || errors > 0)
		return errors;
	absolute_in(&s->ssl_cert_file, confdir);
	absolute_in(&s->ssl_key_file, confdir);
	errors += split_ports(c, c->agent.httpd_port, err);
	if (tls_priority(s->ssl_cipher, s->priorities, sizeof(s->priorities),
	    err) != 0)
		errors++;
	if (s->ssl_cert_file[0] == '\0') {
		fprintf(err, "%s: ssl_cert_file is not set; TLS needs a "
		    "certificate\n", WHERE_SSL(c, "disabled"));
		errors++;
	} else if ((s->creds = tls_creds_load(s->ssl_cert_file,
	    s->ssl_key_file, err)) == NULL)
		errors++;
	for (i = 0; i < s->nports; i++) {
		for (j = 0; j < CONF_NINSTANCES; j++)
			if (!c->inst[j].disabled &&
			    c->inst[j].port == s->port_list[i])
				break;
		if (j == CONF_NINSTANCES)
			log_warnx("ssl-server-plugin.cfg: ports: no proxy "
			    "instance serves port %lld; ignored",
			    s->port_list[i]);
	}
	return errors;
}

/* 1 for an address that listens on every one (empty, 0.0.0.0, ::). */
static int
any_address(const char *ip)
{
	return ip[0] == '\0' || strcmp(ip, "0.0.0.0") == 0 ||
	    strcmp(ip, "::") == 0;
}

/*
 * The admin listener: an address of its own, never an agents' port on
 * the same address (agents would reach the metrics), TLS only with the
 * certificate of ssl-server-plugin.cfg.
 */
static int
check_status(struct serve_conf *c, FILE *err)
{
	struct agent_conf	*a = &c->agent;
	unsigned char		 addr[16];
	const char		*bad;
	int			 errors = 0, i;

	if (trust_parse(&a->status_nets, a->status_trust, &bad) > 0) {
		fprintf(err, "%s: status_trust: \"%s\" is not an address or a "
		    "network\n", WHERE_AGENT(c, "status_trust"), bad);
		errors++;
	}
	if (a->status_port == 0)
		return errors;
	if (inet_pton(AF_INET, a->status_ip, addr) != 1 &&
	    inet_pton(AF_INET6, a->status_ip, addr) != 1) {
		fprintf(err, "%s: status_ip: \"%s\" is not an IPv4 or IPv6 "
		    "address\n", WHERE_AGENT(c, "status_ip"), a->status_ip);
		errors++;
	}
	for (i = 0; i < CONF_NINSTANCES; i++)
		if (!c->inst[i].disabled && c->inst[i].port == a->status_port &&
		    (any_address(a->httpd_ip) || any_address(a->status_ip) ||
		    strcmp(a->httpd_ip, a->status_ip) == 0)) {
			fprintf(err, "%s: status_port: %lld is the port of %s; "
			    "give the admin listener a port of its own\n",
			    WHERE_AGENT(c, "status_port"), a->status_port,
			    c->inst[i].name);
			errors++;
		}
	if (a->status_tls && (c->ssl.disabled || c->ssl.creds == NULL)) {
		fprintf(err, "%s: status_tls: TLS needs the certificate of "
		    "ssl-server-plugin.cfg, which is disabled\n",
		    WHERE_AGENT(c, "status_tls"));
		errors++;
	}
	return errors;
}

const char *
config_where(const struct serve_conf *c, int inst, const char *key)
{
	if (inst < 0)
		return WHERE_AGENT(c, key);
	return WHERE_INST(c, inst, key);
}

int
config_tls_port(const struct serve_conf *c, long long port)
{
	int i;

	if (c->ssl.disabled)
		return 0;
	for (i = 0; i < c->ssl.nports; i++)
		if (c->ssl.port_list[i] == port)
			return 1;
	return 0;
}

int
config_load(struct serve_conf *c, const char *confdir, const char *vardir,
    FILE *err)
{
	static const char *names[CONF_NINSTANCES] = { "proxy", "proxy2" };
	static const char *files[CONF_NINSTANCES] = {
		"proxy-server-plugin.cfg", "proxy2-server-plugin.cfg"
	};
	struct stat	 st;
	const char	*bad;
	int		 errors = 0, i, nbad, nofolder = 0, r;

	memset(c, 0, sizeof(*c));
	c->confdir = xstrdup(confdir);
	if ((c->where = calloc(1, sizeof(*c->where))) == NULL)
		fatal("calloc");
	/* Named by messages about keys at their default. */
	if (asprintf(&c->where->agent_file, "%s/agent.cfg", confdir) == -1 ||
	    asprintf(&c->where->inst_file[0], "%s/%s", confdir, files[0]) ==
	    -1 || asprintf(&c->where->inst_file[1], "%s/%s", confdir,
	    files[1]) == -1)
		fatal("asprintf");
	/*
	 * Without its folder every file reads as empty, and the one error
	 * would otherwise be that no instance is enabled.
	 */
	if (stat(confdir, &st) == -1) {
		nofolder = 1;
		if (errno == ENOENT)
			fprintf(err, "%s: the configuration folder does not "
			    "exist; give the right one with -c\n", confdir);
		else
			fprintf(err, "%s: cannot read the configuration folder: "
			    "%s\n", confdir, strerror(errno));
	} else if (!S_ISDIR(st.st_mode)) {
		nofolder = 1;
		fprintf(err, "%s: not a folder; give the configuration folder "
		    "with -c\n", confdir);
	}
	errors += nofolder;
	set_defaults(agent_keys, &c->agent);
	if (!nofolder)
		errors += read_file(agent_keys, agent_other_keys, &c->agent,
		    c->where->agent, c->where->agent_file, err);
	if (vardir != NULL)
		replace(&c->agent.vardir, xstrdup(vardir));
	/* Relative paths of agent.cfg are read from the configuration folder. */
	absolute_in(&c->agent.vardir, confdir);
	/* As local_store, a relative spool is in the state folder. */
	absolute_in(&c->agent.spool, c->agent.vardir);
	absolute_in(&c->agent.logfile, confdir);
	absolute_in(&c->agent.ca_cert_file, confdir);
	absolute_in(&c->agent.ca_cert_dir, confdir);
	absolute_in(&c->agent.ssl_cert_file, confdir);
	absolute_in(&c->agent.oauth_client_secret_file, confdir);
	errors += split_servers(c, err);
	nbad = trust_parse(&c->agent.trust, c->agent.httpd_trust, &bad);
	if (nbad > 0)
		log_warnx("agent.cfg: httpd-trust: %d item(s) that are not an "
		    "address or a network ignored, first \"%s\"", nbad, bad);
	/*
	 * Server targets are trusted too, as the agent does.  Resolving them
	 * is also the first sign of a mistyped or unknown server name.
	 */
	for (i = 0; i < c->agent.nservers; i++) {
		r = trust_add_url_host(&c->agent.trust, c->agent.servers[i]);
		if (r == ERR_NOT_FOUND)
			log_warnx("agent.cfg: server%d (%s): the host name does "
			    "not resolve; forwarding to it will fail until it "
			    "does", i, c->agent.servers[i]);
		else if (r != 0)
			log_warnx("agent.cfg: server%d (%s): not all its "
			    "addresses are trusted, httpd-trust and the servers "
			    "already take %d entries", i, c->agent.servers[i],
			    TRUST_MAX);
	}
	errors += check_agent(c, err);
	for (i = 0; i < CONF_NINSTANCES; i++) {
		struct instance_conf *ic = &c->inst[i];

		ic->name = names[i];
		ic->file = files[i];
		set_defaults(instance_keys, ic);
		if (!nofolder)
			errors += read_file(instance_keys, NULL, ic,
			    c->where->inst[i], c->where->inst_file[i], err);
		errors += resolve_instance(c, i, err);
	}
	if (!c->inst[0].disabled && !c->inst[1].disabled &&
	    c->inst[0].port == c->inst[1].port &&
	    strcmp(c->inst[0].url_path, c->inst[1].url_path) == 0) {
		fprintf(err, "%s: proxy and proxy2 both serve port %lld with "
		    "url_path \"%s\"; give one another port or url_path\n",
		    WHERE_INST(c, 1, "port"), c->inst[1].port,
		    c->inst[1].url_path);
		errors++;
	}
	errors += load_ssl(c, confdir, err);
	errors += check_status(c, err);
	if (c->inst[0].disabled && c->inst[1].disabled && !nofolder) {
		fprintf(err, "%s: every proxy instance is disabled; set "
		    "\"disabled = no\" (in proxy-server-plugin.local)\n",
		    WHERE_INST(c, 0, "disabled"));
		errors++;
	}
	return errors > 0 ? ERR_INVALID : 0;
}

static void
free_where(char **w, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(w[i]);
}

void
config_free(struct serve_conf *c)
{
	int i;

	if (c->agent.oauth_client_secret != NULL)
		explicit_bzero(c->agent.oauth_client_secret,
		    strlen(c->agent.oauth_client_secret));
	free_strings(agent_keys, &c->agent);
	for (i = 0; i < c->agent.nservers; i++)
		free(c->agent.servers[i]);
	for (i = 0; i < CONF_NINSTANCES; i++)
		free_strings(instance_keys, &c->inst[i]);
	free_strings(ssl_keys, &c->ssl);
	free(c->confdir);
	if (c->where != NULL) {
		free_where(c->where->agent, NKEYS(agent_keys));
		for (i = 0; i < CONF_NINSTANCES; i++) {
			free_where(c->where->inst[i], NKEYS(instance_keys));
			free(c->where->inst_file[i]);
		}
		free_where(c->where->ssl, NKEYS(ssl_keys));
		free(c->where->agent_file);
		free(c->where->ssl_file);
		free(c->where);
	}
	memset(c, 0, sizeof(*c));
}

static void
dump_keys(const struct key *keys, const void *target, FILE *out)
{
	const struct key	*k;
	const char		*base = target;

	for (k = keys; k->name != NULL; k++) {
		switch (k->type) {
		case K_STR: {
			const char *s = *(char *const *)(base + k->off);

			fprintf(out, "%s = %s\n", k->name,
			    k->secret && *s != '\0' ? "********" : s);
			break;
		}
		case K_BOOL:
		case K_BOOL_TRUE:
			fprintf(out, "%s = %s\n", k->name,
			    *(const int *)(base + k->off) ? "yes" : "no");
			break;
		default:
			fprintf(out, "%s = %lld\n", k->name,
			    *(const long long *)(base + k->off));
			break;
		}
	}
}

void
config_dump(const struct serve_conf *c, FILE *out)
{
	int i;

	fprintf(out, "# %s/agent.cfg\n", c->confdir);
	dump_keys(agent_keys, &c->agent, out);
	for (i = 0; i < CONF_NINSTANCES; i++) {
		fprintf(out, "\n# %s/%s\n", c->confdir, c->inst[i].file);
		dump_keys(instance_keys, &c->inst[i], out);
	}
	fprintf(out, "\n# %s/ssl-server-plugin.cfg\n", c->confdir);
	dump_keys(ssl_keys, &c->ssl, out);
	if (!c->ssl.disabled)
		fprintf(out, "# GnuTLS priorities: %s\n", c->ssl.priorities);
}
