/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * passeur inject: glpi-injector.  Sends stored inventories (one file, a
 * folder, or stdin) to a GLPI server or a proxy, several at a time.
 */
#ifndef PASSEUR_INJECT_INJECT_H
#define PASSEUR_INJECT_INJECT_H

#include "common/fingerprint.h"

#define INJECT_FILE_MAX		(256UL * 1024 * 1024)	/* inflated bytes */

struct inject_opts {
	const char		*url;
	const char		*directory, *file;
	int			 use_stdin, recursive, remove;
	int			 verbose, debug, dry_run;
	int			 content_ua;		/* -x: UA from content */
	int			 no_compression;
	int			 jobs;
	long			 timeout;
	const char		*useragent;
	const char		*proxy;
	const char		*ca_cert_file, *ca_cert_dir;
	const char		*ssl_cert_file, *ssl_key_file;
	int			 no_ssl_check;
	struct fingerprints	 pins;
	const char		*oauth_id, *oauth_secret;
};

int	inject_main(int argc, char **argv);

#endif
