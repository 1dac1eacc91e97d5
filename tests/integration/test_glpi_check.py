# SPDX-License-Identifier: GPL-3.0-or-later
"""`passeur glpi check` against a real MariaDB holding the database of a
fresh GLPI (10.0.18, or 11.0.6 with PASSEUR_GLPI_SCHEMA=11): one row per
prerequisite (ITEM EXPECTED FOUND VERDICT, a `fix:`
line under each failure), the same rows in --json, exit 0 only when every
row is ok. No secret of the configuration ever reaches the output.

The database is loaded once for the class with a working setup (API
enabled, an MMC client with an app token and no IP range, the glpi user
with an API token, the views of `passeur glpi views sql` applied by root);
each test changes what it needs and puts it back.

On GLPI 11 the app and user tokens are stored encrypted: SQL can neither
compare them nor find a user by them. check says so (api.app_token and
api.user skipped, proven through the REST API: a user found by api_user
with ciphertext beside it proves nothing of user_token), and calls the
access "not proven" rather than usable.

These are the database's rows: every run is `check --no-api` (the API's
own rows, on by default, are test_glpi_check_api's)."""

import json
import os
import re
import secrets
import shutil
import string
import tempfile
import unittest

from harness import free_port, main, run_passeur
from mariadb import GLPI11, GLPI_VERSION, MariaDB, quote

DBNAME = "glpi"
ITEMS = ["db.port", "db.login", "glpi.version", "db.access", "db.views",
         "api.enabled", "api.client", "api.app_token", "api.client_ip",
         "api.user", "api.profile", "inventory.oauth"]
VIEWS = ["glpi_computers_pulse", "glpi_view_computers_items_printer",
         "glpi_view_computers_items_peripheral",
         "glpi_view_peripherals_manufacturers"]
VERDICTS = ("ok", "FAIL", "skipped")
# What only the REST API proves on GLPI 11.
UNPROVEN = ["api.app_token", "api.user"] if GLPI11 else []
ADMIN_VIEWS = "passeur glpi views sql%s | mariadb" % (" --glpi 11" if GLPI11
                                                       else "")


def token(n=40):
    """A token like GLPI's: n random letters and digits."""
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(n))


RW_USER, RW_PASSWORD = "passeur_rw", "rw-" + token(16)
RO_USER, RO_PASSWORD = "passeur_ro", "ro-" + token(16)
APP_TOKEN = token()
USER_TOKEN = token()        # the glpi user's (Super-Admin)
MMC_CLIENT = ("INSERT INTO glpi_apiclients (name, entities_id, is_recursive, "
              "is_active, app_token) VALUES ('MMC', 0, 1, 1, %s);"
              % quote(APP_TOKEN))


def inet_aton(address):
    """The SQL for an IPv4 address as GLPI stores it (NULL for None)."""
    return "NULL" if address is None else "INET_ATON(%s)" % quote(address)


def views_sql():
    """The script of `passeur glpi views sql`, which needs no
    configuration; an admin applies it."""
    p = run_passeur(["glpi", "views", "sql"] + (["--glpi", "11"] if GLPI11
                                                else []), timeout=60)
    if p.returncode != 0:
        raise AssertionError("passeur glpi views sql: exit %d\n%s" %
                             (p.returncode, p.stderr.decode()))
    return p.stdout.decode()


class Result:
    """One run of check, as a table and as JSON (both runs must agree)."""

    def __init__(self, code, out, err, json_code, json_out):
        self.code, self.out, self.err = code, out, err
        self.json_code, self.json = json_code, json.loads(json_out)
        self.rows = parse_table(out)

    def __getitem__(self, item):
        return self.rows[item]

    def verdicts(self):
        return {item: row["verdict"] for item, row in self.rows.items()}

    def __repr__(self):
        return "exit %d\n%s%s" % (self.code, self.out, self.err)


