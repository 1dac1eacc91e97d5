/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/curlx.h"
#include "common/err.h"
#include "common/oauth.h"
#include "inject/collect.h"
#include "inject/inject.h"
#include "inject/payload.h"
#include "inject/progress.h"
#include "inject/send.h"

#define JOBS_DEFAULT	4
#define JOBS_MAX	64
#define TIMEOUT_DEFAULT	180	/* seconds, as LWP's */
#define STDIN_NAME	"STDIN DATA"	/* its name in the list of failures */

/*
 * Set by the first SIGINT or SIGTERM: no new file is started, the ones
 * in flight finish (a second signal ends the process at once).  Read by
 * the sender threads: an atomic, not a volatile sig_atomic_t (which only
 * holds between a handler and the thread it interrupts); lock-free, so
 * the handler may store it.
 */
static atomic_int	stop_signal;
_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "stop_signal is set by a handler");

static void
on_stop(int sig)
{
	stop_signal = sig;
	signal(sig, SIG_DFL);
}

/* What happened to each item, for the final list. */
struct run {
	const struct inject_opts *o;
	const struct items	*it;
	const struct curlx	*cx;
	struct progress		*pr;
	char			*failed;	/* one flag per item */
	atomic_size_t		 next;
	size_t			 finished;
	pthread_mutex_t		 lock;
	pthread_cond_t		 cv;
};

enum {
	OPT_STDIN = 256, OPT_DEBUG, OPT_USERAGENT, OPT_NO_SSL_CHECK,
	OPT_SSL_CERT_FILE, OPT_SSL_KEY_FILE, OPT_CA_CERT_FILE,
	OPT_CA_CERT_DIR, OPT_SSL_FINGERPRINT, OPT_OAUTH_ID, OPT_OAUTH_SECRET,
	OPT_DRY_RUN, OPT_TIMEOUT
};

static const struct option longopts[] = {
	{ "help",		no_argument,		NULL, 'h' },
	{ "directory",		required_argument,	NULL, 'd' },
	{ "recursive",		no_argument,		NULL, 'R' },
	{ "file",		required_argument,	NULL, 'f' },
	{ "stdin",		no_argument,		NULL, OPT_STDIN },
	{ "url",		required_argument,	NULL, 'u' },
	{ "remove",		no_argument,		NULL, 'r' },
	{ "verbose",		no_argument,		NULL, 'v' },
	{ "debug",		no_argument,		NULL, OPT_DEBUG },
	{ "useragent",		required_argument,	NULL, OPT_USERAGENT },
	{ "xml-ua",		no_argument,		NULL, 'x' },
	{ "json-ua",		no_argument,		NULL, 'x' },
	{ "no-compression",	no_argument,		NULL, 'C' },
	{ "no-ssl-check",	no_argument,		NULL, OPT_NO_SSL_CHECK },
	{ "ssl-cert-file",	required_argument,	NULL, OPT_SSL_CERT_FILE },
	{ "ssl-key-file",	required_argument,	NULL, OPT_SSL_KEY_FILE },
	{ "ca-cert-file",	required_argument,	NULL, OPT_CA_CERT_FILE },
	{ "ca-cert-dir",	required_argument,	NULL, OPT_CA_CERT_DIR },
	{ "ssl-fingerprint",	required_argument,	NULL,
	    OPT_SSL_FINGERPRINT },
	{ "proxy",		required_argument,	NULL, 'P' },
	{ "oauth-client-id",	required_argument,	NULL, OPT_OAUTH_ID },
	{ "oauth-client-secret", required_argument,	NULL,
	    OPT_OAUTH_SECRET },
	{ "jobs",		required_argument,	NULL, 'j' },
	{ "dry-run",		no_argument,		NULL, OPT_DRY_RUN },
	{ "timeout",		required_argument,	NULL, OPT_TIMEOUT },
	{ NULL,			0,			NULL, 0 }
};

