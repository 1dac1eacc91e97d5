/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/err.h"
#include "common/fsx.h"
#include "common/uuid.h"

int
fsx_utf8_ok(const char *str, size_t len)
{
	const unsigned char	*s = (const unsigned char *)str;
	size_t			 i = 0, n, k;
	unsigned int		 cp;

	while (i < len) {
		/* Inventories are mostly ASCII: skip it eight bytes a time. */
		while (len - i >= 8) {
			uint64_t w;

			memcpy(&w, s + i, 8);
			if (w & 0x8080808080808080ULL)
				break;
			i += 8;
		}
		if (i == len)
			break;
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if (s[i] >= 0xc2 && s[i] <= 0xdf) {
			n = 1;
			cp = s[i] & 0x1f;
		} else if (s[i] >= 0xe0 && s[i] <= 0xef) {
			n = 2;
			cp = s[i] & 0x0f;
		} else if (s[i] >= 0xf0 && s[i] <= 0xf4) {
			n = 3;
			cp = s[i] & 0x07;
		} else
			return 0;
		if (len - i <= n)
			return 0;
		for (k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += n + 1;
	}
	return 1;
}

int
fsx_name_ok(const char *id, size_t len)
{
	size_t i;

	if (len == 0 || len > FSX_NAME_MAX || id[0] == '.')
		return 0;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)id[i];

		if (c < 0x20 || c == 0x7f || c == '/' || c == '\\')
			return 0;
	}
	return fsx_utf8_ok(id, len);
}

char *
fsx_path_in(const char *dir, const char *path)
{
	char *p;

	if (path[0] == '/')
		return strdup(path);
	if (asprintf(&p, "%s/%s", dir, path) == -1)
		return NULL;
	return p;
}

int
fsx_is_dir(const char *path)
{
	struct stat st;

	return path != NULL && *path != '\0' && stat(path, &st) == 0 &&
	    S_ISDIR(st.st_mode);
}

int
fsx_write_all(int fd, const char *p, size_t len)
{
	ssize_t n;

	while (len > 0) {
		if ((n = write(fd, p, len)) < 0) {
			if (errno == EINTR)
				continue;
			return ERR_SYSTEM;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int
fsx_write_atomic(const char *dir, const char *name, const void *data,
    size_t len, int mode)
{
	char	 tmp[FSX_NAME_MAX + 64], rnd[REQID_STRLEN + 1];
	int	 dfd = -1, fd = -1, r, saved;

	if (strchr(name, '/') != NULL || name[0] == '.' || name[0] == '\0')
		return ERR_UNSAFE;
	if ((r = reqid_random(rnd)) != 0)
		return r;
	if ((size_t)snprintf(tmp, sizeof(tmp), ".%s.%s.tmp", name, rnd) >=
	    sizeof(tmp))
		return ERR_TOO_BIG;
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return ERR_SYSTEM;
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC |
	    O_NOFOLLOW, mode);
	if (fd == -1) {
		r = ERR_SYSTEM;
		goto out;
	}
	if ((r = fsx_write_all(fd, data, len)) != 0)
		goto fail;
	/* A failed fsync (ENOSPC, EIO) still closes the file, in fail. */
	if (fsync(fd) == -1) {
		r = ERR_SYSTEM;
		goto fail;
	}
	r = close(fd);
	fd = -1;
	if (r == -1) {
		r = ERR_SYSTEM;
		goto fail;
	}
	if (renameat(dfd, tmp, dfd, name) == -1) {
		r = ERR_SYSTEM;
		goto fail;
	}
	if (fsync(dfd) == -1)
		r = ERR_SYSTEM;
	goto out;
fail:
	saved = errno;
	if (fd != -1)
		close(fd);
	fd = -1;
	unlinkat(dfd, tmp, 0);
	errno = saved;
out:
	saved = errno;
	if (fd != -1)
		close(fd);
	close(dfd);
	errno = saved;
	return r;
}