def parse_table(out):
    """{item: {expected, found, verdict, fix}} in table order, the columns
    cut where the header's titles start."""
    lines = out.splitlines()
    header = next(i for i, l in enumerate(lines) if l.startswith("ITEM "))
    cols = [lines[header].index(t) for t in ("EXPECTED", "FOUND", "VERDICT")]
    rows, last = {}, None
    for line in lines[header + 1:]:
        if not line.strip():
            break
        if line[0].isspace():
            fix = line.strip()
            assert fix.startswith("fix: "), line
            rows[last]["fix"] = fix[len("fix: "):]
            continue
        last = line[:cols[0]].strip()
        rows[last] = {"expected": line[cols[0]:cols[1]].strip(),
                      "found": line[cols[1]:cols[2]].strip(),
                      "verdict": line[cols[2]:].strip(), "fix": None}
    return rows


def parse_capabilities(out):
    """{capability: (REST API, DATABASE)} from the table under CAPABILITY,
    as "yes", "no" or "-" (not offered that way)."""
    lines = out.splitlines()
    header = next(i for i, l in enumerate(lines)
                  if l.startswith("CAPABILITY "))
    caps = {}
    for line in lines[header + 1:]:
        if not line.strip():
            break
        what, api, db = re.split(r"\s{2,}", line.strip())
        caps[what] = (api, db)
    return caps


CAPABILITIES = ["read devices, users, entities", "create, delete users",
                "create, delete entities", "delete computers",
                "modify objects"]


def capabilities(api_read, api_write, db_read, db_write):
    """The capability table expected of these four abilities; on GLPI 11
    the REST API ones wait for the tokens' proof."""
    yn = lambda b: "yes" if b else "no"
    api_read, api_write = (api_read and not GLPI11,
                           api_write and not GLPI11)
    return {c: (yn(api_read if i == 0 else api_write),
                "-" if c == "delete computers" else
                yn(db_read if i == 0 else db_write))
            for i, c in enumerate(CAPABILITIES)}


