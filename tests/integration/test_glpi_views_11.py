# SPDX-License-Identifier: GPL-3.0-or-later
"""`passeur glpi views` on GLPI 11.0.6 (database itsm): the views of the
platform's glpi-110.sql shape. glpi_computers_pulse has no group columns
(GLPI 11 keeps an asset's groups in glpi_groups_items), the printer and
peripheral views read glpi_assets_assets_peripheralassets for assets of
type Computer only, with the columns of the 10.0 views; the fixes of the
10.0 file hold (a computer's own OS link, no database name). `views sql
--glpi 11` prints them, `views install` and `views check` find the schema
from the database."""

import os
import shutil
import tempfile
import unittest

os.environ["PASSEUR_GLPI_SCHEMA"] = "11"

from harness import main, run_passeur  # noqa: E402
from mariadb import GLPI_VERSION, MariaDB  # noqa: E402
from test_glpi_check import Result as ViewsCheck, token  # noqa: E402

DBNAME = "itsm"
PULSE = "glpi_computers_pulse"
PRINTER = "glpi_view_computers_items_printer"
PERIPHERAL = "glpi_view_computers_items_peripheral"
MANUFACTURERS = "glpi_view_peripherals_manufacturers"
VIEWS = [PULSE, PRINTER, PERIPHERAL, MANUFACTURERS]
PULSE_COLUMNS = [
    "id", "entities_id", "name", "serial", "otherserial", "contact",
    "contact_num", "users_id_tech", "comment", "date_mod",
    "operatingsystems_id", "operatingsystemversions_id",
    "operatingsystemservicepacks_id", "operatingsystemarchitectures_id",
    "license_number", "licenseid", "operatingsystemkernelversions_id",
    "autoupdatesystems_id", "locations_id", "domains_id", "networks_id",
    "computermodels_id", "computertypes_id", "is_template", "template_name",
    "manufacturers_id", "is_deleted", "is_dynamic", "users_id", "states_id",
    "ticket_tco", "uuid", "date_creation", "is_recursive"]
LINK_COLUMNS = ["id", "items_id", "computers_id", "is_deleted", "is_dynamic"]
RW_USER, RW_PASSWORD = "views_rw", "rw-" + token(16)
RO_USER, RO_PASSWORD = "views_ro", "ro-" + token(16)

# Computers 1-3; Phone 1 has an OS link that carries computer 1's id; the
# groups of computer 2 are in glpi_groups_items; a custom asset 1 has a
# printer link (not a computer's).
SEED = r"""
INSERT INTO glpi_computers (id, entities_id, name, is_template, date_mod)
VALUES (1, 0, 'pc-one', 0, NOW()), (2, 0, 'pc-two', 0, NOW()),
       (3, 0, 'pc-three', 0, NOW());
INSERT INTO glpi_items_operatingsystems (id, items_id, itemtype,
    operatingsystems_id) VALUES (1, 1, 'Phone', 501), (2, 1, 'Computer', 101),
    (3, 2, 'Computer', 102);
INSERT INTO glpi_groups_items (id, groups_id, itemtype, items_id, type)
VALUES (1, 7, 'Computer', 2, 1), (2, 8, 'Computer', 2, 2);
INSERT INTO glpi_assets_assets_peripheralassets (id, itemtype_asset,
    items_id_asset, itemtype_peripheral, items_id_peripheral, is_deleted,
    is_dynamic) VALUES
  (1, 'Computer', 1, 'Printer', 71, 0, 0),
  (2, 'Computer', 2, 'Peripheral', 82, 1, 1),
  (3, 'Glpi\\CustomAsset\\Kiosk', 1, 'Printer', 73, 0, 0),
  (4, 'Computer', 3, 'Printer', 93, 0, 1),
  (5, 'Computer', 3, 'Monitor', 95, 0, 0);
INSERT INTO glpi_manufacturers (id, name, comment) VALUES (1, 'ACME', 'x');
"""


