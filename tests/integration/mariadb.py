# SPDX-License-Identifier: GPL-3.0-or-later
"""A throwaway MariaDB server for the integration tests, and the database of
a fresh GLPI in it: 10.0.18, or 11.0.6 when PASSEUR_GLPI_SCHEMA=11 (ctest
runs every test_glpi_* script once per schema).

    with MariaDB() as db:
        db.load_glpi("glpi")
        db.create_user("passeur", "secret", "ALL ON glpi.*")
        db.sql("SELECT value FROM glpi_configs", database="glpi")

The server runs as the mysql user without systemd: its own datadir, socket
and free port on 127.0.0.1 in a temporary folder that is removed at the
end. root logs in through the unix socket only. Every wait is bounded, and
the only process ever stopped is the mariadbd started here."""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest

from certs import make_certs
from harness import GLPI_FIXTURES, free_port, wait_until

# The schema the tests run against: "10" (the default) or "11".
SCHEMA = os.environ.get("PASSEUR_GLPI_SCHEMA", "10")
if SCHEMA not in ("10", "11"):
    raise SystemExit("PASSEUR_GLPI_SCHEMA must be 10 or 11, not %r" % SCHEMA)
GLPI11 = SCHEMA == "11"
if GLPI11:
    # Schema and the installer's rows, as `php bin/console database:install`
    # leaves them.
    GLPI_SCHEMA = os.path.join(GLPI_FIXTURES, "glpi-11.0.6-installed.sql")
    GLPI_VERSION = "11.0.6"
else:
    GLPI_SCHEMA = os.path.join(GLPI_FIXTURES, "glpi-10.0.18-empty.sql")
    GLPI_VERSION = "10.0.18"

MARIADBD = shutil.which("mariadbd", path=os.environ.get("PATH", "") +
                        ":/usr/sbin:/usr/local/sbin")
TOOLS = ("mariadb", "mariadb-admin", "mariadb-install-db")


# Inserting an id 0 in an AUTO_INCREMENT column keeps it 0.
ZERO_IDS = ("SET SESSION sql_mode = "
            "CONCAT(@@sql_mode, ',NO_AUTO_VALUE_ON_ZERO');\n")


def need_mariadb():
    """Raises SkipTest (saying why) when this machine cannot run the
    server: packages missing, or not root (mariadbd runs as mysql)."""
    missing = [t for t in TOOLS if shutil.which(t) is None]
    if MARIADBD is None:
        missing.append("mariadbd")
    if missing:
        raise unittest.SkipTest("%s not installed (tools/install-deps "
                                "test installs mariadb-server)" %
                                ", ".join(missing))
    if os.geteuid() != 0:
        raise unittest.SkipTest("mariadbd is started as user mysql: run as "
                                "root")


def quote(text):
    """text as an SQL string literal."""
    return "'%s'" % str(text).replace("\\", "\\\\").replace("'", "\\'")


# The rows GLPI's installer (install/empty_data.php) writes and the checks
# of `passeur glpi check` read (shared/spec/glpi-10.md, section 4).
PROFILES = ((1, "Self-Service", "helpdesk"), (2, "Observer", "central"),
            (3, "Admin", "central"), (4, "Super-Admin", "central"),
            (5, "Hotliner", "central"), (6, "Technician", "central"),
            (7, "Supervisor", "central"), (8, "Read-Only", "central"))
USERS = ((2, "glpi"), (3, "post-only"), (4, "tech"), (5, "normal"),
         (6, "glpi-system"))
# (users_id, profiles_id), all on entity 0, recursive.
PROFILES_USERS = ((2, 4), (3, 1), (4, 6), (5, 2))
CONFIGS = (("version", GLPI_VERSION), ("enable_api", "0"),
           ("enable_api_login_external_token", "1"),
           ("enable_api_login_credentials", "0"),
           ("url_base_api", "http://127.0.0.1/glpi/apirest.php"))


