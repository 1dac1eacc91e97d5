# SPDX-License-Identifier: GPL-3.0-or-later
"""`passeur glpi sync` against a real MariaDB holding the database of a
fresh GLPI (10.0.18, or 11.0.6 with PASSEUR_GLPI_SCHEMA=11), and the list
commands that read its copy.

The copy (an SQLite file, read here with Python's sqlite3) must hold what
GLPI holds: the entity tree, the profiles, the users and each of their
profile links, and the computers that are not templates, each with its own
OS (never the OS link of a Phone with the same id), its MAC and IP
addresses and its agent. A second run changes nothing; an incremental run
takes updates, new rows (even with an old date_mod) and purges, and says
how many; --full also takes a change that bore no new date; a failed run
leaves the copy as it was."""

import json
import os
import shutil
import sqlite3
import tempfile
import unittest

from harness import main, run_passeur
from mariadb import ZERO_IDS, MariaDB, quote
from test_glpi_check import token

DBNAME = "glpi"
USER, PASSWORD = "sync_ro", "ro-" + token(16)
OLD = "2020-01-01 00:00:00"

# Entities 1 (under the root) and 2 (under 1).
ENTITIES = """
INSERT INTO glpi_entities (id, name, entities_id, completename, level,
    date_mod) VALUES
  (1, 'Paris', 0, 'Root entity > Paris', 2, '2024-01-01 00:00:00'),
  (2, 'Lab', 1, 'Root entity > Paris > Lab', 3, '2024-01-01 00:00:00');
"""
# alice: Read-Only on Paris (recursive) and Observer on Lab.
USERS = """
INSERT INTO glpi_users (id, name, realname, firstname, is_active,
    entities_id, date_mod) VALUES
  (10, 'alice', 'Martin', 'Alice', 1, 1, '2024-01-01 00:00:00'),
  (11, 'bob', 'Durand', 'Bob', 0, 2, '2024-01-01 00:00:00');
INSERT INTO glpi_profiles_users (id, users_id, profiles_id, entities_id,
    is_recursive, is_default_profile) VALUES
  (100, 10, 8, 1, 1, 1), (101, 10, 2, 2, 0, 0), (102, 11, 1, 2, 0, 1);
"""
# Computer 1: Debian 12 with two ports and two addresses, and an agent.
# Computer 2: no OS of its own, but a Phone 2 has an OS link. Computer 3 is
# a template (not copied); computer 4 is in the trash (copied, flagged).
COMPUTERS = """
INSERT INTO glpi_computers (id, entities_id, name, serial, uuid, is_template,
    is_deleted, date_mod, last_inventory_update) VALUES
  (1, 2, 'pc-one', 'SER1', 'uuid-1', 0, 0, '2024-05-01 10:00:00',
   '2024-05-01 10:00:00'),
  (2, 1, 'pc-two', 'SER2', 'uuid-2', 0, 0, '2024-05-01 10:00:00', NULL),
  (3, 0, 'pc-template', NULL, NULL, 1, 0, '2024-05-01 10:00:00', NULL),
  (4, 0, 'pc-trash', 'SER4', 'uuid-4', 0, 1, '2024-05-01 10:00:00', NULL);
INSERT INTO glpi_operatingsystems (id, name) VALUES
  (1, 'Debian GNU/Linux'), (2, 'Android');
INSERT INTO glpi_operatingsystemversions (id, name) VALUES
  (1, '12 (bookworm)'), (2, '14');
INSERT INTO glpi_items_operatingsystems (id, items_id, itemtype,
    operatingsystems_id, operatingsystemversions_id, date_mod) VALUES
  (1, 2, 'Phone', 2, 2, '2024-05-01 10:00:00'),
  (2, 1, 'Computer', 1, 1, '2024-05-01 10:00:00');
INSERT INTO glpi_networkports (id, items_id, itemtype, name, mac, date_mod)
VALUES
  (1, 1, 'Computer', 'eth1', 'AA:BB:CC:00:00:02', '2024-05-01 10:00:00'),
  (2, 1, 'Computer', 'eth0', 'aa:bb:cc:00:00:01', '2024-05-01 10:00:00'),
  (3, 1, 'Computer', 'lo', '00:00:00:00:00:00', '2024-05-01 10:00:00'),
  (4, 2, 'Phone', 'wlan0', 'ee:ee:ee:00:00:02', '2024-05-01 10:00:00');
INSERT INTO glpi_networknames (id, items_id, itemtype, name) VALUES
  (1, 1, 'NetworkPort', 'pc-one'), (2, 2, 'NetworkPort', 'pc-one');
INSERT INTO glpi_ipaddresses (id, items_id, itemtype, version, name,
    mainitems_id, mainitemtype) VALUES
  (1, 1, 'NetworkName', 4, '192.0.2.10', 1, 'Computer'),
  (2, 2, 'NetworkName', 6, '2001:db8::10', 1, 'Computer'),
  (3, 9, 'NetworkName', 4, '198.51.100.7', 2, 'Phone');
INSERT INTO glpi_agents (id, deviceid, name, agenttypes_id, itemtype,
    items_id, last_contact) VALUES
  (1, 'pc-one-2024-05-01-10-00-00', 'pc-one', 1, 'Computer', 1,
   '2024-05-01 10:00:00');
"""

