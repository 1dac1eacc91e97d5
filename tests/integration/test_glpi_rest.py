# SPDX-License-Identifier: GPL-3.0-or-later
"""`passeur glpi computer|user|entity ...` through GLPI's REST API, against
the REST double: reads with a Read-Only token, writes refused locally
before any request in read-only mode, GLPI's permission error when
super-admin is forced with a Read-Only token, the whole life of an entity,
a user and a computer with a Super-Admin token, paging, the three forms of
api_url, and each failure with its own message and exit status."""

import json
import os
import pty
import subprocess
import unittest

from harness import BIN, env_without_proxy, free_port, main
from restdouble import APP_TOKEN, RO_TOKEN, SA_TOKEN, RestDouble

BOTH_TOKEN = "BothProfilesToken0123456789abcdefghijkl"

WRITES = [
    ["computer", "add", "pc-new", "--yes"],
    ["entity", "add", "Lyon", "--yes"],
    ["user", "add", "bob", "--profile", "Read-Only", "--yes"],
    ["computer", "update", "1", "--set", "serial=X", "--yes"],
    ["computer", "delete", "1", "--purge", "--yes"],
    ["user", "delete", "reader", "--yes"],
]
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
READ_ONLY_CALLS = ("initSession", "getActiveProfile", "getMyProfiles",
                   "getMyEntities", "killSession")


class GlpiRestTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.api = RestDouble().__enter__()
        cls.sa = cls.api.conf(SA_TOKEN)
        cls.ro = cls.api.conf(RO_TOKEN)

    @classmethod
    def tearDownClass(cls):
        cls.api.__exit__(None, None, None)

    def setUp(self):
        self.api.reset()

    def run_ok(self, conf, *args, input=None):
        p = self.api.passeur(conf, *args, input=input)
        self.assertEqual(p.returncode, 0, "%s\n%s" % (p.stdout, p.stderr))
        return p

    def writes_sent(self):
        return [(r["method"], r["path"]) for r in self.api.requests()
                if r["method"] in WRITE_METHODS and
                not r["path"].startswith("/change")]

    # -- Read-Only ------------------------------------------------------------
    def test_read_only_lists_and_shows(self):
        self.api.seed(3)
        p = self.run_ok(self.ro, "computer", "list")
        lines = p.stdout.splitlines()
        self.assertEqual(lines[0].split("\t"), ["id", "name", "serial",
                                                "entities_id"])
        self.assertEqual(lines[1:], ["1\tpc-00001\tSN00001\t0",
                                     "2\tpc-00002\tSN00002\t0",
                                     "3\tpc-00003\tSN00003\t0"])
        p = self.run_ok(self.ro, "computer", "list", "--json")
        self.assertEqual([c["name"] for c in json.loads(p.stdout)],
                         ["pc-00001", "pc-00002", "pc-00003"])
        p = self.run_ok(self.ro, "computer", "show", "pc-00002")
        self.assertIn("name: pc-00002\n", p.stdout)
        self.assertIn("serial: SN00002\n", p.stdout)
        p = self.run_ok(self.ro, "computer", "show", "3", "--json")
        self.assertEqual(json.loads(p.stdout)["name"], "pc-00003")
        p = self.run_ok(self.ro, "user", "list", "--search", "read",
                        "--json")
        self.assertEqual([u["name"] for u in json.loads(p.stdout)],
                         ["reader"])
        p = self.run_ok(self.ro, "entity", "list")
        self.assertIn("\tRoot entity\t", p.stdout)
        self.assertEqual(self.writes_sent(), [])

    def test_read_only_profile_refuses_every_write_locally(self):
        self.api.seed(1)
        before = self.api.state()
        for args in WRITES:
            p = self.api.passeur(self.ro, *args)
            self.assertEqual(p.returncode, 3, "%s: %s" % (args, p.stderr))
            self.assertIn("profile is Read-Only", p.stderr)
            self.assertIn("needs the Super-Admin profile", p.stderr)
            self.assertIn("nothing was sent to GLPI", p.stderr)
        # The profile was read; no write went out.
        self.assertEqual(self.writes_sent(), [])
        paths = {r["path"].strip("/").split("?")[0]
                 for r in self.api.requests()}
        self.assertTrue(paths <= set(READ_ONLY_CALLS), paths)
        self.assertEqual(self.api.state()["computers"],
                         before["computers"])

    def test_read_only_mode_sends_no_request(self):
        conf = self.api.conf(SA_TOKEN, mode="read-only")
        for args in WRITES:
            p = self.api.passeur(conf, *args)
            self.assertEqual(p.returncode, 3, "%s: %s" % (args, p.stderr))
            self.assertIn("mode = read-only in glpi.cfg", p.stderr)
            self.assertIn("Super-Admin", p.stderr)
        self.assertEqual(self.api.requests(), [])
        # Reads still work in that mode.
        self.run_ok(conf, "computer", "list")

    def test_forced_super_admin_with_read_only_token(self):
        self.api.seed(1)
        conf = self.api.conf(RO_TOKEN, mode="super-admin")
        cases = [(WRITES[0], "ERROR_GLPI_ADD"),
                 (WRITES[3], "ERROR_GLPI_UPDATE"),
                 (WRITES[4], "ERROR_GLPI_DELETE")]
        for args, code in cases:
            p = self.api.passeur(conf, *args)
            self.assertEqual(p.returncode, 16, "%s: %s" % (args, p.stderr))
            self.assertIn("the GLPI profile lacks the right (%s: You don't "
                          "have permission to perform this action.)" % code,
                          p.stderr)
            self.assertIn("give it Super-Admin", p.stderr)
        self.assertEqual(len(self.writes_sent()), 3)
        self.assertEqual([c["name"] for c in self.api.state()["computers"]],
                         ["pc-00001"])

    # -- Super-Admin ----------------------------------------------------------
    def test_super_admin_creates_updates_deletes(self):
        p = self.run_ok(self.sa, "entity", "add", "Lyon", "--yes", "--json")
        eid = json.loads(p.stdout)["id"]
        self.assertEqual(json.loads(p.stdout), {
            "result": "created", "itemtype": "Entity", "id": eid,
            "name": "Lyon"})
        # The session's entities are refreshed after the entity is made.
        calls = [(r["method"], r["path"]) for r in self.api.requests()]
        self.assertLess(calls.index(("POST", "/Entity")),
                        calls.index(("POST", "/changeActiveEntities")))
        p = self.run_ok(self.sa, "user", "add", "alice", "--profile",
                        "Read-Only", "--entity", "Lyon", "--recursive",
                        "--password-stdin", "--yes", input=b"s3cret\n")
        self.assertRegex(p.stdout, r'^created user \d+ "alice"\n$')
        p = self.run_ok(self.sa, "computer", "add", "pc-lyon", "--entity",
                        str(eid), "--serial", "SN1", "--yes")
        st = self.api.state()
        ent = [e for e in st["entities"] if e["name"] == "Lyon"][0]
        self.assertEqual((ent["id"], ent["entities_id"]), (eid, 0))
        user = [u for u in st["users"] if u["name"] == "alice"][0]
        link = [pu for pu in st["profiles_users"]
                if pu["users_id"] == user["id"]]
        self.assertEqual([(pu["profiles_id"], pu["entities_id"],
                           bool(pu["is_recursive"])) for pu in link],
                         [(8, eid, True)])
        body = [json.loads(r["body"]) for r in self.api.requests()
                if r["method"] == "POST" and r["path"] == "/User"][0]
        self.assertEqual(body["input"]["password"], "s3cret")
        self.assertEqual(body["input"]["password2"], "s3cret")
        pc = st["computers"][0]
        self.assertEqual((pc["name"], pc["serial"], pc["entities_id"]),
                         ("pc-lyon", "SN1", eid))

        self.run_ok(self.sa, "computer", "update", "pc-lyon", "--set",
                    "serial=SN2", "--set", "comment=moved", "--yes")
        self.run_ok(self.sa, "user", "update", "alice", "--set",
                    "realname=Martin", "--yes")
        self.run_ok(self.sa, "entity", "update", "Lyon", "--set",
                    "comment=site", "--yes")
        st = self.api.state()
        self.assertEqual((st["computers"][0]["serial"],
                          st["computers"][0]["comment"]), ("SN2", "moved"))
        self.assertEqual([u["realname"] for u in st["users"]
                          if u["name"] == "alice"], ["Martin"])
        self.assertEqual([e["comment"] for e in st["entities"]
                          if e["id"] == eid], ["site"])

        p = self.run_ok(self.sa, "computer", "delete", "pc-lyon", "--yes")
        self.assertIn('deleted computer %d "pc-lyon"' % pc["id"], p.stdout)
        self.assertEqual(self.api.state()["computers"][0]["is_deleted"], 1)
        p = self.run_ok(self.sa, "computer", "delete", str(pc["id"]),
                        "--purge", "--yes")
        self.assertIn("purged computer", p.stdout)
        self.assertEqual(self.api.state()["computers"], [])
        self.run_ok(self.sa, "user", "delete", "alice", "--purge", "--yes")
        self.run_ok(self.sa, "entity", "delete", "Lyon", "--yes")
        st = self.api.state()
        self.assertEqual([u["name"] for u in st["users"]],
                         ["glpi", "reader"])
        self.assertEqual([e["id"] for e in st["entities"]], [0])
        self.assertEqual(st["sessions"], 0)     # every session was killed

    def test_names_with_odd_characters_and_entity_paths(self):
        self.run_ok(self.sa, "entity", "add", "Site A&B/é?", "--yes")
        self.run_ok(self.sa, "entity", "add", "Lab", "--parent",
                    "Site A&B/é?", "--yes")
        self.run_ok(self.sa, "entity", "add", "Lab", "--yes")
        p = self.run_ok(self.sa, "entity", "show",
                        "Root entity > Site A&B/é? > Lab")
        self.assertIn("completename: Root entity > Site A&B/é? > Lab\n",
                      p.stdout)
        # "Lab" alone names two entities: the id must be given.
        p = self.api.passeur(self.sa, "entity", "show", "Lab")
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertEqual(p.stderr, 'passeur glpi entity show: 2 items of '
                         'type Entity are named "Lab": give the id instead '
                         'of the name\n')
        self.run_ok(self.sa, "computer", "add", "pc 1 + 1", "--entity",
                    "Site A&B/é?", "--yes")
        p = self.run_ok(self.sa, "computer", "show", "pc 1 + 1", "--json")
        self.assertEqual(json.loads(p.stdout)["entities_id"], 1)
        p = self.run_ok(self.sa, "computer", "list", "--search", "1 + 1",
                        "--json")
        self.assertEqual([c["name"] for c in json.loads(p.stdout)],
                         ["pc 1 + 1"])

    def test_terminal_asks_before_writing(self):
        self.api.seed(1)
        for answer, code, deleted in ((b"n\n", 1, 0), (b"y\n", 0, 1)):
            master, slave = pty.openpty()
            try:
                os.write(master, answer)
                p = subprocess.run([BIN, "glpi", "-c", self.sa, "computer",
                                    "delete", "1"], stdin=slave,
                                   capture_output=True, timeout=60,
                                   env=env_without_proxy())
            finally:
                os.close(slave)
                os.close(master)
            err = p.stderr.decode()
            self.assertEqual(p.returncode, code, err)
            self.assertIn('Delete computer 1 "pc-00001"? [y/N]', err)
            self.assertEqual(self.api.state()["computers"][0]["is_deleted"],
                             deleted)
        self.assertEqual(len(self.writes_sent()), 1)

    def test_user_whose_profile_link_fails_is_purged(self):
        self.api.config(fail_path="/Profile_User")
        p = self.api.passeur(self.sa, "user", "add", "dave", "--profile",
                             "Read-Only", "--yes")
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("ERROR_GLPI_ADD: Unable to save", p.stderr)
        self.assertEqual([u["name"] for u in self.api.state()["users"]],
                         ["glpi", "reader"])
        sent = self.writes_sent()
        self.assertEqual([m for m, _ in sent], ["POST", "POST", "DELETE"])
        self.assertRegex(sent[2][1], r"^/User/\d+$")
        deletes = [r for r in self.api.requests() if r["method"] == "DELETE"]
        self.assertEqual(deletes[0]["query"], {"force_purge": "true"})

    def test_auto_mode_switches_to_super_admin(self):
        # Read-Only by default, Super-Admin too: auto makes the session
        # Super-Admin before writing.
        with RestDouble(users=["both:%s:Read-Only" % BOTH_TOKEN,
                               "both:%s:Super-Admin" % BOTH_TOKEN]) as api:
            conf = api.conf(BOTH_TOKEN)
            p = api.passeur(conf, "computer", "add", "pc-auto", "--yes")
            self.assertEqual(p.returncode, 0, p.stderr)
            calls = [(r["method"], r["path"]) for r in api.requests()]
            self.assertLess(calls.index(("POST", "/changeActiveProfile")),
                            calls.index(("POST", "/Computer")))
            body = [json.loads(r["body"]) for r in api.requests()
                    if r["path"] == "/changeActiveProfile"][0]
            self.assertEqual(body, {"profiles_id": 4})
            self.assertEqual([c["name"] for c in api.state()["computers"]],
                             ["pc-auto"])
            # Forced read-only, the same user is refused before any call.
            conf = api.conf(BOTH_TOKEN, mode="read-only")
            n = len(api.requests())
            p = api.passeur(conf, "computer", "delete", "pc-auto", "--yes")
            self.assertEqual(p.returncode, 3, p.stderr)
            self.assertEqual(len(api.requests()), n)

    def test_user_without_the_profile_is_not_left(self):
        p = self.api.passeur(self.sa, "user", "add", "carol", "--profile",
                             "Nobody", "--yes")
        self.assertEqual(p.returncode, 17, p.stderr)
        self.assertIn('no Profile named "Nobody"', p.stderr)
        self.assertEqual([u["name"] for u in self.api.state()["users"]],
                         ["glpi", "reader"])
        self.assertEqual(self.writes_sent(), [])    # resolved first

    # -- paging and URLs ----------------------------------------------------
    def test_lists_are_walked_page_by_page(self):
        self.api.seed(250)
        p = self.run_ok(self.sa, "computer", "list", "--json")
        names = [c["name"] for c in json.loads(p.stdout)]
        self.assertEqual(names, ["pc-%05d" % i for i in range(1, 251)])
        ranges = [r["query"].get("range") for r in self.api.requests()
                  if r["path"] == "/Computer"]
        self.assertEqual(ranges, ["0-99", "100-199", "200-299"])

    def test_api_url_forms(self):
        self.api.seed(1)
        for url, prefix in ((self.api.url("/"), "/apirest.php"),
                            (self.api.url("/apirest.php/"), "/apirest.php"),
                            (self.api.url("/api.php/v1"), "/api.php/v1")):
            conf = self.api.conf(SA_TOKEN, url=url)
            p = self.run_ok(conf, "computer", "show", "1")
            self.assertIn("name: pc-00001", p.stdout, url)

    def test_invalid_session_is_opened_again(self):
        self.api.seed(1)
        self.api.config(invalidate_next=1)
        self.run_ok(self.sa, "computer", "list")
        inits = [r for r in self.api.requests()
                 if r["path"] == "/initSession"]
        self.assertEqual(len(inits), 2)

    # -- failures ---------------------------------------------------------------
    def failure(self, conf, status, *texts, args=("computer", "list")):
        p = self.api.passeur(conf, *args)
        self.assertEqual(p.returncode, status, p.stderr)
        for t in texts:
            self.assertIn(t, p.stderr)
        for secret in (APP_TOKEN, SA_TOKEN, RO_TOKEN):
            self.assertNotIn(secret, p.stderr + p.stdout)
        return p

    def test_each_failure_has_its_own_message_and_status(self):
        seen = {}
        unreachable = self.api.conf(SA_TOKEN, url="http://127.0.0.1:%d/" %
                                    free_port())
        seen[10] = self.failure(unreachable, 10, "GLPI cannot be reached",
                                "check api_url")
        self.api.config(enable_api=0)
        seen[11] = self.failure(self.sa, 11, "REST API is disabled",
                                "Setup > General > API")
        self.api.config(enable_api=1, client_ipv4=["10.0.0.1", "10.0.0.2"])
        seen[12] = self.failure(self.sa, 12, "ERROR_NOT_ALLOWED_IP",
                                "IPv4 range")
        self.api.reset()
        seen[13] = self.failure(self.api.conf(SA_TOKEN, app_token="bad"),
                                13, "ERROR_WRONG_APP_TOKEN_PARAMETER",
                                "set app_token")
        self.failure(self.api.conf(SA_TOKEN, app_token=""), 13,
                     "ERROR_APP_TOKEN_PARAMETERS_MISSING")
        seen[14] = self.failure(self.api.conf("bad"), 14,
                                "ERROR_GLPI_LOGIN_USER_TOKEN",
                                "set user_token")
        self.api.config(sessions_expire=True)
        seen[15] = self.failure(self.sa, 15, "session expired",
                                "ERROR_SESSION_TOKEN_INVALID")
        self.api.reset()
        seen[16] = self.failure(self.api.conf(RO_TOKEN, mode="super-admin"),
                                16, "ERROR_GLPI_ADD",
                                args=("entity", "add", "X", "--yes"))
        seen[17] = self.failure(self.sa, 17, "no such item",
                                "ERROR_ITEM_NOT_FOUND",
                                args=("computer", "show", "999"))
        self.failure(self.sa, 17, 'no Computer named "ghost"',
                     args=("computer", "delete", "ghost", "--yes"))
        seen[18] = self.failure(self.api.conf(SA_TOKEN,
                                              url=self.api.url("/glpi/front")),
                                18, "a web page came instead",
                                "text/html", "/apirest.php")
        self.api.config(strip_authorization=True)
        self.failure(self.sa, 14, "ERROR_LOGIN_PARAMETERS_MISSING",
                     "did not get the Authorization header")
        self.api.reset()
        self.api.config(html_next=1)
        self.failure(self.sa, 18, "HTTP 502")
        self.api.config(truncate_next=1)
        seen[19] = self.failure(self.sa, 19, "cut short")
        self.api.config(huge_next=1)
        self.failure(self.sa, 1, "an answer over 16 MiB")
        # One message per status: no two kinds read the same.
        firsts = {s: p.stderr.splitlines()[0].split(" (")[0]
                  for s, p in seen.items()}
        self.assertEqual(len(set(firsts.values())), len(firsts), firsts)

    def test_usage_errors_send_nothing(self):
        for args in (["computer", "update", "1", "--yes"],
                     ["computer", "add", "x", "--parent", "0"],
                     ["computer", "update", "1", "--set", "id=4"],
                     ["computer", "update", "1", "--set", "Bad=4"],
                     ["computer", "show"],
                     ["computer", "frobnicate"],
                     ["entity", "list", "extra"]):
            p = self.api.passeur(self.sa, *args)
            self.assertEqual(p.returncode, 2, "%s: %s" % (args, p.stderr))
        self.assertEqual(self.writes_sent(), [])


if __name__ == "__main__":
    main()
