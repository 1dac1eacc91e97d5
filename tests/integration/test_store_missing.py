# SPDX-License-Identifier: GPL-3.0-or-later
"""The store folder removed under a running daemon: made again, with its
mode and owner, for JSON and XML alike, and said once; when it cannot be,
both get 500 and the log says so once."""

import os
import re
import shutil
import stat
import unittest

from harness import AGENT_ID, FIXTURES, Passeur, main, read_file

JSON = read_file(os.path.join(FIXTURES, "computer_small.json"))
XML = read_file(os.path.join(FIXTURES, "inventory_small.xml"))
NAME = "passeur-test-2026-01-01-00-00-00"


class StoreRemoved(unittest.TestCase):
    def post_both(self, px, order=("json", "xml")):
        out = {}
        for kind in order:
            if kind == "json":
                out[kind] = px.post(JSON, "application/json", AGENT_ID)
            else:
                out[kind] = px.post(XML, "application/xml")
        return out

    def test_recreated_for_json_and_xml(self):
        with Passeur() as px:
            os.chmod(px.store, 0o770)
            r = self.post_both(px)
            self.assertEqual([r["json"].status, r["xml"].status], [200, 200])
            for order in (("json", "xml"), ("xml", "json")):
                with self.subTest(order=order):
                    shutil.rmtree(px.store)
                    r = self.post_both(px, order)
                    self.assertEqual([r["json"].status, r["xml"].status],
                                     [200, 200], r)
                    self.assertEqual(read_file(os.path.join(
                        px.store, NAME + ".json")), JSON)
                    self.assertEqual(read_file(os.path.join(
                        px.store, NAME + ".xml")), XML)
                    st = os.stat(px.store)
                    self.assertEqual(stat.S_IMODE(st.st_mode), 0o770)
                    self.assertEqual((st.st_uid, st.st_gid),
                                     (os.geteuid(), os.getegid()))
            line = "local_store %s was missing: recreated" % px.store
            self.assertEqual(px.log().count(line), 2, px.log())

    @unittest.skipUnless(os.geteuid() == 0, "giving a folder away needs root")
    def test_owner_kept(self):
        import pwd
        nobody = pwd.getpwnam("nobody")
        with Passeur() as px:
            os.chown(px.store, nobody.pw_uid, nobody.pw_gid)
            os.chmod(px.store, 0o750)
            self.assertEqual(px.post(XML, "application/xml").status, 200)
            shutil.rmtree(px.store)
            self.assertEqual(px.post(JSON, "application/json",
                                     AGENT_ID).status, 200)
            st = os.stat(px.store)
            self.assertEqual((st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)),
                             (nobody.pw_uid, nobody.pw_gid, 0o750))
            self.assertEqual(os.listdir(px.store), [NAME + ".json"])

    def test_cannot_recreate_gives_500_for_both(self):
        with Passeur() as px:
            shutil.rmtree(px.store)
            with open(px.store, "w") as f:
                f.write("in the way\n")
            for _ in range(2):
                r = self.post_both(px)
                for kind in ("json", "xml"):
                    self.assertEqual((r[kind].status, r[kind].body),
                                     (500, b"Proxy local store missing"),
                                     kind)
            log = px.wait_log("cannot be recreated")
            self.assertEqual(len(re.findall(
                r"local_store %s is missing and cannot be recreated; "
                r"messages get 500 until it is back: Not a directory"
                % re.escape(px.store), log)), 1, log)
            # Once the way is clear, it is made again and used.
            os.unlink(px.store)
            r = self.post_both(px)
            self.assertEqual([r["json"].status, r["xml"].status], [200, 200])
            self.assertEqual(sorted(os.listdir(px.store)),
                             [NAME + ".json", NAME + ".xml"])
            self.assertTrue(px.alive())


if __name__ == "__main__":
    main()
