/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <stddef.h>
#include <string.h>

#include "common/action.h"

/* spec/proxy-protocol.md 8.2: the top-level actions of an inventory. */
static const char *const inventory_actions[] = {
	"inventory", "netdiscovery", "netinventory", "esx", "injector", NULL
};

int
action_is_inventory(const char *action)
{
	size_t i;

	if (action == NULL || *action == '\0')
		return 1;
	for (i = 0; inventory_actions[i] != NULL; i++)
		if (strcmp(action, inventory_actions[i]) == 0)
			return 1;
	return 0;
}
