/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * conf: the agent's configuration file format (spec section 1.1).
 */
#include "../testutil.h"

#include "common/conf.h"
#include "common/err.h"

#define MAX_SEEN	64

struct seen {
	int	 n;
	char	*key[MAX_SEEN];
	char	*value[MAX_SEEN];
	char	*file[MAX_SEEN];
	int	 line[MAX_SEEN];
	int	 fail_key;	/* callback returns 1 for keys "bad*" */
};

static int
collect(void *arg, const char *key, const char *value, const char *file,
    int line)
{
	struct seen *s = arg;

	if (s->n == MAX_SEEN)
		fail_msg("too many assignments");
	s->key[s->n] = strdup(key);
	s->value[s->n] = strdup(value);
	s->file[s->n] = strdup(file);
	s->line[s->n] = line;
	s->n++;
	return s->fail_key && strncmp(key, "bad", 3) == 0;
}

static void
seen_free(struct seen *s)
{
	int i;

	for (i = 0; i < s->n; i++) {
		free(s->key[i]);
		free(s->value[i]);
		free(s->file[i]);
	}
	memset(s, 0, sizeof(*s));
}

/* Index of the last assignment of key (the one that wins), or -1. */
static int
last_of(const struct seen *s, const char *key)
{
	int i;

	for (i = s->n - 1; i >= 0; i--)
		if (strcmp(s->key[i], key) == 0)
			return i;
	return -1;
}

/* The value that wins for key; "<unset>" keeps a failure readable. */
static const char *
value_of(const struct seen *s, const char *key)
{
	int i = last_of(s, key);

	return i < 0 ? "<unset>" : s->value[i];
}

static int
count_of(const struct seen *s, const char *key)
{
	int i, n = 0;

	for (i = 0; i < s->n; i++)
		n += strcmp(s->key[i], key) == 0;
	return n;
}

struct fixture {
	char		*dir;
	struct seen	 seen;
};

static int
setup(void **state)
{
	struct fixture *f;

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return -1;
	f->dir = tu_mkdtemp("conf.");
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	seen_free(&f->seen);
	tu_rmtree(f->dir);
	free(f);
	return 0;
}

/* Reads dir/name into f->seen and returns conf_read()'s result. */
static int
read_in(struct fixture *f, const char *name, int *errorsp)
{
	char	*path = tu_path(f->dir, name);
	int	 r;

	r = conf_read(path, collect, &f->seen, errorsp);
	free(path);
	return r;
}

static void
test_syntax(void **state)
{
	struct fixture	*f = *state;
	int		 errors = -1;

	tu_write_str(f->dir, "a.cfg",
	    "# a comment line\n"
	    "key1=value1\n"
	    "   key2   =   value two   \n"
	    "key-3 = x\n"
	    "key_4 =\n"
	    "not an assignment\n"
	    "= novalue\n"
	    "k5=a=b\n"
	    "k6 = crlf\r\n"
	    "\t# indented comment = no\n"
	    "\n"
	    "k7 = tab\tinside\t\n");
	assert_int_equal(read_in(f, "a.cfg", &errors), 0);
	assert_int_equal(errors, 0);
	assert_int_equal(f->seen.n, 7);
	assert_string_equal(value_of(&f->seen, "key1"), "value1");
	assert_string_equal(value_of(&f->seen, "key2"), "value two");
	assert_int_equal(f->seen.line[last_of(&f->seen, "key2")], 3);
	assert_string_equal(value_of(&f->seen, "key-3"), "x");
	assert_string_equal(value_of(&f->seen, "key_4"), "");
	assert_string_equal(value_of(&f->seen, "k5"), "a=b");
	assert_string_equal(value_of(&f->seen, "k6"), "crlf");
	assert_string_equal(value_of(&f->seen, "k7"), "tab\tinside");
	assert_int_equal(count_of(&f->seen, "not"), 0);
	assert_int_equal(count_of(&f->seen, "indented"), 0);
	assert_non_null(strstr(f->seen.file[0], "a.cfg"));
}

