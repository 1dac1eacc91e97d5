/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/clock.h"
#include "common/err.h"
#include "common/fsx.h"
#include "common/log.h"
#include "proxy/spool_ctl.h"
#include "proxy/statedir.h"

/* A request is one short line; an answer a few lines, or a total. */
#define REQ_MAX		128
#define ANSWER_MAX	(64 * 1024)
/* Requests applied per visit of ctl/: the deliverer goes on between. */
#define SERVE_BATCH	16
/* An answer nobody fetched (its command gave up) is removed then. */
#define STALE_S		60
/* Ids read from the folder at a time by retry --all. */
#define PAGE		1024
#define POLL_MS		20

int
spool_ctl_parse(const char *text, struct spool_ctl_req *req)
{
	char	verb[8], arg[SPOOL_ID_LEN + 2];
	size_t	len = strlen(text);

	memset(req, 0, sizeof(*req));
	if (len > 0 && text[len - 1] == '\n')
		len--;
	/* "drop " or "retry " and an argument, no more. */
	if (len > 6 + SPOOL_ID_LEN ||
	    sscanf(text, "%7s %17s", verb, arg) != 2 || strlen(verb) + 1 + strlen(arg) != len || text[strlen(verb)] != ' ')
		return ERR_FORMAT;
	if (strcmp(verb, "retry") == 0)
		req->verb = SPOOL_CTL_RETRY;
	else if (strcmp(verb, "drop") == 0)
		req->verb = SPOOL_CTL_DROP;
	else
		return ERR_FORMAT;
	if (req->verb == SPOOL_CTL_RETRY && strcmp(arg, "--all") == 0) {
		req->all = 1;
		return 0;
	}
	if (!spool_id_ok(arg))
		return ERR_FORMAT;
	memcpy(req->id, arg, sizeof(req->id));
	return 0;
}

/* The request as a line, as spool_ctl_parse() reads it. */
static void
format_req(const struct spool_ctl_req *req, char *out, size_t outlen)
{
	snprintf(out, outlen, "%s %s\n", req->verb == SPOOL_CTL_RETRY ?
	    "retry" : "drop", req->all ? "--all" : req->id);
}

/* One line for the person, and for the log when the daemon applies it. */
static void __attribute__((format(printf, 3, 4)))
say(FILE *out, int logs, const char *fmt, ...)
{
	char	line[1200];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(out, "%s\n", line);
	if (logs)
		log_info("passeur spool: %s", line);
}

static int
claim(const struct spool_ctl_hooks *h, const char *id)
{
	return h != NULL ? h->claim(h->arg, id) : 0;
}

static void
release(const struct spool_ctl_hooks *h, const char *id,
    const struct spool_item *it, int gone)
{
	if (h != NULL)
		h->release(h->arg, id, it, gone);
}

static const char *
why(int r)
{
	return r == ERR_SYSTEM ? strerror(errno) : err_str(r);
}

/*
 * A waiting item is made due now; one of failed/ comes back into the
 * spool, due now.  quiet (retry --all): a line only for an item back from
 * failed/ or a failure, none for an item gone since it was listed.
 */
static int
retry_one(struct spool *sp, const char *id,
    const struct spool_ctl_hooks *h, FILE *out, int logs, int quiet)
{
	struct spool_item	it;
	char			last[sizeof(it.last_error)];
	int			r;

	if ((r = claim(h, id)) == ERR_EXISTS) {
		if (spool_load(sp, id, &it, NULL) == 0) {
			if (!quiet)
				say(out, logs, "item %s of device %s: an "
				    "attempt runs now", id, it.device);
			spool_item_clear(&it);
		}
		return 0;
	}
	if ((r = spool_retry_now(sp, id, &it)) == 0) {
		release(h, id, &it, 0);
		if (!quiet)
			say(out, logs, "item %s of device %s: to be attempted "
			    "now (%ld failed attempt(s) so far)", id,
			    it.device, it.attempts);
		spool_item_clear(&it);
		return 0;
	}
	if (r != ERR_NOT_FOUND) {
		say(out, logs, "item %s: cannot be retried: %s", id, why(r));
		release(h, id, NULL, 0);
		return r;
	}
	release(h, id, NULL, 0);
	if ((r = spool_restore(sp, id, &it, last, sizeof(last))) == 0) {
		release(h, id, &it, 0);
		say(out, logs, "item %s of device %s: back from failed/, to be "
		    "attempted now (last error: %s)", id, it.device,
		    last[0] ? last : "-");
		spool_item_clear(&it);
		return 0;
	}
	/* retry --all: an item delivered since it was listed is no error. */
	if (r == ERR_NOT_FOUND && !quiet)
		say(out, logs, "item %s: no such item (delivered, dropped, or "
		    "never there)", id);
	else if (r != ERR_NOT_FOUND)
		say(out, logs, "item %s: cannot be brought back from failed/: "
		    "%s", id, why(r));
	return r;
}

