/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * action: which JSON actions are inventories (stored, injected) and which
 * are control messages (neither).
 */
#include "../testutil.h"

#include "common/action.h"

static void
test_inventories(void **state)
{
	const char *const yes[] = { "inventory", "netdiscovery",
	    "netinventory", "esx", "injector", "", NULL };
	int i;

	(void)state;
	assert_true(action_is_inventory(NULL));
	for (i = 0; yes[i] != NULL; i++)
		assert_true(action_is_inventory(yes[i]));
}

static void
test_control_messages(void **state)
{
	const char *const no[] = { "contact", "get_params", "register",
	    "configuration", "collect", "deploy", "wakeonlan", "Inventory",
	    "inventory ", "other", NULL };
	int i;

	(void)state;
	for (i = 0; no[i] != NULL; i++)
		assert_false(action_is_inventory(no[i]));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inventories),
		cmocka_unit_test(test_control_messages),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
