/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * config: agent.cfg and the plugin files as `passeur serve` reads them
 * (spec section 1).
 */
#include "../testutil.h"

#include "common/err.h"
#include "proxy/config.h"

#define PROXY_CFG	"proxy-server-plugin.cfg"
#define PROXY2_CFG	"proxy2-server-plugin.cfg"
#define SERVER_LINE	"server = https://glpi.example/\n"

struct fixture {
	char			*dir;
	struct serve_conf	 c;
	int			 loaded;
	char			*out;	/* what config_load printed */
	size_t			 outlen;
};

static int
setup(void **state)
{
	struct fixture *f;

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return -1;
	f->dir = tu_mkdtemp("config.");
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	if (f->loaded)
		config_free(&f->c);
	free(f->out);
	tu_rmtree(f->dir);
	free(f);
	return 0;
}

/*
 * Loads the fixture's folder; messages land in f->out.  Returns 0, or the
 * number of errors (one line each) when config_load() refused the folder.
 */
static int
load(struct fixture *f, const char *vardir)
{
	FILE	*err;
	char	*p;
	int	 r;

	if (f->loaded)
		config_free(&f->c);
	free(f->out);
	f->out = NULL;
	if ((err = open_memstream(&f->out, &f->outlen)) == NULL)
		fail();
	r = config_load(&f->c, f->dir, vardir, err);
	fclose(err);
	f->loaded = 1;
	if (r == 0)
		return 0;
	assert_int_equal(r, ERR_INVALID);
	for (p = f->out, r = 0; (p = strchr(p, '\n')) != NULL; p++)
		r++;
	return r;
}

static void
expect_out(struct fixture *f, const char *needle)
{
	if (strstr(f->out, needle) == NULL)
		fail_msg("\"%s\" not in messages:\n%s", needle, f->out);
}

static void
test_full(void **state)
{
	struct fixture		*f = *state;
	struct instance_conf	*p, *p2;
	struct agent_conf	*a;

	tu_write_str(f->dir, "agent.cfg",
	    "# agent configuration\n"
	    "server = http://glpi.example/ , "
	    "https://b.example/front/inventory.php\n"
	    "httpd-port = 62400\n"
	    "httpd-trust = 127.0.0.1/8, ::1\n"
	    "timeout = 30\n"
	    "vardir = /srv/pv\n"
	    "tag = paris\n"
	    "password = 's3cret'\n");
	tu_write_str(f->dir, PROXY_CFG,
	    "disabled = yes\n"
	    "port = 0\n"
	    "local_store = store/\n"
	    "maxrate = 10\n"
	    "max_body_size = 64k\n"
	    "max_inflated_size = 2M\n"
	    "include \"" PROXY_CFG ".local\"\n");
	tu_write_str(f->dir, PROXY_CFG ".local",
	    "disabled = no\n"
	    "maxrate = 50 # per hour\n"
	    "url_path = inventory/\n");
	assert_int_equal(load(f, NULL), 0);
	assert_int_equal(f->outlen, 0);
	a = &f->c.agent;
	p = &f->c.inst[0];
	p2 = &f->c.inst[1];
	assert_int_equal(a->httpd_port, 62400);
	assert_int_equal(a->timeout, 30);
	assert_string_equal(a->vardir, "/srv/pv");
	assert_string_equal(a->password, "s3cret");
	assert_int_equal(a->nservers, 2);
	assert_string_equal(a->servers[0], "http://glpi.example/");
	assert_string_equal(a->servers[1],
	    "https://b.example/front/inventory.php");
	assert_int_equal(a->trust.n, 2);
	/* The .local file is read last and wins. */
	assert_string_equal(p->name, "proxy");
	assert_false(p->disabled);
	assert_int_equal(p->maxrate, 50);
	assert_int_equal(p->port, 62400);
	assert_string_equal(p->url_path, "/inventory");
	assert_string_equal(p->local_store, "/srv/pv/store");
	assert_false(p->only_local_store);
	assert_true(p->glpi_protocol);
	assert_int_equal(p->max_body_size, 64 * 1024);
	assert_int_equal(p->max_inflated_size, 2 * 1024 * 1024);
	/* Untouched keys keep their defaults. */
	assert_int_equal(p->prolog_freq, 24);
	assert_int_equal(p->maxrate_period, 3600);
	/* proxy2 has no file: defaults, disabled, on the main port. */
	assert_string_equal(p2->name, "proxy2");
	assert_true(p2->disabled);
	assert_int_equal(p2->port, 62400);
	assert_int_equal(p2->maxrate, 30);
}

