# SPDX-License-Identifier: GPL-3.0-or-later
"""Shared helpers of the integration tests: start passeur and its peers on
free loopback ports, talk HTTP to them, and stop them cleanly.

Every loop is bounded; every process started here is stopped by the test
that started it (context managers)."""

import atexit
import base64
import gzip
import http.client as httpclient
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import unittest
import zlib

BIN = os.environ.get("PASSEUR_BIN", "passeur")
SOURCE = os.environ.get("PASSEUR_SOURCE",
                        os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
DOUBLES = os.path.join(SOURCE, "tests", "doubles")
# The project's own fixtures: small hand-made ones at the top, real agent
# inventories under inventories/, GLPI schemas under glpi/.
FIXTURES = os.path.join(SOURCE, "tests", "fixtures")
INVENTORIES_JSON = os.path.join(FIXTURES, "inventories", "json")
INVENTORIES_XML = os.path.join(FIXTURES, "inventories", "xml")
GLPI_FIXTURES = os.path.join(FIXTURES, "glpi")

AGENT_ID = "3a609a2e-947f-4e6a-9af9-32c024ac3e98"


def _tsan_suppressions_readable():
    """Under ThreadSanitizer, a process started as another user (nobody)
    must read the suppressions file, which may sit under a home folder it
    cannot enter (/root is 0700): point TSAN_OPTIONS at a copy in a
    world-readable temporary folder, removed at exit."""
    opts = os.environ.get("TSAN_OPTIONS", "")
    m = re.search(r"suppressions=([^:]+)", opts)
    if m is None or not os.path.exists(m.group(1)):
        return
    d = tempfile.mkdtemp(prefix="passeur-tsan-")
    os.chmod(d, 0o755)
    copy = os.path.join(d, "tsan.supp")
    shutil.copyfile(m.group(1), copy)
    os.chmod(copy, 0o644)
    os.environ["TSAN_OPTIONS"] = opts.replace(m.group(0),
                                              "suppressions=" + copy)
    atexit.register(shutil.rmtree, d, True)


_tsan_suppressions_readable()


FUSION_AGENT = shutil.which("fusioninventory-agent")


def run_fusion_agent(test, url, *extra):
    """Runs the real FusionInventory agent once, an inventory to url, and
    fails test unless it reports success; returns its log."""
    d = tempfile.mkdtemp(prefix="fia-")
    test.addCleanup(shutil.rmtree, d, True)
    os.makedirs(os.path.join(d, "var"))
    conf = os.path.join(d, "agent.cfg")
    with open(conf, "w") as f:
        f.write("server = %s\nvardir = %s/var\nno-httpd = 1\n"
                "logger = stderr\ndebug = 1\n" % (url, d))
    p = subprocess.run(
        [FUSION_AGENT, "--conf-file=" + conf, "--tasks=inventory", "--force",
         "--no-category=process,environment,software,user,local_user,"
         "local_group"] + list(extra), capture_output=True, timeout=300)
    log = p.stdout.decode() + p.stderr.decode()
    test.assertEqual(p.returncode, 0, log)
    test.assertNotIn("communication error", log)
    test.assertNotIn("[error]", log)
    return log


def free_port(host="127.0.0.1"):
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(fam, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def wait_until(pred, seconds=10.0, step=0.05):
    """Polls pred until it holds; a connection error counts as not yet
    (servers release connections asynchronously)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if pred():
                return True
        except (OSError, httpclient.HTTPException):
            pass
        time.sleep(step)
    return False


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = {k.lower(): v for k, v in headers}
        self.body = body

    def json(self):
        return json.loads(self.body)

    def __repr__(self):
        return "<%d %r>" % (self.status, self.body[:200])


def http(method, port, path, body=None, headers=None, host="127.0.0.1",
         timeout=30, context=None):
    """One request; over TLS with the ssl context when one is given."""
    if context is not None:
        conn = httpclient.HTTPSConnection(host, port, context=context,
                                          timeout=timeout)
    else:
        conn = httpclient.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        return Response(r.status, r.getheaders(), r.read())
    finally:
        conn.close()


def post_from(px, source, body, ctype, headers=None):
    """A POST to px's /proxy/glpi from the loopback address source (bound
    on the client side); the status."""
    conn = httpclient.HTTPConnection(px.host, px.port, timeout=30,
                                     source_address=(source, 0))
    h = {"Content-Type": ctype}
    h.update(headers or {})
    try:
        conn.request("POST", "/proxy/glpi", body, h)
        r = conn.getresponse()
        r.read()
        return r.status
    finally:
        conn.close()


def raw(port, data, host="127.0.0.1", timeout=10, pause=None):
    """Sends raw bytes (optionally in pieces with pauses), returns what the
    server answers until it closes or the timeout passes."""
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(fam, socket.SOCK_STREAM) as s:
        s.settimeout(timeout)
        s.connect((host, port))
        pieces = data if isinstance(data, list) else [data]
        try:
            for p in pieces:
                s.sendall(p)
                if pause:
                    time.sleep(pause)
            s.shutdown(socket.SHUT_WR)
        except OSError:
            pass    # the server may answer and close before all is sent
        out = b""
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                out += chunk
        except (socket.timeout, ConnectionResetError):
            pass
        return out


def zlib_of(b):
    return zlib.compress(b)


def gzip_of(b):
    return gzip.compress(b)


PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


def env_without_proxy(**extra):
    """The environment less the proxy variables of the machine running the
    tests (loopback only), plus extra."""
    env = {k: v for k, v in os.environ.items()
           if k.lower() not in PROXY_VARIABLES}
    env.update(extra)
    return env


def run_passeur(args, input=None, timeout=120, env=None, wrapper=()):
    """Runs `passeur ARGS...` to its end (killed after timeout seconds),
    through the command wrapper when given (e.g. setpriv); returns the
    CompletedProcess, output as bytes."""
    return subprocess.run(list(wrapper) + [BIN] + list(args), input=input,
                          stdin=None if input is not None else
                          subprocess.DEVNULL, capture_output=True,
                          timeout=timeout, env=env)


def read_file(path):
    """The bytes of the file at path (closed at once)."""
    with open(path, "rb") as f:
        return f.read()


def read_tree(folder):
    """{path relative to folder: content} of every file under folder."""
    tree = {}
    for top, _, names in os.walk(folder):
        for name in names:
            path = os.path.join(top, name)
            with open(path, "rb") as f:
                tree[os.path.relpath(path, folder)] = f.read()
    return tree


def write_tree(folder, files):
    """Writes {relative path: content} under folder, making sub-folders."""
    for rel, content in files.items():
        path = os.path.join(folder, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(content)


def write_cfg(path, keys):
    with open(path, "w") as f:
        for k, v in keys.items():
            f.write("%s = %s\n" % (k, v))


class Passeur:
    """A `passeur serve` with its own configuration and state folders.

    agent: agent.cfg keys; proxy / proxy2: plugin keys (None = file absent).
    """

    def __init__(self, agent=None, proxy=None, proxy2=None, port=None,
                 extra_files=None, args=None):
        self.dir = tempfile.mkdtemp(prefix="passeur-test-")
        self.confdir = os.path.join(self.dir, "etc")
        self.vardir = os.path.join(self.dir, "var")
        self.store = os.path.join(self.dir, "store")
        os.makedirs(self.confdir)
        self.port = port or free_port()
        a = {"httpd-ip": "127.0.0.1", "httpd-port": self.port,
             "logger": "stderr", "debug": 0}
        a.update(agent or {})
        write_cfg(os.path.join(self.confdir, "agent.cfg"), a)
        self.host = a["httpd-ip"] or "127.0.0.1"
        p = {"disabled": "no", "local_store": self.store, "maxrate": 0}
        p.update(proxy or {})
        write_cfg(os.path.join(self.confdir, "proxy-server-plugin.cfg"), p)
        if proxy2 is not None:
            write_cfg(os.path.join(self.confdir, "proxy2-server-plugin.cfg"),
                      proxy2)
        for name, text in (extra_files or {}).items():
            with open(os.path.join(self.confdir, name), "w") as f:
                f.write(text)
        self.args = args or []
        self.proc = None
        self.logpath = os.path.join(self.dir, "passeur.log")

    def start(self):
        self.logf = open(self.logpath, "wb")
        self.proc = subprocess.Popen(
            [BIN, "serve", "-f", "-c", self.confdir, "--vardir", self.vardir]
            + self.args, stdout=self.logf, stderr=subprocess.STDOUT)
        ok = wait_until(self._answers, 15)
        if not ok:
            self.stop(check=False)
            raise AssertionError("passeur did not start:\n" + self.log())
        return self

    def _answers(self):
        if self.proc.poll() is not None:
            raise AssertionError("passeur exited %d:\n%s" %
                                 (self.proc.returncode, self.log()))
        try:
            socket.create_connection((self.host, self.port), 0.2).close()
        except OSError:
            return False
        # Every listener is bound once the start line is written; the
        # main port alone may answer before a second one is bound.
        return re.search(r"\] passeur \S+ started", self.log()) is not None

    def url(self, path="/proxy/glpi"):
        host = "[%s]" % self.host if ":" in self.host else self.host
        return "http://%s:%d%s" % (host, self.port, path)

    def request(self, method, path="/proxy/glpi", body=None, headers=None,
                **kw):
        kw.setdefault("host", self.host)
        return http(method, self.port, path, body, headers, **kw)

    def post(self, body, ctype, agent_id=None, path="/proxy/glpi",
             headers=None):
        h = {"Content-Type": ctype} if ctype else {}
        if agent_id:
            h["GLPI-Agent-ID"] = agent_id
        h.update(headers or {})
        return self.request("POST", path, body, h)

    def poll_final(self, reqid, seconds=30):
        """Polls like an agent (GET with GLPI-Request-ID) until the answer
        is no longer 202 pending; returns it, or None after seconds."""
        final = []

        def poll():
            p = self.request("GET", "/proxy/glpi", None,
                             {"GLPI-Agent-ID": AGENT_ID,
                              "GLPI-Request-ID": reqid})
            if p.status == 202 and p.json()["status"] == "pending":
                return False
            final.append(p)
            return True
        wait_until(poll, seconds, 0.2)
        return final[0] if final else None

    def alive(self):
        r = self.request("GET", "/proxy/apiversion")
        return r.status == 200 and r.body == b"2.5"

    def log(self):
        try:
            with open(self.logpath, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def wait_log(self, pattern, seconds=10):
        """The log once it has a match for pattern (a regular expression):
        access lines are written when a request completes, which may be
        just after the client has its answer."""
        if not wait_until(lambda: re.search(pattern, self.log()), seconds):
            raise AssertionError("no log line matches %r:\n%s" %
                                 (pattern, self.log()))
        return self.log()

    def stop(self, check=True):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(40)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.logf.close()
        code = self.proc.returncode
        self.proc = None
        if check and code != 0:
            raise AssertionError("passeur exited %d:\n%s" % (code, self.log()))

    def files(self, folder=None):
        folder = folder or self.store
        if not os.path.isdir(folder):
            return []
        return sorted(os.listdir(folder))

    def cleanup(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        try:
            self.stop(check=exc[0] is None)
        finally:
            if exc[0] is None:
                self.cleanup()
            else:
                sys.stderr.write("passeur log (%s):\n%s\n" %
                                 (self.dir, self.log()[-4000:]))


class GlpiDouble:
    """The project's GLPI server test double (tests/doubles/glpi_double.py).

    With --tls-cert in args it serves HTTPS, and the test's own control
    requests use HTTPS too (any certificate accepted), presenting
    control_cert (certificate, key) when given (for --tls-client-ca).
    port: the port to listen on (0, a free one), e.g. that of a double
    stopped before, to play a server that comes back."""

    def __init__(self, host="127.0.0.1", args=None, control_cert=None,
                 port=0):
        self.host = host
        self.want_port = port
        self.dir = tempfile.mkdtemp(prefix="glpi-double-")
        self.ready = os.path.join(self.dir, "port")
        self.args = args or []
        self.tls = "--tls-cert" in self.args
        self.control_cert = control_cert

    def __enter__(self):
        self.log = open(os.path.join(self.dir, "double.log"), "wb")
        self.proc = subprocess.Popen(
            [sys.executable, os.path.join(DOUBLES, "glpi_double.py"),
             "--port", str(self.want_port), "--host", self.host,
             "--ready-file", self.ready]
            + self.args, stdout=self.log, stderr=subprocess.STDOUT)
        if not wait_until(lambda: os.path.exists(self.ready), 15):
            self.proc.kill()
            raise AssertionError("GLPI double did not start")
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

    def url(self, path="/front/inventory.php"):
        host = "[%s]" % self.host if ":" in self.host else self.host
        return "%s://%s:%d%s" % ("https" if self.tls else "http", host,
                                 self.port, path)

    def control_request(self, method, path, body=None, headers=None):
        """A request of the test itself to the double; a Response."""
        ctx = None
        if self.tls:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            if self.control_cert:
                ctx.load_cert_chain(*self.control_cert)
        return http(method, self.port, path, body, headers, host=self.host,
                    context=ctx)

    def requests(self):
        return self.control_request("GET", "/_double/requests").json()

    def tokens(self):
        """The OAuth token requests (with --oauth)."""
        return self.control_request("GET", "/_double/tokens").json()

    def behaviour(self, **kw):
        r = self.control_request("POST", "/_double/behaviour", json.dumps(kw),
                         {"Content-Type": "application/json"})
        if r.status != 200:
            raise AssertionError("behaviour %r refused: %r" % (kw, r))

    def reset(self):
        self.control_request("POST", "/_double/reset")

    @staticmethod
    def inflated(rec):
        return base64.b64decode(rec["inflated_b64"])


# The exit status ctest takes for "skipped" (SKIP_RETURN_CODE in
# tests/integration/CMakeLists.txt), as automake's test drivers do.
SKIP_EXIT = 77


def main():
    """Runs the calling module's tests and exits: 1 when one failed, else
    SKIP_EXIT when one was skipped (each skip printed with its reason),
    else 0.  A skip is thus seen by ctest, and tests/run-all fails on it
    unless tests/skip-allowed allows it."""
    prog = unittest.main(verbosity=2, exit=False)
    result = prog.result
    if not result.wasSuccessful():
        sys.exit(1)
    if result.skipped:
        print("SKIPPED %d test(s):" % len(result.skipped))
        for test, reason in result.skipped:
            print("  %s: %s" % (test.id(), reason))
        sys.stdout.flush()
        sys.exit(SKIP_EXIT)
    sys.exit(0)