static void
usage(int code)
{
	fprintf(code == 0 ? stdout : stderr,
"usage: passeur inject [-CRrvx] [-j jobs] [--dry-run] [--debug]\n"
"           [-f file | -d directory | --stdin] -u url\n"
"           [--useragent string] [-P proxy] [--timeout seconds]\n"
"           [--no-ssl-check] [--ca-cert-file file] [--ca-cert-dir dir]\n"
"           [--ssl-cert-file file] [--ssl-key-file file]\n"
"           [--ssl-fingerprint list]\n"
"           [--oauth-client-id id --oauth-client-secret secret]\n"
"\n"
"  -d, --directory DIR  send the .data .json .ocs .xml files of DIR\n"
"  -R, --recursive      and of its sub-folders\n"
"  -f, --file FILE      send one file\n"
"      --stdin          send what standard input holds\n"
"  -u, --url URL        the GLPI server or proxy\n"
"  -r, --remove         remove each file the server accepted\n"
"  -j, --jobs N         send N files at a time (default %d)\n"
"      --dry-run        check and list the files, send nothing\n"
"  -v, --verbose        one line per file\n"
"      --debug          also the server's answers\n"
"  -x, --xml-ua, --json-ua\n"
"                       User-Agent from the inventory's versionclient\n"
"      --useragent UA   User-Agent (default GLPI-Injector)\n"
"  -C, --no-compression send inventories as they are, not zlib\n"
"  -P, --proxy URL      HTTP proxy (default: the environment's)\n"
"      --timeout S      seconds per request, and at most for a file's\n"
"                       Retry-After waits (default %d)\n"
"      --no-ssl-check   do not check the server's certificate\n"
"      --ca-cert-file FILE, --ca-cert-dir DIR\n"
"                       the CAs the server's certificate is checked with\n"
"      --ssl-cert-file FILE, --ssl-key-file FILE\n"
"                       a client certificate and its key\n"
"      --ssl-fingerprint LIST\n"
"                       accept a server certificate by its fingerprint\n"
"      --oauth-client-id ID, --oauth-client-secret SECRET\n"
"                       a Bearer token from GLPI's api.php/token, renewed\n"
"                       before it expires and after a 401\n"
"  -h, --help           this help\n"
"\n"
"See passeur-inject(1).\n", JOBS_DEFAULT, TIMEOUT_DEFAULT);
	exit(code);
}

static void __attribute__((format(printf, 1, 2), noreturn))
die_usage(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "passeur inject: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static long
number(const char *s, const char *what, long min, long max)
{
	char	*end;
	long	 n;

	errno = 0;
	n = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || n < min || n > max) {
		fprintf(stderr, "passeur inject: %s must be a number from %ld "
		    "to %ld, not \"%s\"\n", what, min, max, s);
		exit(2);
	}
	return n;
}