def glpi_default_rows():
    """The INSERT statements of the installer's default rows."""
    def values(rows):
        return ",\n".join("(%s)" % ", ".join(
            str(v) if isinstance(v, int) else quote(v) for v in row)
            for row in rows)
    return """
INSERT INTO glpi_configs (context, name, value) VALUES
%s;
INSERT INTO glpi_entities (id, name, entities_id, level, completename)
VALUES (0, 'Root entity', NULL, 1, 'Root entity');
INSERT INTO glpi_profiles (id, name, interface) VALUES
%s;
INSERT INTO glpi_users (id, name, authtype, is_active) VALUES
%s;
INSERT INTO glpi_profiles_users
    (users_id, profiles_id, entities_id, is_recursive) VALUES
%s;
INSERT INTO glpi_apiclients (id, name, entities_id, is_recursive, is_active,
    ipv4_range_start, ipv4_range_end, ipv6, app_token) VALUES
(1, 'full access from localhost', 0, 1, 1, INET_ATON('127.0.0.1'),
 INET_ATON('127.0.0.1'), '::1', NULL);
""" % (values(("core", n, v) for n, v in CONFIGS), values(PROFILES),
       values((i, n, 1, 1) for i, n in USERS),
       values((u, p, 0, 1) for u, p in PROFILES_USERS))


