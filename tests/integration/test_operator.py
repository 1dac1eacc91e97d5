# SPDX-License-Identifier: GPL-3.0-or-later
"""Operator mistakes at start-up: each one stops `passeur serve` (or its
-n check) with a message that names the file, folder or port and says
what to do."""

import os
import pwd
import re
import signal
import shutil
import socket
import subprocess
import tempfile
import unittest

from harness import (AGENT_ID, BIN, FIXTURES, Passeur, main, wait_until,
                     write_cfg)

ROOT = os.geteuid() == 0
NOBODY = pwd.getpwnam("nobody").pw_uid if ROOT else None
INVENTORY = os.path.join(FIXTURES, "computer_small.json")
STORED = "passeur-test-2026-01-01-00-00-00.json"


def serve(*args, timeout=30):
    return subprocess.run([BIN, "serve"] + list(args), capture_output=True,
                          timeout=timeout, text=True,
                          stdin=subprocess.DEVNULL)


class ConfigurationMistakes(unittest.TestCase):
    def passeur(self, **kw):
        px = Passeur(**kw)
        self.addCleanup(px.cleanup)
        return px

    def test_missing_configuration_folder(self):
        d = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, d, True)
        missing = os.path.join(d, "nonexistent")
        for extra in (["-n"], ["-f"], []):
            p = serve("-c", missing, "--vardir", d, *extra)
            self.assertEqual(p.returncode, 1, extra)
            self.assertIn("%s: the configuration folder does not exist"
                          % missing, p.stderr)
            self.assertNotIn("every proxy instance is disabled", p.stderr)
        # Nothing was created in the state folder.
        self.assertEqual(os.listdir(d), [])

    def test_invalid_boolean_is_an_error(self):
        px = self.passeur(proxy={"only_local_store": "yse"})
        p = serve("-c", px.confdir, "--vardir", px.vardir, "-n")
        self.assertEqual(p.returncode, 1, p.stderr)
        cfg = os.path.join(px.confdir, "proxy-server-plugin.cfg")
        self.assertIn('%s:4: only_local_store: "yse" is not a boolean; use '
                      'yes or no (also true/false, on/off, 1/0)' % cfg,
                      p.stderr)
        self.assertNotIn("configuration OK", p.stdout)

    def test_error_in_local_file_names_its_file_and_line(self):
        px = self.passeur(
            agent={"include": '"agent.cfg.local"'},
            extra_files={"agent.cfg.local":
                         "# local changes\nhttpd-ip = 192.0.2.300\n"})
        p = serve("-c", px.confdir, "--vardir", px.vardir, "-n")
        self.assertEqual(p.returncode, 1)
        local = os.path.join(px.confdir, "agent.cfg.local")
        self.assertIn('%s:2: httpd-ip: "192.0.2.300" is not an IPv4 or IPv6 '
                      'address' % local, p.stderr)

    def test_unknown_key_gets_a_suggestion(self):
        px = self.passeur(proxy={"local_stor": "elsewhere",
                                 "frobnicate": "1"})
        p = serve("-c", px.confdir, "--vardir", px.vardir, "-n")
        # A warning, as the reference ignores unknown keys: still OK.
        self.assertEqual((p.returncode, p.stdout), (0, "configuration OK\n"),
                         p.stderr)
        cfg = os.path.join(px.confdir, "proxy-server-plugin.cfg")
        self.assertIn('%s:4: unknown configuration directive "local_stor", '
                      'ignored; did you mean local_store?' % cfg, p.stderr)
        self.assertRegex(p.stderr, r'"frobnicate", ignored\n')

    def test_local_store_under_a_file(self):
        px = self.passeur()
        blocker = os.path.join(px.dir, "hostname")
        with open(blocker, "w") as f:
            f.write("not a folder\n")
        store = os.path.join(blocker, "store")
        with open(os.path.join(px.confdir, "proxy-server-plugin.cfg"),
                  "a") as f:
            f.write("local_store = %s\n" % store)
        cfg = os.path.join(px.confdir, "proxy-server-plugin.cfg")
        for extra in (["-n"], ["-f"]):
            p = serve("-c", px.confdir, "--vardir", px.vardir, *extra)
            self.assertEqual(p.returncode, 1, p.stderr)
            self.assertIn("%s:4: local_store %s: %s is not a folder"
                          % (cfg, store, blocker), p.stderr)
            self.assertNotIn("configuration OK", p.stdout)


def post_inventory(px):
    with open(INVENTORY, "rb") as f:
        return px.post(f.read(), "application/json", agent_id=AGENT_ID)


def pid_alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False


