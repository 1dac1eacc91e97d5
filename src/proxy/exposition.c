/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "common/err.h"
#include "proxy/exposition.h"

/* A label value: backslash, double quote and new line escaped. */
static int
label(struct buf *out, const char *v)
{
	int r = 0;

	for (; *v != '\0' && r == 0; v++) {
		if (*v == '\\')
			r = buf_append(out, "\\\\", 2);
		else if (*v == '"')
			r = buf_append(out, "\\\"", 2);
		else if (*v == '\n')
			r = buf_append(out, "\\n", 2);
		else
			r = buf_append(out, v, 1);
	}
	return r;
}

static int
family(struct buf *out, const char *name, const char *type, const char *help)
{
	return buf_appendf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help,
	    name, type);
}

/*
 * The samples of a histogram; labels (may be "") are written before le,
 * already escaped, without a trailing comma.
 */
static int
histogram(struct buf *out, const char *name, const char *labels,
    const struct metrics_histogram *h)
{
	const char	*comma = labels[0] != '\0' ? "," : "";
	const char	*open = labels[0] != '\0' ? "{" : "";
	const char	*close = labels[0] != '\0' ? "}" : "";
	uint64_t	 cumulative = 0;
	int		 b, r;

	for (b = 0; b < MB_COUNT; b++) {
		cumulative += h->buckets[b];
		if ((r = buf_appendf(out, "%s_bucket{%s%sle=\"%g\"} %llu\n",
		    name, labels, comma, metrics_bucket_bound(b),
		    (unsigned long long)cumulative)) != 0)
			return r;
	}
	cumulative += h->buckets[MB_COUNT];
	return buf_appendf(out, "%s_bucket{%s%sle=\"+Inf\"} %llu\n"
	    "%s_sum%s%s%s %.9f\n%s_count%s%s%s %llu\n", name, labels, comma,
	    (unsigned long long)cumulative, name, open, labels, close, h->sum,
	    name, open, labels, close, (unsigned long long)h->count);
}

static int
requests(struct buf *out, const struct metrics_snapshot *s)
{
	char	status[8];
	int	i, a, st, r;

	if ((r = family(out, "passeur_requests_total", "counter",
	    "Requests answered by the agents' listeners, by proxy instance, "
	    "action and HTTP status (0: none sent).")) != 0)
		return r;
	for (i = 0; i < MI_COUNT; i++)
		for (a = 0; a < MA_COUNT; a++)
			for (st = 0; st < MS_COUNT; st++) {
				if (s->requests[i][a][st] == 0)
					continue;
				metrics_status_name(st, status);
				if ((r = buf_appendf(out,
				    "passeur_requests_total{instance=\"%s\","
				    "action=\"%s\",status=\"%s\"} %llu\n",
				    metrics_instance_name(i),
				    metrics_action_name(a), status,
				    (unsigned long long)
				    s->requests[i][a][st])) != 0)
					return r;
			}
	if ((r = family(out, "passeur_request_bytes_total", "counter",
	    "Bytes of request bodies received (in) and of answers sent "
	    "(out).")) != 0 ||
	    (r = buf_appendf(out, "passeur_request_bytes_total"
	    "{direction=\"in\"} %llu\npasseur_request_bytes_total"
	    "{direction=\"out\"} %llu\n",
	    (unsigned long long)s->bytes_in,
	    (unsigned long long)s->bytes_out)) != 0 ||
	    (r = family(out, "passeur_request_duration_seconds", "histogram",
	    "Time from a request's first line to its answer.")) != 0 ||
	    (r = histogram(out, "passeur_request_duration_seconds", "",
	    &s->duration)) != 0)
		return r;
	return 0;
}

