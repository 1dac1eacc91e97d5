/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Helpers shared by the fuzz targets: a private scratch folder that does
 * not outlive the process, file writing that cannot fail silently, and a
 * quiet log.
 */
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/log.h"
#include "fuzz.h"

static char	tmpdir[PATH_MAX];

void
fuzz_fail(const char *file, int line, const char *what)
{
	fprintf(stderr, "%s:%d: check failed: %s\n", file, line, what);
	abort();
}

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

void
fuzz_rmtree(const char *path)
{
	nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void
remove_tmpdir(void)
{
	if (tmpdir[0] != '\0')
		fuzz_rmtree(tmpdir);
}

const char *
fuzz_tmpdir(void)
{
	const char	*base;
	int		 n;

	if (tmpdir[0] != '\0')
		return tmpdir;
	if ((base = getenv("TMPDIR")) == NULL || *base == '\0')
		base = "/tmp";
	n = snprintf(tmpdir, sizeof(tmpdir), "%s/passeur-fuzz-XXXXXX", base);
	FUZZ_CHECK(n > 0 && (size_t)n < sizeof(tmpdir));
	FUZZ_CHECK(mkdtemp(tmpdir) != NULL);
	atexit(remove_tmpdir);
	return tmpdir;
}

void
fuzz_write(const char *dir, const char *name, const void *data, size_t len)
{
	char	 path[PATH_MAX];
	FILE	*fp;
	int	 n;

	n = snprintf(path, sizeof(path), "%s/%s", dir, name);
	FUZZ_CHECK(n > 0 && (size_t)n < sizeof(path));
	FUZZ_CHECK((fp = fopen(path, "w")) != NULL);
	FUZZ_CHECK(len == 0 || fwrite(data, 1, len, fp) == len);
	FUZZ_CHECK(fclose(fp) == 0);
}

void
fuzz_quiet(void)
{
	FUZZ_CHECK(log_init(LOG_TO_FILE, "/dev/null", NULL, 0) == 0);
}