static int
drop_one(struct spool *sp, const char *id, const struct spool_ctl_hooks *h,
    FILE *out, int logs)
{
	struct spool_item	 it;
	char			*reason = NULL;
	int			 r;

	if ((r = claim(h, id)) == ERR_EXISTS) {
		say(out, logs, "item %s: an attempt runs now; nothing dropped, "
		    "drop it again once the attempt ends", id);
		return r;
	}
	if ((r = spool_drop(sp, id, &it)) == 0) {
		release(h, id, NULL, 1);
		say(out, logs, "item %s of device %s dropped (it was waiting, "
		    "%ld failed attempt(s))", id, it.device, it.attempts);
		spool_item_clear(&it);
		return 0;
	}
	if (r != ERR_NOT_FOUND) {
		say(out, logs, "item %s: cannot be dropped: %s", id, why(r));
		release(h, id, NULL, 0);
		return r;
	}
	release(h, id, NULL, 0);
	if ((r = spool_drop_failed(sp, id, &it, &reason)) == 0) {
		if (reason != NULL)
			reason[strcspn(reason, "\n")] = '\0';
		say(out, logs, "item %s of device %s dropped from failed/ "
		    "(reason: %s)", id, it.device, reason != NULL ? reason :
		    "-");
		free(reason);
		spool_item_clear(&it);
		return 0;
	}
	if (r == ERR_NOT_FOUND)
		say(out, logs, "item %s: no such item (delivered, dropped, or "
		    "never there)", id);
	else
		say(out, logs, "item %s: cannot be dropped: %s", id, why(r));
	return r;
}

/* Every waiting item due now, every item of failed/ back. */
static int
retry_all(struct spool *sp, const struct spool_ctl_hooks *h, FILE *out,
    int logs)
{
	char	(*ids)[SPOOL_ID_LEN + 1];
	char	 after[SPOOL_ID_LEN + 1] = "";
	size_t	 n, i, waiting = 0, back = 0, errors = 0;
	int	 more, r = 0, pass;

	if ((ids = calloc(PAGE, sizeof(*ids))) == NULL)
		return ERR_NOMEM;
	/* The waiting ones first: those back from failed/ are due already. */
	for (pass = 0; pass < 2 && r == 0; pass++) {
		after[0] = '\0';
		do {
			r = pass == 0 ? spool_list(sp, after, ids, PAGE, &n,
			    &more) : spool_list_failed(sp, after, ids, PAGE,
			    &n, &more);
			if (r != 0)
				break;
			for (i = 0; i < n; i++) {
				r = retry_one(sp, ids[i], h, out, logs, 1);
				if (r == ERR_NOT_FOUND)
					continue;	/* gone meanwhile */
				if (r != 0)
					errors++;
				else if (pass == 0)
					waiting++;
				else
					back++;
			}
			r = 0;
			if (n > 0)
				memcpy(after, ids[n - 1], sizeof(after));
		} while (more);
	}
	free(ids);
	if (r != 0) {
		say(out, logs, "retry --all: cannot list the items: %s",
		    why(r));
		return r;
	}
	say(out, logs, "retry --all: %zu waiting item(s) to be attempted now, "
	    "%zu item(s) back from failed/%s", waiting, back, errors > 0 ?
	    ", some could not be retried (above)" : "");
	return errors > 0 ? ERR_SYSTEM : 0;
}

int
spool_ctl_apply(struct spool *sp, const struct spool_ctl_req *req,
    const struct spool_ctl_hooks *hooks, FILE *out, int logs)
{
	if (req->verb == SPOOL_CTL_DROP)
		return drop_one(sp, req->id, hooks, out, logs);
	if (req->all)
		return retry_all(sp, hooks, out, logs);
	return retry_one(sp, req->id, hooks, out, logs, 0);
}

int
spool_ctl_status(int r)
{
	return r == 0 ? 0 : 1;
}

/* "<name>.req" with name of the command's making: [0-9a-f-], short. */
static int
req_name(const char *file, char *name, size_t namelen)
{
	size_t	len = strlen(file), i;

	if (len < 5 || len - 4 >= namelen || len > 64 ||
	    strcmp(file + len - 4, ".req") != 0)
		return 0;
	for (i = 0; i < len - 4; i++)
		if (!((file[i] >= '0' && file[i] <= '9') ||
		    (file[i] >= 'a' && file[i] <= 'f') || file[i] == '-'))
			return 0;
	memcpy(name, file, len - 4);
	name[len - 4] = '\0';
	return 1;
}