static int
counters(struct buf *out, const struct metrics_snapshot *s, int healthy)
{
	int r;

	if ((r = family(out, "passeur_inflight_requests", "gauge",
	    "Requests received and not yet answered.")) != 0 ||
	    (r = buf_appendf(out, "passeur_inflight_requests %lld\n",
	    (long long)s->inflight)) != 0 ||
	    (r = family(out, "passeur_rate_limited_total", "counter",
	    "Requests refused by the rate limit (maxrate).")) != 0 ||
	    (r = buf_appendf(out, "passeur_rate_limited_total %llu\n",
	    (unsigned long long)s->rate_limited)) != 0 ||
	    (r = family(out, "passeur_stored_total", "counter",
	    "Messages written to local_store.")) != 0 ||
	    (r = buf_appendf(out, "passeur_stored_total %llu\n",
	    (unsigned long long)s->stored)) != 0 ||
	    (r = family(out, "passeur_store_errors_total", "counter",
	    "Messages that could not be written to local_store.")) != 0 ||
	    (r = buf_appendf(out, "passeur_store_errors_total %llu\n",
	    (unsigned long long)s->store_errors)) != 0 ||
	    (r = family(out, "passeur_healthy", "gauge",
	    "1 when every instance can accept and keep messages (/health).")) !=
	    0 || (r = buf_appendf(out, "passeur_healthy %d\n", healthy)) != 0)
		return r;
	if (!s->spool)
		return 0;
	if ((r = family(out, "passeur_spool_items", "gauge",
	    "Inventories waiting in the spool for delivery.")) != 0 ||
	    (r = buf_appendf(out, "passeur_spool_items %llu\n",
	    (unsigned long long)s->spool_items)) != 0 ||
	    (r = family(out, "passeur_spool_bytes", "gauge",
	    "Bytes of the bodies waiting in the spool.")) != 0 ||
	    (r = buf_appendf(out, "passeur_spool_bytes %llu\n",
	    (unsigned long long)s->spool_bytes)) != 0 ||
	    (r = family(out, "passeur_spool_oldest_age_seconds", "gauge",
	    "Age of the oldest inventory in the spool; 0 when empty.")) !=
	    0 || (r = buf_appendf(out,
	    "passeur_spool_oldest_age_seconds %.3f\n", s->spool_oldest_age)) !=
	    0 || (r = family(out, "passeur_delivery_retries_total", "counter",
	    "Failed delivery attempts of spooled inventories, to be tried "
	    "again.")) != 0 ||
	    (r = buf_appendf(out, "passeur_delivery_retries_total %llu\n",
	    (unsigned long long)s->delivery_retries)) != 0)
		return r;
	return 0;
}

static int
upstreams(struct buf *out, const struct metrics_snapshot *s)
{
	const struct metrics_upstream	*u;
	struct buf			 lab;
	int				 i, r = 0, pass;
	static const char *const	 names[] = {
		"passeur_deliveries_total", "passeur_upstream_up",
		"passeur_upstream_duration_seconds"
	};
	static const char *const	 types[] = {
		"counter", "gauge", "histogram"
	};
	static const char *const	 helps[] = {
		"Messages sent to each server target, by result.",
		"1 when the last delivery to the server target worked.",
		"Time each delivery to a server target took."
	};

	buf_init(&lab, 1024);
	for (pass = 0; pass < 3 && r == 0; pass++) {
		if ((r = family(out, names[pass], types[pass], helps[pass])) !=
		    0)
			break;
		for (i = 0; i <= METRICS_UPSTREAMS && r == 0; i++) {
			u = &s->up[i];
			if (u->url[0] == '\0')
				continue;
			buf_reset(&lab);
			if ((r = buf_append(&lab, "upstream=\"", 10)) != 0 ||
			    (r = label(&lab, u->url)) != 0 ||
			    (r = buf_append(&lab, "\"", 1)) != 0)
				break;
			if (pass == 0)
				r = buf_appendf(out,
				    "%s{%s,result=\"ok\"} %llu\n"
				    "%s{%s,result=\"failed\"} %llu\n", names[0],
				    lab.data, (unsigned long long)u->ok,
				    names[0], lab.data,
				    (unsigned long long)u->failed);
			else if (pass == 1)
				r = buf_appendf(out, "%s{%s} %d\n", names[1],
				    lab.data, u->up);
			else
				r = histogram(out, names[2], lab.data,
				    &u->duration);
		}
	}
	buf_free(&lab);
	return r;
}