static void
test_quotes(void **state)
{
	struct fixture *f = *state;

	tu_write_str(f->dir, "q.cfg",
	    "q1 = \"a # b\"\n"
	    "q2 = 'single'\n"
	    "q3 = \"x\" # \"y\"\n"
	    "q4 = \"unterminated\n"
	    "q5 = \"a\" tail\n"
	    "q6 = 'mixed\"\n"
	    "q7 = \"\"\n"
	    "q8 = \"  spaced  \"   \n"
	    "q9 = 'it''s'\n");
	assert_int_equal(read_in(f, "q.cfg", NULL), 0);
	/* A quoted value keeps its '#'. */
	assert_string_equal(value_of(&f->seen, "q1"), "a # b");
	assert_string_equal(value_of(&f->seen, "q2"), "single");
	/* Greedy: the value runs to the last quote of the same kind. */
	assert_string_equal(value_of(&f->seen, "q3"), "x\" # \"y");
	assert_string_equal(value_of(&f->seen, "q4"), "\"unterminated");
	assert_string_equal(value_of(&f->seen, "q5"), "a");
	assert_string_equal(value_of(&f->seen, "q6"), "'mixed\"");
	assert_string_equal(value_of(&f->seen, "q7"), "");
	assert_string_equal(value_of(&f->seen, "q8"), "  spaced  ");
	assert_string_equal(value_of(&f->seen, "q9"), "it''s");
}

static void
test_comments(void **state)
{
	struct fixture *f = *state;

	tu_write_str(f->dir, "c.cfg",
	    "c1 = value # trailing comment\n"
	    "c2 = value#glued\n"
	    "c3 = http://host/path#frag\n"
	    "c4 = ends with hash #\n"
	    "c5 = one # two # three\n"
	    "c6 = #only a comment\n"
	    "c7 = a\t#\ttabbed\n");
	assert_int_equal(read_in(f, "c.cfg", NULL), 0);
	assert_string_equal(value_of(&f->seen, "c1"), "value");
	assert_string_equal(value_of(&f->seen, "c2"), "value");
	/* The agent's rule `\s*#.+$` cuts URLs fragments too. */
	assert_string_equal(value_of(&f->seen, "c3"), "http://host/path");
	/* '#' needs at least one character after it to start a comment. */
	assert_string_equal(value_of(&f->seen, "c4"), "ends with hash #");
	assert_string_equal(value_of(&f->seen, "c5"), "one");
	assert_string_equal(value_of(&f->seen, "c6"), "");
	assert_string_equal(value_of(&f->seen, "c7"), "a");
}

static void
test_include_forms(void **state)
{
	struct fixture	*f = *state;
	char		*sub;

	tu_mkdir(f->dir, "sub");
	sub = tu_path(f->dir, "sub");
	tu_write_str(f->dir, "main.cfg",
	    "a = 1\n"
	    "include \"sub/one.cfg\"\n"
	    "b = 1\n"
	    "include = sub/two.cfg\n"
	    "c = 1\n");
	/* Relative to the including file, not to the current folder. */
	tu_write_str(sub, "one.cfg", "a = 2\ninclude three.cfg # comment\n");
	tu_write_str(sub, "two.cfg", "b = 2\n");
	tu_write_str(sub, "three.cfg", "c = 0\nd = 3\n");
	assert_int_equal(read_in(f, "main.cfg", NULL), 0);
	/* Includes are read inline: later assignments win. */
	assert_string_equal(value_of(&f->seen, "a"), "2");
	assert_string_equal(value_of(&f->seen, "b"), "2");
	assert_string_equal(value_of(&f->seen, "c"), "1");
	assert_string_equal(value_of(&f->seen, "d"), "3");
	assert_non_null(strstr(f->seen.file[last_of(&f->seen, "d")],
	    "three.cfg"));
	assert_int_equal(f->seen.line[last_of(&f->seen, "d")], 2);
	assert_int_equal(count_of(&f->seen, "include"), 0);
	free(sub);
}

static void
test_include_local(void **state)
{
	struct fixture *f = *state;

	/* The shipped files end with an include of their .local twin. */
	tu_write_str(f->dir, "proxy.cfg",
	    "disabled = yes\n"
	    "maxrate = 30\n"
	    "include \"proxy.local\"\n");
	tu_write_str(f->dir, "proxy.local", "disabled = no\n");
	assert_int_equal(read_in(f, "proxy.cfg", NULL), 0);
	assert_string_equal(value_of(&f->seen, "disabled"), "no");
	assert_string_equal(value_of(&f->seen, "maxrate"), "30");
	assert_int_equal(count_of(&f->seen, "disabled"), 2);
}

