/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/err.h"
#include "common/fsx.h"
#include "proxy/statedir.h"

/*
 * The nearest existing ancestor of path (path itself included) into
 * out.  A component that is a file ends the walk there: the caller sees
 * a non-folder.  Returns 0 and its stat, or ERR_SYSTEM with errno.
 */
static int
nearest(const char *path, char *out, size_t outlen, struct stat *st)
{
	char *slash;

	if ((size_t)snprintf(out, outlen, "%s", path) >= outlen) {
		errno = ENAMETOOLONG;
		return ERR_SYSTEM;
	}
	for (;;) {
		if (stat(out, st) == 0)
			return 0;
		if (errno != ENOENT && errno != ENOTDIR)
			return ERR_SYSTEM;
		if ((slash = strrchr(out, '/')) == NULL)
			return ERR_SYSTEM;
		if (slash == out)
			slash[1] = '\0';
		else
			*slash = '\0';
	}
}

int
statedir_check(const char *path, char *why, size_t whylen)
{
	char		 up[PATH_MAX];
	struct stat	 st;

	if (nearest(path, up, sizeof(up), &st) != 0) {
		snprintf(why, whylen, "%s", strerror(errno));
		return ERR_INVALID;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(why, whylen, "%s is not a folder", up);
		return ERR_INVALID;
	}
	if (access(up, W_OK | X_OK) == -1) {
		if (strcmp(up, path) == 0)
			snprintf(why, whylen, "cannot write in it: %s",
			    strerror(errno));
		else
			snprintf(why, whylen, "cannot be created in %s: %s",
			    up, strerror(errno));
		return ERR_INVALID;
	}
	return 0;
}

/* Makes one folder; a new one goes to pw. */
static int
make_one(const char *dir, const struct passwd *pw, char *why,
    size_t whylen)
{
	struct stat st;

	if (mkdir(dir, 0750) == -1) {
		if (errno == EEXIST && stat(dir, &st) == 0 &&
		    S_ISDIR(st.st_mode))
			return 0;
		if (errno == EEXIST)
			errno = ENOTDIR;
		snprintf(why, whylen, "cannot create %s: %s", dir,
		    errno == ENOTDIR ? "a file is in the way" :
		    strerror(errno));
		return ERR_SYSTEM;
	}
	if (pw != NULL && chown(dir, pw->pw_uid, pw->pw_gid) == -1) {
		snprintf(why, whylen, "cannot give %s to user %s: %s", dir,
		    pw->pw_name, strerror(errno));
		return ERR_SYSTEM;
	}
	return 0;
}

int
statedir_make(const char *path, const struct passwd *pw, char *why,
    size_t whylen)
{
	char	 tmp[PATH_MAX], *p;
	int	 r;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s", path) >= sizeof(tmp)) {
		snprintf(why, whylen, "path too long");
		return ERR_TOO_BIG;
	}
	for (p = tmp + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if ((r = make_one(tmp, pw, why, whylen)) != 0)
			return r;
		*p = '/';
	}
	return make_one(tmp, pw, why, whylen);
}

/*
 * In the child: becomes pw and tries every path.  Reports the index of
 * the first failure and its errno on fd.
 */
static void __attribute__((noreturn))
check_child(int fd, const struct passwd *pw, const char *const *paths,
    int n)
{
	char		 up[PATH_MAX];
	struct stat	 st;
	int		 res[3] = { -1, 0, 0 }, i, mode;

	if (initgroups(pw->pw_name, pw->pw_gid) == -1 ||
	    setgid(pw->pw_gid) == -1 || setuid(pw->pw_uid) == -1) {
		res[1] = errno;
		goto out;
	}
	for (i = 0; i < n; i++) {
		mode = W_OK | X_OK;
		if (nearest(paths[i], up, sizeof(up), &st) != 0) {
			/* Unreachable for that user: say why for the path. */
			snprintf(up, sizeof(up), "%s", paths[i]);
		} else if (strcmp(up, paths[i]) != 0)
			mode = X_OK;	/* created, then given to pw, by root */
		if (access(up, mode) == -1) {
			res[0] = i;
			res[1] = errno;
			res[2] = mode == X_OK;
			break;
		}
	}
out:
	(void)!write(fd, res, sizeof(res));
	_exit(0);
}