class GlpiCheck(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.db = cls.enterClassContext(MariaDB())
        cls.db.load_glpi(DBNAME)
        cls.db.sql("UPDATE glpi_configs SET value = '1' WHERE context = "
                   "'core' AND name = 'enable_api';\n" + MMC_CLIENT +
                   "UPDATE glpi_users SET api_token = %s WHERE name = 'glpi';"
                   % quote(USER_TOKEN), database=DBNAME)
        cls.db.create_user(RW_USER, RW_PASSWORD, "ALL ON %s.*" % DBNAME)
        cls.db.create_user(RO_USER, RO_PASSWORD, "SELECT ON %s.*" % DBNAME)
        cls.views_sql = views_sql()
        cls.db.sql(cls.views_sql, database=DBNAME)

    # -- helpers --------------------------------------------------------

    def change(self, sql, undo):
        """Runs sql on the GLPI database now and undo when the test ends."""
        self.addCleanup(self.db.sql, undo, database=DBNAME)
        self.db.sql(sql, database=DBNAME)

    def confdir(self, **keys):
        """A configuration folder: glpi.cfg with the public keys, and
        glpi.local (included at its end) with the secrets. keys
        override the working read/write setup; None removes a key."""
        cfg = {"dbhost": self.db.host, "dbport": self.db.port,
               "dbname": DBNAME, "dbuser": RW_USER,
               "api_url": "http://127.0.0.1/glpi/apirest.php"}
        local = {"dbpassword": RW_PASSWORD, "app_token": APP_TOKEN,
                 "user_token": USER_TOKEN}
        for k, v in keys.items():
            (local if k in local or k.endswith("_file") else cfg)[k] = v
            if k.endswith("_file"):
                local.pop(k[:-len("_file")], None)
        d = tempfile.mkdtemp(prefix="passeur-glpi-")
        self.addCleanup(shutil.rmtree, d, True)
        with open(os.path.join(d, "glpi.cfg"), "w") as f:
            f.writelines("%s = %s\n" % kv for kv in cfg.items()
                         if kv[1] is not None)
            f.write('include "glpi.local"\n')
        with open(os.path.join(d, "glpi.local"), "w") as f:
            f.writelines("%s = %s\n" % kv for kv in local.items()
                         if kv[1] is not None)
        return d

    def run_glpi(self, args, hidden=()):
        """passeur glpi ARGS: (exit status, stdout, stderr), after checking
        that none of the secrets was printed."""
        p = run_passeur(["glpi"] + list(args), timeout=60)
        out, err = p.stdout.decode(), p.stderr.decode()
        for s in set(hidden) | {RW_PASSWORD, RO_PASSWORD, APP_TOKEN,
                                 USER_TOKEN}:
            self.assertNotIn(s, out + err, "a secret was printed")
        return p.returncode, out, err

    def check(self, **keys):
        """Runs `check` then `check --json` on self.confdir(**keys), checks
        what every run must show, and returns the Result."""
        confdir = self.confdir(**keys)
        hidden = [v for k, v in keys.items() if v and k in (
            "dbpassword", "app_token", "user_token")]
        code, out, err = self.run_glpi(["-c", confdir, "check",
                                        "--no-api"], hidden)
        jcode, jout, _ = self.run_glpi(["-c", confdir, "check", "--no-api",
                                        "--json"], hidden)
        r = Result(code, out, err, jcode, jout)
        self.assertEqual(list(r.rows), ITEMS, r)
        for item, row in r.rows.items():
            self.assertIn(row["verdict"], VERDICTS, (item, r))
            if row["verdict"] == "FAIL":
                self.assertTrue(row["fix"], ("no fix line", item, r))
        usable = all(v == "ok" for v in r.verdicts().values())
        self.assertEqual(r.code, 0 if usable else 1, r)
        if not usable and "FAIL" not in r.verdicts().values():
            self.assertIn("usable: not proven", r.out)
        self.assertEqual(r.json_code, r.code, "table and JSON disagree:\n%r\n%s" % (r, r.json))
        self.assertEqual(r.json["usable"], usable, r.json)
        self.assertIsInstance(r.json["mode"], str)
        self.assertEqual([i["item"] for i in r.json["items"]], ITEMS)
        for i in r.json["items"]:
            row = r.rows[i["item"]]
            self.assertEqual((i["expected"], i["found"], i["ok"], i["fix"]),
                             (row["expected"], row["found"],
                              row["verdict"] == "ok", row["fix"]), i)
        # The capability table, the same in JSON (null: not that way).
        r.caps = parse_capabilities(out)
        self.assertEqual(list(r.caps), CAPABILITIES, r)
        yn = {True: "yes", False: "no", None: "-"}
        self.assertEqual({c["capability"]: (yn[c["api"]], yn[c["database"]])
                          for c in r.json["capabilities"]}, r.caps, r.json)
        return r

    def assertFails(self, r, item, fix_mentions=()):
        """item is FAIL with a fix, the rows before it are ok, the run is
        not usable; the fix names one of fix_mentions when given."""
        before = ITEMS[:ITEMS.index(item)]
        self.assertEqual(r[item]["verdict"], "FAIL", r)
        self.assertTrue(r[item]["fix"], r)
        if fix_mentions:
            self.assertTrue(any(m in r[item]["fix"] for m in fix_mentions),
                            r[item]["fix"])
        for b in before:
            self.assertEqual(r[b]["verdict"],
                             "skipped" if b in UNPROVEN else "ok", (b, r))
        self.assertEqual(r.code, 1, r)
        self.assertFalse(r.json["usable"])

    def assertUsable(self, r, mode):
        """Every row ok (on GLPI 11 but the tokens, said unproven), mode
        the one found."""
        self.assertEqual({i for i, v in r.verdicts().items() if v != "ok"},
                         set(UNPROVEN), r)
        for item in UNPROVEN:
            self.assertIn("encrypted in GLPI 11", r[item]["found"])
            self.assertIn("REST API (initSession)", r[item]["found"])
        self.assertEqual(r.code, 1 if GLPI11 else 0, r)
        self.assertEqual(r.json["usable"], not GLPI11)
        self.assertEqual(r.json["mode"], mode)

    def assertNotReached(self, r, items):
        for item in items:
            self.assertIn(r[item]["verdict"], ("FAIL", "skipped"), (item, r))

    # -- a usable setup -------------------------------------------------

    def test_read_write_setup_is_usable(self):
        r = self.check()
        self.assertUsable(r, "super-admin")
        self.assertEqual(r["db.access"]["found"], "read/write")
        self.assertEqual(r["glpi.version"]["found"], GLPI_VERSION)
        for item in ("api.enabled", "api.client", "api.user"):
            self.assertIn("database", r[item]["found"], (item, r))
        self.assertIn("glpi", r["api.user"]["found"])
        self.assertIn("Super-Admin", r["api.profile"]["found"])
        self.assertEqual(r.caps, capabilities(True, True, True, True), r)

    def test_secrets_from_files(self):
        d = tempfile.mkdtemp(prefix="passeur-glpi-secrets-")
        self.addCleanup(shutil.rmtree, d, True)
        files = {}
        for key, value in (("dbpassword", RW_PASSWORD),
                           ("app_token", APP_TOKEN),
                           ("user_token", USER_TOKEN)):
            files[key + "_file"] = os.path.join(d, key)
            with open(files[key + "_file"], "w") as f:
                f.write(value + "\n")
        r = self.check(**files)
        self.assertUsable(r, "super-admin")

    def test_read_only_account(self):
        # The database account does not decide the mode: the API profile
        # does (the glpi user is Super-Admin).
        for mode, found_mode in (("read-only", "read-only"),
                                 ("auto", "super-admin")):
            with self.subTest(mode=mode):
                r = self.check(dbuser=RO_USER, dbpassword=RO_PASSWORD,
                               mode=mode)
                self.assertEqual(r["db.access"]["found"], "read-only", r)
                self.assertUsable(r, found_mode)
                self.assertEqual(r.caps, capabilities(
                    True, found_mode == "super-admin", True, False), r)

    def test_read_only_profile_decides_auto_mode(self):
        self.change("UPDATE glpi_profiles_users SET profiles_id = 8 "
                    "WHERE users_id = 2;",
                    "UPDATE glpi_profiles_users SET profiles_id = 4 "
                    "WHERE users_id = 2;")
        r = self.check()
        self.assertUsable(r, "read-only")
        self.assertIn("Read-Only", r["api.profile"]["found"])
        self.assertEqual(r.caps, capabilities(True, False, True, True), r)
        self.assertFails(self.check(mode="super-admin"), "api.profile",
                         ("Super-Admin",))

    # -- the database ----------------------------------------------------

    def test_closed_port(self):
        r = self.check(dbport=free_port())
        self.assertFails(r, "db.port")
        # The system's own words, kept from the probe to the report.
        self.assertEqual(r["db.port"]["found"], "Connection refused")
        self.assertNotReached(r, ITEMS[1:])
        self.assertEqual(r.caps, capabilities(False, False, False, False), r)

    def test_wrong_password(self):
        wrong = "wrong-" + token(16)
        r = self.check(dbpassword=wrong)
        self.assertFails(r, "db.login")
        self.assertNotReached(r, ITEMS[2:])

    def test_glpi_9_5(self):
        self.change("UPDATE glpi_configs SET value = '9.5.13' WHERE context "
                    "= 'core' AND name = 'version';",
                    "UPDATE glpi_configs SET value = %s WHERE context "
                    "= 'core' AND name = 'version';" % quote(GLPI_VERSION))
        r = self.check()
        self.assertFails(r, "glpi.version")
        self.assertIn("9.5", r["glpi.version"]["found"])
        self.assertIn("10.0.x and 11.0.x", r["glpi.version"]["fix"])

    def test_glpi_12_refused_naming_the_supported_ones(self):
        self.change("UPDATE glpi_configs SET value = '12.0.0' WHERE context "
                    "= 'core' AND name = 'version';",
                    "UPDATE glpi_configs SET value = %s WHERE context "
                    "= 'core' AND name = 'version';" % quote(GLPI_VERSION))
        r = self.check()
        self.assertFails(r, "glpi.version")
        self.assertEqual(r["glpi.version"]["expected"], "10.0.x and 11.0.x")
        self.assertEqual(r["glpi.version"]["fix"], "passeur glpi reads GLPI "
                         "10.0.x and 11.0.x; this database is GLPI 12.0.0")
        self.assertNotReached(r, ITEMS[3:])

    def test_socket(self):
        self.db.create_user(RW_USER, RW_PASSWORD, "ALL ON %s.*" % DBNAME,
                            host="localhost")
        self.addCleanup(self.db.drop_user, RW_USER, "localhost")
        r = self.check(dbsocket=self.db.socket, dbhost=None, dbport=None)
        self.assertUsable(r, "super-admin")
        self.assertIn(self.db.socket, r["db.port"]["expected"])

    def test_localhost_checked_as_used(self):
        # Connector/C takes "localhost" (the default dbhost) as its unix
        # socket unless told to use TCP: db.port must probe what db.login
        # then uses.
        r = self.check(dbhost="localhost")
        if r["db.port"]["verdict"] == "ok":
            self.assertEqual(r["db.login"]["verdict"], "ok", r)

    def test_no_select_on_database(self):
        # Table privileges only: the account cannot read GLPI's tables.
        user, password = "passeur_tables", "tb-" + token(16)
        self.db.create_user(user, password, [
            "SELECT ON %s.glpi_configs" % DBNAME,
            "SELECT ON %s.glpi_apiclients" % DBNAME])
        self.addCleanup(self.db.drop_user, user)
        r = self.check(dbuser=user, dbpassword=password)
        self.assertFails(r, "db.access", ("GRANT SELECT",))

    def test_views_missing(self):
        self.change("DROP VIEW %s;" % ", ".join(VIEWS), self.views_sql)
        for user, password, fix in (
                (RW_USER, RW_PASSWORD, "passeur glpi views install"),
                (RO_USER, RO_PASSWORD, ADMIN_VIEWS)):
            with self.subTest(user=user):
                r = self.check(dbuser=user, dbpassword=password)
                self.assertFails(r, "db.views", (fix,))

    def test_one_view_missing(self):
        self.change("DROP VIEW glpi_view_computers_items_peripheral;",
                    self.views_sql)
        r = self.check()
        self.assertFails(r, "db.views", ("passeur glpi views install",))
        self.assertIn("glpi_view_computers_items_peripheral",
                      r["db.views"]["found"], r)

    # -- the REST API, as the database says ------------------------------

    def test_api_disabled(self):
        self.change("UPDATE glpi_configs SET value = '0' WHERE context = "
                    "'core' AND name = 'enable_api';",
                    "UPDATE glpi_configs SET value = '1' WHERE context = "
                    "'core' AND name = 'enable_api';")
        self.assertFails(self.check(), "api.enabled",
                         ("enable_api", "Setup"))

    def test_no_mmc_client(self):
        self.change("DELETE FROM glpi_apiclients WHERE name = 'MMC';",
                    MMC_CLIENT)
        r = self.check()
        self.assertFails(r, "api.client", ("MMC",))
        self.assertNotReached(r, ["api.app_token", "api.client_ip"])

    def test_wrong_app_token(self):
        r = self.check(app_token=token())
        if GLPI11:
            # Ciphertext in the database: only the REST API can tell.
            self.assertEqual(r["api.app_token"]["verdict"], "skipped", r)
            self.assertIn("SQL cannot compare it", r["api.app_token"]["found"])
            self.assertEqual(r.code, 1, r)
        else:
            self.assertFails(r, "api.app_token")
        self.assertEqual(r["api.client"]["verdict"], "ok", r)

    def test_app_token_not_set(self):
        r = self.check(app_token=None)
        self.assertFails(r, "api.app_token", ("app_token",))

    def test_client_ip_range(self):
        # GLPI admits a client when ipv4_range_start IS NULL or the range
        # holds its address (API::initApi); an end alone does not widen it.
        for first, last, admitted in (("127.0.0.1", "127.0.0.1", True),
                                      ("127.0.0.0", "127.0.0.255", True),
                                      ("10.0.0.1", "10.0.0.9", False),
                                      ("127.0.0.2", None, False),
                                      (None, "10.0.0.9", True)):
            with self.subTest(range=(first, last)):
                self.change("UPDATE glpi_apiclients SET ipv4_range_start = "
                            "%s, ipv4_range_end = %s WHERE name = 'MMC';"
                            % (inet_aton(first), inet_aton(last)),
                            "UPDATE glpi_apiclients SET ipv4_range_start = "
                            "NULL, ipv4_range_end = NULL WHERE name = 'MMC';")
                r = self.check()
                if admitted:
                    self.assertEqual(r["api.client_ip"]["verdict"], "ok", r)
                else:
                    self.assertFails(r, "api.client_ip", ("127.0.0.1",))

    def test_user_token_of_nobody(self):
        if GLPI11:
            # The user is found by api_user: a user without a token fails.
            r = self.check(api_user="tech")
            self.assertIn("no active user tech with an API token",
                          r["api.user"]["found"])
        else:
            r = self.check(user_token=token())
        self.assertFails(r, "api.user")
        self.assertNotReached(r, ["api.profile"])

    def test_observer_user(self):
        observer_token = token()
        self.change("UPDATE glpi_users SET api_token = %s WHERE name = "
                    "'normal';" % quote(observer_token),
                    "UPDATE glpi_users SET api_token = NULL WHERE name = "
                    "'normal';")
        r = self.check(user_token=observer_token, api_user="normal")
        self.assertFails(r, "api.profile")
        self.assertIn("normal", r["api.user"]["found"])
        self.assertIn("Observer", r["api.profile"]["found"])

    # -- the OAuth client of the inventory (GLPI 11) ----------------------

    def test_inventory_oauth(self):
        r = self.check()
        self.assertEqual(r["inventory.oauth"]["verdict"], "ok", r)
        if not GLPI11:
            self.assertIn("not applicable", r["inventory.oauth"]["found"])
            return
        self.assertEqual(r["inventory.oauth"]["found"],
                         "not required (auth_required = none)")
        self.change("UPDATE glpi_configs SET value = 'client_credentials' "
                    "WHERE context = 'inventory' AND name = 'auth_required';",
                    "UPDATE glpi_configs SET value = 'none' WHERE context "
                    "= 'inventory' AND name = 'auth_required';")
        r = self.check()
        self.assertFails(r, "inventory.oauth", ("Client credentials",))
        # A client with the grant but another scope does not fit.
        client = ("INSERT INTO glpi_oauthclients (identifier, name, secret, "
                  "redirect_uri, grants, scopes, is_active) VALUES ('%s', "
                  "'%s', 'ciphertext', '[]', '[\"client_credentials\"]', "
                  "'%s', 1);")
        self.change(client % ("c1", "api only", '[\"api\"]'),
                    "DELETE FROM glpi_oauthclients WHERE identifier = 'c1';")
        self.assertFails(self.check(), "inventory.oauth")
        self.change(client % ("c2", "passeur", '[\"api\",\"inventory\"]'),
                    "DELETE FROM glpi_oauthclients WHERE identifier = 'c2';")
        r = self.check()
        self.assertEqual(r["inventory.oauth"]["verdict"], "ok", r)
        self.assertIn("1 client(s) fit", r["inventory.oauth"]["found"])

    # -- the command line -------------------------------------------------

    def test_usage_errors(self):
        d = self.confdir()
        for args in (["frobnicate"], ["check", "--bogus"], ["check", "x"],
                     []):
            with self.subTest(args=args):
                code, out, err = self.run_glpi(["-c", d] + args)
                self.assertEqual(code, 2, out + err)
                self.assertIn("usage", err)

    def test_missing_glpi_cfg(self):
        d = tempfile.mkdtemp(prefix="passeur-glpi-empty-")
        self.addCleanup(shutil.rmtree, d, True)
        code, out, err = self.run_glpi(["-c", d, "check"])
        self.assertIn(code, (1, 2), out + err)
        self.assertIn("glpi.cfg", err)
        self.assertNotIn("VERDICT", out)


if __name__ == "__main__":
    main()
