# SPDX-License-Identifier: GPL-3.0-or-later
"""A real full disk: the spool, the local store, or both, on a small tmpfs
mounted in a private mount namespace.  Agents post inventories while the
upstream is down until the file system fills; every answer is a success
or a 503 with Retry-After and a message; writes really hit ENOSPC (a
filler file takes the rest); once the space and the upstream are back,
every acknowledged inventory is delivered, no temporary file is left,
/health went 503 then 200, and the same daemon takes new inventories.

The script runs itself again under `unshare --mount` (as root), or
`unshare --user --map-root-user --mount` otherwise, so that its mounts
vanish with it; when neither can mount a tmpfs, its tests are skipped
with the reason."""

import errno
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import unittest
import uuid

from harness import (FIXTURES, GlpiDouble, Passeur, free_port, http, main,
                     read_file, run_passeur, wait_until, zlib_of)

# Set in the environment of the run inside the mount namespace.
NS_MARK = "PASSEUR_TEST_MOUNT_NS"
NS_WHY = []

XML_INV = read_file(os.path.join(FIXTURES, "inventory_small.xml"))
FIXTURE_ID = b"passeur-test-2026-01-01-00-00-00"
FAST = {"spool_retry_min": 1, "spool_retry_max": 2, "timeout": 3}
FS_SIZE = 8 * 1024 * 1024
# About 60 kB on the wire, random text does not shrink much: the file
# system is 90% full after about 120 of them.
PAD = 45000
INODES = 48


def namespace_commands():
    cmds = []
    if os.geteuid() == 0:
        cmds.append(["unshare", "--mount", "--propagation", "private"])
    cmds.append(["unshare", "--user", "--map-root-user", "--mount",
                 "--propagation", "private"])
    return cmds


def enter_namespace():
    """Runs this script again in a private mount namespace where a tmpfs
    can be mounted; returns only when none can be had (NS_WHY says why)."""
    if os.environ.get(NS_MARK) or shutil.which("unshare") is None:
        if shutil.which("unshare") is None:
            NS_WHY.append("no unshare command")
        return
    for cmd in namespace_commands():
        d = tempfile.mkdtemp(prefix="passeur-ns-probe-")
        try:
            p = subprocess.run(cmd + ["mount", "-t", "tmpfs", "-o",
                                      "size=1m", "tmpfs", d],
                               capture_output=True, timeout=30)
        finally:
            os.rmdir(d)
        if p.returncode == 0:
            env = dict(os.environ, **{NS_MARK: " ".join(cmd)})
            sys.stdout.flush()
            os.execvpe(cmd[0], cmd + [sys.executable,
                                      os.path.abspath(__file__)] +
                       sys.argv[1:], env)
        NS_WHY.append("%s: %s" % (" ".join(cmd),
                                  p.stderr.decode(errors="replace").strip()))


def json_inventory(device, pad=PAD):
    doc = {"action": "inventory", "deviceid": device, "itemtype": "Computer",
           "content": {"versionclient": "GLPI-Agent_v1.12",
                       "hardware": {"name": device,
                                    "uuid": os.urandom(pad).hex()}}}
    return json.dumps(doc).encode()


def xml_inventory(device, pad=PAD):
    body = XML_INV.replace(FIXTURE_ID, device.encode())
    return body.replace(b"<NAME>passeur-test</NAME>",
                        b"<NAME>%s</NAME><COMMENTS>%s</COMMENTS>" %
                        (device.encode(), os.urandom(pad).hex().encode()))


def delivered(glpi):
    """Device ids of every inventory the double accepted."""
    out = set()
    for rec in glpi.requests():
        if rec["method"] != "POST" or rec["status"] != 200 or \
                not rec["inflated_b64"]:
            continue
        body = GlpiDouble.inflated(rec)
        if body.startswith(b"{"):
            out.add(json.loads(body)["deviceid"])
        else:
            out.add(re.search(rb"<DEVICEID>([^<]*)</DEVICEID>",
                              body).group(1).decode())
    return out


def temporaries(*folders):
    return [os.path.join(d, n) for d in folders if os.path.isdir(d)
            for n in os.listdir(d) if n.endswith(".tmp")]


def spool_items(spool):
    return sorted(n[:-5] for n in os.listdir(spool) if n.endswith(".meta"))


def free_bytes(path):
    st = os.statvfs(path)
    return st.f_bavail * st.f_frsize


