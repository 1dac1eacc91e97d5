/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * `passeur spool`: what waits in a spool folder, read beside a running
 * daemon or without one.  Read only: nothing is made, moved or removed,
 * so it needs no lock of the daemon's (items come and go as it reads).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/err.h"
#include "common/log.h"
#include "proxy/config.h"
#include "proxy/spool.h"
#include "proxy/spool_cmd.h"

/* Ids read from the folder at a time: memory does not grow with it. */
#define LIST_PAGE	1024

static void
usage(int code)
{
	fprintf(code == 0 ? stdout : stderr,
	    "usage: passeur spool [-c confdir] [--vardir dir] [--spool dir]\n"
	    "                     list | show ID | stats [--json]\n"
	    "\n"
	    "  list          the items waiting, oldest first: id, received, "
	    "attempts,\n"
	    "                next attempt, kind and action, device, last error\n"
	    "  show ID       one item's meta (in the spool or in failed/), its "
	    "body's\n"
	    "                size, and why it failed\n"
	    "  stats         items waiting, their bytes, items failed, the "
	    "oldest\n"
	    "  --json        stats as a JSON object\n"
	    "  -c confdir    configuration folder whose agent.cfg names the "
	    "spool\n"
	    "                (default %s)\n"
	    "  --vardir dir  state folder a relative spool is read from\n"
	    "  --spool dir   the spool folder itself (no configuration read)\n",
	    DEFAULT_CONFDIR);
	exit(code);
}

static int
list(struct spool *sp)
{
	char			(*ids)[SPOOL_ID_LEN + 1];
	char			 after[SPOOL_ID_LEN + 1] = "", rcv[32], next[32];
	struct spool_item	 it;
	size_t			 n, i;
	int			 more, r;

	if ((ids = calloc(LIST_PAGE, sizeof(*ids))) == NULL)
		return ERR_NOMEM;
	printf("ID\tRECEIVED\tATTEMPTS\tNEXT\tKIND\tDEVICE\tLAST ERROR\n");
	do {
		if ((r = spool_list(sp, after, ids, LIST_PAGE, &n, &more)) != 0)
			break;
		for (i = 0; i < n; i++) {
			/* Delivered meanwhile: no longer waits. */
			if (spool_load(sp, ids[i], &it, NULL) != 0)
				continue;
			spool_when(rcv, sizeof(rcv), it.received_ms);
			spool_when(next, sizeof(next), it.next_ms);
			printf("%s\t%s\t%ld\t%s\t%s/%s\t%s\t%s\n", it.id, rcv,
			    it.attempts, it.next_ms > 0 ? next : "now",
			    it.kind == SPOOL_JSON ? "json" : "xml", it.action,
			    it.device, it.last_error[0] ? it.last_error : "-");
			spool_item_clear(&it);
		}
		if (n > 0)
			memcpy(after, ids[n - 1], sizeof(after));
	} while (more);
	free(ids);
	return r;
}

static int
show(struct spool *sp, const char *id)
{
	struct spool_item	 it;
	char			 path[PATH_MAX], *reason = NULL, line[4096];
	const char		*where = "";
	FILE			*f;
	int			 r;

	if (strlen(id) != SPOOL_ID_LEN || strchr(id, '/') != NULL) {
		fprintf(stderr, "passeur spool: %s: not an item id (16 "
		    "hexadecimal digits)\n", id);
		return ERR_INVALID;
	}
	if ((r = spool_load(sp, id, &it, NULL)) == ERR_NOT_FOUND) {
		r = spool_load_failed(sp, id, &it, &reason);
		where = "failed/";
	}
	if (r != 0) {
		fprintf(stderr, "passeur spool: %s: %s\n", id, r ==
		    ERR_NOT_FOUND ? "no such item (delivered, or never "
		    "there)" : err_str(r));
		return r;
	}
	/* The meta as written: what a person would read in the folder. */
	snprintf(path, sizeof(path), "%s/%s%s.meta", spool_dir(sp), where, id);
	if ((f = fopen(path, "r")) != NULL) {
		while (fgets(line, sizeof(line), f) != NULL)
			fputs(line, stdout);
		fclose(f);
	}
	printf("state: %s\n", where[0] ? "failed" : "waiting");
	if (reason != NULL)
		printf("reason: %s", reason);
	free(reason);
	spool_item_clear(&it);
	return 0;
}