@unittest.skipUnless(ROOT, "running as another user needs root")
class RunAsUser(unittest.TestCase):
    def test_unknown_user(self):
        px = Passeur(args=["-u", "no-such-user-here"])
        self.addCleanup(px.cleanup)
        for extra in (["-n"], ["-f"]):
            p = serve("-c", px.confdir, "--vardir", px.vardir, "-u",
                      "no-such-user-here", *extra)
            self.assertEqual(p.returncode, 1)
            self.assertIn("-u no-such-user-here: no such user", p.stderr)
            self.assertNotIn("configuration OK", p.stdout)
        self.assertFalse(os.path.exists(px.vardir))
        self.assertFalse(os.path.exists(px.store))

    def test_folders_created_for_the_user(self):
        px = Passeur(args=["-u", "nobody"])
        os.chmod(px.dir, 0o755)     # nobody can reach its folders
        with px:
            r = post_inventory(px)
            self.assertEqual(r.status, 200, r)
            self.assertEqual(px.files(), [STORED])
            for folder in (px.vardir, px.store):
                self.assertEqual(os.stat(folder).st_uid, NOBODY, folder)
            # The lock is kept once running as nobody.
            other = Passeur()
            self.addCleanup(other.cleanup)
            p = serve("-f", "-c", other.confdir, "--vardir", px.vardir)
            self.assertEqual(p.returncode, 1)
            self.assertIn("state folder %s is in use by another passeur "
                          "serve (pid %d)" % (px.vardir, px.proc.pid),
                          p.stderr)

    def test_existing_folder_the_user_cannot_write(self):
        px = Passeur(args=["-u", "nobody"])
        self.addCleanup(px.cleanup)
        os.chmod(px.dir, 0o755)
        os.makedirs(px.store, 0o750)    # root's, as an old start made it
        for extra in (["-n"], ["-f"]):
            p = serve("-c", px.confdir, "--vardir", px.vardir, "-u",
                      "nobody", *extra)
            self.assertEqual(p.returncode, 1, p.stderr)
            self.assertIn("-u nobody: local_store %s: user nobody cannot "
                          "write there (Permission denied); fix: make it "
                          "that user's (chown nobody)" % px.store, p.stderr)
        self.assertEqual(os.stat(px.store).st_uid, 0)


class StateFolderLock(unittest.TestCase):
    def test_second_instance_on_one_state_folder(self):
        with Passeur() as px:
            other = Passeur()
            self.addCleanup(other.cleanup)
            want = ("state folder %s is in use by another passeur serve "
                    "(pid %d); give each instance its own --vardir"
                    % (px.vardir, px.proc.pid))
            p = serve("-f", "-c", other.confdir, "--vardir", px.vardir)
            self.assertEqual(p.returncode, 1)
            self.assertIn(want, p.stderr)
            # Still held after a reload.
            px.proc.send_signal(signal.SIGHUP)
            px.wait_log("configuration reloaded")
            p = serve("-f", "-c", other.confdir, "--vardir", px.vardir)
            self.assertEqual(p.returncode, 1)
            self.assertIn(want, p.stderr)
            self.assertTrue(px.alive())
            with open(os.path.join(px.vardir, "passeur.lock")) as f:
                self.assertEqual(f.read(), "%d\n" % px.proc.pid)

    def test_reload_cannot_move_the_state_folder(self):
        px = Passeur()
        self.addCleanup(px.cleanup)
        other = os.path.join(px.dir, "var2")
        agent = os.path.join(px.confdir, "agent.cfg")
        with open(agent, "a") as f:
            f.write("vardir = %s\n" % px.vardir)
        with open(px.logpath, "wb") as log:
            proc = subprocess.Popen([BIN, "serve", "-f", "-c", px.confdir],
                                    stdout=log, stderr=subprocess.STDOUT)
        try:
            px.proc = proc
            self.assertTrue(wait_until(px.alive, 15), px.log())
            with open(agent, "a") as f:
                f.write("vardir = %s\n" % other)
            proc.send_signal(signal.SIGHUP)
            px.wait_log("reload refused: vardir changed from %s to %s"
                        % (px.vardir, other))
            self.assertTrue(px.alive())
            self.assertFalse(os.path.exists(other))
        finally:
            px.proc = None
            proc.send_signal(signal.SIGTERM)
            self.assertEqual(proc.wait(40), 0)


class ListenErrors(unittest.TestCase):
    def busy_port(self):
        s = socket.socket()
        self.addCleanup(s.close)
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        return s.getsockname()[1]

    def test_port_in_use(self):
        port = self.busy_port()
        px = Passeur(port=port)
        self.addCleanup(px.cleanup)
        p = serve("-f", "-c", px.confdir, "--vardir", px.vardir)
        self.assertEqual(p.returncode, 1)
        self.assertIn("[error] cannot listen on 127.0.0.1 port %d: the port "
                      "is already in use by another program" % port,
                      p.stderr)

    @unittest.skipUnless(ROOT, "a port below 1024 is refused to a user "
                         "only; the tests run as that user from root")
    def test_port_not_allowed(self):
        with open("/proc/sys/net/ipv4/ip_unprivileged_port_start") as f:
            if int(f.read()) <= 1000:
                self.skipTest("ports below 1024 are open to every user")
        px = Passeur(port=1000)
        self.addCleanup(px.cleanup)
        for top, dirs, files in os.walk(px.dir):
            os.chown(top, NOBODY, -1)
            for name in files:
                os.chown(os.path.join(top, name), NOBODY, -1)
        # The build may sit in a folder nobody cannot reach (/root): run a
        # copy from a folder nobody can.
        bindir = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, bindir, True)
        os.chmod(bindir, 0o755)
        binary = os.path.join(bindir, "passeur")
        shutil.copy(BIN, binary)
        p = subprocess.run([binary, "serve", "-f", "-c", px.confdir,
                            "--vardir", px.vardir], capture_output=True,
                           text=True, timeout=30, stdin=subprocess.DEVNULL,
                           preexec_fn=lambda: os.setuid(NOBODY))
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("cannot listen on 127.0.0.1 port 1000: permission "
                      "denied; a port below 1024 needs root (with -u USER "
                      "to run as another user once bound) or the "
                      "CAP_NET_BIND_SERVICE capability", p.stderr)

    def test_reload_with_a_port_in_use_is_refused(self):
        port = self.busy_port()
        with Passeur() as px:
            write_cfg(os.path.join(px.confdir, "proxy2-server-plugin.cfg"),
                      {"disabled": "no", "port": port,
                       "local_store": px.store})
            px.proc.send_signal(signal.SIGHUP)
            log = px.wait_log("reload refused")
            self.assertIn("[error] cannot listen on 127.0.0.1 port %d: the "
                          "port is already in use" % port, log)
            self.assertTrue(px.alive())
            self.assertEqual(post_inventory(px).status, 200)


