/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fsx: the device id gate for file names, and atomic replacement of files.
 */
#include "../testutil.h"

#include <dirent.h>
#include <pthread.h>

#include "common/err.h"
#include "common/fsx.h"

static int
name_ok(const char *s)
{
	return fsx_name_ok(s, strlen(s));
}

static void
test_name_refused(void **state)
{
	static const char *bad[] = {
		"", ".", "..", "../x", "..\\x", "a/b", "/etc/passwd", "a\\b",
		".hidden", "./x", "a\tb", "a\nb", "a\rb", "\x1b[31m", "x\x7f",
		"\x01", "\x1f",
		"\xc0\xaf",		/* overlong '/' */
		"\xc1\xbf",		/* overlong */
		"\xe0\x80\xaf",		/* overlong, three bytes */
		"\xf0\x80\x80\xaf",	/* overlong, four bytes */
		"\xed\xa0\x80",		/* surrogate D800 */
		"\xed\xbf\xbf",		/* surrogate DFFF */
		"\xf4\x90\x80\x80",	/* above U+10FFFF */
		"\xf5\x80\x80\x80",	/* never valid */
		"\xff", "\xfe",
		"abc\xc3",		/* truncated two-byte */
		"abc\xe2\x82",		/* truncated three-byte */
		"\xf0\x9f\x98",		/* truncated four-byte */
		"\x80",			/* stray continuation */
		"a\xc3(b",		/* bad continuation */
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (name_ok(bad[i]))
			fail_msg("accepted bad name #%zu", i);
}

static void
test_name_nul(void **state)
{
	(void)state;
	/* A NUL inside: the length is what counts, not strlen. */
	assert_false(fsx_name_ok("abc\0def", 7));
	assert_false(fsx_name_ok("\0", 1));
	assert_true(fsx_name_ok("abc\0def", 3));
}

static void
test_name_accepted(void **state)
{
	static const char *good[] = {
		"pc1-2024-01-01-00-00-00",
		"DESKTOP-ABC123-2023-10-05-14-22-01",
		"téléphone-ü-2024",
		"电脑-2024",
		"emoji-\xf0\x9f\x98\x80",
		"\xf4\x8f\xbf\xbf",	/* U+10FFFF */
		"\xee\x80\x80",		/* U+E000, right after surrogates */
		"a..b", "a.", "x y", "a:b", "~", "-",
		"0",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (!name_ok(good[i]))
			fail_msg("refused good name \"%s\"", good[i]);
}

static void
test_name_length(void **state)
{
	char	s[FSX_NAME_MAX + 2];
	char	u[FSX_NAME_MAX + 2];
	size_t	i;

	(void)state;
	memset(s, 'a', sizeof(s));
	assert_true(fsx_name_ok(s, FSX_NAME_MAX));
	assert_false(fsx_name_ok(s, FSX_NAME_MAX + 1));
	assert_false(fsx_name_ok(s, 300));
	/* The limit is in bytes: 100 two-byte letters fit, 101 do not. */
	memset(u, 0, sizeof(u));
	for (i = 0; i < FSX_NAME_MAX; i += 2) {
		u[i] = '\xc3';
		u[i + 1] = '\xa9';
	}
	assert_true(fsx_name_ok(u, FSX_NAME_MAX));
	assert_false(fsx_name_ok(u, FSX_NAME_MAX - 1));	/* cut in half */
}

static void
test_utf8(void **state)
{
	(void)state;
	assert_true(fsx_utf8_ok("", 0));
	assert_true(fsx_utf8_ok("plain", 5));
	assert_true(fsx_utf8_ok("\xc2\x80", 2));
	assert_true(fsx_utf8_ok("\xe0\xa0\x80", 3));
	assert_true(fsx_utf8_ok("\xf0\x90\x80\x80", 4));
	assert_false(fsx_utf8_ok("\xc2\x80", 1));
	assert_false(fsx_utf8_ok("\xe0\x9f\xbf", 3));
	assert_false(fsx_utf8_ok("\xf0\x8f\xbf\xbf", 4));
	/* The control bytes are fine UTF-8; only the name gate refuses. */
	assert_true(fsx_utf8_ok("\x01", 1));
}

/* Number of entries of dir other than . and .. */
static int
count_entries(const char *dir)
{
	DIR		*d;
	struct dirent	*de;
	int		 n = 0;

	if ((d = opendir(dir)) == NULL)
		fail_msg("opendir %s", dir);
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static void
test_write_atomic(void **state)
{
	char		*dir = *state, *data, *path;
	size_t		 len;
	struct stat	 st;
	mode_t		 old;

	old = umask(022);
	assert_int_equal(fsx_write_atomic(dir, "dev.json", "first", 5, 0640),
	    0);
	data = tu_read(dir, "dev.json", &len);
	assert_non_null(data);
	assert_int_equal(len, 5);
	assert_memory_equal(data, "first", 5);
	free(data);
	path = tu_path(dir, "dev.json");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0640);
	/* Replacing: the new content whole, shorter than the old one. */
	assert_int_equal(fsx_write_atomic(dir, "dev.json", "2nd", 3, 0640), 0);
	data = tu_read(dir, "dev.json", &len);
	assert_int_equal(len, 3);
	assert_memory_equal(data, "2nd", 3);
	free(data);
	/* Empty data is a valid file. */
	assert_int_equal(fsx_write_atomic(dir, "empty", "", 0, 0600), 0);
	data = tu_read(dir, "empty", &len);
	assert_non_null(data);
	assert_int_equal(len, 0);
	free(data);
	/* No temporary file is left behind. */
	assert_int_equal(count_entries(dir), 2);
	free(path);
	umask(old);
}

static void
test_write_atomic_large(void **state)
{
	char	*dir = *state, *in, *data;
	size_t	 n = 3 * 1024 * 1024 + 17, len, i;

	if ((in = malloc(n)) == NULL)
		fail();
	for (i = 0; i < n; i++)
		in[i] = (char)(i * 31 + (i >> 9));
	assert_int_equal(fsx_write_atomic(dir, "big", in, n, 0600), 0);
	data = tu_read(dir, "big", &len);
	assert_int_equal(len, n);
	assert_memory_equal(data, in, n);
	assert_int_equal(count_entries(dir), 1);
	free(data);
	free(in);
}

#define WRITERS		4
#define WRITES		5
#define PAYLOAD		(256 * 1024)

struct writer {
	const char	*dir;
	char		 fill;
	int		 failures;
};

static void *
writer_run(void *arg)
{
	struct writer	*w = arg;
	char		*data;
	int		 i;

	if ((data = malloc(PAYLOAD)) == NULL) {
		w->failures++;
		return NULL;
	}
	memset(data, w->fill, PAYLOAD);
	for (i = 0; i < WRITES; i++)
		if (fsx_write_atomic(w->dir, "same-device.json", data,
		    PAYLOAD, 0600) != 0)
			w->failures++;
	free(data);
	return NULL;
}

static void
test_write_atomic_concurrent(void **state)
{
	struct writer	 w[WRITERS];
	pthread_t	 th[WRITERS];
	char		*dir = *state, *data;
	size_t		 len, i;
	int		 k;

	/* Posts of the same device at once never mix their contents. */
	for (k = 0; k < WRITERS; k++) {
		w[k].dir = dir;
		w[k].fill = (char)('A' + k);
		w[k].failures = 0;
		assert_int_equal(pthread_create(&th[k], NULL, writer_run,
		    &w[k]), 0);
	}
	for (k = 0; k < WRITERS; k++) {
		assert_int_equal(pthread_join(th[k], NULL), 0);
		assert_int_equal(w[k].failures, 0);
	}
	data = tu_read(dir, "same-device.json", &len);
	assert_non_null(data);
	assert_int_equal(len, PAYLOAD);
	assert_true(data[0] >= 'A' && data[0] < 'A' + WRITERS);
	for (i = 1; i < len; i++)
		if (data[i] != data[0])
			fail_msg("mixed contents at byte %zu", i);
	free(data);
	assert_int_equal(count_entries(dir), 1);
}

static void
test_write_atomic_refused(void **state)
{
	char	*dir = *state, *missing;
	char	 longname[FSX_NAME_MAX + 80];

	assert_int_equal(fsx_write_atomic(dir, "a/b", "x", 1, 0600),
	    ERR_UNSAFE);
	assert_int_equal(fsx_write_atomic(dir, "../escape", "x", 1, 0600),
	    ERR_UNSAFE);
	assert_int_equal(fsx_write_atomic(dir, ".hidden", "x", 1, 0600),
	    ERR_UNSAFE);
	assert_int_equal(fsx_write_atomic(dir, ".", "x", 1, 0600),
	    ERR_UNSAFE);
	assert_int_equal(fsx_write_atomic(dir, "..", "x", 1, 0600),
	    ERR_UNSAFE);
	assert_int_equal(fsx_write_atomic(dir, "", "x", 1, 0600),
	    ERR_UNSAFE);
	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_int_equal(fsx_write_atomic(dir, longname, "x", 1, 0600),
	    ERR_TOO_BIG);
	assert_int_equal(count_entries(dir), 0);
	missing = tu_path(dir, "missing");
	assert_int_equal(fsx_write_atomic(missing, "x", "x", 1, 0600),
	    ERR_SYSTEM);
	free(missing);
	assert_int_equal(count_entries(dir), 0);
}

static void
test_is_dir(void **state)
{
	char *dir = *state, *file;

	assert_true(fsx_is_dir(dir));
	assert_int_equal(fsx_write_atomic(dir, "f", "x", 1, 0600), 0);
	file = tu_path(dir, "f");
	assert_false(fsx_is_dir(file));
	free(file);
	assert_false(fsx_is_dir(""));
	assert_false(fsx_is_dir(NULL));
	assert_false(fsx_is_dir("/nonexistent/passeur"));
}

#define T(fn)	cmocka_unit_test_setup_teardown(fn, tu_setup_dir, tu_teardown_dir)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name_refused),
		cmocka_unit_test(test_name_nul),
		cmocka_unit_test(test_name_accepted),
		cmocka_unit_test(test_name_length),
		cmocka_unit_test(test_utf8),
		T(test_write_atomic),
		T(test_write_atomic_large),
		T(test_write_atomic_concurrent),
		T(test_write_atomic_refused),
		T(test_is_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