static void
test_vardir_override(void **state)
{
	struct fixture *f = *state;

	tu_write_str(f->dir, "agent.cfg", SERVER_LINE "vardir = /srv/pv\n");
	tu_write_str(f->dir, PROXY_CFG,
	    "disabled = no\nlocal_store = inv//\n");
	tu_write_str(f->dir, PROXY2_CFG,
	    "disabled = no\nport = 8443\nlocal_store = /abs/store/\n");
	assert_int_equal(load(f, "/var/tmp/passeur"), 0);
	assert_string_equal(f->c.agent.vardir, "/var/tmp/passeur");
	/* Relative stores go below vardir; trailing slashes go. */
	assert_string_equal(f->c.inst[0].local_store,
	    "/var/tmp/passeur/inv");
	assert_string_equal(f->c.inst[1].local_store, "/abs/store");
	assert_int_equal(f->c.inst[1].port, 8443);
}

static void
test_defaults(void **state)
{
	struct fixture		*f = *state;
	struct instance_conf	*p;
	int			 i;

	/* No file at all: defaults, and the one error that says why. */
	assert_int_equal(load(f, NULL), 1);
	expect_out(f, "every proxy instance is disabled");
	assert_int_equal(f->c.agent.httpd_port, DEFAULT_HTTPD_PORT);
	assert_int_equal(f->c.agent.timeout, 180);
	assert_int_equal(f->c.agent.nservers, 0);
	assert_string_equal(f->c.agent.vardir, DEFAULT_VARDIR);
	assert_string_equal(f->c.agent.server, "");
	assert_int_equal(f->c.agent.trust.n, 0);
	for (i = 0; i < CONF_NINSTANCES; i++) {
		p = &f->c.inst[i];
		assert_true(p->disabled);
		assert_string_equal(p->url_path, "/proxy");
		assert_int_equal(p->port, DEFAULT_HTTPD_PORT);
		assert_int_equal(p->prolog_freq, 24);
		assert_string_equal(p->local_store, "");
		assert_int_equal(p->max_proxy_threads, 10);
		assert_int_equal(p->max_pass_through, 5);
		assert_true(p->glpi_protocol);
		assert_string_equal(p->no_category, "");
		assert_int_equal(p->maxrate, 30);
		assert_int_equal(p->maxrate_period, 3600);
		assert_false(p->forbid_not_trusted);
		/* No server: a JSON proxy can only store. */
		assert_true(p->only_local_store);
		assert_true(p->max_body_size > 0);
		assert_true(p->max_inflated_size >= p->max_body_size);
	}
	assert_string_equal(f->c.inst[0].file, PROXY_CFG);
	assert_string_equal(f->c.inst[1].file, PROXY2_CFG);
	/* A folder that does not exist reads the same. */
	tu_rmtree(f->dir);
	f->dir = strdup("/nonexistent/passeur/etc");
	assert_int_equal(load(f, "/tmp"), 1);
	assert_int_equal(f->c.inst[0].maxrate, 30);
	free(f->dir);
	f->dir = tu_mkdtemp("config.");
}