class Background(unittest.TestCase):
    def start(self, px, *extra):
        """Starts px in the background; returns (CompletedProcess, pid)."""
        p = serve("-c", px.confdir, "--vardir", px.vardir, *extra)
        m = re.search(r"started \(pid (\d+)", p.stderr)
        pid = int(m.group(1)) if m else None
        if pid is None and p.returncode == 0:
            # Started without saying so: still stop it after the test.
            for other in os.listdir("/proc"):
                try:
                    with open("/proc/%s/cmdline" % other, "rb") as f:
                        if px.confdir.encode() + b"\0" in f.read():
                            self.addCleanup(self.stop, int(other))
                except (OSError, ValueError):
                    pass
        if pid:
            self.addCleanup(self.stop, pid)
        return p, pid

    def stop(self, pid):
        if pid_alive(pid):
            os.kill(pid, signal.SIGTERM)
            wait_until(lambda: not pid_alive(pid), 40)

    def test_pid_file_and_start_line(self):
        px = Passeur(agent={"logger": "file", "logfile": "passeur.log"})
        self.addCleanup(px.cleanup)
        p, pid = self.start(px)
        self.assertEqual(p.returncode, 0, p.stderr)
        pidfile = os.path.join(px.vardir, "passeur.pid")
        # The start line reaches the terminal, not only the log file.
        self.assertIn("[info] passeur ", p.stderr)
        self.assertIn("started (pid %d, pid file %s)" % (pid, pidfile),
                      p.stderr)
        with open(pidfile) as f:
            self.assertEqual(f.read(), "%d\n" % pid)
        self.assertTrue(px.alive())
        # The pid file signals this instance only.
        os.kill(pid, signal.SIGHUP)
        log = os.path.join(px.confdir, "passeur.log")

        def reloaded():
            with open(log) as f:
                return "configuration reloaded" in f.read()
        self.assertTrue(wait_until(reloaded, 20))
        os.kill(pid, signal.SIGTERM)
        self.assertTrue(wait_until(lambda: not pid_alive(pid), 40))
        self.assertFalse(os.path.exists(pidfile))

    def test_pidfile_option(self):
        px = Passeur()
        self.addCleanup(px.cleanup)
        pidfile = os.path.join(px.dir, "run", "serve.pid")
        os.makedirs(os.path.dirname(pidfile))
        p, pid = self.start(px, "--pidfile", pidfile)
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(pidfile) as f:
            self.assertEqual(int(f.read()), pid)
        self.assertFalse(os.path.exists(os.path.join(px.vardir,
                                                     "passeur.pid")))
        os.kill(pid, signal.SIGTERM)
        self.assertTrue(wait_until(lambda: not pid_alive(pid), 40))
        self.assertFalse(os.path.exists(pidfile))

    def test_start_error_on_stderr_with_a_log_file(self):
        s = socket.socket()
        self.addCleanup(s.close)
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        px = Passeur(port=s.getsockname()[1],
                     agent={"logger": "file", "logfile": "passeur.log"})
        self.addCleanup(px.cleanup)
        p, pid = self.start(px)
        self.assertEqual(p.returncode, 1)
        self.assertIsNone(pid)
        self.assertIn("cannot listen on 127.0.0.1 port %d: the port is "
                      "already in use" % px.port, p.stderr)
        self.assertFalse(os.path.exists(os.path.join(px.vardir,
                                                     "passeur.pid")))

    def test_syslog_without_dev_log(self):
        if os.path.exists("/dev/log"):
            self.skipTest("a syslog socket exists at /dev/log here")
        px = Passeur(agent={"logger": "syslog"})
        self.addCleanup(px.cleanup)
        p, pid = self.start(px)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stderr.count("/dev/log does not exist"), 1,
                         p.stderr)
        self.assertIn("every log line will be lost", p.stderr)


if __name__ == "__main__":
    main()
