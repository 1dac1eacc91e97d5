/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The last CONTACT answer of each upstream, so that an agent whose
 * CONTACT cannot reach GLPI is answered as GLPI last answered one
 * (branch_glpi), goes on with its tasks and sends its inventory, which
 * the spool keeps until GLPI is back.
 *
 * An entry belongs to one server target: its index in `server` and its
 * URL, both of which must match to be used (a reload that points server0
 * elsewhere does not give the other server's answer).  Only a valid
 * answer is kept: a JSON object with "status": "ok" and a "tasks"
 * object, of at most CONTACTCACHE_MAX_ANSWER bytes.  Each entry is also
 * kept in the state folder, as contact-server<N>.json (a JSON object a
 * person can read: server, url, received, answer), written to a
 * temporary name, fsync'd and renamed, so that a restart while GLPI is
 * down still has it.  The same answer again is written only once an hour
 * (the time it was received is what the log says; thousands of agents
 * contacting at boot must not cost an fsync each).
 *
 * Threads: the forwarder's workers put and get, under one mutex; a file
 * is written outside it.  contactcache_open() and contactcache_free()
 * run on the main thread, before and after every other.
 */
#ifndef PASSEUR_PROXY_CONTACTCACHE_H
#define PASSEUR_PROXY_CONTACTCACHE_H

#include <stddef.h>
#include <time.h>

/* A CONTACT answer is a few hundred bytes; larger is not kept. */
#define CONTACTCACHE_MAX_ANSWER	(64 * 1024)
/* Seconds after which the same answer is written to disk again. */
#define CONTACTCACHE_REFRESH	3600

struct contactcache;

/*
 * A cache kept in folder dir (the state folder, which exists), with the
 * answers its files hold.  A file that cannot be used (unreadable, too
 * large, not one of ours) is logged and left alone.  *ccp gets the cache
 * (caller frees with contactcache_free()); ERR_NOMEM otherwise.
 */
int	contactcache_open(struct contactcache **ccp, const char *dir);
void	contactcache_free(struct contactcache *cc);

/*
 * Keeps answer (len bytes, copied) as the CONTACT answer of server index
 * server at url, received at now.  ERR_TOO_BIG over
 * CONTACTCACHE_MAX_ANSWER, ERR_FORMAT when it is not a valid answer
 * (nothing changes then), ERR_INVALID for an index out of range;
 * ERR_SYSTEM, errno set, when its file could not be written (the answer
 * is kept in memory all the same, and written at the next put).
 */
int	contactcache_put(struct contactcache *cc, int server, const char *url,
	    const char *answer, size_t len, time_t now);

/*
 * A copy of the answer kept for server at url (*answerp, NUL-terminated,
 * caller frees; *lenp its length) and when it was received (*whenp).
 * ERR_NOT_FOUND when there is none for that index and URL; ERR_NOMEM.
 */
int	contactcache_get(struct contactcache *cc, int server, const char *url,
	    char **answerp, size_t *lenp, time_t *whenp);

#endif
