/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Reader for the agent's configuration file format.
 *
 * The format is the one of glpi-agent's agent.cfg and its plugin files:
 * `key = value` lines, `#` comments, quoted values, and `include "file"` (or
 * `include = file`) which loads a file or every *.cfg of a folder, relative to
 * the including file, each file at most once.  A missing included file is
 * skipped, as the agent does.  conf_read() only splits lines; the callback
 * decides what a key means and reports its own errors.
 */
#ifndef PASSEUR_CONF_H
#define PASSEUR_CONF_H

#include <stddef.h>

/*
 * Called for every assignment, in file order (includes inline).  Returns 0,
 * or non-zero to count an error; reading goes on either way so that every
 * error of a file is shown at once.
 */
typedef int (*conf_cb)(void *arg, const char *key, const char *value,
    const char *file, int line);

/*
 * Reads path and its includes.  Returns 0, ERR_NOT_FOUND if path does not
 * exist, or ERR_SYSTEM if it cannot be read.  *errorsp receives the number of
 * callback errors.
 */
int	conf_read(const char *path, conf_cb cb, void *arg, int *errorsp);

/*
 * Parses a boolean the way its documentation means it: yes/no, true/false,
 * on/off, 1/0 (any case).  Other text falls back to the agent's rule (false
 * when it starts with 0 or ends with "no").  An empty value gives empty_is.
 */
int	conf_bool(const char *value, int empty_is);

/*
 * Steps through a comma list: returns the next item, blanks trimmed, its
 * length in *lenp (0 for an empty item), and moves *pp past it; NULL at
 * the end of the text.
 */
const char	*conf_list_next(const char **pp, size_t *lenp);

/*
 * Parses a boolean for a key of our own tables: yes/no, true/false,
 * on/off, 1/0 (any case); an empty value gives empty_is.  Returns 0, or
 * ERR_INVALID for any other text, which conf_bool() would read by the
 * agent's rule: a typo such as "yse" must not silently mean yes.
 */
int	conf_bool_strict(const char *value, int empty_is, int *out);

/* The valid values of conf_bool_strict(), for error messages. */
#define CONF_BOOL_VALUES	"yes or no (also true/false, on/off, 1/0)"

/*
 * The edit distance (insertions, deletions, substitutions, any case)
 * between a and b, for "did you mean" suggestions; texts longer than 64
 * bytes give a distance larger than any suggestion allows.
 */
int	conf_distance(const char *a, const char *b);

/* Parses a whole decimal number within [min, max]; 0 or ERR_INVALID. */
int	conf_number(const char *value, long long min, long long max,
	    long long *out);

#endif
