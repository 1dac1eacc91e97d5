# SPDX-License-Identifier: GPL-3.0-or-later
"""A configuration under which an inventory could be acknowledged without
being kept (stored in local_store or handed to a server) is refused: by
-n, at start, and on SIGHUP, where the running configuration stays."""

import os
import signal
import subprocess
import unittest

from harness import (AGENT_ID, BIN, FIXTURES, Passeur, main, wait_until,
                     write_cfg)

XML = os.path.join(FIXTURES, "inventory_small.xml")
JSON = os.path.join(FIXTURES, "computer_small.json")
# Never contacted: the checks happen before anything is forwarded.
NOWHERE = "http://127.0.0.1:9/front/inventory.php"

# (name, agent.cfg keys, proxy-server-plugin.cfg keys, expected message)
REFUSED = [
    ("legacy only, no server, no store", {},
     {"glpi_protocol": "no", "local_store": ""},
     "glpi_protocol is off, no server is set in agent.cfg and local_store "
     "is empty: inventories would be answered and dropped"),
    ("JSON, no server (stores only), no store", {},
     {"local_store": ""},
     "no server is set in agent.cfg and local_store is empty: inventories "
     "would be answered and dropped"),
    ("only_local_store with a server, no store", {"server": NOWHERE},
     {"only_local_store": "yes", "local_store": ""},
     "only_local_store is on but local_store is empty: inventories would "
     "be answered and dropped"),
    ("legacy only, only_local_store, no store", {},
     {"glpi_protocol": "no", "only_local_store": "yes", "local_store": ""},
     "only_local_store is on but local_store is empty"),
]


def serve(*args):
    return subprocess.run([BIN, "serve"] + list(args), capture_output=True,
                          timeout=60, text=True, stdin=subprocess.DEVNULL)


def read(path):
    with open(path, "rb") as f:
        return f.read()


class Refused(unittest.TestCase):
    def passeur(self, agent, proxy):
        px = Passeur(agent=agent, proxy=proxy)
        self.addCleanup(px.cleanup)
        return px

    def test_check_and_start_refuse(self):
        for name, agent, proxy, message in REFUSED:
            with self.subTest(name):
                px = self.passeur(agent, proxy)
                for extra in (["-n"], ["-f"]):
                    p = serve("-c", px.confdir, "--vardir", px.vardir,
                              *extra)
                    self.assertEqual(p.returncode, 1, (extra, p.stderr))
                    self.assertIn(message, p.stderr)
                    self.assertIn(os.path.join(px.confdir,
                                               "proxy-server-plugin.cfg"),
                                  p.stderr)
                    self.assertNotIn("configuration OK", p.stdout)
                    self.assertNotIn("started", p.stderr)

    def test_second_instance_is_checked_too(self):
        px = self.passeur({}, {})
        write_cfg(os.path.join(px.confdir, "proxy2-server-plugin.cfg"),
                  {"disabled": "no", "port": px.port + 1,
                   "glpi_protocol": "no"})
        p = serve("-c", px.confdir, "--vardir", px.vardir, "-n")
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("proxy2-server-plugin.cfg: glpi_protocol is off",
                      p.stderr)

    def test_accepted_neighbours(self):
        """What keeps every inventory stays accepted."""
        for agent, proxy in (
                ({}, {"glpi_protocol": "no"}),          # stores
                ({"server": NOWHERE}, {"local_store": ""}),   # forwards
                ({"server": NOWHERE}, {"glpi_protocol": "no",
                                       "local_store": ""}),
                ({}, {"disabled": "yes", "local_store": ""})):
            with self.subTest(agent=agent, proxy=proxy):
                px = self.passeur(agent, proxy)
                if proxy.get("disabled") == "yes":
                    write_cfg(os.path.join(px.confdir,
                                           "proxy2-server-plugin.cfg"),
                              {"disabled": "no", "local_store": px.store})
                p = serve("-c", px.confdir, "--vardir", px.vardir, "-n")
                self.assertEqual((p.returncode, p.stdout),
                                 (0, "configuration OK\n"), p.stderr)

    def test_reload_refused_and_old_configuration_kept(self):
        xml = read(XML)
        for name, agent, proxy, message in REFUSED:
            with self.subTest(name):
                px = self.passeur({}, {})
                px.start()
                self.addCleanup(px.stop, False)
                agent_cfg = os.path.join(px.confdir, "agent.cfg")
                with open(agent_cfg, "a") as f:
                    for k, v in agent.items():
                        f.write("%s = %s\n" % (k, v))
                with open(os.path.join(px.confdir,
                                       "proxy-server-plugin.cfg"), "a") as f:
                    for k, v in proxy.items():
                        f.write("%s = %s\n" % (k, v))
                px.proc.send_signal(signal.SIGHUP)
                px.wait_log("running one is kept")
                self.assertIn(message, px.log())
                self.assertNotIn("configuration reloaded", px.log())
                # The running configuration still stores both kinds.
                r = px.post(xml, "application/xml")
                self.assertEqual(r.status, 200, r)
                self.assertEqual(
                    read(os.path.join(px.store,
                                      "passeur-test-2026-01-01-00-00-00.xml")),
                    xml)
                r = px.post(read(JSON), "application/json", AGENT_ID)
                self.assertEqual(r.status, 200, r)
                self.assertTrue(wait_until(lambda: any(
                    n.endswith(".json") for n in px.files()), 5))
                px.stop()


if __name__ == "__main__":
    main()
