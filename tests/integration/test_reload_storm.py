# SPDX-License-Identifier: GPL-3.0-or-later
"""Reloads that restart the listeners: a port kept across the reload keeps
its listening socket (no connection refused or reset, every acknowledged
inventory stored), and the old listeners finish in the background, so
the signal loop answers the next signal at once."""

import os
import signal
import threading
import time
import unittest

from harness import (FIXTURES, GlpiDouble, Passeur, free_port, http, main,
                     wait_until, write_cfg)

CLIENTS = 4
PER_CLIENT = 100
RELOADS = 20

XML = (b"<?xml version='1.0'?>\n<REQUEST><DEVICEID>%s</DEVICEID>"
       b"<QUERY>INVENTORY</QUERY><CONTENT><X>%s</X></CONTENT></REQUEST>\n")


class ReloadStorm(unittest.TestCase):
    def test_reload_storm_loses_nothing(self):
        keys = {"disabled": "no", "maxrate": 0}
        with Passeur(proxy=keys) as px:
            keys["local_store"] = px.store
            cfg = os.path.join(px.confdir, "proxy-server-plugin.cfg")
            failures = []
            lock = threading.Lock()

            def client(c):
                for i in range(PER_CLIENT):
                    dev = b"storm-%d-%d" % (c, i)
                    try:
                        r = http("POST", px.port, "/proxy/glpi",
                                 XML % (dev, b"y" * 2000),
                                 {"Content-Type": "application/xml"})
                        ok = r.status == 200
                        what = r.status
                    except OSError as e:
                        ok, what = False, repr(e)
                    if not ok:
                        with lock:
                            failures.append((dev, what))
            threads = [threading.Thread(target=client, args=(c,))
                       for c in range(CLIENTS)]
            for t in threads:
                t.start()
            for n in range(RELOADS):
                # Another max_connections: the listener restarts.
                keys["max_connections"] = 4096 - n % 2
                write_cfg(cfg, keys)
                px.proc.send_signal(signal.SIGHUP)
                self.assertTrue(wait_until(
                    lambda: px.log().count("configuration reloaded") > n,
                    30), "reload %d not done" % n)
                time.sleep(0.1)
            for t in threads:
                t.join(300)
            self.assertEqual(failures, [])
            self.assertEqual(len(px.files()), CLIENTS * PER_CLIENT)
            self.assertIn("socket kept", px.log())
            self.assertNotIn("reload refused", px.log())

    def test_port_change_does_not_block_signals(self):
        with open(os.path.join(FIXTURES, "inventory_small.xml"), "rb") as f:
            body = f.read()
        with GlpiDouble() as glpi:
            glpi.behaviour(delay_ms=120000)
            # Without a spool, a legacy forward holds its request.
            px = Passeur(agent={"server": glpi.url(), "spool": ""})
            self.addCleanup(px.cleanup)
            px.start()
            self.addCleanup(px.stop, False)     # on failure: not left running
            out = {}
            t = threading.Thread(target=lambda: out.setdefault(
                "r", px.post(body, "application/xml")), daemon=True)
            t.start()
            # A request in progress on the old port, held by the double.
            self.assertTrue(wait_until(lambda: len(glpi.requests()) == 1, 30))
            agent = os.path.join(px.confdir, "agent.cfg")
            ports = [free_port(), free_port()]
            start = time.monotonic()
            for n, port in enumerate(ports):
                with open(agent, "a") as f:
                    f.write("httpd-port = %d\n" % port)
                px.proc.send_signal(signal.SIGHUP)
                # Hang guard: the old listeners' 15 s grace used to hold
                # the signal loop.
                self.assertTrue(wait_until(
                    lambda: px.log().count("configuration reloaded") > n,
                    10), "reload %d not done" % n)
                self.assertEqual(http("GET", port, "/proxy/apiversion")
                                 .status, 200)
            self.assertLess(time.monotonic() - start, 20)
            px.proc.send_signal(signal.SIGTERM)
            # The held request is cancelled after the grace; exit 0 under
            # LeakSanitizer: nothing of the old listeners is leaked.
            self.assertEqual(px.proc.wait(60), 0, px.log())
            t.join(10)
            self.assertEqual(out["r"].status, 500)
            px.stop()
            self.assertIn("cancelling their forwards", px.log())


if __name__ == "__main__":
    main()
