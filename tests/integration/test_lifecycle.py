# SPDX-License-Identifier: GPL-3.0-or-later
"""Command line and life cycle: -n, -T, reload on SIGHUP, drain on
SIGTERM, one instance per port, the state folder."""

import os
import signal
import subprocess
import tempfile
import shutil
import threading
import time
import unittest

from harness import BIN, SOURCE, Passeur, free_port, main, raw, wait_until


def read(path):
    with open(path) as f:
        return f.read()


def serve(*args, timeout=20):
    return subprocess.run([BIN, "serve"] + list(args), capture_output=True,
                          timeout=timeout, text=True)


class Lifecycle(unittest.TestCase):
    def test_shipped_configuration_checks(self):
        v = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, v, True)
        etc = os.path.join(SOURCE, "etc")
        p = serve("-c", etc, "--vardir", v, "-n")
        self.assertEqual((p.returncode, p.stdout), (0, "configuration OK\n"),
                         p.stderr)
        p = serve("-c", etc, "--vardir", v, "-T")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("httpd-port = 62354\n", p.stdout)
        self.assertIn("local_store = %s/store\n" % v, p.stdout)
        self.assertIn("only_local_store = yes\n", p.stdout)

    def test_errors_name_file_and_line(self):
        px = Passeur(proxy={"maxrate": "lots", "max_body_size": "9Q"})
        self.addCleanup(px.cleanup)
        p = serve("-c", px.confdir, "-n")
        self.assertEqual(p.returncode, 1)
        cfg = os.path.join(px.confdir, "proxy-server-plugin.cfg")
        self.assertIn("%s:3: maxrate: expected a number" % cfg, p.stderr)
        self.assertIn("%s:4: max_body_size: expected a size" % cfg, p.stderr)
        self.assertNotIn("configuration OK", p.stdout)

    def test_bad_fingerprint_is_a_configuration_error(self):
        px = Passeur(agent={"ssl-fingerprint": "sha256$12:zz"})
        self.addCleanup(px.cleanup)
        p = serve("-c", px.confdir, "-n")
        self.assertEqual(p.returncode, 1)
        self.assertRegex(p.stderr, r"/agent\.cfg:\d+: ssl-fingerprint:")
        self.assertIn("sha256$12:zz", p.stderr)

    def test_local_overrides_and_unknown_keys(self):
        px = Passeur(proxy={"include": '"proxy-server-plugin.local"',
                            "bogus_key": "1"},
                     extra_files={"proxy-server-plugin.local":
                                  "maxrate = 7\nurl_path = /relay/\n"})
        self.addCleanup(px.cleanup)
        p = serve("-c", px.confdir, "--vardir", px.vardir, "-T")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("maxrate = 7\n", p.stdout)
        self.assertIn("url_path = /relay\n", p.stdout)
        self.assertIn('unknown configuration directive "bogus_key"', p.stderr)

    def test_secrets_masked(self):
        px = Passeur(agent={"password": "s3cret", "user": "u"})
        self.addCleanup(px.cleanup)
        p = serve("-c", px.confdir, "-T")
        self.assertNotIn("s3cret", p.stdout + p.stderr)
        self.assertIn("password = ********", p.stdout)

    def test_same_port_and_path_is_an_error(self):
        px = Passeur(proxy2={"disabled": "no", "local_store": "/tmp"})
        self.addCleanup(px.cleanup)
        p = serve("-c", px.confdir, "-n")
        self.assertEqual(p.returncode, 1)
        self.assertIn("both serve port %d" % px.port, p.stderr)

    def test_second_instance_on_same_port_fails(self):
        with Passeur() as px:
            other = Passeur(port=px.port)
            self.addCleanup(other.cleanup)
            p = serve("-f", "-c", other.confdir, "--vardir", other.vardir)
            self.assertEqual(p.returncode, 1)
            self.assertIn("cannot listen on 127.0.0.1 port %d" % px.port,
                          p.stderr)
            self.assertTrue(px.alive())

    @unittest.skipUnless(os.geteuid() == 0, "dropping privileges needs root")
    def test_drops_privileges_after_binding(self):
        px = Passeur(args=["-u", "nobody"])
        os.chmod(px.dir, 0o755)    # nobody reaches its folders
        with px:
            self.assertTrue(px.alive())
            # The ports answer before the privileges are dropped: wait for
            # the line that says they are, then look.
            px.wait_log(r"running as user nobody")
            with open("/proc/%d/status" % px.proc.pid) as f:
                ids = dict(l.split(":", 1) for l in f if ":" in l)
            self.assertEqual(ids["Uid"].split(), ["65534"] * 4)
        px = Passeur(args=["-u", "no-such-user-here"])
        try:
            p = subprocess.run([BIN, "serve", "-f", "-c", px.confdir,
                                "--vardir", px.vardir] + px.args,
                               capture_output=True, timeout=30)
            self.assertNotEqual(p.returncode, 0)
            self.assertIn("no-such-user-here", p.stderr.decode())
        finally:
            px.cleanup()

    def test_proxy_id_kept_across_restarts(self):
        px = Passeur()
        self.addCleanup(px.cleanup)
        px.start()
        with open(os.path.join(px.vardir, "proxy-id")) as f:
            first = f.read()
        px.stop()
        px.start()
        with open(os.path.join(px.vardir, "proxy-id")) as f:
            self.assertEqual(f.read(), first)
        px.stop()
        self.assertRegex(first, r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-"
                                r"[89ab][0-9a-f]{3}-[0-9a-f]{12}\n$")

    def test_idle_daemon_sleeps(self):
        # An idle daemon uses next to no CPU: a thread that spins (a
        # deadline on the wrong clock) burns a whole CPU in this time.
        with Passeur() as px:
            tick = os.sysconf("SC_CLK_TCK")

            def cpu():
                with open("/proc/%d/stat" % px.proc.pid) as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                return (int(fields[11]) + int(fields[12])) / tick

            time.sleep(1)
            before, start = cpu(), time.monotonic()
            time.sleep(4)
            used, spent = cpu() - before, time.monotonic() - start
            self.assertLess(used, 0.1 * spent,
                            "%.2f s of CPU in %.1f s idle" % (used, spent))

    def test_sighup_reloads(self):
        with Passeur(proxy={"url_path": "/proxy"}) as px:
            cfg = os.path.join(px.confdir, "proxy-server-plugin.cfg")
            with open(cfg, "a") as f:
                f.write("url_path = /relay\n")
            px.proc.send_signal(signal.SIGHUP)
            self.assertTrue(wait_until(lambda: px.request(
                "GET", "/relay/apiversion").status == 200, 10))
            self.assertEqual(px.request("GET", "/proxy/apiversion").status, 400)
            # A broken file is refused and the running configuration kept.
            with open(cfg, "a") as f:
                f.write("maxrate = many\n")
            px.proc.send_signal(signal.SIGHUP)
            self.assertTrue(wait_until(lambda: "running one is kept" in
                                       px.log(), 10))
            self.assertEqual(px.request("GET", "/relay/apiversion").status, 200)

    def test_failed_reload_keeps_serving(self):
        from harness import AGENT_ID
        with Passeur() as px, Passeur() as busy:
            cfg = os.path.join(px.confdir, "agent.cfg")
            with open(cfg, "a") as f:
                f.write("httpd-port = %d\n" % busy.port)
            px.proc.send_signal(signal.SIGHUP)
            self.assertTrue(wait_until(lambda: "previous ones are restored"
                                       in px.log(), 30))
            self.assertTrue(wait_until(px.alive, 10))
            # The request-id cache is still there (it used to be freed).
            r = px.request("GET", "/proxy/glpi", None,
                           {"GLPI-Agent-ID": AGENT_ID,
                            "GLPI-Request-ID": "0123ABCD"})
            self.assertEqual(r.status, 404)
            self.assertTrue(busy.alive())

    def test_reload_moves_the_log(self):
        px = Passeur()
        self.addCleanup(px.cleanup)
        px.start()
        logfile = os.path.join(px.dir, "moved.log")
        cfg = os.path.join(px.confdir, "agent.cfg")
        with open(cfg) as f:
            original = f.read()
        with open(cfg, "a") as f:
            f.write("logger = file\nlogfile = %s\n" % logfile)
        px.proc.send_signal(signal.SIGHUP)
        self.assertTrue(wait_until(lambda: os.path.exists(logfile) and
                                   "configuration reloaded" in
                                   read(logfile), 10))
        px.request("GET", "/proxy/apiversion")
        self.assertTrue(wait_until(lambda: "apiversion 200" in
                                   read(logfile), 5))
        self.assertNotIn("apiversion 200", px.log())
        with open(cfg, "w") as f:
            f.write(original)
        px.proc.send_signal(signal.SIGHUP)
        self.assertTrue(wait_until(lambda: "configuration reloaded" in
                                   px.log(), 10))
        size = os.path.getsize(logfile)
        px.request("GET", "/proxy/apiversion")
        self.assertTrue(wait_until(lambda: "apiversion 200" in px.log(), 5))
        self.assertEqual(os.path.getsize(logfile), size)
        px.stop()

    def test_queued_forwards_cancelled_at_stop(self):
        from harness import AGENT_ID, GlpiDouble
        with GlpiDouble() as glpi:
            glpi.behaviour(delay_ms=120000)
            px = Passeur(agent={"server": glpi.url()},
                         proxy={"max_proxy_threads": 50})
            self.addCleanup(px.cleanup)
            px.start()
            # 40 agents: one agent holds at most 8 answers in waiting.
            for i in range(40):
                r = px.post(b'{"deviceid":"pc-%d"}' % i, "application/json",
                            "%s%012x" % (AGENT_ID[:24], i))
                self.assertEqual(r.status, 202)
            start = time.monotonic()
            px.proc.send_signal(signal.SIGTERM)
            self.assertEqual(px.proc.wait(60), 0)
            self.assertLess(time.monotonic() - start, 30)
            px.stop()
            self.assertIn("are cancelled", px.log())
            self.assertEqual(len(px.files()), 40)

    def test_sigterm_drains_request_in_progress(self):
        px = Passeur()
        self.addCleanup(px.cleanup)
        px.start()
        body = (b"<?xml version='1.0'?>\n<REQUEST><DEVICEID>drain-1</DEVICEID>"
                b"<QUERY>INVENTORY</QUERY></REQUEST>\n")
        head = (b"POST /proxy/glpi HTTP/1.1\r\nHost: x\r\n"
                b"Content-Type: application/xml\r\n"
                b"Content-Length: %d\r\n\r\n" % len(body))
        out = {}

        def client():
            out["answer"] = raw(px.port, [head + body[:20], body[20:]],
                                pause=1.0)
        t = threading.Thread(target=client)
        t.start()
        time.sleep(0.5)
        px.proc.send_signal(signal.SIGTERM)
        t.join(20)
        self.assertEqual(px.proc.wait(20), 0)
        self.assertTrue(out["answer"].startswith(b"HTTP/1.1 200"), out)
        self.assertEqual(px.files(), ["drain-1.xml"])
        px.stop()
        self.assertIn("stopped", px.log())

    def test_sigterm_cancels_hanging_forward(self):
        from harness import GlpiDouble, FIXTURES
        with open(os.path.join(FIXTURES, "inventory_small.xml"), "rb") as f:
            body = f.read()
        with GlpiDouble() as glpi:
            glpi.behaviour(delay_ms=120000)
            # From memory (no spool), the agent waits for the forward.
            px = Passeur(agent={"server": glpi.url(), "spool": ""})
            self.addCleanup(px.cleanup)
            px.start()
            out = {}

            def client():
                out["r"] = px.post(body, "application/xml")
            t = threading.Thread(target=client)
            t.start()
            # The forward is in flight: the double has it and holds it.
            self.assertTrue(wait_until(lambda: len(glpi.requests()) == 1, 30))
            self.assertNotIn("inventory", px.log())
            start = time.monotonic()
            px.proc.send_signal(signal.SIGTERM)
            self.assertEqual(px.proc.wait(40), 0)
            self.assertLess(time.monotonic() - start, 30)
            t.join(10)
            self.assertEqual((out["r"].status, out["r"].body),
                             (500, b"Inventory not sent to server0"))
            # What was acknowledged to no one is still kept locally.
            self.assertEqual(px.files(),
                             ["passeur-test-2026-01-01-00-00-00.xml"])
            px.stop()
            self.assertIn("cancelling their forwards", px.log())

    def test_detached_start(self):
        px = Passeur()
        self.addCleanup(px.cleanup)
        busy = Passeur(port=px.port)
        self.addCleanup(busy.cleanup)
        busy.start()
        try:
            # Port taken: the detached start fails visibly.
            p = serve("-c", px.confdir, "--vardir", px.vardir)
            self.assertEqual(p.returncode, 1)
            self.assertIn("cannot listen", p.stderr)
        finally:
            busy.stop()
        # Relative paths stay valid once detached (it runs in /).
        rel = os.path.relpath(px.vardir)
        self.addCleanup(subprocess.run, ["pkill", "-f", "--",
                                         "--vardir " + rel + "$"])
        p = serve("-c", os.path.relpath(px.confdir), "--vardir", rel)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertTrue(wait_until(px.alive, 20))
        self.assertTrue(os.path.exists(os.path.join(px.vardir, "proxy-id")))
        pids = subprocess.run(["pgrep", "-f", "--", "--vardir " + rel + "$"],
                              capture_output=True, text=True).stdout.split()
        self.assertEqual(len(pids), 1, pids)
        os.kill(int(pids[0]), signal.SIGTERM)
        self.assertTrue(wait_until(lambda: not os.path.exists(
            "/proc/" + pids[0]), 30))

    def test_version_and_usage(self):
        p = subprocess.run([BIN, "--version"], capture_output=True, text=True)
        self.assertEqual(p.returncode, 0)
        self.assertRegex(p.stdout, r"^passeur \d+\.\d+\.\d+\n$")
        p = subprocess.run([BIN, "frobnicate"], capture_output=True, text=True)
        self.assertEqual(p.returncode, 2)
        self.assertIn("unknown command", p.stderr)
        p = serve("-Z")
        self.assertEqual(p.returncode, 2)
        self.assertIn("usage: passeur serve", p.stderr)
        p = serve("-h")
        self.assertEqual(p.returncode, 0)
        self.assertIn("usage: passeur serve", p.stdout)


if __name__ == "__main__":
    main()
