# SPDX-License-Identifier: GPL-3.0-or-later
"""One daemon per spool, and `passeur spool retry | drop` with the daemon
running (the request goes through the daemon, whose counts follow) or
stopped (the command changes the files itself, under the spool's lock)."""

import fcntl
import json
import os
import pty
import pwd
import re
import signal
import subprocess
import time
import unittest
import uuid

from harness import (AGENT_ID, BIN, GlpiDouble, Passeur, free_port, http,
                     main, run_passeur, wait_until, zlib_of)

FAST = {"spool_retry_min": 1, "spool_retry_max": 2, "timeout": 3}


def inventory(device, seq=1):
    return json.dumps({"action": "inventory", "deviceid": device,
                       "itemtype": "Computer", "partial": True,
                       "content": {"versionclient": "GLPI-Agent_v1.12",
                                   "hardware": {"name": "seq-%d" % seq}}}
                      ).encode()


def spool_dir(px):
    return os.path.join(px.vardir, "spool")


def ids(px, sub=""):
    d = os.path.join(spool_dir(px), sub)
    return sorted(n[:16] for n in os.listdir(d) if n.endswith(".meta"))


def devices_delivered(glpi):
    out = []
    for rec in glpi.requests():
        if rec["method"] == "POST" and rec["status"] == 200 and \
                rec["inflated_b64"]:
            doc = json.loads(GlpiDouble.inflated(rec))
            out.append(doc["deviceid"])
    return out


def spool(px, *args, input=None):
    return run_passeur(["spool", "--spool", spool_dir(px)] + list(args),
                       input=input, timeout=60)


def daemon(glpi, **agent):
    """A Passeur forwarding to glpi, its admin listener on px.sport."""
    sport = free_port()
    px = Passeur(agent={"server": glpi.url(), "status_port": sport, **FAST,
                        **agent})
    px.sport = sport
    return px


def metric(px, name):
    r = http("GET", px.sport, "/metrics")
    m = re.search(r"^%s (\S+)$" % re.escape(name), r.body.decode(), re.M)
    return float(m.group(1)) if m else None


class OneDaemonPerSpool(unittest.TestCase):
    def test_second_daemon_on_one_spool_is_refused(self):
        with Passeur(agent={"server": "http://127.0.0.1:9/"}) as px:
            other = Passeur(agent={"server": "http://127.0.0.1:9/",
                                   "spool": spool_dir(px)})
            self.addCleanup(other.cleanup)
            want = ("spool %s is in use by another process (pid %d): one "
                    "passeur serve per spool" % (spool_dir(px), px.proc.pid))
            for _ in range(2):
                p = subprocess.run([BIN, "serve", "-f", "-c", other.confdir,
                                    "--vardir", other.vardir],
                                   capture_output=True, text=True,
                                   timeout=20)
                self.assertEqual(p.returncode, 1, p.stderr)
                self.assertIn(want, p.stderr)
                # Still held after a reload.
                px.proc.send_signal(signal.SIGHUP)
                px.wait_log("configuration reloaded")
            self.assertTrue(px.alive())
            with open(os.path.join(spool_dir(px), "spool.lock")) as f:
                self.assertEqual(f.read(), "%d\n" % px.proc.pid)
            # Once the first one stops, the second one starts.
            px.stop()
            other.start()
            other.stop()

    def test_a_daemon_run_as_another_user_answers(self):
        # Started by root with -u: what it makes in the spool is the
        # user's, or it could not take the requests of root's command.
        px = Passeur(agent={"server": "http://127.0.0.1:9/"},
                     args=["-u", "nobody"])
        self.addCleanup(px.cleanup)
        os.chmod(px.dir, 0o755)
        with px:
            for name in ("ctl", "failed", "spool.lock"):
                self.assertEqual(os.stat(os.path.join(
                    spool_dir(px), name)).st_uid, pwd.getpwnam(
                    "nobody").pw_uid, name)
            p = spool(px, "retry", "--all")
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertIn(b"retry --all: 0 waiting item(s)", p.stdout)
            self.assertEqual(ctl_files(px), [])


# Items wait a minute or more between attempts: only a retry is soon.
SLOW = {"spool_retry_min": 60, "spool_retry_max": 120}


