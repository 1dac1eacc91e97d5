# SPDX-License-Identifier: GPL-3.0-or-later
"""Forwarding to the GLPI test double: 202 + poll gives the upstream's
answer, the forwarded bytes are the agent's, failures give the documented
answers, and chains of proxies deliver once with every proxy id.

The tests of failure answers turn the spool off (NO_SPOOL): forwarded
from memory, a failure is the reference's answer at once.  With the spool
(test_spool.py) a failure that may pass is retried instead."""

import hashlib
import json
import os
import re
import unittest

from harness import (AGENT_ID, FIXTURES, GlpiDouble, Passeur, free_port,
                     main, read_file, wait_until, zlib_of)

INVENTORY = read_file(os.path.join(FIXTURES, "computer_small.json"))
XML_INV = read_file(os.path.join(FIXTURES, "inventory_small.xml"))
CONTACT = json.dumps({"action": "contact", "deviceid": "pc-9",
                      "name": "GLPI-Agent", "version": "1.12",
                      "enabled-tasks": ["inventory", "deploy"]}).encode()


# The reference's way: forwarded from memory, failures answered at once.
NO_SPOOL = {"spool": ""}


def own_id(px):
    with open(os.path.join(px.vardir, "proxy-id")) as f:
        return f.read().strip()


