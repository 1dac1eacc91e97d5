/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "inject/progress.h"

#define TTY_EVERY	0.1	/* seconds between redraws on a terminal */
#define PLAIN_EVERY	10.0	/* seconds between plain progress lines */
#define BAR_WIDTH	24

struct progress {
	pthread_mutex_t	 lock;
	FILE		*out;
	int		 tty;
	int		 drawn;		/* the bar is on screen */
	size_t		 files, done, sent;
	size_t		 skipped;	/* control messages, among done */
	off_t		 bytes, done_bytes, sent_bytes;
	double		 start, last;
};

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct progress *
progress_new(FILE *out, size_t files, off_t bytes)
{
	struct progress *pr;

	if ((pr = calloc(1, sizeof(*pr))) == NULL)
		return NULL;
	pthread_mutex_init(&pr->lock, NULL);
	pr->out = out;
	pr->tty = isatty(fileno(out));
	pr->files = files;
	pr->bytes = bytes;
	pr->start = pr->last = now();
	return pr;
}

void
progress_done(struct progress *pr, off_t size, int sent)
{
	pthread_mutex_lock(&pr->lock);
	pr->done++;
	pr->sent += sent ? 1 : 0;
	pr->done_bytes += size;
	pr->sent_bytes += sent ? size : 0;
	pthread_mutex_unlock(&pr->lock);
}

void
progress_skipped(struct progress *pr, off_t size)
{
	pthread_mutex_lock(&pr->lock);
	pr->done++;
	pr->skipped++;
	pr->done_bytes += size;
	pthread_mutex_unlock(&pr->lock);
}

/* "12.3 MB" */
static void
human(double bytes, char *out, size_t outlen)
{
	static const char *const unit[] = { "B", "kB", "MB", "GB", "TB" };
	int i = 0;

	while (bytes >= 1000 && i < 4) {
		bytes /= 1000;
		i++;
	}
	snprintf(out, outlen, i == 0 ? "%.0f %s" : "%.1f %s", bytes, unit[i]);
}

/* The figures of the status line; locked. */
static void
figures(const struct progress *pr, double t, char *out, size_t outlen)
{
	char	b[32];
	double	el = t - pr->start, rate = el > 0 ? (double)pr->done / el : 0;
	long	left;

	human((double)pr->done_bytes, b, sizeof(b));
	if (rate > 0 && pr->done < pr->files) {
		left = (long)((double)(pr->files - pr->done) / rate + 0.5);
		snprintf(out, outlen, "%zu/%zu files, %s, %.0f files/s, "
		    "%ld:%02ld left", pr->done, pr->files, b, rate, left / 60,
		    left % 60);
	} else
		snprintf(out, outlen, "%zu/%zu files, %s, %.0f files/s",
		    pr->done, pr->files, b, rate);
}

static void
draw(struct progress *pr, double t)
{
	char	fig[160], bar[BAR_WIDTH + 1];
	int	i, full = pr->files > 0 ? (int)(pr->done * BAR_WIDTH /
		    pr->files) : BAR_WIDTH;

	figures(pr, t, fig, sizeof(fig));
	for (i = 0; i < BAR_WIDTH; i++)
		bar[i] = i < full ? '#' : '.';
	bar[BAR_WIDTH] = '\0';
	fprintf(pr->out, "\r[%s] %s\033[K", bar, fig);
	fflush(pr->out);
	pr->drawn = 1;
}

static void
clear(struct progress *pr)
{
	if (pr->drawn) {
		fputs("\r\033[K", pr->out);
		pr->drawn = 0;
	}
}

void
progress_say(struct progress *pr, FILE *fp, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&pr->lock);
	clear(pr);
	fflush(pr->out);
	va_start(ap, fmt);
	vfprintf(fp, fmt, ap);
	va_end(ap);
	fputc('\n', fp);
	fflush(fp);
	pthread_mutex_unlock(&pr->lock);
}

void
progress_tick(struct progress *pr)
{
	char	fig[160];
	double	t = now();

	pthread_mutex_lock(&pr->lock);
	if (pr->tty && t - pr->last >= TTY_EVERY) {
		draw(pr, t);
		pr->last = t;
	} else if (!pr->tty && t - pr->last >= PLAIN_EVERY) {
		figures(pr, t, fig, sizeof(fig));
		fprintf(pr->out, "passeur inject: %s\n", fig);
		fflush(pr->out);
		pr->last = t;
	}
	pthread_mutex_unlock(&pr->lock);
}

void
progress_end(struct progress *pr, size_t skipped, int dry_run)
{
	char	b[32];
	double	el = now() - pr->start;

	pthread_mutex_lock(&pr->lock);
	clear(pr);
	human((double)pr->sent_bytes, b, sizeof(b));
	skipped += pr->skipped;
	if (dry_run)
		fprintf(pr->out, "passeur inject: %zu to send, %zu not "
		    "inventories, %zu skipped (%s); nothing sent\n", pr->sent,
		    pr->done - pr->sent - pr->skipped, skipped, b);
	else
		fprintf(pr->out, "passeur inject: %zu sent, %zu failed, %zu "
		    "skipped in %.2f s (%s, %.0f files/s)\n", pr->sent,
		    pr->done - pr->sent - pr->skipped, skipped, el, b, el > 0 ?
		    (double)pr->sent / el : 0);
	fflush(pr->out);
	pthread_mutex_unlock(&pr->lock);
	pthread_mutex_destroy(&pr->lock);
	free(pr);
}