def queued(px, device):
    """The spool ids the daemon logged as queued for device."""
    return set(re.findall(r"spool ([0-9a-f]{16}): queued JSON \S+ of "
                          r"device %s " % re.escape(device), px.log()))


def queue(test, px, device):
    """Posts a JSON inventory of device; returns its spool id (from the
    log: the item may be delivered or failed before a listing)."""
    before = queued(px, device)
    r = px.post(zlib_of(inventory(device)), "application/x-compress-zlib",
                AGENT_ID)
    test.assertEqual(r.status, 202, r)
    wait_until(lambda: queued(px, device) - before, 10)
    new = queued(px, device) - before
    test.assertEqual(len(new), 1)
    return new.pop()


def ctl_files(px):
    d = os.path.join(spool_dir(px), "ctl")
    return sorted(os.listdir(d)) if os.path.isdir(d) else []


class WithDaemon(unittest.TestCase):
    def test_retry_of_a_failed_item_delivers_it_and_metrics_follow(self):
        with GlpiDouble() as glpi:
            glpi.behaviour(fail_match="dev-f", fail_status=400,
                           fail_body='{"status":"error","message":"no"}')
            with daemon(glpi) as px:
                item = queue(self, px, "dev-f")
                px.wait_log(r"spool %s: failed for good" % item)
                self.assertEqual(ids(px, "failed"), [item])
                self.assertTrue(wait_until(lambda: metric(
                    px, "passeur_spool_items") == 0))
                # Back in the spool, it waits through an outage...
                glpi.behaviour(fail_match="dev-f", fail_status=503)
                p = spool(px, "retry", item)
                self.assertEqual(p.returncode, 0, p.stderr)
                self.assertIn(b"item %s of device dev-f: back from failed/, "
                              b"to be attempted now (last error: server0: "
                              b"HTTP 400" % item.encode(), p.stdout)
                self.assertEqual(ids(px, "failed"), [])
                self.assertEqual(os.listdir(os.path.join(spool_dir(px),
                                                         "failed")), [])
                self.assertTrue(wait_until(lambda: metric(
                    px, "passeur_spool_items") == 1), px.log())
                self.assertGreater(metric(px, "passeur_spool_bytes"), 0)
                px.wait_log(r"spool %s: attempt 1 failed \(device dev-f\)"
                            % item)
                # ... and is delivered once it ends.
                glpi.behaviour(fail_match="")
                self.assertTrue(wait_until(lambda: "dev-f" in
                                           devices_delivered(glpi), 20),
                                px.log())
                self.assertTrue(wait_until(lambda: metric(
                    px, "passeur_spool_items") == 0 and metric(
                    px, "passeur_spool_bytes") == 0), px.log())
                self.assertEqual(ids(px), [])
                log = px.log()
                self.assertRegex(log, r"passeur spool: item %s of device "
                                 r"dev-f: back from failed/" % item)
                self.assertEqual(ctl_files(px), [])

    def test_retry_all_after_an_outage(self):
        with GlpiDouble() as glpi:
            glpi.behaviour(fail_match="dev-a", fail_status=400)
            with daemon(glpi, **SLOW) as px:
                gone = queue(self, px, "dev-a")
                px.wait_log(r"spool %s: failed for good" % gone)
                glpi.behaviour(fail_match="versionclient", fail_status=503)
                waiting = [queue(self, px, d) for d in ("dev-b", "dev-c")]
                for item in waiting:
                    px.wait_log(r"spool %s: attempt 1 failed" % item)
                # The outage ends; the next attempts are a minute away.
                glpi.behaviour(fail_match="")
                p = spool(px, "retry", "--all")
                self.assertEqual(p.returncode, 0, p.stderr)
                self.assertIn(b"retry --all: 2 waiting item(s) to be "
                              b"attempted now, 1 item(s) back from failed/",
                              p.stdout)
                self.assertTrue(wait_until(lambda: sorted(
                    devices_delivered(glpi)) == ["dev-a", "dev-b", "dev-c"],
                    15), px.log())
                self.assertTrue(wait_until(lambda: ids(px) == []))
                self.assertEqual(ids(px, "failed"), [])
                self.assertTrue(wait_until(lambda: metric(
                    px, "passeur_spool_items") == 0))

    def test_drop_with_the_daemon_running(self):
        with GlpiDouble() as glpi:
            glpi.behaviour(fail_match="versionclient", fail_status=503)
            with daemon(glpi, **SLOW) as px:
                item = queue(self, px, "dev-d")
                keep = queue(self, px, "dev-e")
                px.wait_log(r"spool %s: attempt 1 failed" % item)
                px.wait_log(r"spool %s: attempt 1 failed" % keep)
                self.assertTrue(wait_until(lambda: metric(
                    px, "passeur_spool_items") == 2))
                p = spool(px, "drop", item)
                self.assertEqual(p.returncode, 0, p.stderr)
                self.assertEqual(p.stdout.decode(),
                                 "item %s of device dev-d dropped (it was "
                                 "waiting, 1 failed attempt(s))\n" % item)
                px.wait_log(r"passeur spool: item %s of device dev-d "
                            r"dropped" % item)
                self.assertEqual(ids(px), [keep])
                self.assertEqual(metric(px, "passeur_spool_items"), 1)
                # Again: it is gone.
                p = spool(px, "drop", item, "--yes")
                self.assertEqual(p.returncode, 1)
                self.assertIn(b"no such item", p.stderr)
                self.assertEqual(ids(px), [keep])
                self.assertEqual(ctl_files(px), [])
                # The other one is still delivered, the dropped one never.
                glpi.behaviour(fail_match="")
                self.assertEqual(spool(px, "retry", keep).returncode, 0)
                self.assertTrue(wait_until(lambda: devices_delivered(glpi)
                                           == ["dev-e"], 15), px.log())
                self.assertTrue(wait_until(lambda: metric(
                    px, "passeur_spool_items") == 0))

    def test_an_item_being_attempted_is_not_dropped(self):
        with GlpiDouble() as glpi:
            glpi.behaviour(delay_ms=8000)
            with daemon(glpi, timeout=30) as px:
                item = queue(self, px, "dev-s")
                # Its attempt runs for 8 s at the double.
                time.sleep(1.5)
                p = spool(px, "drop", item, "--yes")
                self.assertEqual(p.returncode, 1, p.stderr)
                self.assertIn(b"item %s: an attempt runs now; nothing "
                              b"dropped" % item.encode(), p.stderr)
                p = spool(px, "retry", item)
                self.assertEqual(p.returncode, 0, p.stderr)
                self.assertIn(b"item %s of device dev-s: an attempt runs "
                              b"now" % item.encode(), p.stdout)
                self.assertTrue(wait_until(lambda: devices_delivered(glpi)
                                           == ["dev-s"], 20), px.log())
                self.assertTrue(wait_until(lambda: ids(px) == []))

    def test_unknown_and_malformed_ids(self):
        with GlpiDouble() as glpi, daemon(glpi, **SLOW) as px:
            glpi.behaviour(fail_match="versionclient", fail_status=503)
            item = queue(self, px, "dev-u")
            px.wait_log(r"spool %s: attempt 1 failed" % item)
            before = sorted(os.listdir(spool_dir(px)))
            for verb in ("retry", "drop"):
                p = spool(px, verb, "0123456789abcdef")
                self.assertEqual(p.returncode, 1, p.stderr)
                self.assertEqual(p.stderr.decode(),
                                 "item 0123456789abcdef: no such item "
                                 "(delivered, dropped, or never there)\n")
                for bad in ("../x", "../../spool.lock", item.upper(),
                            item[:-1], item + "0", "", " " + item):
                    p = spool(px, verb, bad)
                    self.assertEqual(p.returncode, 2, (bad, p.stderr))
                    self.assertIn(b"not an item id", p.stderr)
                    self.assertEqual(ctl_files(px), [])
            p = spool(px, "drop", "--all")
            self.assertEqual(p.returncode, 2, p.stderr)
            self.assertIn(b"usage: passeur spool", p.stderr)
            self.assertEqual(sorted(os.listdir(spool_dir(px))), before)
            self.assertEqual(ids(px), [item])
            # The daemon saw the two unknown ids, none of the others.
            self.assertEqual(px.log().count("passeur spool:"), 2)

    def test_the_daemon_does_not_answer(self):
        # A process that holds the lock but never answers, as a daemon
        # stuck would: the command gives up, withdraws its request.
        px = Passeur()
        self.addCleanup(px.cleanup)
        os.makedirs(os.path.join(spool_dir(px), "ctl"))
        with open(os.path.join(spool_dir(px), "spool.lock"), "w") as f:
            fcntl.flock(f, fcntl.LOCK_EX)
            f.write("%d\n" % os.getpid())
            f.flush()
            p = spool(px, "retry", "0123456789abcdef")
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertIn(b"the daemon (pid %d) did not answer within 10 s; the "
                      b"request is withdrawn" % os.getpid(), p.stderr)
        self.assertEqual(ctl_files(px), [])


