# SPDX-License-Identifier: GPL-3.0-or-later
"""JSON shapes that cost a parse tree dear: the memory of a
request stays within twice its inflated body, whatever the shape, and the
answer is the one json_loadb gave.

- 64 KB of zlib inflating to about 64 MB of `{},{},...` inside an
  inventory object: jansson's tree took about 79 bytes per byte (5 GB);
  it is stored, byte for byte, with the daemon's peak RSS (VmHWM) rising
  by less than 2x the inflated size plus a fixed margin.
- 100,000 `[` inside an inventory object, and as the whole body: refused
  as jansson refused them (nesting beyond 2048), and the daemon goes on.
"""

import hashlib
import os
import unittest
import zlib

from harness import AGENT_ID, Passeur, main

MB = 1024 * 1024
# Measured in the ASan build: +136 MB for 64 MB inflated (the inflate
# buffer grows by doubling, and ASan's realloc copies, so the old and the
# new buffer live together for a moment), +16 MB for 8 MB.  The build that
# parsed with json_loadb: +972 MB for 8 MB.  The margin covers shadow
# memory, the compressed body and the allocator's slack.
MARGIN = 64 * MB


def status_kb(pid, key):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no %s in /proc/%d/status" % (key, pid))


# PASSEUR_TEST_AMPLIFICATION_MB: a smaller body, to see the bound fail
# against a build that still parses with json_loadb (8 MB there reaches
# over 600 MB) without exhausting the machine.
AMPLIFICATION = int(os.environ.get("PASSEUR_TEST_AMPLIFICATION_MB", "64")) * MB


def amplification(inflated=AMPLIFICATION):
    head = b'{"action":"inventory","deviceid":"amplification","content":{"x":['
    tail = b'{}]}}'
    n = (inflated - len(head) - len(tail)) // 3
    return head + b"{}," * n + tail


class JsonShapes(unittest.TestCase):
    def setUp(self):
        # ASan keeps freed blocks in a quarantine (256 MB by default) that
        # would count as the request's memory: the bound is on what the
        # request holds, so the quarantine is kept small.
        self.env = os.environ.get("ASAN_OPTIONS")
        os.environ["ASAN_OPTIONS"] = (self.env + ":" if self.env else "") \
            + "quarantine_size_mb=16"

    def tearDown(self):
        if self.env is None:
            os.environ.pop("ASAN_OPTIONS", None)
        else:
            os.environ["ASAN_OPTIONS"] = self.env

    def test_amplification_within_twice_inflated(self):
        body = amplification()
        packed = zlib.compress(body, 9)
        self.assertLess(len(packed), 80 * 1024)
        with Passeur(proxy={"only_local_store": "yes"}) as px:
            # A small inventory first: the daemon's threads and buffers
            # are in place before the baseline.
            r = px.post(b'{"deviceid":"warm","content":{}}',
                        "application/json", AGENT_ID)
            self.assertEqual(r.status, 200, r)
            pid = px.proc.pid
            before = status_kb(pid, "VmRSS")
            r = px.post(packed, "application/x-compress-zlib", AGENT_ID)
            peak = status_kb(pid, "VmHWM")
            self.assertEqual(r.status, 200, r)
            self.assertEqual(r.json(), {"status": "ok"})
            grown = peak - before
            print("amplification: %.1f MB inflated, peak RSS +%.1f MB"
                  % (len(body) / MB, grown / MB))
            self.assertLess(grown, 2 * len(body) + MARGIN,
                            "peak RSS +%d MB for %d MB inflated"
                            % (grown // MB, len(body) // MB))
            path = os.path.join(px.store, "amplification.json")
            self.assertEqual(os.path.getsize(path), len(body))
            with open(path, "rb") as f:
                self.assertEqual(hashlib.sha256(f.read()).digest(),
                                 hashlib.sha256(body).digest())
            os.unlink(path)
            self.assertTrue(px.alive())

    def test_deep_nesting_refused(self):
        deep = b"[" * 100000
        bodies = {
            "in-object": b'{"deviceid":"deep","content":' + deep +
                         b"]" * 100000 + b"}",
            "unclosed": b'{"deviceid":"deep","content":' + deep,
            "bare": deep + b"]" * 100000,
        }
        with Passeur(proxy={"only_local_store": "yes"}) as px:
            for name, body in bodies.items():
                for ctype, payload in (
                        ("application/json", body),
                        ("application/x-compress-zlib", zlib.compress(body))):
                    with self.subTest(body=name, ctype=ctype):
                        r = px.post(payload, ctype, AGENT_ID)
                        self.assertEqual(r.status, 403, r)
                        # A compressed body is JSON when it opens with
                        # '{' (decode.c); else it is read as legacy XML.
                        msg = b"Unsupported JSON Content"
                        if name == "bare" and ctype != "application/json":
                            msg = b"Unsupported Content"
                        self.assertIn(msg, r.body)
            # At the limit, 2048 nested values, it is an inventory.
            edge = b'{"deviceid":"edge","content":' + b"[" * 2046 + b"1" + \
                b"]" * 2046 + b"}"
            r = px.post(edge, "application/json", AGENT_ID)
            self.assertEqual(r.status, 200, r)
            r = px.post(edge.replace(b"1", b"[1]", 1), "application/json",
                        AGENT_ID)
            self.assertEqual(r.status, 403, r)
            self.assertEqual(px.files(), ["edge.json"])
            self.assertTrue(px.alive())


if __name__ == "__main__":
    main()
