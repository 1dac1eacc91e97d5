/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Fuzzes the whole protocol pipeline, handler_run(), on a proxy that only
 * stores (so it never forwards) into a private folder.
 *
 * Input: byte 0 picks the method, byte 1 the Content-Type, byte 2 the
 * GLPI-Agent-ID (bits 0-2), a GLPI-Request-ID (bit 3) and the query
 * string (bits 4-5), byte 3 the GLPI-Proxy-ID chain; the rest is the
 * body.  Header values are the ones the listener can hand over: it drops
 * a request id that is not 8 upper-case hex digits.
 *
 * After every run: the status is one the pipeline documents, no answer
 * waits for a forward, nothing was written beside the store folder,
 * and the store holds only regular files with safe names and no
 * leftover temporary file.  The store is then emptied so that runs do
 * not depend on one another.
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/fsx.h"
#include "proxy/config.h"
#include "proxy/proxy.h"
#include "fuzz.h"

#define OWN_ID		"8f0e6f6c-4d7e-4a58-9c3b-2a4b8f1d6e01"
#define OTHER_ID	"1b2c3d4e-5f60-4718-8293-a4b5c6d7e8f9"
#define MAX_BODY	(8 * 1024 * 1024)
#define MAX_ANSWER	(64 * 1024 * 1024)

static const char *ctypes[] = {
	"application/json",
	"application/x-compress-zlib",
	"application/x-compress-gzip",
	"application/x-compress",
	"application/xml",
	"application/xml; charset=UTF-8",
	"Application/JSON",
	"APPLICATION/X-COMPRESS-ZLIB",
	"text/plain",
	"application/json; charset=utf-8",
	"",
	NULL,
};

static const char *agent_ids[] = {
	NULL,
	"3f2504e0-4f89-41d3-9a0c-0305e82c3301",
	"3F2504E0-4F89-41D3-9A0C-0305E82C3301",
	"not-a-uuid",
	"",
	"3f2504e0-4f89-41d3-9a0c-0305e82c330",
	"3f2504e0x4f89-41d3-9a0c-0305e82c3301",
	OTHER_ID,
};

static const char *proxy_chains[] = {
	NULL,
	"",
	OTHER_ID,
	OWN_ID,
	" " OTHER_ID " , 8F0E6F6C-4D7E-4A58-9C3B-2A4B8F1D6E01 ",
	"a,b,c,d,e",
	"a,b,c,d",
	",, ,",
};

static struct instance_conf	 ic;
static struct agent_conf	 agent;
static struct proxy		 px;
static char			 store[PATH_MAX];
static const char		*top;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet();
	top = fuzz_tmpdir();
	snprintf(store, sizeof(store), "%s/store", top);
	FUZZ_CHECK(mkdir(store, 0700) == 0);

	ic.name = "proxy";
	ic.file = "proxy-server-plugin.cfg";
	ic.url_path = "/proxy";
	ic.port = 62354;
	ic.prolog_freq = 24;
	ic.local_store = store;
	ic.only_local_store = 1;
	ic.max_proxy_threads = 10;
	ic.max_pass_through = 5;
	ic.glpi_protocol = 1;
	ic.no_category = "process,environment";
	ic.maxrate = 0;
	ic.maxrate_period = 3600;
	ic.max_body_size = MAX_BODY;
	ic.max_inflated_size = 4 * 1024 * 1024;
	ic.max_rate_clients = 1024;
	ic.max_pending_answers = 1024;
	FUZZ_CHECK(proxy_init(&px, &ic, &agent, OWN_ID, NULL, NULL) == 0);
	return 0;
}

/* The top folder must hold the store and nothing else. */
static void
check_top(void)
{
	struct dirent	*de;
	DIR		*d;

	FUZZ_CHECK((d = opendir(top)) != NULL);
	while ((de = readdir(d)) != NULL)
		FUZZ_CHECK(strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0 ||
		    strcmp(de->d_name, "store") == 0);
	closedir(d);
}

/* Checks every stored file, then removes it. */
static void
check_and_empty_store(void)
{
	struct dirent	*de;
	struct stat	 st;
	DIR		*d;
	size_t		 len;

	FUZZ_CHECK((d = opendir(store)) != NULL);
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		/* A leading dot is a temporary file left behind. */
		FUZZ_CHECK(de->d_name[0] != '.');
		FUZZ_CHECK(fstatat(dirfd(d), de->d_name, &st,
		    AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode));
		len = strlen(de->d_name);
		FUZZ_CHECK((len > 4 &&
		    strcmp(de->d_name + len - 4, ".xml") == 0) ||
		    (len > 5 && strcmp(de->d_name + len - 5, ".json") == 0));
		FUZZ_CHECK(unlinkat(dirfd(d), de->d_name, 0) == 0);
	}
	closedir(d);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum method methods[] = {
		METHOD_POST, METHOD_GET, METHOD_OTHER
	};
	struct request	rq;
	struct response	rs;
	int		q, s;

	if (size < 4)
		return -1;
	memset(&rq, 0, sizeof(rq));
	memset(&rs, 0, sizeof(rs));
	rq.px = &px;
	rq.ip = "192.0.2.1";
	rq.user_agent = "GLPI-Agent_v1.12";
	rq.action = "-";
	rq.method = methods[data[0] % 3];
	rq.content_type = ctypes[data[1] % (sizeof(ctypes) /
	    sizeof(ctypes[0]))];
	rq.agent_id = agent_ids[data[2] & 7];
	rq.request_id = data[2] & 8 ? "0A1B2C3D" : NULL;
	q = (data[2] >> 4) & 3;
	rq.nquery = q > 0;
	rq.query_action = q == 1 ? "getConfig" : q == 2 ? "contact" : NULL;
	rq.proxy_ids = proxy_chains[data[3] & 7];
	buf_init(&rq.body, MAX_BODY);
	FUZZ_CHECK(buf_append(&rq.body, data + 4, size - 4) == 0);
	buf_init(&rs.body, MAX_ANSWER);

	handler_run(&rq, &rs);

	s = rs.status;
	FUZZ_CHECK(s == 200 || s == 202 || s == 400 || s == 403 ||
	    s == 404 || s == 413 || s == 500);
	FUZZ_CHECK(rs.content_type != NULL);
	FUZZ_CHECK(rs.job == NULL);
	FUZZ_CHECK(memchr(rq.deviceid, '\0', sizeof(rq.deviceid)) != NULL);
	check_top();
	check_and_empty_store();
	buf_free(&rq.body);
	buf_free(&rs.body);
	return 0;
}
