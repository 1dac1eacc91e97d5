# SPDX-License-Identifier: GPL-3.0-or-later
"""`passeur glpi views` against a real MariaDB holding a GLPI 10.0.18
database named itsm (not glpi, so that a database name hidden in the views
would show): `views sql` prints the four views of Medulla's glpi-100.sql
with no database name, `views install` creates them with the account of
glpi.cfg (or tells a read-only account the admin's command), and `views
check` reports each one (ITEM EXPECTED FOUND VERDICT, the same in --json).

The views must give what a hand-written join gives: each computer's own
first OS and domain links (item type Computer, smallest id), never those
of another item type with the same id (the reference file's defect), and
they must read under ONLY_FULL_GROUP_BY. Each test starts without views."""

import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest

from harness import BIN, main, run_passeur
from mariadb import MariaDB, quote
from test_glpi_check import Result as ViewsCheck, parse_table, token

DBNAME = "itsm"
PULSE = "glpi_computers_pulse"
PRINTER = "glpi_view_computers_items_printer"
PERIPHERAL = "glpi_view_computers_items_peripheral"
MANUFACTURERS = "glpi_view_peripherals_manufacturers"
VIEWS = [PULSE, PRINTER, PERIPHERAL, MANUFACTURERS]
ADMIN_COMMAND = "passeur glpi views sql | mariadb"

OS_COLUMNS = ["operatingsystems_id", "operatingsystemversions_id",
              "operatingsystemservicepacks_id",
              "operatingsystemarchitectures_id", "license_number",
              "licenseid", "operatingsystemkernelversions_id"]
PULSE_COLUMNS = (
    ["id", "entities_id", "name", "serial", "otherserial", "contact",
     "contact_num", "users_id_tech", "groups_id_tech", "comment",
     "date_mod"] + OS_COLUMNS +
    ["autoupdatesystems_id", "locations_id", "domains_id", "networks_id",
     "computermodels_id", "computertypes_id", "is_template",
     "template_name", "manufacturers_id", "is_deleted", "is_dynamic",
     "users_id", "groups_id", "states_id", "ticket_tco", "uuid",
     "date_creation", "is_recursive"])
LINK_COLUMNS = ["id", "items_id", "computers_id", "is_deleted", "is_dynamic"]

RW_USER, RW_PASSWORD = "views_rw", "rw-" + token(16)
RO_USER, RO_PASSWORD = "views_ro", "ro-" + token(16)

# -- the seed ------------------------------------------------------------
#
# Computers 1-6; a Phone 1 and a Phone 3 whose OS and domain links carry
# the ids of computers. Link ids are explicit so that "smallest id" is
# known: a Phone's link always has a smaller id than the computer's own,
# and a computer's second link has smaller values than its first.
COMPUTERS = {1: "pc-one-os", 2: "pc-two-os", 3: "pc-no-os",
             4: "pc-domain", 5: "pc-deleted", 6: "pc-template"}


def computer_row(i):
    """An INSERT values tuple for computer i: every column distinct."""
    return ("(%d, 0, %s, 'S%d', 'O%d', 'contact%d', 'num%d', %d, %d, "
            "'comment %d', '2024-01-0%d 10:00:00', %d, %d, %d, %d, %d, %d, "
            "%s, %d, %d, %d, %d, %d, %d, %d.25, 'uuid-%d', "
            "'2023-06-0%d 08:00:00', %d, '2024-02-0%d 09:00:00', "
            "'2024-03-0%d 07:00:00')" % (
                i, quote(COMPUTERS[i]), i, i, i, i, 10 + i, 20 + i, i, i,
                30 + i, 40 + i, 50 + i, 60 + i, 70 + i, int(i == 6),
                quote("tpl") if i == 6 else "NULL", 80 + i, int(i == 5),
                i % 2, 90 + i, 100 + i, 110 + i, i, i, i, i % 2, i, i))


