/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * collect: which files of a folder an injection sends, in which order.
 */
#include "../testutil.h"

#include "common/err.h"
#include "inject/collect.h"

static void
test_wanted(void **state)
{
	(void)state;
	assert_true(collect_wanted("a.json"));
	assert_true(collect_wanted("a.xml"));
	assert_true(collect_wanted("a.ocs"));
	assert_true(collect_wanted("a.data"));
	assert_true(collect_wanted("pc-2026.partial.json"));
	/* The reference's pattern: case counts, a name before the dot. */
	assert_false(collect_wanted("a.JSON"));
	assert_false(collect_wanted(".json"));
	assert_false(collect_wanted("a.json.gz"));
	assert_false(collect_wanted("a.jsonx"));
	assert_false(collect_wanted("json"));
}

/* The paths collected, relative to dir, joined by spaces. */
static void
collected(const char *dir, const struct items *it, char *out, size_t outlen)
{
	size_t i, n = 0, dl = strlen(dir);

	out[0] = '\0';
	for (i = 0; i < it->n; i++) {
		assert_memory_equal(it->v[i].path, dir, dl);
		n += (size_t)snprintf(out + n, outlen - n, "%s%s",
		    i > 0 ? " " : "", it->v[i].path + dl + 1);
		assert_true(n < outlen);
	}
}

static void
make_tree(const char *dir)
{
	char *sub;

	tu_write_str(dir, "b.json", "{}");
	tu_write_str(dir, "a.xml", "<x/>");
	tu_write_str(dir, "C.ocs", "<x/>");
	tu_write_str(dir, "notes.txt", "x");
	tu_write_str(dir, "z.JSON", "{}");
	tu_mkdir(dir, "sub");
	sub = tu_path(dir, "sub");
	tu_write_str(sub, "c.data", "{}");
	tu_write_str(sub, "d.bak", "{}");
	tu_mkdir(sub, "deeper");
	free(sub);
}

static void
test_flat_sorted(void **state)
{
	struct items	it = { 0 };
	char		why[256], got[1024];

	make_tree(*state);
	assert_int_equal(collect_dir(&it, *state, 0, why, sizeof(why)), 0);
	collected(*state, &it, got, sizeof(got));
	/* Byte order: upper case first; sub-folders not walked. */
	assert_string_equal(got, "C.ocs a.xml b.json");
	assert_int_equal(it.skipped, 2);
	assert_int_equal(it.bytes, 4 + 4 + 2);
	collect_free(&it);
}

static void
test_recursive(void **state)
{
	struct items	it = { 0 };
	char		why[256], got[1024];

	make_tree(*state);
	assert_int_equal(collect_dir(&it, *state, 1, why, sizeof(why)), 0);
	collected(*state, &it, got, sizeof(got));
	assert_string_equal(got, "C.ocs a.xml b.json sub/c.data");
	assert_int_equal(it.skipped, 3);
	collect_free(&it);
}

static void
test_link_loop(void **state)
{
	struct items	 it = { 0 };
	char		 why[256], got[1024], *sub, *link;

	make_tree(*state);
	sub = tu_path(*state, "sub");
	link = tu_path(sub, "up");
	assert_int_equal(symlink("..", link), 0);
	free(link);
	/* And a link beside sub to it: sub is walked once, first by name. */
	link = tu_path(*state, "the-link");
	assert_int_equal(symlink("sub", link), 0);
	assert_int_equal(collect_dir(&it, *state, 1, why, sizeof(why)), 0);
	collected(*state, &it, got, sizeof(got));
	/* Neither the link back to the top nor the second way in. */
	assert_string_equal(got, "C.ocs a.xml b.json sub/c.data");
	collect_free(&it);
	free(link);
	free(sub);
}

static void
test_missing_folder(void **state)
{
	struct items	 it = { 0 };
	char		 why[256], *gone = tu_path(*state, "gone");

	assert_int_equal(collect_dir(&it, gone, 1, why, sizeof(why)),
	    ERR_SYSTEM);
	assert_non_null(strstr(why, "cannot read folder"));
	assert_non_null(strstr(why, gone));
	assert_int_equal(it.n, 0);
	collect_free(&it);
	free(gone);
}

static void
test_many(void **state)
{
	struct items	it = { 0 };
	char		why[256], name[32];
	int		i;

	for (i = 0; i < 3000; i++) {
		snprintf(name, sizeof(name), "%05d.json", 2999 - i);
		tu_write_str(*state, name, "{}");
	}
	assert_int_equal(collect_dir(&it, *state, 0, why, sizeof(why)), 0);
	assert_int_equal(it.n, 3000);
	for (i = 1; i < 3000; i++)
		assert_true(strcmp(it.v[i - 1].path, it.v[i].path) < 0);
	collect_free(&it);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wanted),
		cmocka_unit_test_setup_teardown(test_flat_sorted, tu_setup_dir,
		    tu_teardown_dir),
		cmocka_unit_test_setup_teardown(test_recursive, tu_setup_dir,
		    tu_teardown_dir),
		cmocka_unit_test_setup_teardown(test_link_loop, tu_setup_dir,
		    tu_teardown_dir),
		cmocka_unit_test_setup_teardown(test_missing_folder, tu_setup_dir,
		    tu_teardown_dir),
		cmocka_unit_test_setup_teardown(test_many, tu_setup_dir, tu_teardown_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