static void
test_only_local_store(void **state)
{
	struct fixture *f = *state;

	/* Forced on when there is no server to forward to. */
	tu_write_str(f->dir, PROXY_CFG,
	    "disabled = no\nonly_local_store = no\nlocal_store = /srv/in\n");
	assert_int_equal(load(f, NULL), 0);
	assert_true(f->c.inst[0].only_local_store);
	/* Not for a legacy-only proxy. */
	tu_write_str(f->dir, PROXY_CFG,
	    "disabled = no\nglpi_protocol = no\nlocal_store = /srv/in\n");
	assert_int_equal(load(f, NULL), 0);
	assert_false(f->c.inst[0].glpi_protocol);
	assert_false(f->c.inst[0].only_local_store);
	/* Not when a server is set. */
	tu_write_str(f->dir, "agent.cfg", SERVER_LINE);
	tu_write_str(f->dir, PROXY_CFG, "disabled = no\n");
	assert_int_equal(load(f, NULL), 0);
	assert_false(f->c.inst[0].only_local_store);
	/* Storing only, with nowhere to store: an error. */
	tu_write_str(f->dir, PROXY_CFG,
	    "disabled = no\nonly_local_store = yes\n");
	assert_int_equal(load(f, NULL), 1);
	expect_out(f, PROXY_CFG ":2: only_local_store is on but "
	    "local_store is empty: inventories would be answered and dropped");
	/* Storing only because no server is set, with nowhere to store. */
	tu_write_str(f->dir, "agent.cfg", "");
	tu_write_str(f->dir, PROXY_CFG, "disabled = no\n");
	assert_int_equal(load(f, NULL), 1);
	expect_out(f, PROXY_CFG ": no server is set in agent.cfg and "
	    "local_store is empty");
	/* Legacy only, no server, no store: XML answered and dropped. */
	tu_write_str(f->dir, PROXY_CFG, "disabled = no\nglpi_protocol = no\n");
	assert_int_equal(load(f, NULL), 1);
	expect_out(f, "glpi_protocol is off, no server is set in "
	    "agent.cfg and local_store is empty");
	/* Each of them is fine once a server is set or the store is. */
	tu_write_str(f->dir, "agent.cfg", SERVER_LINE);
	assert_int_equal(load(f, NULL), 0);
	tu_write_str(f->dir, "agent.cfg", "");
	tu_write_str(f->dir, PROXY_CFG, "disabled = no\nglpi_protocol = no\n"
	    "local_store = /srv/in\n");
	assert_int_equal(load(f, NULL), 0);
	/* A disabled instance keeps nothing and needs nothing. */
	tu_write_str(f->dir, PROXY2_CFG, "disabled = yes\nglpi_protocol = no\n");
	assert_int_equal(load(f, NULL), 0);
	/* Empty means yes for this key, as with the reference. */
	tu_write_str(f->dir, PROXY_CFG,
	    "disabled = no\nonly_local_store =\nlocal_store = /srv/in\n");
	assert_int_equal(load(f, NULL), 0);
	assert_true(f->c.inst[0].only_local_store);
}

static void
test_same_port_and_path(void **state)
{
	struct fixture *f = *state;

	tu_write_str(f->dir, "agent.cfg", SERVER_LINE);
	tu_write_str(f->dir, PROXY_CFG, "disabled = no\n");
	tu_write_str(f->dir, PROXY2_CFG, "disabled = no\n");
	assert_int_equal(load(f, NULL), 1);
	expect_out(f, "both serve port 62354");
	/* Port 0 is the main port, and a trailing '/' changes nothing. */
	tu_write_str(f->dir, PROXY2_CFG,
	    "disabled = no\nport = 62354\nurl_path = /proxy/\n");
	assert_int_equal(load(f, NULL), 1);
	expect_out(f, "url_path \"/proxy\"");
	/* Another port or another path is fine. */
	tu_write_str(f->dir, PROXY2_CFG, "disabled = no\nport = 8080\n");
	assert_int_equal(load(f, NULL), 0);
	assert_int_equal(f->outlen, 0);
	tu_write_str(f->dir, PROXY2_CFG, "disabled = no\nurl_path = /p2\n");
	assert_int_equal(load(f, NULL), 0);
	/* A disabled twin does not conflict. */
	tu_write_str(f->dir, PROXY2_CFG, "disabled = yes\n");
	assert_int_equal(load(f, NULL), 0);
}