/* Writes dfd/name through a temporary name; readable by the command. */
static int
put(int dfd, const char *name, const char *text, size_t len)
{
	char	tmp[96];
	int	fd, r;

	if ((size_t)snprintf(tmp, sizeof(tmp), ".%s.tmp", name) >= sizeof(tmp))
		return ERR_TOO_BIG;
	if ((fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
	    O_NOFOLLOW, 0644)) == -1)
		return ERR_SYSTEM;
	r = fsx_write_all(fd, text, len);
	if (close(fd) == -1 && r == 0)
		r = ERR_SYSTEM;
	if (r == 0 && renameat(dfd, tmp, dfd, name) == -1)
		r = ERR_SYSTEM;
	if (r != 0)
		(void)unlinkat(dfd, tmp, 0);
	return r;
}

/* Reads dfd/name, at most max - 1 bytes, as a string. */
static int
get(int dfd, const char *name, char *out, size_t max)
{
	ssize_t	n;
	size_t	got = 0;
	int	fd;

	if ((fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW |
	    O_NONBLOCK)) == -1)
		return errno == ENOENT ? ERR_NOT_FOUND : ERR_SYSTEM;
	while (got < max - 1) {
		if ((n = read(fd, out + got, max - 1 - got)) < 0) {
			if (errno == EINTR)
				continue;
			close(fd);
			return ERR_SYSTEM;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	out[got] = '\0';
	return 0;
}

/* One request of ctl/: taken (removed), applied, answered. */
static void
serve_one(struct spool *sp, int cfd, const char *name,
    const struct spool_ctl_hooks *hooks)
{
	struct spool_ctl_req	 req;
	char			 text[REQ_MAX], file[80], ans[80];
	char			*answer = NULL;
	size_t			 len = 0;
	FILE			*out;
	int			 r, status;

	snprintf(file, sizeof(file), "%s.req", name);
	snprintf(ans, sizeof(ans), "%s.ans", name);
	if (get(cfd, file, text, sizeof(text)) != 0)
		return;
	/* Removed first: a request is applied once at most. */
	if (unlinkat(cfd, file, 0) == -1) {
		if (errno != ENOENT)
			log_warn("spool %s: cannot take the request %s",
			    spool_dir(sp), file);
		return;
	}
	if ((out = open_memstream(&answer, &len)) == NULL) {
		log_warn("spool %s: request %s", spool_dir(sp), file);
		return;
	}
	/* The status line, rewritten once known: one digit. */
	fputs("0\n", out);
	if ((r = spool_ctl_parse(text, &req)) != 0) {
		fprintf(out, "not a request of passeur spool\n");
		log_warnx("spool %s: request %s is not one of passeur spool: "
		    "ignored", spool_dir(sp), file);
		status = 2;
	} else
		status = spool_ctl_status(spool_ctl_apply(sp, &req, hooks,
		    out, 1));
	if (fclose(out) != 0 || answer == NULL) {
		free(answer);
		return;
	}
	answer[0] = (char)('0' + status);
	if (len > ANSWER_MAX)
		len = ANSWER_MAX;
	if (put(cfd, ans, answer, len) != 0)
		log_warn("spool %s: cannot answer the request %s",
		    spool_dir(sp), file);
	free(answer);
}

void
spool_ctl_serve(struct spool *sp, const struct spool_ctl_hooks *hooks)
{
	char		 path[PATH_MAX], names[SERVE_BATCH][64], name[64];
	struct dirent	*de;
	struct stat	 sb;
	DIR		*d;
	size_t		 n = 0, i, len;
	time_t		 now = time(NULL);
	int		 cfd;

	if ((size_t)snprintf(path, sizeof(path), "%s/" SPOOL_CTL_DIR,
	    spool_dir(sp)) >= sizeof(path) || (cfd = open(path, O_RDONLY |
	    O_DIRECTORY | O_CLOEXEC)) == -1)
		return;
	if ((d = fdopendir(dup(cfd))) == NULL) {
		close(cfd);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (req_name(de->d_name, name, sizeof(name))) {
			if (n < SERVE_BATCH) {
				memcpy(names[n++], name, sizeof(name));
			}
			continue;
		}
		/* Answers and temporary files nobody came for. */
		if (((len > 4 && strcmp(de->d_name + len - 4, ".ans") == 0) ||
		    (de->d_name[0] == '.' && len > 4 &&
		    strcmp(de->d_name + len - 4, ".tmp") == 0)) &&
		    fstatat(cfd, de->d_name, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
		    now - sb.st_mtime > STALE_S)
			(void)unlinkat(cfd, de->d_name, 0);
	}
	closedir(d);
	for (i = 0; i < n; i++)
		serve_one(sp, cfd, names[i], hooks);
	close(cfd);
}

/* Prints an answer of the daemon: its status line, then its message. */
static int
print_answer(char *answer)
{
	char	*nl = strchr(answer, '\n');
	int	 status = answer[0] >= '0' && answer[0] <= '9' ?
	    answer[0] - '0' : 1;

	fputs(nl != NULL ? nl + 1 : "", status == 0 ? stdout : stderr);
	return status;
}

/*
 * The daemon did not answer in time: its request is withdrawn when it
 * has not taken it yet.  cfd is closed.
 */
static int
no_answer(int cfd, const char *file, long holder)
{
	if (unlinkat(cfd, file, 0) == 0)
		fprintf(stderr, "passeur spool: the daemon (pid %ld) did not "
		    "answer within %d s; the request is withdrawn, nothing "
		    "changed\n", holder, SPOOL_CTL_WAIT_MS / 1000);
	else
		fprintf(stderr, "passeur spool: the daemon (pid %ld) took the "
		    "request but did not answer within %d s; it may still "
		    "apply it (see its log)\n", holder,
		    SPOOL_CTL_WAIT_MS / 1000);
	close(cfd);
	return SPOOL_CTL_NO_ANSWER;
}

/* Applies req itself, under the lock (fd, held until it returns). */
static int
run_here(struct spool *sp, const struct spool_ctl_req *req, int lockfd)
{
	char	*text = NULL;
	size_t	 len = 0;
	FILE	*out;
	int	 r;

	if ((out = open_memstream(&text, &len)) == NULL) {
		close(lockfd);
		fprintf(stderr, "passeur spool: %s\n", strerror(errno));
		return 1;
	}
	r = spool_ctl_apply(sp, req, NULL, out, 0);
	close(lockfd);
	fclose(out);
	fputs(text != NULL ? text : "", r == 0 ? stdout : stderr);
	free(text);
	return spool_ctl_status(r);
}

int
spool_ctl_run(struct spool *sp, const struct spool_ctl_req *req)
{
	char		 path[PATH_MAX], msg[PATH_MAX + 64], line[REQ_MAX];
	char		 name[40], file[48], ans[48], answer[ANSWER_MAX + 1];
	long long	 deadline = mono_ms() + SPOOL_CTL_WAIT_MS;
	long		 holder = 0;
	uint32_t	 rnd = 0;
	int		 cfd, fd, r, sent = 0;
	struct timespec	 nap = { 0, POLL_MS * 1000000L };

	if (getrandom(&rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		rnd = (uint32_t)mono_ms();
	snprintf(name, sizeof(name), "%ld-%08x", (long)getpid(),
	    (unsigned)rnd);
	snprintf(file, sizeof(file), "%s.req", name);
	snprintf(ans, sizeof(ans), "%s.ans", name);
	format_req(req, line, sizeof(line));
	if ((size_t)snprintf(path, sizeof(path), "%s/" SPOOL_CTL_DIR,
	    spool_dir(sp)) >= sizeof(path)) {
		fprintf(stderr, "passeur spool: %s: path too long\n",
		    spool_dir(sp));
		return 1;
	}
	/* ctl/ is the daemon's; a spool no daemon has opened yet has none. */
	if (mkdir(path, 0750) == -1 && errno != EEXIST) {
		fprintf(stderr, "passeur spool: %s: %s\n", path,
		    strerror(errno));
		return 1;
	}
	if ((cfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		fprintf(stderr, "passeur spool: %s: %s\n", path,
		    strerror(errno));
		return 1;
	}
	for (;;) {
		/* The daemon answered (and may have stopped since). */
		if (sent && get(cfd, ans, answer, sizeof(answer)) == 0) {
			(void)unlinkat(cfd, ans, 0);
			close(cfd);
			return print_answer(answer);
		}
		r = statedir_lock(spool_dir(sp), SPOOL_LOCK, &fd, &holder, msg,
		    sizeof(msg));
		if (r == 0) {
			/* No daemon: the request is this command's to apply. */
			if (sent)
				(void)unlinkat(cfd, file, 0);
			close(cfd);
			return run_here(sp, req, fd);
		}
		if (r != ERR_EXISTS) {
			fprintf(stderr, "passeur spool: cannot lock the spool: "
			    "%s\n", msg);
			break;
		}
		if (!sent && (r = put(cfd, file, line, strlen(line))) != 0) {
			fprintf(stderr, "passeur spool: cannot hand the request "
			    "to the daemon (pid %ld) in %s: %s\n", holder, path,
			    why(r));
			break;
		}
		sent = 1;
		if (mono_ms() >= deadline)
			return no_answer(cfd, file, holder);
		nanosleep(&nap, NULL);
	}
	if (sent)
		(void)unlinkat(cfd, file, 0);
	close(cfd);
	return 1;
}
