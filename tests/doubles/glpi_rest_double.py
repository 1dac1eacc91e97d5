#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Test double of GLPI 10's REST API v1 (apirest.php, also served under
GLPI 11's /api.php/v1), for loopback tests only. State is in memory.

It answers as GLPI's code does (shared/spec/glpi-10.md section 3 and
glpi-11.md section 2): every request is checked in GLPI's order, API
enabled -> an active API client whose IPv4 range admits the address (or
has none) -> App-Token (missing is accepted only when a matching client
has none) -> Session-Token (initSession: the user token of
"Authorization: user_token T"). Errors are the JSON array
["ERROR_CODE","message"] with GLPI's status codes (400 for most, 401 for
a bad user token or an unknown session, 403 for ERROR_RIGHT_MISSING on
reads, 404 for ERROR_ITEM_NOT_FOUND). A write the profile has no right
for answers 400 ERROR_GLPI_ADD / _UPDATE / _DELETE "You don't have
permission to perform this action.".

Profiles and rights (as glpi_profilerights holds them after install):
Read-Only (id 8) reads computers, users, entities and profiles; Super-Admin
(id 4) has every standard right. A session keeps the entities that were
active when it was opened: an entity created in it is outside them until
changeActiveEntities (or a new session), so writing in it or deleting it
is refused for permission, as GLPI does.

Lists: GET /<Itemtype>?range=a-b answers 200, or 206 when the range is
shorter than the total, with "Content-Range: a-b/total" (when total > 0)
and "Accept-Range: <Itemtype> 1000"; a start past the total is 400
ERROR_RANGE_EXCEED_TOTAL. The default range is 0-19. Search:
GET /search/<Itemtype>?criteria[0][field]=1&criteria[0][searchtype]=
equals|contains&criteria[0][value]=V&forcedisplay[0]=2 gives
{"totalcount","count","data":[{"1":name,"2":id}],...}; option 1 is an
entity's complete name, 14 its own name.

Itemtypes: Computer, User, Entity, Profile, Profile_User. Paths that are
neither the API nor the control API get a web server's HTML 404 page.

Options: --app-token T (of the API client "MMC"), --user NAME:TOKEN:PROFILE
(repeatable; PROFILE is Read-Only or Super-Admin, on the root entity,
recursive; a NAME given again gets that profile too, not as its default),
--ready-file, --host, --port.

With --mariadb SOCKET:DATABASE the objects come from a GLPI database (read
through the `mariadb` client as root on that unix socket, at the start and
at each reset) and every write is made there too, date_mod set, so that
what the API creates, changes and deletes is what `passeur glpi sync`
reads. enable_api, the API clients (--app-token is then unused) and the
users' tokens are read from it at each request, as GLPI does. Only the links to the Read-Only and Super-Admin profiles are kept;
--user then gives an existing user its token (and the profile when it has
no link to it).