# (id, items_id, itemtype, operatingsystems_id): the other OS columns are
# derived from operatingsystems_id.
OS_LINKS = [(1, 1, "Phone", 501), (2, 3, "Phone", 503),
            (3, 1, "Computer", 101), (4, 2, "Computer", 202),
            (5, 2, "Computer", 102), (6, 4, "Computer", 104),
            (7, 5, "Computer", 105), (8, 6, "Computer", 106),
            (9, 99, "Computer", 199)]
# (id, domains_id, items_id, itemtype)
DOMAIN_LINKS = [(1, 51, 1, "Phone"), (2, 53, 3, "Phone"),
                (3, 44, 4, "Computer"), (4, 4, 4, "Computer"),
                (5, 45, 5, "Computer")]
# What the view must show: computer -> (operatingsystems_id, domains_id).
EXPECTED_LINKS = {1: ("101", "NULL"), 2: ("202", "NULL"),
                  3: ("NULL", "NULL"), 4: ("104", "44"),
                  5: ("105", "45"), 6: ("106", "NULL")}
# (id, items_id, computers_id, itemtype, is_deleted, is_dynamic)
COMPUTERS_ITEMS = [(1, 7, 1, "Printer", 0, 1), (2, 8, 2, "Peripheral", 1, 0),
                   (3, 9, 1, "Monitor", 0, 0), (4, 10, 2, "Printer", 1, 1),
                   (5, 11, 4, "Phone", 0, 0)]


def seed_sql():
    os_rows = ",\n".join(
        "(%d, %d, %s, %d, %d, %d, %d, %d, 'LIC-%d', 'lid-%d')" % (
            i, item, quote(t), os, os + 1000, os + 2000, os + 3000,
            os + 4000, os, os) for i, item, t, os in OS_LINKS)
    return """
INSERT INTO glpi_computers (id, entities_id, name, serial, otherserial,
    contact, contact_num, users_id_tech, groups_id_tech, comment, date_mod,
    autoupdatesystems_id, locations_id, networks_id, computermodels_id,
    computertypes_id, is_template, template_name, manufacturers_id,
    is_deleted, is_dynamic, users_id, groups_id, states_id, ticket_tco,
    uuid, date_creation, is_recursive, last_inventory_update, last_boot)
VALUES %s;
INSERT INTO glpi_phones (id, entities_id, name) VALUES
    (1, 0, 'phone-one'), (3, 0, 'phone-three');
INSERT INTO glpi_items_operatingsystems (id, items_id, itemtype,
    operatingsystems_id, operatingsystemversions_id,
    operatingsystemservicepacks_id, operatingsystemarchitectures_id,
    operatingsystemkernelversions_id, license_number, licenseid)
VALUES %s;
INSERT INTO glpi_domains_items (id, domains_id, items_id, itemtype)
VALUES %s;
INSERT INTO glpi_computers_items (id, items_id, computers_id, itemtype,
    is_deleted, is_dynamic) VALUES %s;
INSERT INTO glpi_manufacturers (id, name, comment, date_mod, date_creation)
VALUES (1, 'Dell', 'servers', '2024-01-01 00:00:00', NULL),
       (2, 'HP', NULL, NULL, '2022-05-05 05:05:05');
""" % (",\n".join(computer_row(i) for i in sorted(COMPUTERS)), os_rows,
       ",\n".join("(%d, %d, %d, %s)" % (i, d, item, quote(t))
                  for i, d, item, t in DOMAIN_LINKS),
       ",\n".join("(%d, %d, %d, %s, %d, %d)" % (i, item, c, quote(t), d, y)
                  for i, item, c, t, d, y in COMPUTERS_ITEMS))


# What glpi_computers_pulse must return, written another way than any view:
# the first link of item type Computer per computer, through MIN(id).
def pulse_columns_sql():
    os_cols = set(OS_COLUMNS)
    return ", ".join("os.%s" % c if c in os_cols else
                     "d.domains_id" if c == "domains_id" else "c.%s" % c
                     for c in PULSE_COLUMNS)