class GlpiViews11(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.db = cls.enterClassContext(MariaDB())
        cls.db.load_glpi(DBNAME)
        cls.db.sql(SEED, database=DBNAME)
        cls.db.create_user(RW_USER, RW_PASSWORD, "ALL ON %s.*" % DBNAME)
        cls.db.create_user(RO_USER, RO_PASSWORD, "SELECT ON %s.*" % DBNAME)
        cls.empty = tempfile.mkdtemp(prefix="passeur-views-empty-")
        cls.addClassCleanup(shutil.rmtree, cls.empty, True)

    def setUp(self):
        self.sql("DROP VIEW IF EXISTS %s;" % ", ".join(VIEWS))

    def sql(self, statements):
        return self.db.sql(statements, database=DBNAME)

    def rows(self, query):
        return [tuple(line.split("\t")) for line in
                self.sql(query).splitlines()]

    def columns(self, table):
        return self.sql("SELECT COLUMN_NAME FROM information_schema.COLUMNS "
                        "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = "
                        "'%s' ORDER BY ORDINAL_POSITION;" % table).split()

    def confdir(self, user=RW_USER, password=RW_PASSWORD):
        d = tempfile.mkdtemp(prefix="passeur-views-")
        self.addCleanup(shutil.rmtree, d, True)
        with open(os.path.join(d, "glpi.cfg"), "w") as f:
            f.write("dbhost = %s\ndbport = %d\ndbname = %s\ndbuser = %s\n"
                    "dbpassword = %s\n" % (self.db.host, self.db.port,
                                          DBNAME, user, password))
        os.chmod(os.path.join(d, "glpi.cfg"), 0o600)
        return d

    def run_glpi(self, args):
        p = run_passeur(["glpi"] + list(args), timeout=60)
        out, err = p.stdout.decode(), p.stderr.decode()
        for s in (RW_PASSWORD, RO_PASSWORD):
            self.assertNotIn(s, out + err, "a password was printed")
        return p.returncode, out, err

    def views_check(self):
        d = self.confdir()
        code, out, err = self.run_glpi(["-c", d, "views", "check"])
        jcode, jout, _ = self.run_glpi(["-c", d, "views", "check", "--json"])
        r = ViewsCheck(code, out, err, jcode, jout)
        self.assertEqual(list(r.rows), VIEWS, r)
        self.assertEqual(r.json_code, r.code, r.json)
        return r

    def test_version_of_the_fixture(self):
        self.assertEqual(self.sql("SELECT value FROM glpi_configs WHERE "
                                  "name = 'version';").strip(), GLPI_VERSION)

    def test_sql_of_glpi_11(self):
        code, out, err = self.run_glpi(["-c", self.empty, "views", "sql",
                                        "--glpi", "11"])
        self.assertEqual(code, 0, err)
        self.assertIn("glpi-110.sql", out)
        self.assertNotIn("groups_id", out)
        self.assertNotIn("glpi_computers_items", out)
        self.assertEqual(out.count("FROM glpi_assets_assets_peripheralassets"),
                         2)
        self.assertNotIn(DBNAME, out)
        # 10.0 stays the default, with its groups and links.
        code, out10, _ = self.run_glpi(["-c", self.empty, "views", "sql"])
        self.assertEqual(code, 0)
        self.assertIn("c.groups_id_tech", out10)
        self.assertIn("FROM glpi_computers_items", out10)
        code, out, err = self.run_glpi(["views", "sql", "--glpi", "12"])
        self.assertEqual(code, 2, out + err)
        self.assertIn("passeur glpi reads GLPI 10.0.x and 11.0.x", err)

    def test_install_check_and_content(self):
        code, out, err = self.run_glpi(["-c", self.confdir(), "views",
                                        "install"])
        self.assertEqual(code, 0, out + err)
        self.assertEqual(out.splitlines(), ["%s: created" % v for v in VIEWS])
        self.assertEqual(self.columns(PULSE), PULSE_COLUMNS)
        self.assertEqual(self.columns(PRINTER), LINK_COLUMNS)
        self.assertEqual(self.columns(PERIPHERAL), LINK_COLUMNS)
        # Each computer once, with its own OS link (not Phone 1's).
        self.assertEqual(self.rows("SELECT id, operatingsystems_id FROM %s "
                                   "ORDER BY id;" % PULSE),
                         [("1", "101"), ("2", "102"), ("3", "NULL")])
        # Computers' links only, of each peripheral type.
        self.assertEqual(self.rows("SELECT * FROM %s ORDER BY id;" % PRINTER),
                         [("1", "71", "1", "0", "0"),
                          ("4", "93", "3", "0", "1")])
        self.assertEqual(self.rows("SELECT * FROM %s;" % PERIPHERAL),
                         [("2", "82", "2", "1", "1")])
        r = self.views_check()
        self.assertEqual(set(r.verdicts().values()), {"ok"}, r)
        self.assertEqual(r.code, 0, r)
        self.assertEqual(r[PULSE]["expected"],
                         "present, 34 columns, one row per computer")

    def test_the_10_views_do_not_fit_11(self):
        # The 10.0 file names columns GLPI 11 no longer has.
        code, out, _ = self.run_glpi(["-c", self.empty, "views", "sql"])
        with self.assertRaises(AssertionError) as refused:
            self.sql(out)
        self.assertIn("groups_id_tech", str(refused.exception))
        r = self.views_check()
        self.assertEqual(r[PULSE]["found"], "missing", r)
        self.assertEqual(r.code, 1, r)
        self.assertIn("views install", r[PULSE]["fix"])
        # A read-only account is told the admin's command, for 11.
        code, out, err = self.run_glpi(["-c", self.confdir(RO_USER,
                                                           RO_PASSWORD),
                                        "views", "install"])
        self.assertEqual(code, 1, out + err)
        self.assertIn("passeur glpi views sql --glpi 11 | mariadb", err)


if __name__ == "__main__":
    main()
