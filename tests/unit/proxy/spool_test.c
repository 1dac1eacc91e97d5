/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * spool: items are written whole and read back, listed in arrival order
 * within a bounded list, moved to failed/ with their reason, and a crash's
 * leftovers are removed when the spool opens again.
 */
#include "../testutil.h"

#include <dirent.h>
#include <string.h>

#include "common/err.h"
#include "proxy/spool.h"

static void
item_init(struct spool_item *it, const char *device)
{
	memset(it, 0, sizeof(*it));
	it->kind = SPOOL_JSON;
	snprintf(it->device, sizeof(it->device), "%s", device);
	snprintf(it->action, sizeof(it->action), "inventory");
	snprintf(it->ctype, sizeof(it->ctype), "application/x-compress-zlib");
	it->proxy_ids = strdup("11111111-2222-4333-8444-555555555555");
	/* A control character must not break the one-line format. */
	it->user_agent = strdup("agent\nv1");
}

static void
put(const char *dir, const char *name, const char *text)
{
	char	path[PATH_MAX];
	FILE	*f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "w")) == NULL)
		fail();
	fputs(text, f);
	fclose(f);
}

static int
exists(const char *dir, const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return access(path, F_OK) == 0;
}

static void
test_add_load_list(void **state)
{
	const char		*dir = *state;
	struct spool		*sp;
	struct spool_item	 it[3], back;
	struct buf		 body;
	char			 ids[2][SPOOL_ID_LEN + 1], after[SPOOL_ID_LEN + 1];
	unsigned long		 flushes, items;
	size_t			 n, count;
	int			 i, more;

	assert_int_equal(spool_open(&sp, dir, &count), 0);
	assert_int_equal(count, 0);
	for (i = 0; i < 3; i++) {
		item_init(&it[i], i == 1 ? "pc-2" : "pc-1");
		assert_int_equal(spool_add(sp, &it[i], "body\0x", 6), 0);
		assert_int_equal(strlen(it[i].id), SPOOL_ID_LEN);
		if (i > 0)
			assert_true(strcmp(it[i - 1].id, it[i].id) < 0);
	}
	spool_counts(sp, &flushes, &items);
	assert_int_equal(items, 3);
	assert_true(flushes >= 1 && flushes <= 3);
	assert_int_equal(spool_load(sp, it[1].id, &back, &body), 0);
	assert_string_equal(back.device, "pc-2");
	assert_string_equal(back.user_agent, "agent?v1");
	assert_string_equal(back.proxy_ids, it[1].proxy_ids);
	assert_int_equal(body.len, 6);
	assert_memory_equal(body.data, "body\0x", 6);
	buf_free(&body);
	spool_item_clear(&back);
	/* A bounded list, smallest first, and where the next one starts. */
	assert_int_equal(spool_list(sp, "", ids, 2, &n, &more), 0);
	assert_int_equal(n, 2);
	assert_true(more);
	assert_string_equal(ids[0], it[0].id);
	assert_string_equal(ids[1], it[1].id);
	memcpy(after, ids[1], sizeof(after));
	assert_int_equal(spool_list(sp, after, ids, 2, &n, &more), 0);
	assert_int_equal(n, 1);
	assert_false(more);
	assert_string_equal(ids[0], it[2].id);
	/* Attempts are kept; a removed item is gone. */
	it[0].attempts = 2;
	snprintf(it[0].last_error, sizeof(it[0].last_error), "HTTP 503");
	assert_int_equal(spool_update(sp, &it[0]), 0);
	assert_int_equal(spool_load(sp, it[0].id, &back, NULL), 0);
	assert_int_equal(back.attempts, 2);
	assert_string_equal(back.last_error, "HTTP 503");
	spool_item_clear(&back);
	assert_int_equal(spool_remove(sp, it[2].id), 0);
	assert_int_equal(spool_load(sp, it[2].id, &back, NULL), ERR_NOT_FOUND);
	spool_close(sp);
	for (i = 0; i < 3; i++)
		spool_item_clear(&it[i]);
	/* Reopened: what was left is found again. */
	assert_int_equal(spool_open(&sp, dir, &count), 0);
	assert_int_equal(count, 2);
	spool_close(sp);
}

