# SPDX-License-Identifier: GPL-3.0-or-later
"""`passeur glpi check` proves (by default whenever api_url and both
tokens are set; --api forces it, --no-api skips it) the API access through the API itself
(the REST double): a session with the configured tokens, the profile, the
root entity, reads. The database's rows are kept as they are; where the
two disagree, the api.agree row says to trust the API, and the API decides
whether the access is usable (on GLPI 11 the database holds the tokens
encrypted, so its rows cannot match; with PASSEUR_GLPI_SCHEMA=11 the
database is GLPI 11's, whose api.app_token and api.user rows are the
API's word)."""

import json
import unittest

from harness import free_port, main, run_passeur
from mariadb import GLPI11, MariaDB, quote
from restdouble import APP_TOKEN, RO_TOKEN, SA_TOKEN, RestDouble

API_ROWS = ["api.session", "api.session_profile", "api.session_entities",
            "api.session_reads", "api.agree"]
DB_API_ROWS = ["api.enabled", "api.client", "api.app_token", "api.client_ip",
               "api.user", "api.profile"]
DBNAME = "glpi"
DB_USER, DB_PASSWORD = "passeur_rw", "rw-Secret0123456789"
# The database's row SQL cannot prove on GLPI 11 (ciphertext).
UNPROVEN = ["api.app_token", "api.user"] if GLPI11 else []


def check(api, conf, *options):
    """check (the API by default) as JSON and as a table:
    (exit, {item: row}, table, json)."""
    p = api.passeur(conf, "check", "--json", *options)
    t = api.passeur(conf, "check", *options)
    assert p.returncode == t.returncode, (p.stdout, t.stdout)
    rows = {i["item"]: i for i in json.loads(p.stdout)["items"]}
    return p.returncode, rows, t.stdout, json.loads(p.stdout)


class CheckApiWithoutDatabase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.api = RestDouble().__enter__()
        cls.closed = {"dbhost": "127.0.0.1", "dbport": free_port()}

    @classmethod
    def tearDownClass(cls):
        cls.api.__exit__(None, None, None)

    def test_api_rows_proven_alone(self):
        code, rows, table, _ = check(self.api, self.api.conf(SA_TOKEN,
                                                             **self.closed))
        self.assertEqual(code, 1)       # the database is unreachable
        self.assertEqual([r for r in rows if r.startswith("api.session") or
                          r == "api.agree"], API_ROWS)
        for item in API_ROWS:
            self.assertEqual(rows[item]["verdict"], "ok", rows[item])
        self.assertIn("Super-Admin", rows["api.session_profile"]["found"])
        self.assertIn("stand alone", rows["api.agree"]["found"])
        self.assertIn("api.session_reads", table)
        for secret in (APP_TOKEN, SA_TOKEN):
            self.assertNotIn(secret, table)

    def test_no_api_option_no_request(self):
        self.api.reset()
        p = self.api.passeur(self.api.conf(SA_TOKEN, **self.closed), "check",
                             "--json", "--no-api")
        items = [i["item"] for i in json.loads(p.stdout)["items"]]
        self.assertFalse(set(API_ROWS) & set(items), items)
        self.assertEqual(self.api.requests(), [])

    def test_by_default_only_when_configured(self):
        def items(conf):
            p = self.api.passeur(conf, "check", "--json")
            return [i["item"] for i in json.loads(p.stdout)["items"]]
        self.assertLessEqual(set(API_ROWS), set(items(
            self.api.conf(SA_TOKEN, **self.closed))))
        # Without a user token the API is not tried unless asked.
        conf = self.api.conf("", **self.closed)
        self.assertFalse(set(API_ROWS) & set(items(conf)))
        code, rows, _, _ = check(self.api, conf, "--api")
        self.assertEqual(rows["api.session"]["verdict"], "FAIL", rows)

    def test_wrong_app_token(self):
        code, rows, _, _ = check(self.api, self.api.conf(
            SA_TOKEN, app_token="wrong", **self.closed))
        self.assertEqual(code, 1)
        s = rows["api.session"]
        self.assertEqual(s["verdict"], "FAIL")
        self.assertIn("ERROR_WRONG_APP_TOKEN_PARAMETER", s["found"])
        self.assertIn("set app_token", s["fix"])
        for item in API_ROWS[1:4]:
            self.assertEqual(rows[item]["verdict"], "skipped", rows[item])
        self.assertEqual(rows["api.agree"]["verdict"], "FAIL")

    def test_super_admin_forced_with_read_only_profile(self):
        code, rows, _, _ = check(self.api, self.api.conf(
            RO_TOKEN, mode="super-admin", **self.closed))
        p = rows["api.session_profile"]
        self.assertEqual(p["verdict"], "FAIL", p)
        self.assertIn("Read-Only", p["found"])
        self.assertIn("Super-Admin", p["fix"])


