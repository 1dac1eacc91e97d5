/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What a GLPI JSON message is, from its "action": an inventory that GLPI
 * imports, or a control message of a conversation with the server.
 *
 * The proxy keeps only inventories in local_store (a control message is
 * an answer the agent waits for now; replayed later by `passeur inject`
 * it would mean nothing, or worse), and the injector skips control
 * messages it finds in a folder.  Both ask here, so they always agree.
 * Pure functions, any thread.
 */
#ifndef PASSEUR_COMMON_ACTION_H
#define PASSEUR_COMMON_ACTION_H

/*
 * True for the actions that carry an inventory: inventory (also a missing
 * or empty action, its default), netdiscovery, netinventory, esx and
 * injector.  False for every other one: contact, get_params, register,
 * configuration, the task messages (collect, deploy, wakeonlan...) and
 * actions this version does not know.
 */
int	action_is_inventory(const char *action);

#endif
