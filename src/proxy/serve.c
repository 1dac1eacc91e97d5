/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <malloc.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "common/curlx.h"
#include "common/err.h"
#include "common/fsx.h"
#include "common/log.h"
#include "common/oauth.h"
#include "common/uuid.h"
#include "proxy/admin.h"
#include "proxy/config.h"
#include "proxy/contactcache.h"
#include "proxy/deliver.h"
#include "proxy/fdlimit.h"
#include "proxy/forward.h"
#include "proxy/generation.h"
#include "proxy/proxy.h"
#include "proxy/reqcache.h"
#include "proxy/serve.h"
#include "proxy/server.h"
#include "proxy/spool.h"
#include "proxy/statedir.h"
#include "proxy/store.h"
#include "proxy/tls.h"

#define FORWARD_WORKERS	32
#define FORWARD_QUEUE	10000
#define STOP_GRACE	15	/* seconds for requests in progress at exit */
#define TRIM_EVERY	10	/* seconds between trims while busy */

/*
 * Under AddressSanitizer (the asan preset, what CI runs) malloc is ASan's,
 * which keeps freed memory in its quarantine and free lists: its own trim
 * is __sanitizer_purge_allocator() (declared here: gcc does not ship
 * sanitizer/allocator_interface.h).
 */
#if defined(__SANITIZE_ADDRESS__)
#define SERVE_ASAN	1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SERVE_ASAN	1
#endif
#endif
#ifdef SERVE_ASAN
void	__sanitizer_purge_allocator(void);
#endif

/*
 * Gives the memory of finished requests back to the system.  A request
 * allocates its body and the trees of its parsers from the arena of the
 * worker thread that runs it; glibc keeps what they free for later use,
 * so that after a burst of large requests the daemon would stay at the
 * burst's size.  malloc_trim(0) returns every free page of every arena.
 * Called by the main thread once a second: after a second with no
 * request completed, or every TRIM_EVERY seconds while requests keep
 * completing, and only when some did since the last trim (an idle daemon
 * does nothing).
 */
struct trim_state {
	unsigned long	trimmed;	/* server_completed() at the last trim */
	unsigned long	seen;		/* ... at the last tick */
	int		busy;		/* ticks since the last trim */
};

static void
trim_tick(struct trim_state *t)
{
	unsigned long n = server_completed();

	if (n == t->trimmed) {
		t->seen = n;
		t->busy = 0;
		return;
	}
	if (n != t->seen && ++t->busy < TRIM_EVERY) {
		t->seen = n;
		return;
	}
	(void)malloc_trim(0);
#ifdef SERVE_ASAN
	__sanitizer_purge_allocator();
#endif
	t->trimmed = t->seen = n;
	t->busy = 0;
}