static int
stats(struct spool *sp, int json)
{
	struct spool_stats	st;
	char			oldest[32];
	long long		age = 0;
	int			r;

	if ((r = spool_stats(sp, &st)) != 0)
		return r;
	if (st.oldest[0] != '\0') {
		age = ((long long)time(NULL) * 1000 -
		    spool_id_ms(st.oldest)) / 1000;
		spool_when(oldest, sizeof(oldest), spool_id_ms(st.oldest));
	}
	if (json)
		printf("{\"items\":%zu,\"bytes\":%" PRIu64 ",\"failed\":%zu,"
		    "\"oldest_age\":%lld}\n", st.items, st.bytes, st.failed,
		    age);
	else
		printf("items waiting: %zu (%" PRIu64 " bytes)\n"
		    "items failed: %zu\noldest: %s\n", st.items, st.bytes,
		    st.failed, st.oldest[0] ? oldest : "-");
	return 0;
}

/* The spool folder of the configuration, as `passeur serve` finds it. */
static char *
configured_spool(const char *confdir, const char *vardir)
{
	struct serve_conf	 conf;
	char			*dir;

	if (config_load(&conf, confdir, vardir, stderr) != 0) {
		config_free(&conf);
		return NULL;
	}
	dir = strdup(conf.agent.spool);
	config_free(&conf);
	if (dir != NULL && dir[0] == '\0') {
		fprintf(stderr, "passeur spool: the configuration of %s has no "
		    "spool (spool is empty in agent.cfg)\n", confdir);
		free(dir);
		return NULL;
	}
	return dir;
}

int
spool_cmd_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "vardir", required_argument, NULL, 'V' },
		{ "spool", required_argument, NULL, 'S' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct spool	*sp = NULL;
	const char	*confdir = DEFAULT_CONFDIR, *vardir = NULL;
	char		*dir = NULL;
	int		 ch, json = 0, r, code = 1;

	while ((ch = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			confdir = optarg;
			break;
		case 'V':
			vardir = optarg;
			break;
		case 'S':
			free(dir);
			if ((dir = strdup(optarg)) == NULL)
				fatal("strdup");
			break;
		case 'j':
			json = 1;
			break;
		case 'h':
			usage(0);
			break;
		default:
			usage(2);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1 || (strcmp(argv[0], "show") == 0) != (argc == 2) ||
	    argc > 2 || (json && strcmp(argv[0], "stats") != 0))
		usage(2);
	if (strcmp(argv[0], "list") != 0 && strcmp(argv[0], "show") != 0 &&
	    strcmp(argv[0], "stats") != 0) {
		fprintf(stderr, "passeur spool: unknown command \"%s\"\n",
		    argv[0]);
		usage(2);
	}
	log_init(LOG_TO_STDERR, NULL, NULL, 0);
	if (dir == NULL && (dir = configured_spool(confdir, vardir)) == NULL)
		goto out;
	if ((r = spool_peek(&sp, dir)) != 0) {
		fprintf(stderr, "passeur spool: %s: %s\n", dir, r ==
		    ERR_SYSTEM ? strerror(errno) : err_str(r));
		goto out;
	}
	if (strcmp(argv[0], "list") == 0)
		r = list(sp);
	else if (strcmp(argv[0], "show") == 0)
		r = show(sp, argv[1]);
	else
		r = stats(sp, json);
	code = r == 0 ? 0 : 1;
out:
	spool_close(sp);
	free(dir);
	return code;
}