static void
parse(int argc, char **argv, struct inject_opts *o)
{
	char	why[256];
	int	ch;

	memset(o, 0, sizeof(*o));
	o->useragent = "GLPI-Injector";
	o->jobs = JOBS_DEFAULT;
	o->timeout = TIMEOUT_DEFAULT;
	o->proxy = o->ca_cert_file = o->ca_cert_dir = "";
	o->ssl_cert_file = o->ssl_key_file = "";
	while ((ch = getopt_long(argc, argv, "hd:Rf:u:rvxCP:j:", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'h':
			usage(0);
			break;
		case 'd':
			o->directory = optarg;
			break;
		case 'R':
			o->recursive = 1;
			break;
		case 'f':
			o->file = optarg;
			break;
		case OPT_STDIN:
			o->use_stdin = 1;
			break;
		case 'u':
			o->url = optarg;
			break;
		case 'r':
			o->remove = 1;
			break;
		case 'v':
			o->verbose = 1;
			break;
		case OPT_DEBUG:
			o->debug = o->verbose = 1;
			break;
		case OPT_USERAGENT:
			o->useragent = optarg;
			break;
		case 'x':
			o->content_ua = 1;
			break;
		case 'C':
			o->no_compression = 1;
			break;
		case OPT_NO_SSL_CHECK:
			o->no_ssl_check = 1;
			break;
		case OPT_SSL_CERT_FILE:
			o->ssl_cert_file = optarg;
			break;
		case OPT_SSL_KEY_FILE:
			o->ssl_key_file = optarg;
			break;
		case OPT_CA_CERT_FILE:
			o->ca_cert_file = optarg;
			break;
		case OPT_CA_CERT_DIR:
			o->ca_cert_dir = optarg;
			break;
		case OPT_SSL_FINGERPRINT:
			if (fingerprint_parse(optarg, &o->pins, why,
			    sizeof(why)) != 0)
				die_usage("--ssl-fingerprint: %s", why);
			break;
		case 'P':
			o->proxy = optarg;
			break;
		case OPT_OAUTH_ID:
			o->oauth_id = optarg;
			break;
		case OPT_OAUTH_SECRET:
			o->oauth_secret = optarg;
			break;
		case 'j':
			o->jobs = (int)number(optarg, "-j", 1, JOBS_MAX);
			break;
		case OPT_DRY_RUN:
			o->dry_run = 1;
			break;
		case OPT_TIMEOUT:
			o->timeout = number(optarg, "--timeout", 1, 86400);
			break;
		default:
			usage(2);
		}
	}
	if (optind < argc)
		die_usage("unexpected argument \"%s\"", argv[optind]);
	if (!o->use_stdin && o->file == NULL && o->directory == NULL)
		usage(2);
	if (o->dry_run)
		return;
	if (o->url == NULL || *o->url == '\0')
		die_usage("no server to send to: give -u URL");
	if (strncasecmp(o->url, "http://", 7) != 0 &&
	    strncasecmp(o->url, "https://", 8) != 0)
		die_usage("-u %s: the URL must start with http:// or "
		    "https://", o->url);
	if ((o->oauth_id != NULL) != (o->oauth_secret != NULL))
		die_usage("OAuth needs both --oauth-client-id and "
		    "--oauth-client-secret");
}

static void __attribute__((format(printf, 2, 3)))
say(void *arg, const char *fmt, ...)
{
	struct progress	*pr = arg;
	char		 line[8192];
	va_list		 ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	progress_say(pr, stdout, "%s", line);
}

/*
 * Prepares, sends and (with -r) removes item i; 0 when it was sent, 1
 * when it was skipped (a control message, never removed), -1 when not.
 * Standard input's size is known once read: it goes to *sizep.
 */
static int
inject_one(struct run *rn, struct sender *s, size_t i, off_t *sizep)
{
	const struct inject_opts	*o = rn->o;
	const char			*path = o->use_stdin ? NULL :
					    rn->it->v[i].path;
	const char			*name = path != NULL ? path :
					    STDIN_NAME;
	struct payload			 p;
	char				 why[1024];
	int				 r;

	why[0] = '\0';
	r = payload_load(&p, path, o, !o->dry_run, why, sizeof(why));
	if (path == NULL)
		*sizep = (off_t)p.content.len;
	if (r == 0) {
		if (o->dry_run) {
			progress_say(rn->pr, stdout, "%s: %s inventory of %s, "
			    "%zu bytes%s%s", name, p.json ? "JSON" : "XML",
			    p.deviceid, p.content.len, p.json ?
			    ", agent id " : "", p.agentid);
		} else if ((r = send_payload(s, &p, why, sizeof(why))) == 0 &&
		    o->remove && path != NULL && unlink(path) != 0) {
			/* Sent all the same: not listed as failed. */
			progress_say(rn->pr, stderr, "passeur inject: %s: "
			    "sent, but not removed: %s", name,
			    strerror(errno));
		}
	}
	payload_free(&p);
	if (r != 0)
		progress_say(rn->pr, stderr, "passeur inject: %s: %s", name,
		    why);
	if (r == 0 && o->verbose && !o->dry_run)
		progress_say(rn->pr, stdout, "%s: sent", name);
	return r;
}

static void *
worker(void *arg)
{
	struct run	*rn = arg;
	struct sender	 s;
	CURL		*c = NULL;
	size_t		 i;
	off_t		 size;
	int		 r;

	if (rn->cx != NULL && (c = rn->cx->easy_init()) != NULL) {
		sender_init(&s, rn->cx, c, rn->o);
		s.say = say;
		s.say_arg = rn->pr;
		s.stop = &stop_signal;
	}
	while ((i = atomic_fetch_add(&rn->next, 1)) < rn->it->n) {
		size = rn->it->v[i].size;
		if (stop_signal) {
			/* Not tried: listed as not sent. */
			r = ERR_CANCELLED;
		} else if (rn->cx != NULL && c == NULL) {
			progress_say(rn->pr, stderr, "passeur inject: %s: "
			    "curl_easy_init failed", rn->it->v[i].path);
			r = ERR_NOMEM;
		} else
			r = inject_one(rn, &s, i, &size);
		rn->failed[i] = r < 0;
		if (r == 1)	/* a control message: neither sent nor failed */
			progress_skipped(rn->pr, size);
		else
			progress_done(rn->pr, size, r == 0);
		pthread_mutex_lock(&rn->lock);
		rn->finished++;
		pthread_cond_signal(&rn->cv);
		pthread_mutex_unlock(&rn->lock);
	}
	if (c != NULL)
		rn->cx->easy_cleanup(c);
	return NULL;
}

/* Runs the workers and shows progress until every item is done. */
static void
run_all(struct run *rn, int jobs)
{
	pthread_t	*t;
	struct timespec	 ts;
	int		 i, n;

	if ((size_t)jobs > rn->it->n)
		jobs = (int)rn->it->n;
	if ((t = calloc((size_t)jobs + 1, sizeof(*t))) == NULL) {
		fprintf(stderr, "passeur inject: out of memory\n");
		exit(1);
	}
	for (n = 0; n < jobs; n++)
		if (pthread_create(&t[n], NULL, worker, rn) != 0)
			break;
	if (n == 0)
		worker(rn);	/* no thread to be had: this one works */
	pthread_mutex_lock(&rn->lock);
	while (rn->finished < rn->it->n) {
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 100 * 1000 * 1000;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&rn->cv, &rn->lock, &ts);
		pthread_mutex_unlock(&rn->lock);
		progress_tick(rn->pr);
		pthread_mutex_lock(&rn->lock);
	}
	pthread_mutex_unlock(&rn->lock);
	for (i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	free(t);
}

int
inject_main(int argc, char **argv)
{
	struct inject_opts	 o;
	struct items		 it = { 0 };
	struct run		 rn;
	const char		*why;
	char			 token[OAUTH_HEADER_MAX], reason[1024];
	size_t			 i, nfailed = 0;

	parse(argc, argv, &o);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGINT, on_stop);
	signal(SIGTERM, on_stop);
	/* The reference's order: stdin, then the file, then the folder. */
	if (o.use_stdin || o.file != NULL) {
		struct stat st;

		if (collect_add(&it, o.use_stdin ? STDIN_NAME : o.file,
		    !o.use_stdin && stat(o.file, &st) == 0 ? st.st_size : 0) !=
		    0)
			die_usage("out of memory");
	} else if (collect_dir(&it, o.directory, o.recursive, reason,
	    sizeof(reason)) != 0) {
		fprintf(stderr, "passeur inject: %s\n", reason);
		collect_free(&it);
		return 1;
	}
	memset(&rn, 0, sizeof(rn));
	rn.o = &o;
	rn.it = &it;
	pthread_mutex_init(&rn.lock, NULL);
	pthread_cond_init(&rn.cv, NULL);
	if ((rn.failed = calloc(it.n + 1, 1)) == NULL ||
	    (rn.pr = progress_new(stderr, it.n, it.bytes)) == NULL)
		die_usage("out of memory");
	if (!o.dry_run && it.n > 0) {
		if ((rn.cx = curlx_load(&why)) == NULL) {
			fprintf(stderr, "passeur inject: cannot send: %s\n",
			    why);
			return 1;
		}
		if (o.oauth_id != NULL) {
			struct sender	 s;
			CURL		*c = rn.cx->easy_init();
			int		 r = ERR_NOMEM;

			if (c != NULL) {
				sender_init(&s, rn.cx, c, &o);
				/* Refused here, nothing is sent at all. */
				r = send_authorization(&s, NULL, token,
				    sizeof(token), reason, sizeof(reason));
				rn.cx->easy_cleanup(c);
			} else
				snprintf(reason, sizeof(reason), "no OAuth "
				    "access token: curl_easy_init failed");
			if (r != 0) {
				fprintf(stderr, "passeur inject: %s\n",
				    reason);
				/* Nothing can be sent: all are listed. */
				for (i = 0; i < it.n; i++) {
					rn.failed[i] = 1;
					progress_done(rn.pr, 0, 0);
				}
				goto report;
			}
			explicit_bzero(token, sizeof(token));
		}
	}
	run_all(&rn, o.dry_run ? 1 : o.jobs);
report:
	if (stop_signal)
		progress_say(rn.pr, stderr, "passeur inject: interrupted; the "
		    "files not tried are listed as not sent");
	progress_end(rn.pr, it.skipped, o.dry_run);
	for (i = 0; i < it.n; i++) {
		if (!rn.failed[i])
			continue;
		if (nfailed++ == 0)
			fprintf(stderr, o.dry_run ? "These elements cannot be "
			    "sent:\n" : "These elements were not sent:\n");
		fprintf(stderr, "%s\n", it.v[i].path);
	}
	oauth_forget();
	free(rn.failed);
	collect_free(&it);
	pthread_cond_destroy(&rn.cv);
	pthread_mutex_destroy(&rn.lock);
	if (stop_signal)
		return 128 + stop_signal;
	return nfailed > 0 ? 1 : 0;
}