static void
test_include_folder(void **state)
{
	struct fixture	*f = *state;
	char		*d;

	tu_mkdir(f->dir, "conf.d");
	d = tu_path(f->dir, "conf.d");
	tu_write_str(f->dir, "main.cfg",
	    "order = main\n"
	    "include \"conf.d\"\n"
	    "after = yes\n");
	/* Written out of order: loading must sort by name. */
	tu_write_str(d, "20-b.cfg", "order = b\nb = 1\n");
	tu_write_str(d, "10-a.cfg", "order = a\na = 1\n");
	tu_write_str(d, "30-c.cfg", "order = c\nc = 1\n");
	tu_write_str(d, "40-d.txt", "order = txt\n");
	tu_write_str(d, "50-e.cfg.bak", "order = bak\n");
	tu_write_str(d, ".cfg", "order = bare\n");
	assert_int_equal(read_in(f, "main.cfg", NULL), 0);
	assert_int_equal(f->seen.n, 8);
	assert_int_equal(count_of(&f->seen, "order"), 4);
	assert_string_equal(f->seen.value[0], "main");
	assert_string_equal(f->seen.value[1], "a");
	assert_string_equal(f->seen.key[2], "a");
	assert_string_equal(f->seen.value[3], "b");
	assert_string_equal(f->seen.value[5], "c");
	assert_string_equal(value_of(&f->seen, "order"), "c");
	assert_string_equal(value_of(&f->seen, "after"), "yes");
	free(d);
}

static void
test_include_missing(void **state)
{
	struct fixture	*f = *state;
	int		 errors = -1;

	tu_write_str(f->dir, "main.cfg",
	    "a = 1\n"
	    "include \"nowhere.local\"\n"
	    "include = /nonexistent/passeur/x.cfg\n"
	    "include \"missing-dir/\"\n"
	    "b = 2\n");
	assert_int_equal(read_in(f, "main.cfg", &errors), 0);
	assert_int_equal(errors, 0);
	assert_string_equal(value_of(&f->seen, "a"), "1");
	assert_string_equal(value_of(&f->seen, "b"), "2");
	assert_int_equal(f->seen.n, 2);
}

static void
test_include_loop(void **state)
{
	struct fixture *f = *state;

	tu_write_str(f->dir, "a.cfg", "x = a1\ninclude \"b.cfg\"\ny = a2\n");
	tu_write_str(f->dir, "b.cfg",
	    "x = b1\n"
	    "include \"a.cfg\"\n"
	    "include \"./b.cfg\"\n"
	    "include \"c.cfg\"\n");
	tu_write_str(f->dir, "c.cfg", "include \"a.cfg\"\nz = c\n");
	assert_int_equal(read_in(f, "a.cfg", NULL), 0);
	assert_int_equal(count_of(&f->seen, "x"), 2);
	assert_int_equal(count_of(&f->seen, "y"), 1);
	assert_int_equal(count_of(&f->seen, "z"), 1);
	assert_string_equal(value_of(&f->seen, "x"), "b1");
	assert_int_equal(f->seen.n, 4);
}

static void
test_include_folder_self(void **state)
{
	struct fixture	*f = *state;
	char		*d;

	/* A file that includes its own folder is still read once. */
	tu_mkdir(f->dir, "etc");
	d = tu_path(f->dir, "etc");
	tu_write_str(d, "agent.cfg", "a = 1\ninclude \".\"\nz = 1\n");
	tu_write_str(d, "b.cfg", "b = 1\ninclude \"agent.cfg\"\n");
	free(d);
	assert_int_equal(read_in(f, "etc/agent.cfg", NULL), 0);
	assert_int_equal(count_of(&f->seen, "a"), 1);
	assert_int_equal(count_of(&f->seen, "b"), 1);
	assert_int_equal(count_of(&f->seen, "z"), 1);
	assert_string_equal(f->seen.key[1], "b");
}

static void
test_include_depth(void **state)
{
	struct fixture	*f = *state;
	char		 name[32], text[128];
	int		 i;

	/* A chain of 12 files: the main one and 8 levels below it load. */
	for (i = 0; i < 12; i++) {
		snprintf(name, sizeof(name), "f%d.cfg", i);
		snprintf(text, sizeof(text), "level = %d\ninclude f%d.cfg\n",
		    i, i + 1);
		tu_write_str(f->dir, name, text);
	}
	assert_int_equal(read_in(f, "f0.cfg", NULL), 0);
	assert_int_equal(count_of(&f->seen, "level"), 9);
	assert_string_equal(value_of(&f->seen, "level"), "8");
}

static void
test_later_wins(void **state)
{
	struct fixture *f = *state;

	tu_write_str(f->dir, "a.cfg", "k = 1\nk = 2\nother = o\nk = 3\n");
	assert_int_equal(read_in(f, "a.cfg", NULL), 0);
	assert_int_equal(count_of(&f->seen, "k"), 3);
	assert_string_equal(value_of(&f->seen, "k"), "3");
	assert_int_equal(f->seen.line[last_of(&f->seen, "k")], 4);
}

