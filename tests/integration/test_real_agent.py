# SPDX-License-Identifier: GPL-3.0-or-later
"""The real Debian FusionInventory 2.6 agent and injector as clients: a
PROLOG then an INVENTORY from the agent, and stored XML files from the
injector, through both /proxy/glpi and /proxy/fusioninventory."""

import os
import shutil
import socket
import subprocess
import tempfile
import unittest
import xml.etree.ElementTree as ET

from harness import (FIXTURES, FUSION_AGENT, INVENTORIES_XML, Passeur, main,
                     run_fusion_agent)

INJECTOR = shutil.which("fusioninventory-injector")


@unittest.skipUnless(FUSION_AGENT and INJECTOR,
                     "fusioninventory-agent is not installed "
                     "(tools/install-deps test installs it)")
class RealAgent(unittest.TestCase):
    def check_agent_inventory(self, px):
        files = px.files()
        self.assertEqual(len(files), 1, files)
        self.assertTrue(files[0].endswith(".xml"))
        root = ET.parse(os.path.join(px.store, files[0])).getroot()
        self.assertEqual(root.tag, "REQUEST")
        self.assertEqual(root.findtext("QUERY"), "INVENTORY")
        self.assertEqual(root.findtext("DEVICEID") + ".xml", files[0])
        self.assertEqual(root.findtext("CONTENT/HARDWARE/NAME"),
                         socket.gethostname().split(".")[0])
        self.assertTrue(root.findtext("CONTENT/VERSIONCLIENT")
                        .startswith("FusionInventory-Agent"))

    def test_agent_prolog_and_inventory(self):
        for path in ("/proxy/fusioninventory", "/proxy/glpi"):
            with self.subTest(path=path), Passeur() as px:
                run_fusion_agent(self, px.url(path))
                self.check_agent_inventory(px)
                px.wait_log(r"127\.0\.0\.1 - \S+ prolog 200 ")
                px.wait_log(r"127\.0\.0\.1 - \S+ inventory 200 ")

    def inject(self, url, *args):
        p = subprocess.run([INJECTOR, "-v", "-u", url] + list(args),
                           capture_output=True, timeout=120)
        return p.returncode, p.stdout.decode() + p.stderr.decode()

    def test_injector_files_identical(self):
        sources = [os.path.join(FIXTURES, "inventory_small.xml"),
                   os.path.join(INVENTORIES_XML,
                                "fusioninventory-2.6-debian12.xml")]
        for path in ("/proxy/fusioninventory", "/proxy/glpi"):
            with self.subTest(path=path), Passeur() as px:
                for src in sources:
                    code, out = self.inject(px.url(path), "-f", src)
                    self.assertEqual(code, 0, out)
                    deviceid = ET.parse(src).getroot().findtext("DEVICEID")
                    with open(os.path.join(px.store, deviceid + ".xml"),
                              "rb") as f, open(src, "rb") as g:
                        self.assertEqual(f.read(), g.read())
                self.assertEqual(len(px.files()), len(sources))

    def test_injector_directory_uncompressed(self):
        d = tempfile.mkdtemp(prefix="inj-")
        self.addCleanup(shutil.rmtree, d, True)
        src = os.path.join(FIXTURES, "inventory_small.xml")
        with open(src, "rb") as f:
            body = f.read()
        for i in range(3):
            with open(os.path.join(d, "pc-%d.ocs" % i), "wb") as f:
                f.write(body.replace(b"passeur-test-2026-01-01-00-00-00",
                                     b"pc-%d-2026-01-01-00-00-00" % i))
        with Passeur() as px:
            code, out = self.inject(px.url("/proxy/fusioninventory"), "-C",
                                    "-R", "-d", d)
            self.assertEqual(code, 0, out)
            self.assertEqual(px.files(), ["pc-%d-2026-01-01-00-00-00.xml" % i
                                          for i in range(3)])


if __name__ == "__main__":
    main()