class Forward(unittest.TestCase):
    def submit_and_poll(self, px, body, ctype="application/x-compress-zlib",
                        seconds=30):
        payload = zlib_of(body) if "compress" in ctype else body
        r = px.post(payload, ctype, AGENT_ID)
        self.assertEqual(r.status, 202, r)
        reqid = r.headers["glpi-request-id"]
        self.assertRegex(reqid, r"^[0-9A-F]{8}$")
        # 10s before any forward, then the slowest of the recent ones.
        self.assertEqual(r.json()["status"], "pending")
        self.assertRegex(r.json()["expiration"], r"^\d+s$")
        final = px.poll_final(reqid, seconds)
        self.assertIsNotNone(final, "no final answer")
        self.assertEqual(final.headers.get("glpi-request-id"), reqid)
        # The answer is given once; then the id is unknown.
        again = px.request("GET", "/proxy/glpi", None,
                           {"GLPI-Agent-ID": AGENT_ID,
                            "GLPI-Request-ID": reqid})
        self.assertEqual((again.status, again.body), (404, b"Unknown status"))
        return final

    def test_inventory_forwarded_identical(self):
        with GlpiDouble() as glpi, \
                Passeur(agent={"server": glpi.url()}) as px:
            first = px.post(INVENTORY, "application/json", AGENT_ID)
            self.assertEqual(first.json(), {"expiration": "10s",
                                            "status": "pending"})
            self.assertTrue(wait_until(lambda: len(glpi.requests()) == 1))
            r = self.submit_and_poll(px, INVENTORY)
            self.assertEqual(r.status, 200)
            self.assertEqual(r.json(), {"expiration": 24, "status": "ok"})
            recs = glpi.requests()
            self.assertEqual(len(recs), 2)
            rec = recs[1]
            self.assertEqual(rec["content_type"], "application/x-compress-zlib")
            self.assertEqual(rec["inflated_sha256"],
                             hashlib.sha256(INVENTORY).hexdigest())
            self.assertEqual(rec["headers"]["glpi-agent-id"], AGENT_ID)
            self.assertEqual(rec["headers"]["glpi-proxy-id"], own_id(px))
            # The local store keeps its copy too.
            self.assertEqual(px.files(),
                             ["passeur-test-2026-01-01-00-00-00.json"])
            px.wait_log(r"spool [0-9a-f]{16}: delivered")

    def test_no_compression_upstream(self):
        with GlpiDouble() as glpi, \
                Passeur(agent={"server": glpi.url(),
                               "no-compression": "yes"}) as px:
            self.submit_and_poll(px, INVENTORY, "application/json")
            rec = glpi.requests()[0]
            self.assertEqual(rec["content_type"], "application/json")
            self.assertEqual(GlpiDouble.inflated(rec), INVENTORY)

    def test_contact_answered_by_upstream(self):
        with GlpiDouble() as glpi, \
                Passeur(agent={"server": glpi.url()}) as px:
            r = self.submit_and_poll(px, CONTACT)
            answer = r.json()
            self.assertEqual(answer["status"], "ok")
            self.assertIn("inventory", answer["tasks"])
            self.assertIn("deploy", answer["disabled"])
            self.assertEqual(px.files(), [], "a contact is not stored")

    def test_legacy_prolog_with_agent_id_switches_to_json(self):
        with GlpiDouble() as glpi, \
                Passeur(agent={"server": glpi.url()}) as px:
            prolog = read_file(os.path.join(FIXTURES, "prolog_small.xml"))
            r = px.post(zlib_of(prolog), "application/x-compress-zlib", AGENT_ID)
            self.assertEqual(r.status, 202)
            self.assertEqual(r.json(), {"expiration": 0, "status": "pending"})
            self.assertNotIn("glpi-request-id", r.headers)
            self.assertEqual(glpi.requests(), [])

    def test_upstream_down(self):
        with Passeur(agent={"server": "http://127.0.0.1:%d/" % free_port(),
                            "timeout": 5, **NO_SPOOL}) as px:
            r = self.submit_and_poll(px, INVENTORY)
            self.assertEqual(r.status, 200)
            self.assertEqual(r.json(), {"status": "error",
                                        "message": "server0 forward failure",
                                        "expiration": 24})
            self.assertIn("failed", px.log())
            # Nothing received is lost: the local store has it.
            self.assertEqual(px.files(),
                             ["passeur-test-2026-01-01-00-00-00.json"])

    def test_upstream_error_answer(self):
        with GlpiDouble() as glpi, \
                Passeur(agent={"server": glpi.url(), **NO_SPOOL}) as px:
            glpi.behaviour(fail_next=1, fail_status=500)
            r = self.submit_and_poll(px, INVENTORY)
            self.assertEqual(r.json()["message"], "server0 forward failure")
            bad = json.dumps({"deviceid": "x"}).encode()   # no content
            r = self.submit_and_poll(px, bad)
            self.assertEqual(r.json()["status"], "error")

    def test_basic_authentication_on_401(self):
        with GlpiDouble(args=["--basic-auth", "glpi:s3cret"]) as glpi:
            with Passeur(agent={"server": glpi.url(), "user": "glpi",
                                "password": "s3cret"}) as px:
                r = self.submit_and_poll(px, INVENTORY)
                self.assertEqual(r.json(), {"expiration": 24, "status": "ok"})
                rec = glpi.requests()[0]
                self.assertTrue(rec["headers"]["authorization"]
                                .startswith("Basic "))
            for agent in ({}, {"user": "glpi", "password": "wrong"}):
                agent["server"] = glpi.url()
                with self.subTest(agent=agent), Passeur(agent=agent) as px:
                    r = self.submit_and_poll(px, INVENTORY)
                    self.assertEqual(r.json()["message"],
                                     "server0 forward failure")
                    self.assertNotIn("wrong", px.log())
            self.assertEqual(len(glpi.requests()), 1)

    def test_second_target_fails(self):
        with GlpiDouble() as glpi:
            servers = "%s,http://127.0.0.1:%d/" % (glpi.url(), free_port())
            with Passeur(agent={"server": servers, "timeout": 5,
                                **NO_SPOOL}) as px:
                r = self.submit_and_poll(px, INVENTORY)
                self.assertEqual(r.json()["message"],
                                 "server1 forward failure")
                self.assertEqual(len(glpi.requests()), 1)

    def test_pending_upstream_is_polled(self):
        with GlpiDouble() as glpi, \
                Passeur(agent={"server": glpi.url()}) as px:
            glpi.behaviour(pending_next=1)
            r = self.submit_and_poll(px, INVENTORY)
            self.assertEqual(r.json(), {"expiration": 24, "status": "ok"})
            recs = glpi.requests()
            self.assertEqual([x["method"] for x in recs], ["POST", "GET"])
            self.assertEqual(recs[1]["headers"]["glpi-agent-id"], AGENT_ID)

    def test_legacy_inventory_forwarded(self):
        with GlpiDouble() as glpi, \
                Passeur(agent={"server": glpi.url()}) as px:
            r = px.post(zlib_of(XML_INV), "application/x-compress-zlib")
            self.assertEqual(r.status, 200, r)
            self.assertEqual(r.body, b"<?xml version='1.0' encoding='UTF-8'?>"
                             b"\n<REPLY></REPLY>\n")
            # Answered once kept in the spool; delivered right after.
            self.assertTrue(wait_until(lambda: len(glpi.requests()) == 1))
            rec = glpi.requests()[0]
            self.assertEqual(GlpiDouble.inflated(rec), XML_INV)
            self.assertNotIn("glpi-agent-id", rec["headers"])
            # PROLOG is answered by the proxy, never forwarded.
            prolog = read_file(os.path.join(FIXTURES, "prolog_small.xml"))
            self.assertEqual(px.post(prolog, "application/xml").status, 200)
            self.assertEqual(len(glpi.requests()), 1)

    def test_legacy_inventory_upstream_down(self):
        with Passeur(agent={"server": "http://127.0.0.1:%d/" % free_port(),
                            "timeout": 5, **NO_SPOOL}) as px:
            r = px.post(XML_INV, "application/xml")
            self.assertEqual((r.status, r.body),
                             (500, b"Inventory not sent to server0"))
            self.assertEqual(px.files(),
                             ["passeur-test-2026-01-01-00-00-00.xml"])

    def chain(self, glpi, n, last=None):
        """n proxies, the first receiving from agents, the last forwarding
        to glpi; returns them started (caller stops)."""
        proxies = []
        upstream = glpi.url()
        for i in range(n):
            keys = {"local_store": "", "maxrate": 0}
            if i == 0 and last:
                keys.update(last)
            px = Passeur(agent={"server": upstream}, proxy=keys)
            px.start()
            proxies.insert(0, px)
            upstream = px.url()
        return proxies

    def stop_all(self, proxies):
        for px in proxies:
            px.stop()
            px.cleanup()

    def test_chain_of_three_delivers_once(self):
        with GlpiDouble() as glpi:
            proxies = self.chain(glpi, 3)
            try:
                r = self.submit_and_poll(proxies[0], INVENTORY, seconds=60)
                self.assertEqual(r.json(), {"expiration": 24, "status": "ok"})
                posts = [x for x in glpi.requests() if x["method"] == "POST"]
                self.assertEqual(len(posts), 1)
                ids = posts[0]["headers"]["glpi-proxy-id"].split(",")
                self.assertEqual(ids, [own_id(px) for px in proxies])
                self.assertEqual(GlpiDouble.inflated(posts[0]), INVENTORY)
            finally:
                self.stop_all(proxies)

    def test_chain_max_pass_through(self):
        with GlpiDouble() as glpi:
            proxies = self.chain(glpi, 3, last={"max_pass_through": 2})
            try:
                r = self.submit_and_poll(proxies[0], INVENTORY, seconds=60)
                self.assertEqual(r.json()["status"], "error")
                self.assertEqual(glpi.requests(), [])
                self.assertIn("HTTP 403", proxies[1].log())
            finally:
                self.stop_all(proxies)

    def loop_pair(self):
        """Proxies A and B, each with the other as server; started."""
        a_port, b_port = free_port(), free_port()
        pair = []
        for port, other in ((a_port, b_port), (b_port, a_port)):
            pair.append(Passeur(port=port, proxy={"local_store": ""},
                                agent={"server": "http://127.0.0.1:%d/proxy/"
                                       "glpi" % other, "timeout": 10,
                                       **NO_SPOOL}))
        for px in pair:
            px.start()
        return pair

    def assert_one_line_each(self, px):
        """No message of px spreads over several lines."""
        for line in px.log().splitlines():
            self.assertRegex(line, r"^\[\d{4}-", px.log())

    def test_loop_between_two_proxies(self):
        a, b = self.loop_pair()
        try:
            r = self.submit_and_poll(a, INVENTORY, seconds=60)
            self.assertEqual(r.json()["status"], "error")
            # A refuses B's forward, B says why its forward failed: both
            # name A's id, once.
            loop = r"loop detected \(proxy id %s\)" % own_id(a)
            a.wait_log(loop)
            b.wait_log(r"forward [0-9A-F]{8} to server0 \(%s\) failed: %s"
                       % (re.escape(a.url()), loop))
            self.assertEqual(len(re.findall(loop, a.log())), 1, a.log())
            self.assertEqual(len(re.findall(loop, b.log())), 1, b.log())
            # A's own forward failed on B's error answer, told on one line.
            a.wait_log(r"(?m)forward [0-9A-F]{8} to server0 \(%s\) failed: "
                       r"HTTP 200 but \{\"expiration\":24,\"message\":"
                       r"\"server0 forward failure\",\"status\":\"error\"\}$"
                       % re.escape(b.url()))
            for px in (a, b):
                self.assert_one_line_each(px)
                self.assertNotRegex(px.log(), r"failed in \d+s")
        finally:
            self.stop_all([a, b])

    def test_legacy_loop_between_two_proxies(self):
        a, b = self.loop_pair()
        try:
            r = a.post(zlib_of(XML_INV), "application/x-compress-zlib")
            self.assertEqual((r.status, r.body),
                             (500, b"Inventory not sent to server0"))
            loop = r"loop detected \(proxy id %s\)" % own_id(a)
            a.wait_log(loop)
            b.wait_log(r"forward of XML inventory to server0 \(%s\) failed: "
                       r"%s" % (re.escape(a.url()), loop))
            self.assertEqual(len(re.findall(loop, a.log())), 1, a.log())
            self.assertEqual(len(re.findall(loop, b.log())), 1, b.log())
            # One forward each way: A to B, then B to A, refused.  A got
            # the agent's post and B's, B got A's.
            for px, posts in ((a, 2), (b, 1)):
                forwards = re.findall(r"forward of XML inventory", px.log())
                self.assertEqual(len(forwards), 1, px.log())
                access = r"\] proxy /proxy/glpi 127\.0\.0\.1 "
                wait_until(lambda: len(re.findall(access, px.log())) >= posts)
                self.assertEqual(len(re.findall(access, px.log())), posts,
                                 px.log())
                self.assert_one_line_each(px)
        finally:
            self.stop_all([a, b])

    def test_legacy_forward_carries_proxy_id(self):
        with GlpiDouble() as glpi, \
                Passeur(agent={"server": glpi.url()}) as px:
            chain = "11111111-2222-4333-8444-555555555555"
            r = px.post(XML_INV, "application/xml",
                        headers={"GLPI-Proxy-ID": chain})
            self.assertEqual(r.status, 200, r)
            self.assertTrue(wait_until(lambda: len(glpi.requests()) == 1))
            rec = glpi.requests()[0]
            self.assertEqual(rec["headers"]["glpi-proxy-id"],
                             chain + "," + own_id(px))
            self.assertNotIn("glpi-agent-id", rec["headers"])

    def test_error_answer_with_200_is_logged_with_its_reason(self):
        message = "import refused:\nno serial \u00e9" + "x" * 1000
        body = json.dumps({"status": "error", "message": message}, indent=3)
        with GlpiDouble() as glpi, \
                Passeur(agent={"server": glpi.url(), **NO_SPOOL}) as px:
            glpi.behaviour(fail_next=1, fail_status=200, fail_body=body)
            r = self.submit_and_poll(px, INVENTORY)
            self.assertEqual(r.json()["message"], "server0 forward failure")
            log = px.wait_log(r"failed: HTTP 200 but ")
            lines = [x for x in log.splitlines() if "HTTP 200 but" in x]
            self.assertEqual(len(lines), 1, log)
            self.assertRegex(lines[0], r"forward [0-9A-F]{8} to server0 \(%s\)"
                             r" failed: HTTP 200 but \{\"status\":\"error\","
                             r"\"message\":\"import refused:\\nno serial "
                             r"\\u00E9xxx+\.\.\.$" % re.escape(glpi.url()))
            self.assertLess(len(lines[0]), 500)
            self.assertNotRegex(log, r"failed in \d+s")
            self.assert_one_line_each(px)

    def test_answer_not_json_is_a_failure(self):
        with GlpiDouble() as glpi, \
                Passeur(agent={"server": glpi.url()}) as px:
            glpi.behaviour(fail_next=1, fail_status=200,
                           fail_body="<html>\n<p>Welcome</p>")
            r = self.submit_and_poll(px, INVENTORY)
            self.assertEqual(r.json()["message"], "server0 forward failure")
            px.wait_log(r"(?m)forward [0-9A-F]{8} to server0 \(%s\) failed: "
                        r"HTTP 200 but invalid answer: not JSON: "
                        r"<html>\\x0a<p>Welcome</p>$" % re.escape(glpi.url()))


if __name__ == "__main__":
    main()
