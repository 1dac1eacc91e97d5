/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Shared declarations of the fuzz targets.
 *
 * Each fuzz_<target>.c defines LLVMFuzzerTestOneInput() (and, when it
 * needs files set up once, LLVMFuzzerInitialize()).  The same object is
 * linked either with libFuzzer (fuzz/CMakeLists.txt, clang) or with
 * replay.c, which feeds it a checked-in corpus in the ordinary test run.
 * FUZZ_CHECK() aborts even under NDEBUG, so that a broken invariant is a
 * crash for libFuzzer and a failure for ctest alike.
 */
#ifndef PASSEUR_FUZZ_H
#define PASSEUR_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int	LLVMFuzzerInitialize(int *argc, char ***argv);

#define FUZZ_CHECK(cond) do {						\
	if (!(cond))							\
		fuzz_fail(__FILE__, __LINE__, #cond);			\
} while (0)

void	fuzz_fail(const char *file, int line, const char *what)
	    __attribute__((noreturn));

/*
 * A new private folder under $TMPDIR (or /tmp), removed with everything
 * in it when the process exits.  Returns a static path; aborts on error.
 */
const char	*fuzz_tmpdir(void);
/* Writes dir/name with data; aborts on error. */
void		 fuzz_write(const char *dir, const char *name,
		    const void *data, size_t len);
/* Removes path and, when it is a folder, everything below it. */
void		 fuzz_rmtree(const char *path);
/* Sends the daemon's log lines to /dev/null: fuzzing makes a lot. */
void		 fuzz_quiet(void);

#endif
