/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * passeur glpi: the GLPI access of a management platform (database and
 * REST API), and the checks of its prerequisites.
 */
#ifndef PASSEUR_GLPI_GLPI_H
#define PASSEUR_GLPI_GLPI_H

int	glpi_main(int argc, char **argv);

#endif
