/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/err.h"
#include "common/fsx.h"
#include "common/log.h"
#include "proxy/metrics.h"
#include "proxy/store.h"

int
store_name(char *name, size_t namelen, const char *id, const char *suffix)
{
	if (!fsx_name_ok(id, strlen(id)))
		return ERR_UNSAFE;
	/*
	 * A long id with a long action would make a temporary name over
	 * NAME_MAX: refused here, before the system says ENAMETOOLONG and
	 * the agent, answered 500, retries forever.
	 */
	if (namelen > STORE_NAME_MAX + 1)
		namelen = STORE_NAME_MAX + 1;
	if ((size_t)snprintf(name, namelen, "%s%s", id, suffix) >= namelen)
		return ERR_TOO_BIG;
	return 0;
}

int
store_save(const char *dir, const char *id, const char *suffix,
    const void *data, size_t len)
{
	char	name[STORE_NAME_MAX + 1];
	int	r;

	if ((r = store_name(name, sizeof(name), id, suffix)) != 0)
		return r;
	/*
	 * A file system may take shorter names (eCryptfs: 143 bytes):
	 * nothing was created, and the answer is the same.
	 */
	r = fsx_write_atomic(dir, name, data, len, 0640);
	metrics_store(r);
	return r == ERR_SYSTEM && errno == ENAMETOOLONG ? ERR_TOO_BIG : r;
}

/*
 * What store_ready() last saw of each store folder: its mode and owner,
 * to make it again the same, and whether it is failing, to log a failure
 * once.  A few slots: two instances, and the stores of a reload or two.
 */
#define STORE_MEMOS	8

static struct store_memo {
	char	*path;
	mode_t	 mode;
	uid_t	 uid;
	gid_t	 gid;
	int	 failing;
} memos[STORE_MEMOS];
static unsigned		memo_next;
static pthread_mutex_t	memo_lock = PTHREAD_MUTEX_INITIALIZER;

/* The memo of dir, made when missing (a NULL path when out of memory). */
static struct store_memo *
memo_of(const char *dir)
{
	struct store_memo	*m;
	int			 i;

	for (i = 0; i < STORE_MEMOS; i++)
		if (memos[i].path != NULL && strcmp(memos[i].path, dir) == 0)
			return &memos[i];
	m = &memos[memo_next++ % STORE_MEMOS];
	free(m->path);
	m->path = strdup(dir);
	/* Never seen: as the start makes it (statedir_make). */
	m->mode = 0750;
	m->uid = geteuid();
	m->gid = getegid();
	m->failing = 0;
	return m;
}

/* Makes dir again as m says; 0, or ERR_SYSTEM with errno set. */
static int
remake(const char *dir, const struct store_memo *m)
{
	struct stat	st;
	int		saved;

	if (mkdir(dir, m->mode) == -1) {
		/* Another worker was first. */
		if (errno == EEXIST && stat(dir, &st) == 0 &&
		    S_ISDIR(st.st_mode))
			return 1;
		if (errno == EEXIST)
			errno = ENOTDIR;
		return ERR_SYSTEM;
	}
	/* mkdir() applied the umask; the owner is the daemon's. */
	if (chmod(dir, m->mode) == -1 ||
	    ((m->uid != geteuid() || m->gid != getegid()) &&
	    chown(dir, m->uid, m->gid) == -1)) {
		saved = errno;
		(void)rmdir(dir);
		errno = saved;
		return ERR_SYSTEM;
	}
	return 0;
}

int
store_ready(const char *dir)
{
	struct store_memo	*m;
	struct stat		 st;
	int			 r;

	/* The usual case: one stat, then the memo under the lock. */
	r = stat(dir, &st) == 0 && S_ISDIR(st.st_mode);
	pthread_mutex_lock(&memo_lock);
	m = memo_of(dir);
	if (r) {
		if (m->path != NULL) {
			m->mode = st.st_mode & 07777;
			m->uid = st.st_uid;
			m->gid = st.st_gid;
			m->failing = 0;
		}
		pthread_mutex_unlock(&memo_lock);
		return 0;
	}
	r = ERR_SYSTEM;
	if (stat(dir, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			r = 1;		/* another worker made it again */
		else
			errno = ENOTDIR;	/* a file took its place */
	} else if (errno == ENOENT)
		r = remake(dir, m);
	if (r == 0) {
		m->failing = 0;
		log_warnx("local_store %s was missing: recreated (mode %04o, "
		    "owner %u:%u)", dir, (unsigned)m->mode, (unsigned)m->uid,
		    (unsigned)m->gid);
	} else if (r < 0 && !m->failing) {
		m->failing = m->path != NULL;
		log_warn("local_store %s is missing and cannot be recreated; "
		    "messages get 500 until it is back", dir);
	}
	pthread_mutex_unlock(&memo_lock);
	if (r < 0)
		metrics_store(r);
	return r < 0 ? r : 0;
}

/* ".<name>.<8 characters>.tmp", as fsx_write_atomic() names them. */
static int
is_temporary(const char *name)
{
	size_t len = strlen(name);

	return name[0] == '.' && len > 15 &&
	    strcmp(name + len - 4, ".tmp") == 0 && name[len - 13] == '.';
}

void
store_clean(const char *dir)
{
	struct dirent	*de;
	DIR		*d;
	int		 dfd;

	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return;
	if ((d = fdopendir(dfd)) == NULL) {
		close(dfd);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (!is_temporary(de->d_name))
			continue;
		if (unlinkat(dirfd(d), de->d_name, 0) == 0)
			log_info("local_store %s: removed %s, a temporary file "
			    "left by a crash", dir, de->d_name);
		else
			log_warn("local_store %s: cannot remove %s", dir,
			    de->d_name);
	}
	closedir(d);
}
