#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The daemon's tables under hostile traffic: the rate table when it is
full, the table of answers awaiting a poll, the rate table across a
reload, and the file-descriptor limit against max_connections."""

import http.client as httpclient
import json
import unittest
import uuid

from harness import Passeur, main


def inventory(deviceid):
    return json.dumps({"action": "inventory", "deviceid": deviceid,
                       "content": {"versionclient": "GLPI-Agent_v1.12"}}
                      ).encode()


def agent_id(name):
    return str(uuid.uuid5(uuid.NAMESPACE_DNS, name))


def post_from(px, source, body, ctype="application/json", headers=None):
    """A POST to px from the loopback address source; the status."""
    conn = httpclient.HTTPConnection(px.host, px.port, timeout=30,
                                     source_address=(source, 0))
    h = {"Content-Type": ctype,
         "GLPI-Agent-ID": agent_id(json.loads(body)["deviceid"])}
    h.update(headers or {})
    try:
        conn.request("POST", "/proxy/glpi", body, h)
        r = conn.getresponse()
        r.read()
        return r.status
    finally:
        conn.close()


class FullRateTable(unittest.TestCase):
    """A full rate table evicts the client seen least recently: new
    addresses are served, a client that keeps sending stays limited."""

    def test_new_addresses_served_when_full(self):
        with Passeur(proxy={"maxrate": 2, "maxrate_period": 3600,
                            "max_rate_clients": 16,
                            "only_local_store": "yes"}) as px:
            known = "127.0.0.1"
            codes = [post_from(px, known, inventory("known"))
                     for _ in range(3)]
            self.assertEqual(codes, [200, 200, 429])
            new, limited = [], []
            for i in range(48):
                new.append(post_from(px, "127.0.1.%d" % (i + 1),
                                     inventory("pc-%02d" % i)))
                if i % 4 == 3:
                    limited.append(post_from(px, known, inventory("known")))
            self.assertEqual(new, [200] * 48)
            self.assertEqual(limited, [429] * 12)


if __name__ == "__main__":
    main()
