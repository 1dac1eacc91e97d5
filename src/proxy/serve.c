#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/curlx.h"
#include "common/err.h"
#include "common/fsx.h"
#include "common/log.h"
#include "common/uuid.h"
#include "proxy/config.h"
#include "proxy/forward.h"
#include "proxy/generation.h"
#include "proxy/proxy.h"
#include "proxy/reqcache.h"
#include "proxy/serve.h"
#include "proxy/server.h"
#include "proxy/tls.h"

#define FORWARD_WORKERS	32
#define FORWARD_QUEUE	10000
#define STOP_GRACE	15	/* seconds for requests in progress at exit */

static void
usage(int code)
{
	FILE	*out = code == 0 ? stdout : stderr;

	fprintf(out, "usage: passeur serve [-fnTv] "
	    "[-c confdir] [-u user] [--vardir dir]\n");
	if (code != 0)
		exit(code);
	fprintf(out, "\n"
	    "  -c confdir    configuration folder (default %s)\n"
	    "  --vardir dir  state folder: proxy id, relative local_store "
	    "(default\n"
	    "                %s, or vardir in agent.cfg)\n"
	    "  -f            stay in the foreground\n"
	    "  -n            check the configuration, print "
	    "\"configuration OK\"\n"
	    "  -T            print the effective configuration "
	    "(secrets masked)\n"
	    "  -u user       once the ports are bound, run as this user\n"
	    "  -v            more logging (debug)\n"
	    "  -h, --help    this help\n"
	    "\n"
	    "See passeur-serve(8), passeur.cfg(5).\n",
	    DEFAULT_CONFDIR, DEFAULT_VARDIR);
	exit(code);
}

/*
 * Detaching: the parent waits until the child has bound its ports and
 * exits with the child's verdict, so `passeur serve` without -f fails
 * visibly when it cannot start.  Returns the write end the child reports
 * on (see detach_done()).
 */
static int
detach_begin(void)
{
	int	fds[2];
	char	verdict = 1;
	pid_t	pid;

	if (pipe(fds) == -1)
		fatal("pipe");
	if ((pid = fork()) == -1)
		fatal("fork");
	if (pid > 0) {
		close(fds[1]);
		if (read(fds[0], &verdict, 1) != 1)
			verdict = 1;
		_exit(verdict);
	}
	close(fds[0]);
	if (setsid() == -1)
		fatal("setsid");
	return fds[1];
}

static void
detach_done(int fd, char verdict)
{
	int null;

	if (fd == -1)
		return;
	if (verdict == 0 && (null = open("/dev/null", O_RDWR)) != -1) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		if (null > STDERR_FILENO)
			close(null);
	}
	(void)!write(fd, &verdict, 1);
	close(fd);
}

/* Paths given on the command line stay valid after chdir("/"). */
static char *
absolute(const char *path)
{
	char	*p, cwd[4096];

	if ((path[0] != '/' && getcwd(cwd, sizeof(cwd)) == NULL) ||
	    (p = fsx_path_in(cwd, path)) == NULL)
		fatal("cannot make %s absolute", path);
	return p;
}

/* mkdir -p with mode for the folders we own. */
static int
make_dirs(const char *path, mode_t mode)
{
	char	 tmp[4096], *p;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s", path) >= sizeof(tmp))
		return ERR_TOO_BIG;
	for (p = tmp + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, mode) == -1 && errno != EEXIST)
			return ERR_SYSTEM;
		*p = '/';
	}
	if (mkdir(tmp, mode) == -1 && errno != EEXIST)
		return ERR_SYSTEM;
	return fsx_is_dir(tmp) ? 0 : ERR_SYSTEM;
}

