# SPDX-License-Identifier: GPL-3.0-or-later
"""A chain of three proxies with the default limits delivers every
inventory it acknowledged: 200 distinct JSON inventories posted at the
first by several agents all reach the GLPI server behind the last one,
counted by device id.  The busy answers (429 + Retry-After) a proxy gets
from the next one are tried again from its spool, never dropped."""

import base64
import json
import os
import re
import threading
import time
import unittest
import uuid

from harness import (GlpiDouble, INVENTORIES_JSON, Passeur, main,
                     post_from, read_file, wait_until, zlib_of)

COMPUTER = json.loads(read_file(os.path.join(INVENTORIES_JSON,
                                             "computer_1.json")))
INVENTORIES = 200
# Agents at as many loopback addresses: 25 inventories each, under the
# default maxrate (30 per address and hour) of the first proxy.
AGENTS = 8
# The whole delivery, on 2 shared CPUs with ASan, takes well under this.
DEADLINE = 240


def device(i):
    return "chain-%03d-2026-01-01-00-00-00" % i


def inventory(i):
    doc = dict(COMPUTER, deviceid=device(i))
    return zlib_of(json.dumps(doc).encode())


def default_maxrate(px):
    """Removes the harness's maxrate = 0: the instance runs with the
    default (30 per address and hour)."""
    path = os.path.join(px.confdir, "proxy-server-plugin.cfg")
    with open(path) as f:
        lines = [l for l in f if not l.startswith("maxrate ")]
    with open(path, "w") as f:
        f.writelines(lines)
    return px


def arrived(glpi):
    """{device id: times} of the inventories the GLPI double accepted."""
    count = {}
    for rec in glpi.requests():
        if rec["method"] != "POST" or rec["status"] != 200 or \
                not rec["inflated_b64"]:
            continue
        dev = json.loads(base64.b64decode(rec["inflated_b64"]))["deviceid"]
        count[dev] = count.get(dev, 0) + 1
    return count


def spool_items(px, sub=""):
    d = os.path.join(px.vardir, "spool", sub)
    return sorted(n for n in os.listdir(d) if n.endswith(".meta"))


class Chain(unittest.TestCase):
    def test_three_proxies_deliver_all_200(self):
        self.chain()

    def test_middle_proxy_restarted_meanwhile(self):
        # B stops (a clean stop, as for an upgrade) when half the
        # inventories are acknowledged and starts again a few seconds
        # later: what it held and what A could not send it meanwhile
        # are delivered all the same.
        self.chain(restart="B")

    def chain(self, restart=None):
        # Agents -> A -> B -> C -> GLPI.  B and C trust 127.0.0.1, the
        # address of the proxy before them (rates per agent there).
        # Every proxy keeps its defaults otherwise: maxrate,
        # max_proxy_threads, the spool and its retry delays.
        with GlpiDouble() as glpi:
            chain = []
            try:
                upstream = glpi.url()
                for name in ("C", "B", "A"):
                    agent = {"server": upstream}
                    if name != "A":
                        agent["httpd-trust"] = "127.0.0.1"
                    px = default_maxrate(Passeur(agent=agent,
                                                 proxy={"local_store": ""}))
                    chain.insert(0, px.start())
                    upstream = px.url()
                self.deliver_through(glpi, *chain, restart=restart)
            finally:
                for px in chain:
                    px.stop(check=False)
                    px.cleanup()

    def deliver_through(self, glpi, a, b, c, restart=None):
        codes = {}
        lock = threading.Lock()

        def agent(k, first, last):
            source = "127.0.0.%d" % (10 + k)
            for i in range(first + k, last, AGENTS):
                try:
                    status = post_from(a, source, inventory(i),
                                       "application/x-compress-zlib",
                                       {"GLPI-Agent-ID": str(uuid.UUID(
                                           int=i + 1))})
                except OSError as e:
                    status = repr(e)
                with lock:
                    codes[i] = status

        half = INVENTORIES // 2
        for first, last in ((0, half), (half, INVENTORIES)):
            threads = [threading.Thread(target=agent, args=(k, first, last))
                       for k in range(AGENTS)]
            for th in threads:
                th.start()
            for th in threads:
                th.join(120)
            if restart and first == 0:
                px = {"A": a, "B": b, "C": c}[restart]
                px.stop()
                time.sleep(3)
                px.start()
        self.assertEqual(sorted(codes.items()),
                         [(i, 202) for i in range(INVENTORIES)])

        want = {device(i) for i in range(INVENTORIES)}
        got = {}

        def all_arrived():
            got.clear()
            got.update(arrived(glpi))
            return set(got) >= want
        wait_until(all_arrived, DEADLINE, 2)
        logs = "\n".join("--- %s\n%s" % (n, px.log()[-3000:])
                         for n, px in zip("ABC", (a, b, c)))
        self.assertEqual(sorted(want - set(got)), [],
                         "%d of %d arrived\n%s" %
                         (len(want & set(got)), INVENTORIES, logs))
        self.assertEqual(set(got), want)
        # Each one whole: the device id is the only change to the body.
        body = json.loads(base64.b64decode(next(
            r["inflated_b64"] for r in glpi.requests()
            if r["method"] == "POST" and r["status"] == 200)))
        self.assertEqual(dict(body, deviceid=COMPUTER["deviceid"]), COMPUTER)
        # No agent hit maxrate; nothing was refused for good, and every
        # spool empties once the last proxy has its answers.
        self.assertNotIn("request rate limitation applied",
                         a.log() + b.log() + c.log())
        for px in (a, b, c):
            self.assertEqual(spool_items(px, "failed"), [], px.log())
            self.assertTrue(wait_until(lambda px=px: spool_items(px) == [],
                                       60), px.log())
        # The busy answers of B and C were retried, as the log says.
        retried = re.findall(r"attempt \d+ failed \(device chain-\d+\S*\): "
                             r"server0: HTTP 429", a.log() + b.log())
        print("%d attempt(s) between proxies answered 429 and retried" %
              len(retried))


if __name__ == "__main__":
    main()