static void
test_errors_counted(void **state)
{
	struct fixture	*f = *state;
	int		 errors = -1;

	f->seen.fail_key = 1;
	tu_write_str(f->dir, "a.cfg",
	    "bad1 = x\ngood = y\nbad2 = z\ninclude \"b.cfg\"\n");
	tu_write_str(f->dir, "b.cfg", "bad3 = w\n");
	assert_int_equal(read_in(f, "a.cfg", &errors), 0);
	/* Reading goes on after an error, so that all are shown at once. */
	assert_int_equal(errors, 3);
	assert_string_equal(value_of(&f->seen, "good"), "y");
}

static void
test_missing_file(void **state)
{
	struct fixture	*f = *state;
	int		 errors = -1;

	assert_int_equal(read_in(f, "absent.cfg", &errors), ERR_NOT_FOUND);
	assert_int_equal(errors, 0);
	assert_int_equal(f->seen.n, 0);
}

static void
test_long_line(void **state)
{
	struct fixture	*f = *state;
	char		*text;
	size_t		 n = 20000;

	if ((text = malloc(n + 64)) == NULL)
		fail();
	memcpy(text, "a = 1\nlong = ", 13);
	memset(text + 13, 'x', n);
	memcpy(text + 13 + n, "\nb = 2\n", 8);
	tu_write_str(f->dir, "a.cfg", text);
	free(text);
	assert_int_equal(read_in(f, "a.cfg", NULL), 0);
	/* An over-long line is dropped whole; the next one still counts. */
	assert_int_equal(count_of(&f->seen, "long"), 0);
	assert_int_equal(f->seen.n, 2);
	assert_string_equal(value_of(&f->seen, "a"), "1");
	assert_string_equal(value_of(&f->seen, "b"), "2");
	assert_int_equal(f->seen.line[last_of(&f->seen, "b")], 3);
}

static void
test_bool(void **state)
{
	(void)state;
	assert_int_equal(conf_bool("yes", 0), 1);
	assert_int_equal(conf_bool("YES", 0), 1);
	assert_int_equal(conf_bool("True", 0), 1);
	assert_int_equal(conf_bool("on", 0), 1);
	assert_int_equal(conf_bool("1", 0), 1);
	assert_int_equal(conf_bool("no", 1), 0);
	assert_int_equal(conf_bool("No", 1), 0);
	assert_int_equal(conf_bool("FALSE", 1), 0);
	assert_int_equal(conf_bool("off", 1), 0);
	assert_int_equal(conf_bool("0", 1), 0);
	/* Empty gives the caller's choice. */
	assert_int_equal(conf_bool("", 0), 0);
	assert_int_equal(conf_bool("", 1), 1);
	assert_int_equal(conf_bool(NULL, 1), 1);
	assert_int_equal(conf_bool(NULL, 0), 0);
	/* Fallback, the agent's /^0|no$/i: starts with 0 or ends with no. */
	assert_int_equal(conf_bool("00", 1), 0);
	assert_int_equal(conf_bool("0yes", 1), 0);
	assert_int_equal(conf_bool("casino", 1), 0);
	assert_int_equal(conf_bool("uNO", 1), 0);
	assert_int_equal(conf_bool("2", 0), 1);
	assert_int_equal(conf_bool("enabled", 0), 1);
	assert_int_equal(conf_bool("nope", 0), 1);
	assert_int_equal(conf_bool("n", 0), 1);
	assert_int_equal(conf_bool("10", 0), 1);
}

static void
test_bool_strict(void **state)
{
	int b = -1;

	(void)state;
	assert_int_equal(conf_bool_strict("yes", 0, &b), 0);
	assert_int_equal(b, 1);
	assert_int_equal(conf_bool_strict("OFF", 1, &b), 0);
	assert_int_equal(b, 0);
	assert_int_equal(conf_bool_strict("", 1, &b), 0);
	assert_int_equal(b, 1);
	assert_int_equal(conf_bool_strict(NULL, 0, &b), 0);
	assert_int_equal(b, 0);
	/* What the agent's rule would read as true or false is refused. */
	b = 7;
	assert_int_equal(conf_bool_strict("yse", 0, &b), ERR_INVALID);
	assert_int_equal(conf_bool_strict("nono", 0, &b), ERR_INVALID);
	assert_int_equal(conf_bool_strict("2", 0, &b), ERR_INVALID);
	assert_int_equal(conf_bool_strict(" yes", 0, &b), ERR_INVALID);
	assert_int_equal(b, 7);
}

