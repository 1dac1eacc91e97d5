#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Flushes of the spool per acknowledged inventory, under concurrent load.

    PASSEUR_BIN=build/release/passeur bench/spool-flushes.py [CONNS] [SECONDS]

Starts `passeur serve` forwarding to the GLPI test double, posts the XML
fixture compressed with zlib with wrk (bench/post.lua, CONNS connections,
16) for SECONDS (10), stops the daemon and reads the line it logs at
stop: "N item(s) made durable with M flush(es)".  Prints the inventories
acknowledged, their rate, wrk's p99 and M/N, the flushes per acknowledged
inventory.  The spool is on the file system of $TMPDIR.
"""

import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "tests", "integration"))
from harness import GlpiDouble, Passeur, read_file, zlib_of  # noqa: E402

XML = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests",
                   "fixtures", "inventories", "xml",
                   "fusioninventory-2.6-debian12.xml")


def main():
    conns = int(sys.argv[1]) if len(sys.argv) > 1 else 16
    seconds = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    here = os.path.dirname(os.path.abspath(__file__))
    with tempfile.NamedTemporaryFile(suffix=".zlib") as body:
        body.write(zlib_of(read_file(XML)))
        body.flush()
        with GlpiDouble() as glpi:
            px = Passeur(agent={"server": glpi.url()},
                         proxy={"local_store": "", "max_proxy_threads": 64,
                                "max_connections_per_ip": 1000})
            px.start()
            try:
                out = subprocess.run(
                    ["wrk", "-t2", "-c%d" % conns, "-d%ds" % seconds,
                     "-s", os.path.join(here, "post.lua"), px.url()],
                    env=dict(os.environ, BODY=body.name),
                    capture_output=True, text=True, check=True).stdout
            finally:
                px.stop()
            m = re.search(r"(\d+) item\(s\) made durable with (\d+) "
                          r"flush\(es\)", px.log())
            px.cleanup()
    res = dict(re.findall(r"(\w+)=(\d+)", out.split("RESULT", 1)[-1]))
    if m is None or not res:
        sys.exit("no flush count in the log, or no wrk result:\n" + out)
    items, flushes = int(m.group(1)), int(m.group(2))
    reqs, secs = int(res["requests"]), int(res["duration_us"]) / 1e6
    print("connections %d: %d requests in %.1f s (%.0f/s), %s non-2xx, "
          "p99 %.1f ms; %d inventories made durable with %d flushes: "
          "%.3f flush per acknowledged inventory" %
          (conns, reqs, secs, reqs / secs, res["non2xx"],
           int(res["p99_us"]) / 1e3, items, flushes,
           flushes / items if items else 0.0))


if __name__ == "__main__":
    main()
