#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Flushes of the spool per acknowledged inventory, under concurrent load.

    PASSEUR_BIN=build/release/passeur bench/spool-flushes.py [CONNS] [SECONDS]

Starts `passeur serve` forwarding to the GLPI test double, posts the XML
fixture compressed with zlib from CONNS client threads (16) for SECONDS
(10), stops the daemon and reads the line it logs at stop:
"N item(s) made durable with M flush(es)".  Prints the inventories
acknowledged, their rate (bounded by these Python clients: a floor, not
the daemon's ceiling) and M/N, the flushes per acknowledged inventory.
"""

import os
import re
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "tests", "integration"))
from harness import GlpiDouble, Passeur, read_file, zlib_of  # noqa: E402

XML = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests",
                   "fixtures", "inventories", "xml",
                   "fusioninventory-2.6-debian12.xml")


def main():
    conns = int(sys.argv[1]) if len(sys.argv) > 1 else 16
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 10
    body = zlib_of(read_file(XML))
    acked = [0] * conns
    with GlpiDouble() as glpi:
        px = Passeur(agent={"server": glpi.url()},
                     proxy={"local_store": "", "max_proxy_threads": 64})
        px.start()
        try:
            deadline = time.monotonic() + seconds

            def client(i):
                while time.monotonic() < deadline:
                    r = px.post(body, "application/x-compress-zlib")
                    if r.status == 200:
                        acked[i] += 1
            threads = [threading.Thread(target=client, args=(i,))
                       for i in range(conns)]
            start = time.monotonic()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            took = time.monotonic() - start
        finally:
            px.stop()
        m = re.search(r"(\d+) item\(s\) made durable with (\d+) flush\(es\)",
                      px.log())
        px.cleanup()
    if m is None:
        sys.exit("no flush count in the log")
    items, flushes = int(m.group(1)), int(m.group(2))
    print("connections %d: %d inventories acknowledged in %.1f s (%.0f/s), "
          "%d flushes, %.3f flush per inventory" %
          (conns, sum(acked), took, sum(acked) / took, flushes,
           flushes / items if items else 0.0))


if __name__ == "__main__":
    main()
