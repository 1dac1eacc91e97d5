#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The GLPI side of bench/glpi-sync: a throwaway MariaDB holding a GLPI
10.0.18 database, filled fast with a large fleet, changed the way a day of
inventories changes it, and compared with the SQLite copy of `passeur glpi
sync`.  See bench/README.md.

usage:
  glpi-seed.py db STATE [--name DB] [--user U --password P]
      Starts a MariaDB of its own (tests/integration/mariadb.py, with a
      buffer pool and redo log sized for the bench), loads the empty GLPI
      schema and the installer's default rows into DB (default glpi),
      creates U@127.0.0.1 with SELECT on DB, writes STATE (key=value:
      port, socket, cnf, dir, pid, schema_s) and waits.  SIGTERM, SIGINT,
      SIGHUP or the end of its standard input stop the server and remove
      its folder.
  glpi-seed.py seed CNF DB WORK [--computers N] [--users N] [--entities N]
      Writes the rows as tab-separated files in WORK and loads them with
      LOAD DATA LOCAL INFILE.  Prints key=value lines (rows, seconds).
  glpi-seed.py change CNF DB [--percent P]
      Changes P % of the computers as inventories would (newer date_mod
      and last_inventory_update, and one of: OS upgraded, network card
      replaced, machine moved to another entity and renamed), purges a
      tenth of that number and adds as many new ones, and edits P % of
      the users.  Prints key=value lines (what changed, seconds).
  glpi-seed.py verify CNF DB SQLITE
      Compares the copy with GLPI: every non-template computer (name,
      serial, uuid, entity, trash flag, OS, MACs, IPs, agent), users,
      their profiles and entities.  Prints key=value lines.
  glpi-seed.py report RESULTS
      The Markdown report of the results file bench/glpi-sync writes.

