# SPDX-License-Identifier: GPL-3.0-or-later
"""The durable spool: an inventory acknowledged to its agent reaches the
upstream across kill -9, restarts, reloads and outages; in order per
device, with the backoff in the log; a refusal for good lands in failed/
with its reason; the temporary files a crash leaves are removed at start."""

import base64
import hashlib
import json
import os
import random
import re
import signal
import threading
import time
import unittest
import uuid

from harness import (AGENT_ID, FIXTURES, GlpiDouble, Passeur, main,
                     read_file, run_passeur, wait_until, write_cfg, zlib_of)

XML_INV = read_file(os.path.join(FIXTURES, "inventory_small.xml"))
FIXTURE_ID = b"passeur-test-2026-01-01-00-00-00"
# Fast retries, so that an outage of a few seconds is tried again soon.
FAST = {"spool_retry_min": 1, "spool_retry_max": 2, "timeout": 3}


def inventory(device, seq, partial=False):
    """A JSON inventory; partial ones are never superseded by a newer
    one (coalescing), so every one of them is delivered."""
    doc = {"action": "inventory", "deviceid": device, "itemtype": "Computer",
           "content": {"versionclient": "GLPI-Agent_v1.12",
                       "hardware": {"name": "seq-%d" % seq}}}
    if partial:
        doc["partial"] = True
    return json.dumps(doc).encode()


def xml_inventory(device):
    return XML_INV.replace(FIXTURE_ID, device.encode())


def delivered(glpi):
    """(device, name) of every inventory the double accepted, in order."""
    out = []
    for rec in glpi.requests():
        if rec["method"] != "POST" or rec["status"] != 200 or \
                not rec["inflated_b64"]:
            continue
        body = base64.b64decode(rec["inflated_b64"])
        if body.startswith(b"{"):
            doc = json.loads(body)
            out.append((doc["deviceid"],
                        doc["content"]["hardware"]["name"]))
        else:
            m = re.search(rb"<DEVICEID>([^<]*)</DEVICEID>", body)
            out.append((m.group(1).decode(), "xml"))
    return out


def spool_dir(px):
    return os.path.join(px.vardir, "spool")


def temporaries(*folders):
    return [n for d in folders if os.path.isdir(d)
            for n in os.listdir(d) if n.endswith(".tmp")]


def items(px, sub=""):
    d = os.path.join(spool_dir(px), sub)
    return sorted(n for n in os.listdir(d) if n.endswith(".meta"))


class Crash(unittest.TestCase):
    ROUNDS = 20
    CLIENTS = 4

    def test_kill_9_under_load_loses_nothing_acknowledged(self):
        acked = set()
        lock = threading.Lock()
        rng = random.Random(15)
        with GlpiDouble() as glpi:
            # A slow upstream keeps a backlog in the spool at each kill.
            glpi.behaviour(delay_ms=30)
            px = Passeur(agent={"server": glpi.url(), **FAST})
            try:
                for rnd in range(self.ROUNDS):
                    px.start()
                    # No temporary file survives a restart.
                    self.assertEqual(temporaries(spool_dir(px), px.store),
                                     [], px.log())
                    stop = threading.Event()

                    def client(t, rnd=rnd, stop=stop):
                        n = 0
                        while not stop.is_set() and n < 200:
                            dev = "crash-%d-%d-%d" % (rnd, t, n)
                            n += 1
                            try:
                                if t == 0:
                                    r = px.post(xml_inventory(dev),
                                                "application/xml")
                                    ok = r.status == 200 and \
                                        b"<REPLY>" in r.body
                                else:
                                    # An agent holds few answers at once.
                                    r = px.post(zlib_of(inventory(dev, n)),
                                                "application/x-compress-zlib",
                                                str(uuid.uuid4()))
                                    ok = r.status == 202 and \
                                        "glpi-request-id" in r.headers
                            except Exception:
                                continue
                            if ok:
                                with lock:
                                    acked.add(dev)
                    threads = [threading.Thread(target=client, args=(t,))
                               for t in range(self.CLIENTS)]
                    for th in threads:
                        th.start()
                    time.sleep(rng.uniform(0.2, 1.0))
                    px.proc.kill()
                    px.proc.wait()
                    stop.set()
                    for th in threads:
                        th.join(30)
                    px.logf.close()
                    px.proc = None
                    # Every item left is whole: a meta has its body.
                    for name in items(px):
                        self.assertTrue(os.path.exists(os.path.join(
                            spool_dir(px), name[:-5] + ".body")), name)
                # The last start delivers what is left.
                px.start()
                self.assertEqual(temporaries(spool_dir(px), px.store), [],
                                 px.log())
                self.assertGreater(len(acked), 40)

                def all_there():
                    return acked <= {d for d, _ in delivered(glpi)}
                wait_until(all_there, 120, 0.5)
                got = {d for d, _ in delivered(glpi)}
                self.assertEqual(sorted(acked - got), [],
                                 "%d acknowledged, %d missing" %
                                 (len(acked), len(acked - got)))
                self.assertTrue(wait_until(lambda: items(px) == [], 30))
                px.stop()
                # The flushes are shared: never more than one per item.
                m = re.search(r"(\d+) item\(s\) made durable with (\d+) "
                              r"flush\(es\)", px.log())
                self.assertIsNotNone(m, px.log())
                self.assertLessEqual(int(m.group(2)), int(m.group(1)))
            finally:
                px.stop(check=False)
                px.cleanup()


