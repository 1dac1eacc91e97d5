# SPDX-License-Identifier: GPL-3.0-or-later
"""`passeur glpi setup` on a fresh GLPI 11.0.6: it enables the REST API
and installs GLPI 11's views with SQL as on 10.0, but never writes an API
token: GLPI 11 stores them encrypted with a key this host does not have,
so setup tells the administrator where to make them in GLPI and leaves
the API clients, the users' tokens and glpi.local as they are."""

import os
import re
import shutil
import tempfile
import unittest

os.environ["PASSEUR_GLPI_SCHEMA"] = "11"

from harness import main, run_passeur  # noqa: E402
from mariadb import MariaDB  # noqa: E402

RW_USER, RW_PASSWORD = "setup_rw", "rw-Hc5yQ8nB"
RO_USER, RO_PASSWORD = "setup_ro", "ro-Vt2mK6xD"
VIEWS = ["glpi_computers_pulse", "glpi_view_computers_items_peripheral",
         "glpi_view_computers_items_printer",
         "glpi_view_peripherals_manufacturers"]


class Setup11(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.db = cls.enterClassContext(MariaDB())
        cls.db.load_glpi("glpi")
        cls.db.create_user(RW_USER, RW_PASSWORD, "ALL ON glpi.*")
        cls.db.create_user(RO_USER, RO_PASSWORD, "SELECT ON glpi.*")

    def setUp(self):
        self.confdir = tempfile.mkdtemp(prefix="glpi-setup11-")
        self.addCleanup(shutil.rmtree, self.confdir, True)

    def configure(self, user, password):
        with open(os.path.join(self.confdir, "glpi.cfg"), "w") as f:
            f.write("dbhost = 127.0.0.1\ndbport = %d\ndbname = glpi\n"
                    "dbuser = %s\ndbpassword = %s\ninclude \"glpi.local\"\n"
                    % (self.db.port, user, password))

    def glpi(self, *args):
        p = run_passeur(["glpi", "-c", self.confdir] + list(args))
        out, err = p.stdout.decode(), p.stderr.decode()
        for secret in (RW_PASSWORD, RO_PASSWORD):
            self.assertNotIn(secret, out + err, "a secret was printed")
        return p.returncode, out, err

    def tokens(self):
        """What setup must never write: clients and users' tokens."""
        return self.db.sql(
            "SELECT id, name, app_token FROM glpi_apiclients ORDER BY id;"
            "SELECT id, api_token, api_token_date FROM glpi_users "
            "ORDER BY id;", database="glpi")

    def state(self):
        return self.tokens() + self.db.sql(
            "SELECT value FROM glpi_configs WHERE context = 'core' AND "
            "name = 'enable_api';"
            "SELECT TABLE_NAME FROM information_schema.VIEWS WHERE "
            "TABLE_SCHEMA = 'glpi' ORDER BY TABLE_NAME;", database="glpi")

    def assertTellsHowToMakeTokens(self, out):
        self.assertIn("GLPI 11 stores API tokens encrypted: setup does not "
                      "write them with SQL.", out)
        self.assertIn("Add API client: name MMC", out)
        self.assertIn("Administration > Users > glpi > Settings > Remote "
                      "access keys", out)
        self.assertIn("passeur glpi check", out)

    def reset(self):
        """The API off and no views, as the install left them."""
        self.db.sql("UPDATE glpi_configs SET value = '0' WHERE context = "
                    "'core' AND name = 'enable_api'; DROP VIEW IF EXISTS %s;"
                    % ", ".join(VIEWS), database="glpi")

    def test_read_only_account_changes_nothing(self):
        self.reset()
        self.configure(RO_USER, RO_PASSWORD)
        before = self.state()
        code, out, err = self.glpi("setup")
        self.assertEqual(code, 1, out + err)
        self.assertIn("command denied", err)
        self.assertEqual(self.state(), before)

    def test_dry_run_then_setup_then_nothing_to_do(self):
        self.reset()
        self.configure(RW_USER, RW_PASSWORD)
        before = self.state()
        self.assertIn("\n0\n", "\n" + before)  # the API is off
        code, out, err = self.glpi("setup", "--dry-run")
        self.assertEqual(code, 0, out + err)
        self.assertIn("UPDATE glpi_configs SET value = '1'", out)
        self.assertEqual(len(re.findall(r"CREATE OR REPLACE VIEW", out)), 4)
        self.assertIn("FROM glpi_assets_assets_peripheralassets", out)
        self.assertIn("none made", out)
        self.assertNotIn("glpi_apiclients", out)
        self.assertTellsHowToMakeTokens(out)
        self.assertEqual(self.state(), before)

        tokens = self.tokens()
        code, out, err = self.glpi("setup")
        self.assertEqual(code, 0, out + err)
        self.assertIn("REST API enabled", out)
        for view in VIEWS:
            self.assertIn("view %s created" % view, out)
        self.assertTellsHowToMakeTokens(out)
        self.assertEqual(self.tokens(), tokens)
        self.assertFalse(os.path.exists(
            os.path.join(self.confdir, "glpi.local")))
        after = self.state()
        self.assertEqual(after.split()[-len(VIEWS):], VIEWS)

        # Again: nothing left that SQL may do.
        code, out, err = self.glpi("setup")
        self.assertEqual(code, 0, out + err)
        self.assertNotIn("REST API enabled", out)
        self.assertNotIn("created", out)
        self.assertTellsHowToMakeTokens(out)
        self.assertEqual(self.state(), after)


if __name__ == "__main__":
    main()