class CheckApiWithDatabase(unittest.TestCase):
    """The database's rows and the API's, side by side."""

    @classmethod
    def setUpClass(cls):
        cls.db = cls.enterClassContext(MariaDB())
        cls.db.load_glpi(DBNAME)
        cls.db.create_user(DB_USER, DB_PASSWORD, "ALL ON %s.*" % DBNAME)
        views = run_passeur(["glpi", "views", "sql"] +
                            (["--glpi", "11"] if GLPI11 else []), timeout=60)
        cls.db.sql(views.stdout.decode(), database=DBNAME)
        cls.db.sql("UPDATE glpi_configs SET value = '1' WHERE context = "
                   "'core' AND name = 'enable_api';", database=DBNAME)
        cls.api = cls.enterClassContext(RestDouble())

    def tokens_in_database(self, app, user):
        self.db.sql("DELETE FROM glpi_apiclients WHERE name = 'MMC';"
                    "INSERT INTO glpi_apiclients (name, entities_id, "
                    "is_recursive, is_active, app_token) VALUES ('MMC', 0, "
                    "1, 1, %s);UPDATE glpi_users SET api_token = %s WHERE "
                    "name = 'glpi';" % (quote(app), quote(user)),
                    database=DBNAME)

    def conf(self, app, user):
        return self.api.conf(user, app_token=app, dbhost=self.db.host,
                             dbport=self.db.port, dbname=DBNAME,
                             dbuser=DB_USER, dbpassword=DB_PASSWORD)

    def test_they_agree(self):
        self.tokens_in_database(APP_TOKEN, SA_TOKEN)
        code, rows, _, j = check(self.api, self.conf(APP_TOKEN, SA_TOKEN))
        self.assertEqual(code, 0, rows)
        if GLPI11:
            # The tokens SQL cannot compare are proven by the API.
            for item in UNPROVEN:
                self.assertEqual(rows[item]["verdict"], "ok", rows[item])
                self.assertIn("through the REST API", rows[item]["found"])
            self.assertIn("trust the API", rows["api.agree"]["found"])
        else:
            self.assertEqual(rows["api.agree"]["found"], "they agree")
        self.assertTrue(j["usable"])
        self.assertEqual(j["mode"], "super-admin")

    def test_encrypted_tokens_api_trusted(self):
        # As on GLPI 11: the database holds ciphertext, not the tokens.
        self.tokens_in_database("ciphertext-app", "ciphertext-user")
        code, rows, table, j = check(self.api, self.conf(APP_TOKEN,
                                                         SA_TOKEN))
        # GLPI 11's rows are the API's word; 10's the database's.
        for item in ("api.app_token", "api.user"):
            self.assertEqual(rows[item]["verdict"],
                             "ok" if GLPI11 else "FAIL", (item, table))
        self.assertEqual(rows["api.agree"]["verdict"], "ok")
        self.assertIn("trust the API", rows["api.agree"]["found"])
        self.assertEqual(code, 0, table)
        self.assertTrue(j["usable"])
        self.assertEqual(j["mode"], "super-admin")

    def test_database_ok_api_refuses(self):
        self.tokens_in_database("DbOnlyAppToken", SA_TOKEN)
        code, rows, table, j = check(self.api, self.conf("DbOnlyAppToken",
                                                         SA_TOKEN))
        # GLPI 11: the API refuses the app token, and never reaches the
        # user's, which a name in the database does not prove.
        expect = {"api.app_token": "FAIL", "api.user": "skipped"} \
            if GLPI11 else {}
        for item in DB_API_ROWS:
            self.assertEqual(rows[item]["verdict"], expect.get(item, "ok"),
                             (item, table))
        self.assertEqual(rows["api.session"]["verdict"], "FAIL")
        self.assertEqual(rows["api.agree"]["verdict"], "FAIL")
        self.assertIn("both refuse" if GLPI11 else "trust the API",
                      rows["api.agree"]["found"])
        self.assertEqual(code, 1)
        self.assertFalse(j["usable"])

    def test_wrong_user_token(self):
        # On GLPI 11 the database finds the user glpi by its name, with
        # ciphertext beside it: only the API's refusal decides the row.
        self.tokens_in_database(APP_TOKEN, SA_TOKEN)
        code, rows, table, j = check(self.api, self.conf(
            APP_TOKEN, "WrongUserToken0123456789abcdefghijklmnop"))
        u = rows["api.user"]
        self.assertEqual(u["verdict"], "FAIL", table)
        self.assertTrue(u["fix"], u)
        if GLPI11:
            self.assertIn("ERROR_GLPI_LOGIN_USER_TOKEN", u["found"])
        self.assertEqual(rows["api.session"]["verdict"], "FAIL")
        self.assertEqual(code, 1)
        self.assertFalse(j["usable"])

    def test_no_api_leaves_tokens_unproven(self):
        self.tokens_in_database(APP_TOKEN, SA_TOKEN)
        code, rows, table, j = check(self.api, self.conf(APP_TOKEN, SA_TOKEN),
                                     "--no-api")
        self.assertFalse(set(API_ROWS) & set(rows), rows)
        for item in UNPROVEN:
            self.assertEqual(rows[item]["verdict"], "skipped", (item, table))
        self.assertEqual(code, 1 if GLPI11 else 0, table)


if __name__ == "__main__":
    main()
