# SPDX-License-Identifier: GPL-3.0-or-later
"""`passeur glpi setup` ends by proving the tokens it made against the live
API (the REST double serving the same GLPI database, which reads the API
settings and tokens from it at each request), and says so when glpi.cfg
does not include the glpi.local it wrote them to. When the proof fails,
the exit status says so: the API's refusal's own (as the API commands'),
or 1 for a glpi.local check would not read; without api_url there is
nothing to prove the tokens against, and setup says so and succeeds."""

import json
import os
import unittest

from harness import free_port, main, run_passeur
from mariadb import MariaDB
from restdouble import RestDouble

DBNAME = "glpi"
DB_USER, DB_PASSWORD = "passeur_rw", "rw-Secret0123456789"
LINE = "  %-17s " % "API session"


class SetupProvesTokens(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.db = cls.enterClassContext(MariaDB())
        cls.db.load_glpi(DBNAME)
        cls.db.create_user(DB_USER, DB_PASSWORD, "ALL ON %s.*" % DBNAME)
        cls.api = cls.enterClassContext(RestDouble(
            mariadb=(cls.db.socket, DBNAME), users=[]))

    def confdir(self, url=None, include=True, api_url=True):
        d = self.api.conf("", app_token="", url=url, dbhost=self.db.host,
                          dbport=self.db.port, dbname=DBNAME, dbuser=DB_USER,
                          dbpassword=DB_PASSWORD)
        drop = ("app_token", "user_token") + (() if api_url else
                                               ("api_url",))
        with open(os.path.join(d, "glpi.cfg")) as f:
            keys = [l for l in f if not l.startswith(drop)]
        with open(os.path.join(d, "glpi.cfg"), "w") as f:
            f.writelines(keys)
            if include:
                f.write('include "glpi.local"\n')
        return d

    def setup_run(self, confdir, code=0):
        p = run_passeur(["glpi", "-c", confdir, "setup"], timeout=120)
        out, err = p.stdout.decode(), p.stderr.decode()
        self.assertEqual(p.returncode, code, out + err)
        if code != 0:
            self.assertIn("not usable yet", out)
            self.assertNotIn("Now run", out)
        with open(os.path.join(confdir, "glpi.local")) as f:
            for line in f:
                self.assertNotIn(line.split("=")[-1].strip(), out + err)
        return out, err

    def test_tokens_proven(self):
        d = self.confdir()
        out, err = self.setup_run(d)
        self.assertIn(LINE + "opened with these tokens (initSession)\n", out)
        self.assertNotIn("NOT", out)
        # The tokens work for the API commands as written.
        p = self.api.passeur(d, "entity", "list")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("Root entity", p.stdout)
        # check proves them too, through the API by default.
        p = self.api.passeur(d, "check", "--json")
        self.assertEqual(p.returncode, 0, p.stdout)
        rows = {i["item"]: i for i in json.loads(p.stdout)["items"]}
        self.assertTrue(rows["api.session"]["ok"], rows["api.session"])
        self.assertTrue(rows["api.agree"]["ok"], rows["api.agree"])

    def test_no_api_url_nothing_to_prove(self):
        d = self.confdir(api_url=False)
        out, err = self.setup_run(d)
        self.assertIn(LINE + "not proven: no api_url in glpi.cfg", out)
        self.assertIn("Now run: passeur glpi check", out)

    def test_glpi_local_not_included(self):
        d = self.confdir(include=False)
        out, err = self.setup_run(d, code=1)
        self.assertIn("NOT seen by check: %s/glpi.cfg does not include "
                      "glpi.local" % d, out)
        self.assertIn('add the line include "glpi.local"', err)

    def test_api_unreachable_said(self):
        d = self.confdir(url="http://127.0.0.1:%d/" % free_port())
        out, err = self.setup_run(d, code=10)   # GLPI unreachable
        self.assertIn(LINE + "NOT proven: ", out)
        self.assertIn("GLPI cannot be reached", err)


if __name__ == "__main__":
    main()
