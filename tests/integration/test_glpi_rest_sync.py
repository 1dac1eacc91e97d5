# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes through the REST API are what `passeur glpi sync` then copies:
the REST double serves and writes a real GLPI 10.0.18 database in a
throwaway MariaDB (its --mariadb mode), Super-Admin creates an entity, a
computer and a user in it, changes and deletes them, and after each step
the SQL rows and the copy's lists show it."""

import json
import os
import tempfile
import unittest

from harness import main, run_passeur
from mariadb import MariaDB, quote
from restdouble import APP_TOKEN, SA_TOKEN, RestDouble

DBNAME = "glpi"
DB_USER, DB_PASSWORD = "passeur_rw", "rw-Secret0123456789"


class RestThenSync(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.db = cls.enterClassContext(MariaDB())
        cls.db.load_glpi(DBNAME)
        cls.db.create_user(DB_USER, DB_PASSWORD, "ALL ON %s.*" % DBNAME)
        views = run_passeur(["glpi", "views", "sql"], timeout=60)
        cls.db.sql(views.stdout.decode(), database=DBNAME)
        cls.db.sql("UPDATE glpi_configs SET value = '1' WHERE context = "
                   "'core' AND name = 'enable_api';INSERT INTO "
                   "glpi_apiclients (name, entities_id, is_recursive, "
                   "is_active, app_token) VALUES ('MMC', 0, 1, 1, %s);"
                   % quote(APP_TOKEN), database=DBNAME)
        cls.api = cls.enterClassContext(RestDouble(
            mariadb=(cls.db.socket, DBNAME),
            users=["glpi:%s:Super-Admin" % SA_TOKEN]))
        cls.copy = tempfile.mkdtemp(dir=cls.api.dir)
        cls.conf = cls.api.conf(
            SA_TOKEN, app_token=APP_TOKEN, dbhost=cls.db.host,
            dbport=cls.db.port, dbname=DBNAME, dbuser=DB_USER,
            dbpassword=DB_PASSWORD,
            sync_db=os.path.join(cls.copy, "glpi.sqlite"))

    def glpi(self, *args, input=None):
        p = self.api.passeur(self.conf, *args, input=input)
        self.assertEqual(p.returncode, 0, "%s: %s" % (args, p.stderr))
        return p.stdout

    def synced(self, what):
        """The copy's list after a sync, as JSON."""
        self.glpi("sync")
        return json.loads(self.glpi(what, "--json"))

    def sql(self, query):
        return [line.split("\t") for line in
                self.db.sql(query, database=DBNAME).splitlines()]

    def test_writes_are_synced(self):
        eid = json.loads(self.glpi("entity", "add", "Lyon", "--yes",
                                   "--json"))["id"]
        cid = json.loads(self.glpi("computer", "add", "pc-lyon", "--entity",
                                   "Lyon", "--serial", "SN1", "--yes",
                                   "--json"))["id"]
        uid = json.loads(self.glpi("user", "add", "alice", "--profile",
                                   "Read-Only", "--entity", "Lyon",
                                   "--yes", "--json"))["id"]
        self.assertEqual(self.sql("SELECT completename, entities_id FROM "
                                  "glpi_entities WHERE id = %d" % eid),
                         [["Root entity > Lyon", "0"]])
        self.assertEqual(self.sql("SELECT name, serial, entities_id FROM "
                                  "glpi_computers WHERE id = %d" % cid),
                         [["pc-lyon", "SN1", str(eid)]])
        self.assertEqual(self.sql("SELECT profiles_id, entities_id FROM "
                                  "glpi_profiles_users WHERE users_id = %d"
                                  % uid), [["8", str(eid)]])
        entities = [e["entity"] for e in self.synced("entities")]
        self.assertIn("Root entity > Lyon", entities)
        devices = {d["name"]: d for d in self.synced("devices")}
        self.assertEqual(devices["pc-lyon"]["serial"], "SN1")
        self.assertIn("alice", json.dumps(self.synced("users")))

        self.glpi("computer", "update", "pc-lyon", "--set", "serial=SN2",
                  "--yes")
        devices = {d["name"]: d for d in self.synced("devices")}
        self.assertEqual(devices["pc-lyon"]["serial"], "SN2")
        self.glpi("computer", "delete", "pc-lyon", "--yes")
        devices = {d["name"]: d for d in self.synced("devices")}
        self.assertEqual(devices["pc-lyon"]["is_deleted"], 1)

        self.glpi("computer", "delete", str(cid), "--purge", "--yes")
        self.glpi("user", "delete", "alice", "--purge", "--yes")
        self.glpi("entity", "delete", "Lyon", "--yes")
        self.assertEqual(self.sql("SELECT COUNT(*) FROM glpi_computers "
                                  "WHERE id = %d" % cid), [["0"]])
        self.assertEqual(self.sql("SELECT COUNT(*) FROM glpi_users WHERE "
                                  "name = %s" % quote("alice")), [["0"]])
        self.assertNotIn("pc-lyon", [d["name"] for d in
                                     self.synced("devices")])
        self.assertNotIn("Root entity > Lyon",
                         [e["entity"] for e in self.synced("entities")])
        self.assertNotIn("alice", json.dumps(self.synced("users")))


if __name__ == "__main__":
    main()
