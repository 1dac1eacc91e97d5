/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * `passeur spool list | show ID | stats | retry | drop`: reads a spool
 * folder (spool.h) beside a running daemon or without one, and changes
 * its items through that daemon or, with none, itself (spool_ctl.h).
 * Main thread only.
 */
#ifndef PASSEUR_PROXY_SPOOL_CMD_H
#define PASSEUR_PROXY_SPOOL_CMD_H

/* argv[0] is "spool"; returns the exit code. */
int	spool_cmd_main(int argc, char **argv);

#endif
