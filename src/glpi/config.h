/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * glpi.cfg (+ what it includes, such as glpi.local), in the agent's
 * file format: how to reach the GLPI database and REST API.
 */
#ifndef PASSEUR_GLPI_CONFIG_H
#define PASSEUR_GLPI_CONFIG_H

#define GLPI_CONF_FILE	"glpi.cfg"
#define GLPI_SYNC_DB	"/var/lib/passeur/glpi.sqlite"

enum glpi_mode { GLPI_MODE_AUTO, GLPI_MODE_READ_ONLY, GLPI_MODE_SUPER_ADMIN };

struct glpi_conf {
	char		 dbhost[256];
	int		 dbport;
	char		 dbname[65];
	char		 dbuser[129];
	char		 dbpassword[256];
	char		 dbsocket[256];
	int		 dbssl;			/* TLS required */
	char		 dbsslca[1024];		/* verify the server with it */
	char		 dbsslcert[1024];	/* this client's certificate */
	char		 dbsslkey[1024];
	char		 api_url[512];
	char		 api_client[256];
	char		 api_user[256];		/* whose token is user_token */
	char		 app_token[256];
	char		 user_token[256];
	char		 sync_db[1024];		/* the SQLite copy of sync */
	enum glpi_mode	 mode;
};

/*
 * Reads confdir/glpi.cfg into *c (defaults first).  Returns 0, or after
 * printing every error as "file:line: message" on stderr, ERR_NOT_FOUND
 * (no file), ERR_SYSTEM (errno set) or ERR_INVALID.  The
 * *_file keys read the secret from a file (first line, no newline).
 */
int		 glpi_conf_load(const char *confdir, struct glpi_conf *c);
const char	*glpi_mode_name(enum glpi_mode mode);

#endif
