# SPDX-License-Identifier: GPL-3.0-or-later
"""`passeur glpi setup` against a real MariaDB holding a fresh GLPI 10.0.18
database: it creates what the access lacks (REST API enabled, the MMC API
client with a 40-character token and this host's address, the API user's
token, the views), writes the tokens to glpi.local (0600), and `check` then
passes; a second run changes nothing; --dry-run changes nothing; a
read-only account changes nothing and says why."""

import os
import re
import shutil
import tempfile
import unittest

from harness import main, run_passeur
from mariadb import ZERO_IDS, MariaDB

RW_USER, RW_PASSWORD = "setup_rw", "rw-Xq3vT9pL"
RO_USER, RO_PASSWORD = "setup_ro", "ro-Jm4kR7wS"
ADMIN_USER, ADMIN_PASSWORD = "setup_admin", "ad-Pz8nW2cV"
# May create accounts and grant: what --db-account needs.
ROOT_USER, ROOT_PASSWORD = "setup_root", "rt-Kd5sQ8mY"
ACCOUNT = "passeur_platform"
# What setup changes: kept as the install left it in the database "fresh"
# once, and put back before each test (far faster than loading GLPI).
TABLES = ("glpi_configs", "glpi_apiclients", "glpi_users")
VIEWS = ("glpi_computers_pulse", "glpi_view_computers_items_printer",
         "glpi_view_computers_items_peripheral",
         "glpi_view_peripherals_manufacturers")


def copy_tables(source, target):
    """The SQL that makes TABLES of target those of source, rows too."""
    return ZERO_IDS + "".join(
        "DROP TABLE IF EXISTS `{t}`.{n}; CREATE TABLE `{t}`.{n} LIKE "
        "`{s}`.{n}; INSERT INTO `{t}`.{n} SELECT * FROM `{s}`.{n};\n"
        .format(s=source, t=target, n=n) for n in TABLES)


