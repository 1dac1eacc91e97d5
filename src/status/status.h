/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * `passeur status`: asks the admin listener of a running `passeur serve`
 * (status_ip, status_port, status_tls of the configuration folder) for
 * its summary (/status.json) and prints it as a table or as JSON.
 * Exit status 0 healthy, 1 degraded, 2 unreachable or not configured.
 * Main thread only.
 */
#ifndef PASSEUR_STATUS_STATUS_H
#define PASSEUR_STATUS_STATUS_H

int	status_main(int argc, char **argv);

#endif
