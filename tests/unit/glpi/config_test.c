/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * glpi config: glpi.cfg and its secrets.
 */
#include "../testutil.h"

#include "common/err.h"
#include "glpi/config.h"

static void
test_defaults_and_local(void **state)
{
	struct glpi_conf c;

	tu_write_str(*state, "glpi.cfg", "dbuser = mmc\n"
	    "include \"glpi.local\"\n");
	tu_write_str(*state, "glpi.local", "dbhost = db.example\n"
	    "dbport = 3307\nmode = Read-Only\n");
	assert_int_equal(glpi_conf_load(*state, &c), 0);
	assert_string_equal(c.dbuser, "mmc");
	assert_string_equal(c.dbhost, "db.example");
	assert_int_equal(c.dbport, 3307);
	assert_string_equal(c.dbname, "glpi");
	assert_string_equal(c.api_client, "MMC");
	assert_int_equal(c.mode, GLPI_MODE_READ_ONLY);
	assert_string_equal(glpi_mode_name(c.mode), "read-only");
	assert_string_equal(c.sync_db, GLPI_SYNC_DB);
	assert_int_equal(c.dbssl, 0);
	assert_string_equal(c.dbsslca, "");
}

static void
test_tls_files(void **state)
{
	struct glpi_conf	c;
	char			want[1100];

	tu_write_str(*state, "glpi.cfg", "dbuser = mmc\ndbsslenable = yes\n"
	    "dbsslca = tls/ca.pem\ndbsslcert = /etc/ssl/client.pem\n"
	    "sync_db = /srv/copy.sqlite\n");
	assert_int_equal(glpi_conf_load(*state, &c), 0);
	assert_int_equal(c.dbssl, 1);
	/* Relative names are the configuration folder's. */
	snprintf(want, sizeof(want), "%s/tls/ca.pem", (char *)*state);
	assert_string_equal(c.dbsslca, want);
	assert_string_equal(c.dbsslcert, "/etc/ssl/client.pem");
	assert_string_equal(c.dbsslkey, "");
	assert_string_equal(c.sync_db, "/srv/copy.sqlite");
}

static void
test_secret_files(void **state)
{
	struct glpi_conf c;

	tu_write_str(*state, "db.secret", "s3cret\nsecond line\n");
	tu_write_str(*state, "app.secret", "apptoken\r\n");
	tu_write_str(*state, "glpi.cfg", "dbuser = mmc\n"
	    "dbpassword_file = db.secret\napp_token_file = app.secret\n"
	    "user_token = ut\n");
	assert_int_equal(glpi_conf_load(*state, &c), 0);
	assert_string_equal(c.dbpassword, "s3cret");
	assert_string_equal(c.app_token, "apptoken");
	assert_string_equal(c.user_token, "ut");
}

static void
test_errors(void **state)
{
	struct glpi_conf	c;
	char			*gone;

	/* No file, no user, bad values, a missing secret file. */
	assert_int_equal(glpi_conf_load(*state, &c), ERR_NOT_FOUND);
	tu_write_str(*state, "glpi.cfg", "dbhost = x\n");
	assert_int_equal(glpi_conf_load(*state, &c), ERR_INVALID);
	tu_write_str(*state, "glpi.cfg", "dbuser = u\ndbport = 70000\n");
	assert_int_equal(glpi_conf_load(*state, &c), ERR_INVALID);
	tu_write_str(*state, "glpi.cfg", "dbuser = u\nmode = admin\n");
	assert_int_equal(glpi_conf_load(*state, &c), ERR_INVALID);
	tu_write_str(*state, "glpi.cfg", "dbuser = u\n"
	    "user_token_file = gone\n");
	assert_int_equal(glpi_conf_load(*state, &c), ERR_INVALID);
	/* An unknown key is only a warning. */
	tu_write_str(*state, "glpi.cfg", "dbuser = u\nfuture_key = 1\n");
	assert_int_equal(glpi_conf_load(*state, &c), 0);
	gone = tu_path(*state, "nowhere");
	assert_int_equal(glpi_conf_load(gone, &c), ERR_NOT_FOUND);
	free(gone);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_defaults_and_local, tu_setup_dir,
		    tu_teardown_dir),
		cmocka_unit_test_setup_teardown(test_tls_files, tu_setup_dir,
		    tu_teardown_dir),
		cmocka_unit_test_setup_teardown(test_secret_files, tu_setup_dir,
		    tu_teardown_dir),
		cmocka_unit_test_setup_teardown(test_errors, tu_setup_dir, tu_teardown_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
