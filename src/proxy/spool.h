/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The spool: the folder where every inventory to forward waits, on disk,
 * from the moment it is acknowledged until an upstream has it.
 *
 * One item is two files named after its id, 16 hexadecimal digits that
 * sort in arrival order: <id>.body, the body as the agent sent it on the
 * wire (still compressed), and <id>.meta, "key: value" lines a person can
 * read (device, agent, action, content type, proxy id chain, received
 * time, attempts, next attempt, last error, and the size and CRC-32 of
 * the body).  Both are written under a temporary name (".<id>.*.tmp")
 * and renamed; the meta file comes last and makes the item.  Items that
 * upstream refuses for good move to failed/ with <id>.reason beside them.
 *
 * Group commit: spool_add() returns once the item is durable, and the
 * writers that arrive while one syncfs(2) runs share the next one, so
 * that many inventories cost one flush of the file system.  An item is
 * acknowledged only after that flush: one found at start-up whose body
 * does not match its meta was never acknowledged, and is removed.
 *
 * Threads: spool_add() from the listener's workers, the other calls from
 * the deliverer and the forwarder's workers; one mutex guards the ids and
 * the flush, file operations run outside it.  Ownership: the caller owns
 * every struct spool_item and frees its strings with spool_item_clear().
 */
#ifndef PASSEUR_PROXY_SPOOL_H
#define PASSEUR_PROXY_SPOOL_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/uuid.h"

#define SPOOL_ID_LEN	16
/*
 * In the folder beside the items: the lock a daemon holds for its whole
 * life (statedir_lock()), and the folder of requests of `passeur spool`
 * to that daemon (spool_ctl.h).
 */
#define SPOOL_LOCK	"spool.lock"
#define SPOOL_CTL_DIR	"ctl"
/* The meta file is small; a proxy chain of a thousand ids fits. */
#define SPOOL_META_MAX	(128 * 1024)
/* A longer User-Agent is kept (and sent on) cut to this length. */
#define SPOOL_UA_MAX	512

enum spool_kind { SPOOL_JSON, SPOOL_XML };

struct spool;

struct spool_item {
	char		 id[SPOOL_ID_LEN + 1];
	enum spool_kind	 kind;
	int		 instance;		/* 0: proxy, 1: proxy2 */
	char		 device[256];
	char		 agent[UUID_STRLEN + 1];	/* "" for XML */
	char		 reqid[REQID_STRLEN + 1];	/* "" for XML */
	char		 action[40];
	char		 ctype[128];		/* as the agent sent it */
	char		*user_agent;		/* owned, may be NULL */
	char		*proxy_ids;		/* owned: the chain to send */
	long long	 received_ms;		/* Unix time, milliseconds */
	long long	 next_ms;		/* next attempt, 0: at once */
	long		 attempts;		/* failed so far */
	int		 targets_done;		/* servers that have it */
	int		 full;			/* a full inventory */
	char		 last_error[800];	/* "server<N>: " + reason */
	size_t		 body_size;
	uint32_t	 body_crc;
};

/* 1 when id is an item id: 16 hexadecimal digits, lower case. */
int	spool_id_ok(const char *id);

/*
 * Opens the spool folder dir (made, with failed/ and ctl/, when missing) and
 * recovers it: temporary files and items never acknowledged are removed,
 * one log line each.  *countp gets the items that wait.  ERR_SYSTEM with
 * errno set when the folder cannot be used.
 */
int	spool_open(struct spool **spp, const char *dir, size_t *countp);
/*
 * Opens an existing spool folder to read it, as `passeur spool` does
 * beside a running daemon: nothing is made, recovered or removed.
 */
int	spool_peek(struct spool **spp, const char *dir);
void	spool_close(struct spool *sp);
/* The most bytes of bodies the spool takes; 0: the file system's 90%. */
void	spool_set_limit(struct spool *sp, uint64_t max_bytes);
const char *spool_dir(const struct spool *sp);