class Outage(unittest.TestCase):
    def test_outage_then_recovery_in_order_with_backoff(self):
        with GlpiDouble() as glpi, \
                Passeur(agent={"server": glpi.url(), **FAST}) as px:
            # Refused with 503 and Retry-After, then hanging past the
            # timeout, then back.
            glpi.behaviour(fail_match="versionclient", fail_status=503,
                           fail_retry_after=1)
            sent = []
            reqids = []
            for seq in range(6):
                dev = "dev-%s" % "ab"[seq % 2]
                r = px.post(zlib_of(inventory(dev, seq, partial=True)),
                            "application/x-compress-zlib", AGENT_ID)
                self.assertEqual(r.status, 202, r)
                reqids.append(r.headers["glpi-request-id"])
                sent.append((dev, "seq-%d" % seq))
            px.wait_log(r"spool [0-9a-f]{16}: attempt 2 failed \(device "
                        r"dev-a\): server0: HTTP 503.*; next attempt in "
                        r"\d+\.\d s", 30)
            # The agent is told its inventory is held for delivery.
            final = px.poll_final(reqids[0], 10)
            self.assertEqual(final.status, 200)
            self.assertEqual(final.json()["status"], "ok")
            self.assertRegex(final.json()["message"],
                             r"^inventory held by proxy [0-9a-f-]{36} for "
                             r"delivery$")
            glpi.behaviour(fail_match="", delay_ms=5000)
            px.wait_log(r"attempt \d+ failed \(device dev-[ab]\): server0: "
                        r".*(timed out|[Tt]imeout)", 30)
            self.assertEqual(delivered(glpi), [])
            glpi.behaviour(delay_ms=0)
            self.assertTrue(wait_until(lambda: set(delivered(glpi)) ==
                                       set(sent), 60), px.log())
            # At least once: an attempt that timed out here may have
            # reached the double all the same.  Order is that of the
            # first arrivals.
            got = []
            for x in delivered(glpi):
                if x not in got:
                    got.append(x)
            for dev in ("dev-a", "dev-b"):
                self.assertEqual([x for x in got if x[0] == dev],
                                 [x for x in sent if x[0] == dev])
            self.assertEqual(len(re.findall(r"\] spool [0-9a-f]{16}: "
                                            r"delivered", px.log())), 6)
            self.assertTrue(wait_until(lambda: items(px) == []))