EXPECTED_PULSE = """
SELECT %s
FROM glpi_computers c
LEFT JOIN (SELECT items_id, MIN(id) AS first FROM glpi_items_operatingsystems
           WHERE itemtype = 'Computer' GROUP BY items_id) fo
    ON fo.items_id = c.id
LEFT JOIN glpi_items_operatingsystems os ON os.id = fo.first
LEFT JOIN (SELECT items_id, MIN(id) AS first FROM glpi_domains_items
           WHERE itemtype = 'Computer' GROUP BY items_id) fd
    ON fd.items_id = c.id
LEFT JOIN glpi_domains_items d ON d.id = fd.first
ORDER BY c.id;
""" % pulse_columns_sql()
EXPECTED_LINKS_SQL = """
SELECT id, items_id, computers_id, is_deleted, is_dynamic
FROM glpi_computers_items WHERE itemtype = '%s' ORDER BY id;"""

# Medulla's glpi_computers_pulse as shared/spec/glpi-10.md section 1
# describes its current form: sub-selects GROUP BY items_id with no
# itemtype filter and non-aggregated columns (defects 1 and 2).
REFERENCE_SQL = """START TRANSACTION;
CREATE OR REPLACE VIEW glpi_computers_pulse AS
SELECT computers.id, computers.entities_id, computers.name, computers.serial,
    computers.otherserial, computers.contact, computers.contact_num,
    computers.users_id_tech, computers.groups_id_tech, computers.comment,
    computers.date_mod, os.operatingsystems_id, os.operatingsystemversions_id,
    os.operatingsystemservicepacks_id, os.operatingsystemarchitectures_id,
    os.license_number, os.licenseid, os.operatingsystemkernelversions_id,
    computers.autoupdatesystems_id, computers.locations_id,
    domains.domains_id, computers.networks_id, computers.computermodels_id,
    computers.computertypes_id, computers.is_template,
    computers.template_name, computers.manufacturers_id,
    computers.is_deleted, computers.is_dynamic, computers.users_id,
    computers.groups_id, computers.states_id, computers.ticket_tco,
    computers.uuid, computers.date_creation, computers.is_recursive
FROM glpi_computers computers
LEFT JOIN (SELECT items_id, domains_id FROM glpi_domains_items
           GROUP BY items_id) domains ON domains.items_id = computers.id
LEFT JOIN (SELECT items_id, operatingsystems_id, operatingsystemversions_id,
                  operatingsystemservicepacks_id,
                  operatingsystemarchitectures_id, license_number, licenseid,
                  operatingsystemkernelversions_id
           FROM glpi_items_operatingsystems GROUP BY items_id) os
    ON os.items_id = computers.id;
CREATE OR REPLACE VIEW glpi_view_computers_items_printer AS
SELECT id, items_id, computers_id, is_deleted, is_dynamic
FROM glpi_computers_items WHERE itemtype = 'Printer';
CREATE OR REPLACE VIEW glpi_view_computers_items_peripheral AS
SELECT id, items_id, computers_id, is_deleted, is_dynamic
FROM glpi_computers_items WHERE itemtype = 'Peripheral';
CREATE OR REPLACE VIEW glpi_view_peripherals_manufacturers AS
SELECT * FROM glpi_manufacturers;
COMMIT;
"""

ONLY_FULL_GROUP_BY = ("SET SESSION sql_mode = CONCAT(@@sql_mode, "
                      "',ONLY_FULL_GROUP_BY');\n")


def strip_comments(sql):
    """sql less its -- and /* */ comments (no string holds those marks)."""
    sql = re.sub(r"/\*.*?\*/", " ", sql, flags=re.S)
    return re.sub(r"--[^\n]*", " ", sql)


