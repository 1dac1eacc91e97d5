# SPDX-License-Identifier: GPL-3.0-or-later
"""The GLPI REST API double (tests/doubles/glpi_rest_double.py) run for a
test, and `passeur glpi` run against it.

    with RestDouble() as api:
        p = api.passeur(api.conf(SA_TOKEN), "computer", "list")

Two users exist: glpi (Super-Admin, SA_TOKEN) and reader (Read-Only,
RO_TOKEN), both on the root entity, recursive; the API client MMC has
APP_TOKEN and no IP range."""

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile

from harness import DOUBLES, env_without_proxy, http, run_passeur, \
    wait_until, write_cfg

APP_TOKEN = "MmcAppToken0123456789abcdefghijklmnopqrst"
SA_TOKEN = "SuperAdminToken0123456789abcdefghijklmno"
RO_TOKEN = "ReadOnlyToken0123456789abcdefghijklmnopq"


class RestDouble:
    """mariadb: (socket, database) of a GLPI database to serve and write
    (the double's --mariadb); users: its --user arguments."""

    def __init__(self, mariadb=None, users=None):
        self.dir = tempfile.mkdtemp(prefix="glpi-rest-")
        self.ready = os.path.join(self.dir, "port")
        self.extra = []
        if mariadb is not None:
            self.extra = ["--mariadb", "%s:%s" % mariadb]
        if users is None:
            users = ["glpi:%s:Super-Admin" % SA_TOKEN,
                     "reader:%s:Read-Only" % RO_TOKEN]
        for u in users:
            self.extra += ["--user", u]

    def __enter__(self):
        self.log = open(os.path.join(self.dir, "double.log"), "wb")
        self.proc = subprocess.Popen(
            [sys.executable, os.path.join(DOUBLES, "glpi_rest_double.py"),
             "--port", "0", "--ready-file", self.ready,
             "--app-token", APP_TOKEN] + self.extra,
            stdout=self.log, stderr=subprocess.STDOUT)
        if not wait_until(lambda: os.path.exists(self.ready), 15):
            self.proc.kill()
            self.proc.wait()
            raise AssertionError("GLPI REST double did not start")
        with open(self.ready) as f:
            self.port = int(f.read().strip())
        return self

    def __exit__(self, *exc):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def url(self, path="/"):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def control(self, method, what, body=None):
        r = http(method, self.port, "/_double/" + what,
                 json.dumps(body) if body is not None else None,
                 {"Content-Type": "application/json"})
        if r.status != 200:
            raise AssertionError("control %s: %r" % (what, r))
        return r.json()

    def state(self):
        return self.control("GET", "state")

    def requests(self):
        return self.control("GET", "requests")

    def config(self, **kw):
        self.control("POST", "config", kw)

    def reset(self):
        self.control("POST", "reset")

    def seed(self, computers, entities_id=0):
        self.control("POST", "seed", {"computers": computers,
                                      "entities_id": entities_id})

    def api(self, method, path, body=None, headers=None):
        """A request of the test itself to the API (prefix included)."""
        h = {"Content-Type": "application/json"} if body is not None else {}
        h.update(headers or {})
        return http(method, self.port, path,
                    json.dumps(body) if body is not None else None, h)

    def conf(self, user_token, app_token=APP_TOKEN, url=None, **extra):
        """A configuration folder for passeur glpi (removed with the
        double)."""
        folder = tempfile.mkdtemp(dir=self.dir)
        keys = {"dbuser": "unused", "api_url": url or self.url("/"),
                "app_token": app_token, "user_token": user_token}
        keys.update(extra)
        write_cfg(os.path.join(folder, "glpi.cfg"), keys)
        return folder

    @staticmethod
    def passeur(confdir, *args, input=None):
        """passeur glpi -c confdir args...; the CompletedProcess with text
        output."""
        p = run_passeur(["glpi", "-c", confdir] + list(args), input=input,
                        timeout=120, env=env_without_proxy())
        p.stdout, p.stderr = p.stdout.decode(), p.stderr.decode()
        return p
