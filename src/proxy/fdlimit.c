/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <sys/resource.h>

#include <limits.h>

#include "common/log.h"
#include "proxy/fdlimit.h"

/* The soft limit after fdlimit_raise(); RLIM_INFINITY: none. */
static rlim_t fd_limit = RLIM_INFINITY;

void
fdlimit_raise(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1) {
		log_warn("getrlimit RLIMIT_NOFILE");
		return;
	}
	if (rl.rlim_cur < rl.rlim_max) {
		rlim_t was = rl.rlim_cur;

		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1) {
			log_warn("cannot raise the open-file limit from %llu "
			    "to %llu", (unsigned long long)was,
			    (unsigned long long)rl.rlim_max);
			rl.rlim_cur = was;
		}
	}
	fd_limit = rl.rlim_cur;
}

/* The first instance of each port is its listener's (as in server.c). */
static int
first_on_port(const struct serve_conf *conf, int i)
{
	int j;

	if (conf->inst[i].disabled)
		return 0;
	for (j = 0; j < i; j++)
		if (!conf->inst[j].disabled &&
		    conf->inst[j].port == conf->inst[i].port)
			return 0;
	return 1;
}

long long
fdlimit_available(const struct serve_conf *conf, long long limit,
    int nforwarders, int (*workers)(const struct instance_conf *))
{
	long long	reserve;
	int		i;

	if (limit < 0)
		return FDLIMIT_UNLIMITED;
	reserve = FDLIMIT_BASE + (long long)nforwarders * FDLIMIT_PER_FORWARDER;
	for (i = 0; i < CONF_NINSTANCES; i++)
		if (first_on_port(conf, i))
			reserve += FDLIMIT_PER_LISTENER +
			    (long long)workers(&conf->inst[i]) *
			    FDLIMIT_PER_WORKER;
	return limit > reserve ? limit - reserve : 0;
}

void
fdlimit_clamp(struct serve_conf *conf, int nforwarders,
    int (*workers)(const struct instance_conf *))
{
	struct instance_conf	*ic;
	long long		 avail, total = 0, mc;
	int			 i, j;

	if (fd_limit == RLIM_INFINITY || (unsigned long long)fd_limit >
	    (unsigned long long)LLONG_MAX)
		return;
	avail = fdlimit_available(conf, (long long)fd_limit, nforwarders,
	    workers);
	for (i = 0; i < CONF_NINSTANCES; i++)
		if (first_on_port(conf, i))
			total += conf->inst[i].max_connections;
	if (total <= avail)
		return;
	for (i = 0; i < CONF_NINSTANCES; i++) {
		if (!first_on_port(conf, i))
			continue;
		ic = &conf->inst[i];
		mc = ic->max_connections * avail / total;
		if (mc < 1)
			mc = 1;
		log_warnx("%s: max_connections %lld lowered to %lld: the "
		    "open-file limit is %llu, and %lld descriptors are kept "
		    "for workers, forwards and listeners (raise LimitNOFILE "
		    "or ulimit -n)", ic->name, ic->max_connections, mc,
		    (unsigned long long)fd_limit,
		    (long long)fd_limit - avail);
		for (j = i; j < CONF_NINSTANCES; j++)
			if (!conf->inst[j].disabled &&
			    conf->inst[j].port == ic->port)
				conf->inst[j].max_connections = mc;
	}
}