static void
usage(int code)
{
	FILE	*out = code == 0 ? stdout : stderr;

	fprintf(out, "usage: passeur serve [-fnTv] "
	    "[-c confdir] [-u user] [--vardir dir] [--pidfile file]\n");
	if (code != 0)
		exit(code);
	fprintf(out, "\n"
	    "  -c confdir    configuration folder (default %s)\n"
	    "  --vardir dir  state folder: proxy id, relative local_store "
	    "(default\n"
	    "                %s, or vardir in agent.cfg)\n"
	    "  --pidfile file  where the pid is written (default <vardir>/passeur.pid\n"
	    "                in the background; with -f, only when given)\n"
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

/* 1 when the log of a goes to syslog. */
static int
logs_to_syslog(const struct agent_conf *a, int foreground)
{
	return strcasestr(a->logger, "file") == NULL &&
	    (strcasestr(a->logger, "syslog") != NULL ||
	    (!foreground && strcasestr(a->logger, "stderr") != NULL));
}

static int
setup_logging(const struct agent_conf *a, int verbose, int foreground)
{
	int level = (int)a->debug + verbose;

	if (strcasestr(a->logger, "file") != NULL)
		return log_init(LOG_TO_FILE, a->logfile, NULL, level);
	if (logs_to_syslog(a, foreground))
		return log_init(LOG_TO_SYSLOG, NULL, a->logfacility, level);
	return log_init(LOG_TO_STDERR, NULL, NULL, level);
}

/*
 * Without a syslog daemon every line sent to syslog is lost: say so once,
 * on stderr, where the operator who starts the daemon sees it.
 */
static void
warn_no_syslog(const struct agent_conf *a, int foreground)
{
	if (!logs_to_syslog(a, foreground) || log_syslog_available())
		return;
	fprintf(stderr, "passeur serve: the log goes to syslog (logger = %s%s) "
	    "but %s does not exist: no syslog daemon runs, and every log "
	    "line will be lost; start one (rsyslog, systemd-journald), or "
	    "set logger = file with a logfile, or run with -f\n", a->logger,
	    foreground ? "" : ", in the background", _PATH_LOG);
}

/* 1 when an enabled instance of c forwards to a server target. */
static int
forwards(const struct serve_conf *c)
{
	int i;

	for (i = 0; i < CONF_NINSTANCES; i++)
		if (!c->inst[i].disabled && !c->inst[i].only_local_store &&
		    c->agent.nservers > 0)
			return 1;
	return 0;
}

/*
 * The spool folder c uses: none when nothing forwards (only_local_store,
 * no server), where an inventory is never kept for delivery, so that a
 * storing proxy leaves no empty spool folder behind.
 */
static const char *
spool_used(const struct serve_conf *c)
{
	return c->agent.spool[0] != '\0' && forwards(c) ? c->agent.spool :
	    NULL;
}

/*
 * Checks every folder the daemon writes to, the state folder and each
 * store, without changing anything: what -n and -T say, and the first
 * step of a start.  With pw (root, -u), that user must be able to write
 * in them once they exist.  Messages go to the log.
 */
static int
check_dirs(const struct serve_conf *c, const struct passwd *pw)
{
	const char	*paths[2 + CONF_NINSTANCES], *where[2 + CONF_NINSTANCES];
	char		 why[PATH_MAX + 256];
	int		 i, n = 0, failed, errors = 0;

	paths[n] = c->agent.vardir;
	where[n++] = NULL;
	if (spool_used(c) != NULL) {
		paths[n] = c->agent.spool;
		where[n++] = config_where(c, -1, "spool");
	}
	for (i = 0; i < CONF_NINSTANCES; i++)
		if (!c->inst[i].disabled && c->inst[i].local_store[0] != '\0') {
			paths[n] = c->inst[i].local_store;
			where[n++] = config_where(c, i, "local_store");
		}
	for (i = 0; i < n; i++) {
		if (statedir_check(paths[i], why, sizeof(why)) == 0)
			continue;
		if (where[i] == NULL)
			log_errx("state folder %s: %s", paths[i], why);
		else
			log_errx("%s: %s %s: %s", where[i], paths[i] ==
			    c->agent.spool ? "spool" : "local_store", paths[i],
			    why);
		errors++;
	}
	if (errors > 0 || pw == NULL || pw->pw_uid == geteuid() ||
	    geteuid() != 0)
		return errors > 0 ? ERR_INVALID : 0;
	if (statedir_check_as(pw, paths, n, &failed, why, sizeof(why)) == 0)
		return 0;
	if (failed < 0)
		log_errx("-u %s: %s", pw->pw_name, why);
	else
		log_errx("-u %s: %s %s: %s; fix: make it that user's "
		    "(chown %s) and let it search every folder above, or "
		    "choose a folder that user can write in", pw->pw_name,
		    failed == 0 ? "state folder" : paths[failed] ==
		    c->agent.spool ? "spool" : "local_store", paths[failed],
		    why, pw->pw_name);
	return ERR_INVALID;
}

/*
 * Makes the folders the daemon writes to; those it creates go to pw
 * (at start, when -u gives a user), so that the daemon can still write
 * in them once it runs as that user.
 */
static int
prepare_dirs(const struct serve_conf *c, const struct passwd *pw)
{
	char	why[PATH_MAX + 256];
	int	i, existed, r;

	if ((r = check_dirs(c, pw)) != 0)
		return r;
	if (statedir_make(c->agent.vardir, pw, why, sizeof(why)) != 0) {
		log_errx("state folder %s: %s", c->agent.vardir, why);
		return ERR_SYSTEM;
	}
	if (spool_used(c) != NULL && statedir_make(c->agent.spool, pw, why,
	    sizeof(why)) != 0) {
		log_errx("%s: spool %s: %s", config_where(c, -1, "spool"),
		    c->agent.spool, why);
		return ERR_SYSTEM;
	}
	for (i = 0; i < CONF_NINSTANCES; i++) {
		const char *store = c->inst[i].local_store;

		if (c->inst[i].disabled || store[0] == '\0')
			continue;
		existed = fsx_is_dir(store);
		if (statedir_make(store, pw, why, sizeof(why)) != 0) {
			log_errx("%s: local_store %s: %s", config_where(c, i,
			    "local_store"), store, why);
			return ERR_SYSTEM;
		}
		if (!existed)
			log_info("%s: created local_store %s", c->inst[i].name,
			    store);
	}
	return 0;
}

struct running {
	struct forwarder	*fwd;
	struct spool		*spool;		/* NULL: spool is empty */
	struct deliver		*deliver;
	struct contactcache	*contacts;	/* GLPI's last CONTACT answers */
	struct reqcache		*caches[CONF_NINSTANCES];
	struct generation	*gen;		/* current; one reference */
	struct server		 server;
	int			 listening;
	int			 lockfd;	/* the state folder's, for good */
	int			 spool_lockfd;	/* the spool's, for good */
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
	const char *why;

	if (!forwards(c))
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
	struct generation	*g;
	int			 i;

	if (prepare_forwarding(conf) != 0)
		return NULL;
	if ((g = generation_new(conf, rn->proxy_id, rn->fwd, rn->caches,
	    rn->gen)) == NULL)
		fatalx("out of memory");
	for (i = 0; i < CONF_NINSTANCES; i++) {
		g->proxies[i].deliver = rn->deliver;
		g->proxies[i].contacts = rn->contacts;
	}
	return g;
}

/*
 * One instance per state folder: two would share one proxy id, and each
 * would refuse the other's forwards as a loop.
 */
static int
lock_state(struct running *rn, const char *vardir)
{
	char	why[PATH_MAX + 64];
	long	holder;
	int	r;

	if ((r = statedir_lock(vardir, STATEDIR_LOCK, &rn->lockfd, &holder,
	    why, sizeof(why))) == 0)
		return 0;
	if (r != ERR_EXISTS)
		log_errx("cannot lock the state folder: %s", why);
	else if (holder > 0)
		log_errx("state folder %s is in use by another passeur serve "
		    "(pid %ld); give each instance its own --vardir (or "
		    "vardir in agent.cfg)", vardir, holder);
	else
		log_errx("state folder %s is in use by another passeur serve; "
		    "give each instance its own --vardir (or vardir in "
		    "agent.cfg)", vardir);
	return r;
}

/*
 * One daemon per spool: two would deliver every item twice and remove
 * each other's files at start.  The lock is the one `passeur spool`
 * takes to change items itself; while a daemon holds it, the command
 * hands its request to the daemon (spool_ctl.h).
 */
static int
lock_spool(struct running *rn, const char *dir)
{
	char	why[PATH_MAX + 64];
	long	holder;
	int	r;

	/* Held since an earlier try whose spool did not open. */
	if (rn->spool_lockfd != -1)
		return 0;
	if ((r = statedir_lock(dir, SPOOL_LOCK, &rn->spool_lockfd, &holder,
	    why, sizeof(why))) == 0)
		return 0;
	if (r != ERR_EXISTS)
		log_errx("cannot lock the spool: %s", why);
	else if (holder > 0)
		log_errx("spool %s is in use by another process (pid %ld): "
		    "one passeur serve per spool; give each instance its own "
		    "spool in agent.cfg", dir, holder);
	else
		log_errx("spool %s is in use by another process: one passeur "
		    "serve per spool; give each instance its own spool in "
		    "agent.cfg", dir);
	return r;
}

/*
 * What the daemon makes in its spool goes to the user of -u, who must
 * move items into failed/ and answer requests in ctl/ once root is gone.
 */
static void
give_spool(const char *dir, const struct passwd *pw)
{
	static const char *const made[] = { "failed", SPOOL_CTL_DIR,
	    SPOOL_LOCK };
	char	path[PATH_MAX];
	size_t	i;

	if (pw == NULL || geteuid() != 0 || pw->pw_uid == 0)
		return;
	for (i = 0; i < sizeof(made) / sizeof(made[0]); i++)
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir,
		    made[i]) < sizeof(path) && lchown(path, pw->pw_uid,
		    pw->pw_gid) == -1)
			log_warn("spool %s: cannot give %s to user %s", dir,
			    made[i], pw->pw_name);
}