class Coalescing(unittest.TestCase):
    def test_newer_full_inventory_supersedes_waiting_one(self):
        # Long waits between attempts: an item that failed once waits.
        slow = dict(FAST, **{"spool_retry_min": 60, "spool_retry_max": 120})
        with GlpiDouble() as glpi, \
                Passeur(agent={"server": glpi.url(), **slow}) as px:
            glpi.behaviour(fail_match="versionclient", fail_status=503)

            def post(body, agent=None):
                # An agent holds at most 8 answers: one agent each.
                r = px.post(zlib_of(body), "application/x-compress-zlib",
                            agent or str(uuid.uuid4()))
                self.assertEqual(r.status, 202, r)
                return r.headers["glpi-request-id"]

            def waiting(name):
                """The id of the item of dev-c whose name is given."""
                for n in items(px):
                    with open(os.path.join(spool_dir(px), n)) as f:
                        meta = f.read()
                    if name in meta:
                        return n[:16]
                return None

            post(inventory("dev-c", 1))
            px.wait_log(r"attempt 1 failed \(device dev-c\)")
            first = items(px)[0][:16]
            post(inventory("dev-c", 2))
            second = [n[:16] for n in items(px) if n[:16] != first]
            self.assertEqual(len(second), 1)
            px.wait_log(r"spool %s: superseded by %s, a newer full inventory"
                        r" of device dev-c: dropped" % (first, second[0]))
            px.wait_log(r"spool %s: attempt 1 failed" % second[0])
            # Neither a partial inventory nor another action supersedes,
            # nor is superseded; another device is left alone.
            post(inventory("dev-c", 3, partial=True))
            other = json.loads(inventory("dev-c", 4))
            other["action"] = "netdiscovery"
            post(json.dumps(other).encode())
            post(inventory("dev-d", 5))
            self.assertEqual(len(items(px)), 4)
            post(inventory("dev-c", 6))
            px.wait_log(r"spool %s: superseded by" % second[0])
            self.assertEqual(len(items(px)), 4)
            log = px.log()
            self.assertEqual(len(re.findall(r"superseded by", log)), 2, log)
            self.assertFalse(os.path.exists(os.path.join(
                spool_dir(px), first + ".body")))
            # One superseded before its first attempt (it waited behind
            # a partial one): its agent is told it is held all the same.
            post(inventory("dev-e", 7, partial=True))
            px.wait_log(r"attempt 1 failed \(device dev-e\)")
            never = post(inventory("dev-e", 8), AGENT_ID)
            post(inventory("dev-e", 9))
            self.assertEqual(len(re.findall(r"superseded by",
                                            px.wait_log("dev-e: dropped"))),
                             3)
            final = px.poll_final(never, 10)
            self.assertIsNotNone(final)
            self.assertRegex(final.json()["message"],
                             r"^inventory held by proxy [0-9a-f-]{36} for "
                             r"delivery$")


class Full(unittest.TestCase):
    def test_spool_full_answers_503_and_loses_nothing(self):
        with GlpiDouble() as glpi, \
                Passeur(agent={"server": glpi.url(), **FAST,
                               "spool_max_size": "64k"}) as px:
            glpi.behaviour(fail_match="versionclient", fail_status=503)
            acked, refused = [], []
            for i in range(12):
                doc = json.loads(inventory("dev-f%d" % i, i))
                # About 10 kB compressed: random text does not shrink.
                doc["content"]["hardware"]["uuid"] = os.urandom(10000).hex()
                r = px.post(zlib_of(json.dumps(doc).encode()),
                            "application/x-compress-zlib", AGENT_ID
                            if i < 6 else str(uuid.uuid4()))
                if r.status == 202:
                    acked.append("dev-f%d" % i)
                else:
                    refused.append(r)
            self.assertGreater(len(acked), 2)
            self.assertTrue(refused)
            for r in refused:
                self.assertEqual((r.status, r.body),
                                 (503, b"Proxy spool full, retry later"))
                self.assertEqual(r.headers.get("retry-after"), "60")
            self.assertEqual(len(items(px)), len(acked))
            px.wait_log(r"spool full \(spool_max_size")
            # Once delivered, the room is back.
            glpi.behaviour(fail_match="")
            self.assertTrue(wait_until(lambda: sorted(
                d for d, _ in set(delivered(glpi))) == sorted(acked), 30),
                px.log())
            self.assertTrue(wait_until(lambda: items(px) == []))
            r = px.post(zlib_of(inventory("dev-g", 1)),
                        "application/x-compress-zlib", str(uuid.uuid4()))
            self.assertEqual(r.status, 202, r)