# The tables the tests change and sync reads: kept as the install left
# them in the database "fresh" once, and put back before each test, which
# is far faster than loading GLPI again.
TABLES = ("glpi_configs", "glpi_entities", "glpi_profiles", "glpi_users",
          "glpi_profiles_users", "glpi_computers", "glpi_operatingsystems",
          "glpi_operatingsystemversions", "glpi_items_operatingsystems",
          "glpi_networkports", "glpi_networknames", "glpi_ipaddresses",
          "glpi_agents")


def copy_tables(source, target):
    """The SQL that makes TABLES of target those of source, rows too."""
    return ZERO_IDS + "".join(
        "DROP TABLE IF EXISTS `{t}`.{n}; CREATE TABLE `{t}`.{n} LIKE "
        "`{s}`.{n}; INSERT INTO `{t}`.{n} SELECT * FROM `{s}`.{n};\n"
        .format(s=source, t=target, n=n) for n in TABLES)


# The default rows hold 1 entity, 8 profiles, 5 users (2-6) and 4 links
# (glpi-system has none).
EXPECTED_TOTALS = {"entities": 3, "profiles": 8, "users": 7,
                   "profiles_users": 7, "computers": 3}


class GlpiSync(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.db = cls.enterClassContext(MariaDB())
        cls.db.create_user(USER, PASSWORD, "SELECT ON %s.*" % DBNAME)
        cls.db.load_glpi(DBNAME)
        cls.db.sql("CREATE DATABASE fresh;\n" + copy_tables(DBNAME, "fresh"))

    def setUp(self):
        self.db.sql(copy_tables("fresh", DBNAME) +
                    "DROP TABLE IF EXISTS `%s`.gone_agents;" % DBNAME)
        self.sql(ENTITIES + USERS + COMPUTERS)
        self.dir = tempfile.mkdtemp(prefix="passeur-sync-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.copy = os.path.join(self.dir, "copy.sqlite")
        self.conf = self.confdir()

    # -- helpers --------------------------------------------------------

    def sql(self, statements):
        return self.db.sql(statements, database=DBNAME)

    def confdir(self, password=PASSWORD, name="conf"):
        d = os.path.join(self.dir, name)
        os.mkdir(d)
        with open(os.path.join(d, "glpi.cfg"), "w") as f:
            f.write("dbhost = %s\ndbport = %d\ndbname = %s\ndbuser = %s\n"
                    "sync_db = %s\ninclude \"glpi.local\"\n" %
                    (self.db.host, self.db.port, DBNAME, USER, self.copy))
        with open(os.path.join(d, "glpi.local"), "w") as f:
            f.write("dbpassword = %s\n" % password)
        return d

    def glpi(self, *args, conf=None):
        p = run_passeur(["glpi", "-c", conf or self.conf] + list(args),
                        timeout=120)
        out, err = p.stdout.decode(), p.stderr.decode()
        self.assertNotIn(PASSWORD, out + err, "the password was printed")
        return p.returncode, out, err

    def sync(self, *args):
        """sync --json: the summary, after checking it succeeded."""
        code, out, err = self.glpi("sync", "--json", *args)
        self.assertEqual(code, 0, out + err)
        return json.loads(out)

    def counts(self, summary):
        """{table: (added, updated, removed)} of the tables that moved."""
        return {t: (c["added"], c["updated"], c["removed"])
                for t, c in summary.items() if isinstance(c, dict) and
                (c["added"], c["updated"], c["removed"]) != (0, 0, 0)}

    def rows(self, sql):
        con = sqlite3.connect(self.copy)
        try:
            return con.execute(sql).fetchall()
        finally:
            con.close()

    def computers(self):
        return {r[0]: r[1:] for r in self.rows(
            "SELECT id, name, serial, uuid, entities_id, os, os_version, "
            "macs, ips, deviceid, last_contact, is_deleted FROM computers")}

    def copy_dump(self):
        con = sqlite3.connect(self.copy)
        try:
            return [l for l in con.iterdump() if "'synced'" not in l]
        finally:
            con.close()

    # -- sync -------------------------------------------------------------

    def test_first_run_copies_everything(self):
        s = self.sync()
        self.assertEqual(s["mode"], "full", s)
        for table, total in EXPECTED_TOTALS.items():
            self.assertEqual((s[table]["added"], s[table]["total"],
                              s[table]["updated"], s[table]["removed"]),
                             (total, total, 0, 0), (table, s))
        self.assertEqual(self.computers(), {
            1: ("pc-one", "SER1", "uuid-1", 2, "Debian GNU/Linux",
                "12 (bookworm)", "aa:bb:cc:00:00:01,aa:bb:cc:00:00:02",
                "192.0.2.10,2001:db8::10", "pc-one-2024-05-01-10-00-00",
                "2024-05-01 10:00:00", 0),
            # The Phone's OS, port and address are not computer 2's.
            2: ("pc-two", "SER2", "uuid-2", 1, None, None, None, None, None,
                None, 0),
            4: ("pc-trash", "SER4", "uuid-4", 0, None, None, None, None,
                None, None, 1)})
        self.assertEqual(self.rows(
            "SELECT id, name, parent_id, completename, level FROM entities "
            "ORDER BY id"),
            [(0, "Root entity", None, "Root entity", 1),
             (1, "Paris", 0, "Root entity > Paris", 2),
             (2, "Lab", 1, "Root entity > Paris > Lab", 3)])
        self.assertEqual(self.rows(
            "SELECT users_id, profiles_id, entities_id, is_recursive "
            "FROM profiles_users WHERE users_id = 10 ORDER BY id"),
            [(10, 8, 1, 1), (10, 2, 2, 0)])
        self.assertEqual(self.rows(
            "SELECT name, realname, firstname, is_active FROM users "
            "WHERE id IN (10, 11) ORDER BY id"),
            [("alice", "Martin", "Alice", 1), ("bob", "Durand", "Bob", 0)])
        self.assertEqual(os.stat(self.copy).st_mode & 0o077 & ~0o040, 0,
                         "the copy is readable by others")

    def test_second_run_changes_nothing(self):
        self.sync()
        before = self.copy_dump()
        s = self.sync()
        self.assertEqual(s["mode"], "incremental", s)
        self.assertEqual(self.counts(s), {}, s)
        for table, total in EXPECTED_TOTALS.items():
            self.assertEqual(s[table]["total"], total, (table, s))
        after = self.copy_dump()
        # Only the watermark and the mode may move.
        diff = [l for l in set(after) ^ set(before)
                if "'watermark'" not in l and "'mode'" not in l]
        self.assertEqual(diff, [], "a second run changed the copy")

    def test_incremental_takes_updates_inserts_and_purges(self):
        # Thirty computers more that do not change: the few changed ones
        # are then read by their ids, not with every row.
        self.sql("INSERT INTO glpi_computers (id, entities_id, name, "
                 "is_template, date_mod) VALUES %s;" % ", ".join(
                     "(%d, 0, 'filler-%d', 0, '%s')" % (i, i, OLD)
                     for i in range(100, 130)))
        self.sync()
        self.sql("""
UPDATE glpi_computers SET name = 'pc-one-renamed', date_mod = NOW()
  WHERE id = 1;
UPDATE glpi_networkports SET mac = 'aa:bb:cc:00:00:09', date_mod = NOW()
  WHERE id = 1;
UPDATE glpi_agents SET last_contact = NOW() WHERE id = 1;
DELETE FROM glpi_computers WHERE id = 2;
INSERT INTO glpi_computers (id, entities_id, name, is_template, date_mod)
  VALUES (5, 1, 'pc-five-old-stamp', 0, '%s');
UPDATE glpi_entities SET name = 'Labo', completename =
  'Root entity > Paris > Labo', date_mod = NOW() WHERE id = 2;
INSERT INTO glpi_users (id, name, date_mod) VALUES (12, 'carol', NOW());
DELETE FROM glpi_profiles_users WHERE id = 101;
UPDATE glpi_profiles_users SET is_recursive = 0 WHERE id = 100;
""" % OLD)
        s = self.sync()
        self.assertEqual(s["mode"], "incremental", s)
        self.assertEqual(self.counts(s), {
            "computers": (1, 1, 1), "entities": (0, 1, 0),
            "users": (1, 0, 0), "profiles_users": (0, 1, 1)}, s)
        c = self.computers()
        self.assertEqual(sorted(c), [1, 4, 5] + list(range(100, 130)))
        self.assertEqual(c[1][0], "pc-one-renamed")
        self.assertEqual(c[1][6], "aa:bb:cc:00:00:01,aa:bb:cc:00:00:09")
        self.assertNotEqual(c[1][9], "2024-05-01 10:00:00")
        self.assertEqual(c[5][0], "pc-five-old-stamp")
        self.assertEqual(self.rows("SELECT completename FROM entities "
                                   "WHERE id = 2"),
                         [("Root entity > Paris > Labo",)])
        # The run after changes nothing.
        self.assertEqual(self.counts(self.sync()), {})

    def test_incremental_when_most_rows_changed(self):
        # Most rows changed: read whole, with the same result.
        self.sync()
        # More users than a page of changes: they are counted first.
        self.sql("UPDATE glpi_computers SET name = CONCAT(name, '-x'), "
                 "date_mod = NOW(); DELETE FROM glpi_computers WHERE id = 4;"
                 "INSERT INTO glpi_users (id, name, date_mod) SELECT "
                 "1000 + seq, CONCAT('user-', seq), NOW() FROM "
                 "seq_1_to_12000;")
        s = self.sync()
        self.assertEqual(s["mode"], "incremental", s)
        self.assertEqual(self.counts(s), {"computers": (0, 2, 1),
                                          "users": (12000, 0, 0)}, s)
        self.assertEqual(sorted(c[0] for c in self.computers().values()),
                         ["pc-one-x", "pc-two-x"])

    def test_full_takes_a_change_without_a_new_date(self):
        self.sync()
        self.sql("UPDATE glpi_computers SET serial = 'SER2-FIXED', "
                 "date_mod = '%s' WHERE id = 2;" % OLD)
        s = self.sync()
        self.assertEqual(self.counts(s), {}, "the watermark should miss it")
        s = self.sync("--full")
        self.assertEqual(s["mode"], "full", s)
        self.assertEqual(self.counts(s), {"computers": (0, 1, 0)}, s)
        self.assertEqual(self.computers()[2][1], "SER2-FIXED")

    def test_another_database_is_copied_anew(self):
        self.sync()
        self.db.sql("DROP DATABASE IF EXISTS other; CREATE DATABASE other;\n"
                    + copy_tables("fresh", "other"))
        self.db.create_user(USER, PASSWORD, ["SELECT ON %s.*" % DBNAME,
                                             "SELECT ON other.*"])
        d = self.confdir(name="other")
        with open(os.path.join(d, "glpi.cfg"), "a") as f:
            f.write("dbname = other\n")
        code, out, err = self.glpi("sync", "--json", conf=d)
        self.assertEqual(code, 0, out + err)
        s = json.loads(out)
        self.assertEqual(s["mode"], "full", s)
        self.assertEqual(s["computers"]["removed"], 3, s)
        self.assertEqual(s["computers"]["total"], 0, s)

    def test_failed_run_leaves_the_copy_unchanged(self):
        self.sync()
        before = self.copy_dump()
        self.sql("DELETE FROM glpi_computers;")
        code, out, err = self.glpi("sync", conf=self.confdir("wrong",
                                                             "bad"))
        self.assertEqual(code, 1, out + err)
        self.assertIn("cannot log in", err)
        self.assertIn("the copy is unchanged", err)
        self.assertEqual(self.copy_dump(), before)
        # A table missing halfway (computers come last): nothing written.
        self.sql("UPDATE glpi_users SET name = 'alice2', date_mod = NOW() "
                 "WHERE id = 10; RENAME TABLE glpi_agents TO gone_agents;")
        code, out, err = self.glpi("sync")
        self.assertEqual(code, 1, out + err)
        self.assertIn("glpi_agents", err)
        self.assertEqual(self.copy_dump(), before)

    def test_refuses_another_glpi_version(self):
        self.sql("UPDATE glpi_configs SET value = '9.5.13' WHERE "
                 "context = 'core' AND name = 'version';")
        code, out, err = self.glpi("sync")
        self.assertEqual(code, 1, out + err)
        self.assertIn("is not a GLPI 10.0 or 11.0 database: GLPI 9.5.13; "
                      "passeur glpi reads GLPI 10.0.x and 11.0.x", err)
        self.assertFalse(os.path.exists(self.copy) and
                         self.rows("SELECT COUNT(*) FROM computers")[0][0])

    def test_text_summary(self):
        code, out, err = self.glpi("sync")
        self.assertEqual(code, 0, out + err)
        self.assertRegex(out, r"^full sync of 127\.0\.0\.1:\d+/glpi into ")
        self.assertRegex(out, r"\n  computers +3  \(added 3, updated 0, "
                         r"removed 0\)\n")

    # -- the lists --------------------------------------------------------

    def lines(self, *args):
        code, out, err = self.glpi(*args)
        self.assertEqual(code, 0, out + err)
        return [l.split("\t") for l in out.splitlines()]

    def test_lists(self):
        self.sync()
        devices = self.lines("devices")
        self.assertEqual(devices[0][:3], ["ID", "NAME", "SERIAL"])
        self.assertEqual([d[1] for d in devices[1:]],
                         ["pc-one", "pc-trash", "pc-two"])
        by_mac = self.lines("devices", "--search", "AA:BB:CC:00:00:02")
        self.assertEqual([d[1] for d in by_mac[1:]], ["pc-one"])
        one = dict(zip(devices[0], by_mac[1]))
        self.assertEqual((one["ENTITY"], one["OS"], one["IPS"]),
                         ("Root entity > Paris > Lab",
                          "Debian GNU/Linux 12 (bookworm)",
                          "192.0.2.10,2001:db8::10"))
        # Wildcards are text: "_" matches no other character.
        self.assertEqual(self.lines("devices", "--search", "pc_one")[1:],
                         [])
        users = self.lines("users", "--search", "martin")
        self.assertEqual(len(users), 2, users)
        alice = dict(zip(users[0], users[1]))
        self.assertEqual(alice["PROFILES"],
                         "Read-Only on Root entity > Paris (recursive); "
                         "Observer on Root entity > Paris > Lab")
        entities = self.lines("entities")
        self.assertEqual([e[1] for e in entities[1:]],
                         ["Root entity", "Root entity > Paris",
                          "Root entity > Paris > Lab"])
        code, out, err = self.glpi("devices", "--json", "--search", "trash")
        self.assertEqual(code, 0, err)
        self.assertEqual([(d["id"], d["is_deleted"]) for d in
                          json.loads(out)], [(4, 1)])
        code, out, err = self.glpi("users", "--json", "--search", "nobody")
        self.assertEqual((code, json.loads(out)), (0, []))

    def test_list_before_any_sync(self):
        code, out, err = self.glpi("devices")
        self.assertEqual(code, 1, out + err)
        self.assertIn("run \"passeur glpi sync\"", err)
        self.assertFalse(os.path.exists(self.copy), "a list made a copy")

    def test_usage_errors(self):
        for args in (["sync", "--search", "x"], ["devices", "--full"],
                     ["users", "extra"], ["sync", "--dry-run"]):
            code, out, err = self.glpi(*args)
            self.assertEqual(code, 2, (args, out, err))
            self.assertIn("usage:", err, args)


if __name__ == "__main__":
    main()
