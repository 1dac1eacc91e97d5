/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * `passeur spool`: what waits in a spool folder, read beside a running
 * daemon or without one; list, show and stats only read (items come and
 * go as they read), retry and drop change items through spool_ctl.h,
 * under the lock the daemon holds.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "common/err.h"
#include "common/log.h"
#include "proxy/config.h"
#include "proxy/spool.h"
#include "proxy/spool_cmd.h"
#include "proxy/spool_ctl.h"

/* Ids read from the folder at a time: memory does not grow with it. */
#define LIST_PAGE	1024

static void
usage(int code)
{
	fprintf(code == 0 ? stdout : stderr,
	    "usage: passeur spool [-c confdir] [--vardir dir] [--spool dir]\n"
	    "                     list | show ID | stats [--json] |\n"
	    "                     retry ID | retry --all | drop ID [--yes]\n"
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
	    "  retry ID      a waiting item is attempted now; an item of "
	    "failed/ goes\n"
	    "                back into the spool, attempts reset, and is "
	    "attempted now\n"
	    "  retry --all   every waiting item and every item of failed/, "
	    "now\n"
	    "  drop ID       removes the item (waiting or failed); on a "
	    "terminal, asks\n"
	    "                first\n"
	    "  --yes         drop without asking\n"
	    "  -c confdir    configuration folder whose agent.cfg names the "
	    "spool\n"
	    "                (default %s)\n"
	    "  --vardir dir  state folder a relative spool is read from\n"
	    "  --spool dir   the spool folder itself (no configuration read)\n"
	    "\n"
	    "retry and drop go through the running passeur serve of the spool "
	    "(it holds\n"
	    "the spool's lock), or change the files themselves when none "
	    "runs.\n"
	    "Exit status: 0 done; 1 no such item, an attempt of it runs "
	    "(drop), drop\n"
	    "not confirmed, or an error; 2 usage, or an ID that is not 16 "
	    "hexadecimal\n"
	    "digits; 3 the daemon did not answer within %d s.\n",
	    DEFAULT_CONFDIR, SPOOL_CTL_WAIT_MS / 1000);
	exit(code);
}

/* An id as given on the command line, before any file is touched. */
static int
id_arg(const char *id)
{
	if (spool_id_ok(id))
		return 0;
	fprintf(stderr, "passeur spool: %s: not an item id (16 hexadecimal "
	    "digits, as passeur spool list shows them)\n", id);
	return ERR_INVALID;
}

/*
 * On a terminal, drop asks first, naming the item and its device.
 * Returns 0 to go on; otherwise the exit status.
 */
static int
confirm_drop(struct spool *sp, const char *id)
{
	struct spool_item	 it;
	char			*reason = NULL, line[32];
	const char		*state = "waiting";
	int			 r;

	if ((r = spool_load(sp, id, &it, NULL)) == ERR_NOT_FOUND) {
		r = spool_load_failed(sp, id, &it, &reason);
		state = "failed";
		free(reason);
	}
	if (r != 0) {
		fprintf(stderr, "passeur spool: %s: %s\n", id, r ==
		    ERR_NOT_FOUND ? "no such item (delivered, dropped, or "
		    "never there)" : err_str(r));
		return 1;
	}
	fprintf(stderr, "drop item %s of device %s (%s)? [y/N] ", id,
	    it.device, state);
	spool_item_clear(&it);
	if (fgets(line, sizeof(line), stdin) == NULL ||
	    (strcasecmp(line, "y\n") != 0 && strcasecmp(line, "yes\n") != 0)) {
		fprintf(stderr, "passeur spool: nothing dropped\n");
		return 1;
	}
	return 0;
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
		{ "all", no_argument, NULL, 'a' },
		{ "yes", no_argument, NULL, 'y' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct spool	*sp = NULL;
	const char	*confdir = DEFAULT_CONFDIR, *vardir = NULL;
	char		*dir = NULL;
	struct spool_ctl_req req;
	const char	*cmd;
	int		 ch, json = 0, all = 0, yes = 0, r, code = 1, want;

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
		case 'a':
			all = 1;
			break;
		case 'y':
			yes = 1;
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
	if (argc < 1)
		usage(2);
	cmd = argv[0];
	if (strcmp(cmd, "list") != 0 && strcmp(cmd, "show") != 0 &&
	    strcmp(cmd, "stats") != 0 && strcmp(cmd, "retry") != 0 &&
	    strcmp(cmd, "drop") != 0) {
		fprintf(stderr, "passeur spool: unknown command \"%s\"\n",
		    cmd);
		usage(2);
	}
	/* Arguments after the command: an ID, but for retry --all. */
	want = strcmp(cmd, "show") == 0 || strcmp(cmd, "drop") == 0 ||
	    (strcmp(cmd, "retry") == 0 && !all);
	if (argc != 1 + want || (json && strcmp(cmd, "stats") != 0) ||
	    (all && strcmp(cmd, "retry") != 0) ||
	    (yes && strcmp(cmd, "drop") != 0))
		usage(2);
	if (want && id_arg(argv[1]) != 0) {
		code = 2;
		goto out;
	}
	log_init(LOG_TO_STDERR, NULL, NULL, 0);
	if (dir == NULL && (dir = configured_spool(confdir, vardir)) == NULL)
		goto out;
	if ((r = spool_peek(&sp, dir)) != 0) {
		fprintf(stderr, "passeur spool: %s: %s\n", dir, r ==
		    ERR_SYSTEM ? strerror(errno) : err_str(r));
		goto out;
	}
	if (strcmp(cmd, "retry") == 0 || strcmp(cmd, "drop") == 0) {
		if (strcmp(cmd, "drop") == 0 && !yes && isatty(STDIN_FILENO) &&
		    (code = confirm_drop(sp, argv[1])) != 0)
			goto out;
		memset(&req, 0, sizeof(req));
		req.verb = strcmp(cmd, "drop") == 0 ? SPOOL_CTL_DROP :
		    SPOOL_CTL_RETRY;
		req.all = all;
		if (!all)
			memcpy(req.id, argv[1], sizeof(req.id));
		code = spool_ctl_run(sp, &req);
		goto out;
	}
	if (strcmp(cmd, "list") == 0)
		r = list(sp);
	else if (strcmp(cmd, "show") == 0)
		r = show(sp, argv[1]);
	else
		r = stats(sp, json);
	code = r == 0 ? 0 : 1;
out:
	spool_close(sp);
	free(dir);
	return code;
}