static void
test_bad_numbers(void **state)
{
	struct fixture	*f = *state;
	char		 want[512];

	tu_write_str(f->dir, "agent.cfg", SERVER_LINE "timeout = 0\n");
	tu_write_str(f->dir, PROXY_CFG,
	    "disabled = no\n"
	    "\n"
	    "maxrate = lots\n"
	    "max_body_size = 12q\n"
	    "max_pass_through = 5\n"
	    "include \"" PROXY_CFG ".local\"\n");
	tu_write_str(f->dir, PROXY_CFG ".local",
	    "# local overrides\n"
	    "prolog_freq = 0\n"
	    "max_proxy_threads = -3\n");
	assert_int_equal(load(f, NULL), 5);
	snprintf(want, sizeof(want), "%s/agent.cfg:2: timeout:", f->dir);
	expect_out(f, want);
	snprintf(want, sizeof(want), "%s/%s:3: maxrate: expected a number "
	    "from 0 to 100000000, got \"lots\"", f->dir, PROXY_CFG);
	expect_out(f, want);
	snprintf(want, sizeof(want), "%s/%s:4: max_body_size:", f->dir,
	    PROXY_CFG);
	expect_out(f, want);
	snprintf(want, sizeof(want), "%s/%s.local:2: prolog_freq:", f->dir,
	    PROXY_CFG);
	expect_out(f, want);
	snprintf(want, sizeof(want), "%s/%s.local:3: max_proxy_threads:",
	    f->dir, PROXY_CFG);
	expect_out(f, want);
	/* Bad values leave the defaults in place. */
	assert_int_equal(f->c.agent.timeout, 180);
	assert_int_equal(f->c.inst[0].maxrate, 30);
	assert_int_equal(f->c.inst[0].prolog_freq, 24);
	assert_int_equal(f->c.inst[0].max_proxy_threads, 10);
}

static void
test_sizes(void **state)
{
	struct fixture *f = *state;

	tu_write_str(f->dir, "agent.cfg", SERVER_LINE);
	tu_write_str(f->dir, PROXY_CFG,
	    "disabled = no\n"
	    "max_body_size = 3M\n"
	    "max_inflated_size = 1GiB\n"
	    "max_header_size = 8kb\n");
	assert_int_equal(load(f, NULL), 0);
	assert_int_equal(f->c.inst[0].max_body_size, 3LL << 20);
	assert_int_equal(f->c.inst[0].max_inflated_size, 1LL << 30);
	assert_int_equal(f->c.inst[0].max_header_size, 8LL << 10);
	/* Out of bounds, in bytes after the suffix. */
	tu_write_str(f->dir, PROXY_CFG,
	    "disabled = no\n"
	    "max_body_size = 5G\n"
	    "max_header_size = 1k\n"
	    "max_inflated_size = 1023\n");
	assert_int_equal(load(f, NULL), 3);
	assert_int_equal(f->c.inst[0].max_header_size, 32LL << 10);
}

static void
test_port(void **state)
{
	struct fixture *f = *state;

	tu_write_str(f->dir, "agent.cfg", SERVER_LINE "httpd-port = 8000\n");
	tu_write_str(f->dir, PROXY_CFG, "disabled = no\nport = 70000\n");
	tu_write_str(f->dir, PROXY2_CFG, "disabled = no\nport = 9000\n");
	/* An invalid port means the main port, with a warning only. */
	assert_int_equal(load(f, NULL), 0);
	assert_int_equal(f->c.inst[0].port, 8000);
	assert_int_equal(f->c.inst[1].port, 9000);
	tu_write_str(f->dir, PROXY_CFG, "disabled = no\nport = http\n");
	assert_int_equal(load(f, NULL), 0);
	assert_int_equal(f->c.inst[0].port, 8000);
	tu_write_str(f->dir, PROXY_CFG, "disabled = no\nport = -1\n");
	assert_int_equal(load(f, NULL), 0);
	assert_int_equal(f->c.inst[0].port, 8000);
	tu_write_str(f->dir, PROXY2_CFG, "disabled = no\nport = 8000\n");
	tu_write_str(f->dir, PROXY_CFG, "disabled = no\nport = 65535\n");
	assert_int_equal(load(f, NULL), 0);
	assert_int_equal(f->c.inst[0].port, 65535);
}

