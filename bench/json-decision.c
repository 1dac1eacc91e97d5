/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Times the JSON decision of the GLPI branch on one file, three ways:
 * jansson's tree (json_loadb, what glpi.c did before jsonscan), yajl's
 * streaming parser (libyajl-dev) with the callbacks that would find the
 * top-level fields, and jsonscan (what glpi.c does now).  A timing
 * program, not a test: the figures go to the README's Performance
 * section.  Build and run from the source folder (libyajl-dev needed
 * only here, not by passeur):
 *
 *   cc -O2 -Isrc -o /tmp/json-decision bench/json-decision.c \
 *       src/common/jsonscan.c $(pkg-config --cflags --libs jansson yajl)
 *   /tmp/json-decision tests/fixtures/inventories/json/computer_3.json
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <yajl/yajl_parse.h>

#include "common/jsonscan.h"

struct yctx {
	int	depth, want, partial;
};

static int
y_null(void *c)
{
	((struct yctx *)c)->want = 0;
	return 1;
}

static int
y_bool(void *c, int b)
{
	struct yctx *y = c;

	if (y->want == 3)
		y->partial = b;
	y->want = 0;
	return 1;
}

static int
y_number(void *c, const char *s, size_t l)
{
	(void)s;
	(void)l;
	((struct yctx *)c)->want = 0;
	return 1;
}

static int
y_string(void *c, const unsigned char *s, size_t l)
{
	(void)s;
	(void)l;
	((struct yctx *)c)->want = 0;
	return 1;
}

static int
y_start(void *c)
{
	struct yctx *y = c;

	y->depth++;
	y->want = 0;
	return 1;
}

static int
y_key(void *c, const unsigned char *k, size_t l)
{
	struct yctx *y = c;

	y->want = 0;
	if (y->depth == 1) {
		if (l == 6 && memcmp(k, "action", 6) == 0)
			y->want = 1;
		else if (l == 8 && memcmp(k, "deviceid", 8) == 0)
			y->want = 2;
		else if (l == 7 && memcmp(k, "partial", 7) == 0)
			y->want = 3;
	}
	return 1;
}

static int
y_end(void *c)
{
	((struct yctx *)c)->depth--;
	return 1;
}

static const yajl_callbacks ycb = {
	y_null, y_bool, NULL, NULL, y_number, y_string, y_start, y_key,
	y_end, y_start, y_end
};

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	struct jsonscan_field	 f[3] = {
		{ .key = "action" }, { .key = "deviceid" }, { .key = "partial" },
	};
	struct yctx		 y;
	yajl_handle		 h;
	json_t			*root;
	FILE			*fp;
	char			*data;
	long			 size;
	double			 t0, tj = 1e9, ty = 1e9, ts = 1e9, t;
	int			 i, rounds = 50, ok = 1;

	if (argc != 2 || (fp = fopen(argv[1], "rb")) == NULL) {
		fprintf(stderr, "usage: json-decision file.json\n");
		return 2;
	}
	fseek(fp, 0, SEEK_END);
	size = ftell(fp);
	rewind(fp);
	if ((data = malloc((size_t)size + 1)) == NULL ||
	    fread(data, 1, (size_t)size, fp) != (size_t)size)
		return 1;
	fclose(fp);
	/* The best of each round: the machine is shared. */
	for (i = 0; i < rounds; i++) {
		t0 = now();
		root = json_loadb(data, (size_t)size, 0, NULL);
		ok &= root != NULL;
		json_decref(root);
		if ((t = now() - t0) < tj)
			tj = t;

		t0 = now();
		memset(&y, 0, sizeof(y));
		h = yajl_alloc(&ycb, NULL, &y);
		ok &= yajl_parse(h, (const unsigned char *)data,
		    (size_t)size) == yajl_status_ok &&
		    yajl_complete_parse(h) == yajl_status_ok;
		yajl_free(h);
		if ((t = now() - t0) < ty)
			ty = t;

		t0 = now();
		ok &= jsonscan(data, (size_t)size, f, 3) == 0;
		jsonscan_fields_free(f, 3);
		if ((t = now() - t0) < ts)
			ts = t;
	}
	printf("%s: %ld bytes, best of %d\n", argv[1], size, rounds);
	printf("jansson json_loadb  %7.2f ms  %6.0f MB/s\n", tj * 1e3,
	    (double)size / tj / 1e6);
	printf("yajl (streaming)    %7.2f ms  %6.0f MB/s\n", ty * 1e3,
	    (double)size / ty / 1e6);
	printf("jsonscan            %7.2f ms  %6.0f MB/s\n", ts * 1e3,
	    (double)size / ts / 1e6);
	free(data);
	return ok ? 0 : 1;
}
