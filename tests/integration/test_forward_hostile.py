# SPDX-License-Identifier: GPL-3.0-or-later
"""Forwarding against a hostile or careless upstream and client: redirects
are not followed (the inventory never reaches the host they name), long
forwarded headers are sent whole or refused aloud, GLPI-Proxy-ID items
must be UUIDs and every line of that header counts, and nothing an
upstream answers can forge or colour a log line.  The tests of failure
answers turn the spool off (NO_SPOOL): from memory, a failure is answered
at once, as the reference does."""

import json
import os
import re
import unittest

from harness import (AGENT_ID, FIXTURES, GlpiDouble, Passeur, main, raw,
                     read_file, wait_until)

INVENTORY = read_file(os.path.join(FIXTURES, "computer_small.json"))
XML_INV = read_file(os.path.join(FIXTURES, "inventory_small.xml"))
NO_SPOOL = {"spool": ""}


def own_id(px):
    with open(os.path.join(px.vardir, "proxy-id")) as f:
        return f.read().strip()


def ids(n, start=0):
    return ["%08x-0000-4000-8000-%012x" % (i + start, i + start)
            for i in range(n)]


class Redirects(unittest.TestCase):
    def test_redirect_not_followed_xml_and_json(self):
        with GlpiDouble() as elsewhere, GlpiDouble() as glpi, \
                Passeur(agent={"server": glpi.url(), **NO_SPOOL}) as px:
            for status in (301, 302, 307, 308):
                with self.subTest(status=status):
                    target = elsewhere.url("/steal.php?s=%d" % status)
                    glpi.behaviour(redirect_to=target,
                                   redirect_status=status)
                    r = px.post(XML_INV, "application/xml")
                    self.assertEqual((r.status, r.body),
                                     (500, b"Inventory not sent to server0"))
                    r = px.post(INVENTORY, "application/json", AGENT_ID)
                    self.assertEqual(r.status, 202, r)
                    final = px.poll_final(r.headers["glpi-request-id"])
                    self.assertEqual(final.json()["message"],
                                     "server0 forward failure")
                    line = "server0 answered %d to %s: not followed" % (
                        status, re.escape(target))
                    px.wait_log(line)
                    self.assertEqual(len(re.findall(line, px.log())), 2,
                                     px.log())
            # The redirecting server got each post once, the host it
            # named nothing.
            self.assertEqual(len(glpi.requests()), 8)
            self.assertEqual(elsewhere.requests(), [])
            # Both kinds are kept in the store all the same.
            self.assertIn("passeur-test-2026-01-01-00-00-00.xml", px.files())

    def test_location_is_escaped_in_the_log(self):
        with GlpiDouble() as glpi, \
                Passeur(agent={"server": glpi.url(), **NO_SPOOL}) as px:
            glpi.behaviour(redirect_to="http://127.0.0.1:9/\x1b[2J x",
                           redirect_status=301)
            r = px.post(XML_INV, "application/xml")
            self.assertEqual(r.status, 500)
            log = px.wait_log(r"answered 301 to ")
            self.assertIn(r"server0 answered 301 to http://127.0.0.1:9/"
                          r"\x1b[2J\x20x: not followed", log)
            self.assertNotIn("\x1b", log)


class Headers(unittest.TestCase):
    def test_long_proxy_chain_forwarded_whole(self):
        # 40 ids: 1,479 bytes, over the 1,023 that used to be dropped.
        chain = ",".join(ids(40))
        with GlpiDouble() as glpi, \
                Passeur(agent={"server": glpi.url()},
                        proxy={"max_pass_through": 100}) as px:
            r = px.post(XML_INV, "application/xml",
                        headers={"GLPI-Proxy-ID": chain})
            self.assertEqual(r.status, 200, r)
            self.assertTrue(wait_until(lambda: len(glpi.requests()) == 1))
            rec = glpi.requests()[0]
            self.assertEqual(rec["headers"]["glpi-proxy-id"],
                             chain + "," + own_id(px))

    def test_header_over_the_bound_is_refused_aloud(self):
        agent = "GLPI-Agent_v1.12 " + "x" * (70 * 1024)
        with GlpiDouble() as glpi, \
                Passeur(agent={"server": glpi.url(), **NO_SPOOL},
                        proxy={"max_header_size": "1M"}) as px:
            r = px.post(XML_INV, "application/xml",
                        headers={"User-Agent": agent})
            self.assertEqual((r.status, r.body),
                             (500, b"Inventory not sent to server0"))
            px.wait_log(r"forward of XML inventory to server0 \(.*\) failed: "
                        r"header User-Agent of %d bytes is over the limit "
                        r"of 65536 bytes: not sent" % len(agent))
            self.assertEqual(glpi.requests(), [])


