/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * `passeur serve`: command line, start-up, signals and shutdown of the
 * proxy daemon.
 */
#ifndef PASSEUR_PROXY_SERVE_H
#define PASSEUR_PROXY_SERVE_H

int	serve_main(int argc, char **argv);

/*
 * Reads <vardir>/proxy-id, or makes and keeps a new UUID there, so the
 * proxy's identity in GLPI-Proxy-ID survives restarts.
 */
int	serve_proxy_id(const char *vardir, char out[37]);

#endif
