/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Configuration of `passeur serve`: agent.cfg keys the proxy needs, and one
 * proxy-server-plugin.cfg (or proxy2-server-plugin.cfg) per proxy instance.
 *
 * One key table per file type drives parsing, checking (-n) and dumping
 * (-T).  config_load() fills a struct serve_conf that the caller owns and
 * releases with config_free(); string members are owned by the struct.
 */
#ifndef PASSEUR_PROXY_CONFIG_H
#define PASSEUR_PROXY_CONFIG_H

#include <stdio.h>

#include "common/fingerprint.h"
#include "proxy/tls.h"
#include "proxy/trust.h"

#define CONF_MAX_SERVERS	8
#define CONF_NINSTANCES		2	/* proxy and proxy2 */
#define CONF_MAX_TLS_PORTS	8
/* The build's <sysconfdir>/passeur, where `cmake --install` puts etc/. */
#define DEFAULT_CONFDIR		PASSEUR_CONFDIR
#define DEFAULT_VARDIR		"/var/lib/passeur"
#define DEFAULT_HTTPD_PORT	62354

struct agent_conf {
	char		*server;	/* comma list as written */
	char		*servers[CONF_MAX_SERVERS];
	int		 nservers;
	char		*httpd_ip;
	long long	 httpd_port;
	char		*httpd_trust;
	struct trust	 trust;
	long long	 timeout;
	char		*proxy;
	char		*user;
	char		*password;
	int		 no_compression;
	char		*logger;
	char		*logfile;
	char		*logfacility;
	long long	 debug;
	char		*vardir;
	char		*ca_cert_file;
	char		*ca_cert_dir;
	char		*ssl_cert_file;
	char		*ssl_fingerprint;
	struct fingerprints pins;	/* ssl_fingerprint, parsed */
	int		 no_ssl_check;
	/*
	 * OAuth client credentials for a GLPI 11 that requires them
	 * (auth_required = client_credentials); "" when unset.  The secret
	 * is read from oauth_client_secret_file when that is set.
	 */
	char		*oauth_client_id;
	char		*oauth_client_secret;
	char		*oauth_client_secret_file;
	char		*spool;		/* resolved against vardir; "": none */
	long long	 spool_retry_min;	/* seconds */
	long long	 spool_retry_max;
	long long	 spool_max_age;		/* seconds; 0: none */
	long long	 spool_max_size;	/* bytes of bodies; 0: disk */
	/* The admin listener (admin.h); off while status_port is 0. */
	long long	 status_port;
	char		*status_ip;
	char		*status_trust;
	struct trust	 status_nets;	/* status_trust, parsed */
	int		 status_tls;
};

struct instance_conf {
	const char	*name;		/* "proxy" or "proxy2" */
	const char	*file;		/* base name of its .cfg */
	int		 disabled;
	char		*url_path;
	long long	 port;		/* resolved: never 0 after load */
	long long	 prolog_freq;
	char		*local_store;	/* resolved against vardir */
	int		 only_local_store;
	long long	 max_proxy_threads;
	long long	 max_pass_through;
	int		 glpi_protocol;
	char		*no_category;
	long long	 maxrate;
	long long	 maxrate_period;
	int		 forbid_not_trusted;
	/* Limits of our own, absent from the reference. */
	long long	 max_body_size;
	long long	 max_inflated_size;
	long long	 max_connections;
	long long	 max_connections_per_ip;
	long long	 request_timeout;
	long long	 max_header_size;
	long long	 max_rate_clients;
	long long	 max_pending_answers;
	long long	 answer_ttl;
	long long	 workers;
	long long	 max_uploads_per_ip;	/* bodies being received */
	long long	 min_data_rate;		/* bytes/s over 10 s; 0: off */
};

/* ssl-server-plugin.cfg: which listeners speak TLS, with what. */
struct ssl_conf {
	int			 disabled;
	char			*ports;		/* comma list as written */
	long long		 port_list[CONF_MAX_TLS_PORTS];	/* 0 resolved */
	int			 nports;
	char			*ssl_cert_file;	/* resolved against confdir */
	char			*ssl_key_file;
	char			*ssl_cipher;
	int			 forbid_not_trusted;
	char			 priorities[256];	/* GnuTLS, from ssl_cipher */
	struct tls_creds	*creds;		/* loaded and checked; see tls.h */
};

struct config_where;

struct serve_conf {
	char			*confdir;
	struct config_where	*where;		/* where each key was set */
	struct agent_conf	 agent;
	struct instance_conf	 inst[CONF_NINSTANCES];
	struct ssl_conf		 ssl;
};

/*
 * Loads confdir/agent.cfg and the plugin files.  vardir, when not NULL,
 * overrides the vardir key.  Errors are printed as `file:line: message`
 * to err, one line each; returns 0, or ERR_INVALID when there was any.
 */
int	config_load(struct serve_conf *c, const char *confdir,
	    const char *vardir, FILE *err);
void	config_free(struct serve_conf *c);
/* Prints the effective configuration, secrets masked. */
void	config_dump(const struct serve_conf *c, FILE *out);
/*
 * Where key was set, "file:line", or the path of its file when it has its
 * default: of agent.cfg when inst is -1, else of instance inst.  Valid
 * until config_free().
 */
const char *config_where(const struct serve_conf *c, int inst,
	    const char *key);
/* 1 when the listener on port speaks TLS. */
int	config_tls_port(const struct serve_conf *c, long long port);

#endif