void
exposition_process(struct process_stats *p)
{
	char		 line[1024], *f;
	FILE		*fp;
	DIR		*d;
	struct rlimit	 rl;
	unsigned long	 utime, stime;
	unsigned long long start;
	long		 vsize, rss, ticks = sysconf(_SC_CLK_TCK);
	long		 page = sysconf(_SC_PAGESIZE);
	double		 btime = -1;

	p->cpu_seconds = p->start_time = -1;
	p->resident_bytes = p->virtual_bytes = p->open_fds = p->max_fds = -1;
	if ((fp = fopen("/proc/stat", "r")) != NULL) {
		while (fgets(line, sizeof(line), fp) != NULL)
			if (strncmp(line, "btime ", 6) == 0)
				btime = strtod(line + 6, NULL);
		fclose(fp);
	}
	/* The fields after the command name, which may hold spaces. */
	if ((fp = fopen("/proc/self/stat", "r")) != NULL) {
		if (fgets(line, sizeof(line), fp) != NULL &&
		    (f = strrchr(line, ')')) != NULL &&
		    sscanf(f + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u "
		    "%lu %lu %*d %*d %*d %*d %*d %*d %llu %ld %ld", &utime,
		    &stime, &start, &vsize, &rss) == 5 && ticks > 0) {
			p->cpu_seconds = (double)(utime + stime) /
			    (double)ticks;
			p->virtual_bytes = vsize;
			p->resident_bytes = (long long)rss * page;
			if (btime >= 0)
				p->start_time = btime + (double)start /
				    (double)ticks;
		}
		fclose(fp);
	}
	if ((d = opendir("/proc/self/fd")) != NULL) {
		p->open_fds = 0;
		while (readdir(d) != NULL)
			p->open_fds++;
		p->open_fds -= 3;	/* ".", ".." and d itself */
		closedir(d);
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		p->max_fds = (long long)rl.rlim_cur;
}

static int
process(struct buf *out)
{
	struct process_stats	p;
	int			r = 0;

	exposition_process(&p);
	if (p.cpu_seconds >= 0 && ((r = family(out,
	    "process_cpu_seconds_total", "counter",
	    "User and system CPU time spent in seconds.")) != 0 ||
	    (r = buf_appendf(out, "process_cpu_seconds_total %.2f\n",
	    p.cpu_seconds)) != 0))
		return r;
	if (p.resident_bytes >= 0 && ((r = family(out,
	    "process_resident_memory_bytes", "gauge",
	    "Resident memory size in bytes.")) != 0 ||
	    (r = buf_appendf(out, "process_resident_memory_bytes %lld\n",
	    p.resident_bytes)) != 0 || (r = family(out,
	    "process_virtual_memory_bytes", "gauge",
	    "Virtual memory size in bytes.")) != 0 ||
	    (r = buf_appendf(out, "process_virtual_memory_bytes %lld\n",
	    p.virtual_bytes)) != 0))
		return r;
	if (p.open_fds >= 0 && ((r = family(out, "process_open_fds", "gauge",
	    "Number of open file descriptors.")) != 0 ||
	    (r = buf_appendf(out, "process_open_fds %lld\n", p.open_fds)) != 0))
		return r;
	if (p.max_fds >= 0 && ((r = family(out, "process_max_fds", "gauge",
	    "Maximum number of open file descriptors.")) != 0 ||
	    (r = buf_appendf(out, "process_max_fds %lld\n", p.max_fds)) != 0))
		return r;
	if (p.start_time >= 0 && ((r = family(out,
	    "process_start_time_seconds", "gauge",
	    "Start time of the process since unix epoch in seconds.")) != 0 ||
	    (r = buf_appendf(out, "process_start_time_seconds %.2f\n",
	    p.start_time)) != 0))
		return r;
	return 0;
}

int
exposition_write(struct buf *out, const struct metrics_snapshot *s,
    int healthy)
{
	int r;

	if ((r = family(out, "passeur_build_info", "gauge",
	    "The version of passeur; always 1.")) != 0 ||
	    (r = buf_appendf(out, "passeur_build_info{version=\"%s\"} 1\n",
	    PASSEUR_VERSION)) != 0 ||
	    (r = requests(out, s)) != 0 ||
	    (r = counters(out, s, healthy)) != 0 ||
	    (r = upstreams(out, s)) != 0 ||
	    (r = process(out)) != 0)
		return r;
	return 0;
}