def fill(path):
    """Writes path until the file system says ENOSPC; its size."""
    chunk = b"\0" * 65536
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        while True:
            try:
                os.write(fd, chunk)
            except OSError as e:
                if e.errno != errno.ENOSPC:
                    raise
                chunk = chunk[:len(chunk) // 2]
                if not chunk:
                    break
    finally:
        os.close(fd)
    return os.path.getsize(path)


class FullDisk(unittest.TestCase):
    CLIENTS = 4

    def setUp(self):
        if not os.environ.get(NS_MARK):
            self.skipTest("cannot mount a tmpfs in a private mount "
                          "namespace: " + "; ".join(NS_WHY))
        self.top = tempfile.mkdtemp(prefix="passeur-full-")
        self.addCleanup(shutil.rmtree, self.top, True)
        self.fs = os.path.join(self.top, "small")
        os.mkdir(self.fs)
        # Few inodes for the test that runs out of them.
        opts = "size=%d,mode=0755" % FS_SIZE
        if self._testMethodName.endswith("_inodes"):
            opts += ",nr_inodes=%d" % INODES
        subprocess.run(["mount", "-t", "tmpfs", "-o", opts, "tmpfs",
                        self.fs], check=True, timeout=30)
        self.addCleanup(subprocess.run, ["umount", "-l", self.fs],
                        timeout=30)
        self.filler = os.path.join(self.fs, "filler")
        self.sent = {}

    def passeur(self, upstream_port, spool=None, store=None, **proxy):
        self.sport = free_port()
        agent = {"server": "http://127.0.0.1:%d/front/inventory.php" %
                 upstream_port, "status_port": self.sport, **FAST}
        if spool is not None:
            agent["spool"] = spool
        p = dict(proxy)
        if store is not None:
            p["local_store"] = store
        px = Passeur(agent=agent, proxy=p)
        self.addCleanup(px.cleanup)
        self.addCleanup(px.stop, False)
        return px

    def health(self):
        return http("GET", self.sport, "/health")

    def check_answer(self, r, what):
        """A success, or a 503 with Retry-After and a message: 1 when
        acknowledged."""
        if r.status in (200, 202):
            return 1
        self.assertEqual(r.status, 503, "%s: %r" % (what, r))
        self.assertRegex(r.headers.get("retry-after", ""), r"^[1-9][0-9]*$",
                         what)
        self.assertRegex(r.body, rb"^Proxy .*retry later$", what)
        return 0

    def post(self, px, device, xml, pad=PAD):
        body = xml_inventory(device, pad) if xml else \
            json_inventory(device, pad)
        self.sent[device] = body
        if xml:
            return px.post(body, "application/xml")
        return px.post(zlib_of(body), "application/x-compress-zlib",
                       str(uuid.uuid4()))

    def flood(self, px, tag, pad=PAD):
        """Several agents post until each was refused three times; the
        acknowledged device ids."""
        acked, errors = set(), []
        lock = threading.Lock()

        def client(t):
            refused = 0
            for n in range(400):
                dev = "%s-%d-%d" % (tag, t, n)
                try:
                    ok = self.check_answer(self.post(px, dev, t == 0,
                                                     pad), dev)
                except Exception as e:    # noqa: BLE001, reported below
                    with lock:
                        errors.append("%s: %r" % (dev, e))
                    return
                with lock:
                    if ok:
                        acked.add(dev)
                refused += 1 - ok
                if refused >= 3:
                    return
        threads = [threading.Thread(target=client, args=(t,))
                   for t in range(self.CLIENTS)]
        for th in threads:
            th.start()
        for th in threads:
            th.join(300)
        self.assertEqual(errors, [], px.log()[-3000:])
        self.assertGreater(len(acked), 10)
        return acked

    def recover(self, px, acked, upstream_port, spool, store):
        """Space and upstream back: everything acknowledged is delivered
        by the same daemon, which takes new inventories."""
        pid = px.proc.pid
        for name in (self.filler, self.filler + "2"):
            if os.path.exists(name):
                os.unlink(name)
        with GlpiDouble(args=["--port", str(upstream_port)]) as glpi:
            self.assertTrue(wait_until(lambda: acked <= delivered(glpi),
                                       180, 0.5),
                            "%d acknowledged, %d missing\n%s" % (
                                len(acked), len(acked - delivered(glpi)),
                                px.log()[-3000:]))
            if spool is not None:
                self.assertTrue(wait_until(lambda: spool_items(spool) == [],
                                           30), spool_items(spool))
            self.assertTrue(wait_until(lambda: self.health().status == 200,
                                       30), self.health())
            for xml in (False, True):
                r = self.post(px, "after-%d" % xml, xml)
                self.assertIn(r.status, (200, 202), r)
            self.assertTrue(wait_until(lambda: {"after-0", "after-1"} <=
                                       delivered(glpi), 30), px.log())
        self.assertEqual(temporaries(*[d for d in (spool, store) if d]), [])
        self.assertIsNone(px.proc.poll())
        self.assertEqual(px.proc.pid, pid)
        # No answer was a 500 (the access lines).
        self.assertNotRegex(px.log(), r" [a-z]+ 500 \d+ \d+ [0-9.]+ms")

    def check_store(self, store, sent):
        """Every file of the local store is whole: one of the bodies sent
        for its device."""
        for name in os.listdir(store):
            self.assertFalse(name.endswith(".tmp"), name)
            dev, ext = os.path.splitext(name)
            with open(os.path.join(store, name), "rb") as f:
                self.assertEqual(f.read(), sent[dev], name)

    def test_spool_on_a_full_file_system(self):
        upstream = free_port()
        spool = os.path.join(self.fs, "spool")
        px = self.passeur(upstream, spool=spool)
        px.start()
        self.assertEqual(self.health().status, 200)

        # A body larger than the room left below 90%: its write fails
        # with ENOSPC, half-way.  Then one that fits to the page, whose
        # meta file finds no room.
        total = os.statvfs(self.fs).f_blocks * os.statvfs(self.fs).f_frsize
        fill(self.filler)
        os.truncate(self.filler, os.path.getsize(self.filler) -
                    (total * 12 // 100))
        room = free_bytes(self.fs)
        self.assertLess(room, total * 13 // 100)
        doc = json_inventory("too-big", room // 2 + 4096)
        r = px.post(doc, "application/json", str(uuid.uuid4()))
        self.assertEqual((r.status, r.body),
                         (503, b"Proxy spool full, retry later"))
        self.assertEqual(r.headers.get("retry-after"), "60")
        px.wait_log(r"spool: cannot keep the inventory of device too-big: "
                    r"No space left on device")
        self.assertEqual(sorted(os.listdir(spool)),
                         ["ctl", "failed", "spool.lock"])
        self.assertEqual(free_bytes(self.fs), room)
        doc = json_inventory("no-meta", 0)
        doc = doc.replace(b'"uuid": ""', b'"uuid": "%s"' %
                          (b"7" * (room - len(doc) - 100)))
        self.assertEqual(len(doc), room - 100)
        r = px.post(doc, "application/json", str(uuid.uuid4()))
        self.assertEqual((r.status, r.body),
                         (503, b"Proxy spool full, retry later"))
        px.wait_log(r"spool: cannot keep the inventory of device no-meta: "
                    r"No space left on device")
        self.assertEqual(sorted(os.listdir(spool)),
                         ["ctl", "failed", "spool.lock"])
        self.assertEqual(free_bytes(self.fs), room)
        os.unlink(self.filler)

        # Agents fill it up to the 90% rule.
        acked = self.flood(px, "a")
        self.assertEqual(len(spool_items(spool)), len(acked))
        r = self.health()
        self.assertEqual(r.status, 503, r)
        self.assertIn(b"90% full", r.body)
        px.wait_log(r"spool full \(spool_max_size, or its file system at "
                    r"90%\)")
        # The rest taken by another file: the deliverer's writes of its
        # attempts fail, and lose nothing.
        fill(self.filler)
        self.assertEqual(free_bytes(self.fs), 0)
        px.wait_log(r"cannot update item [0-9a-f]{16}: No space left on "
                    r"device", 30)
        r = self.post(px, "while-full", False)
        self.assertEqual(r.status, 503, r)
        self.assertTrue(px.alive())
        self.assertEqual(len(spool_items(spool)), len(acked))
        p = run_passeur(["spool", "--spool", spool, "stats", "--json"])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(json.loads(p.stdout)["items"], len(acked))

        self.recover(px, acked, upstream, spool, None)
        px.stop()

    def test_refused_for_good_on_a_full_disk(self):
        # The move to failed/ cannot be written: the item stays whole in
        # the spool, and moves once there is room, by the same daemon.
        with GlpiDouble() as glpi:
            glpi.behaviour(fail_match="versionclient", fail_status=503)
            spool = os.path.join(self.fs, "spool")
            px = self.passeur(glpi.port, spool=spool)
            px.start()
            r = self.post(px, "refused", False)
            self.assertEqual(r.status, 202, r)
            px.wait_log(r"attempt 1 failed \(device refused\)")
            item = spool_items(spool)
            fill(self.filler)
            glpi.behaviour(fail_match="versionclient", fail_status=400)
            px.wait_log(r"spool %s: failed for good \(device refused\): "
                        r"server0: HTTP 400.*; cannot move it to failed/, "
                        r"tried again in \d+\.\d s: No space left on device"
                        % item[0], 30)
            self.assertEqual(spool_items(spool), item)
            os.unlink(self.filler)
            px.wait_log(r"spool %s: failed for good \(device refused\): "
                        r".*; moved to failed/" % item[0], 30)
            self.assertEqual(spool_items(spool), [])
            self.assertEqual(spool_items(os.path.join(spool, "failed")),
                             item)
            self.assertEqual(temporaries(spool, os.path.join(spool,
                                                             "failed")), [])
            px.stop()

    def test_spool_out_of_inodes(self):
        # Space left, but no file can be made: the 90% rule counts the
        # inodes too, and /health says so.
        upstream = free_port()
        spool = os.path.join(self.fs, "spool")
        px = self.passeur(upstream, spool=spool)
        px.start()
        acked = self.flood(px, "i", 100)
        st = os.statvfs(self.fs)
        self.assertGreater(st.f_bavail * 2, st.f_blocks)
        self.assertEqual(len(spool_items(spool)), len(acked))
        r = self.health()
        self.assertEqual(r.status, 503, r)
        self.assertIn(b"90% full", r.body)
        self.recover(px, acked, upstream, spool, None)
        px.stop()

    def test_local_store_on_a_full_file_system(self):
        # The spool elsewhere takes what the local store cannot: the
        # agent is answered as kept, the store keeps whole files only.
        upstream = free_port()
        store = os.path.join(self.fs, "store")
        os.mkdir(store)
        px = self.passeur(upstream, store=store)
        px.start()
        fill(self.filler)
        os.truncate(self.filler, os.path.getsize(self.filler) - 600000)
        acked = set()
        for n in range(30):
            r = self.post(px, "s-%d" % n, n % 3 == 0)
            self.assertIn(r.status, (200, 202), r)
            acked.add("s-%d" % n)
        px.wait_log(r"store s-\d+\.(json|xml) in \S+ \(the spool "
                          r"keeps it for delivery\): No space left on "
                          r"device")
        # /health says so once no block is left at all.
        fill(self.filler + "2")
        r = self.health()
        self.assertEqual(r.status, 503, r)
        self.assertIn(b"no space left on the file system of " +
                      store.encode(), r.body)
        self.check_store(store, self.sent)
        self.assertLess(len(os.listdir(store)), 30)
        self.recover(px, acked, upstream, None, store)
        self.check_store(store, self.sent)
        px.stop()

    def test_spool_and_local_store_on_one_full_file_system(self):
        upstream = free_port()
        spool = os.path.join(self.fs, "spool")
        store = os.path.join(self.fs, "store")
        os.mkdir(store)
        px = self.passeur(upstream, spool=spool, store=store)
        px.start()
        acked = self.flood(px, "b")
        self.assertEqual(len(spool_items(spool)), len(acked))
        self.assertEqual(self.health().status, 503)
        # What the spool refused was not stored either.
        self.assertEqual(sorted(os.path.splitext(n)[0]
                                for n in os.listdir(store)), sorted(acked))
        fill(self.filler)
        for n, xml in enumerate((False, True)):
            r = self.post(px, "full-%d" % n, xml)
            self.assertEqual(r.status, 503, r)
        self.check_store(store, self.sent)
        self.recover(px, acked, upstream, spool, store)
        self.check_store(store, self.sent)
        px.stop()

    def test_only_local_store_on_a_full_file_system(self):
        # Nothing forwards: the spec's 500, and the previous file of the
        # device is left as it was.
        store = os.path.join(self.fs, "store")
        os.mkdir(store)
        px = self.passeur(free_port(), store=store, only_local_store="yes")
        px.start()
        for n, xml in enumerate((False, True)):
            r = self.post(px, "o-%d" % n, xml)
            self.assertEqual(r.status, 200, r)
        first = dict(self.sent)
        fill(self.filler)
        r = self.post(px, "o-0", False)
        self.assertEqual((r.status, r.body),
                         (500, b"Proxy failed to store json"))
        r = self.post(px, "o-1", True)
        self.assertEqual((r.status, r.body),
                         (500, b"Proxy cannot store content"))
        self.check_store(store, first)
        self.assertEqual(self.health().status, 503)
        os.unlink(self.filler)
        self.assertEqual(self.health().status, 200)
        r = self.post(px, "o-0", False)
        self.assertEqual(r.status, 200, r)
        first["o-0"] = self.sent["o-0"]
        self.check_store(store, first)
        px.stop()


if __name__ == "__main__":
    enter_namespace()
    main()