Control API (JSON):
  GET  /_double/health     {"ok":true}
  GET  /_double/state      {"entities","users","computers",
                           "profiles_users","sessions"} as stored
  GET  /_double/requests   every API request: {"method","path","query",
                           "app_token","session_token","authorization",
                           "body","status"}, in order
  POST /_double/reset      back to the state of the start; records cleared
  POST /_double/config     {"enable_api":0|1, "client_active":0|1,
                           "client_ipv4":["a.b.c.d","e.f.g.h"]|null,
                           "sessions_expire":bool (every Session-Token is
                           unknown), "invalidate_next":N (the next N
                           requests with a session find it gone, as
                           after GLPI's session lifetime),
                           "strip_authorization":bool (the Authorization
                           header never reaches GLPI, as behind Apache
                           with PHP-FPM), "fail_path":"/Profile_User"
                           (writes to that path answer 400 ERROR_GLPI_ADD,
                           _UPDATE or _DELETE "Unable to save"; "" off),
                           "huge_next":N (a 17 MiB JSON answer),
                           "html_next":N (a 502 HTML page),
                           "truncate_next":N (Content-Length announced,
                           half the body sent, connection closed)}
  POST /_double/seed       {"computers":N,"entities_id":E}: N computers
                           named pc-00001... in E
"""

import argparse
import ipaddress
import json
import os
import secrets
import signal
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

READ, UPDATE, CREATE, DELETE, PURGE = 1, 2, 4, 8, 16
READNOTE, UPDATENOTE = 32, 64
ALL = READ | UPDATE | CREATE | DELETE | PURGE | READNOTE | UPDATENOTE
PROFILES = {
    4: ("Super-Admin", {"computer": ALL, "user": ALL, "entity": ALL,
                        "profile": ALL}),
    8: ("Read-Only", {"computer": READ | READNOTE, "user": READ,
                      "entity": READ | READNOTE, "profile": READ}),
}
RIGHT_OF = {"Computer": "computer", "User": "user", "Entity": "entity",
            "Profile": "profile", "Profile_User": "user"}
FIELDS = {
    "Computer": ("name", "serial", "otherserial", "uuid", "contact",
                 "comment", "entities_id", "is_deleted", "states_id",
                 "locations_id"),
    "User": ("name", "realname", "firstname", "phone", "comment",
             "is_active", "entities_id", "profiles_id", "is_deleted",
             "language"),
    "Entity": ("name", "comment", "entities_id", "tag"),
    "Profile_User": ("users_id", "profiles_id", "entities_id",
                     "is_recursive", "is_default_profile"),
}
TRASHABLE = ("Computer", "User")
NO_PERMISSION = "You don't have permission to perform this action."
DEFAULT_RANGE = (0, 19)
DOC = "; view documentation in your browser at %s/#%s"
CONTROL = "/_double/"
PREFIXES = ("/apirest.php", "/api.php/v1")
HTML_404 = (b"<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\">\n<html>"
            b"<head><title>404 Not Found</title></head><body><h1>Not Found"
            b"</h1><p>The requested URL was not found on this server.</p>"
            b"</body></html>\n")
HTML_502 = (b"<html><head><title>502 Bad Gateway</title></head><body>"
            b"<center><h1>502 Bad Gateway</h1></center><hr><center>nginx"
            b"</center></body></html>\n")


class ApiError(Exception):
    def __init__(self, status, code, message, doc=False):
        super().__init__(code)
        self.status, self.code, self.message, self.doc = (status, code,
                                                          message, doc)


TABLES = {"Computer": "glpi_computers", "User": "glpi_users",
          "Entity": "glpi_entities", "Profile_User": "glpi_profiles_users"}
# The columns each object has in the database.
COLUMNS = {
    "Computer": ("name", "serial", "otherserial", "uuid", "contact",
                 "comment", "entities_id", "is_deleted", "states_id",
                 "locations_id"),
    "User": ("name", "realname", "firstname", "phone", "comment",
             "is_active", "entities_id", "profiles_id", "is_deleted",
             "language", "api_token"),
    "Entity": ("name", "comment", "entities_id", "tag", "completename",
               "level"),
    "Profile_User": ("users_id", "profiles_id", "entities_id",
                     "is_recursive", "is_default_profile"),
}


def sql_value(v):
    if v is None:
        return "NULL"
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, int):
        return str(v)
    return "'%s'" % str(v).replace("\\", "\\\\").replace("'", "\\'")


class Database:
    """A GLPI database reached with the mariadb client."""

    def __init__(self, spec):
        self.socket, self.name = spec.split(":", 1)

    def run(self, sql):
        p = subprocess.run(["mariadb", "-S", self.socket, "-u", "root",
                            "-B", "-N", self.name, "-e", sql],
                           capture_output=True, text=True, timeout=60)
        if p.returncode != 0:
            raise RuntimeError("SQL failed: %s: %s" % (sql, p.stderr))
        return [line.split("\t") for line in p.stdout.splitlines()]


class State:
    """Everything the API serves; one lock around every request."""

    def __init__(self, app_token, users, db=None):
        self.app_token, self.seed_users, self.db = app_token, users, db
        self.lock = threading.RLock()
        self.reset()

    def load(self):
        """The objects of the database, as the API serves them."""
        num = lambda v: 0 if v in ("NULL", "") else int(v)   # noqa: E731
        self.entities = {}
        for i, name, parent, complete, level in self.db.run(
                "SELECT id, name, COALESCE(entities_id, 0), completename, "
                "level FROM glpi_entities"):
            self.entities[int(i)] = {
                "id": int(i), "name": name, "entities_id": num(parent),
                "completename": complete, "level": num(level), "tag": "",
                "comment": ""}
        self.users = {}
        for i, name, token, active, deleted, ent in self.db.run(
                "SELECT id, name, COALESCE(api_token, ''), is_active, "
                "is_deleted, entities_id FROM glpi_users"):
            self.users[int(i)] = {"id": int(i), "name": name,
                                  "api_token": token,
                                  "is_active": num(active),
                                  "is_deleted": num(deleted),
                                  "entities_id": num(ent)}
        self.profiles_users = {}
        for i, u, p, e, rec, dflt in self.db.run(
                "SELECT id, users_id, profiles_id, entities_id, "
                "is_recursive, is_default_profile FROM glpi_profiles_users"):
            if int(p) in PROFILES:
                self.profiles_users[int(i)] = {
                    "id": int(i), "users_id": int(u), "profiles_id": int(p),
                    "entities_id": int(e), "is_recursive": num(rec),
                    "is_default_profile": num(dflt)}
        self.computers = {}
        for i, name, serial, ent, deleted in self.db.run(
                "SELECT id, name, COALESCE(serial, ''), entities_id, "
                "is_deleted FROM glpi_computers WHERE is_template = 0"):
            self.computers[int(i)] = {"id": int(i), "name": name,
                                      "serial": serial,
                                      "entities_id": num(ent),
                                      "is_deleted": num(deleted)}
        for itemtype in TABLES:
            rows = self.db.run("SELECT COALESCE(MAX(id), 0) + 1 FROM %s" %
                               TABLES[itemtype])
            self.next_id[itemtype] = int(rows[0][0])
        for name, token, profile in self.seed_users:
            user = next(u for u in self.users.values() if u["name"] == name)
            self.update_row("User", user, {"api_token": token})
            pid = [k for k, v in PROFILES.items() if v[0] == profile][0]
            if not any(pu["profiles_id"] == pid
                       for pu in self.links_of(user["id"])):
                self.add_row("Profile_User", {
                    "users_id": user["id"], "profiles_id": pid,
                    "entities_id": 0, "is_recursive": 1,
                    "is_default_profile": 1})

    def api_settings(self):
        """(enable_api, the API clients): a database's are read at each
        request, as GLPI does, so that what `setup` writes counts."""
        if self.db is None:
            return self.enable_api, [self.client]
        if not self.enable_api:
            return 0, []
        rows = self.db.run("SELECT value FROM glpi_configs WHERE context = "
                           "'core' AND name = 'enable_api'")
        clients = []
        for active, start, end, token in self.db.run(
                "SELECT is_active, COALESCE(INET_NTOA(ipv4_range_start), "
                "''), COALESCE(INET_NTOA(ipv4_range_end), ''), "
                "COALESCE(app_token, '') FROM glpi_apiclients"):
            clients.append({"is_active": int(active), "app_token": token,
                            "ipv4": None if start == "" else
                            (start, end or None)})
        return int(bool(rows) and rows[0][0] == "1"), clients

    def user_tokens(self):
        """The users' API tokens as the database holds them now."""
        if self.db is None:
            return
        for i, token in self.db.run("SELECT id, COALESCE(api_token, '') "
                                    "FROM glpi_users"):
            if int(i) in self.users:
                self.users[int(i)]["api_token"] = token

    def mirror(self, sql):
        if self.db is not None:
            self.db.run(sql)

    def update_row(self, itemtype, row, fields):
        row.update(fields)
        cols = [k for k in fields if k in COLUMNS[itemtype]]
        if cols and self.db is not None:
            sets = ", ".join("%s = %s" % (k, sql_value(fields[k]))
                             for k in cols)
            if itemtype != "Profile_User":
                sets += ", date_mod = NOW()"
            self.mirror("UPDATE %s SET %s WHERE id = %d" %
                        (TABLES[itemtype], sets, row["id"]))

    def remove_row(self, itemtype, rid):
        del self.table(itemtype)[rid]
        self.mirror("DELETE FROM %s WHERE id = %d" % (TABLES[itemtype], rid))

    def reset(self):
        self.enable_api = 1
        self.client = {"name": "MMC", "is_active": 1, "ipv4": None,
                       "app_token": self.app_token}
        self.sessions_expire = False
        self.invalidate_next = 0
        self.strip_authorization = False
        self.fail_path = ""
        self.huge_next = 0
        self.html_next = self.truncate_next = 0
        self.entities = {0: {"id": 0, "name": "Root entity",
                             "entities_id": 0, "completename":
                             "Root entity", "level": 1, "tag": "",
                             "comment": ""}}
        self.users, self.computers, self.profiles_users = {}, {}, {}
        self.sessions, self.requests = {}, []
        self.next_id = {"Computer": 1, "User": 7, "Entity": 1,
                        "Profile_User": 1}
        if self.db is not None:
            return self.load()
        for name, token, profile in self.seed_users:
            # A name given again gets one more profile, not the default.
            same = [u for u in self.users.values() if u["name"] == name]
            uid = same[0]["id"] if same else self.add_row("User", {
                "name": name, "api_token": token, "is_active": 1,
                "entities_id": 0})
            pid = [k for k, v in PROFILES.items() if v[0] == profile][0]
            self.add_row("Profile_User", {
                "users_id": uid, "profiles_id": pid, "entities_id": 0,
                "is_recursive": 1, "is_default_profile": int(not same)})

    def table(self, itemtype):
        return {"Computer": self.computers, "User": self.users,
                "Entity": self.entities,
                "Profile_User": self.profiles_users}[itemtype]

    def add_row(self, itemtype, fields):
        rid = self.next_id[itemtype]
        self.next_id[itemtype] += 1
        row = {"id": rid}
        if itemtype in TRASHABLE:
            row["is_deleted"] = 0
        row.update(fields)
        if itemtype == "Entity":
            parent = self.entities[row["entities_id"]]
            row["completename"] = "%s > %s" % (parent["completename"],
                                               row["name"])
            row["level"] = parent["level"] + 1
            row.setdefault("tag", "")
            row.setdefault("comment", "")
        self.table(itemtype)[rid] = row
        if self.db is not None:
            cols = [k for k in row if k in COLUMNS[itemtype]]
            extra = "" if itemtype == "Profile_User" else \
                ", date_mod, date_creation"
            now = "" if itemtype == "Profile_User" else ", NOW(), NOW()"
            self.mirror("INSERT INTO %s (id, %s%s) VALUES (%d, %s%s)" % (
                TABLES[itemtype], ", ".join(cols), extra, rid,
                ", ".join(sql_value(row[k]) for k in cols), now))
        return rid

    def descendants(self, eid):
        out, todo = set(), [eid]
        while todo:
            e = todo.pop()
            if e in out:
                continue
            out.add(e)
            todo.extend(k for k, v in self.entities.items()
                        if v["entities_id"] == e and k != e)
        return out

    def links_of(self, uid):
        return [pu for pu in self.profiles_users.values()
                if pu["users_id"] == uid]

    def entities_of(self, uid, pid):
        """The entities a profile of the user covers, now."""
        out = set()
        for pu in self.links_of(uid):
            if pu["profiles_id"] == pid and pu["entities_id"] in self.entities:
                if pu["is_recursive"]:
                    out |= self.descendants(pu["entities_id"])
                else:
                    out.add(pu["entities_id"])
        return out


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def log_message(self, fmt, *args):
        pass

    # -- answers ---------------------------------------------------------
    def send(self, status, body, headers=None, ctype="application/json"):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        st = self.server.state
        truncate = False
        if self.path.split("?")[0].startswith(PREFIXES):
            with st.lock:
                if st.truncate_next > 0:
                    st.truncate_next -= 1
                    truncate = True
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Connection", "close")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data[:len(data) // 2] if truncate else data)
        self.wfile.flush()
        if truncate:
            self.close_connection = True

    def error(self, e):
        msg = e.message
        if e.doc:
            msg += DOC % (self.base, e.code)
        self.send(e.status, [e.code, msg])

    # -- dispatch --------------------------------------------------------
    def handle_any(self, method):
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length > 0 else b""
        if url.path.startswith(CONTROL):
            return self.control(method, url.path[len(CONTROL):], raw)
        prefix = next((p for p in PREFIXES if url.path == p or
                       url.path.startswith(p + "/")), None)
        if prefix is None:
            return self.send(404, HTML_404, ctype="text/html")
        self.base = "http://%s%s" % (self.headers.get("Host", ""), prefix)
        st = self.server.state
        query = dict(parse_qsl(url.query, keep_blank_values=True))
        record = {"method": method, "path": url.path[len(prefix):],
                  "query": query,
                  "app_token": self.headers.get("App-Token"),
                  "session_token": self.headers.get("Session-Token"),
                  "authorization": self.headers.get("Authorization"),
                  "body": raw.decode("utf-8", "replace"), "status": None}
        with st.lock:
            st.requests.append(record)
            if st.huge_next > 0:
                st.huge_next -= 1
                record["status"] = 200
                huge = b'["' + b"x" * (17 * 1024 * 1024) + b'"]'
                return self.send(200, huge)
            if st.html_next > 0:
                st.html_next -= 1
                record["status"] = 502
                return self.send(502, HTML_502, ctype="text/html")
            try:
                status, body, headers = self.api(method, record["path"],
                                                 query, raw)
            except ApiError as e:
                record["status"] = e.status
                return self.error(e)
            record["status"] = status
        self.send(status, body, headers)

    do_GET = lambda self: self.handle_any("GET")         # noqa: E731
    do_POST = lambda self: self.handle_any("POST")       # noqa: E731
    do_PUT = lambda self: self.handle_any("PUT")         # noqa: E731
    do_PATCH = lambda self: self.handle_any("PATCH")     # noqa: E731
    do_DELETE = lambda self: self.handle_any("DELETE")   # noqa: E731

    # -- the checks of every request, in GLPI's order --------------------
    def api(self, method, path, query, raw):
        st = self.server.state
        enabled, clients = st.api_settings()
        if not enabled:
            raise ApiError(400, "ERROR", "API disabled")
        addr = ipaddress.ip_address(self.client_address[0])
        matching = []
        for c in clients:
            # No start admits any address; a start without an end, none.
            if c["is_active"] and (c["ipv4"] is None or (
                    addr.version == 4 and c["ipv4"][1] is not None and
                    ipaddress.ip_address(c["ipv4"][0]) <= addr <=
                    ipaddress.ip_address(c["ipv4"][1]))):
                matching.append(c)
        if not matching:
            raise ApiError(400, "ERROR_NOT_ALLOWED_IP",
                           "There isn't an active API client matching "
                           "your IP address in the configuration (%s)."
                           % addr, True)
        app = self.headers.get("App-Token") or query.get("app_token")
        if app is None or app == "":
            if not any(m["app_token"] == "" for m in matching):
                raise ApiError(400, "ERROR_APP_TOKEN_PARAMETERS_MISSING",
                               "missing parameter app_token", True)
        elif not any(m["app_token"] == app for m in matching):
            raise ApiError(400, "ERROR_WRONG_APP_TOKEN_PARAMETER",
                           "parameter app_token seems wrong", True)
        body = None
        if raw:
            if method == "GET":
                raise ApiError(400, "ERROR_JSON_PAYLOAD_FORBIDDEN",
                               "GET Request should not have json payload "
                               "(http body)", True)
            try:
                body = json.loads(raw)
            except ValueError:
                raise ApiError(400, "ERROR_JSON_PAYLOAD_INVALID",
                               "JSON payload seems not valid", True)
        parts = [p for p in path.split("/") if p != ""]
        if not parts:
            return 200, b"", {}
        if parts[0] == "initSession":
            return self.init_session()
        token = self.headers.get("Session-Token") or query.get(
            "session_token")
        if not token:
            raise ApiError(400, "ERROR_SESSION_TOKEN_MISSING",
                           "parameter session_token is missing or empty",
                           True)
        session = st.sessions.get(token)
        if session is not None and st.invalidate_next > 0:
            st.invalidate_next -= 1
            del st.sessions[token]
            session = None
        if session is None or st.sessions_expire:
            raise ApiError(401, "ERROR_SESSION_TOKEN_INVALID",
                           "session_token seems invalid", True)
        self.session, self.token = session, token
        if st.fail_path and path.startswith(st.fail_path) and \
                method != "GET":
            raise ApiError(400, {"POST": "ERROR_GLPI_ADD",
                                 "DELETE": "ERROR_GLPI_DELETE"}.get(
                method, "ERROR_GLPI_UPDATE"), "Unable to save")
        return self.resource(method, parts, query, body)

    def init_session(self):
        st = self.server.state
        auth = "" if st.strip_authorization else \
            self.headers.get("Authorization") or ""
        words = auth.split(" ")
        if "user_token" not in auth or len(words) < 2 or words[1] == "":
            raise ApiError(400, "ERROR_LOGIN_PARAMETERS_MISSING",
                           "parameter(s) login, password or user_token "
                           "are missing", True)
        st.user_tokens()
        user = next((u for u in st.users.values()
                     if u.get("api_token") and u["api_token"] == words[1]
                     and u["is_active"] and not u["is_deleted"]), None)
        if user is None:
            raise ApiError(401, "ERROR_GLPI_LOGIN_USER_TOKEN",
                           "parameter user_token seems invalid")
        links = st.links_of(user["id"])
        if not links:
            raise ApiError(401, "ERROR_GLPI_LOGIN",
                           "User not authorized: no profile")
        link = next((pu for pu in links if pu["is_default_profile"]),
                    links[0])
        token = secrets.token_hex(13)
        st.sessions[token] = {
            "users_id": user["id"], "profiles_id": link["profiles_id"],
            "active_entity": link["entities_id"],
            "entities": st.entities_of(user["id"], link["profiles_id"])}
        return 200, {"session_token": token}, {}

    # -- the resources ---------------------------------------------------
    def rights(self, itemtype):
        name = RIGHT_OF.get(itemtype)
        return PROFILES[self.session["profiles_id"]][1].get(name, 0)

    def visible(self, itemtype, row):
        if itemtype == "Computer":
            return row["entities_id"] in self.session["entities"]
        if itemtype == "Entity":
            return row["id"] in self.session["entities"]
        return True

    def resource(self, method, parts, query, body):
        st = self.server.state
        s = self.session
        name = parts[0]
        if name == "killSession":
            del st.sessions[self.token]
            return 200, True, {}
        if name == "getMyProfiles":
            out = []
            for pid in sorted({pu["profiles_id"]
                               for pu in st.links_of(s["users_id"])}):
                ents = [{"id": pu["entities_id"], "name":
                         st.entities[pu["entities_id"]]["name"],
                         "is_recursive": pu["is_recursive"]}
                        for pu in st.links_of(s["users_id"])
                        if pu["profiles_id"] == pid]
                out.append({"id": pid, "name": PROFILES[pid][0],
                            "entities": ents})
            return 200, {"myprofiles": out}, {}
        if name == "getActiveProfile":
            pid = s["profiles_id"]
            prof = {"id": pid, "name": PROFILES[pid][0],
                    "interface": "central"}
            prof.update(PROFILES[pid][1])
            return 200, {"active_profile": prof}, {}
        if name == "getMyEntities":
            rec = str(query.get("is_recursive", "false")).lower() in (
                "1", "true")
            ids = st.entities_of(s["users_id"], s["profiles_id"])
            if not rec:
                ids = {pu["entities_id"] for pu in st.links_of(s["users_id"])
                       if pu["profiles_id"] == s["profiles_id"]}
            return 200, {"myentities": [{"id": i, "name":
                                         st.entities[i]["name"]}
                                        for i in sorted(ids)]}, {}
        if name == "getActiveEntities":
            return 200, {"active_entities": {
                "active_entity": s["active_entity"],
                "active_entity_recursive": True,
                "active_entities": [{"id": i} for i in
                                    sorted(s["entities"])]}}, {}
        if name == "changeActiveEntities" and method == "POST":
            body = body or {}
            allowed = st.entities_of(s["users_id"], s["profiles_id"])
            eid = body.get("entities_id", "all")
            if eid == "all":
                s["entities"] = allowed
            else:
                eid = int(eid)
                if eid not in allowed:
                    raise ApiError(400, "ERROR_ITEM_NOT_FOUND",
                                   "Item not found")
                s["entities"] = (st.descendants(eid) & allowed
                                 if body.get("is_recursive") else {eid})
                s["active_entity"] = eid
            return 200, True, {}
        if name == "changeActiveProfile" and method == "POST":
            pid = int((body or {}).get("profiles_id", 0))
            if pid not in {pu["profiles_id"]
                           for pu in st.links_of(s["users_id"])}:
                raise ApiError(404, "ERROR_ITEM_NOT_FOUND", "Item not found")
            s["profiles_id"] = pid
            s["entities"] = st.entities_of(s["users_id"], pid)
            return 200, True, {}
        if name == "search" and len(parts) == 2 and method == "GET":
            return self.search(parts[1], query)
        if name not in RIGHT_OF:
            raise ApiError(400, "ERROR_RESOURCE_NOT_FOUND_NOR_COMMONDBTM",
                           "resource not found or not an instance of "
                           "CommonDBTM", True)
        if len(parts) > 2:
            raise ApiError(400, "ERROR", "sub-items are not served here")
        rid = int(parts[1]) if len(parts) == 2 and parts[1].isdigit() \
            else None
        if len(parts) == 2 and rid is None:
            raise ApiError(400, "ERROR", "id must be a number")
        if method == "GET":
            return self.get(name, rid, query)
        if method == "POST" and rid is None:
            return self.add(name, body)
        if method in ("PUT", "PATCH"):
            return self.update(name, rid, body)
        if method == "DELETE":
            return self.delete(name, rid, query, body)
        raise ApiError(400, "ERROR", "method not allowed")

    def rows(self, itemtype):
        st = self.server.state
        if itemtype == "Profile":
            return [{"id": k, "name": v[0], "interface": "central"}
                    for k, v in sorted(PROFILES.items())]
        return [r for _, r in sorted(st.table(itemtype).items())
                if self.visible(itemtype, r)]

    @staticmethod
    def shown(itemtype, row):
        out = {k: v for k, v in row.items() if k not in (
            "api_token", "password", "personal_token", "cookie_token")}
        return out

    def parse_range(self, query, total):
        text = query.get("range")
        if text is None:
            a, b = DEFAULT_RANGE
        else:
            try:
                a, b = (int(x) for x in text.split("-"))
            except ValueError:
                raise ApiError(400, "ERROR", "range must be start-end")
            if a < 0 or b < a:
                raise ApiError(400, "ERROR", "range must be start-end")
        if a > total:
            raise ApiError(400, "ERROR_RANGE_EXCEED_TOTAL",
                           "Provided range exceed total count of data: %d"
                           % total, True)
        return a, b

    def get(self, itemtype, rid, query):
        if not self.rights(itemtype) & READ:
            raise ApiError(403, "ERROR_RIGHT_MISSING",
                           "You don't have permission to perform this "
                           "action.", True)
        rows = self.rows(itemtype)
        if rid is not None:
            row = next((r for r in rows if r["id"] == rid), None)
            if row is None:
                raise ApiError(404, "ERROR_ITEM_NOT_FOUND", "Item not found")
            return 200, self.shown(itemtype, row), {}
        deleted = str(query.get("is_deleted", "false")).lower() in (
            "1", "true")
        rows = [r for r in rows if bool(r.get("is_deleted", 0)) == deleted]
        for key, value in query.items():
            if key.startswith("searchText[") and key.endswith("]"):
                field = key[11:-1]
                rows = [r for r in rows if value.lower() in
                        str(r.get(field, "")).lower()]
        total = len(rows)
        a, b = self.parse_range(query, total)
        page = rows[a:b + 1]
        headers = {"Accept-Range": "%s 1000" % itemtype}
        if total > 0:
            headers["Content-Range"] = "%d-%d/%d" % (a, min(b, total - 1),
                                                     total)
        status = 206 if len(page) < total else 200
        return status, [self.shown(itemtype, r) for r in page], headers

    def search(self, itemtype, query):
        if itemtype not in RIGHT_OF or itemtype == "Profile_User":
            raise ApiError(400, "ERROR_RESOURCE_NOT_FOUND_NOR_COMMONDBTM",
                           "resource not found or not an instance of "
                           "CommonDBTM", True)
        if not self.rights(itemtype) & READ:
            raise ApiError(403, "ERROR_RIGHT_MISSING",
                           "You don't have permission to perform this "
                           "action.", True)
        rows = [r for r in self.rows(itemtype) if not r.get("is_deleted")]
        field = query.get("criteria[0][field]")
        if field is not None:
            # Option 1 is the name, an entity's complete name; 14 is an
            # entity's own name.
            if field == "1":
                key = "completename" if itemtype == "Entity" else "name"
            elif field == "14" and itemtype == "Entity":
                key = "name"
            else:
                raise ApiError(400, "ERROR", "this double searches the "
                               "options 1 and 14 (Entity) only")
            how = query.get("criteria[0][searchtype]", "contains")
            value = query.get("criteria[0][value]", "")
            if how == "equals":
                rows = [r for r in rows if r[key] == value]
            else:
                rows = [r for r in rows if value.lower() in r[key].lower()]
        total = len(rows)
        a, b = self.parse_range(query, total)
        page = rows[a:b + 1]
        headers = {"Accept-Range": "%s 1000" % itemtype}
        out = {"totalcount": total, "count": len(page), "sort": [1],
               "order": ["ASC"],
               "data": [{"1": r.get("completename", r["name"]),
                         "2": r["id"]} for r in page]}
        if total > 0:
            rng = "%d-%d/%d" % (a, min(b, total - 1), total)
            headers["Content-Range"] = rng
            out["content-range"] = rng
        return (206 if len(page) < total else 200), out, headers

    def input_of(self, body):
        if not isinstance(body, dict) or not isinstance(
                body.get("input"), dict):
            raise ApiError(400, "ERROR_BAD_ARRAY",
                           "input parameter must be an array of objects",
                           True)
        return body["input"]

    def add(self, itemtype, body):
        st = self.server.state
        s = self.session
        data = self.input_of(body)
        if itemtype not in FIELDS or not self.rights(itemtype) & CREATE:
            raise ApiError(400, "ERROR_GLPI_ADD", NO_PERMISSION)
        fields = {k: v for k, v in data.items() if k in FIELDS[itemtype]}
        if itemtype != "Profile_User":
            fields.setdefault("entities_id", s["active_entity"])
            if int(fields["entities_id"]) not in s["entities"]:
                raise ApiError(400, "ERROR_GLPI_ADD", NO_PERMISSION)
            fields["entities_id"] = int(fields["entities_id"])
        if itemtype in ("Entity", "User", "Computer") and not str(
                fields.get("name", "")).strip():
            raise ApiError(400, "ERROR_GLPI_ADD", "name is mandatory")
        if itemtype == "Entity" and any(
                e["entities_id"] == fields["entities_id"] and
                e["name"] == fields["name"] and e["id"] != 0
                for e in st.entities.values()):
            raise ApiError(400, "ERROR_GLPI_ADD",
                           "An entity with that name already exists at "
                           "the same level.")
        if itemtype == "User":
            if any(u["name"] == fields["name"] for u in st.users.values()):
                raise ApiError(400, "ERROR_GLPI_ADD", "Unable to add. The "
                               "user already exists.")
            if data.get("password", "") != data.get("password2", ""):
                raise ApiError(400, "ERROR_GLPI_ADD", "Error: the two "
                               "passwords do not match")
            fields["password"] = data.get("password", "")
            fields.setdefault("is_active", 1)
        if itemtype == "Profile_User":
            for key in ("users_id", "profiles_id", "entities_id"):
                if key not in fields:
                    raise ApiError(400, "ERROR_GLPI_ADD", "%s is mandatory"
                                   % key)
                fields[key] = int(fields[key])
            if fields["users_id"] not in st.users or \
                    fields["profiles_id"] not in PROFILES or \
                    fields["entities_id"] not in s["entities"]:
                raise ApiError(400, "ERROR_GLPI_ADD", NO_PERMISSION)
            fields.setdefault("is_recursive", 0)
            fields.setdefault("is_default_profile", 0)
        rid = st.add_row(itemtype, fields)
        return 201, {"id": rid, "message": ""}, {
            "Location": "%s/%s/%d" % (self.base, itemtype, rid)}

    def target(self, itemtype, rid, code):
        st = self.server.state
        if itemtype not in FIELDS or rid is None:
            raise ApiError(400, code, "Item not found")
        row = st.table(itemtype).get(rid)
        if row is None:
            raise ApiError(400, code, "Item not found")
        return row

    def update(self, itemtype, rid, body):
        data = self.input_of(body)
        if rid is None:
            rid = int(data.get("id", 0))
        if itemtype not in FIELDS or not self.rights(itemtype) & UPDATE:
            raise ApiError(400, "ERROR_GLPI_UPDATE", NO_PERMISSION)
        row = self.target(itemtype, rid, "ERROR_GLPI_UPDATE")
        if not self.visible(itemtype, row):
            raise ApiError(400, "ERROR_GLPI_UPDATE", NO_PERMISSION)
        self.server.state.update_row(itemtype, row, {
            k: v for k, v in data.items()
            if k in FIELDS[itemtype] and k != "entities_id"})
        return 200, [{str(rid): True, "message": ""}], {}

    def delete(self, itemtype, rid, query, body):
        st = self.server.state
        purge = str(query.get("force_purge", "false")).lower() in (
            "1", "true") or itemtype not in TRASHABLE
        need = PURGE if purge else DELETE
        if itemtype not in FIELDS or not self.rights(itemtype) & need:
            raise ApiError(400, "ERROR_GLPI_DELETE", NO_PERMISSION)
        row = self.target(itemtype, rid, "ERROR_GLPI_DELETE")
        if not self.visible(itemtype, row):
            raise ApiError(400, "ERROR_GLPI_DELETE", NO_PERMISSION)
        if itemtype == "Entity":
            if rid == 0 or any(e["entities_id"] == rid and e["id"] != rid
                               for e in st.entities.values()):
                raise ApiError(400, "ERROR_GLPI_DELETE", "You cannot "
                               "delete an entity which contains "
                               "sub-entities.")
        if purge:
            st.remove_row(itemtype, rid)
            if itemtype == "User":
                for k in [k for k, pu in st.profiles_users.items()
                          if pu["users_id"] == rid]:
                    st.remove_row("Profile_User", k)
        else:
            st.update_row(itemtype, row, {"is_deleted": 1})
        return 200, [{str(rid): True, "message": ""}], {}

    # -- control ---------------------------------------------------------
    def control(self, method, what, raw):
        st = self.server.state
        body = json.loads(raw) if raw else {}
        with st.lock:
            if what == "health":
                out = {"ok": True}
            elif what == "state":
                out = {"entities": list(st.entities.values()),
                       "users": [self.shown("User", u)
                                 for u in st.users.values()],
                       "computers": list(st.computers.values()),
                       "profiles_users": list(st.profiles_users.values()),
                       "sessions": len(st.sessions)}
            elif what == "requests":
                out = st.requests
            elif what == "reset" and method == "POST":
                st.reset()
                out = {"ok": True}
            elif what == "config" and method == "POST":
                for key in ("enable_api", "sessions_expire", "html_next",
                            "truncate_next", "invalidate_next",
                            "strip_authorization", "fail_path",
                            "huge_next"):
                    if key in body:
                        setattr(st, key, body[key])
                if "client_active" in body:
                    st.client["is_active"] = body["client_active"]
                if "client_ipv4" in body:
                    st.client["ipv4"] = body["client_ipv4"]
                out = {"ok": True}
            elif what == "seed" and method == "POST":
                eid = int(body.get("entities_id", 0))
                for i in range(int(body.get("computers", 0))):
                    st.add_row("Computer", {"name": "pc-%05d" % (i + 1),
                                            "serial": "SN%05d" % (i + 1),
                                            "entities_id": eid})
                out = {"ok": True}
            else:
                return self.send(404, {"error": "unknown control"})
        self.send(200, out)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    parser = argparse.ArgumentParser(description="GLPI REST API test double")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--ready-file")
    parser.add_argument("--app-token", default="")
    parser.add_argument("--user", action="append", default=[],
                        metavar="NAME:TOKEN:PROFILE")
    parser.add_argument("--mariadb", metavar="SOCKET:DATABASE",
                        help="serve and write the objects of that GLPI "
                        "database")
    args = parser.parse_args()
    users = []
    for spec in args.user:
        name, token, profile = spec.split(":", 2)
        if profile not in [p[0] for p in PROFILES.values()]:
            parser.error("profile %s: Read-Only or Super-Admin" % profile)
        users.append((name, token, profile))
    server = Server((args.host, args.port), Handler)
    server.state = State(args.app_token, users,
                         Database(args.mariadb) if args.mariadb else None)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    if args.ready_file:
        temp = args.ready_file + ".tmp"
        with open(temp, "w") as f:
            f.write("%d\n" % server.server_address[1])
        os.replace(temp, args.ready_file)
    while not stop.wait(0.5):
        pass
    server.shutdown()
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
