/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Growable byte buffer with a hard ceiling.
 *
 * A buffer never grows past the maximum given to buf_init(); an append that
 * would cross it fails with ERR_TOO_BIG and leaves the contents as they were.
 * The data is always followed by a NUL byte (not counted in len) so that
 * text parsers may read it as a string.  The buffer owns its data; buf_free()
 * releases it and buf_steal() hands it to the caller.
 */
#ifndef PASSEUR_BUF_H
#define PASSEUR_BUF_H

#include <stddef.h>

struct buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
	size_t	 max;
};

void	 buf_init(struct buf *b, size_t max);
int	 buf_append(struct buf *b, const void *p, size_t n);
int	 buf_appendf(struct buf *b, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
int	 buf_reserve(struct buf *b, size_t extra);
void	 buf_reset(struct buf *b);
void	 buf_free(struct buf *b);
/* Returns the data (caller frees) and leaves the buffer empty. */
char	*buf_steal(struct buf *b, size_t *lenp);

#endif
