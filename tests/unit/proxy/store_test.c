/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * store: device ids become file names in local_store, or are refused
 * before anything is written.
 */
#include "../testutil.h"

#include <dirent.h>
#include <string.h>

#include "common/err.h"
#include "proxy/store.h"

static int
entries(const char *dir)
{
	DIR		*d;
	struct dirent	*e;
	int		 n = 0;

	if ((d = opendir(dir)) == NULL)
		fail();
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

/*
 * The longest id with the longest suffix an inventory gets is stored; a
 * name whose temporary form would pass NAME_MAX is ERR_TOO_BIG (the
 * agent is answered 400, not 500 from ENAMETOOLONG, and nothing is
 * written).
 */
static void
test_name_lengths(void **state)
{
	const char	*dir = *state;
	char		 id[256], suffix[64];

	(void)state;
	memset(id, 'a', 200);
	id[200] = '\0';
	assert_int_equal(store_save(dir, id, ".netinventory.partial.json",
	    "{}", 2), 0);
	assert_int_equal(entries(dir), 1);
	/* 200 + 41 = STORE_NAME_MAX: the last that fits. */
	memset(suffix, 'b', 41);
	suffix[0] = '.';
	suffix[41] = '\0';
	assert_int_equal(strlen(id) + strlen(suffix), STORE_NAME_MAX);
	assert_int_equal(store_save(dir, id, suffix, "{}", 2), 0);
	assert_int_equal(entries(dir), 2);
	suffix[41] = 'b';
	suffix[42] = '\0';
	assert_int_equal(store_save(dir, id, suffix, "{}", 2), ERR_TOO_BIG);
	memset(suffix, 'c', 60);
	suffix[0] = '.';
	suffix[60] = '\0';
	assert_int_equal(store_save(dir, id, suffix, "{}", 2), ERR_TOO_BIG);
	assert_int_equal(entries(dir), 2);
	/* Ids that cannot be names stay ERR_UNSAFE. */
	memset(id, 'a', 201);
	id[201] = '\0';
	assert_int_equal(store_save(dir, id, ".json", "{}", 2), ERR_UNSAFE);
	assert_int_equal(store_save(dir, "../x", ".json", "{}", 2),
	    ERR_UNSAFE);
	assert_int_equal(entries(dir), 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_name_lengths,
		    tu_setup_dir, tu_teardown_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