def post_raw(px, header_lines, body=XML_INV):
    head = ("POST /proxy/glpi HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            "Content-Type: application/xml\r\nContent-Length: %d\r\n"
            "Connection: close\r\n" % len(body)).encode()
    for line in header_lines:
        head += line.encode() + b"\r\n"
    answer = raw(px.port, head + b"\r\n" + body)
    status = int(answer.split(b" ", 2)[1])
    return status, answer.split(b"\r\n\r\n", 1)[1]


class ProxyIds(unittest.TestCase):
    def test_items_must_be_uuids(self):
        with GlpiDouble() as glpi, \
                Passeur(agent={"server": glpi.url()}) as px:
            for chain in ("not-a-uuid", ids(1)[0] + ",x",
                          ids(1)[0] + "0", "\x1b[31m" + ids(1)[0],
                          ids(1)[0] + " " + ids(1, 1)[0]):
                with self.subTest(chain=chain):
                    for body, ctype, agent in ((XML_INV, "application/xml",
                                                None),
                                               (INVENTORY, "application/json",
                                                AGENT_ID)):
                        r = px.post(body, ctype, agent,
                                    headers={"GLPI-Proxy-ID": chain})
                        self.assertEqual(r.status, 400, r)
                        self.assertEqual(r.json(), {
                            "status": "error",
                            "message": "invalid-proxy-id"})
            self.assertEqual(glpi.requests(), [])
            # Empty items and blanks around ids are no reason to refuse.
            r = px.post(XML_INV, "application/xml", headers={
                "GLPI-Proxy-ID": " %s , ,%s," % tuple(ids(2))})
            self.assertEqual(r.status, 200, r)

    def test_every_header_line_is_read(self):
        with GlpiDouble() as glpi, \
                Passeur(agent={"server": glpi.url()},
                        proxy={"max_header_size": "1M"}) as px:
            first, second = ids(2)
            # Our own id on the second line: a loop, refused.
            status, body = post_raw(px, ["GLPI-Proxy-ID: " + first,
                                         "GLPI-Proxy-ID: " + own_id(px)])
            self.assertEqual(status, 404, body)
            self.assertEqual(json.loads(body)["message"],
                             "proxy-loop-detected")
            # Too many ids over several lines.
            status, body = post_raw(px, ["GLPI-Proxy-ID: " + ",".join(ids(3)),
                                         "glpi-proxy-id: " +
                                         ",".join(ids(2, 3))])
            self.assertEqual(status, 403, body)
            # A bad item on the second line.
            status, body = post_raw(px, ["GLPI-Proxy-ID: " + first,
                                         "GLPI-Proxy-ID: nope"])
            self.assertEqual(status, 400, body)
            self.assertEqual(glpi.requests(), [])
            # Many lines cost linear time, and empty ones are no items.
            status, body = post_raw(px, ["GLPI-Proxy-ID: ,"] * 5000 +
                                    ["GLPI-Proxy-ID: nope"])
            self.assertEqual(status, 400, body)
            # Both lines go upstream, in order, as one list.
            status, body = post_raw(px, ["GLPI-Proxy-ID: " + first,
                                         "GLPI-Proxy-ID: " + second])
            self.assertEqual(status, 200, body)
            self.assertTrue(wait_until(lambda: len(glpi.requests()) == 1))
            self.assertEqual(glpi.requests()[0]["headers"]["glpi-proxy-id"],
                             "%s,%s,%s" % (first, second, own_id(px)))


class LogInjection(unittest.TestCase):
    def test_upstream_body_cannot_forge_log_lines(self):
        forged = ("busy\n[2026-01-01 00:00:00][info] FORGED line\r\n"
                  "\x1b[31mred\x1b[0m \u00e9")
        with GlpiDouble() as glpi, \
                Passeur(agent={"server": glpi.url(), **NO_SPOOL}) as px:
            glpi.behaviour(fail_next=2, fail_status=500, fail_body=forged)
            r = px.post(XML_INV, "application/xml")
            self.assertEqual(r.status, 500)
            r = px.post(INVENTORY, "application/json", AGENT_ID)
            px.poll_final(r.headers["glpi-request-id"])
            log = px.wait_log(r"forward [0-9A-F]{8} to server0 .* failed")
            self.assertNotIn("\x1b", log)
            self.assertNotIn("\r", log)
            for line in log.splitlines():
                self.assertFalse(line.startswith("[2026-01-01 00:00:00]"),
                                 log)
            failures = [x for x in log.splitlines() if "failed: HTTP 500" in x]
            self.assertEqual(len(failures), 2, log)
            for line in failures:
                self.assertIn(r"busy\x0a[2026-01-01 00:00:00][info] FORGED "
                              r"line\x0d\x0a\x1b[31mred\x1b[0m", line)


if __name__ == "__main__":
    main()