CNF is the my.cnf of the server (STATE's cnf): the mariadb client logs in
as root through its socket.  Every row is made from a fixed random seed
(--seed), so two runs of the same size load the same data."""

import argparse
import datetime
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
sys.dont_write_bytecode = True     # no __pycache__ in the source tree

# Where each value comes from: realistic names (accents and quotes
# included, the copy must keep them), in the proportions of a fleet.
REGIONS = ("Île-de-France", "Auvergne-Rhône-Alpes",
           "Provence-Alpes-Côte d'Azur", "Occitanie", "Nouvelle-Aquitaine",
           "Hauts-de-France", "Grand Est", "Bretagne", "Normandie",
           "Pays de la Loire")
LEVEL_NAMES = {3: "Site", 4: "Service", 5: "Équipe"}
CITIES = ("PAR", "LYO", "MRS", "TLS", "NCE", "NTE", "STR", "MTP", "BDX",
          "LIL", "RNS", "REI", "TLN", "GRE", "DIJ", "ANG", "NIM", "CLF",
          "BRE", "LMS")
FIRST = ("Jean", "Marie", "Pierre", "Élodie", "François", "Nathalie",
         "Luc", "Sophie", "Zoë", "Hélène", "Thomas", "Camille", "Nicolas",
         "Anaïs", "Julien", "Inès", "Mathieu", "Léa", "Olivier", "Chloé")
LAST = ("Martin", "Bernard", "Dubois", "Lefèvre", "Moreau", "Laurent",
        "Simon", "Michel", "Garcia", "D'Almeida", "Roux", "Fournier",
        "Girard", "Bonnet", "Dupont", "Lambert", "Fontaine", "Rousseau",
        "Müller", "Nguyen")
# (name, [versions], share %, desktop port names, laptop port names)
OSES = (
    ("Microsoft Windows 11 Professionnel", ["22H2", "23H2"], 45,
     ("Ethernet", "Ethernet 2"), ("Ethernet", "Wi-Fi")),
    ("Microsoft Windows 10 Professionnel", ["21H2", "22H2"], 35,
     ("Ethernet", "Ethernet 2"), ("Ethernet", "Wi-Fi")),
    ("Debian GNU/Linux", ["11 (bullseye)", "12 (bookworm)"], 8,
     ("eth0", "eth1"), ("enp0s31f6", "wlp2s0")),
    ("Ubuntu", ["22.04.4 LTS (Jammy Jellyfish)",
                "24.04.1 LTS (Noble Numbat)"], 7,
     ("enp3s0", "enp4s0"), ("enp0s31f6", "wlp0s20f3")),
    ("Red Hat Enterprise Linux", ["8.9 (Ootpa)", "9.4 (Plow)"], 3,
     ("ens192", "ens224"), ("ens192", "ens224")),
    ("macOS", ["14.6.1", "15.1"], 2, ("en0", "en1"), ("en0", "en1")),
)
# The upgrade `change` applies to a third of the changed computers.
UPGRADE = ("Microsoft Windows 11 Professionnel", "24H2")
OUIS = ("3c:52:82", "f8:b1:56", "00:1a:a0", "a4:bb:6d", "d4:81:d7",
        "b4:2e:99", "00:50:56", "8c:16:45")
PROFILE_WEIGHTS = (40, 10, 4, 2, 8, 20, 6, 10)  # profiles 1..8
AGENT_VERSIONS = ("1.7.3", "1.9", "1.11")
TEMPLATES = ("Standard desktop", "Standard laptop")

TABLE_COLUMNS = {
    "glpi_entities": ("id", "name", "entities_id", "completename", "level",
                      "date_mod", "date_creation"),
    "glpi_users": ("id", "name", "realname", "firstname", "phone",
                   "is_active", "is_deleted", "authtype", "entities_id",
                   "profiles_id", "date_mod", "date_creation"),
    "glpi_profiles_users": ("id", "users_id", "profiles_id", "entities_id",
                            "is_recursive", "is_dynamic",
                            "is_default_profile"),
    "glpi_operatingsystems": ("id", "name", "date_mod", "date_creation"),
    "glpi_operatingsystemversions": ("id", "name", "date_mod",
                                     "date_creation"),
    "glpi_computers": ("id", "entities_id", "name", "serial", "contact",
                       "date_mod", "is_template", "template_name",
                       "is_deleted", "is_dynamic", "uuid", "date_creation",
                       "last_inventory_update", "last_boot"),
    "glpi_items_operatingsystems": ("id", "items_id", "itemtype",
                                    "operatingsystems_id",
                                    "operatingsystemversions_id",
                                    "date_mod", "date_creation",
                                    "is_deleted", "is_dynamic",
                                    "entities_id"),
    "glpi_networkports": ("id", "items_id", "itemtype", "entities_id",
                          "logical_number", "name", "instantiation_type",
                          "mac", "is_deleted", "is_dynamic", "date_mod",
                          "date_creation", "ifspeed"),
    "glpi_networknames": ("id", "entities_id", "items_id", "itemtype",
                          "name", "is_deleted", "is_dynamic", "date_mod",
                          "date_creation"),
    "glpi_ipaddresses": ("id", "entities_id", "items_id", "itemtype",
                         "version", "name", "binary_0", "binary_1",
                         "binary_2", "binary_3", "is_deleted",
                         "is_dynamic", "mainitems_id", "mainitemtype"),
    "glpi_agents": ("id", "deviceid", "entities_id", "name",
                    "agenttypes_id", "last_contact", "version", "itemtype",
                    "items_id", "useragent", "port", "remote_addr",
                    "use_module_computer_inventory"),
}
# Loaded by two clients side by side (2 CPUs), about the same work each.
LOAD_GROUPS = (
    ("glpi_computers", "glpi_agents", "glpi_items_operatingsystems",
     "glpi_entities", "glpi_operatingsystems",
     "glpi_operatingsystemversions"),
    ("glpi_networkports", "glpi_networknames", "glpi_ipaddresses",
     "glpi_users", "glpi_profiles_users"),
)


def say(msg):
    sys.stderr.write("[glpi-seed] %s\n" % msg)
    sys.stderr.flush()


# ---------------------------------------------------------------------------
# The server

def bench_mariadb_class():
    """MariaDB of the integration tests, with memory for 100,000
    computers: the tests' 64 MB buffer pool would make the bench measure
    MariaDB's disk reads instead of the sync.  A GLPI of this size runs
    with a buffer pool of a few GB; 1 GB holds the whole database here."""
    from mariadb import MariaDB

    class BenchMariaDB(MariaDB):
        def _write_cnf(self):
            super()._write_cnf()
            # A later group of the same name overrides the earlier values.
            with open(self.cnf, "a") as f:
                f.write("""
[mariadbd]
innodb_buffer_pool_size = 1G
innodb_log_file_size = 512M
innodb_flush_log_at_trx_commit = 2
local_infile = 1
max_allowed_packet = 256M
""")
    return BenchMariaDB


def cmd_db(args):
    from mariadb import quote
    stop = []

    def on_signal(signum, _frame):
        stop.append(signum)
        raise KeyboardInterrupt

    for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(s, on_signal)
    db = bench_mariadb_class()()
    try:
        db.start()
        t0 = time.monotonic()
        db.load_glpi(args.name)
        schema_s = time.monotonic() - t0
        if args.user:
            db.create_user(args.user, args.password or "",
                           "SELECT ON `%s`.*" % args.name)
        tmp = args.state + ".tmp"
        with open(tmp, "w") as f:
            f.write("port=%d\nsocket=%s\ncnf=%s\ndir=%s\npid=%d\n"
                    "schema_s=%.2f\nname=%s\n" %
                    (db.port, db.socket, db.cnf, db.dir, db.proc.pid,
                     schema_s, args.name))
        os.rename(tmp, args.state)
        say("MariaDB on 127.0.0.1:%d (pid %d), database %s" %
            (db.port, db.proc.pid, quote(args.name)))
        # Until a signal, or until the runner's pipe closes.
        while not stop:
            if sys.stdin.read(1) == "":
                break
    except KeyboardInterrupt:
        pass
    except BaseException:
        sys.stderr.write("mariadb error log (%s):\n%s\n" %
                         (db.dir, db.error_log()[-4000:]))
        raise
    finally:
        for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(s, signal.SIG_IGN)
        db.stop()
        db.cleanup()
        say("MariaDB stopped")


# ---------------------------------------------------------------------------
# Talking to it

def client(cnf, db, sql, timeout=600):
    """Runs sql with the mariadb client as root over the socket; returns
    the rows (lists of str, None for NULL)."""
    p = subprocess.run(["mariadb", "--defaults-file=" + cnf, "-uroot",
                        "--local-infile=1", "--batch", "--skip-column-names",
                        "--default-character-set=utf8mb4", db],
                       input=sql.encode(), capture_output=True,
                       timeout=timeout)
    if p.returncode != 0:
        raise SystemExit("glpi-seed: SQL failed: %s\n%s" %
                         (p.stderr.decode(errors="replace").strip(),
                          sql[:300]))
    rows = []
    for line in p.stdout.decode().splitlines():
        rows.append([None if v == "NULL" else unescape(v)
                     for v in line.split("\t")])
    return rows


def unescape(v):
    if "\\" not in v:
        return v
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t", "0": "\0"}.get(
        m.group(1), m.group(1)), v)


def sql_value(v):
    if v is None:
        return "NULL"
    if isinstance(v, int):
        return str(v)
    return "'%s'" % str(v).replace("\\", "\\\\").replace("'", "\\'")


def tsv_value(v):
    if v is None:
        return "\\N"
    return str(v)


def ts(t):
    return t.strftime("%Y-%m-%d %H:%M:%S")


def insert_sql(table, rows, batch=2000):
    """Multi-row INSERTs of rows (tuples in TABLE_COLUMNS order)."""
    cols = ", ".join(TABLE_COLUMNS[table])
    out = []
    for i in range(0, len(rows), batch):
        out.append("INSERT INTO %s (%s) VALUES\n%s;\n" % (
            table, cols, ",\n".join(
                "(%s)" % ", ".join(sql_value(v) for v in r)
                for r in rows[i:i + batch])))
    return "".join(out)


# ---------------------------------------------------------------------------
# The rows

class Fleet:
    """Makes the rows; ids of the same computer's rows derive from its id
    (ports 2c-1 and 2c, their network names and addresses the same ids,
    its OS link and agent c), so that `change` finds them again."""

    def __init__(self, seed, now, nentities, user_names):
        self.rng = random.Random(seed)
        self.now = now
        self.nentities = nentities
        self.user_names = user_names
        self.os_ids = {}        # OS name -> id
        self.version_ids = {}   # version name -> id
        self.os_weights = [o[2] for o in OSES]

    def past(self, min_days, max_days):
        return self.now - datetime.timedelta(
            seconds=self.rng.randint(int(min_days * 86400),
                                     int(max_days * 86400)))

    def entity(self):
        return self.rng.randint(0, self.nentities)

    def os_rows(self):
        t = ts(self.past(400, 800))
        oses, versions = [], []
        for name, vers, _, _, _ in OSES + ((UPGRADE[0], [UPGRADE[1]], 0,
                                            None, None),):
            if name not in self.os_ids:
                self.os_ids[name] = len(self.os_ids) + 1
                oses.append((self.os_ids[name], name, t, t))
            for v in vers:
                if v not in self.version_ids:
                    self.version_ids[v] = len(self.version_ids) + 1
                    versions.append((self.version_ids[v], v, t, t))
        return oses, versions

    def computer(self, c, created=None, modified=None, deleted=None):
        """The rows of computer c: {table: [row, ...]}."""
        rng = self.rng
        os_i = rng.choices(range(len(OSES)), self.os_weights)[0]
        os_name, vers, _, desk_ports, lap_ports = OSES[os_i]
        laptop = rng.random() < 0.4
        server = os_name.startswith(("Red Hat", "Debian")) and \
            rng.random() < 0.5
        ent = self.entity()
        kind = "SRV" if server else ("LT" if laptop else "WS")
        name = "%s-%s-%06d" % (CITIES[ent % len(CITIES)], kind, c)
        if not os_name.startswith("Microsoft"):
            name = name.lower()
        created = created or self.past(30, 1200)
        # Most machines report daily; some have been silent for months.
        modified = modified or max(created, self.past(
            1 / 24, 3 if rng.random() < 0.9 else 120))
        if deleted is None:
            deleted = 1 if rng.random() < 0.005 else 0
        tc, tm = ts(created), ts(modified)
        boot = ts(modified - datetime.timedelta(
            seconds=rng.randint(600, 30 * 86400)))
        serial = "".join(rng.choices("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789",
                                     k=10))
        u = str(uuid.UUID(int=rng.getrandbits(128), version=4)).upper()
        contact = rng.choice(self.user_names) if self.user_names else None
        rows = {"glpi_computers": [(c, ent, name, serial, contact, tm, 0,
                                    None, deleted, 1, u, tc, tm, boot)]}
        rows["glpi_items_operatingsystems"] = [(
            c, c, "Computer", self.os_ids[os_name],
            self.version_ids[rng.choice(vers)], tm, tc, 0, 1, ent)]
        ports = lap_ports if laptop else desk_ports
        rows["glpi_networkports"] = []
        rows["glpi_networknames"] = []
        rows["glpi_ipaddresses"] = []
        ips = []
        for k in (1, 2):
            p = 2 * c - 2 + k
            wifi = ports[k - 1].lower().startswith(("wi", "wl"))
            mac = "%s:%02x:%02x:%02x" % (OUIS[p % len(OUIS)], (p >> 16) & 255,
                                         (p >> 8) & 255, p & 255)
            rows["glpi_networkports"].append((
                p, c, "Computer", ent, k, ports[k - 1],
                "NetworkPortWifi" if wifi else "NetworkPortEthernet", mac,
                0, 1, tm, tc, 0 if wifi else 1000000000))
            rows["glpi_networknames"].append((
                p, ent, p, "NetworkPort", name.lower() if k == 1 else None,
                0, 1, tm, tc))
            if k == 1:
                ip = "10.%d.%d.%d" % ((c >> 16) & 255, (c >> 8) & 255,
                                      c & 255)
            else:
                ip = "172.%d.%d.%d" % (16 + ((c >> 16) & 15),
                                       (c >> 8) & 255, c & 255)
            ips.append(ip)
            rows["glpi_ipaddresses"].append((
                p, ent, p, "NetworkName", 4, ip, 0, 0, 65535, ip_int(ip),
                0, 1, c, "Computer"))
        version = rng.choice(AGENT_VERSIONS)
        rows["glpi_agents"] = [(
            c, "%s-%s" % (name.lower(), created.strftime(
                "%Y-%m-%d-%H-%M-%S")), ent, name, 1, tm, version, "Computer",
            c, "GLPI-Agent_v" + version, "62354", ips[0], 1)]
        return rows

    def templates(self, first_id):
        t = ts(self.past(700, 800))
        return [(first_id + i, 0, None, None, None, t, 1, name, 0, 0, None,
                 t, None, None) for i, name in enumerate(TEMPLATES)]

    def entities(self, n, fanout=10):
        """A tree of n entities under the root (id 0, level 1): ids 1..10
        are its children, 11..110 theirs, and so on (breadth first)."""
        rows = []
        complete = {0: "Root entity"}
        level = {0: 1}
        for i in range(1, n + 1):
            parent = 0 if i <= fanout else (i - fanout - 1) // fanout + 1
            nth = (i - 1) % fanout + 1
            lv = level[parent] + 1
            if lv == 2 and nth <= len(REGIONS):
                name = REGIONS[nth - 1]
            else:
                name = "%s %02d" % (LEVEL_NAMES.get(lv, "Unité"), nth)
            level[i] = lv
            complete[i] = "%s > %s" % (complete[parent], name)
            t = ts(self.past(1, 900))
            rows.append((i, name, parent, complete[i], lv, t, t))
        return rows

    def user(self, uid):
        rng = self.rng
        first, last = rng.choice(FIRST), rng.choice(LAST)
        login = "%s.%s%d" % (ascii_name(first), ascii_name(last), uid)
        created = self.past(30, 1500)
        modified = max(created, self.past(1 / 24, 400))
        phone = "+33 1 %02d %02d %02d %02d" % tuple(
            rng.randint(0, 99) for _ in range(4))
        active = 1 if rng.random() < 0.97 else 0
        return (uid, login, last, first, phone, active, 0, 1, self.entity(),
                0, ts(modified), ts(created))

    def profile_links(self, uid, first_id):
        rng = self.rng
        n = rng.choices((1, 2, 3), (60, 30, 10))[0]
        profiles = set()
        while len(profiles) < n:
            profiles.add(rng.choices(range(1, 9), PROFILE_WEIGHTS)[0])
        return [(first_id + i, uid, p, self.entity(),
                 rng.randint(0, 1), 0, 1 if i == 0 else 0)
                for i, p in enumerate(sorted(profiles))]


def ascii_name(s):
    table = str.maketrans("ÉéèëêÀàâÎîïÔôÖöÜüûÇç'", "eeeeeaaaiiioooouuucc ")
    return s.translate(table).replace(" ", "").lower()


def ip_int(ip):
    a, b, c, d = (int(x) for x in ip.split("."))
    return (a << 24) | (b << 16) | (c << 8) | d


def db_now(cnf, db):
    return datetime.datetime.strptime(client(cnf, db, "SELECT NOW();")[0][0],
                                      "%Y-%m-%d %H:%M:%S")


def max_id(cnf, db, table):
    return int(client(cnf, db, "SELECT COALESCE(MAX(id), 0) FROM %s;" %
                      table)[0][0])


# ---------------------------------------------------------------------------
# seed

def table_counts(cnf, db):
    return client(cnf, db, " UNION ALL ".join(
        "SELECT '%s', COUNT(*) FROM %s" % (t, t) for t in TABLE_COLUMNS) +
        ";")


def cmd_seed(args):
    t0 = time.monotonic()
    cnf, db = args.cnf, args.db
    os.makedirs(args.work, exist_ok=True)
    now = db_now(cnf, db)
    first_user = max_id(cnf, db, "glpi_users") + 1
    first_link = max_id(cnf, db, "glpi_profiles_users") + 1
    if max_id(cnf, db, "glpi_computers") != 0:
        raise SystemExit("glpi-seed: %s already holds computers" % db)

    before = {t: int(n) for t, n in table_counts(cnf, db)}

    # Users first: computers name them as their contact.
    fleet = Fleet(args.seed, now, args.entities, [])
    files = {t: open(os.path.join(args.work, t + ".tsv"), "w",
                     encoding="utf-8") for t in TABLE_COLUMNS}
    counts = dict.fromkeys(TABLE_COLUMNS, 0)

    def write(table, rows):
        files[table].write("".join("\t".join(tsv_value(v) for v in r) + "\n"
                                   for r in rows))
        counts[table] += len(rows)

    write("glpi_entities", fleet.entities(args.entities))
    link = first_link
    names = []
    for uid in range(first_user, first_user + args.users):
        u = fleet.user(uid)
        names.append(u[1])
        links = fleet.profile_links(uid, link)
        link += len(links)
        write("glpi_users", [u])
        write("glpi_profiles_users", links)
    fleet.user_names = names
    oses, versions = fleet.os_rows()
    write("glpi_operatingsystems", oses)
    write("glpi_operatingsystemversions", versions)
    for c in range(1, args.computers + 1):
        for table, rows in fleet.computer(c).items():
            write(table, rows)
    write("glpi_computers", fleet.templates(args.computers + 1))
    for f in files.values():
        f.close()
    gen_s = time.monotonic() - t0

    # The installer's agent type; then every table, two clients at once.
    client(cnf, db, "INSERT IGNORE INTO glpi_agenttypes (id, name) "
           "VALUES (1, 'Core');")
    t1 = time.monotonic()
    procs = []
    for group in LOAD_GROUPS:
        sql = ["SET SESSION unique_checks = 0; "
               "SET SESSION foreign_key_checks = 0;"]
        for table in group:
            sql.append("LOAD DATA LOCAL INFILE %s INTO TABLE %s "
                       "CHARACTER SET utf8mb4 FIELDS TERMINATED BY '\\t' "
                       "ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' (%s);" %
                       (sql_value(os.path.join(args.work, table + ".tsv")),
                        table, ", ".join(TABLE_COLUMNS[table])))
        procs.append(subprocess.Popen(
            ["mariadb", "--defaults-file=" + cnf, "-uroot",
             "--local-infile=1", "--default-character-set=utf8mb4", db],
            stdin=subprocess.PIPE, stderr=subprocess.PIPE))
        procs[-1].stdin.write("\n".join(sql).encode())
        procs[-1].stdin.close()
    failed = []
    for p in procs:
        err = p.stderr.read().decode(errors="replace")
        if p.wait() != 0:
            failed.append(err.strip())
    if failed:
        raise SystemExit("glpi-seed: LOAD DATA failed: %s" % "; ".join(failed))
    load_s = time.monotonic() - t1
    for table in TABLE_COLUMNS:
        os.unlink(os.path.join(args.work, table + ".tsv"))

    # The rows are there, all of them.
    got = table_counts(cnf, db)
    for table, n in got:
        want = counts[table] + before[table]
        if int(n) != want:
            raise SystemExit("glpi-seed: %s holds %s rows, %d loaded" %
                             (table, n, want))
    out = {"seed_gen_s": "%.2f" % gen_s, "seed_load_s": "%.2f" % load_s,
           "seed_s": "%.2f" % (time.monotonic() - t0),
           "seed_rows": sum(counts.values())}
    for table, n in got:
        out["rows_" + table[5:]] = n
    print_kv(out)


# ---------------------------------------------------------------------------
# change

def cmd_change(args):
    t0 = time.monotonic()
    cnf, db = args.cnf, args.db
    rng = random.Random(args.seed + 1)
    now = db_now(cnf, db)
    ids = [int(r[0]) for r in client(
        cnf, db, "SELECT id FROM glpi_computers WHERE is_template = 0 "
        "ORDER BY id;")]
    n = max(1, round(len(ids) * args.percent / 100))
    k = max(1, n // 10)
    picked = rng.sample(ids, min(len(ids), n + k))
    purged, changed = sorted(picked[:k]), sorted(picked[k:])
    groups = [changed[0::3], changed[1::3], changed[2::3]]

    def id_list(xs):
        return ", ".join(str(x) for x in xs) or "NULL"

    def port_ids(cs):
        return [p for c in cs for p in (2 * c - 1, 2 * c)]

    os_id, ver_id = (client(
        cnf, db, "SELECT (SELECT id FROM glpi_operatingsystems WHERE name = "
        "%s), (SELECT id FROM glpi_operatingsystemversions WHERE name = %s);"
        % (sql_value(UPGRADE[0]), sql_value(UPGRADE[1])))[0])
    sql = ["START TRANSACTION;"]
    # Every inventoried computer: newer dates, its agent seen again.
    sql.append("UPDATE glpi_computers SET date_mod = NOW(), "
               "last_inventory_update = NOW() WHERE id IN (%s);" %
               id_list(changed))
    sql.append("UPDATE glpi_agents SET last_contact = NOW() WHERE "
               "itemtype = 'Computer' AND items_id IN (%s);" %
               id_list(changed))
    # A third: OS upgraded.
    sql.append("UPDATE glpi_items_operatingsystems SET operatingsystems_id "
               "= %s, operatingsystemversions_id = %s, date_mod = NOW() "
               "WHERE itemtype = 'Computer' AND items_id IN (%s);" %
               (os_id, ver_id, id_list(groups[0])))
    # A third: second network card replaced (new MAC, new address).
    second = [2 * c for c in groups[1]]
    sql.append("UPDATE glpi_networkports SET mac = CONCAT('02', "
               "SUBSTRING(mac, 3)), date_mod = NOW() WHERE id IN (%s);" %
               id_list(second))
    sql.append("UPDATE glpi_ipaddresses SET name = CONCAT('192.168.', "
               "(mainitems_id DIV 256) MOD 256, '.', mainitems_id MOD 256) "
               "WHERE id IN (%s);" % id_list(second))
    sql.append("UPDATE glpi_ipaddresses SET binary_3 = INET_ATON(name) "
               "WHERE id IN (%s);" % id_list(second))
    # A third: moved to another entity, renamed after its new site.
    for c in groups[2]:
        ent = rng.randint(0, args_entities(cnf, db))
        sql.append("UPDATE glpi_computers SET entities_id = %d, name = "
                   "CONCAT(%s, SUBSTRING(name, 4)) WHERE id = %d;" %
                   (ent, sql_value(CITIES[ent % len(CITIES)]), c))
        for t, col in (("glpi_items_operatingsystems", "items_id"),
                       ("glpi_agents", "items_id"),
                       ("glpi_networkports", "items_id")):
            sql.append("UPDATE %s SET entities_id = %d WHERE itemtype = "
                       "'Computer' AND %s = %d;" % (t, ent, col, c))
        ports = id_list((2 * c - 1, 2 * c))
        sql.append("UPDATE glpi_networknames SET entities_id = %d WHERE "
                   "id IN (%s);" % (ent, ports))
        sql.append("UPDATE glpi_ipaddresses SET entities_id = %d WHERE "
                   "id IN (%s);" % (ent, ports))
        sql.append("UPDATE glpi_agents SET name = (SELECT name FROM "
                   "glpi_computers WHERE id = %d) WHERE itemtype = "
                   "'Computer' AND items_id = %d;" % (c, c))
    # Purged: the computer and everything GLPI deletes with it.
    sql.append("DELETE FROM glpi_ipaddresses WHERE id IN (%s);" %
               id_list(port_ids(purged)))
    sql.append("DELETE FROM glpi_networknames WHERE id IN (%s);" %
               id_list(port_ids(purged)))
    sql.append("DELETE FROM glpi_networkports WHERE itemtype = 'Computer' "
               "AND items_id IN (%s);" % id_list(purged))
    for t in ("glpi_items_operatingsystems", "glpi_agents"):
        sql.append("DELETE FROM %s WHERE itemtype = 'Computer' AND "
                   "items_id IN (%s);" % (t, id_list(purged)))
    sql.append("DELETE FROM glpi_computers WHERE id IN (%s);" %
               id_list(purged))
    # New machines, first inventory now.
    fleet = Fleet(args.seed + 2, now, args_entities(cnf, db),
                  [r[0] for r in client(cnf, db, "SELECT name FROM "
                                        "glpi_users LIMIT 1000;")])
    fleet.os_rows()
    first = max_id(cnf, db, "glpi_computers") + 1
    new = {}
    for c in range(first, first + k):
        for table, rows in fleet.computer(c, created=now, modified=now,
                                          deleted=0).items():
            new.setdefault(table, []).extend(rows)
    for table, rows in new.items():
        sql.append(insert_sql(table, rows))
    # Users: a third deactivated or reactivated, a third renamed, a third
    # moved to another entity.
    uids = [int(r[0]) for r in client(cnf, db, "SELECT id FROM glpi_users "
                                      "WHERE name LIKE '%.%' ORDER BY id;")]
    users = sorted(rng.sample(uids, min(len(uids), max(1, round(
        len(uids) * args.percent / 100)))))
    for i, u in enumerate(users):
        if i % 3 == 0:
            sql.append("UPDATE glpi_users SET is_active = 1 - is_active, "
                       "date_mod = NOW() WHERE id = %d;" % u)
        elif i % 3 == 1:
            sql.append("UPDATE glpi_users SET realname = %s, date_mod = "
                       "NOW() WHERE id = %d;" % (sql_value(rng.choice(LAST)
                                                           + "-Durand"), u))
        else:
            sql.append("UPDATE glpi_users SET entities_id = %d, date_mod = "
                       "NOW() WHERE id = %d;" %
                       (rng.randint(0, args_entities(cnf, db)), u))
    sql.append("COMMIT;")
    client(cnf, db, "\n".join(sql))
    print_kv({"change_s": "%.2f" % (time.monotonic() - t0),
              "change_computers_updated": len(changed),
              "change_os_upgraded": len(groups[0]),
              "change_nic_replaced": len(groups[1]),
              "change_moved": len(groups[2]),
              "change_computers_purged": len(purged),
              "change_computers_added": k,
              "change_users_updated": len(users)})


_NENTITIES = []


def args_entities(cnf, db):
    if not _NENTITIES:
        _NENTITIES.append(max_id(cnf, db, "glpi_entities"))
    return _NENTITIES[0]


# ---------------------------------------------------------------------------
# verify

def split_set(value, pattern):
    return frozenset(re.findall(pattern, (value or "").lower()))


MAC_RE = r"[0-9a-f]{2}(?::[0-9a-f]{2}){5}"
IP_RE = r"\d{1,3}(?:\.\d{1,3}){3}"


def cmd_verify(args):
    """key=value lines: verify_<what>=ok, or the number of differences and
    a few examples.  Only columns the copy has are compared."""
    cnf, db = args.cnf, args.db
    sq = sqlite3.connect("file:%s?mode=ro" % args.sqlite, uri=True)
    out = {}

    def columns(table):
        return [r[1] for r in sq.execute("PRAGMA table_info(%s)" % table)]

    def compare(what, glpi, copy):
        """glpi, copy: {id: tuple}."""
        missing = sorted(set(glpi) - set(copy))
        extra = sorted(set(copy) - set(glpi))
        wrong = sorted(i for i in set(glpi) & set(copy)
                       if glpi[i] != copy[i])
        out["verify_%s_glpi" % what] = len(glpi)
        out["verify_%s_copy" % what] = len(copy)
        if not (missing or extra or wrong):
            out["verify_" + what] = "ok"
            return
        out["verify_" + what] = "%d missing, %d extra, %d different" % (
            len(missing), len(extra), len(wrong))
        ex = []
        for i in missing[:2]:
            ex.append("missing %d %r" % (i, glpi[i]))
        for i in extra[:2]:
            ex.append("extra %d %r" % (i, copy[i]))
        for i in wrong[:3]:
            ex.append("id %d: GLPI %r, copy %r" % (i, glpi[i], copy[i]))
        out["verify_%s_examples" % what] = " | ".join(ex).replace("\n", " ")

    # Computers: GLPI's non-template computers, trash included.
    ccols = columns("computers")
    if not ccols:
        out["verify_computers"] = "no computers table in the copy"
    else:
        rows = client(cnf, db, """SET time_zone = '+00:00';
SELECT c.id, c.name, c.serial, c.uuid, c.entities_id, c.is_deleted,
  os.name, v.name,
  (SELECT GROUP_CONCAT(p.mac) FROM glpi_networkports p
   WHERE p.itemtype = 'Computer' AND p.items_id = c.id AND p.is_deleted = 0),
  (SELECT GROUP_CONCAT(a.name) FROM glpi_ipaddresses a
   WHERE a.mainitemtype = 'Computer' AND a.mainitems_id = c.id
   AND a.is_deleted = 0),
  (SELECT g.deviceid FROM glpi_agents g WHERE g.itemtype = 'Computer'
   AND g.items_id = c.id ORDER BY g.id LIMIT 1)
FROM glpi_computers c
LEFT JOIN glpi_items_operatingsystems io ON io.itemtype = 'Computer'
  AND io.items_id = c.id
LEFT JOIN glpi_operatingsystems os ON os.id = io.operatingsystems_id
LEFT JOIN glpi_operatingsystemversions v ON v.id = io.operatingsystemversions_id
WHERE c.is_template = 0;""", timeout=600)
        want = ["name", "serial", "uuid", "entities_id", "is_deleted", "os",
                "os_version", "macs", "ips", "deviceid"]
        have = [c for c in want if c in ccols]
        out["verify_computer_columns"] = ",".join(have)
        idx = [want.index(c) for c in have]

        def norm(col, v):
            if col == "macs":
                return split_set(v, MAC_RE)
            if col == "ips":
                return split_set(v, IP_RE)
            if col in ("entities_id", "is_deleted"):
                return int(v) if v is not None else None
            return v if v != "" else None

        glpi = {}
        for r in rows:
            vals = r[1:]
            glpi[int(r[0])] = tuple(norm(have[j], vals[i])
                                    for j, i in enumerate(idx))
        copy = {}
        for r in sq.execute("SELECT id, %s FROM computers" % ", ".join(have)):
            copy[r[0]] = tuple(norm(have[j], None if v is None else
                                    (v if isinstance(v, str) else str(v))
                                    if have[j] not in ("entities_id",
                                                       "is_deleted") else v)
                               for j, v in enumerate(r[1:]))
        compare("computers", glpi, copy)
        n_deleted = sum(1 for r in rows if r[5] == "1")
        out["verify_computers_in_trash"] = n_deleted

    # Users, their profiles, entities: the columns the copy has.
    for what, table, query in (
            ("users", "users", "SELECT id, %s FROM glpi_users"),
            ("profiles_users", "profiles_users",
             "SELECT id, %s FROM glpi_profiles_users"),
            ("entities", "entities",
             "SELECT id, %s FROM glpi_entities")):
        cols = [c for c in columns(table) if c != "id"]
        if not cols:
            out["verify_" + what] = "no %s table in the copy" % table
            continue
        # The copy may name a GLPI column differently (parent_id).
        src = [{"parent_id": "entities_id"}.get(c, c) for c in cols]
        try:
            rows = client(cnf, db, "SET time_zone = '+00:00'; " +
                          query % ", ".join(src) + ";")
        except SystemExit as e:
            out["verify_" + what] = "not compared (%s)" % str(e).splitlines()[0]
            continue

        def norm_row(vals):
            return tuple(None if v is None or v == "" else str(v)
                         for v in vals)

        glpi = {int(r[0]): norm_row(r[1:]) for r in rows}
        copy = {r[0]: norm_row(r[1:]) for r in
                sq.execute("SELECT id, %s FROM %s" % (", ".join(cols),
                                                      table))}
        if what == "entities" and 0 in glpi and 0 not in copy:
            del glpi[0]     # the root entity may be implied
        compare(what, glpi, copy)
    sq.close()
    print_kv(out)


# ---------------------------------------------------------------------------
# report

def cmd_report(args):
    sys.path.insert(0, HERE)
    sys.dont_write_bytecode = True     # no __pycache__ in bench/
    import results
    r = results.load(args.results)

    def f(key, default=None):
        v = r.get(key)
        try:
            return float(v)
        except (TypeError, ValueError):
            return default

    def verdict(ok):
        return "PASS" if ok else "MISS"

    def counts(run):
        parts = []
        for what in ("computers", "users", "entities", "profiles_users",
                     "profiles"):
            a, u, d = (r.get("%s_%s_%s" % (run, what, x))
                       for x in ("added", "updated", "removed"))
            if a is None and u is None and d is None:
                continue
            parts.append("%s +%s ~%s -%s" % (what, a or 0, u or 0, d or 0))
        return ", ".join(parts) or r.get("%s_summary" % run, "?")

    runs = (("full", "full sync (first run)"),
            ("noop", "second run, nothing changed"),
            ("incr", "incremental, after %s %% changed" %
             r.get("change_percent", "1")),
            ("refull", "--full again, nothing changed"))
    print("# `passeur glpi sync`: %s computers, %s users, %s entities\n" %
          (fmt_int(r.get("computers")), fmt_int(r.get("users")),
           fmt_int(r.get("entities"))))
    print("| run | mode | seconds | peak RSS (MiB) | CPU s | MariaDB CPU s "
          "| copied (+added ~updated -removed) |")
    print("|---|---|---:|---:|---:|---:|---|")
    for run, label in runs:
        if r.get(run + "_wall_ms") is None:
            continue
        print("| %s | %s | %.2f | %.1f | %.2f | %.2f | %s |" % (
            label, r.get(run + "_mode", "?"), f(run + "_wall_ms", 0) / 1000,
            f(run + "_maxrss_kb", 0) / 1024, f(run + "_cpu_ms", 0) / 1000,
            f(run + "_server_cpu_ms", 0) / 1000, counts(run)))
    print()
    print("Targets:\n")
    full_s = f("full_wall_ms", 0) / 1000
    incr_s = f("incr_wall_ms", 0) / 1000
    rss = max(f(run + "_maxrss_kb", 0) for run, _ in runs) / 1024
    nruns = sum(1 for run, _ in runs if r.get(run + "_wall_ms") is not None)
    print("- full sync under 20 s: %.2f s, %s" % (full_s,
                                                  verdict(full_s < 20)))
    pct = r.get("change_percent", "1")
    print("- incremental sync after %s %% changed under 1 s%s: %.2f s, %s" % (
        pct, "" if f("change_percent") == 1 else
        " (the target is for 1 %)", incr_s, verdict(incr_s < 1)))
    print("- peak RSS under 64 MiB (largest of the %d runs): %.1f MiB, %s"
          % (nruns, rss, verdict(rss < 64)))
    ok = r.get("verify_computers") == "ok"
    print("- the copy holds every non-template computer of GLPI (%s in "
          "GLPI, %s in the copy): %s" % (
              fmt_int(r.get("verify_computers_glpi")),
              fmt_int(r.get("verify_computers_copy")), verdict(ok)))
    noop = r.get("noop_changes")
    if noop is not None:
        print("- the second run, with nothing changed, changes nothing "
              "(%s rows): %s" % (noop, verdict(noop == "0")))
    refull = r.get("refull_changes")
    if refull is not None:
        print("- a full run after the incremental ones finds nothing left "
              "to change (%s rows): %s" % (refull, verdict(refull == "0")))
    expect = r.get("incr_expected")
    if expect is not None:
        print("- the incremental run sees what changed (%s): %s" % (
            expect, verdict(r.get("incr_expected_ok") == "1")))
    print()
    print("Details:\n")
    print("- seeding: %s rows in %.1f s (%.1f s to write the files, %.1f s "
          "of LOAD DATA); GLPI schema %.1f s" % (
              fmt_int(r.get("seed_rows")), f("seed_s", 0),
              f("seed_gen_s", 0), f("seed_load_s", 0), f("schema_s", 0)))
    rows = ", ".join("%s %s" % (k[5:], fmt_int(v)) for k, v in r.items()
                     if k.startswith("rows_"))
    print("- rows: %s" % rows)
    print("- change: %s computers updated (%s OS upgraded, %s network card "
          "replaced, %s moved and renamed), %s purged, %s added, %s users "
          "updated, in %.1f s" % tuple(
              [r.get("change_" + k, "?") for k in (
                  "computers_updated", "os_upgraded", "nic_replaced",
                  "moved", "computers_purged", "computers_added",
                  "users_updated")] + [f("change_s", 0)]))
    for k, v in r.items():
        if k.startswith("verify_") and k not in (
                "verify_computers_glpi", "verify_computers_copy"):
            print("- %s: %s" % (k[7:], v))
    for run, label in runs:
        if r.get(run + "_reported_s") is not None:
            print("- %s: the command reports %s s; wall %.2f s" % (
                label, r.get(run + "_reported_s"),
                f(run + "_wall_ms", 0) / 1000))
    print("- SQLite copy: %s MB" % r.get("sqlite_mb", "?"))
    print("- machine: %s CPUs (%s), kernel %s, MariaDB %s, %s" % (
        r.get("cpus", "?"), r.get("cpu_model", "?"), r.get("kernel", "?"),
        r.get("mariadb_version", "?"), r.get("date", "?")))
    print("- passeur: %s; bench %s s in all" % (
        r.get("passeur_version", "?"), r.get("bench_wall_s", "?")))


def fmt_int(v):
    try:
        return "{:,}".format(int(v))
    except (TypeError, ValueError):
        return str(v)


def print_kv(d):
    for k, v in d.items():
        print("%s=%s" % (k, str(v).replace("\n", " ")))
    sys.stdout.flush()


def main():
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("db")
    p.add_argument("state")
    p.add_argument("--name", default="glpi")
    p.add_argument("--user")
    p.add_argument("--password")
    p = sub.add_parser("seed")
    p.add_argument("cnf")
    p.add_argument("db")
    p.add_argument("work")
    p.add_argument("--computers", type=int, default=100000)
    p.add_argument("--users", type=int, default=10000)
    p.add_argument("--entities", type=int, default=1000)
    p.add_argument("--seed", type=int, default=2026)
    p = sub.add_parser("change")
    p.add_argument("cnf")
    p.add_argument("db")
    p.add_argument("--percent", type=float, default=1.0)
    p.add_argument("--seed", type=int, default=2026)
    p = sub.add_parser("verify")
    p.add_argument("cnf")
    p.add_argument("db")
    p.add_argument("sqlite")
    p = sub.add_parser("report")
    p.add_argument("results")
    args = ap.parse_args()
    {"db": cmd_db, "seed": cmd_seed, "change": cmd_change,
     "verify": cmd_verify, "report": cmd_report}[args.cmd](args)


if __name__ == "__main__":
    main()