int
serve_proxy_id(const char *vardir, char out[UUID_STRLEN + 1])
{
	char	 path[4096], line[64];
	FILE	*fp;
	int	 r;

	snprintf(path, sizeof(path), "%s/proxy-id", vardir);
	if ((fp = fopen(path, "r")) != NULL) {
		if (fgets(line, sizeof(line), fp) != NULL) {
			line[strcspn(line, "\r\n")] = '\0';
			if (uuid_valid(line)) {
				fclose(fp);
				memcpy(out, line, UUID_STRLEN + 1);
				return 0;
			}
		}
		fclose(fp);
		log_warnx("%s: not a UUID, a new proxy id is made", path);
	}
	if ((r = uuid_random(out)) != 0)
		return r;
	out[UUID_STRLEN] = '\n';
	r = fsx_write_atomic(vardir, "proxy-id", out, UUID_STRLEN + 1, 0644);
	out[UUID_STRLEN] = '\0';
	return r;
}

static int
setup_logging(const struct agent_conf *a, int verbose, int foreground)
{
	int level = (int)a->debug + verbose;

	if (strcasestr(a->logger, "file") != NULL)
		return log_init(LOG_TO_FILE, a->logfile, NULL, level);
	if (strcasestr(a->logger, "syslog") != NULL ||
	    (!foreground && strcasestr(a->logger, "stderr") != NULL))
		return log_init(LOG_TO_SYSLOG, NULL, a->logfacility, level);
	return log_init(LOG_TO_STDERR, NULL, NULL, level);
}

/* Folders the daemon writes to: the state folder and every store. */
static int
prepare_dirs(const struct serve_conf *c)
{
	int i;

	if (make_dirs(c->agent.vardir, 0750) != 0) {
		log_warn("cannot create state folder %s", c->agent.vardir);
		return ERR_SYSTEM;
	}
	for (i = 0; i < CONF_NINSTANCES; i++) {
		const char *store = c->inst[i].local_store;

		if (c->inst[i].disabled || store[0] == '\0' ||
		    fsx_is_dir(store))
			continue;
		if (make_dirs(store, 0750) != 0) {
			log_warn("cannot create local_store %s", store);
			return ERR_SYSTEM;
		}
		log_info("%s: created local_store %s", c->inst[i].name, store);
	}
	return 0;
}

struct running {
	struct forwarder	*fwd;
	struct reqcache		*caches[CONF_NINSTANCES];
	struct generation	*gen;		/* current; one reference */
	struct server		 server;
	int			 listening;
	char			 proxy_id[UUID_STRLEN + 1];
};

static void
log_instances(const struct generation *g)
{
	const struct instance_conf	*ic;
	int				 i;

	for (i = 0; i < CONF_NINSTANCES; i++) {
		ic = &g->conf.inst[i];
		if (ic->disabled)
			continue;
		log_info("%s: %s/glpi on port %lld, %s%s%s", ic->name,
		    ic->url_path, ic->port, ic->only_local_store ?
		    "storing only" : "forwarding", ic->local_store[0] ?
		    ", local_store " : "", ic->local_store);
	}
	log_info("proxy id %s, %d server target(s)", g->proxies[0].proxy_id,
	    g->conf.agent.nservers);
}

/* libcurl is loaded only by a configuration that forwards. */
static int
prepare_forwarding(const struct serve_conf *c)
{
	const char	*why;
	int		 i;

	for (i = 0; i < CONF_NINSTANCES; i++)
		if (!c->inst[i].disabled && !c->inst[i].only_local_store &&
		    c->agent.nservers > 0)
			break;
	if (i == CONF_NINSTANCES)
		return 0;
	if (curlx_load(&why) == NULL) {
		log_warnx("cannot forward to the server targets: %s", why);
		return ERR_NOT_FOUND;
	}
	return 0;
}

/* Makes a generation of conf (moved in); its folders are ready. */
static struct generation *
make_generation(struct running *rn, struct serve_conf *conf)
{
	struct generation *g;

	if (prepare_forwarding(conf) != 0)
		return NULL;
	if ((g = generation_new(conf, rn->proxy_id, rn->fwd, rn->caches,
	    rn->gen)) == NULL)
		fatalx("out of memory");
	return g;
}