class Refusal(unittest.TestCase):
    def test_refused_for_good_goes_to_failed_with_its_reason(self):
        with GlpiDouble() as glpi, \
                Passeur(agent={"server": glpi.url(), **FAST}) as px:
            glpi.behaviour(fail_next=1, fail_status=400,
                           fail_body='{"status":"error","message":'
                                     '"no serial"}')
            r = px.post(zlib_of(inventory("dev-r", 1)),
                        "application/x-compress-zlib", AGENT_ID)
            self.assertEqual(r.status, 202)
            final = px.poll_final(r.headers["glpi-request-id"], 10)
            self.assertEqual(final.json()["message"],
                             "server0 forward failure")
            px.wait_log(r"spool ([0-9a-f]{16}): failed for good \(device "
                        r"dev-r\): server0: HTTP 400: .*no serial.*; moved "
                        r"to failed/")
            self.assertEqual(items(px), [])
            failed = sorted(os.listdir(os.path.join(spool_dir(px),
                                                    "failed")))
            self.assertEqual(len(failed), 3, failed)
            item = failed[0][:16]
            self.assertEqual(failed, [item + ".body", item + ".meta",
                                      item + ".reason"])
            with open(os.path.join(spool_dir(px), "failed",
                                   item + ".reason")) as f:
                self.assertIn("HTTP 400", f.read())
            with open(os.path.join(spool_dir(px), "failed",
                                   item + ".meta")) as f:
                meta = f.read()
            self.assertIn("device: dev-r\n", meta)
            self.assertIn("content-type: application/x-compress-zlib\n",
                          meta)
            self.assertIn("attempts: 1\n", meta)
            # Kept as the agent sent it: compressed.
            with open(os.path.join(spool_dir(px), "failed",
                                   item + ".body"), "rb") as f:
                self.assertEqual(f.read(), zlib_of(inventory("dev-r", 1)))
            p = run_passeur(["spool", "--spool", spool_dir(px), "show",
                             item])
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertIn(b"state: failed\nreason: server0: HTTP 400",
                          p.stdout)
            # Tried once only, with the agent's compressed bytes.
            self.assertEqual(len(glpi.requests()), 1)
            self.assertEqual(glpi.requests()[0]["body_sha256"],
                             hashlib.sha256(zlib_of(inventory("dev-r", 1)))
                             .hexdigest())


    def test_too_old_goes_to_failed(self):
        with GlpiDouble() as glpi, \
                Passeur(agent={"server": glpi.url(), **FAST,
                               "spool_max_age": 2}) as px:
            glpi.behaviour(fail_match="versionclient", fail_status=503)
            r = px.post(zlib_of(inventory("dev-o", 1)),
                        "application/x-compress-zlib", AGENT_ID)
            self.assertEqual(r.status, 202)
            px.wait_log(r"failed for good \(device dev-o\): older than "
                        r"spool_max_age \(2 s\), last attempt: server0: "
                        r"HTTP 503", 30)
            self.assertEqual(items(px), [])
            self.assertEqual(len(items(px, "failed")), 1)
            self.assertGreaterEqual(len(glpi.requests()), 2)