/*
 * Writes a new item: gives it its id (it->id) and body size and CRC,
 * writes body and meta, and returns once both are durable.  ERR_TOO_BIG,
 * before anything is written, when the bodies of the spool would pass
 * max_bytes (spool_set_limit) or its file system is 90% full (blocks
 * or inodes); ERR_SYSTEM (errno set, ENOSPC for a full disk) when the
 * write fails: nothing is left behind then.
 */
int	spool_add(struct spool *sp, struct spool_item *it, const void *body,
	    size_t len);

/* Reads item id: its meta into *it and, when body is not NULL, its body. */
int	spool_load(struct spool *sp, const char *id, struct spool_item *it,
	    struct buf *body);
/* As spool_load(), of an item in failed/, with its reason (caller frees). */
int	spool_load_failed(struct spool *sp, const char *id,
	    struct spool_item *it, char **reasonp);
/* Replaces the meta of it (attempts, next attempt, last error). */
int	spool_update(struct spool *sp, const struct spool_item *it);
/* Forgets a delivered item. */
int	spool_remove(struct spool *sp, const char *id);
/*
 * Moves it to failed/, with reason in failed/<id>.reason.  When that
 * fails (a full disk), the item is left whole in the spool.
 */
int	spool_fail(struct spool *sp, const struct spool_item *it,
	    const char *reason);

/*
 * The ids greater than after ("" for all), smallest first: at most max
 * of them into ids; *morep is 1 when more were left out.
 */
int	spool_list(struct spool *sp, const char *after,
	    char (*ids)[SPOOL_ID_LEN + 1], size_t max, size_t *np, int *morep);

/* As spool_list(), of the items in failed/. */
int	spool_list_failed(struct spool *sp, const char *after,
	    char (*ids)[SPOOL_ID_LEN + 1], size_t max, size_t *np, int *morep);

/*
 * What `passeur spool retry | drop` does to an item, in the daemon's
 * deliverer or, with no daemon, in the command under the spool's lock.
 * Each fills *it with the item (caller clears) and returns ERR_NOT_FOUND
 * when id is not where it looks.
 *
 * spool_retry_now(): a waiting item's next attempt is now (its meta
 * rewritten when it was later).  spool_restore(): an item of failed/
 * goes back into the spool with no attempt counted and no reason, due
 * now; its last error is copied into last_error first, for the log.
 * spool_drop(): a waiting item is removed.  spool_drop_failed(): an item
 * of failed/ is removed, its reason into *reasonp (caller frees).
 */
int	spool_retry_now(struct spool *sp, const char *id,
	    struct spool_item *it);
int	spool_restore(struct spool *sp, const char *id, struct spool_item *it,
	    char *last_error, size_t lelen);
int	spool_drop(struct spool *sp, const char *id, struct spool_item *it);
int	spool_drop_failed(struct spool *sp, const char *id,
	    struct spool_item *it, char **reasonp);

/*
 * What the folder holds: items and the bytes of their bodies, items in
 * failed/, and the id of the oldest item ("" when none).
 */
struct spool_stats {
	size_t		items, failed;
	uint64_t	bytes;
	char		oldest[SPOOL_ID_LEN + 1];
};
int	spool_stats(struct spool *sp, struct spool_stats *st);
/* The Unix time in milliseconds an id was given at. */
long long spool_id_ms(const char *id);

/*
 * Items that wait and the bytes of their bodies, counted as they come
 * and go (no walk of the folder): for the admin listener.
 */
void	spool_gauges(struct spool *sp, size_t *itemsp, uint64_t *bytesp);
/*
 * 0 when the spool can take an item now; otherwise why not: its folder
 * gone, replaced or not writable (ERR_INVALID); spool_max_size reached,
 * or a refusal for size since the last item left, or a file system 90%
 * full (ERR_TOO_BIG).
 */
int	spool_check(struct spool *sp, char *why, size_t whylen);

/* Flushes made and items they made durable, since the spool opened. */
void	spool_counts(struct spool *sp, unsigned long *flushes,
	    unsigned long *items);

/* ms (Unix time, milliseconds) as 2026-01-01T00:00:00Z; "-" for none. */
void	spool_when(char *out, size_t outlen, long long ms);

void	spool_item_clear(struct spool_item *it);

#endif