static int
run_start(struct running *rn, struct serve_conf *conf)
{
	int i, r;

	if ((r = prepare_dirs(conf)) != 0)
		return r;
	if ((r = serve_proxy_id(conf->agent.vardir, rn->proxy_id)) != 0) {
		log_warn("cannot keep the proxy id in %s", conf->agent.vardir);
		return r;
	}
	if ((rn->fwd = forwarder_new(FORWARD_WORKERS, FORWARD_QUEUE)) == NULL)
		fatalx("out of memory");
	/* Answers awaited by polls outlive reloads: sized at start. */
	for (i = 0; i < CONF_NINSTANCES; i++)
		if ((rn->caches[i] = reqcache_new(
		    (size_t)conf->inst[i].max_pending_answers,
		    REQCACHE_MAX_BYTES, REQCACHE_TTL)) == NULL)
			fatalx("out of memory");
	if ((rn->gen = make_generation(rn, conf)) == NULL)
		return ERR_SYSTEM;
	if ((r = server_start(&rn->server, rn->gen)) != 0)
		return r;
	rn->listening = 1;
	log_instances(rn->gen);
	return 0;
}

/*
 * Swaps in a new configuration.  Listening sockets are kept when the new
 * configuration needs the same ones, so no agent is refused meanwhile;
 * otherwise the listeners restart, and the old ones come back if the new
 * ones cannot bind.
 */
static int
run_reload(struct running *rn, struct serve_conf *conf)
{
	struct generation	*next, *prev = rn->gen;
	int			 r;

	if (prepare_dirs(conf) != 0 ||
	    (next = make_generation(rn, conf)) == NULL) {
		config_free(conf);
		return ERR_SYSTEM;
	}
	if (generation_same_listeners(prev, next))
		server_swap(&rn->server, next);
	else {
		server_stop(&rn->server, STOP_GRACE, NULL, NULL);
		if ((r = server_start(&rn->server, next)) != 0) {
			log_warnx("new listeners failed, the previous ones "
			    "are restored");
			generation_release(next);
			rn->listening = server_start(&rn->server, prev) == 0;
			return r;
		}
	}
	rn->gen = next;
	generation_release(prev);
	log_instances(next);
	return 0;
}

static void
cancel_forwards(void *arg)
{
	forwarder_cancel(arg);
}

static void
run_stop(struct running *rn)
{
	int i;

	if (rn->listening &&
	    server_stop(&rn->server, STOP_GRACE, cancel_forwards, rn->fwd) != 0)
		return;		/* requests left running may still use the rest */
	rn->listening = 0;
	forwarder_free(rn->fwd, STOP_GRACE);
	rn->fwd = NULL;
	generation_release(rn->gen);
	rn->gen = NULL;
	for (i = 0; i < CONF_NINSTANCES; i++) {
		reqcache_free(rn->caches[i]);
		rn->caches[i] = NULL;
	}
}

/*
 * Once the ports are bound, runs as user (and its groups) for good; every
 * thread follows (glibc applies set*id to the whole process).
 */
static int
drop_privileges(const char *user)
{
	struct passwd *pw;

	errno = 0;
	if ((pw = getpwnam(user)) == NULL) {
		log_warnx("-u %s: %s", user, errno ? strerror(errno) :
		    "no such user");
		return -1;
	}
	if (initgroups(pw->pw_name, pw->pw_gid) == -1 ||
	    setgid(pw->pw_gid) == -1 || setuid(pw->pw_uid) == -1) {
		log_warn("-u %s: cannot become that user", user);
		return -1;
	}
	if (pw->pw_uid != 0 && setuid(0) != -1) {
		log_warnx("-u %s: root privileges could be regained", user);
		return -1;
	}
	log_info("running as user %s (uid %u, gid %u)", pw->pw_name,
	    (unsigned)pw->pw_uid, (unsigned)pw->pw_gid);
	return 0;
}

/*
 * Loads the configuration; errors go to stderr at start-up and to the log
 * on a reload, where stderr may lead nowhere.
 */
