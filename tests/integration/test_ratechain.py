# SPDX-License-Identifier: GPL-3.0-or-later
"""Chains, injection and the rate limit; control messages.

The default maxrate (30 per address and hour) holds for agents; a trusted
address (httpd-trust: a proxy further down the chain, an injector) is
counted per agent instead.  passeur inject waits out 429/503 with
Retry-After.  A forward refused with 429/503 leaves the inventory in
local_store, with a log line.  Control messages (get_params...) are
neither stored nor injected."""

import json
import os
import re
import shutil
import tempfile
import unittest
import uuid

import harness
from harness import (AGENT_ID, GlpiDouble, Passeur, env_without_proxy, main,
                     run_passeur, wait_until, write_tree)

PROXY_CFG = "proxy-server-plugin.cfg"


def inventory(deviceid, action="inventory"):
    return json.dumps({"action": action, "deviceid": deviceid,
                       "content": {"versionclient": "GLPI-Agent_v1.12"}}
                      ).encode()


def xml_inventory(deviceid):
    return ("<?xml version='1.0' encoding='UTF-8'?>\n<REQUEST><QUERY>INVENTORY"
            "</QUERY><DEVICEID>%s</DEVICEID><CONTENT><HARDWARE><NAME>pc"
            "</NAME></HARDWARE></CONTENT></REQUEST>\n" % deviceid).encode()


def agent_id(i):
    return str(uuid.UUID(int=i + 1))


def default_maxrate(px):
    """Removes the harness's maxrate = 0: the instance runs with the
    default (30 per address and hour)."""
    path = os.path.join(px.confdir, PROXY_CFG)
    with open(path) as f:
        lines = [l for l in f if not l.startswith("maxrate ")]
    with open(path, "w") as f:
        f.writelines(lines)
    return px


def post_from(px, source, body, ctype, agent=None):
    return harness.post_from(px, source, body, ctype,
                             {"GLPI-Agent-ID": agent} if agent else None)


class TrustedRate(unittest.TestCase):
    """Point 1: the rate of a trusted address is counted per agent."""

    def storing(self, trust):
        agent = {"httpd-trust": "127.0.0.1"} if trust else {}
        return default_maxrate(Passeur(agent=agent,
                                       proxy={"only_local_store": "yes"}))

    def test_trusted_many_agents_all_stored(self):
        with self.storing(True) as px:
            codes = [px.post(inventory("pc-%02d" % i), "application/json",
                             agent_id(i)).status for i in range(40)]
            self.assertEqual(codes, [200] * 40)
            self.assertEqual(len(px.files()), 40)

    def test_trusted_many_xml_devices_all_stored(self):
        # No GLPI-Agent-ID: counted by DEVICEID once the body is read.
        with self.storing(True) as px:
            codes = [px.post(xml_inventory("dev-%02d" % i),
                             "application/xml").status for i in range(40)]
            self.assertEqual(codes, [200] * 40)
            self.assertEqual(len(px.files()), 40)

    def test_untrusted_limited_per_address(self):
        with self.storing(False) as px:
            codes = [px.post(inventory("pc-%02d" % i), "application/json",
                             agent_id(i)).status for i in range(40)]
            self.assertEqual(codes, [200] * 30 + [429] * 10)
            self.assertEqual(len(px.files()), 30)

    def test_trusted_one_agent_still_limited(self):
        with self.storing(True) as px:
            codes = [px.post(inventory("pc-one"), "application/json",
                             AGENT_ID).status for _ in range(32)]
            self.assertEqual(codes, [200] * 30 + [429] * 2)
            codes = [px.post(xml_inventory("dev-one"),
                             "application/xml").status for _ in range(32)]
            self.assertEqual(codes, [200] * 30 + [429] * 2)
            log = px.wait_log(r"rate limitation applied for remote "
                              r"127\.0\.0\.1 \(")
            self.assertRegex(log, r"remote 127\.0\.0\.1 \((agent %s|device "
                             r"dev-one)\)" % AGENT_ID)

    def test_trusted_without_device_id_counts_address(self):
        # Requests that never tell a device id count for the address:
        # refused in the pipeline (not XML) or from the headers (method).
        with self.storing(True) as px:
            codes = [px.post(b"x", "application/xml").status
                     for _ in range(20)]
            codes += [px.request("PUT", body=b"x").status for _ in range(10)]
            self.assertEqual(codes, [403] * 20 + [400] * 10)
            self.assertEqual(px.request("PUT", body=b"x").status, 429)
            self.assertEqual(px.post(b"x", "application/xml").status, 429)
            # An agent id or a device id is counted on its own.
            self.assertEqual(px.post(xml_inventory("dev-9"),
                                     "application/xml").status, 200)

    def test_chain_of_three_delivers_all(self):
        # Agents from 40 addresses reach A; A forwards to B and B to C,
        # both from 127.0.0.1, which B and C trust.  C stores.
        c = default_maxrate(Passeur(agent={"httpd-trust": "127.0.0.1"},
                                    proxy={"only_local_store": "yes"}))
        c.start()
        b = a = None
        try:
            b = default_maxrate(Passeur(
                agent={"httpd-trust": "127.0.0.1", "server": c.url()},
                proxy={"local_store": ""})).start()
            a = default_maxrate(Passeur(agent={"server": b.url()},
                                        proxy={"local_store": ""})).start()
            codes = [post_from(a, "127.0.0.%d" % (10 + i),
                               inventory("pc-%02d" % i), "application/json",
                               agent_id(i)) for i in range(40)]
            self.assertEqual(codes, [202] * 40)
            self.assertTrue(wait_until(lambda: len(c.files()) == 40, 120,
                                       0.5),
                            "%d of 40 arrived\n%s" % (len(c.files()),
                                                      b.log()[-3000:]))
            # No agent hit maxrate at B or C.  A 429 of a busy worker
            # limit (max_proxy_threads, with Retry-After) may happen under
            # load: the forwarder waits it out, and all 40 arrived.
            self.assertNotIn("request rate limitation applied",
                             b.log() + c.log())
        finally:
            for px in (a, b, c):
                if px is not None:
                    px.stop()
                    px.cleanup()