class Lifecycle(unittest.TestCase):
    def test_spool_survives_sighup_and_restart(self):
        with GlpiDouble() as glpi:
            glpi.behaviour(fail_match="dev-", fail_status=503)
            px = Passeur(agent={"server": glpi.url(), **FAST})
            try:
                px.start()
                for seq in range(3):
                    r = px.post(zlib_of(inventory("dev-h", seq, True)),
                                "application/x-compress-zlib", AGENT_ID)
                    self.assertEqual(r.status, 202)
                r = px.post(xml_inventory("dev-x"), "application/xml")
                self.assertEqual(r.status, 200)
                px.wait_log(r"attempt 1 failed \(device dev-h\)")
                self.check_spool_command(px)
                px.proc.send_signal(signal.SIGHUP)
                px.wait_log(r"configuration reloaded")
                self.assertEqual(len(items(px)), 4)
                # A clean stop keeps them; the next start resumes them.
                px.stop()
                self.assertEqual(len(items(px)), 4)
                px.start()
                px.wait_log(r"spool \S+: 4 item\(s\) to deliver")
                glpi.behaviour(fail_match="")
                self.assertTrue(wait_until(lambda: len(delivered(glpi)) ==
                                           4, 30), px.log())
                self.assertEqual([x for x in delivered(glpi)
                                  if x[0] == "dev-h"],
                                 [("dev-h", "seq-%d" % i) for i in range(3)])
                self.assertTrue(wait_until(lambda: items(px) == []))
            finally:
                px.stop(check=False)
                px.cleanup()

    def check_spool_command(self, px):
        """passeur spool beside the running daemon: 3 JSON items of dev-h
        and one XML of dev-x wait, nothing failed."""
        p = run_passeur(["spool", "-c", px.confdir, "--vardir", px.vardir,
                         "stats", "--json"])
        self.assertEqual(p.returncode, 0, p.stderr)
        st = json.loads(p.stdout)
        self.assertEqual((st["items"], st["failed"]), (4, 0))
        self.assertGreater(st["bytes"], 0)
        p = run_passeur(["spool", "--spool", spool_dir(px), "list"])
        self.assertEqual(p.returncode, 0, p.stderr)
        lines = p.stdout.decode().splitlines()
        self.assertEqual(lines[0].split("\t")[0], "ID")
        rows = [x.split("\t") for x in lines[1:]]
        self.assertEqual([r[5] for r in rows],
                         ["dev-h", "dev-h", "dev-h", "dev-x"])
        self.assertEqual([r[4] for r in rows], ["json/inventory"] * 3 +
                         ["xml/inventory"])
        self.assertEqual([r[0] for r in rows], sorted(r[0] for r in rows))
        p = run_passeur(["spool", "--spool", spool_dir(px), "show",
                         rows[0][0]])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn(b"device: dev-h\n", p.stdout)
        self.assertIn(b"state: waiting\n", p.stdout)
        p = run_passeur(["spool", "--spool", spool_dir(px), "show",
                         "0000000000000000"])
        self.assertEqual(p.returncode, 1)
        self.assertIn(b"no such item", p.stderr)

    def test_no_spool_folder_while_nothing_forwards(self):
        # A storing proxy keeps nothing for delivery: no spool folder.
        # A reload that gives it a server makes and opens it.
        with GlpiDouble() as glpi:
            px = Passeur(agent={**FAST}, proxy={"only_local_store": "yes"})
            try:
                px.start()
                r = px.post(xml_inventory("dev-s"), "application/xml")
                self.assertEqual(r.status, 200, r)
                self.assertFalse(os.path.exists(spool_dir(px)),
                                 os.listdir(px.vardir))
                write_cfg(os.path.join(px.confdir, "agent.cfg"),
                          {"httpd-ip": "127.0.0.1", "httpd-port": px.port,
                           "logger": "stderr", "server": glpi.url(),
                           **FAST})
                write_cfg(os.path.join(px.confdir,
                                       "proxy-server-plugin.cfg"),
                          {"disabled": "no", "local_store": px.store,
                           "maxrate": 0})
                px.proc.send_signal(signal.SIGHUP)
                px.wait_log(r"configuration reloaded")
                self.assertTrue(os.path.isdir(spool_dir(px)), px.log())
                # Locked from then on, as at a start.
                with open(os.path.join(spool_dir(px), "spool.lock")) as f:
                    self.assertEqual(f.read(), "%d\n" % px.proc.pid)
                r = px.post(xml_inventory("dev-t"), "application/xml")
                self.assertEqual(r.status, 200, r)
                px.wait_log(r"spool [0-9a-f]{16}: queued XML inventory of "
                            r"device dev-t")
                self.assertTrue(wait_until(lambda: ("dev-t", "xml") in
                                           delivered(glpi), 20), px.log())
                px.stop()
            finally:
                px.stop(check=False)
                px.cleanup()

    def test_crash_leftovers_removed_at_start(self):
        px = Passeur(agent={"server": "http://127.0.0.1:9/", **FAST})
        try:
            spool = spool_dir(px)
            os.makedirs(spool)
            os.makedirs(px.store)
            leftovers = {
                px.store: ".pc-1.json.ABCDEF12.tmp",
                spool: ".18ed6b65ed0395c0.body.tmp",
            }
            for d, name in leftovers.items():
                with open(os.path.join(d, name), "w") as f:
                    f.write("half")
            # An item whose body does not match its meta was never
            # acknowledged (the crash came before its flush).
            with open(os.path.join(spool, "18ed6b65ed0395c1.body"), "w") as f:
                f.write("x")
            with open(os.path.join(spool, "18ed6b65ed0395c1.meta"), "w") as f:
                f.write("id: 18ed6b65ed0395c1\nbody-size: 5\n"
                        "body-crc32: 00000000\n")
            px.start()
            log = px.log()
            self.assertRegex(log, r"local_store \S+: removed "
                             r"\.pc-1\.json\.ABCDEF12\.tmp, a temporary file "
                             r"left by a crash")
            self.assertRegex(log, r"spool \S+: removed "
                             r"\.18ed6b65ed0395c0\.body\.tmp")
            self.assertRegex(log, r"removed item 18ed6b65ed0395c1, written "
                             r"but never made durable")
            self.assertEqual(temporaries(spool, px.store), [])
            self.assertEqual(sorted(os.listdir(spool)),
                             ["ctl", "failed", "spool.lock"])
        finally:
            px.stop(check=False)
            px.cleanup()


