/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Runs a fuzz target on every file of the given corpus folders (or on the
 * given files), so that the checked-in corpora replay in the ordinary
 * (gcc, ASan) test run without libFuzzer.  Files are run in name order,
 * each from a buffer of its exact size so that ASan sees any read past
 * the input.  A folder without input is an error: a corpus that vanished
 * must not pass.
 */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

int	LLVMFuzzerInitialize(int *, char ***) __attribute__((weak));

static int
run_file(const char *path)
{
	struct stat	 st;
	uint8_t		*data;
	FILE		*fp;
	size_t		 size;

	if ((fp = fopen(path, "rb")) == NULL || fstat(fileno(fp), &st) == -1) {
		perror(path);
		if (fp != NULL)
			fclose(fp);
		return -1;
	}
	size = (size_t)st.st_size;
	if ((data = malloc(size > 0 ? size : 1)) == NULL ||
	    fread(data, 1, size, fp) != size) {
		fprintf(stderr, "%s: cannot read\n", path);
		free(data);
		fclose(fp);
		return -1;
	}
	fclose(fp);
	LLVMFuzzerTestOneInput(data, size);
	free(data);
	return 0;
}

static int
not_hidden(const struct dirent *de)
{
	return de->d_name[0] != '.';
}

static int
run_dir(const char *dir)
{
	struct dirent	**names;
	struct stat	  st;
	char		  path[PATH_MAX];
	int		  i, n, ran = 0, failed = 0;

	if ((n = scandir(dir, &names, not_hidden, alphasort)) == -1) {
		perror(dir);
		return -1;
	}
	for (i = 0; i < n; i++) {
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir,
		    names[i]->d_name) >= sizeof(path))
			failed = 1;
		else if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
			;	/* a sub-folder is not an input */
		else if (run_file(path) != 0)
			failed = 1;
		else
			ran++;
		free(names[i]);
	}
	free(names);
	return failed ? -1 : ran;
}

int
main(int argc, char **argv)
{
	struct stat	st;
	int		i, n, total = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s corpus-folder|file ...\n",
		    argv[0]);
		return 2;
	}
	if (LLVMFuzzerInitialize != NULL)
		LLVMFuzzerInitialize(&argc, &argv);
	for (i = 1; i < argc; i++) {
		/* A single file too, to reproduce one crash. */
		if (stat(argv[i], &st) == 0 && S_ISREG(st.st_mode))
			n = run_file(argv[i]) == 0 ? 1 : -1;
		else
			n = run_dir(argv[i]);
		if (n < 0)
			return 1;
		if (n == 0) {
			fprintf(stderr, "%s: no input in corpus\n", argv[i]);
			return 1;
		}
		printf("%s: ran %d inputs\n", argv[i], n);
		total += n;
	}
	printf("%d inputs ran\n", total);
	return 0;
}
