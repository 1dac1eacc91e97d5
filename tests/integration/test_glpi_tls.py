# SPDX-License-Identifier: GPL-3.0-or-later
"""`passeur glpi` over TLS to a real MariaDB that presents a certificate
of a test CA (certs.py) and has accounts that require TLS (REQUIRE SSL) or
a client certificate (REQUIRE X509).

dbsslca verifies the server (a certificate of another CA is refused),
dbsslenable alone encrypts without verifying, dbsslcert and dbsslkey give
the client certificate, relative names are taken from the configuration
folder, and an account that requires TLS is never reached in clear."""

import json
import os
import shutil
import tempfile
import unittest

from harness import main, run_passeur
from mariadb import MariaDB, quote
from test_glpi_check import token

DBNAME = "glpi"
TLS_USER, TLS_PASSWORD = "over_tls", "tls-" + token(16)
X509_USER, X509_PASSWORD = "with_cert", "x509-" + token(16)


class GlpiTls(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.db = cls.enterClassContext(MariaDB(tls=True))
        cls.db.load_glpi(DBNAME)
        for user, password, require in ((TLS_USER, TLS_PASSWORD, "SSL"),
                                        (X509_USER, X509_PASSWORD, "X509")):
            cls.db.create_user(user, password, "SELECT ON %s.*" % DBNAME)
            cls.db.sql("ALTER USER %s@'127.0.0.1' REQUIRE %s;" %
                       (quote(user), require))
        cls.certs = cls.db.certs

    def confdir(self, user=TLS_USER, password=TLS_PASSWORD, **keys):
        d = tempfile.mkdtemp(prefix="passeur-glpi-tls-")
        self.addCleanup(shutil.rmtree, d, True)
        with open(os.path.join(d, "glpi.cfg"), "w") as f:
            f.write("dbhost = %s\ndbport = %d\ndbname = %s\ndbuser = %s\n"
                    "dbpassword = %s\nsync_db = %s/copy.sqlite\n" %
                    (self.db.host, self.db.port, DBNAME, user, password, d))
            for k, v in keys.items():
                f.write("%s = %s\n" % (k, v))
        return d

    def login(self, d):
        """The db.login row of check --json in folder d."""
        p = run_passeur(["glpi", "-c", d, "check", "--json"], timeout=60)
        out = p.stdout.decode()
        for secret in (TLS_PASSWORD, X509_PASSWORD):
            self.assertNotIn(secret, out + p.stderr.decode())
        items = {i["item"]: i for i in json.loads(out)["items"]}
        return items["db.login"]

    def assertLoggedIn(self, d, verified):
        row = self.login(d)
        self.assertTrue(row["ok"], row)
        self.assertRegex(row["found"], r"^logged in over TLS \(.+\)$")
        self.assertTrue(row["expected"].endswith(
            ", TLS verified" if verified else ", TLS"), row)

    def assertRefused(self, d, message):
        row = self.login(d)
        self.assertFalse(row["ok"], row)
        self.assertIn(message, row["found"], row)
        self.assertIn("dbsslca", row["fix"], row)

    def test_server_verified_with_its_ca(self):
        self.assertLoggedIn(self.confdir(dbsslca=self.certs["ca.pem"]), True)

    def test_relative_names_from_the_configuration_folder(self):
        d = self.confdir(dbsslca="ca.pem")
        shutil.copy(self.certs["ca.pem"], d)
        self.assertLoggedIn(d, True)

    def test_another_ca_is_refused(self):
        self.assertRefused(self.confdir(dbsslca=self.certs["ca2.pem"]),
                           "certificate")

    def test_encryption_without_verification(self):
        self.assertLoggedIn(self.confdir(dbsslenable="yes"), False)

    def test_tls_account_never_in_clear(self):
        row = self.login(self.confdir())
        self.assertFalse(row["ok"], row)
        self.assertIn("Access denied", row["found"], row)

    def test_client_certificate(self):
        self.assertLoggedIn(self.confdir(
            X509_USER, X509_PASSWORD, dbsslca=self.certs["ca.pem"],
            dbsslcert=self.certs["client.pem"],
            dbsslkey=self.certs["client.key"]), True)
        # The key in the certificate's file.
        self.assertLoggedIn(self.confdir(
            X509_USER, X509_PASSWORD, dbsslca=self.certs["ca.pem"],
            dbsslcert=self.certs["client-both.pem"]), True)
        self.assertRefused(self.confdir(
            X509_USER, X509_PASSWORD, dbsslca=self.certs["ca.pem"]),
            "Access denied")

    def test_sync_over_tls(self):
        d = self.confdir(dbsslca=self.certs["ca.pem"])
        p = run_passeur(["glpi", "-c", d, "sync", "--json"], timeout=60)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertEqual(json.loads(p.stdout)["users"]["total"], 5)


if __name__ == "__main__":
    main()