static int
load(struct serve_conf *c, const char *confdir, const char *vardir,
    int to_log)
{
	FILE	*err = stderr;
	char	*text = NULL, *line, *save = NULL;
	size_t	 len = 0;
	int	 errors;

	if (to_log && (err = open_memstream(&text, &len)) == NULL)
		err = stderr;
	errors = config_load(c, confdir, vardir, err);
	if (err != stderr) {
		fclose(err);
		for (line = strtok_r(text, "\n", &save); line != NULL;
		    line = strtok_r(NULL, "\n", &save))
			log_warnx("%s", line);
		free(text);
	}
	if (errors != 0)
		config_free(c);
	return errors;
}

int
serve_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "vardir", required_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct running	 rn;
	struct serve_conf conf;
	char		*confdir = NULL, *vardir = NULL, *user = NULL;
	int		 ch, foreground = 0, check = 0, dump = 0, verbose = 0;
	int		 sig, code = 0, report = -1;
	sigset_t	 set;

	while ((ch = getopt_long(argc, argv, "c:fnTu:vh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			free(confdir);
			confdir = absolute(optarg);
			break;
		case 'V':
			free(vardir);
			vardir = absolute(optarg);
			break;
		case 'f':
			foreground = 1;
			break;
		case 'n':
			check = 1;
			break;
		case 'T':
			dump = 1;
			break;
		case 'u':
			user = optarg;
			break;
		case 'v':
			verbose++;
			break;
		case 'h':
			usage(0);
			break;
		default:
			usage(2);
		}
	}
	if (optind != argc)
		usage(2);
	if (confdir == NULL)
		confdir = absolute(DEFAULT_CONFDIR);
	log_init(LOG_TO_STDERR, NULL, NULL, verbose);
	memset(&rn, 0, sizeof(rn));
	if (load(&conf, confdir, vardir, 0) != 0) {
		code = 1;
		goto out;
	}
	if (check || dump) {
		if (dump)
			config_dump(&conf, stdout);
		else
			printf("configuration OK\n");
		config_free(&conf);
		tls_cleanup();
		goto out;
	}
	if (!foreground) {
		report = detach_begin();
		if (chdir("/") == -1)
			fatal("chdir /");
	}
	/* Until it has started, a detached server still reports on stderr. */
	if (setup_logging(&conf.agent, verbose, 1) != 0)
		fatal("cannot open log file %s", conf.agent.logfile);

	/* Signals are taken by sigwait() here; every thread blocks them. */
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (run_start(&rn, &conf) != 0 ||
	    (user != NULL && drop_privileges(user) != 0)) {
		run_stop(&rn);
		config_free(&conf);
		detach_done(report, 1);
		code = 1;
		goto out;
	}
	detach_done(report, 0);
	if (!foreground)
		setup_logging(&rn.gen->conf.agent, verbose, foreground);
	log_info("passeur %s started", PASSEUR_VERSION);
	for (;;) {
		if (sigwait(&set, &sig) != 0)
			continue;
		if (sig != SIGHUP)
			break;
		log_info("SIGHUP: reloading the configuration");
		if (load(&conf, confdir, vardir, 1) != 0) {
			log_warnx("configuration has errors, the running one "
			    "is kept");
			continue;
		}
		if (run_reload(&rn, &conf) != 0) {
			if (!rn.listening) {
				log_warnx("cannot listen any more");
				code = 1;
				break;
			}
			continue;
		}
		if (setup_logging(&rn.gen->conf.agent, verbose,
		    foreground) != 0)
			log_warn("cannot open log file %s, logging stays as it "
			    "was", rn.gen->conf.agent.logfile);
		log_info("configuration reloaded");
	}
	log_info("%s: stopping", sig == SIGHUP ? "reload failed" :
	    strsignal(sig));
	run_stop(&rn);
	if (!rn.listening)
		tls_cleanup();
	log_info("stopped");
	log_close();
out:
	free(confdir);
	free(vardir);
	return code;
}
