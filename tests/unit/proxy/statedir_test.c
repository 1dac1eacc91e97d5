/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * statedir: the folders `passeur serve` writes to, the state folder's lock
 * and the pid file.
 */
#include "../testutil.h"

#include <sys/stat.h>
#include <unistd.h>

#include "common/err.h"
#include "proxy/statedir.h"

static char *
path_in(const char *dir, const char *name)
{
	char *p;

	if (asprintf(&p, "%s/%s", dir, name) == -1)
		fail();
	return p;
}

static void
test_check(void **state)
{
	const char	*dir = *state;
	char		 why[512], *p;

	/* An existing folder, and one that can be created below it. */
	assert_int_equal(statedir_check(dir, why, sizeof(why)), 0);
	p = path_in(dir, "a/b/c");
	assert_int_equal(statedir_check(p, why, sizeof(why)), 0);
	free(p);
	/* A path under a file. */
	tu_write_str(dir, "file", "x\n");
	p = path_in(dir, "file/store");
	assert_int_equal(statedir_check(p, why, sizeof(why)), ERR_INVALID);
	assert_non_null(strstr(why, "/file is not a folder"));
	free(p);
	/* A file where the folder should be. */
	p = path_in(dir, "file");
	assert_int_equal(statedir_check(p, why, sizeof(why)), ERR_INVALID);
	assert_non_null(strstr(why, "is not a folder"));
	free(p);
}

static void
test_make(void **state)
{
	const char	*dir = *state;
	char		 why[512], *p;
	struct stat	 st;

	p = path_in(dir, "x/y/z");
	assert_int_equal(statedir_make(p, NULL, why, sizeof(why)), 0);
	assert_int_equal(stat(p, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0750);
	/* Again: nothing to do. */
	assert_int_equal(statedir_make(p, NULL, why, sizeof(why)), 0);
	free(p);
	tu_write_str(dir, "file", "x\n");
	p = path_in(dir, "file/store");
	assert_int_not_equal(statedir_make(p, NULL, why, sizeof(why)), 0);
	assert_non_null(strstr(why, "a file is in the way"));
	free(p);
}

static void
test_lock(void **state)
{
	const char	*dir = *state;
	char		 why[512], text[32], *p;
	long		 holder = -1;
	int		 fd, fd2 = 7;
	FILE		*fp;

	assert_int_equal(statedir_lock(dir, STATEDIR_LOCK, &fd, &holder, why,
	    sizeof(why)), 0);
	assert_true(fd >= 0);
	p = path_in(dir, "passeur.lock");
	if ((fp = fopen(p, "r")) == NULL || fgets(text, sizeof(text), fp) ==
	    NULL)
		fail();
	fclose(fp);
	assert_int_equal(strtol(text, NULL, 10), (long)getpid());
	/* flock(2) locks an open file: a second one conflicts. */
	assert_int_equal(statedir_lock(dir, STATEDIR_LOCK, &fd2, &holder, why,
	    sizeof(why)), ERR_EXISTS);
	assert_int_equal(fd2, -1);
	assert_int_equal(holder, (long)getpid());
	/* Released with its descriptor. */
	close(fd);
	assert_int_equal(statedir_lock(dir, STATEDIR_LOCK, &fd2, &holder, why,
	    sizeof(why)), 0);
	close(fd2);
	free(p);
}

static void
test_pidfile(void **state)
{
	const char	*dir = *state;
	char		 why[512], text[32], *p;
	FILE		*fp;

	p = path_in(dir, "serve.pid");
	assert_int_equal(statedir_pidfile_write(p, why, sizeof(why)), 0);
	if ((fp = fopen(p, "r")) == NULL || fgets(text, sizeof(text), fp) ==
	    NULL)
		fail();
	fclose(fp);
	assert_int_equal(strtol(text, NULL, 10), (long)getpid());
	free(p);
	p = path_in(dir, "missing/serve.pid");
	assert_int_not_equal(statedir_pidfile_write(p, why, sizeof(why)), 0);
	assert_non_null(strstr(why, "missing/serve.pid"));
	free(p);
}

#define T(fn)	cmocka_unit_test_setup_teardown(fn, tu_setup_dir, \
	tu_teardown_dir)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_check),
		T(test_make),
		T(test_lock),
		T(test_pidfile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