class GlpiViews(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.db = cls.enterClassContext(MariaDB())
        cls.db.load_glpi(DBNAME)
        cls.db.sql(seed_sql(), database=DBNAME)
        cls.db.create_user(RW_USER, RW_PASSWORD, "ALL ON %s.*" % DBNAME)
        cls.db.create_user(RO_USER, RO_PASSWORD, "SELECT ON %s.*" % DBNAME)
        cls.empty = tempfile.mkdtemp(prefix="passeur-views-empty-")
        cls.addClassCleanup(shutil.rmtree, cls.empty, True)

    def setUp(self):
        self.drop_views()

    # -- helpers --------------------------------------------------------

    def drop_views(self):
        self.db.sql("DROP VIEW IF EXISTS %s;" % ", ".join(VIEWS),
                    database=DBNAME)

    def sql(self, statements, **kw):
        return self.db.sql(statements, database=DBNAME, **kw)

    def views_present(self):
        """The views of the database, by name."""
        return self.sql("SELECT TABLE_NAME FROM information_schema.VIEWS "
                        "WHERE TABLE_SCHEMA = DATABASE() ORDER BY "
                        "TABLE_NAME;").split()

    def view_definitions(self):
        return self.sql("SELECT TABLE_NAME, VIEW_DEFINITION, CHECK_OPTION, "
                        "IS_UPDATABLE, DEFINER, SECURITY_TYPE, "
                        "CHARACTER_SET_CLIENT, COLLATION_CONNECTION, "
                        "ALGORITHM FROM information_schema.VIEWS WHERE "
                        "TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME;")

    def columns(self, table):
        return self.sql("SELECT COLUMN_NAME FROM information_schema.COLUMNS "
                        "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = "
                        "%s ORDER BY ORDINAL_POSITION;" % quote(table)
                        ).split()

    def confdir(self, user=RW_USER, password=RW_PASSWORD):
        d = tempfile.mkdtemp(prefix="passeur-views-")
        self.addCleanup(shutil.rmtree, d, True)
        with open(os.path.join(d, "glpi.cfg"), "w") as f:
            f.write("dbhost = %s\ndbport = %d\ndbname = %s\ndbuser = %s\n"
                    "api_url = http://127.0.0.1/glpi/apirest.php\n"
                    'include "glpi.local"\n' %
                    (self.db.host, self.db.port, DBNAME, user))
        with open(os.path.join(d, "glpi.local"), "w") as f:
            f.write("dbpassword = %s\n" % password)
        return d

    def run_glpi(self, args, input=None):
        """passeur glpi ARGS: (exit status, stdout, stderr), after checking
        that no password was printed."""
        p = run_passeur(["glpi"] + list(args), input=input, timeout=60)
        out, err = p.stdout.decode(), p.stderr.decode()
        for s in (RW_PASSWORD, RO_PASSWORD):
            self.assertNotIn(s, out + err, "a password was printed")
        return p.returncode, out, err

    def views_sql(self):
        code, out, err = self.run_glpi(["-c", self.empty, "views", "sql"])
        self.assertEqual(code, 0, out + err)
        return out

    def admin_applies(self):
        """What the admin runs: passeur glpi views sql | mariadb DBNAME."""
        p = subprocess.run(
            ["bash", "-c", 'set -o pipefail; "$0" glpi views sql | '
             'mariadb --defaults-file="$1" -uroot "$2"',
             BIN, self.db.cnf, DBNAME],
            capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)

    def install(self, user=RW_USER, password=RW_PASSWORD):
        return self.run_glpi(["-c", self.confdir(user, password), "views",
                              "install"])

    def views_check(self, user=RW_USER, password=RW_PASSWORD):
        """`views check` then `views check --json`: both must agree, with
        one row per view, a fix under each FAIL, exit 0 only when all four
        are ok."""
        d = self.confdir(user, password)
        code, out, err = self.run_glpi(["-c", d, "views", "check"])
        jcode, jout, jerr = self.run_glpi(["-c", d, "views", "check",
                                           "--json"])
        try:
            r = ViewsCheck(code, out, err, jcode, jout)
        except (StopIteration, ValueError) as e:
            self.fail("views check output unreadable (%r):\n%s%s\n%s%s" %
                      (e, out, err, jout, jerr))
        self.assertEqual(list(r.rows), VIEWS, r)
        for item, row in r.rows.items():
            self.assertIn(row["verdict"], ("ok", "FAIL"), (item, r))
            if row["verdict"] == "FAIL":
                self.assertTrue(row["fix"], ("no fix line", item, r))
        good = all(v == "ok" for v in r.verdicts().values())
        self.assertEqual(r.code, 0 if good else 1, r)
        # --json agrees with the table.
        self.assertEqual(r.json_code, r.code, r.json)
        self.assertEqual([i["item"] for i in r.json["items"]], VIEWS,
                         r.json)
        for i in r.json["items"]:
            row = r.rows[i["item"]]
            self.assertEqual((i["expected"], i["found"], i["ok"], i["fix"]),
                             (row["expected"], row["found"],
                              row["verdict"] == "ok", row["fix"]), i)
            if "verdict" in i:
                self.assertEqual(i["verdict"], row["verdict"], i)
        if "usable" in r.json:
            self.assertEqual(r.json["usable"], good, r.json)
        return r

    def assertSame(self, sql_view, sql_expected, what):
        got, want = self.sql(sql_view), self.sql(sql_expected)
        self.assertTrue(want.strip(), "no rows to compare for " + what)
        self.assertEqual(got.splitlines(), want.splitlines(), what)

    # -- views sql --------------------------------------------------------

    def test_sql_needs_no_configuration(self):
        # No -c (no /etc/passeur here), an empty folder, no folder, a
        # working glpi.cfg: the same script.
        for args in ([], ["-c", self.empty], ["-c", "/nonexistent/passeur"],
                     ["-c", self.confdir()]):
            with self.subTest(args=args):
                code, out, err = self.run_glpi(args + ["views", "sql"])
                self.assertEqual(code, 0, out + err)
                self.assertEqual(out, self.views_sql())
        sql = strip_comments(self.views_sql())
        created = re.findall(r"CREATE\s+OR\s+REPLACE\s+VIEW\s+`?(\w+)`?",
                             sql, re.I)
        self.assertEqual(sorted(created), sorted(VIEWS), sql)
        self.assertEqual(len(re.findall(r"\bVIEW\b", sql, re.I)), 4, sql)
        self.assertIsNone(re.search(r"(^|;)\s*USE\b", sql, re.I | re.M),
                          sql)
        self.assertIsNone(re.search(r"\bglpi`?\s*\.", sql, re.I), sql)
        # No qualifier of any database before a GLPI table either.
        self.assertIsNone(re.search(r"[\w`]\s*\.\s*`?glpi_", sql, re.I), sql)

    def test_sql_applies_to_a_database_not_named_glpi(self):
        self.admin_applies()
        self.assertEqual(self.views_present(), sorted(VIEWS))
        self.assertEqual(self.db.sql(
            "SELECT COUNT(*) FROM information_schema.VIEWS WHERE "
            "TABLE_SCHEMA <> %s AND TABLE_NAME IN (%s);" % (quote(DBNAME),
            ", ".join(quote(v) for v in VIEWS))).strip(), "0")
        self.assertEqual(self.columns(PULSE), PULSE_COLUMNS)
        # Re-applying it replaces the views by the same ones.
        before = self.view_definitions()
        self.admin_applies()
        self.assertEqual(self.view_definitions(), before)

    # -- what the views return ---------------------------------------------

    def test_views_match_hand_written_joins(self):
        self.sql(self.views_sql())
        self.assertEqual(self.columns(PULSE), PULSE_COLUMNS)
        self.assertEqual(self.columns(PRINTER), LINK_COLUMNS)
        self.assertEqual(self.columns(PERIPHERAL), LINK_COLUMNS)
        self.assertEqual(self.columns(MANUFACTURERS),
                         self.columns("glpi_manufacturers"))
        self.assertSame("SELECT %s FROM %s ORDER BY id;" %
                        (", ".join(PULSE_COLUMNS), PULSE), EXPECTED_PULSE,
                        PULSE)
        self.assertSame("SELECT * FROM %s ORDER BY id;" % PRINTER,
                        EXPECTED_LINKS_SQL % "Printer", PRINTER)
        self.assertSame("SELECT * FROM %s ORDER BY id;" % PERIPHERAL,
                        EXPECTED_LINKS_SQL % "Peripheral", PERIPHERAL)
        self.assertSame("SELECT * FROM %s ORDER BY id;" % MANUFACTURERS,
                        "SELECT * FROM glpi_manufacturers ORDER BY id;",
                        MANUFACTURERS)
        # The hand-written join itself says what the seed means: one row
        # per computer, its own first OS and domain, NULL when it has none
        # even though a Phone with its id has one.
        rows = [l.split("\t") for l in self.sql(
            "SELECT id, operatingsystems_id, domains_id, license_number, "
            "is_deleted, is_template FROM %s ORDER BY id;" % PULSE
            ).splitlines()]
        self.assertEqual({int(r[0]): (r[1], r[2]) for r in rows},
                         EXPECTED_LINKS)
        self.assertEqual(len(rows), len(COMPUTERS))
        by_id = {int(r[0]): r for r in rows}
        self.assertEqual(by_id[3][3], "NULL")
        self.assertEqual(by_id[2][3], "LIC-202")
        self.assertEqual((by_id[5][4], by_id[6][5]), ("1", "1"))
        self.assertEqual(self.sql("SELECT items_id FROM %s ORDER BY id;"
                                  % PRINTER).split(), ["7", "10"])
        self.assertEqual(self.sql("SELECT items_id FROM %s;"
                                  % PERIPHERAL).split(), ["8"])

    def test_reference_view_has_the_defects_the_tests_catch(self):
        # The seed and the ONLY_FULL_GROUP_BY test tell a defective view
        # apart: the reference's shows the Phone's OS on computer 3.
        self.sql(REFERENCE_SQL)
        self.assertEqual(self.sql("SELECT operatingsystems_id, domains_id "
                                  "FROM %s WHERE id = 3;" % PULSE).split(),
                         ["503", "53"])
        with self.assertRaisesRegex(AssertionError, "1055"):
            self.sql(ONLY_FULL_GROUP_BY + "SELECT * FROM %s;" % PULSE,
                     user=RO_USER, password=RO_PASSWORD)

    def test_only_full_group_by(self):
        self.sql(self.views_sql())
        out = self.sql(ONLY_FULL_GROUP_BY + "SELECT @@sql_mode;\n" +
                       "".join("SELECT COUNT(*) FROM %s;\n"
                               "SELECT * FROM %s;\n" % (v, v)
                               for v in VIEWS),
                       user=RO_USER, password=RO_PASSWORD)
        self.assertIn("ONLY_FULL_GROUP_BY", out.splitlines()[0])
        self.assertEqual(out.splitlines()[1], str(len(COMPUTERS)))

    # -- views install ---------------------------------------------------

    def test_install_read_write(self):
        code, out, err = self.install()
        self.assertEqual(code, 0, out + err)
        self.assertEqual(self.views_present(), sorted(VIEWS))
        lines = [l for l in out.splitlines() if l.strip()]
        self.assertEqual(len(lines), len(VIEWS), out)
        for line, view in zip(lines, VIEWS):
            self.assertIn(view, line)
        before = self.view_definitions()
        self.assertSame("SELECT %s FROM %s ORDER BY id;" %
                        (", ".join(PULSE_COLUMNS), PULSE), EXPECTED_PULSE,
                        PULSE)
        code, out, err = self.install()
        self.assertEqual(code, 0, out + err)
        self.assertEqual(self.view_definitions(), before)
        self.assertEqual(set(self.views_check().verdicts().values()),
                         {"ok"})

    def test_install_replaces_the_reference_views(self):
        self.sql(REFERENCE_SQL)
        code, out, err = self.install()
        self.assertEqual(code, 0, out + err)
        self.assertSame("SELECT %s FROM %s ORDER BY id;" %
                        (", ".join(PULSE_COLUMNS), PULSE), EXPECTED_PULSE,
                        PULSE)
        self.assertEqual(self.views_check().code, 0)

    def test_install_read_only_then_admin(self):
        code, out, err = self.install(RO_USER, RO_PASSWORD)
        self.assertEqual(code, 1, out + err)
        self.assertEqual(self.views_present(), [])
        self.assertIn(ADMIN_COMMAND, err)
        self.assertIn(DBNAME, err[err.index(ADMIN_COMMAND):])
        self.admin_applies()
        r = self.views_check(RO_USER, RO_PASSWORD)
        self.assertEqual(r.code, 0, r)
        code, out, err = self.run_glpi(["-c", self.confdir(
            RO_USER, RO_PASSWORD), "check"])
        rows = parse_table(out)
        items = list(rows)
        self.assertEqual(items[items.index("db.access") + 1], "db.views",
                         out)
        self.assertEqual(rows["db.access"]["found"], "read-only", out)
        self.assertEqual(rows["db.views"]["verdict"], "ok", out + err)

    # -- views check -----------------------------------------------------

    def test_check_without_views(self):
        for user, password, fix in (
                (RW_USER, RW_PASSWORD, "passeur glpi views install"),
                (RO_USER, RO_PASSWORD, ADMIN_COMMAND)):
            with self.subTest(user=user):
                r = self.views_check(user, password)
                self.assertEqual(r.code, 1, r)
                self.assertEqual(set(r.verdicts().values()), {"FAIL"}, r)
                for view in VIEWS:
                    self.assertIn(fix, r[view]["fix"], r)

    def test_check_reference_views(self):
        self.sql(REFERENCE_SQL)
        r = self.views_check()
        # Its columns are right but it fails under ONLY_FULL_GROUP_BY
        # (test_reference_view_has_the_defects_the_tests_catch), which
        # views check tries.
        self.assertEqual(r[PULSE]["verdict"], "FAIL", r)
        self.assertIn("passeur glpi views install", r[PULSE]["fix"])
        for view in VIEWS[1:]:
            self.assertEqual(r[view]["verdict"], "ok", (view, r))
        self.assertEqual(r.code, 1, r)

    def test_check_wrong_columns(self):
        # glpi-100.sql before ab52448a called licenseid license_id; a view
        # with the right columns in another order is wrong too.
        renamed = [("license_id" if c == "licenseid" else c)
                   for c in PULSE_COLUMNS]
        reordered = PULSE_COLUMNS[1:] + PULSE_COLUMNS[:1]
        computer = set(self.columns("glpi_computers"))
        for columns in (renamed, reordered, PULSE_COLUMNS[:-1]):
            with self.subTest(columns=columns[:2] + ["..."]):
                self.sql(self.views_sql())
                self.sql("CREATE OR REPLACE VIEW %s AS SELECT %s FROM "
                         "glpi_computers c;" % (PULSE, ", ".join(
                             "c.%s" % c if c in computer else
                             "NULL AS %s" % c for c in columns)))
                r = self.views_check()
                self.assertEqual(r[PULSE]["verdict"], "FAIL", r)
                self.assertEqual(r.code, 1, r)

    def test_check_all_ok_after_admin(self):
        self.admin_applies()
        for user, password in ((RW_USER, RW_PASSWORD),
                               (RO_USER, RO_PASSWORD)):
            with self.subTest(user=user):
                r = self.views_check(user, password)
                self.assertEqual(set(r.verdicts().values()), {"ok"}, r)
                self.assertEqual(r.code, 0, r)

    def test_usage_errors(self):
        d = self.confdir()
        for args in (["views"], ["views", "frobnicate"],
                     ["views", "check", "--bogus"], ["views", "sql", "x"]):
            with self.subTest(args=args):
                code, out, err = self.run_glpi(["-c", d] + args)
                self.assertEqual(code, 2, out + err)
                self.assertIn("usage", err)


if __name__ == "__main__":
    main()