static void
test_booleans(void **state)
{
	struct fixture *f = *state;

	tu_write_str(f->dir, "agent.cfg", SERVER_LINE);
	/* disabled: empty enables, as /^0|no$/i does in the reference. */
	tu_write_str(f->dir, PROXY_CFG,
	    "disabled =\nforbid_not_trusted =\nmaxrate_period =\n");
	tu_write_str(f->dir, PROXY2_CFG,
	    "disabled = NO\nport = 1\nforbid_not_trusted = yes\n"
	    "glpi_protocol = 0\nmaxrate_period = 0\n");
	assert_int_equal(load(f, NULL), 0);
	assert_false(f->c.inst[0].disabled);
	/* forbid_not_trusted: empty means yes. */
	assert_true(f->c.inst[0].forbid_not_trusted);
	assert_int_equal(f->c.inst[0].maxrate_period, 3600);
	assert_false(f->c.inst[1].disabled);
	assert_true(f->c.inst[1].forbid_not_trusted);
	assert_false(f->c.inst[1].glpi_protocol);
	assert_int_equal(f->c.inst[1].maxrate_period, 3600);
	tu_write_str(f->dir, PROXY_CFG, "disabled = off\n");
	tu_write_str(f->dir, PROXY2_CFG, "disabled = true\n");
	assert_int_equal(load(f, NULL), 0);
	assert_false(f->c.inst[0].disabled);
	assert_true(f->c.inst[1].disabled);
}

static void
test_bad_boolean(void **state)
{
	struct fixture	*f = *state;
	char		 want[512];

	/* The agent would read "yse" as true; a typo is an error here. */
	tu_write_str(f->dir, "agent.cfg", SERVER_LINE);
	tu_write_str(f->dir, PROXY_CFG,
	    "disabled = no\nlocal_store = /srv/in\nonly_local_store = yse\n");
	assert_int_equal(load(f, NULL), 1);
	snprintf(want, sizeof(want), "%s/" PROXY_CFG ":3: only_local_store: "
	    "\"yse\" is not a boolean; use yes or no", f->dir);
	expect_out(f, want);
	assert_false(f->c.inst[0].only_local_store);
}

static void
test_errors_name_the_local_file(void **state)
{
	struct fixture	*f = *state;
	char		 want[512];

	/* A value checked after loading names the file and line it is on. */
	tu_write_str(f->dir, "agent.cfg", SERVER_LINE
	    "include \"agent.cfg.local\"\n");
	tu_write_str(f->dir, "agent.cfg.local",
	    "# local changes\nhttpd-ip = 10.0.0.300\n"
	    "server = http://a/, ftp://b/\n");
	tu_write_str(f->dir, PROXY_CFG, "disabled = no\n");
	assert_int_equal(load(f, NULL), 2);
	snprintf(want, sizeof(want), "%s/agent.cfg.local:2: httpd-ip: "
	    "\"10.0.0.300\" is not", f->dir);
	expect_out(f, want);
	snprintf(want, sizeof(want), "%s/agent.cfg.local:3: server: "
	    "\"ftp://b/\"", f->dir);
	expect_out(f, want);
	/* A key at its default is named by its file. */
	tu_write_str(f->dir, PROXY_CFG, "only_local_store = yes\n");
	tu_write_str(f->dir, PROXY2_CFG, "disabled = no\nport = 1\n"
	    "only_local_store = 1\n");
	tu_write_str(f->dir, "agent.cfg.local", "\n");
	assert_int_equal(load(f, NULL), 1);
	snprintf(want, sizeof(want), "%s/" PROXY2_CFG ":3: only_local_store "
	    "is on", f->dir);
	expect_out(f, want);
}

