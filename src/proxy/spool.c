/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "common/clock.h"
#include "common/err.h"
#include "common/fsx.h"
#include "common/log.h"
#include "proxy/spool.h"

struct spool {
	char		*dir;
	int		 dfd, failed_dfd;
	pthread_mutex_t	 lock;
	pthread_cond_t	 flushed;
	uint64_t	 last_id;
	/* Group commit: tickets written, flushed; failed flush rounds. */
	uint64_t	 written, synced;
	unsigned long	 fail_rounds;
	int		 flushing;
	int		 writing;	/* writers not yet at the commit */
	uint64_t	 bytes, max_bytes;	/* of the bodies */
	unsigned long	 flushes, items;
	/* Items that wait, and 1 after a refusal for size until one leaves. */
	size_t		 count;
	int		 refused;
};

static int
id_ok(const char *s, size_t len)
{
	size_t i;

	if (len != SPOOL_ID_LEN)
		return 0;
	for (i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

int
spool_id_ok(const char *id)
{
	return id_ok(id, strlen(id));
}

/* The id of "<id><suffix>", or 0 when name is not one. */
static int
name_is(const char *name, const char *suffix, char id[SPOOL_ID_LEN + 1])
{
	size_t n = strlen(name), s = strlen(suffix);

	if (n != SPOOL_ID_LEN + s || strcmp(name + SPOOL_ID_LEN, suffix) != 0 ||
	    !id_ok(name, SPOOL_ID_LEN))
		return 0;
	memcpy(id, name, SPOOL_ID_LEN);
	id[SPOOL_ID_LEN] = '\0';
	return 1;
}

/*
 * Writes dfd/name through a temporary name, without a flush: the group
 * commit (or nothing, for a meta whose loss only repeats an attempt)
 * makes it durable.
 */
static int
put_file(int dfd, const char *name, const void *data, size_t len)
{
	char	tmp[128];
	int	fd, r, saved;

	if ((size_t)snprintf(tmp, sizeof(tmp), ".%s.tmp", name) >= sizeof(tmp))
		return ERR_TOO_BIG;
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
	    O_NOFOLLOW, 0640);
	if (fd == -1)
		return ERR_SYSTEM;
	r = fsx_write_all(fd, data, len);
	saved = errno;
	if (close(fd) == -1 && r == 0) {
		r = ERR_SYSTEM;
		saved = errno;
	}
	if (r == 0 && renameat(dfd, tmp, dfd, name) == -1) {
		r = ERR_SYSTEM;
		saved = errno;
	}
	if (r != 0) {
		unlinkat(dfd, tmp, 0);
		errno = saved;
	}
	return r;
}

/*
 * "key: value\n", control characters of value as '?': they would break
 * the one-line-per-key format.
 */
static int
put_line(struct buf *b, const char *key, const char *value)
{
	const char	*p;
	int		 r;

	if ((r = buf_appendf(b, "%s: ", key)) != 0)
		return r;
	for (p = value != NULL ? value : ""; *p != '\0'; p++)
		if ((r = buf_append(b, (unsigned char)*p < 0x20 || *p == 0x7f ?
		    "?" : p, 1)) != 0)
			return r;
	return buf_append(b, "\n", 1);
}

void
spool_when(char *out, size_t outlen, long long ms)
{
	struct tm	tm;
	time_t		t = (time_t)(ms / 1000);

	if (ms <= 0 || gmtime_r(&t, &tm) == NULL ||
	    strftime(out, outlen, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, outlen, "-");
}

static int
format_meta(const struct spool_item *it, struct buf *b)
{
	char	rcv[32], next[32];
	int	r = 0;

	spool_when(rcv, sizeof(rcv), it->received_ms);
	spool_when(next, sizeof(next), it->next_ms);
	r |= buf_appendf(b, "id: %s\nkind: %s\ninstance: %d\n", it->id,
	    it->kind == SPOOL_JSON ? "json" : "xml", it->instance);
	r |= put_line(b, "device", it->device);
	r |= put_line(b, "agent", it->agent);
	r |= put_line(b, "request-id", it->reqid);
	r |= put_line(b, "action", it->action);
	r |= put_line(b, "content-type", it->ctype);
	r |= put_line(b, "user-agent", it->user_agent);
	r |= put_line(b, "proxy-ids", it->proxy_ids);
	r |= buf_appendf(b, "received: %lld (%s)\n", it->received_ms, rcv);
	r |= buf_appendf(b, "attempts: %ld\n", it->attempts);
	r |= buf_appendf(b, "next-attempt: %lld (%s)\n", it->next_ms, next);
	r |= buf_appendf(b, "servers-done: %d\n", it->targets_done);
	r |= buf_appendf(b, "full: %s\n", it->full ? "yes" : "no");
	r |= put_line(b, "last-error", it->last_error);
	r |= buf_appendf(b, "body-size: %zu\nbody-crc32: %08" PRIx32 "\n",
	    it->body_size, it->body_crc);
	return r != 0 ? ERR_TOO_BIG : 0;
}

static int
put_meta(int dfd, const struct spool_item *it)
{
	struct buf	b;
	char		name[SPOOL_ID_LEN + 8];
	int		r;

	buf_init(&b, SPOOL_META_MAX);
	snprintf(name, sizeof(name), "%s.meta", it->id);
	if ((r = format_meta(it, &b)) == 0)
		r = put_file(dfd, name, b.data, b.len);
	buf_free(&b);
	return r;
}

static void
copy_field(char *dst, size_t dstlen, const char *v)
{
	snprintf(dst, dstlen, "%s", v);
}

static int
parse_meta(char *text, struct spool_item *it)
{
	char	*line, *save = NULL, *v, *end;
	int	 have = 0;

	memset(it, 0, sizeof(*it));
	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if ((v = strstr(line, ": ")) == NULL)
			continue;
		*v = '\0';
		v += 2;
		if (strcmp(line, "id") == 0) {
			if (!id_ok(v, strlen(v)))
				return ERR_FORMAT;
			copy_field(it->id, sizeof(it->id), v);
			have |= 1;
		} else if (strcmp(line, "kind") == 0)
			it->kind = strcmp(v, "xml") == 0 ? SPOOL_XML :
			    SPOOL_JSON;
		else if (strcmp(line, "instance") == 0)
			it->instance = strcmp(v, "1") == 0;
		else if (strcmp(line, "device") == 0)
			copy_field(it->device, sizeof(it->device), v);
		else if (strcmp(line, "agent") == 0)
			copy_field(it->agent, sizeof(it->agent), v);
		else if (strcmp(line, "request-id") == 0)
			copy_field(it->reqid, sizeof(it->reqid), v);
		else if (strcmp(line, "action") == 0)
			copy_field(it->action, sizeof(it->action), v);
		else if (strcmp(line, "content-type") == 0)
			copy_field(it->ctype, sizeof(it->ctype), v);
		else if (strcmp(line, "user-agent") == 0) {
			free(it->user_agent);
			if ((it->user_agent = strdup(v)) == NULL)
				return ERR_NOMEM;
		} else if (strcmp(line, "proxy-ids") == 0) {
			free(it->proxy_ids);
			if ((it->proxy_ids = strdup(v)) == NULL)
				return ERR_NOMEM;
		} else if (strcmp(line, "received") == 0)
			it->received_ms = strtoll(v, NULL, 10);
		else if (strcmp(line, "attempts") == 0)
			it->attempts = strtol(v, NULL, 10);
		else if (strcmp(line, "next-attempt") == 0)
			it->next_ms = strtoll(v, NULL, 10);
		else if (strcmp(line, "servers-done") == 0)
			it->targets_done = (int)strtol(v, NULL, 10);
		else if (strcmp(line, "full") == 0)
			it->full = strcmp(v, "yes") == 0;
		else if (strcmp(line, "last-error") == 0)
			copy_field(it->last_error, sizeof(it->last_error), v);
		else if (strcmp(line, "body-size") == 0) {
			errno = 0;
			it->body_size = (size_t)strtoull(v, &end, 10);
			if (errno != 0 || *end != '\0')
				return ERR_FORMAT;
			have |= 2;
		} else if (strcmp(line, "body-crc32") == 0) {
			it->body_crc = (uint32_t)strtoul(v, &end, 16);
			if (*end != '\0')
				return ERR_FORMAT;
			have |= 4;
		}
	}
	return have == 7 ? 0 : ERR_FORMAT;
}

/* Reads dfd/name whole, at most max bytes, into b. */
static int
read_file_at(int dfd, const char *name, struct buf *b, size_t max)
{
	char	chunk[65536];
	ssize_t	n;
	int	fd, r = 0;

	buf_init(b, max);
	if ((fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1)
		return errno == ENOENT ? ERR_NOT_FOUND : ERR_SYSTEM;
	for (;;) {
		if ((n = read(fd, chunk, sizeof(chunk))) < 0) {
			if (errno == EINTR)
				continue;
			r = ERR_SYSTEM;
			break;
		}
		if (n == 0)
			break;
		if ((r = buf_append(b, chunk, (size_t)n)) != 0)
			break;
	}
	close(fd);
	/* A terminating NUL for the text reader, within max too. */
	if (r == 0 && (r = buf_append(b, "", 1)) == 0)
		b->len--;
	if (r != 0)
		buf_free(b);
	return r;
}

static int
load_at(int dfd, const char *id, struct spool_item *it, struct buf *body)
{
	struct buf	meta;
	char		name[SPOOL_ID_LEN + 8];
	int		r;

	memset(it, 0, sizeof(*it));
	snprintf(name, sizeof(name), "%s.meta", id);
	if ((r = read_file_at(dfd, name, &meta, SPOOL_META_MAX)) != 0)
		return r;
	r = meta.data != NULL ? parse_meta(meta.data, it) : ERR_FORMAT;
	buf_free(&meta);
	if (r == 0 && strcmp(it->id, id) != 0)
		r = ERR_FORMAT;
	if (r != 0 || body == NULL) {
		if (r != 0)
			spool_item_clear(it);
		return r;
	}
	snprintf(name, sizeof(name), "%s.body", id);
	if ((r = read_file_at(dfd, name, body, it->body_size + 1)) != 0) {
		spool_item_clear(it);
		return r == ERR_TOO_BIG ? ERR_FORMAT : r;
	}
	if (body->len != it->body_size || (uint32_t)crc32(0L,
	    (const Bytef *)body->data, (uInt)body->len) != it->body_crc) {
		buf_free(body);
		spool_item_clear(it);
		return ERR_FORMAT;
	}
	return 0;
}

void
spool_item_clear(struct spool_item *it)
{
	free(it->user_agent);
	free(it->proxy_ids);
	it->user_agent = NULL;
	it->proxy_ids = NULL;
}

static void
unlink_item(int dfd, const char *id)
{
	char name[SPOOL_ID_LEN + 8];

	snprintf(name, sizeof(name), "%s.meta", id);
	unlinkat(dfd, name, 0);
	snprintf(name, sizeof(name), "%s.body", id);
	unlinkat(dfd, name, 0);
}

/*
 * Start-up recovery.  A crash leaves temporary files, bodies without a
 * meta, and items whose flush never completed (so never acknowledged):
 * all removed.  The largest id seen keeps new ids increasing.
 */
static int
recover(struct spool *sp, size_t *countp)
{
	struct spool_item	 it;
	struct buf		 body;
	struct dirent		*de;
	DIR			*d;
	char			 id[SPOOL_ID_LEN + 1], name[SPOOL_ID_LEN + 8];
	uint64_t		 v;
	size_t			 len;
	int			 fd, r;

	*countp = 0;
	if ((fd = dup(sp->dfd)) == -1 || (d = fdopendir(fd)) == NULL) {
		if (fd != -1)
			close(fd);
		return ERR_SYSTEM;
	}
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (de->d_name[0] == '.' && len > 4 &&
		    strcmp(de->d_name + len - 4, ".tmp") == 0) {
			if (unlinkat(sp->dfd, de->d_name, 0) == 0)
				log_info("spool %s: removed %s, a temporary "
				    "file left by a crash", sp->dir,
				    de->d_name);
			continue;
		}
		if (name_is(de->d_name, ".body", id)) {
			snprintf(name, sizeof(name), "%s.meta", id);
			if (faccessat(sp->dfd, name, F_OK, 0) == -1 &&
			    errno == ENOENT && unlinkat(sp->dfd, de->d_name, 0)
			    == 0)
				log_info("spool %s: removed %s, a body without "
				    "its meta (never acknowledged)", sp->dir,
				    de->d_name);
			continue;
		}
		if (!name_is(de->d_name, ".meta", id))
			continue;
		if ((r = load_at(sp->dfd, id, &it, &body)) == ERR_NOMEM) {
			closedir(d);
			return r;
		}
		if (r != 0) {
			unlink_item(sp->dfd, id);
			log_info("spool %s: removed item %s, written but never "
			    "made durable (a crash before its answer)",
			    sp->dir, id);
			continue;
		}
		sp->bytes += body.len;
		sp->count++;
		buf_free(&body);
		snprintf(name, sizeof(name), "%s.meta", id);
		if (sp->failed_dfd != -1 && faccessat(sp->failed_dfd, name,
		    F_OK, 0) == 0) {
			unlink_item(sp->failed_dfd, id);
			snprintf(name, sizeof(name), "%s.reason", id);
			(void)unlinkat(sp->failed_dfd, name, 0);
			log_info("spool %s: removed the copy of item %s in "
			    "failed/, left by a crash as it was retried",
			    sp->dir, id);
		}
		spool_item_clear(&it);
		(*countp)++;
		v = strtoull(id, NULL, 16);
		if (v > sp->last_id)
			sp->last_id = v;
	}
	closedir(d);
	return 0;
}

int
spool_open(struct spool **spp, const char *dir, size_t *countp)
{
	struct spool	*sp;
	int		 r, saved;

	*spp = NULL;
	*countp = 0;
	if ((sp = calloc(1, sizeof(*sp))) == NULL)
		return ERR_NOMEM;
	sp->dfd = sp->failed_dfd = -1;
	pthread_mutex_init(&sp->lock, NULL);
	pthread_cond_init(&sp->flushed, NULL);
	if ((sp->dir = strdup(dir)) == NULL) {
		r = ERR_NOMEM;
		goto fail;
	}
	if ((mkdir(dir, 0750) == -1 && errno != EEXIST) ||
	    (sp->dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1 ||
	    (mkdirat(sp->dfd, "failed", 0750) == -1 && errno != EEXIST) ||
	    (sp->failed_dfd = openat(sp->dfd, "failed", O_RDONLY |
	    O_DIRECTORY | O_CLOEXEC)) == -1 ||
	    (mkdirat(sp->dfd, SPOOL_CTL_DIR, 0750) == -1 &&
	    errno != EEXIST)) {
		r = ERR_SYSTEM;
		goto fail;
	}
	if ((r = recover(sp, countp)) != 0)
		goto fail;
	*spp = sp;
	return 0;
fail:
	saved = errno;
	spool_close(sp);
	errno = saved;
	return r;
}

int
spool_peek(struct spool **spp, const char *dir)
{
	struct spool	*sp;
	int		 saved;

	*spp = NULL;
	if ((sp = calloc(1, sizeof(*sp))) == NULL)
		return ERR_NOMEM;
	sp->failed_dfd = -1;
	pthread_mutex_init(&sp->lock, NULL);
	pthread_cond_init(&sp->flushed, NULL);
	if ((sp->dir = strdup(dir)) == NULL) {
		spool_close(sp);
		return ERR_NOMEM;
	}
	if ((sp->dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		saved = errno;
		spool_close(sp);
		errno = saved;
		return ERR_SYSTEM;
	}
	/* failed/ is made by the daemon's first start: it may be missing. */
	sp->failed_dfd = openat(sp->dfd, "failed", O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC);
	*spp = sp;
	return 0;
}

void
spool_close(struct spool *sp)
{
	if (sp == NULL)
		return;
	if (sp->dfd != -1)
		close(sp->dfd);
	if (sp->failed_dfd != -1)
		close(sp->failed_dfd);
	pthread_mutex_destroy(&sp->lock);
	pthread_cond_destroy(&sp->flushed);
	free(sp->dir);
	free(sp);
}

const char *
spool_dir(const struct spool *sp)
{
	return sp->dir;
}

/* The longest a flush waits for writers still writing their files. */
#define LINGER_NS	2000000L

/*
 * Waits until everything written up to now is durable.  The first
 * writer to find no flush running makes one syncfs() for all whose
 * files are written; those arriving meanwhile wait for the next, made
 * by one of them.  Before it flushes, it waits a little (LINGER_NS at
 * most) for the writers still writing, who would need a flush of their
 * own just after.  A failed flush fails every writer that waited for it.
 */
static int
group_commit(struct spool *sp)
{
	struct timespec	until;
	unsigned long	fails;
	uint64_t	ticket, target;
	int		r, rc, saved = 0;

	pthread_mutex_lock(&sp->lock);
	sp->writing--;
	ticket = ++sp->written;
	fails = sp->fail_rounds;
	pthread_cond_broadcast(&sp->flushed);
	for (;;) {
		if (sp->synced >= ticket) {
			r = 0;
			sp->items++;
			break;
		}
		if (sp->fail_rounds != fails) {
			r = ERR_SYSTEM;
			break;
		}
		if (sp->flushing) {
			pthread_cond_wait(&sp->flushed, &sp->lock);
			continue;
		}
		sp->flushing = 1;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += LINGER_NS;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		while (sp->writing > 0 && pthread_cond_timedwait(&sp->flushed,
		    &sp->lock, &until) == 0)
			;
		target = sp->written;
		pthread_mutex_unlock(&sp->lock);
		rc = syncfs(sp->dfd);
		saved = errno;
		pthread_mutex_lock(&sp->lock);
		sp->flushing = 0;
		sp->flushes++;
		if (rc == 0) {
			if (target > sp->synced)
				sp->synced = target;
		} else
			sp->fail_rounds++;
		pthread_cond_broadcast(&sp->flushed);
	}
	pthread_mutex_unlock(&sp->lock);
	if (r != 0)
		errno = saved != 0 ? saved : EIO;
	return r;
}

void
spool_set_limit(struct spool *sp, uint64_t max_bytes)
{
	pthread_mutex_lock(&sp->lock);
	sp->max_bytes = max_bytes;
	pthread_mutex_unlock(&sp->lock);
}

/*
 * 1 when the file system of the spool is 90% full or more: of its
 * blocks, or of its inodes, which run out first on a file system of
 * many small files (a tmpfs or an ext4 made with few inodes), where
 * every new item fails with ENOSPC while blocks are left.  A file
 * system that counts neither (0) is never full by this rule.
 */
static int
fs_full(int dfd)
{
	struct statvfs	vfs;

	if (fstatvfs(dfd, &vfs) == -1)
		return 0;
	if (vfs.f_blocks > 0 && vfs.f_bavail <= vfs.f_blocks &&
	    (vfs.f_blocks - vfs.f_bavail) * 10 >= vfs.f_blocks * 9)
		return 1;
	return vfs.f_files > 0 && vfs.f_favail <= vfs.f_files &&
	    (vfs.f_files - vfs.f_favail) * 10 >= vfs.f_files * 9;
}

/* Counts an item whose body has size bytes out of the spool. */
static void
forget_size(struct spool *sp, uint64_t size)
{
	pthread_mutex_lock(&sp->lock);
	sp->bytes -= size > sp->bytes ? sp->bytes : size;
	if (sp->count > 0)
		sp->count--;
	sp->refused = 0;
	pthread_mutex_unlock(&sp->lock);
}

/* The size of the body of id in the spool; ERR_SYSTEM when it has none. */
static int
body_size(struct spool *sp, const char *id, uint64_t *sizep)
{
	struct stat	sb;
	char		name[SPOOL_ID_LEN + 8];

	*sizep = 0;
	snprintf(name, sizeof(name), "%s.body", id);
	if (fstatat(sp->dfd, name, &sb, 0) == -1)
		return ERR_SYSTEM;
	*sizep = (uint64_t)sb.st_size;
	return 0;
}

/* Counts the body of id out of the spool's bytes, before it leaves. */
static void
forget_bytes(struct spool *sp, const char *id)
{
	uint64_t size;

	if (body_size(sp, id, &size) == 0)
		forget_size(sp, size);
}

int
spool_add(struct spool *sp, struct spool_item *it, const void *body,
    size_t len)
{
	char		name[SPOOL_ID_LEN + 8];
	uint64_t	id;
	int		r, saved;

	if (fs_full(sp->dfd)) {
		pthread_mutex_lock(&sp->lock);
		sp->refused = 1;
		pthread_mutex_unlock(&sp->lock);
		return ERR_TOO_BIG;
	}
	/* Ids follow the clock in nanoseconds and never go back. */
	pthread_mutex_lock(&sp->lock);
	if (sp->max_bytes > 0 && sp->bytes + len > sp->max_bytes) {
		sp->refused = 1;
		pthread_mutex_unlock(&sp->lock);
		return ERR_TOO_BIG;
	}
	sp->bytes += len;
	sp->count++;
	id = (uint64_t)wall_ms() * 1000000ULL;
	if (id <= sp->last_id)
		id = sp->last_id + 1;
	sp->last_id = id;
	sp->writing++;
	pthread_mutex_unlock(&sp->lock);
	snprintf(it->id, sizeof(it->id), "%016" PRIx64, id);
	it->body_size = len;
	it->body_crc = (uint32_t)crc32(0L, (const Bytef *)body, (uInt)len);
	if (it->received_ms == 0)
		it->received_ms = wall_ms();
	snprintf(name, sizeof(name), "%s.body", it->id);
	if ((r = put_file(sp->dfd, name, body, len)) != 0 ||
	    (r = put_meta(sp->dfd, it)) != 0) {
		saved = errno;
		pthread_mutex_lock(&sp->lock);
		sp->writing--;
		pthread_cond_broadcast(&sp->flushed);
		pthread_mutex_unlock(&sp->lock);
		goto fail;
	}
	if ((r = group_commit(sp)) != 0) {
		saved = errno;
		goto fail;
	}
	return 0;
fail:
	unlink_item(sp->dfd, it->id);
	pthread_mutex_lock(&sp->lock);
	sp->bytes -= len;
	sp->count--;
	pthread_mutex_unlock(&sp->lock);
	errno = saved;
	return r;
}

int
spool_load(struct spool *sp, const char *id, struct spool_item *it,
    struct buf *body)
{
	return load_at(sp->dfd, id, it, body);
}

int
spool_load_failed(struct spool *sp, const char *id, struct spool_item *it,
    char **reasonp)
{
	struct buf	reason;
	char		name[SPOOL_ID_LEN + 8];
	int		r;

	*reasonp = NULL;
	if (sp->failed_dfd == -1)
		return ERR_NOT_FOUND;
	if ((r = load_at(sp->failed_dfd, id, it, NULL)) != 0)
		return r;
	snprintf(name, sizeof(name), "%s.reason", id);
	if (read_file_at(sp->failed_dfd, name, &reason, 4096) == 0)
		*reasonp = buf_steal(&reason, NULL);
	return 0;
}

long long
spool_id_ms(const char *id)
{
	return (long long)(strtoull(id, NULL, 16) / 1000000ULL);
}

static int
count_in(int dfd, struct spool_stats *st, int failed)
{
	struct dirent	*de;
	struct stat	 sb;
	DIR		*d;
	char		 id[SPOOL_ID_LEN + 1], name[SPOOL_ID_LEN + 8];
	int		 fd;

	if ((fd = dup(dfd)) == -1 || (d = fdopendir(fd)) == NULL) {
		if (fd != -1)
			close(fd);
		return ERR_SYSTEM;
	}
	while ((de = readdir(d)) != NULL) {
		if (!name_is(de->d_name, ".meta", id))
			continue;
		if (failed) {
			st->failed++;
			continue;
		}
		st->items++;
		snprintf(name, sizeof(name), "%s.body", id);
		if (fstatat(dfd, name, &sb, 0) == 0)
			st->bytes += (uint64_t)sb.st_size;
		if (st->oldest[0] == '\0' || strcmp(id, st->oldest) < 0)
			memcpy(st->oldest, id, sizeof(st->oldest));
	}
	closedir(d);
	return 0;
}

int
spool_stats(struct spool *sp, struct spool_stats *st)
{
	int r;

	memset(st, 0, sizeof(*st));
	if ((r = count_in(sp->dfd, st, 0)) != 0)
		return r;
	if (sp->failed_dfd != -1 && (r = count_in(sp->failed_dfd, st, 1)) != 0)
		return r;
	return 0;
}

int
spool_update(struct spool *sp, const struct spool_item *it)
{
	return put_meta(sp->dfd, it);
}

int
spool_remove(struct spool *sp, const char *id)
{
	char name[SPOOL_ID_LEN + 8];

	forget_bytes(sp, id);
	/* The meta first: a body alone is removed at the next start. */
	snprintf(name, sizeof(name), "%s.meta", id);
	if (unlinkat(sp->dfd, name, 0) == -1 && errno != ENOENT)
		return ERR_SYSTEM;
	snprintf(name, sizeof(name), "%s.body", id);
	if (unlinkat(sp->dfd, name, 0) == -1 && errno != ENOENT)
		return ERR_SYSTEM;
	return 0;
}

/*
 * The reason goes first, then the body, then the meta (the item leaves
 * the spool with it), and the two folders are flushed: an item that
 * failed for good is never found in neither.  On a full disk the reason
 * or the meta cannot be written: the item stays whole in the spool, its
 * old meta in place, to be moved by a later call.  Its bytes leave the
 * spool's count once the item left.
 */
int
spool_fail(struct spool *sp, const struct spool_item *it, const char *reason)
{
	char		name[SPOOL_ID_LEN + 8], text[1024];
	uint64_t	size;
	int		r, sized;

	snprintf(text, sizeof(text), "%s\n", reason);
	snprintf(name, sizeof(name), "%s.reason", it->id);
	if ((r = put_file(sp->failed_dfd, name, text, strlen(text))) != 0 ||
	    (r = put_meta(sp->dfd, it)) != 0)
		return r;
	sized = body_size(sp, it->id, &size) == 0;
	snprintf(name, sizeof(name), "%s.body", it->id);
	if (renameat(sp->dfd, name, sp->failed_dfd, name) == -1)
		return ERR_SYSTEM;
	snprintf(name, sizeof(name), "%s.meta", it->id);
	if (renameat(sp->dfd, name, sp->failed_dfd, name) == -1) {
		/* The body back beside its meta: the item stays whole. */
		snprintf(name, sizeof(name), "%s.body", it->id);
		(void)renameat(sp->failed_dfd, name, sp->dfd, name);
		return ERR_SYSTEM;
	}
	if (sized)
		forget_size(sp, size);
	if (fsync(sp->failed_dfd) == -1 || fsync(sp->dfd) == -1)
		return ERR_SYSTEM;
	return 0;
}

/*
 * Keeps the max smallest ids of the folder greater than after: a sorted
 * array where a smaller id pushes the largest out.  Memory is max ids
 * whatever the size of the spool.
 */
static int
list_in(int dfd, const char *after, char (*ids)[SPOOL_ID_LEN + 1],
    size_t max, size_t *np, int *morep)
{
	struct dirent	*de;
	DIR		*d;
	char		 id[SPOOL_ID_LEN + 1];
	size_t		 n = 0, lo, hi, mid;
	int		 fd;

	*np = 0;
	*morep = 0;
	if (max == 0)
		return ERR_INVALID;
	if ((fd = dup(dfd)) == -1 || (d = fdopendir(fd)) == NULL) {
		if (fd != -1)
			close(fd);
		return ERR_SYSTEM;
	}
	rewinddir(d);
	while ((de = readdir(d)) != NULL) {
		if (!name_is(de->d_name, ".meta", id) ||
		    strcmp(id, after) <= 0)
			continue;
		if (n == max) {
			*morep = 1;
			if (strcmp(id, ids[n - 1]) >= 0)
				continue;
			n--;
		}
		lo = 0;
		hi = n;
		while (lo < hi) {
			mid = (lo + hi) / 2;
			if (strcmp(ids[mid], id) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		memmove(ids[lo + 1], ids[lo], (n - lo) * sizeof(ids[0]));
		memcpy(ids[lo], id, sizeof(id));
		n++;
	}
	closedir(d);
	*np = n;
	return 0;
}

int
spool_list(struct spool *sp, const char *after,
    char (*ids)[SPOOL_ID_LEN + 1], size_t max, size_t *np, int *morep)
{
	return list_in(sp->dfd, after, ids, max, np, morep);
}

int
spool_list_failed(struct spool *sp, const char *after,
    char (*ids)[SPOOL_ID_LEN + 1], size_t max, size_t *np, int *morep)
{
	*np = 0;
	*morep = 0;
	if (sp->failed_dfd == -1)
		return 0;
	return list_in(sp->failed_dfd, after, ids, max, np, morep);
}

int
spool_retry_now(struct spool *sp, const char *id, struct spool_item *it)
{
	int r;

	if ((r = load_at(sp->dfd, id, it, NULL)) != 0)
		return r;
	if (it->next_ms == 0)
		return 0;
	it->next_ms = 0;
	if ((r = put_meta(sp->dfd, it)) != 0)
		spool_item_clear(it);
	return r;
}

/*
 * The item is made whole in the spool before it leaves failed/: its body
 * linked (the same file system), its new meta written, both flushed; a
 * crash in between leaves it in both folders, and the next start removes
 * the copy in failed/ (recover()).  Never in neither.
 */
int
spool_restore(struct spool *sp, const char *id, struct spool_item *it,
    char *last_error, size_t lelen)
{
	struct stat	sb;
	char		name[SPOOL_ID_LEN + 8];
	int		r, saved;

	if (sp->failed_dfd == -1)
		return ERR_NOT_FOUND;
	if ((r = load_at(sp->failed_dfd, id, it, NULL)) != 0)
		return r;
	snprintf(name, sizeof(name), "%s.body", id);
	if (fstatat(sp->failed_dfd, name, &sb, 0) == -1) {
		r = errno == ENOENT ? ERR_FORMAT : ERR_SYSTEM;
		goto fail;
	}
	/* A body left in the spool by a crash of an earlier restore. */
	if (unlinkat(sp->dfd, name, 0) == -1 && errno != ENOENT) {
		r = ERR_SYSTEM;
		goto fail;
	}
	if (linkat(sp->failed_dfd, name, sp->dfd, name, 0) == -1) {
		r = ERR_SYSTEM;
		goto fail;
	}
	snprintf(last_error, lelen, "%s", it->last_error);
	it->attempts = 0;
	it->next_ms = 0;
	it->last_error[0] = '\0';
	if ((r = put_meta(sp->dfd, it)) != 0 || (syncfs(sp->dfd) == -1 &&
	    (r = ERR_SYSTEM) != 0)) {
		saved = errno;
		unlink_item(sp->dfd, id);
		errno = saved;
		goto fail;
	}
	pthread_mutex_lock(&sp->lock);
	sp->bytes += (uint64_t)sb.st_size;
	sp->count++;
	pthread_mutex_unlock(&sp->lock);
	/* The meta first: what is left without it is never an item. */
	snprintf(name, sizeof(name), "%s.meta", id);
	(void)unlinkat(sp->failed_dfd, name, 0);
	snprintf(name, sizeof(name), "%s.reason", id);
	(void)unlinkat(sp->failed_dfd, name, 0);
	snprintf(name, sizeof(name), "%s.body", id);
	(void)unlinkat(sp->failed_dfd, name, 0);
	(void)fsync(sp->failed_dfd);
	return 0;
fail:
	saved = errno;
	spool_item_clear(it);
	errno = saved;
	return r;
}

int
spool_drop(struct spool *sp, const char *id, struct spool_item *it)
{
	int r;

	if ((r = load_at(sp->dfd, id, it, NULL)) != 0)
		return r;
	if ((r = spool_remove(sp, id)) != 0 || (fsync(sp->dfd) == -1 &&
	    (r = ERR_SYSTEM) != 0))
		spool_item_clear(it);
	return r;
}

int
spool_drop_failed(struct spool *sp, const char *id, struct spool_item *it,
    char **reasonp)
{
	char	name[SPOOL_ID_LEN + 8];
	int	r;

	if ((r = spool_load_failed(sp, id, it, reasonp)) != 0)
		return r;
	snprintf(name, sizeof(name), "%s.meta", id);
	if (unlinkat(sp->failed_dfd, name, 0) == -1 && errno != ENOENT) {
		r = ERR_SYSTEM;
		goto fail;
	}
	snprintf(name, sizeof(name), "%s.body", id);
	(void)unlinkat(sp->failed_dfd, name, 0);
	snprintf(name, sizeof(name), "%s.reason", id);
	(void)unlinkat(sp->failed_dfd, name, 0);
	if (fsync(sp->failed_dfd) == -1) {
		r = ERR_SYSTEM;
		goto fail;
	}
	return 0;
fail:
	spool_item_clear(it);
	free(*reasonp);
	*reasonp = NULL;
	return r;
}

void
spool_gauges(struct spool *sp, size_t *itemsp, uint64_t *bytesp)
{
	pthread_mutex_lock(&sp->lock);
	*itemsp = sp->count;
	*bytesp = sp->bytes;
	pthread_mutex_unlock(&sp->lock);
}

int
spool_check(struct spool *sp, char *why, size_t whylen)
{
	struct stat	at, held;
	uint64_t	bytes, max;
	int		refused;

	/* The folder the daemon writes in is the one at its path. */
	if (stat(sp->dir, &at) == -1 || fstat(sp->dfd, &held) == -1) {
		snprintf(why, whylen, "spool %s: %s", sp->dir, strerror(errno));
		return ERR_INVALID;
	}
	if (!S_ISDIR(at.st_mode)) {
		snprintf(why, whylen, "spool %s: not a folder", sp->dir);
		return ERR_INVALID;
	}
	if (at.st_dev != held.st_dev || at.st_ino != held.st_ino) {
		snprintf(why, whylen, "spool %s: replaced since the start "
		    "(restart passeur serve)", sp->dir);
		return ERR_INVALID;
	}
	if (faccessat(sp->dfd, ".", W_OK, AT_EACCESS) == -1) {
		snprintf(why, whylen, "spool %s: not writable: %s", sp->dir,
		    strerror(errno));
		return ERR_INVALID;
	}
	if (fs_full(sp->dfd)) {
		snprintf(why, whylen, "spool %s: its file system is 90%% full "
		    "or more (space or inodes)", sp->dir);
		return ERR_TOO_BIG;
	}
	pthread_mutex_lock(&sp->lock);
	bytes = sp->bytes;
	max = sp->max_bytes;
	refused = sp->refused;
	pthread_mutex_unlock(&sp->lock);
	if (max > 0 && (refused || bytes >= max)) {
		snprintf(why, whylen, "spool %s: full (%" PRIu64 " bytes "
		    "waiting, spool_max_size %" PRIu64 ")", sp->dir, bytes,
		    max);
		return ERR_TOO_BIG;
	}
	return 0;
}

void
spool_counts(struct spool *sp, unsigned long *flushes, unsigned long *items)
{
	pthread_mutex_lock(&sp->lock);
	*flushes = sp->flushes;
	*items = sp->items;
	pthread_mutex_unlock(&sp->lock);
}