class Setup(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.db = MariaDB().__enter__()
        cls.db.create_user(RW_USER, RW_PASSWORD, "ALL ON glpi.*")
        cls.db.create_user(RO_USER, RO_PASSWORD, "SELECT ON glpi.*")
        cls.db.create_user(ADMIN_USER, ADMIN_PASSWORD, "ALL ON glpi.*")
        cls.db.create_user(ROOT_USER, ROOT_PASSWORD, "ALL ON *.*")
        cls.db.sql("GRANT ALL ON *.* TO '%s'@'127.0.0.1' WITH GRANT OPTION;"
                   % ROOT_USER)
        cls.db.load_glpi("glpi")
        cls.db.sql("CREATE DATABASE fresh;\n" + copy_tables("glpi", "fresh"))

    @classmethod
    def tearDownClass(cls):
        cls.db.__exit__(None, None, None)

    def setUp(self):
        # A fresh GLPI for every test, as far as setup can tell.
        self.db.sql(copy_tables("fresh", "glpi") +
                    "DROP VIEW IF EXISTS %s;" % ", ".join(
                        "glpi.%s" % v for v in VIEWS))
        self.confdir = tempfile.mkdtemp(prefix="glpi-setup-")
        self.addCleanup(shutil.rmtree, self.confdir, True)

    def configure(self, user, password):
        with open(os.path.join(self.confdir, "glpi.cfg"), "w") as f:
            f.write("dbhost = 127.0.0.1\ndbport = %d\ndbname = glpi\n"
                    "dbuser = %s\ndbpassword = %s\ninclude \"glpi.local\"\n"
                    % (self.db.port, user, password))

    def glpi(self, *args, input=None):
        p = run_passeur(["glpi", "-c", self.confdir] + list(args),
                        input=input)
        out, err = p.stdout.decode(), p.stderr.decode()
        for secret in (RW_PASSWORD, RO_PASSWORD, ADMIN_PASSWORD,
                       ROOT_PASSWORD) + self.tokens() + self.passwords():
            self.assertNotIn(secret, out + err, "a secret was printed")
        return p.returncode, out, err

    def tokens(self):
        """The app and user tokens in the database (to check they are never
        printed)."""
        rows = self.db.sql("SELECT app_token FROM glpi_apiclients WHERE "
                           "app_token IS NOT NULL UNION SELECT api_token "
                           "FROM glpi_users WHERE api_token IS NOT NULL",
                           database="glpi").split()
        return tuple(r for r in rows if len(r) >= 20)

    def passwords(self):
        """The database password glpi.local holds, if any (never printed)."""
        try:
            return tuple(re.findall(r"^dbpassword = (\S+)$", self.local()[1],
                                    re.M))
        except FileNotFoundError:
            return ()

    def grants(self):
        return self.db.sql("SHOW GRANTS FOR '%s'@'127.0.0.1'" % ACCOUNT)

    def state(self):
        """Everything setup may change, as text."""
        return self.db.sql(
            "SELECT name, value FROM glpi_configs WHERE name = 'enable_api';"
            "SELECT name, is_active, is_recursive, entities_id, "
            "INET_NTOA(ipv4_range_start), INET_NTOA(ipv4_range_end), "
            "app_token FROM glpi_apiclients ORDER BY id;"
            "SELECT name, api_token FROM glpi_users ORDER BY id;"
            "SELECT TABLE_NAME FROM information_schema.VIEWS WHERE "
            "TABLE_SCHEMA = 'glpi' ORDER BY TABLE_NAME;", database="glpi")

    def local(self):
        path = os.path.join(self.confdir, "glpi.local")
        with open(path) as f:
            return os.stat(path).st_mode & 0o777, f.read()

    def test_fresh_database(self):
        self.configure(RW_USER, RW_PASSWORD)
        code, out, err = self.glpi("check")
        self.assertEqual(code, 1, out)
        code, out, err = self.glpi("setup")
        self.assertEqual(code, 0, out + err)
        for said in ("REST API enabled", "API client created",
                     "API token of the user made",
                     "view glpi_computers_pulse created", "glpi.local"):
            self.assertIn(said, out)
        client = self.db.sql(
            "SELECT is_active, is_recursive, entities_id, "
            "INET_NTOA(ipv4_range_start), INET_NTOA(ipv4_range_end), "
            "app_token FROM glpi_apiclients WHERE name = 'MMC'",
            database="glpi").split()
        self.assertEqual(client[:5], ["1", "1", "0", "127.0.0.1",
                                      "127.0.0.1"])
        self.assertRegex(client[5], r"^[A-Za-z0-9]{40}$")
        user_token = self.db.sql("SELECT api_token FROM glpi_users WHERE "
                                 "name = 'glpi'", database="glpi").strip()
        self.assertRegex(user_token, r"^[A-Za-z0-9]{40}$")
        mode, text = self.local()
        self.assertEqual(mode, 0o600)
        self.assertIn("app_token = %s\n" % client[5], text)
        self.assertIn("user_token = %s\n" % user_token, text)
        code, out, err = self.glpi("check")
        self.assertEqual(code, 0, out + err)
        self.assertIn("usable: yes, as super-admin", out)
        # A second run finds everything done and changes nothing.
        before, local_before = self.state(), self.local()
        code, out, err = self.glpi("setup")
        self.assertEqual(code, 0, out + err)
        self.assertIn("nothing to do", out)
        self.assertEqual(self.state(), before)
        self.assertEqual(self.local(), local_before)

    def test_keeps_what_exists(self):
        # An active MMC client with a token and a user token already there:
        # only the API switch and the views are missing.
        self.db.sql("INSERT INTO glpi_apiclients (name, entities_id, "
                    "is_recursive, is_active, app_token) VALUES ('MMC', 0, "
                    "1, 1, 'k7sD2mQ9vX4bN8cR1tY6wZ3pL5hJ0gF2aS9dK4eU');"
                    "UPDATE glpi_users SET api_token = "
                    "'u8Hk2Lm5Nq9Rs3Tv6Wx1Yz4Ab7Cd0Ef2Gh5Ij8Kl' WHERE id = 2",
                    database="glpi")
        with open(os.path.join(self.confdir, "glpi.local"), "w") as f:
            f.write("# mine\nmode = super-admin\napp_token = stale\n")
        self.configure(RW_USER, RW_PASSWORD)
        code, out, err = self.glpi("setup", "--no-ip-range")
        self.assertEqual(code, 0, out + err)
        self.assertNotIn("API client created", out)
        self.assertNotIn("API token of the user made", out)
        self.assertIn("REST API enabled", out)
        mode, text = self.local()
        self.assertEqual(text, "# mine\nmode = super-admin\n"
                         "app_token = k7sD2mQ9vX4bN8cR1tY6wZ3pL5hJ0gF2aS9dK4eU\n"
                         "user_token = u8Hk2Lm5Nq9Rs3Tv6Wx1Yz4Ab7Cd0Ef2Gh5Ij8Kl\n")
        self.assertEqual(self.glpi("check")[0], 0)

    def test_no_ip_range(self):
        self.configure(RW_USER, RW_PASSWORD)
        self.assertEqual(self.glpi("setup", "--no-ip-range")[0], 0)
        rng = self.db.sql("SELECT ipv4_range_start IS NULL FROM "
                          "glpi_apiclients WHERE name = 'MMC'",
                          database="glpi").strip()
        self.assertEqual(rng, "1")

    def test_dry_run_changes_nothing(self):
        self.configure(RW_USER, RW_PASSWORD)
        before = self.state()
        code, out, err = self.glpi("setup", "--dry-run")
        self.assertEqual(code, 0, out + err)
        self.assertIn("UPDATE glpi_configs SET value = '1'", out)
        self.assertIn("INSERT INTO glpi_apiclients", out)
        self.assertIn("<new token>", out)
        self.assertEqual(len(re.findall(r"CREATE OR REPLACE VIEW", out)), 4)
        self.assertIn("none made", out)
        self.assertEqual(self.state(), before)
        self.assertFalse(os.path.exists(
            os.path.join(self.confdir, "glpi.local")))

    def test_read_only_account(self):
        self.configure(RO_USER, RO_PASSWORD)
        before = self.state()
        code, out, err = self.glpi("setup")
        self.assertEqual(code, 1, out + err)
        self.assertIn("command denied", err)
        self.assertIn("setup --admin-user NAME", err)
        self.assertEqual(self.state(), before)
        self.assertFalse(os.path.exists(
            os.path.join(self.confdir, "glpi.local")))

    def test_admin_user_for_a_read_only_account(self):
        # The platform keeps its read-only account; an admin account, given
        # once with its password on stdin, makes the changes.
        self.configure(RO_USER, RO_PASSWORD)
        before = self.state()
        code, out, err = self.glpi("setup", "--admin-user", ADMIN_USER,
                                   input=b"wrong-password\n")
        self.assertEqual(code, 1, out + err)
        self.assertIn("cannot log in to glpi as %s" % ADMIN_USER, err)
        self.assertEqual(self.state(), before)
        code, out, err = self.glpi("setup", "--admin-user", ADMIN_USER,
                                   input=ADMIN_PASSWORD.encode() + b"\n")
        self.assertEqual(code, 0, out + err)
        self.assertIn("Summary of required information", out)
        self.assertRegex(out, r"database account +%s\n" % RO_USER)
        mode, local = self.local()
        self.assertEqual(mode, 0o600)
        self.assertNotIn(ADMIN_USER, local)
        self.assertNotIn("dbuser", local)
        # The read-only account now passes every row.
        code, out, err = self.glpi("check")
        self.assertEqual(code, 0, out + err)
        self.assertIn("read-only", out)
        # No password given: nothing done.
        code, out, err = self.glpi("setup", "--admin-user", ADMIN_USER,
                                   input=b"")
        self.assertEqual(code, 1, out + err)
        self.assertIn("no password", err)

    def test_db_account(self):
        # The platform's own account, made by an admin for this host.
        self.db.drop_user(ACCOUNT)
        self.addCleanup(self.db.drop_user, ACCOUNT)
        # The account glpi.cfg names cannot log in: check passes below
        # only with the one setup made and wrote to glpi.local.
        self.configure("nobody_yet", "not-a-password")
        args = ("setup", "--admin-user", ROOT_USER, "--db-account", ACCOUNT,
                "--read-only")
        pw = ROOT_PASSWORD.encode() + b"\n"
        code, out, err = self.glpi(*(args + ("--dry-run",)), input=pw)
        self.assertEqual(code, 0, out + err)
        self.assertIn("CREATE USER '%s'@'127.0.0.1' IDENTIFIED BY "
                      "'<new password>'" % ACCOUNT, out)
        self.assertIn("GRANT SELECT ON `glpi`.* TO '%s'@'127.0.0.1'"
                      % ACCOUNT, out)
        self.assertNotIn("ALL PRIVILEGES", out)
        self.assertRaises(AssertionError, self.grants)   # not made
        code, out, err = self.glpi(*args, input=pw)
        self.assertEqual(code, 0, out + err)
        self.assertRegex(out, r"database account +%s\n" % ACCOUNT)
        grants = self.grants()
        self.assertIn("GRANT SELECT ON `glpi`.*", grants)
        self.assertNotIn("ALL PRIVILEGES ON `glpi`", grants)
        mode, local = self.local()
        self.assertEqual(mode, 0o600)
        self.assertIn("dbuser = %s\n" % ACCOUNT, local)
        self.assertRegex(local, r"dbpassword = [A-Za-z0-9]{32}\n")
        self.assertNotIn(ROOT_USER, local)
        code, out, err = self.glpi("check", "--no-api")
        self.assertEqual(code, 0, out + err)
        self.assertRegex(out, r"db\.access +.*read-only")
        # Again: nothing changes, the password neither.
        before = (self.state(), self.local(), grants)
        code, out, err = self.glpi(*args, input=pw)
        self.assertEqual(code, 0, out + err)
        self.assertIn("nothing to do", out)
        self.assertEqual((self.state(), self.local(), self.grants()), before)
        # Read/write: all privileges, the same password.
        code, out, err = self.glpi(*args[:-1], input=pw)
        self.assertEqual(code, 0, out + err)
        self.assertIn("ALL PRIVILEGES ON `glpi`.*", self.grants())
        self.assertEqual(self.local(), before[1])
        # And back to read-only: the write rights taken back.
        self.assertEqual(self.glpi(*args, input=pw)[0], 0)
        self.assertNotIn("ALL PRIVILEGES ON `glpi`", self.grants())
        # Without an admin account: a usage error.
        self.assertEqual(self.glpi("setup", "--db-account", ACCOUNT)[0], 2)

    def test_unknown_api_user(self):
        self.configure(RW_USER, RW_PASSWORD)
        with open(os.path.join(self.confdir, "glpi.local"), "w") as f:
            f.write("api_user = nobody\n")
        code, out, err = self.glpi("setup")
        self.assertEqual(code, 1)
        self.assertIn("no GLPI user named nobody", err)

    def test_usage(self):
        self.configure(RW_USER, RW_PASSWORD)
        self.assertEqual(self.glpi("setup", "--json")[0], 2)
        self.assertEqual(self.glpi("check", "--dry-run")[0], 2)
        self.assertEqual(self.glpi("check", "--admin-user", "x")[0], 2)


if __name__ == "__main__":
    main()