class NextProxyForgets(unittest.TestCase):
    def test_acknowledged_then_unknown_at_the_poll_is_delivered(self):
        # Agent -> A -> B -> GLPI.  B acknowledges (202) and holds the
        # inventory while GLPI hangs; A polls B, waiting longer each
        # time.  B is killed and started again within one of A's waits,
        # so that A's next poll gets 404 Unknown status.  B has the
        # inventory on disk: A must not move it to failed/.
        with GlpiDouble() as glpi:
            b = Passeur(agent={"server": glpi.url(), "timeout": 30,
                               "httpd-trust": "127.0.0.1"},
                        proxy={"local_store": ""})
            a = Passeur(agent={"server": b.url(), **FAST, "debug": 1},
                        proxy={"local_store": ""})
            try:
                b.start()
                a.start()
                glpi.behaviour(delay_ms=20000)
                r = a.post(zlib_of(inventory("dev-k", 1)),
                           "application/x-compress-zlib", AGENT_ID)
                self.assertEqual(r.status, 202, r)
                a.wait_log(r"server0 pending as [0-9A-F]{8}, polling in "
                           r"3200 ms", 20)
                b.proc.kill()
                b.proc.wait()
                b.stop(check=False)
                glpi.behaviour(delay_ms=0)
                b.start()
                a.wait_log(r"server0 forgot request [0-9A-F]{8} that it "
                           r"acknowledged", 20)
                self.assertTrue(wait_until(lambda: items(a) == [], 20),
                                a.log())
                self.assertEqual(items(a, "failed"), [])
                self.assertNotIn("failed for good", a.log())
                self.assertNotIn("attempt 1 failed", a.log())
                # B delivers what it held, once restarted.
                self.assertTrue(wait_until(lambda: ("dev-k", "seq-1") in
                                           delivered(glpi), 30), b.log())
            finally:
                for px in (a, b):
                    px.stop(check=False)
                    px.cleanup()

if __name__ == "__main__":
    main()