static void
test_fail_moves_with_reason(void **state)
{
	const char		*dir = *state;
	struct spool		*sp;
	struct spool_item	 it;
	char			 failed[PATH_MAX], name[64];
	size_t			 count;

	assert_int_equal(spool_open(&sp, dir, &count), 0);
	item_init(&it, "pc-1");
	assert_int_equal(spool_add(sp, &it, "x", 1), 0);
	assert_int_equal(spool_fail(sp, &it, "server0: HTTP 400"), 0);
	snprintf(failed, sizeof(failed), "%s/failed", dir);
	snprintf(name, sizeof(name), "%s.reason", it.id);
	assert_true(exists(failed, name));
	snprintf(name, sizeof(name), "%s.meta", it.id);
	assert_true(exists(failed, name));
	assert_false(exists(dir, name));
	snprintf(name, sizeof(name), "%s.body", it.id);
	assert_true(exists(failed, name));
	assert_false(exists(dir, name));
	spool_item_clear(&it);
	spool_close(sp);
}

/*
 * What a crash leaves: temporary files, a body alone, an item whose body
 * does not match its meta (its flush never completed).  All removed; a
 * whole item stays.
 */
static void
test_recovery(void **state)
{
	const char		*dir = *state;
	struct spool		*sp;
	struct spool_item	 it;
	char			 name[64];
	size_t			 count;

	assert_int_equal(spool_open(&sp, dir, &count), 0);
	item_init(&it, "pc-1");
	assert_int_equal(spool_add(sp, &it, "whole", 5), 0);
	spool_close(sp);
	put(dir, ".0000000000000001.body.tmp", "half");
	put(dir, "0000000000000002.body", "alone");
	put(dir, "0000000000000003.body", "shor");
	put(dir, "0000000000000003.meta", "id: 0000000000000003\n"
	    "body-size: 5\nbody-crc32: 00000000\n");
	put(dir, "0000000000000004.meta", "garbage");
	assert_int_equal(spool_open(&sp, dir, &count), 0);
	assert_int_equal(count, 1);
	assert_false(exists(dir, ".0000000000000001.body.tmp"));
	assert_false(exists(dir, "0000000000000002.body"));
	assert_false(exists(dir, "0000000000000003.body"));
	assert_false(exists(dir, "0000000000000003.meta"));
	assert_false(exists(dir, "0000000000000004.meta"));
	snprintf(name, sizeof(name), "%s.body", it.id);
	assert_true(exists(dir, name));
	/* New ids follow the ones found. */
	spool_item_clear(&it);
	item_init(&it, "pc-1");
	assert_int_equal(spool_add(sp, &it, "next", 4), 0);
	assert_true(strcmp(it.id, "0000000000000004") > 0);
	spool_item_clear(&it);
	spool_close(sp);
}

/*
 * retry and drop: a failed item comes back whole (attempts reset, its
 * last error given back, no reason left), counted again; a waiting item
 * is due now; drops remove one item and count it out.
 */