static void
test_missing_folder(void **state)
{
	struct fixture	*f = *state;
	char		*gone = f->dir;

	/* Not "every proxy instance is disabled": the folder is wrong. */
	if ((f->dir = strdup(gone)) == NULL)
		fail();
	tu_rmtree(gone);
	assert_int_equal(load(f, NULL), 1);
	expect_out(f, "the configuration folder does not exist");
	assert_null(strstr(f->out, "disabled"));
	free(f->dir);
	f->dir = tu_mkdtemp("config.");
	/* A file given as the folder: said once, no file is read. */
	tu_write_str(f->dir, "agent.cfg", SERVER_LINE);
	gone = f->dir;
	if (asprintf(&f->dir, "%s/agent.cfg", gone) == -1)
		fail();
	assert_int_equal(load(f, NULL), 1);
	expect_out(f, "agent.cfg: not a folder; give the configuration "
	    "folder with -c");
	assert_null(strstr(f->out, "cannot read"));
	free(f->dir);
	f->dir = gone;
}

static void
test_servers(void **state)
{
	struct fixture *f = *state;

	tu_write_str(f->dir, PROXY_CFG, "disabled = no\n");
	tu_write_str(f->dir, "agent.cfg",
	    "server = http://a/,,  https://b/glpi/ ,http://c:8080/x ,\n");
	assert_int_equal(load(f, NULL), 0);
	assert_int_equal(f->c.agent.nservers, 3);
	assert_string_equal(f->c.agent.servers[0], "http://a/");
	assert_string_equal(f->c.agent.servers[1], "https://b/glpi/");
	assert_string_equal(f->c.agent.servers[2], "http://c:8080/x");
	/* The list as written is kept too. */
	assert_non_null(strstr(f->c.agent.server, "https://b/glpi/"));
	/* Only http and https targets. */
	tu_write_str(f->dir, "agent.cfg",
	    "server = http://a/, ftp://b/\n");
	assert_true(load(f, NULL) >= 1);
	expect_out(f, "ftp://b/");
	/* At most CONF_MAX_SERVERS targets. */
	tu_write_str(f->dir, "agent.cfg",
	    "server = http://1/,http://2/,http://3/,http://4/,http://5/,"
	    "http://6/,http://7/,http://8/,http://9/\n");
	assert_true(load(f, NULL) >= 1);
	assert_int_equal(f->c.agent.nservers, CONF_MAX_SERVERS);
	expect_out(f, "at most");
}

static void
test_unknown_keys(void **state)
{
	struct fixture *f = *state;

	/* Unknown keys warn (on the log) but are no error. */
	tu_write_str(f->dir, "agent.cfg",
	    SERVER_LINE "no-such-key = 1\ntasks = inventory\n");
	tu_write_str(f->dir, PROXY_CFG, "disabled = no\nfrobnicate = yes\n");
	assert_int_equal(load(f, NULL), 0);
	assert_int_equal(f->outlen, 0);
	assert_false(f->c.inst[0].disabled);
}

static void
test_dump_masks_secrets(void **state)
{
	struct fixture	*f = *state;
	char		*dump = NULL;
	size_t		 len = 0;
	FILE		*fp;

	tu_write_str(f->dir, "agent.cfg", SERVER_LINE
	    "user = glpi\npassword = hunter2-secret\n");
	tu_write_str(f->dir, PROXY_CFG, "disabled = no\nmaxrate = 77\n");
	assert_int_equal(load(f, NULL), 0);
	if ((fp = open_memstream(&dump, &len)) == NULL)
		fail();
	config_dump(&f->c, fp);
	fclose(fp);
	assert_null(strstr(dump, "hunter2"));
	assert_non_null(strstr(dump, "password = ********"));
	assert_non_null(strstr(dump, "user = glpi"));
	assert_non_null(strstr(dump, "maxrate = 77"));
	assert_non_null(strstr(dump, "disabled = no"));
	assert_non_null(strstr(dump, PROXY2_CFG));
	free(dump);
}

#define T(fn)	cmocka_unit_test_setup_teardown(fn, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_full),
		T(test_vardir_override),
		T(test_defaults),
		T(test_only_local_store),
		T(test_same_port_and_path),
		T(test_bad_numbers),
		T(test_sizes),
		T(test_port),
		T(test_booleans),
		T(test_bad_boolean),
		T(test_errors_name_the_local_file),
		T(test_missing_folder),
		T(test_servers),
		T(test_unknown_keys),
		T(test_dump_masks_secrets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