/*
 * Opens the spool, recovered from any crash, and starts its deliverer,
 * before the first request: an inventory is answered only once kept.
 * Nothing when the configuration does not forward: a reload that makes
 * it forward opens it then.
 */
static int
start_spool(struct running *rn, const struct serve_conf *conf,
    const struct passwd *pw)
{
	size_t	waiting;
	int	r;

	if (rn->spool != NULL || spool_used(conf) == NULL)
		return 0;
	if ((r = lock_spool(rn, conf->agent.spool)) != 0)
		return r;
	if ((r = spool_open(&rn->spool, conf->agent.spool, &waiting)) != 0) {
		log_warn("%s: spool %s", config_where(conf, -1, "spool"),
		    conf->agent.spool);
		return r;
	}
	give_spool(conf->agent.spool, pw);
	if ((r = deliver_start(&rn->deliver, rn->spool, rn->fwd)) != 0) {
		log_errx("spool %s: cannot start its deliverer: %s",
		    conf->agent.spool, err_str(r));
		spool_close(rn->spool);
		rn->spool = NULL;
		return r;
	}
	log_info("spool %s: %zu item(s) to deliver", conf->agent.spool,
	    waiting);
	return 0;
}

static int
run_start(struct running *rn, struct serve_conf *conf,
    const struct passwd *pw)
{
	int i, r;

	if ((r = prepare_dirs(conf, pw)) != 0)
		return r;
	if ((r = lock_state(rn, conf->agent.vardir)) != 0)
		return r;
	if ((r = serve_proxy_id(conf->agent.vardir, rn->proxy_id)) != 0) {
		log_warn("cannot keep the proxy id in %s", conf->agent.vardir);
		return r;
	}
	if ((rn->fwd = forwarder_new(FORWARD_WORKERS, FORWARD_QUEUE)) == NULL)
		fatalx("out of memory");
	/* Before the first forward: a CONTACT in an outage may need it. */
	if (contactcache_open(&rn->contacts, conf->agent.vardir) != 0)
		fatalx("out of memory");
	for (i = 0; i < CONF_NINSTANCES; i++)
		if (!conf->inst[i].disabled && conf->inst[i].local_store[0])
			store_clean(conf->inst[i].local_store);
	if ((r = start_spool(rn, conf, pw)) != 0)
		return r;
	/* Answers awaited by polls outlive reloads: sized at start. */
	for (i = 0; i < CONF_NINSTANCES; i++)
		if ((rn->caches[i] = reqcache_new(
		    (size_t)conf->inst[i].max_pending_answers,
		    REQCACHE_MAX_BYTES, REQCACHE_TTL,
		    (time_t)conf->inst[i].answer_ttl)) == NULL)
			fatalx("out of memory");
	if ((rn->gen = make_generation(rn, conf)) == NULL)
		return ERR_SYSTEM;
	if (rn->deliver != NULL)
		deliver_set_generation(rn->deliver, rn->gen);
	if ((r = server_start(&rn->server, rn->gen)) != 0)
		return r;
	rn->listening = 1;
	if ((r = admin_start(rn->gen)) != 0)
		return r;
	log_instances(rn->gen);
	return 0;
}