class MariaDB:
    """A mariadbd of its own: with MariaDB() as db: ...

    Attributes: host ("127.0.0.1"), port, socket, dir (the temporary
    folder), cnf (its my.cnf); with tls=True, certs (certs.make_certs's
    paths: the server presents server.pem, signed by ca.pem, and trusts
    client certificates signed by ca.pem)."""

    START_SECONDS = 30
    STOP_SECONDS = 30

    def __init__(self, tls=False):
        need_mariadb()
        self.tls = tls
        self.certs = None
        self.host = "127.0.0.1"
        self.port = free_port(self.host)
        self.proc = None
        self.dir = tempfile.mkdtemp(prefix="mariadb-test-")
        self.datadir = os.path.join(self.dir, "data")
        self.socket = os.path.join(self.dir, "mariadb.sock")
        self.errlog = os.path.join(self.dir, "error.log")
        self.cnf = os.path.join(self.dir, "my.cnf")

    def _write_cnf(self):
        with open(self.cnf, "w") as f:
            f.write("""[mariadbd]
datadir = {d.datadir}
socket = {d.socket}
pid-file = {d.dir}/mariadbd.pid
log-error = {d.errlog}
bind-address = {d.host}
port = {d.port}
user = mysql
skip-name-resolve
# Its own temporary files: two servers sharing /tmp (ctest -j runs the
# glpi tests side by side) collide on their names.
tmpdir = {d.dir}/tmp
innodb_buffer_pool_size = 64M
# A test database is thrown away: no flush to disk at each commit, which
# makes loading a schema of single-row INSERTs several times faster.
innodb_flush_log_at_trx_commit = 0
innodb_doublewrite = 0
innodb_file_per_table = 0
character-set-server = utf8mb4
collation-server = utf8mb4_unicode_ci
{tls}
[client]
socket = {d.socket}
port = {d.port}
""".format(d=self, tls="" if self.certs is None else
           "ssl-ca = %(ca.pem)s\nssl-cert = %(server.pem)s\n"
           "ssl-key = %(server.key)s\n" % self.certs))

    def _tool(self, name, *args, input=None, timeout=60):
        """Runs a MariaDB tool with our my.cnf; the CompletedProcess."""
        return subprocess.run([name, "--defaults-file=" + self.cnf] +
                              list(args), input=input, capture_output=True,
                              timeout=timeout, text=True)

    def error_log(self):
        try:
            with open(self.errlog, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def _fail(self, what, detail=""):
        raise AssertionError("%s\n%s\nerror log:\n%s" %
                             (what, detail, self.error_log()[-4000:]))

    def start(self):
        if self.tls:
            tls = os.path.join(self.dir, "tls")
            self.certs = make_certs(tls)
            for name in os.listdir(tls) + [""]:
                shutil.chown(os.path.join(tls, name), "mysql", "mysql")
        self._write_cnf()
        os.makedirs(self.datadir)
        os.makedirs(os.path.join(self.dir, "tmp"))
        # mariadbd (user mysql) writes its socket, pid and log here too.
        for path in (self.dir, self.datadir, os.path.join(self.dir, "tmp"),
                     self.cnf):
            shutil.chown(path, "mysql", "mysql")
        p = self._tool("mariadb-install-db", "--user=mysql",
                       "--auth-root-authentication-method=socket",
                       "--skip-test-db", timeout=120)
        if p.returncode != 0:
            self._fail("mariadb-install-db failed", p.stdout + p.stderr)
        # The free port may be taken before mariadbd binds it: try others.
        for _ in range(3):
            if self._launch():
                return self
            if "Address already in use" not in self.error_log():
                break
            self.port = free_port(self.host)
            self._write_cnf()
        self._fail("mariadbd exited %d" % self.proc.returncode)

    def _launch(self):
        """Starts mariadbd; True once it answers, False if it exited."""
        self.proc = subprocess.Popen(
            [MARIADBD, "--defaults-file=" + self.cnf],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until(lambda: self.proc.poll() is not None or self._ping(),
                   self.START_SECONDS, 0.2)
        if self.proc.poll() is not None:
            return False
        if not self._ping():
            self.stop()
            self._fail("mariadbd did not answer in %d s" %
                       self.START_SECONDS)
        return True

    def _ping(self):
        return self._tool("mariadb-admin", "-uroot", "ping",
                          timeout=10).returncode == 0

    def stop(self):
        """Stops our mariadbd: a clean shutdown, else SIGKILL to its pid."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            try:
                self._tool("mariadb-admin", "-uroot", "shutdown",
                           timeout=self.STOP_SECONDS)
                self.proc.wait(self.STOP_SECONDS)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def cleanup(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        try:
            return self.start()
        except BaseException:
            self.stop()
            self.cleanup()
            raise

    def __exit__(self, *exc):
        try:
            self.stop()
        finally:
            if exc[0] is not None:
                sys.stderr.write("mariadb error log (%s):\n%s\n" %
                                 (self.dir, self.error_log()[-4000:]))
            self.cleanup()

    def sql(self, statements, database=None, user=None, password=None,
            timeout=120):
        """Runs statements with the mariadb client and returns its output
        (tab-separated rows, no header). As root over the socket, or as
        user over TCP when a user is given. Raises with the client's
        message when it fails."""
        args = ["--batch", "--skip-column-names"]
        if user is None:
            args.append("-uroot")
        else:
            args += ["--protocol=TCP", "-h", self.host, "-P", str(self.port),
                     "-u", user]
            if password is not None:
                args.append("--password=" + password)
        if database:
            args.append(database)
        p = self._tool("mariadb", *args, input=statements, timeout=timeout)
        if p.returncode != 0:
            raise AssertionError("SQL failed (%s): %s\n%s" %
                                 (user or "root", p.stderr.strip(),
                                  statements[:500]))
        return p.stdout

    def load_glpi(self, name):
        """Creates database name with the empty GLPI schema and the rows
        of a fresh install (API disabled, no MMC client, no tokens)."""
        self.sql("CREATE DATABASE `%s` CHARACTER SET utf8mb4 "
                 "COLLATE utf8mb4_unicode_ci;" % name)
        with open(GLPI_SCHEMA) as f:
            # One transaction for the many INSERTs of a dump; an id 0 (the
            # root entity, AUTO_INCREMENT in 11) stays 0, as mysqldump's
            # header would say.
            self.sql("SET autocommit = 0;\n" + ZERO_IDS + f.read() +
                     "\nCOMMIT;\n", database=name, timeout=300)
        if not GLPI11:
            self.sql(glpi_default_rows(), database=name)

    def create_user(self, name, password, grants, host="127.0.0.1"):
        """(Re)creates name@host (TCP from 127.0.0.1 by default; "localhost"
        for the socket) with password and the grants: one privilege clause
        ("SELECT ON glpi.*") or a list of them."""
        account = "%s@%s" % (quote(name), quote(host))
        if isinstance(grants, str):
            grants = [grants]
        self.sql("CREATE OR REPLACE USER %s IDENTIFIED BY %s;\n" %
                 (account, quote(password)) +
                 "".join("GRANT %s TO %s;\n" % (g, account) for g in grants))

    def drop_user(self, name, host="127.0.0.1"):
        self.sql("DROP USER IF EXISTS %s@%s;" % (quote(name), quote(host)))
