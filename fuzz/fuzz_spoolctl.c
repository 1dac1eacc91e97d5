/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Fuzzes the reader of the requests of passeur spool, which the daemon
 * takes from files anyone who may write in ctl/ can put there.
 *
 * - A request it accepts is exactly one of "retry ID", "retry --all",
 *   "drop ID", with at most one newline after it.
 * - The id it gives is 16 lower-case hexadecimal digits (it becomes a
 *   file name), or empty for --all.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "proxy/spool_ctl.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spool_ctl_req	 req;
	char			*text, again[64];
	size_t			 i;

	if ((text = malloc(size + 1)) == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (spool_ctl_parse(text, &req) != 0) {
		free(text);
		return 0;
	}
	if (req.all)
		FUZZ_CHECK(req.verb == SPOOL_CTL_RETRY && req.id[0] == '\0');
	else {
		FUZZ_CHECK(strlen(req.id) == SPOOL_ID_LEN);
		for (i = 0; i < SPOOL_ID_LEN; i++)
			FUZZ_CHECK((req.id[i] >= '0' && req.id[i] <= '9') ||
			    (req.id[i] >= 'a' && req.id[i] <= 'f'));
	}
	snprintf(again, sizeof(again), "%s %s", req.verb == SPOOL_CTL_RETRY ?
	    "retry" : "drop", req.all ? "--all" : req.id);
	FUZZ_CHECK(strncmp(text, again, strlen(again)) == 0);
	FUZZ_CHECK(strcmp(text + strlen(again), "") == 0 ||
	    strcmp(text + strlen(again), "\n") == 0);
	free(text);
	return 0;
}