/*
 * Swaps in a new configuration.  Listening sockets are kept when the new
 * configuration needs the same ones, so no agent is refused meanwhile;
 * otherwise new listeners start, taking over the sockets of the ports
 * they share with the old ones, and the old ones finish their requests in
 * the background; when the new ones cannot start, the old ones serve on.
 */
static int
run_reload(struct running *rn, struct serve_conf *conf)
{
	struct generation	*next, *prev = rn->gen;
	int			 r;

	/* The lock and the proxy id belong to the folder of the start. */
	if (strcmp(conf->agent.vardir, prev->conf.agent.vardir) != 0) {
		log_errx("reload refused: vardir changed from %s to %s; the "
		    "state folder changes only at a restart",
		    prev->conf.agent.vardir, conf->agent.vardir);
		config_free(conf);
		return ERR_INVALID;
	}
	if (strcmp(conf->agent.spool, prev->conf.agent.spool) != 0) {
		log_errx("reload refused: spool changed from %s to %s; the "
		    "spool changes only at a restart",
		    prev->conf.agent.spool[0] ? prev->conf.agent.spool :
		    "(none)", conf->agent.spool[0] ? conf->agent.spool :
		    "(none)");
		config_free(conf);
		return ERR_INVALID;
	}
	if (prepare_dirs(conf, NULL) != 0 ||
	    start_spool(rn, conf, NULL) != 0 ||
	    (next = make_generation(rn, conf)) == NULL) {
		config_free(conf);
		return ERR_SYSTEM;
	}
	if (generation_same_listeners(prev, next))
		server_swap(&rn->server, next);
	else if ((r = server_restart(&rn->server, next)) != 0) {
		/* The signal thread does not wait for the old listeners. */
		generation_release(next);
		rn->listening = rn->server.set != NULL;
		/* Said once it is true: a client may act on the line. */
		log_errx("reload refused: the new listeners failed, the "
		    "previous ones are restored");
		return r;
	}
	rn->gen = next;
	if (rn->deliver != NULL)
		deliver_set_generation(rn->deliver, next);
	(void)admin_reload(next);	/* its failure is logged, not fatal */
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

	admin_stop();
	/* Listeners being replaced are waited for even when none is left. */
	if (server_stop(&rn->server, STOP_GRACE, cancel_forwards, rn->fwd) != 0)
		return;		/* requests left running may still use the rest */
	rn->listening = 0;
	/* No new attempt; those running end or are cancelled, and wait. */
	deliver_stop(rn->deliver);
	forwarder_free(rn->fwd, STOP_GRACE);
	rn->fwd = NULL;
	deliver_free(rn->deliver);
	rn->deliver = NULL;
	spool_close(rn->spool);
	rn->spool = NULL;
	oauth_forget();		/* no forwarder left: the tokens are wiped */
	generation_release(rn->gen);
	rn->gen = NULL;
	contactcache_free(rn->contacts);
	rn->contacts = NULL;
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
drop_privileges(const struct passwd *pw)
{
	const char *user = pw->pw_name;

	if (initgroups(pw->pw_name, pw->pw_gid) == -1 ||
	    setgid(pw->pw_gid) == -1 || setuid(pw->pw_uid) == -1) {
		log_warn("-u %s: cannot become that user", user);
		return ERR_SYSTEM;
	}
	if (pw->pw_uid != 0 && setuid(0) != -1) {
		log_warnx("-u %s: root privileges could be regained", user);
		return ERR_UNSAFE;
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

/*
 * Looks up the user of -u once, before anything is bound or created, and
 * keeps what the start needs (getpwnam's storage is reused by later
 * calls).  out->pw_name is owned by the caller.
 */
static int
lookup_user(const char *user, struct passwd *out)
{
	struct passwd *pw;

	memset(out, 0, sizeof(*out));
	errno = 0;
	if ((pw = getpwnam(user)) == NULL) {
		log_errx("-u %s: %s", user, errno ? strerror(errno) :
		    "no such user");
		return ERR_NOT_FOUND;
	}
	out->pw_uid = pw->pw_uid;
	out->pw_gid = pw->pw_gid;
	if ((out->pw_name = strdup(pw->pw_name)) == NULL)
		fatal("strdup");
	return 0;
}

/* The pid file: written once started, removed at a clean exit. */
static char *
write_pidfile(const char *given, const struct serve_conf *c, int foreground)
{
	char	*path, why[PATH_MAX + 128];

	if (given == NULL && foreground)
		return NULL;
	if (given != NULL)
		path = strdup(given);
	else if (asprintf(&path, "%s/passeur.pid", c->agent.vardir) == -1)
		path = NULL;
	if (path == NULL)
		fatal("pid file path");
	if (statedir_pidfile_write(path, why, sizeof(why)) != 0) {
		log_errx("cannot write the pid file (--pidfile): %s", why);
		free(path);
		return NULL;
	}
	return path;
}

static void
remove_pidfile(char *path)
{
	if (path == NULL)
		return;
	if (unlink(path) == -1 && errno != ENOENT)
		log_warn("cannot remove the pid file %s", path);
	free(path);
}

int
serve_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "vardir", required_argument, NULL, 'V' },
		{ "pidfile", required_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct running	 rn;
	struct serve_conf conf;
	struct passwd	 pwbuf, *pw = NULL;
	char		*confdir = NULL, *vardir = NULL, *user = NULL;
	char		*pidopt = NULL, *pidfile = NULL;
	int		 ch, foreground = 0, check = 0, dump = 0, verbose = 0;
	int		 sig, code = 0, report = -1;
	sigset_t	 set;
	struct timespec	 tick = { 1, 0 };
	struct trim_state trim = { 0, 0, 0 };

	memset(&pwbuf, 0, sizeof(pwbuf));
	memset(&rn, 0, sizeof(rn));
	rn.lockfd = rn.spool_lockfd = -1;
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
		case 'P':
			free(pidopt);
			pidopt = absolute(optarg);
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
	if (user != NULL) {
		if (lookup_user(user, &pwbuf) != 0) {
			code = 1;
			goto out;
		}
		pw = &pwbuf;
		if (!check && !dump && geteuid() != 0 &&
		    pw->pw_uid != geteuid()) {
			log_errx("-u %s: only root can run as another user",
			    user);
			code = 1;
			goto out;
		}
	}
	if (load(&conf, confdir, vardir, 0) != 0) {
		code = 1;
		goto out;
	}
	if (check || dump) {
		warn_no_syslog(&conf.agent, 1);
		if (check_dirs(&conf, pw) != 0)
			code = 1;
		else if (dump)
			config_dump(&conf, stdout);
		else
			printf("configuration OK\n");
		config_free(&conf);
		tls_cleanup();
		goto out;
	}
	warn_no_syslog(&conf.agent, foreground);
	/* Until it has started, messages also reach the terminal. */
	log_tee_stderr(1);
	if (!foreground) {
		report = detach_begin();
		if (chdir("/") == -1)
			fatal("chdir /");
	}
	if (setup_logging(&conf.agent, verbose, 1) != 0)
		fatal("cannot open log file %s", conf.agent.logfile);

	/* Signals are taken by sigwait() here; every thread blocks them. */
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	fdlimit_raise();
	fdlimit_clamp(&conf, FORWARD_WORKERS, server_workers);
	if (run_start(&rn, &conf, pw) != 0 ||
	    ((pidfile = write_pidfile(pidopt, &rn.gen->conf, foreground)) ==
	    NULL && (pidopt != NULL || !foreground)) ||
	    (pw != NULL && drop_privileges(pw) != 0)) {
		remove_pidfile(pidfile);
		run_stop(&rn);
		config_free(&conf);
		detach_done(report, 1);
		code = 1;
		goto out;
	}
	if (!foreground)
		setup_logging(&rn.gen->conf.agent, verbose, foreground);
	log_info("passeur %s started (pid %ld%s%s)", PASSEUR_VERSION,
	    (long)getpid(), pidfile != NULL ? ", pid file " : "",
	    pidfile != NULL ? pidfile : "");
	log_tee_stderr(0);
	detach_done(report, 0);
	for (;;) {
		if ((sig = sigtimedwait(&set, NULL, &tick)) == -1) {
			if (errno == EAGAIN)
				trim_tick(&trim);
			continue;
		}
		if (sig != SIGHUP)
			break;
		log_info("SIGHUP: reloading the configuration");
		if (load(&conf, confdir, vardir, 1) != 0) {
			log_errx("reload refused: the configuration has errors, "
			    "the running one is kept");
			continue;
		}
		fdlimit_clamp(&conf, FORWARD_WORKERS, server_workers);
		if (run_reload(&rn, &conf) != 0) {
			if (!rn.listening) {
				log_errx("cannot listen any more");
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
	remove_pidfile(pidfile);
	log_info("stopped");
	log_close();
out:
	if (rn.spool_lockfd != -1)
		close(rn.spool_lockfd);
	if (rn.lockfd != -1)
		close(rn.lockfd);
	free(pwbuf.pw_name);
	free(confdir);
	free(vardir);
	free(pidopt);
	return code;
}