static void
test_restore_retry_drop(void **state)
{
	const char		*dir = *state;
	struct spool		*sp;
	struct spool_item	 it, back;
	struct buf		 body;
	char			 failed[PATH_MAX], name[64], last[800];
	char			*reason = NULL;
	uint64_t		 bytes;
	size_t			 count, items;

	snprintf(failed, sizeof(failed), "%s/failed", dir);
	assert_int_equal(spool_open(&sp, dir, &count), 0);
	item_init(&it, "pc-1");
	assert_int_equal(spool_add(sp, &it, "abc", 3), 0);
	it.attempts = 2;
	snprintf(it.last_error, sizeof(it.last_error), "server0: HTTP 400");
	assert_int_equal(spool_fail(sp, &it, "server0: HTTP 400"), 0);
	spool_gauges(sp, &items, &bytes);
	assert_int_equal(items, 0);
	assert_int_equal(spool_retry_now(sp, it.id, &back), ERR_NOT_FOUND);
	assert_int_equal(spool_drop(sp, it.id, &back), ERR_NOT_FOUND);

	assert_int_equal(spool_restore(sp, it.id, &back, last, sizeof(last)),
	    0);
	assert_string_equal(last, "server0: HTTP 400");
	assert_int_equal(back.attempts, 0);
	assert_int_equal(back.next_ms, 0);
	assert_string_equal(back.last_error, "");
	spool_item_clear(&back);
	spool_gauges(sp, &items, &bytes);
	assert_int_equal(items, 1);
	assert_int_equal(bytes, 3);
	snprintf(name, sizeof(name), "%s.reason", it.id);
	assert_false(exists(failed, name));
	snprintf(name, sizeof(name), "%s.meta", it.id);
	assert_false(exists(failed, name));
	snprintf(name, sizeof(name), "%s.body", it.id);
	assert_false(exists(failed, name));
	assert_int_equal(spool_load(sp, it.id, &back, &body), 0);
	assert_memory_equal(body.data, "abc", 3);
	buf_free(&body);
	spool_item_clear(&back);
	assert_int_equal(spool_restore(sp, it.id, &back, last, sizeof(last)),
	    ERR_NOT_FOUND);

	/* Due now: the meta says so. */
	back.next_ms = 0;
	assert_int_equal(spool_load(sp, it.id, &back, NULL), 0);
	back.next_ms = 4102444800000LL;
	assert_int_equal(spool_update(sp, &back), 0);
	spool_item_clear(&back);
	assert_int_equal(spool_retry_now(sp, it.id, &back), 0);
	spool_item_clear(&back);
	assert_int_equal(spool_load(sp, it.id, &back, NULL), 0);
	assert_int_equal(back.next_ms, 0);
	spool_item_clear(&back);

	assert_int_equal(spool_drop(sp, it.id, &back), 0);
	assert_string_equal(back.device, "pc-1");
	spool_item_clear(&back);
	spool_gauges(sp, &items, &bytes);
	assert_int_equal(items, 0);
	assert_int_equal(bytes, 0);
	snprintf(name, sizeof(name), "%s.body", it.id);
	assert_false(exists(dir, name));

	/* A failed one, dropped with its reason. */
	spool_item_clear(&it);
	item_init(&it, "pc-2");
	assert_int_equal(spool_add(sp, &it, "de", 2), 0);
	assert_int_equal(spool_fail(sp, &it, "server0: HTTP 404"), 0);
	assert_int_equal(spool_drop_failed(sp, it.id, &back, &reason), 0);
	assert_string_equal(back.device, "pc-2");
	assert_string_equal(reason, "server0: HTTP 404\n");
	free(reason);
	spool_item_clear(&back);
	assert_int_equal(rmdir(failed), 0);	/* empty: nothing left */
	spool_item_clear(&it);
	spool_close(sp);
}

/* A crash in the middle of a restore leaves the item in both folders. */
static void
test_recovery_of_a_restore(void **state)
{
	const char		*dir = *state;
	struct spool		*sp;
	struct spool_item	 it;
	char			 failed[PATH_MAX], name[64];
	char			 path[2][2 * PATH_MAX];
	size_t			 count;
	int			 i;

	snprintf(failed, sizeof(failed), "%s/failed", dir);
	assert_int_equal(spool_open(&sp, dir, &count), 0);
	item_init(&it, "pc-1");
	assert_int_equal(spool_add(sp, &it, "abc", 3), 0);
	assert_int_equal(spool_fail(sp, &it, "server0: HTTP 400"), 0);
	spool_close(sp);
	/* The copy a restore makes before it removes the failed one. */
	for (i = 0; i < 2; i++) {
		snprintf(name, sizeof(name), "%s.%s", it.id, i ? "meta" :
		    "body");
		snprintf(path[0], sizeof(path[0]), "%s/%s", failed, name);
		snprintf(path[1], sizeof(path[1]), "%s/%s", dir, name);
		assert_int_equal(link(path[0], path[1]), 0);
	}
	assert_int_equal(spool_open(&sp, dir, &count), 0);
	assert_int_equal(count, 1);
	snprintf(name, sizeof(name), "%s.meta", it.id);
	assert_true(exists(dir, name));
	assert_false(exists(failed, name));
	snprintf(name, sizeof(name), "%s.reason", it.id);
	assert_false(exists(failed, name));
	spool_item_clear(&it);
	spool_close(sp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_add_load_list,
		    tu_setup_dir, tu_teardown_dir),
		cmocka_unit_test_setup_teardown(test_fail_moves_with_reason,
		    tu_setup_dir, tu_teardown_dir),
		cmocka_unit_test_setup_teardown(test_recovery,
		    tu_setup_dir, tu_teardown_dir),
		cmocka_unit_test_setup_teardown(test_restore_retry_drop,
		    tu_setup_dir, tu_teardown_dir),
		cmocka_unit_test_setup_teardown(test_recovery_of_a_restore,
		    tu_setup_dir, tu_teardown_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