class InjectRetry(unittest.TestCase):
    """Point 2: passeur inject waits out 429/503 with Retry-After."""

    def folder(self, count):
        d = tempfile.mkdtemp(prefix="inject-")
        self.addCleanup(shutil.rmtree, d, True)
        write_tree(d, {"pc-%02d.json" % i: inventory("pc-%02d" % i)
                       for i in range(count)})
        return d

    def inject(self, *args):
        p = run_passeur(("inject",) + args, timeout=300,
                        env=env_without_proxy())
        return p.returncode, p.stdout.decode(), p.stderr.decode()

    def test_rate_limited_files_all_sent(self):
        d = self.folder(5)
        with Passeur(proxy={"maxrate": 2, "maxrate_period": 3,
                            "only_local_store": "yes"}) as px:
            code, out, err = self.inject("-v", "-j", "1", "-d", d, "-u",
                                         px.url())
            self.assertEqual(code, 0, out + err)
            self.assertIn("passeur inject: 5 sent, 0 failed, 0 skipped", err)
            self.assertRegex(out, r"HTTP 429 Too Many Requests, retrying "
                             r"in \d+ s \(Retry-After\)")
            self.assertEqual(len(px.files()), 5)

    def test_retry_after_past_timeout_fails(self):
        d = self.folder(2)
        with Passeur(proxy={"maxrate": 1, "maxrate_period": 600,
                            "only_local_store": "yes"}) as px:
            code, out, err = self.inject("-j", "1", "--timeout", "5", "-d", d,
                                         "-u", px.url())
            self.assertEqual(code, 1, out + err)
            self.assertRegex(err, r"pc-01\.json: HTTP 429 Too Many Requests: "
                             r"the server asks to retry after \d+ s "
                             r"\(Retry-After\), more than the \d+ s left of "
                             r"--timeout 5")
            self.assertEqual(px.files(), ["pc-00.json"])

    def test_503_with_retry_after(self):
        d = self.folder(1)
        with GlpiDouble() as glpi:
            glpi.behaviour(fail_next=2, fail_status=503, fail_retry_after=1)
            code, out, err = self.inject("-d", d, "-u", glpi.url())
            self.assertEqual(code, 0, out + err)
            self.assertEqual([r["status"] for r in glpi.requests()],
                             [503, 503, 200])
            # Retry-After as an HTTP date (a past one: at once, >= 1 s).
            glpi.reset()
            glpi.behaviour(fail_next=1, fail_status=503,
                           fail_retry_after="Wed, 21 Oct 2015 07:28:00 GMT")
            code, out, err = self.inject("-d", d, "-u", glpi.url())
            self.assertEqual(code, 0, out + err)
            self.assertEqual([r["status"] for r in glpi.requests()],
                             [503, 200])
            # A date past --timeout fails the file, as a number would.
            glpi.reset()
            glpi.behaviour(fail_next=1, fail_status=503,
                           fail_retry_after="Fri, 01 Jan 2100 00:00:00 GMT")
            code, out, err = self.inject("--timeout", "5", "-d", d, "-u",
                                         glpi.url())
            self.assertEqual(code, 1, out + err)
            self.assertIn("(Retry-After), more than the", err)
            # Without Retry-After, a 503 is a failure as before.
            glpi.reset()
            glpi.behaviour(fail_next=1, fail_status=503)
            code, out, err = self.inject("-d", d, "-u", glpi.url())
            self.assertEqual(code, 1, out + err)
            self.assertIn("HTTP 503", err)


