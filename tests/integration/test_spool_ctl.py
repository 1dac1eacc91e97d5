# SPDX-License-Identifier: GPL-3.0-or-later
"""One daemon per spool, and `passeur spool retry | drop` with the daemon
running (the request goes through the daemon, whose counts follow) or
stopped (the command changes the files itself, under the spool's lock)."""

import json
import os
import re
import signal
import subprocess
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


if __name__ == "__main__":
    main()