static void
test_distance(void **state)
{
	char long_text[80];

	(void)state;
	assert_int_equal(conf_distance("local_store", "local_store"), 0);
	assert_int_equal(conf_distance("local_stor", "local_store"), 1);
	assert_int_equal(conf_distance("locale_store", "local_store"), 1);
	assert_int_equal(conf_distance("lcoal_store", "local_store"), 2);
	assert_int_equal(conf_distance("Local_Store", "local_store"), 0);
	assert_int_equal(conf_distance("", "abc"), 3);
	assert_int_equal(conf_distance("abc", ""), 3);
	memset(long_text, 'a', sizeof(long_text) - 1);
	long_text[sizeof(long_text) - 1] = '\0';
	assert_true(conf_distance(long_text, "a") > 64);
}

static void
test_number(void **state)
{
	long long n = -42;

	(void)state;
	assert_int_equal(conf_number("0", 0, 10, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(conf_number("10", 0, 10, &n), 0);
	assert_int_equal(n, 10);
	assert_int_equal(conf_number("007", 0, 10, &n), 0);
	assert_int_equal(n, 7);
	assert_int_equal(conf_number("9223372036854775807", 0, LLONG_MAX, &n),
	    0);
	assert_true(n == LLONG_MAX);
	n = 5;
	/* Failures leave *out alone. */
	assert_int_equal(conf_number("11", 0, 10, &n), ERR_INVALID);
	assert_int_equal(conf_number("0", 1, 10, &n), ERR_INVALID);
	assert_int_equal(n, 5);
	assert_int_equal(conf_number("-1", -5, 10, &n), ERR_INVALID);
	assert_int_equal(conf_number("+1", 0, 10, &n), ERR_INVALID);
	assert_int_equal(conf_number(" 1", 0, 10, &n), ERR_INVALID);
	assert_int_equal(conf_number("1 ", 0, 10, &n), ERR_INVALID);
	assert_int_equal(conf_number("1k", 0, 10000, &n), ERR_INVALID);
	assert_int_equal(conf_number("0x10", 0, 100, &n), ERR_INVALID);
	assert_int_equal(conf_number("", 0, 10, &n), ERR_INVALID);
	assert_int_equal(conf_number(NULL, 0, 10, &n), ERR_INVALID);
	assert_int_equal(conf_number("99999999999999999999", 0, LLONG_MAX,
	    &n), ERR_INVALID);
	assert_int_equal(n, 5);
}

static void
test_nul_byte(void **state)
{
	struct fixture		*f = *state;
	static const char	 text[] = "a\0b\n\0x\nk = v\n";

	/*
	 * A NUL byte ends its line; reading never steps outside the line
	 * buffer, and the lines after it are read as usual.
	 */
	tu_write(f->dir, "a.cfg", text, sizeof(text) - 1);
	assert_int_equal(read_in(f, "a.cfg", NULL), 0);
	assert_string_equal(value_of(&f->seen, "k"), "v");
}

static void
test_include_any_case(void **state)
{
	struct fixture *f = *state;

	/*
	 * The agent (GLPI::Agent::Config::loadFromFile) takes `include` in any
	 * case, in both forms: lc($key) eq 'include' and /^\s*include\s+/i.
	 */
	tu_write_str(f->dir, "a.cfg",
	    "Include \"b.cfg\"\nINCLUDE = c.cfg\n");
	tu_write_str(f->dir, "b.cfg", "b = 1\n");
	tu_write_str(f->dir, "c.cfg", "c = 1\n");
	assert_int_equal(read_in(f, "a.cfg", NULL), 0);
	assert_int_equal(count_of(&f->seen, "b"), 1);
	assert_int_equal(count_of(&f->seen, "c"), 1);
	assert_int_equal(count_of(&f->seen, "INCLUDE"), 0);
}

#define T(fn)	cmocka_unit_test_setup_teardown(fn, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_syntax),
		T(test_quotes),
		T(test_comments),
		T(test_include_forms),
		T(test_include_local),
		T(test_include_folder),
		T(test_include_missing),
		T(test_include_loop),
		T(test_include_folder_self),
		T(test_include_depth),
		T(test_later_wins),
		T(test_errors_counted),
		T(test_missing_file),
		T(test_long_line),
		cmocka_unit_test(test_bool),
		cmocka_unit_test(test_bool_strict),
		cmocka_unit_test(test_distance),
		cmocka_unit_test(test_number),
		T(test_nul_byte),
		T(test_include_any_case),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
