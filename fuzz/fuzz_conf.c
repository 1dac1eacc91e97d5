/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Fuzzes the configuration reader twice over: conf_read() with a callback
 * that runs every value through conf_bool() and conf_number(), then
 * config_load() on a folder whose proxy-server-plugin.cfg is the input.
 *
 * The folder also holds files an input may include: the .local override
 * the shipped files name, a conf.d folder, a file that includes itself,
 * an agent.cfg that includes the input (so that agent keys and
 * httpd-trust are parsed from it too) and a proxy2 file that does the
 * same on another port.
 */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "common/conf.h"
#include "common/err.h"
#include "proxy/config.h"
#include "fuzz.h"

#define INPUT_NAME	"proxy-server-plugin.cfg"
#define LOCAL_NAME	"proxy-server-plugin.local"

static const char	*dir;
static FILE		*devnull;

static const struct {
	const char	*name;
	const char	*text;
} fixtures[] = {
	{ LOCAL_NAME, "disabled = no\nlocal_store = store\n" },
	{ "conf.d/10-limits.cfg", "max_body_size = 16M\nmaxrate = 100\n" },
	{ "conf.d/20-local.cfg",
	    "include \"../" LOCAL_NAME "\"\nprolog_freq = 12\n" },
	{ "self.cfg", "include \"self.cfg\"\nport = 8080\n" },
	{ "agent.cfg", "server = http://192.0.2.10/front/inventory.php,"
	    "https://[2001:db8::1]:8443/\n"
	    "httpd-trust = 127.0.0.1/32 ::1\ninclude \"" INPUT_NAME "\"\n" },
	{ "proxy2-server-plugin.cfg",
	    "include \"" INPUT_NAME "\"\nport = 62355\n" },
};

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char	sub[PATH_MAX];
	size_t	i;

	(void)argc;
	(void)argv;
	fuzz_quiet();
	dir = fuzz_tmpdir();
	snprintf(sub, sizeof(sub), "%s/conf.d", dir);
	FUZZ_CHECK(mkdir(sub, 0700) == 0);
	for (i = 0; i < sizeof(fixtures) / sizeof(fixtures[0]); i++)
		fuzz_write(dir, fixtures[i].name, fixtures[i].text,
		    strlen(fixtures[i].text));
	FUZZ_CHECK((devnull = fopen("/dev/null", "w")) != NULL);
	return 0;
}

/* Checks what conf_read() promises about every assignment it reports. */
static int
value_cb(void *arg, const char *key, const char *value, const char *file,
    int line)
{
	int		*calls = arg;
	long long	 n = -1;
	const char	*p;
	int		 r;

	(*calls)++;
	FUZZ_CHECK(file != NULL && line > 0 && key[0] != '\0');
	FUZZ_CHECK(strcmp(key, "include") != 0);
	for (p = key; *p != '\0'; p++)
		FUZZ_CHECK(isalnum((unsigned char)*p) || *p == '_' ||
		    *p == '-');
	r = conf_bool(value, 7);
	FUZZ_CHECK(value[0] == '\0' ? r == 7 : (r == 0 || r == 1));
	conf_number(value, LLONG_MIN, LLONG_MAX, &n);
	if ((r = conf_number(value, 1, 65535, &n)) == 0) {
		FUZZ_CHECK(n >= 1 && n <= 65535);
		FUZZ_CHECK(strspn(value, "0123456789") == strlen(value));
	}
	/* An error per bad number, so that error counting runs too. */
	return r != 0;
}

/* True when a line may assign the server key (lines as conf_read splits). */
static int
sets_server(const uint8_t *data, size_t size)
{
	const uint8_t	*p = data, *end = data + size;
	const uint8_t	*nl;

	while (p < end) {
		while (p < end && isspace(*p))
			p++;
		if ((size_t)(end - p) >= 6 && memcmp(p, "server", 6) == 0 &&
		    (end - p == 6 || !(isalnum(p[6]) || p[6] == '_' ||
		    p[6] == '-')))
			return 1;
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			break;
		p = nl + 1;
	}
	return 0;
}

static void
check_instance(const struct instance_conf *ic)
{
	size_t len;

	FUZZ_CHECK(ic->port >= 1 && ic->port <= 65535);
	FUZZ_CHECK(ic->maxrate_period > 0);
	len = strlen(ic->url_path);
	FUZZ_CHECK(len == 0 ||
	    (ic->url_path[0] == '/' && ic->url_path[len - 1] != '/'));
	len = strlen(ic->local_store);
	FUZZ_CHECK(len <= 1 || ic->local_store[len - 1] != '/');
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct serve_conf	 c;
	int			 calls = 0, errors = -1, r;
	char			 path[PATH_MAX];

	/*
	 * An include of a device, a FIFO or a /proc file could block or
	 * never end; that is the operator's business, not a parser bug.
	 * config_load() resolves the host of every server target, and a
	 * fuzzer must send no DNS query: the fixed agent.cfg has address
	 * literals, and an input may not set the key.
	 */
	if (memmem(data, size, "/dev", 4) != NULL ||
	    memmem(data, size, "/proc", 5) != NULL ||
	    memmem(data, size, "/sys", 4) != NULL ||
	    memmem(data, size, "/run", 4) != NULL || sets_server(data, size))
		return -1;
	fuzz_write(dir, INPUT_NAME, data, size);
	snprintf(path, sizeof(path), "%s/" INPUT_NAME, dir);

	r = conf_read(path, value_cb, &calls, &errors);
	FUZZ_CHECK(r == 0);
	FUZZ_CHECK(errors >= 0 && errors <= calls);

	snprintf(path, sizeof(path), "%s/var", dir);
	r = config_load(&c, dir, path, devnull);
	FUZZ_CHECK(r == 0 || r == ERR_INVALID);
	FUZZ_CHECK(c.agent.nservers >= 0 &&
	    c.agent.nservers <= CONF_MAX_SERVERS);
	check_instance(&c.inst[0]);
	check_instance(&c.inst[1]);
	config_dump(&c, devnull);
	config_free(&c);
	return 0;
}