class WithoutDaemon(unittest.TestCase):
    def test_drop_and_retry_with_no_daemon_then_start(self):
        with GlpiDouble() as glpi:
            glpi.behaviour(fail_match="dev-n", fail_status=400)
            px = daemon(glpi, **SLOW)
            self.addCleanup(px.cleanup)
            px.start()
            failed = queue(self, px, "dev-n")
            px.wait_log(r"spool %s: failed for good" % failed)
            glpi.behaviour(fail_match="versionclient", fail_status=503)
            waiting = queue(self, px, "dev-w")
            dropped = queue(self, px, "dev-x")
            px.wait_log(r"spool %s: attempt 1 failed" % waiting)
            px.wait_log(r"spool %s: attempt 1 failed" % dropped)
            px.stop()
            # No daemon: the command changes the files itself.
            p = spool(px, "drop", dropped)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertIn(b"item %s of device dev-x dropped" %
                          dropped.encode(), p.stdout)
            p = spool(px, "retry", waiting)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertIn(b"item %s of device dev-w: to be attempted now "
                          b"(1 failed attempt(s) so far)" % waiting.encode(),
                          p.stdout)
            with open(os.path.join(spool_dir(px), waiting + ".meta")) as f:
                self.assertIn("next-attempt: 0 (-)\n", f.read())
            p = spool(px, "retry", failed)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertIn(b"back from failed/", p.stdout)
            with open(os.path.join(spool_dir(px), failed + ".meta")) as f:
                meta = f.read()
            self.assertIn("attempts: 0\n", meta)
            self.assertIn("last-error: \n", meta)
            self.assertEqual(ids(px), sorted([failed, waiting]))
            self.assertEqual(os.listdir(os.path.join(spool_dir(px),
                                                     "failed")), [])
            p = spool(px, "drop", "0123456789abcdef", "--yes")
            self.assertEqual(p.returncode, 1)
            self.assertIn(b"no such item", p.stderr)
            self.assertEqual(ctl_files(px), [])
            # The lock is free again: the daemon starts and delivers both
            # at once, though their attempts were a minute away.
            glpi.behaviour(fail_match="")
            px.start()
            px.wait_log(r"spool \S+: 2 item\(s\) to deliver")
            self.assertTrue(wait_until(lambda: sorted(devices_delivered(
                glpi)) == ["dev-n", "dev-w"], 15), px.log())
            self.assertTrue(wait_until(lambda: ids(px) == []))
            px.stop()

    def test_drop_of_a_failed_item_asks_on_a_terminal(self):
        with GlpiDouble() as glpi:
            glpi.behaviour(fail_match="dev-t", fail_status=400)
            px = daemon(glpi)
            self.addCleanup(px.cleanup)
            px.start()
            item = queue(self, px, "dev-t")
            px.wait_log(r"spool %s: failed for good" % item)
            px.stop()
            for answer, code in ((b"n\n", 1), (b"y\n", 0)):
                out = terminal([BIN, "spool", "--spool", spool_dir(px),
                                "drop", item], answer)
                self.assertIn(b"drop item %s of device dev-t (failed)? "
                              b"[y/N] " % item.encode(), out[0])
                self.assertEqual(out[1], code, out[0])
                self.assertEqual(ids(px, "failed"),
                                 [item] if code else [])
            self.assertIn(b"item %s of device dev-t dropped from failed/ "
                          b"(reason: server0: HTTP 400" % item.encode(),
                          out[0])
            self.assertEqual(os.listdir(os.path.join(spool_dir(px),
                                                     "failed")), [])


def terminal(argv, answer):
    """Runs argv with a terminal as its stdin, stdout and stderr; types
    answer once it asks.  Returns (everything it wrote, exit status)."""
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(argv[0], argv)
    out = b""
    typed = False
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
        if not typed and b"[y/N]" in out:
            os.write(fd, answer)
            typed = True
    os.close(fd)
    return out, os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


if __name__ == "__main__":
    main()
