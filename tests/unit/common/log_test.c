/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * log: one line per message, whatever the message quotes.
 */
#include "../testutil.h"

#include "common/log.h"

/* The text after "] " of the only line in dir/name. */
static char *
only_line(const char *dir, const char *name)
{
	char	*text, *p;
	size_t	 len;

	text = tu_read(dir, name, &len);
	assert_non_null(text);
	assert_true(len > 0);
	assert_int_equal(text[len - 1], '\n');
	text[len - 1] = '\0';
	if (strchr(text, '\n') != NULL)
		fail_msg("more than one line: %s", text);
	assert_non_null(p = strstr(text, "] "));
	memmove(text, p + 2, strlen(p + 2) + 1);
	return text;
}

static void
test_control_bytes_escaped(void **state)
{
	const char	*dir = *state;
	char		*path = tu_path(dir, "log"), *line;

	assert_int_equal(log_init(LOG_TO_FILE, path, NULL, 0), 0);
	log_warnx("upstream said: %s", "busy\n[2026-01-01][info] FORGED\r"
	    "\x1b[31mred\x7f\ttab");
	log_close();
	line = only_line(dir, "log");
	assert_string_equal(line, "upstream said: busy\\x0a[2026-01-01][info] "
	    "FORGED\\x0d\\x1b[31mred\\x7f\\x09tab");
	free(line);
	free(path);
}

static void
test_utf8_kept_invalid_escaped(void **state)
{
	const char	*dir = *state;
	char		*path = tu_path(dir, "log"), *line;

	assert_int_equal(log_init(LOG_TO_FILE, path, NULL, 0), 0);
	/*
	 * é and € and U+1F600 are kept; a lone continuation byte, a cut
	 * sequence, an overlong '/', a surrogate and 0xff are not.
	 */
	log_info("%s", "\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \x80 \xe2\x82 "
	    "\xc0\xaf \xed\xa0\x80 \xff");
	log_close();
	line = only_line(dir, "log");
	assert_string_equal(line, "\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 "
	    "\\x80 \\xe2\\x82 \\xc0\\xaf \\xed\\xa0\\x80 \\xff");
	free(line);
	free(path);
}

/* The file descriptor fd leads to, or "" when it is closed. */
static void
fd_target(int fd, char *out, size_t outlen)
{
	char	link[64];
	ssize_t	n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, out, outlen - 1);
	out[n < 0 ? 0 : n] = '\0';
}

/*
 * A reload opens the new file on the descriptor number of the old one:
 * a thread that read the number just before still writes to a log file,
 * never to a descriptor closed and reused meanwhile.
 */
static void
test_reopen_keeps_the_number(void **state)
{
	const char	*dir = *state;
	char		*a = tu_path(dir, "a.log"), *b = tu_path(dir, "b.log");
	char		 target[4096], *line;
	int		 probe, slot, i;

	assert_int_equal(log_init(LOG_TO_FILE, a, NULL, 0), 0);
	/* The log's number is the one below the next free descriptor. */
	assert_true((probe = dup(0)) > 0);
	close(probe);
	for (slot = probe - 1; slot > 2; slot--) {
		fd_target(slot, target, sizeof(target));
		if (strcmp(target, a) == 0)
			break;
	}
	assert_true(slot > 2);
	for (i = 0; i < 3; i++) {
		assert_int_equal(log_init(LOG_TO_FILE, i % 2 ? a : b, NULL, 0),
		    0);
		fd_target(slot, target, sizeof(target));
		assert_string_equal(target, i % 2 ? a : b);
		/* No other descriptor was taken nor freed. */
		assert_int_equal(probe = dup(0), slot + 1);
		close(probe);
	}
	/* Leaving the file for stderr keeps the number open until the end. */
	assert_int_equal(log_init(LOG_TO_STDERR, NULL, NULL, 0), 0);
	fd_target(slot, target, sizeof(target));
	assert_string_equal(target, b);
	assert_int_equal(log_init(LOG_TO_FILE, a, NULL, 0), 0);
	log_info("after");
	log_close();
	fd_target(slot, target, sizeof(target));
	assert_string_equal(target, "");
	line = only_line(dir, "a.log");
	assert_string_equal(line, "after");
	free(line);
	free(a);
	free(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_control_bytes_escaped,
		    tu_setup_dir, tu_teardown_dir),
		cmocka_unit_test_setup_teardown(test_utf8_kept_invalid_escaped,
		    tu_setup_dir, tu_teardown_dir),
		cmocka_unit_test_setup_teardown(test_reopen_keeps_the_number,
		    tu_setup_dir, tu_teardown_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