int
statedir_check_as(const struct passwd *pw, const char *const *paths, int n,
    int *failed, char *why, size_t whylen)
{
	int	 fds[2], res[3] = { -1, EIO, 0 }, status;
	pid_t	 pid;

	*failed = -1;
	if (pipe(fds) == -1 || (pid = fork()) == -1) {
		snprintf(why, whylen, "cannot check as user %s: %s",
		    pw->pw_name, strerror(errno));
		return ERR_SYSTEM;
	}
	if (pid == 0) {
		close(fds[0]);
		check_child(fds[1], pw, paths, n);
	}
	close(fds[1]);
	if (read(fds[0], res, sizeof(res)) != (ssize_t)sizeof(res))
		res[0] = -1;
	close(fds[0]);
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	if (res[0] == -1 && res[1] == 0)
		return 0;
	if (res[0] == -1) {
		snprintf(why, whylen, "cannot become user %s: %s", pw->pw_name,
		    strerror(res[1]));
		return ERR_SYSTEM;
	}
	*failed = res[0];
	if (res[2])
		snprintf(why, whylen, "user %s cannot reach the folder that "
		    "would hold it (%s)", pw->pw_name, strerror(res[1]));
	else
		snprintf(why, whylen, "user %s cannot write there (%s)",
		    pw->pw_name, strerror(res[1]));
	return ERR_INVALID;
}

int
statedir_lock(const char *dir, const char *name, int *fdp, long *holder,
    char *why, size_t whylen)
{
	char	 path[PATH_MAX], text[32];
	ssize_t	 len;
	int	 fd;

	*fdp = -1;
	*holder = 0;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    sizeof(path)) {
		snprintf(why, whylen, "path too long");
		return ERR_TOO_BIG;
	}
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) == -1) {
		snprintf(why, whylen, "%s: %s", path, strerror(errno));
		return ERR_SYSTEM;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		if (errno == EWOULDBLOCK) {
			len = pread(fd, text, sizeof(text) - 1, 0);
			text[len > 0 ? len : 0] = '\0';
			*holder = strtol(text, NULL, 10);
			snprintf(why, whylen, "%s is locked", path);
			close(fd);
			return ERR_EXISTS;
		}
		snprintf(why, whylen, "%s: %s", path, strerror(errno));
		close(fd);
		return ERR_SYSTEM;
	}
	len = snprintf(text, sizeof(text), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) == -1 || pwrite(fd, text, (size_t)len, 0) != len) {
		snprintf(why, whylen, "%s: %s", path, strerror(errno));
		close(fd);
		return ERR_SYSTEM;
	}
	*fdp = fd;
	return 0;
}

int
statedir_pidfile_write(const char *path, char *why, size_t whylen)
{
	char	 dir[PATH_MAX], text[32], *slash;
	int	 len, r;

	if ((size_t)snprintf(dir, sizeof(dir), "%s", path) >= sizeof(dir) ||
	    (slash = strrchr(dir, '/')) == NULL || slash[1] == '\0') {
		snprintf(why, whylen, "%s: not a file path", path);
		return ERR_INVALID;
	}
	*slash = '\0';
	len = snprintf(text, sizeof(text), "%ld\n", (long)getpid());
	if ((r = fsx_write_atomic(dir[0] ? dir : "/", slash + 1, text,
	    (size_t)len, 0644)) != 0) {
		snprintf(why, whylen, "%s: %s", path, r == ERR_SYSTEM ?
		    strerror(errno) : err_str(r));
		return r;
	}
	return 0;
}
