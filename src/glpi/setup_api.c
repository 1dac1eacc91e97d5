/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "glpi/rest.h"
#include "glpi/setup_api.h"

#define LABEL	"  %-17s "	/* as the lines of setup's summary */

int
setup_api_prove(const struct glpi_conf *conf, const char *confdir)
{
	struct glpi_conf	*again;
	struct rest		*r;
	struct rest_error	 e;
	int			 status = 0;

	/* What check will read: glpi.cfg, and what it includes. */
	if ((again = calloc(1, sizeof(*again))) == NULL)
		return 1;
	if (glpi_conf_load(confdir, again) != 0 ||
	    strcmp(again->app_token, conf->app_token) != 0 ||
	    strcmp(again->user_token, conf->user_token) != 0) {
		printf(LABEL "NOT seen by check: %s/glpi.cfg does not include "
		    "glpi.local\n", "tokens", confdir);
		fprintf(stderr, "passeur glpi setup: add the line include "
		    "\"glpi.local\" at the end of %s/glpi.cfg, or check and "
		    "the other commands will not see the tokens\n", confdir);
		status = 1;
	}
	explicit_bzero(again, sizeof(*again));
	free(again);
	/* No API configured: nothing to prove them against, not a failure. */
	if (conf->api_url[0] == '\0') {
		printf(LABEL "not proven: no api_url in glpi.cfg (check proves "
		    "the tokens once it is set)\n", "API session");
		return status;
	}
	if (rest_open(conf, &r, &e) != 0) {
		printf(LABEL "NOT proven: %s%s%s\n", "API session", e.code,
		    e.code[0] != '\0' ? ", " : "", e.glpi);
		rest_error_print(&e, "passeur glpi setup");
		/* The refusal's own exit status, as the API commands. */
		return e.kind != REST_OK ? (int)e.kind : 1;
	}
	rest_close(r);
	printf(LABEL "opened with these tokens (initSession)\n",
	    "API session");
	return status;
}
