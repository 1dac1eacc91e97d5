# SPDX-License-Identifier: GPL-3.0-or-later
"""A JSON CONTACT while the upstream cannot be reached is answered with
the last CONTACT answer of that upstream (kept across a restart), or with
the proxy's own emulated answer when it has none; the agent then sends its
inventory, which the spool keeps and delivers once the upstream is back.
A refusal that is not an outage is still the reference's failure answer."""

import json
import os
import re
import unittest

from harness import (AGENT_ID, GlpiDouble, Passeur, free_port, main,
                     wait_until, zlib_of)

CONTACT = json.dumps({"action": "contact", "deviceid": "pc-outage",
                      "name": "GLPI-Agent", "version": "1.12",
                      "enabled-tasks": ["inventory", "deploy"]}).encode()
INVENTORY = json.dumps({"action": "inventory", "deviceid": "pc-outage",
                        "itemtype": "Computer",
                        "content": {"versionclient": "GLPI-Agent_v1.12",
                                    "hardware": {"name": "pc-outage"}}}
                       ).encode()
# Fast retries of the spool, a short timeout.
FAST = {"spool_retry_min": 1, "spool_retry_max": 2, "timeout": 3}
CACHED_LINE = (r"contact [0-9A-F]{8} \(agent %s\): server0 \(\S+\) "
               r"unreachable \(.*\): answered from the cached CONTACT "
               r"answer of 20\d\d-\d\d-\d\dT\d\d:\d\d:\d\dZ" % AGENT_ID)


def contact(test, px):
    """Sends the CONTACT as the agent does and polls its final answer."""
    r = px.post(zlib_of(CONTACT), "application/x-compress-zlib", AGENT_ID)
    test.assertEqual(r.status, 202, r)
    final = px.poll_final(r.headers["glpi-request-id"], 30)
    test.assertIsNotNone(final, "no final answer:\n" + px.log())
    return final


def inventories(glpi):
    """The inventories the double accepted."""
    return [rec for rec in glpi.requests() if rec["method"] == "POST" and
            rec["status"] == 200 and rec["inflated_b64"] and
            b"versionclient" in GlpiDouble.inflated(rec)]


class Outage(unittest.TestCase):
    def test_cached_answer_across_restart_then_inventory_delivered(self):
        px = None
        try:
            with GlpiDouble() as glpi:
                port = glpi.port
                px = Passeur(agent={"server": glpi.url(), **FAST},
                             proxy={"prolog_freq": 2})
                px.start()
                live = contact(self, px)
                self.assertEqual(live.status, 200)
                answer = live.json()
                self.assertEqual(answer["status"], "ok")
                self.assertEqual(answer["expiration"], 24)
                self.assertEqual(answer["tasks"]["inventory"]["server"],
                                 "glpi")
                url = glpi.url()
            # Kept in the state folder, for a person to read too.
            with open(os.path.join(px.vardir, "contact-server0.json")) as f:
                kept = json.load(f)
            self.assertEqual((kept["server"], kept["url"]), (0, url))
            self.assertEqual(kept["answer"], answer)

            # The double is gone: the agent gets GLPI's last answer,
            # due again after prolog_freq (2 hours), not GLPI's 24.
            expected = dict(answer, expiration=2)
            down = contact(self, px)
            self.assertEqual(down.status, 200)
            self.assertEqual(down.json(), expected)
            px.wait_log(CACHED_LINE)

            # A restart while GLPI is still down keeps that answer.
            px.stop()
            px.start()
            down = contact(self, px)
            self.assertEqual(down.json(), expected)
            px.wait_log(CACHED_LINE)

            # The agent goes on: its inventory is held, then delivered.
            r = px.post(zlib_of(INVENTORY), "application/x-compress-zlib",
                        AGENT_ID)
            self.assertEqual(r.status, 202, r)
            held = px.poll_final(r.headers["glpi-request-id"], 20)
            self.assertEqual(held.status, 200)
            self.assertRegex(held.json()["message"],
                             r"^inventory held by proxy [0-9a-f-]{36} for "
                             r"delivery$")
            with GlpiDouble(port=port) as back:
                self.assertTrue(wait_until(lambda: len(inventories(back)) ==
                                           1, 30), px.log())
                self.assertEqual(GlpiDouble.inflated(inventories(back)[0]),
                                 INVENTORY)
                px.wait_log(r"spool [0-9a-f]{16}: delivered")
            px.stop()
        finally:
            if px is not None:
                px.stop(check=False)
                px.cleanup()

    def test_nothing_cached_gives_the_emulated_answer(self):
        with Passeur(agent={"server": "http://127.0.0.1:%d/" % free_port(),
                            **FAST},
                     proxy={"no_category": "process,environment"}) as px:
            r = contact(self, px)
            self.assertEqual(r.status, 200)
            self.assertEqual(r.json(), {
                "status": "ok",
                "message": "server0 unreachable, contact answered by proxy",
                "tasks": {"inventory": {"no-category":
                                        "process,environment"}},
                "disabled": ["netdiscovery", "netinventory", "esx",
                             "collect", "deploy", "wakeonlan"],
                "expiration": 24})
            px.wait_log(r"contact [0-9A-F]{8} \(agent %s\): server0 \(\S+\) "
                        r"unreachable \(.*\): answered with the emulated "
                        r"answer" % AGENT_ID)
            self.assertEqual(os.listdir(px.vardir).count(
                "contact-server0.json"), 0)

    def test_refusals_are_not_masked_outages_are(self):
        # GLPI's 24 hours, shorter than prolog_freq, are kept.
        with GlpiDouble() as glpi, \
                Passeur(agent={"server": glpi.url(), **FAST},
                        proxy={"prolog_freq": 48}) as px:
            answer = contact(self, px).json()
            self.assertEqual((answer["status"], answer["expiration"]),
                             ("ok", 24))
            failure = {"status": "error", "message": "server0 forward failure",
                       "expiration": 48}
            # GLPI refuses: the agent must hear it.
            for status, body in ((400, None), (403, None), (404, None),
                                 (200, '{"status":"error","message":"no"}')):
                glpi.behaviour(fail_next=1, fail_status=status,
                               **({"fail_body": body} if body else {}))
                r = contact(self, px)
                self.assertEqual((r.status, r.json()), (200, failure),
                                 status)
            self.assertIsNone(re.search(r"answered from the cached", px.log()))
            # Down, overloaded or too slow: GLPI's last answer.
            for status in (500, 502, 503, 408, 429):
                glpi.behaviour(fail_next=1, fail_status=status)
                r = contact(self, px)
                self.assertEqual((r.status, r.json()), (200, answer), status)
            # Too slow: past agent.cfg's timeout (3 s here).
            glpi.behaviour(delay_ms=5000)
            r = contact(self, px)
            self.assertEqual((r.status, r.json()), (200, answer))
            glpi.behaviour(delay_ms=0)
            self.assertEqual(len(re.findall(r"answered from the cached",
                                            px.log())), 6)


if __name__ == "__main__":
    main()
