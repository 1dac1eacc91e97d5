# SPDX-License-Identifier: GPL-3.0-or-later
"""GLPI JSON protocol against a storing proxy: every inventory is stored
byte for byte as the agent sent it (after decompression), whatever the
compression, and CONTACT gets the emulated answer."""

import glob
import json
import os
import re
import unittest

from harness import (AGENT_ID, FIXTURES, INVENTORIES_JSON, Passeur, gzip_of,
                     main, zlib_of)


def encodings(body):
    return [("application/json", body),
            ("application/x-compress-zlib", zlib_of(body)),
            ("application/x-compress", zlib_of(body)),
            ("application/x-compress-gzip", gzip_of(body))]


class StoreJson(unittest.TestCase):
    def check_stored(self, px, body, name_prefix=None):
        doc = json.loads(body)
        for ctype, payload in encodings(body):
            r = px.post(payload, ctype, AGENT_ID)
            self.assertEqual(r.status, 200, (ctype, r))
            self.assertEqual(r.json(), {"status": "ok"})
            action = doc.get("action", "inventory")
            suffix = ("" if action == "inventory" else "." + action) + \
                (".partial" if doc.get("partial") else "") + ".json"
            path = os.path.join(px.store, doc["deviceid"] + suffix)
            with open(path, "rb") as f:
                self.assertEqual(f.read(), body, ctype)
            os.unlink(path)

    def test_own_fixture_all_encodings(self):
        with open(os.path.join(FIXTURES, "computer_small.json"), "rb") as f:
            body = f.read()
        with Passeur() as px:
            self.check_stored(px, body)
            self.assertEqual(px.files(), [])

    def test_real_inventories_all_encodings(self):
        files = sorted(glob.glob(os.path.join(INVENTORIES_JSON, "*.json")))
        self.assertGreaterEqual(len(files), 8)
        with Passeur() as px:
            for path in files:
                with open(path, "rb") as f:
                    body = f.read()
                with self.subTest(fixture=os.path.basename(path)):
                    self.check_stored(px, body)

    def test_non_ascii_deviceid(self):
        with open(os.path.join(INVENTORIES_JSON, "phone_1.json"), "rb") as f:
            body = f.read()
        deviceid = json.loads(body)["deviceid"]
        self.assertNotEqual(deviceid.encode(), deviceid.encode("ascii", "ignore"))
        with Passeur() as px:
            r = px.post(zlib_of(body), "application/x-compress-zlib", AGENT_ID)
            self.assertEqual(r.status, 200, r)
            self.assertEqual(px.files(), [deviceid + ".json"])

    def test_partial_never_replaces_full(self):
        full = {"action": "inventory", "deviceid": "pc-1", "content":
                {"versionclient": "x", "hardware": {"name": "pc"}}}
        part = dict(full, partial=True)
        with Passeur() as px:
            fb = json.dumps(full).encode()
            pb = json.dumps(part).encode()
            self.assertEqual(px.post(fb, "application/json", AGENT_ID).status, 200)
            self.assertEqual(px.post(pb, "application/json", AGENT_ID).status, 200)
            self.assertEqual(px.files(), ["pc-1.json", "pc-1.partial.json"])
            with open(os.path.join(px.store, "pc-1.json"), "rb") as f:
                self.assertEqual(f.read(), fb)

    def test_other_actions_stored_beside(self):
        with Passeur() as px:
            for action in ("netdiscovery", "get_params"):
                b = json.dumps({"action": action, "deviceid": "pc-2"}).encode()
                r = px.post(b, "application/json", AGENT_ID)
                self.assertEqual(r.status, 200, r)
            # get_params is a control message: never stored.
            self.assertEqual(px.files(), ["pc-2.netdiscovery.json"])
            # Unusual action names are not inventories: never stored, so
            # never file names.
            for action in ("abcdef1", "../x", "A" * 40):
                b = json.dumps({"action": action, "deviceid": "pc-5"}).encode()
                self.assertEqual(px.post(b, "application/json", AGENT_ID).status, 200)
            self.assertEqual([f for f in px.files() if f.startswith("pc-5")],
                             [])

    def test_empty_action_is_inventory(self):
        with Passeur() as px:
            b = json.dumps({"action": "", "deviceid": "pc-4"}).encode()
            self.assertEqual(px.post(b, "application/json", AGENT_ID).status, 200)
            self.assertEqual(px.files(), ["pc-4.json"])
            px.wait_log(r" pc-4 inventory 200 ")

    def test_access_log_escapes_client_data(self):
        with Passeur() as px:
            b = json.dumps({"deviceid": "a\nforged line\\"}).encode()
            self.assertEqual(px.post(b, "application/json", AGENT_ID).status, 400)
            log = px.wait_log(re.escape(r" a\x0aforged\x20line\x5c "
                                        "inventory 400 "))
            self.assertFalse(any(l.startswith("forged") for l in log.splitlines()))

    def test_no_deviceid_stored_by_agent_id(self):
        with Passeur() as px:
            r = px.post(b'{"content":{"versionclient":"x"}}',
                        "application/json", AGENT_ID)
            self.assertEqual(r.status, 200, r)
            self.assertEqual(px.files(), [AGENT_ID + ".json"])

    def test_contact_emulated(self):
        contact = json.dumps({"action": "contact", "deviceid": "pc-3",
                              "name": "GLPI-Agent", "version": "1.12"}).encode()
        expected = {"status": "ok",
                    "message": "contact on only storing proxy agent",
                    "tasks": {"inventory": {}},
                    "disabled": ["netdiscovery", "netinventory", "esx",
                                 "collect", "deploy", "wakeonlan"],
                    "expiration": 24}
        with Passeur() as px:
            r = px.post(zlib_of(contact), "application/x-compress-zlib", AGENT_ID)
            self.assertEqual(r.status, 200, r)
            self.assertEqual(r.headers["content-type"], "application/json")
            self.assertEqual(r.json(), expected)
            # Keys are sorted and indented by three spaces, as the reference.
            self.assertTrue(r.body.startswith(b'{\n   "disabled": ['), r.body)
            self.assertEqual(px.files(), [], "a contact is never stored")
        with Passeur(proxy={"no_category": "process,environment",
                            "prolog_freq": 12}) as px:
            r = px.post(contact, "application/json", AGENT_ID)
            exp = dict(expected, expiration=12,
                       tasks={"inventory": {"no-category": "process,environment"}})
            self.assertEqual(r.json(), exp)

    def test_legacy_prolog_with_agent_id(self):
        with open(os.path.join(FIXTURES, "prolog_small.xml"), "rb") as f:
            prolog = f.read()
        with Passeur() as px:
            r = px.post(zlib_of(prolog), "application/x-compress-zlib", AGENT_ID)
            self.assertEqual(r.status, 200, r)
            self.assertEqual(r.json()["message"],
                             "contact on only storing proxy agent")
            # Without an agent id it is the legacy branch: an XML PROLOG reply.
            r = px.post(prolog, "application/xml")
            self.assertEqual(r.status, 200, r)
            self.assertIn(b"<PROLOG_FREQ>24</PROLOG_FREQ>", r.body)
            self.assertIn(b"<RESPONSE>SEND</RESPONSE>", r.body)

    def test_apiversion_and_getconfig(self):
        with Passeur() as px:
            for method in ("GET", "POST"):
                for path in ("/proxy/apiversion", "/proxy/apiversion/"):
                    r = px.request(method, path)
                    self.assertEqual((r.status, r.body), (200, b"2.5"))
                    self.assertTrue(r.headers["content-type"].startswith("text/plain"))
            r = px.request("GET", "/proxy/glpi?action=getConfig")
            self.assertEqual((r.status, r.body), (200, b"{}"))
            self.assertEqual(r.headers["content-type"], "application/json")

    def test_glpi_protocol_off_is_legacy_only(self):
        with Passeur(proxy={"glpi_protocol": "no"}) as px:
            r = px.post(b'{"deviceid":"x"}', "application/json", AGENT_ID)
            self.assertEqual(r.status, 403)
            self.assertEqual(r.body, b"Unsupported Content-type")


if __name__ == "__main__":
    main()