class RefusedForward(unittest.TestCase):
    """Point 3: an upstream 429/503 keeps the inventory in local_store.
    From memory (no spool): with the spool, such an answer is retried."""

    def test_json_429_kept(self):
        with GlpiDouble() as glpi, \
                Passeur(agent={"server": glpi.url(), "spool": ""}) as px:
            glpi.behaviour(fail_next=1, fail_status=429)
            r = px.post(inventory("pc-1"), "application/json", AGENT_ID)
            self.assertEqual(r.status, 202, r)
            final = px.poll_final(r.headers["glpi-request-id"])
            self.assertEqual(final.json()["status"], "error")
            self.assertEqual(px.files(), ["pc-1.json"])
            px.wait_log(r"(?m)server0 answered 429: inventory kept in %s$"
                        % re.escape(os.path.join(px.store, "pc-1.json")))

    def test_xml_503_kept(self):
        with GlpiDouble() as glpi, \
                Passeur(agent={"server": glpi.url(), "spool": ""}) as px:
            glpi.behaviour(fail_next=1, fail_status=503)
            r = px.post(xml_inventory("dev-1"), "application/xml")
            self.assertEqual(r.status, 500, r)
            self.assertEqual(px.files(), ["dev-1.xml"])
            px.wait_log(r"(?m)server0 answered 503: inventory kept in %s$"
                        % re.escape(os.path.join(px.store, "dev-1.xml")))

    def test_busy_with_retry_after_waited(self):
        # 429/503 with Retry-After: busy, asked again (JSON and XML).
        with GlpiDouble() as glpi, \
                Passeur(agent={"server": glpi.url(), "spool": ""}) as px:
            glpi.behaviour(fail_next=2, fail_status=429, fail_retry_after=1)
            r = px.post(inventory("pc-3"), "application/json", AGENT_ID)
            final = px.poll_final(r.headers["glpi-request-id"])
            self.assertEqual(final.json()["status"], "ok")
            self.assertEqual([x["status"] for x in glpi.requests()],
                             [429, 429, 200])
            glpi.reset()
            glpi.behaviour(fail_next=1, fail_status=503, fail_retry_after=1)
            r = px.post(xml_inventory("dev-3"), "application/xml")
            self.assertEqual(r.status, 200, r)
            self.assertEqual([x["status"] for x in glpi.requests()],
                             [503, 200])
            self.assertNotIn("answered", px.log())

    def test_without_local_store_said(self):
        with GlpiDouble() as glpi, \
                Passeur(agent={"server": glpi.url(), "spool": ""},
                        proxy={"local_store": ""}) as px:
            glpi.behaviour(fail_next=1, fail_status=429)
            r = px.post(xml_inventory("dev-2"), "application/xml")
            self.assertEqual(r.status, 500, r)
            px.wait_log(r"server0 answered 429: message not kept \(no "
                        r"local_store\)")


class ControlMessages(unittest.TestCase):
    """Point 4: control messages are neither stored nor injected."""

    def test_control_messages_not_stored(self):
        with Passeur(proxy={"only_local_store": "yes"}) as px:
            for action in ("get_params", "register", "configuration",
                           "unknown-action"):
                r = px.post(inventory("pc-1", action), "application/json",
                            AGENT_ID)
                self.assertEqual(r.status, 200, r)
            self.assertEqual(px.files(), [])
            for action in ("netdiscovery", "netinventory", "esx"):
                r = px.post(inventory("pc-1", action), "application/json",
                            AGENT_ID)
                self.assertEqual(r.status, 200, r)
            self.assertEqual(px.files(), ["pc-1.esx.json",
                                          "pc-1.netdiscovery.json",
                                          "pc-1.netinventory.json"])

    def test_control_message_forwarded_not_stored(self):
        with GlpiDouble() as glpi, \
                Passeur(agent={"server": glpi.url()}) as px:
            r = px.post(inventory("pc-1", "get_params"), "application/json",
                        AGENT_ID)
            final = px.poll_final(r.headers["glpi-request-id"])
            self.assertEqual(final.json()["status"], "ok")
            self.assertEqual(len(glpi.requests()), 1)
            self.assertEqual(px.files(), [])

    def test_inject_skips_control_messages(self):
        d = tempfile.mkdtemp(prefix="inject-")
        self.addCleanup(shutil.rmtree, d, True)
        write_tree(d, {"pc-1.json": inventory("pc-1"),
                       "pc-1.get_params.json": inventory("pc-1",
                                                         "get_params"),
                       "pc-2.contact.json": inventory("pc-2", "contact")})
        for dry in (("--dry-run",), ()):
            with Passeur(proxy={"only_local_store": "yes"}) as px:
                p = run_passeur(("inject", "-r", "-d", d, "-u", px.url())
                                + dry, env=env_without_proxy())
                err = p.stderr.decode()
                self.assertEqual(p.returncode, 0, err)
                for name, action in (("pc-1.get_params.json", "get_params"),
                                     ("pc-2.contact.json", "contact")):
                    self.assertIn("passeur inject: %s: skipped: control "
                                  "message (action \"%s\"), not an "
                                  "inventory" % (os.path.join(d, name),
                                                 action), err)
                self.assertNotIn("were not sent", err)
                self.assertEqual(px.files(), [] if dry else ["pc-1.json"])
                self.assertRegex(err, r"2 skipped")
        # Skipped files are not removed (-r); the inventory was.
        self.assertEqual(sorted(os.listdir(d)), ["pc-1.get_params.json",
                                                 "pc-2.contact.json"])


if __name__ == "__main__":
    main()
