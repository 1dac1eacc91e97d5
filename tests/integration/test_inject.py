# SPDX-License-Identifier: GPL-3.0-or-later
"""passeur inject, the glpi-injector command, end to end: stored files go
to a storing passeur serve (and arrive byte for byte), through a
forwarding one to the GLPI double, or straight to the double; what fails
is reported, listed, and never removed; the real Debian
fusioninventory-injector fills a store exactly as passeur inject does."""

import fcntl
import hashlib
import itertools
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import unittest
import uuid
import xml.etree.ElementTree as ET
import zlib

from certs import make_certs
from harness import (AGENT_ID, FIXTURES, INVENTORIES_JSON, INVENTORIES_XML, BIN,
                     GlpiDouble, Passeur, env_without_proxy, free_port,
                     gzip_of, http, main, read_tree,
                     run_passeur, wait_until, write_tree, zlib_of)


def fixture(*path):
    with open(os.path.join(*path), "rb") as f:
        return f.read()


OWN_JSON = fixture(FIXTURES, "computer_small.json")
OWN_XML = fixture(FIXTURES, "inventory_small.xml")
OWN_PROLOG = fixture(FIXTURES, "prolog_small.xml")
FUSION_INJECTOR = shutil.which("fusioninventory-injector")
UUID_RE = r"^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$"
NOT_SENT = "These elements were not sent:"
CANNOT_BE_SENT = "These elements cannot be sent:"


def with_deviceid(body, deviceid):
    """The inventory body (JSON or XML) with another device id."""
    new = deviceid.encode()
    if body.lstrip()[:1] == b"{":
        out = re.sub(rb'"deviceid"\s*:\s*"[^"]*"', b'"deviceid": "' + new +
                     b'"', body, count=1)
    else:
        out = re.sub(rb"<DEVICEID>[^<]*</DEVICEID>",
                     b"<DEVICEID>" + new + b"</DEVICEID>", body, count=1)
    assert out != body or deviceid.encode() in body, "no device id found"
    return out


def zlib_bomb(megabytes):
    """A small zlib file that inflates to a JSON inventory of megabytes."""
    packer = zlib.compressobj()
    parts = [packer.compress(b'{"deviceid": "bomb", "pad": "')]
    parts += [packer.compress(b"A" * (1 << 20)) for _ in range(megabytes)]
    return b"".join(parts + [packer.compress(b'"}'), packer.flush()])


def deviceid_of(body):
    if body.lstrip()[:1] == b"{":
        return json.loads(body)["deviceid"]
    return ET.fromstring(body).findtext("DEVICEID")


def store_name(body):
    """The name passeur serve stores an inventory under (as in
    test_store_json.py), or None for what it does not store (a PROLOG)."""
    if body.lstrip()[:1] == b"{":
        doc = json.loads(body)
        action = doc.get("action") or "inventory"
        return doc["deviceid"] + \
            ("" if action == "inventory" else "." + action) + \
            (".partial" if doc.get("partial") is True else "") + ".json"
    root = ET.fromstring(body)
    if root.findtext("QUERY") != "INVENTORY":
        return None
    return root.findtext("DEVICEID") + ".xml"


def inventories(count, template=OWN_JSON, prefix="pc", ext=".json"):
    """{file name: body} of count variants of template, distinct ids."""
    return {"%s-%02d%s" % (prefix, i, ext):
            with_deviceid(template, "%s-%02d-2026-01-01-00-00-00"
                          % (prefix, i))
            for i in range(count)}


def storing():
    """A passeur serve that only stores (answers at once)."""
    return Passeur(proxy={"only_local_store": "yes"})


def posts(glpi):
    return [r for r in glpi.requests() if r["method"] == "POST"]


def by_deviceid(records):
    """The double's records by the device id of their inflated body."""
    return {deviceid_of(GlpiDouble.inflated(r)): r for r in records}


class Injected:
    """What one `passeur inject` run did."""

    def __init__(self, proc, seconds):
        self.code = proc.returncode
        self.out = proc.stdout.decode("utf-8", "replace")
        self.err = proc.stderr.decode("utf-8", "replace")
        self.seconds = seconds

    def __str__(self):
        return "exit %s after %.1f s\n--- stdout\n%s--- stderr\n%s" % (
            self.code, self.seconds, self.out[-3000:], self.err[-3000:])

    def summary(self):
        """(sent, failed, skipped) of the summary line."""
        m = re.search(r"^passeur inject: (\d+) sent, (\d+) failed, "
                      r"(\d+) skipped in \d+\.\d\d s ", self.err, re.M)
        assert m, "no summary line:\n%s" % self
        return tuple(int(x) for x in m.groups())

    def listed(self, heading=NOT_SENT):
        """The names after heading, which must end stderr."""
        lines = self.err.splitlines()
        if heading not in lines:
            return []
        assert lines.count(heading) == 1, str(self)
        return lines[lines.index(heading) + 1:]

    def reasons(self):
        """{name: reason} of the per-file failure lines."""
        return dict(re.findall(r"^passeur inject: (.+?): (.+)$", self.err,
                               re.M))


class InjectTest(unittest.TestCase):
    """Helpers shared by the test classes."""

    def folder(self, files=None):
        """A new folder (removed after the test) holding files."""
        d = tempfile.mkdtemp(prefix="inject-")
        self.addCleanup(shutil.rmtree, d, True)
        write_tree(d, files or {})
        return d

    def inject(self, *args, stdin=None, code=0, timeout=120, env=None,
               wrapper=()):
        """Runs passeur inject with args (and env: variables added to an
        environment without proxy variables), through wrapper when given;
        asserts its exit status."""
        t = time.monotonic()
        r = Injected(run_passeur(("inject",) + args, stdin, timeout,
                                 env_without_proxy(**(env or {})), wrapper),
                     time.monotonic() - t)
        if code is not None:
            self.assertEqual(r.code, code, str(r))
        return r

    def assertStored(self, px, sources):
        """The store of px holds exactly what sources (bodies) become;
        a device sent twice may have either body (the last one sent)."""
        self.assertStoreHolds(read_tree(px.store), sources)

    def assertStoreHolds(self, stored, sources):
        expected = {}
        for body in sources:
            if store_name(body) is not None:
                expected.setdefault(store_name(body), []).append(body)
        self.assertEqual(sorted(stored), sorted(expected))
        for name, body in stored.items():
            self.assertTrue(any(body == b for b in expected[name]),
                            "%s differs from its source" % name)

    def empty_store(self, px):
        for name in px.files():
            os.unlink(os.path.join(px.store, name))


class ToStore(InjectTest):
    """To a storing passeur serve: what is stored is what the files held."""

    def check_folder(self, sources):
        d = self.folder(sources)
        with storing() as px:
            r = self.inject("-j", "4", "-d", d, "-u", px.url())
            self.assertEqual(r.summary(), (len(sources), 0, 0))
            self.assertEqual(r.listed(), [])
            self.assertStored(px, sources.values())

    def test_own_fixtures_folder(self):
        self.check_folder({"computer_small.json": OWN_JSON,
                           "inventory_small.xml": OWN_XML,
                           "prolog_small.xml": OWN_PROLOG})

    def test_real_inventories_folder(self):
        sources = {}
        for folder in (INVENTORIES_JSON, INVENTORIES_XML):
            for name in sorted(os.listdir(folder)):
                sources[name] = fixture(folder, name)
        self.assertGreaterEqual(len(sources), 10)
        self.check_folder(sources)

    def test_compressed_files_stored_plain(self):
        bodies = [OWN_JSON, OWN_XML,
                  fixture(INVENTORIES_JSON, "computer_3.json")]  # 1.1 MB
        encodings = (("plain", lambda b: b), ("zlib", zlib_of),
                     ("gzip", gzip_of))
        with storing() as px:
            for body in bodies:
                for (enc, encode), args in itertools.product(
                        encodings, ([], ["-C"])):
                    with self.subTest(device=deviceid_of(body), enc=enc,
                                      args=args):
                        d = self.folder({"stored.json": encode(body)})
                        self.inject("-f", os.path.join(d, "stored.json"),
                                    "-u", px.url(), *args)
                        self.assertStored(px, [body])
                        self.empty_store(px)

    LAYOUT = {
        "a.json": with_deviceid(OWN_JSON, "pc-a"),
        "b.xml": with_deviceid(OWN_XML, "pc-b"),
        "c.ocs": with_deviceid(OWN_XML, "pc-c"),
        "d.data": with_deviceid(OWN_JSON, "pc-d"),
        "e.JSON": with_deviceid(OWN_JSON, "pc-e"),      # case-sensitive
        ".json": with_deviceid(OWN_JSON, "pc-dot"),     # nothing before it
        "notes.txt": b"not an inventory\n",
        "sub/f.json": with_deviceid(OWN_JSON, "pc-f"),
        "sub/g.xml.bak": with_deviceid(OWN_XML, "pc-g"),
        "sub/deeper/h.xml": with_deviceid(OWN_XML, "pc-h"),
    }

    def test_folder_walk(self):
        d = self.folder(self.LAYOUT)
        top = ["a.json", "b.xml", "c.ocs", "d.data"]
        # Sorted by name, each sub-folder walked where its name sorts.
        walked = top + ["sub/deeper/h.xml", "sub/f.json"]
        for args, names, skipped in (([], top, 3),
                                     (["-R"], walked, 4),
                                     (["--recursive"], walked, 4)):
            with self.subTest(args=args), storing() as px:
                r = self.inject("-v", "-j", "1", "-d", d, "-u", px.url(),
                                *args)
                self.assertEqual(r.summary(), (len(names), 0, skipped))
                self.assertEqual(r.out.splitlines(),
                                 ["%s/%s: sent" % (d, n) for n in names])
                self.assertStored(px, [self.LAYOUT[n] for n in names])

    def test_linked_folder_walked_once(self):
        # passeur-inject(1): "A sub-folder reached again through a symbolic
        # link is not walked twice." A link back up (a loop) is stopped, but
        # a folder reached again through a link from elsewhere is walked
        # again: its files are sent twice, and with -r the second attempt
        # fails ("locked by another process" or "cannot open"), so a file
        # that was sent and removed is listed as not sent, exit 1.
        d = self.folder({"a/pc.json": OWN_JSON})
        os.symlink("..", os.path.join(d, "a", "up"))    # a loop
        os.symlink("a", os.path.join(d, "link"))        # folder a again
        with storing() as px:
            r = self.inject("-v", "-r", "-R", "-d", d, "-u", px.url(),
                            code=None)
            self.assertEqual((r.code, r.summary()), (0, (1, 0, 0)), str(r))
            self.assertEqual(r.out, "%s/a/pc.json: sent\n" % d)
            self.assertStored(px, [OWN_JSON])

    def stored_folder(self):
        """A folder of inventories as passeur serve stores them: a first
        store at its top, an older one in a sub-folder."""
        d = self.folder()
        with storing() as origin:
            for sub, prefix in (("", "new"), ("older", "old")):
                for body in list(inventories(3, OWN_JSON, prefix).values()) \
                        + list(inventories(2, OWN_XML, prefix).values()):
                    is_json = body[:1] == b"{"
                    r = origin.post(body, "application/" +
                                    ("json" if is_json else "xml"),
                                    AGENT_ID if is_json else None)
                    self.assertEqual(r.status, 200, r)
                shutil.copytree(origin.store, os.path.join(d, sub),
                                dirs_exist_ok=True)
                self.empty_store(origin)
        self.assertEqual(len(read_tree(d)), 10)
        return d

    def test_seed_example_remove_recursive(self):
        # passeur inject -d DIR -r -R -u URL, verbatim.
        d = self.stored_folder()
        before = read_tree(d)
        with storing() as px:
            r = self.inject("-d", d, "-r", "-R", "-u", px.url())
            self.assertEqual(r.summary(), (10, 0, 0))
            self.assertStored(px, before.values())
        self.assertEqual(read_tree(d), {}, "all were sent, so all removed")
        self.assertEqual(os.listdir(d), ["older"], "folders are kept")

    def test_remove_bundled_keeps_failures(self):
        d = self.stored_folder()
        write_tree(d, {"older/broken.json": b'["not", "an", "inventory"]',
                       "older/empty.xml": b""})
        before = read_tree(d)
        with storing() as px:
            r = self.inject("-rR", "-d", d, "-u", px.url(), code=1)
            self.assertEqual(r.summary(), (10, 2, 0))
            self.assertEqual(r.listed(), [os.path.join(d, "older", n)
                                          for n in ("broken.json",
                                                    "empty.xml")])
            self.assertStored(px, [b for n, b in before.items()
                                   if "broken" not in n and "empty" not in n])
        self.assertEqual(sorted(read_tree(d)),
                         ["older/broken.json", "older/empty.xml"])

    def test_stdin(self):
        with storing() as px:
            for body in (OWN_JSON, OWN_XML, gzip_of(OWN_JSON)):
                with self.subTest(start=body[:10]):
                    r = self.inject("-v", "--stdin", "-u", px.url(),
                                    stdin=body)
                    self.assertEqual(r.out, "STDIN DATA: sent\n")
                    self.assertEqual(r.summary(), (1, 0, 0))
                    plain = OWN_JSON if body[:1] != b"<" else OWN_XML
                    self.assertStored(px, [plain])
                    self.empty_store(px)
            r = self.inject("--stdin", "-u", px.url(), stdin=b"hello",
                            code=1)
            self.assertEqual(r.listed(), ["STDIN DATA"])
            self.assertIn("STDIN DATA", r.reasons())
            self.assertEqual(px.files(), [])


class ThroughProxy(InjectTest):
    """Through a forwarding passeur serve: pending answers are polled to
    their end (glpi-injector reports them as failures)."""

    def test_forwarded_once_each(self):
        sources = inventories(6)
        sources.update(inventories(2, OWN_XML, "xml", ".xml"))
        d = self.folder(sources)
        with GlpiDouble() as glpi, \
                Passeur(agent={"server": glpi.url()}) as px:
            r = self.inject("-v", "-r", "-j", "4", "-d", d, "-u", px.url())
            self.assertEqual(r.summary(), (8, 0, 0))
            self.assertEqual(sorted(r.out.splitlines()),
                             sorted("%s/%s: sent" % (d, n) for n in sources))
            # XML is answered once spooled: its delivery may follow.
            wait_until(lambda: len(posts(glpi)) >= len(sources))
            recs = posts(glpi)
            self.assertEqual(len(recs), len(sources), "each received once")
            self.assertEqual(sorted(GlpiDouble.inflated(x) for x in recs),
                             sorted(sources.values()))
            self.assertEqual(read_tree(d), {})

    def test_upstream_failures_reported(self):
        # GLPI refuses one JSON and one XML inventory: the proxy's final
        # answer (polled, or given at once for XML) fails just those.
        sources = inventories(3)
        sources.update(inventories(2, OWN_XML, "xml", ".xml"))
        d = self.folder(sources)
        # Without a spool, whose retries would hold the inventories.
        with GlpiDouble() as glpi, \
                Passeur(agent={"server": glpi.url(), "spool": ""}) as px:
            glpi.behaviour(fail_match="-01-2026-01-01")
            r = self.inject("-r", "-j", "4", "-d", d, "-u", px.url(), code=1)
            failed = [os.path.join(d, n) for n in ("pc-01.json", "xml-01.xml")]
            self.assertEqual(r.listed(), failed)
            reasons = r.reasons()
            self.assertEqual(reasons[failed[0]],
                             "HTTP 200 OK: server0 forward failure")
            self.assertRegex(reasons[failed[1]], r"^HTTP 500 ")
            self.assertEqual(sorted(read_tree(d)),
                             ["pc-01.json", "xml-01.xml"])
            self.assertEqual(len(posts(glpi)), 5)


class ToGlpi(InjectTest):
    """Straight to the GLPI double."""

    def setUp(self):
        self.glpi = GlpiDouble().__enter__()
        self.addCleanup(self.glpi.__exit__, None, None, None)

    def send(self, files, *args, code=0, url=None):
        """Injects a folder of files (name -> body) to the double."""
        d = self.folder(files)
        return d, self.inject("-d", d, "-u", url or self.glpi.url(), *args,
                              code=code)

    def test_json_and_xml(self):
        _, r = self.send({"a.json": OWN_JSON, "b.xml": OWN_XML})
        self.assertEqual(r.summary(), (2, 0, 0))
        recs = posts(self.glpi)
        self.assertEqual(sorted(GlpiDouble.inflated(x) for x in recs),
                         sorted([OWN_JSON, OWN_XML]))
        for rec in recs:
            self.assertEqual(rec["status"], 200)
            self.assertEqual(rec["path"], "/front/inventory.php")
            self.assertEqual(rec["content_type"],
                             "Application/x-compress-zlib")
            self.assertEqual(rec["headers"].get("pragma"), "no-cache")
            is_json = GlpiDouble.inflated(rec)[:1] == b"{"
            self.assertEqual("glpi-agent-id" in rec["headers"], is_json)

    def test_one_failure_in_ten(self):
        files = inventories(5)
        files.update(inventories(5, OWN_XML, "xml", ".xml"))
        self.glpi.behaviour(fail_match="<DEVICEID>xml-03-")
        d, r = self.send(files, "-r", "-j", "4", code=1)
        bad = os.path.join(d, "xml-03.xml")
        self.assertEqual(r.summary(), (9, 1, 0))
        self.assertEqual(r.listed(), [bad])
        self.assertEqual(r.reasons(), {
            bad: "HTTP 500 Internal Server Error: busy server"})
        self.assertEqual(sorted(read_tree(d)), ["xml-03.xml"])
        self.assertEqual(len(posts(self.glpi)), 10, "each sent once")

    def test_answer_verdicts(self):
        # (status, body) of the server's answer -> the reason given.
        cases = [
            (500, None, "HTTP 500 Internal Server Error: busy server"),
            (503, "Service Unavailable", "HTTP 503 Service Unavailable: "
             "bad content as server response"),
            (200, '{"status":"error","message":"no room"}',
             "HTTP 200 OK: no room"),
            (200, '{"status":"later"}',
             'HTTP 200 OK: server failed to import (status "later")'),
            (200, "<?xml version='1.0'?><REPLY><ERROR>bad inventory</ERROR>"
             "</REPLY>", "HTTP 200 OK: bad inventory"),
            (200, "", "HTTP 200 OK: unexpected empty server response"),
            (200, "Hello", "HTTP 200 OK: bad content as server response"),
            (200, '{"status":"pending"}', "HTTP 200 OK: answer pending "
             "without a GLPI-Request-ID"),
        ]
        for status, body, reason in cases:
            with self.subTest(status=status, body=body):
                self.glpi.behaviour(fail_next=1, fail_status=status,
                                    **({} if body is None else
                                       {"fail_body": body}))
                d, r = self.send({"a.json": OWN_JSON}, "-r", code=1)
                path = os.path.join(d, "a.json")
                self.assertEqual(r.reasons(), {path: reason})
                self.assertEqual(r.listed(), [path])
                self.assertTrue(os.path.exists(path), "kept: not accepted")

    def test_verbose_names_only_files_sent(self):
        # -v says "sent" of the files accepted, never of one that failed.
        files = inventories(3, OWN_XML, "xml", ".xml")
        self.glpi.behaviour(fail_match="<DEVICEID>xml-01-")
        d, r = self.send(files, "-v", "-j", "1", code=1)
        bad = os.path.join(d, "xml-01.xml")
        self.assertEqual(r.listed(), [bad])
        self.assertEqual(r.out.splitlines(),
                         ["%s: sent" % os.path.join(d, n)
                          for n in sorted(files) if n != "xml-01.xml"])

    def test_transport_failures(self):
        # No answer in time, or none at all: failed, listed, kept.
        # (The timeout last: its request is still being answered after.)
        for behaviour, args, reason in (
                ({"close_next": 1}, [], "Empty reply from server"),
                ({"delay_ms": 2500}, ["--timeout", "1"], "timed out")):
            with self.subTest(behaviour=behaviour):
                self.glpi.reset()
                self.glpi.behaviour(**behaviour)
                d, r = self.send({"a.json": OWN_JSON}, "-r", *args, code=1)
                path = os.path.join(d, "a.json")
                self.assertIn("cannot send to %s: " % self.glpi.url(),
                              r.reasons()[path])
                self.assertIn(reason, r.reasons()[path])
                self.assertEqual(r.listed(), [path])
                self.assertTrue(os.path.exists(path))

    def test_http_proxy(self):
        # The double stands for the HTTP proxy: it gets the absolute URL of
        # a server (on 127.0.0.2) that nobody would answer directly.
        server = "http://127.0.0.2:%d/front/inventory.php" % free_port()
        proxy = "http://127.0.0.1:%d" % self.glpi.port
        for args, env, sent in ((["-P", proxy], {}, True),
                                (["--proxy", proxy], {}, True),
                                ([], {"http_proxy": proxy}, True),
                                ([], {"http_proxy": proxy,
                                      "no_proxy": "127.0.0.2"}, False)):
            with self.subTest(args=args, env=env):
                self.glpi.reset()
                d = self.folder({"a.json": OWN_JSON})
                r = self.inject("-d", d, "-u", server, *args, env=env,
                                code=0 if sent else 1)
                recs = posts(self.glpi)
                self.assertEqual(len(recs), 1 if sent else 0, r)
                if sent:
                    self.assertEqual(recs[0]["path"], "/front/inventory.php")
                    self.assertEqual(recs[0]["headers"]["host"],
                                     server.split("/")[2])
                else:
                    self.assertIn("Couldn't connect",
                                  r.reasons()[d + "/a.json"])

    def test_pending_polled(self):
        files = inventories(3)
        self.glpi.behaviour(pending_next=3)
        self.send(files, "-j", "3")
        recs = self.glpi.requests()
        self.assertEqual(sorted(x["method"] for x in recs),
                         ["GET"] * 3 + ["POST"] * 3)
        for rec in recs:
            self.assertEqual(rec["status"], 200 if rec["method"] == "GET"
                             else 202)
        # Each poll carries the id its post was given, and its agent id.
        agent_ids = sorted(x["headers"]["glpi-agent-id"] for x in recs)
        self.assertEqual(agent_ids[0::2], agent_ids[1::2])
        for rec in recs:
            if rec["method"] == "GET":
                self.assertRegex(rec["headers"]["glpi-request-id"],
                                 r"^[0-9A-F]{8}$")

    def test_user_agent(self):
        files = {"a.json": OWN_JSON, "b.xml": OWN_XML}
        for args, json_ua, xml_ua in (
                ([], "GLPI-Injector", "GLPI-Injector"),
                (["--useragent", "Carrier/2.0 (site 7)"],
                 "Carrier/2.0 (site 7)", "Carrier/2.0 (site 7)"),
                (["-x"], "GLPI-Agent_v1.12", "FusionInventory-Agent_v2.6"),
                (["--xml-ua"], "GLPI-Agent_v1.12",
                 "FusionInventory-Agent_v2.6"),
                (["--json-ua"], "GLPI-Agent_v1.12",
                 "FusionInventory-Agent_v2.6")):
            with self.subTest(args=args):
                self.glpi.reset()
                self.send(files, *args)
                got = {GlpiDouble.inflated(x)[:1]: x["headers"]["user-agent"]
                       for x in posts(self.glpi)}
                self.assertEqual(got, {b"{": json_ua, b"<": xml_ua})

    def test_no_compression(self):
        stored = {"a.json": gzip_of(OWN_JSON), "b.xml": zlib_of(OWN_XML)}
        for args, types in (([], {OWN_JSON: "Application/x-compress-zlib",
                                  OWN_XML: "Application/x-compress-zlib"}),
                            (["-C"], {OWN_JSON: "Application/json",
                                      OWN_XML: "Application/xml"}),
                            (["--no-compression"],
                             {OWN_JSON: "Application/json",
                              OWN_XML: "Application/xml"})):
            with self.subTest(args=args):
                self.glpi.reset()
                self.send(stored, *args)
                recs = posts(self.glpi)
                self.assertEqual(len(recs), 2)
                for rec in recs:
                    body = GlpiDouble.inflated(rec)
                    self.assertEqual(rec["content_type"], types[body])
                    if args:    # the content itself, inflated
                        self.assertEqual(rec["body_sha256"],
                                         hashlib.sha256(body).hexdigest())
                    else:
                        self.assertEqual(rec["compression"], "zlib")

    def test_agent_id_from_name(self):
        lower, upper, data = (str(uuid.uuid4()) for _ in range(3))
        xml_name = str(uuid.uuid4())
        files = {
            lower + ".json": with_deviceid(OWN_JSON, "lower"),
            upper.upper() + ".json": with_deviceid(OWN_JSON, "upper"),
            "pc-" + data + ".data": with_deviceid(OWN_JSON, "data"),
            "plain-1.json": with_deviceid(OWN_JSON, "plain-1"),
            "plain-2.json": with_deviceid(OWN_JSON, "plain-2"),
            # The kind comes from the content, the id only from .json/.data.
            xml_name + ".xml": with_deviceid(OWN_JSON, "json-in-xml"),
            str(uuid.uuid4()) + ".xml": with_deviceid(OWN_XML, "xml"),
        }
        self.send(files, "-j", "4")
        ids = {dev: rec["headers"].get("glpi-agent-id")
               for dev, rec in by_deviceid(posts(self.glpi)).items()}
        self.assertEqual(len(ids), len(files))
        self.assertEqual(ids["lower"], lower)
        self.assertEqual(ids["upper"], upper)
        self.assertEqual(ids["data"], data)
        self.assertIsNone(ids["xml"])
        random_ids = [ids[k] for k in ("plain-1", "plain-2", "json-in-xml")]
        for agent_id in random_ids:
            self.assertRegex(agent_id, UUID_RE)
        self.assertEqual(len(set(random_ids)), 3)
        self.assertNotIn(xml_name, random_ids)

    def test_debug_request_id_and_answers(self):
        d, r = self.send({"a.json": OWN_JSON}, "--debug")
        rec = posts(self.glpi)[0]
        reqid = rec["headers"]["glpi-request-id"]
        self.assertRegex(reqid, r"^[0-9A-F]{8}$")
        self.assertIn("%s/a.json: POST [%s] [agentid:%s]: HTTP 200 OK"
                      % (d, reqid, rec["headers"]["glpi-agent-id"]), r.out)
        self.assertIn('"status":"ok"', r.out)
        self.assertTrue(r.out.endswith("%s/a.json: sent\n" % d), r.out)

    def test_dry_run(self):
        named = "0" + str(uuid.uuid4())[1:]     # sorts before a.json
        files = {"a.json": OWN_JSON, "b.xml": OWN_XML,
                 named + ".json": zlib_of(with_deviceid(OWN_JSON, "z"))}
        d, r = self.send(files, "--dry-run", "-r", "-j", "4")
        lines = r.out.splitlines()
        self.assertEqual(len(lines), 3, r)
        self.assertRegex(lines[0], r"^%s/%s\.json: JSON inventory of z, "
                         r"%d bytes, agent id %s$" % (
                             re.escape(d), named,
                             len(with_deviceid(OWN_JSON, "z")), named))
        self.assertRegex(lines[1], r"^%s/a\.json: JSON inventory of "
                         r"passeur-test-2026-01-01-00-00-00, %d bytes, "
                         r"agent id [0-9a-f-]{36}$"
                         % (re.escape(d), len(OWN_JSON)))
        self.assertEqual(lines[2], "%s/b.xml: XML inventory of "
                         "passeur-test-2026-01-01-00-00-00, %d bytes"
                         % (d, len(OWN_XML)))
        self.assertIn("passeur inject: 3 to send, 0 not inventories, "
                      "0 skipped (", r.err)
        self.assertIn("nothing sent", r.err)
        self.assertEqual(sorted(read_tree(d)), sorted(files), "none removed")
        # No -u needed; a bad file makes it fail, listed as such.
        write_tree(d, {"c.json": b'{"content": {}}'})
        r = self.inject("--dry-run", "-d", d, code=1)
        self.assertEqual(r.listed(CANNOT_BE_SENT), [d + "/c.json"])
        self.assertEqual(r.listed(NOT_SENT), [])
        self.assertEqual(r.reasons(),
                         {d + "/c.json": "not an inventory: no deviceid"})
        self.assertEqual(len(r.out.splitlines()), 3)
        self.assertEqual(self.glpi.requests(), [], "nothing sent")

    def test_basic_auth_in_url(self):
        with GlpiDouble(args=["--basic-auth", "glpi:s3cret"]) as glpi:
            url = glpi.url().replace("://", "://glpi:s3cret@")
            self.send({"a.json": OWN_JSON}, url=url)
            self.assertEqual(len(posts(glpi)), 1)
            bad = glpi.url().replace("://", "://glpi:wr0ng@")
            d, r = self.send({"a.json": OWN_JSON}, url=bad, code=1)
            self.assertNotIn("wr0ng", r.err + r.out)
            self.assertIn(d + "/a.json", r.listed())
            self.assertEqual(len(posts(glpi)), 1)

    def test_interrupted_finishes_in_flight(self):
        # SIGTERM while the first file waits for its answer: it is
        # finished (and removed), no other is started, the rest listed.
        files = inventories(4)
        d = self.folder(files)
        self.glpi.behaviour(delay_ms=1500)
        proc = subprocess.Popen([BIN, "inject", "-r", "-j", "1", "-d", d,
                                 "-u", self.glpi.url()],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                env=env_without_proxy())
        try:
            self.assertTrue(wait_until(lambda: self.glpi.requests(), 15))
            proc.send_signal(signal.SIGTERM)
            out, err = proc.communicate(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
        self.assertEqual(proc.returncode, 143, err)
        self.assertEqual(len(self.glpi.requests()), 1)
        self.assertEqual(sorted(read_tree(d)), sorted(files)[1:])
        lines = err.decode().splitlines()
        self.assertEqual(lines[lines.index(NOT_SENT) + 1:],
                         [os.path.join(d, n) for n in sorted(files)[1:]])


class OAuth(InjectTest):
    ID, SECRET = "inventory-client", "s3cret-0f-the-client"

    def setUp(self):
        self.glpi = GlpiDouble(args=["--oauth", self.ID + ":" + self.SECRET])
        self.glpi.__enter__()
        self.addCleanup(self.glpi.__exit__, None, None, None)
        self.d = self.folder({"a.json": OWN_JSON, "b.xml": OWN_XML})

    def url(self):
        # As glpi-injector: the token is asked at the path before plugins.
        return self.glpi.url("/marketplace/glpiinventory/")

    def test_token_then_bearer(self):
        self.inject("-j", "2", "-d", self.d, "-u", self.url(),
                    "--oauth-client-id", self.ID,
                    "--oauth-client-secret", self.SECRET)
        # One token for the run, asked as spec/glpi-11.md says (a form).
        self.assertEqual(self.glpi.tokens(), [{
            "path": "/api.php/token",
            "content_type": "application/x-www-form-urlencoded",
            "status": 200,
            "body": {"grant_type": "client_credentials",
                     "client_id": self.ID, "client_secret": self.SECRET,
                     "scope": "inventory"}}])
        recs = posts(self.glpi)
        self.assertEqual(len(recs), 2)
        self.assertEqual([r["status"] for r in recs], [200, 200])
        self.assertEqual(len({r["headers"]["authorization"] for r in recs}),
                         1)
        for rec in recs:
            self.assertRegex(rec["headers"]["authorization"],
                             r"^Bearer [0-9a-f]{40}$")
            self.assertEqual(rec["path"], "/marketplace/glpiinventory/")

    def test_run_longer_than_the_token(self):
        # 4 files, one at a time, 0.8 s each: past a 2 s token.
        d = self.folder({"%d.json" % i: OWN_JSON for i in range(4)})
        self.glpi.behaviour(token_lifetime=2, delay_ms=800)
        r = self.inject("-j", "1", "-d", d, "-u", self.url(),
                        "--oauth-client-id", self.ID,
                        "--oauth-client-secret", self.SECRET)
        self.assertEqual(r.summary(), (4, 0, 0))
        self.assertGreaterEqual(r.seconds, 3.2)
        recs = posts(self.glpi)
        # Renewed before it expired: GLPI never refused one.
        self.assertEqual([x["status"] for x in recs], [200] * 4)
        tokens = self.glpi.tokens()
        self.assertGreaterEqual(len(tokens), 2)
        self.assertEqual({t["status"] for t in tokens}, {200})
        self.assertEqual(len({x["headers"]["authorization"] for x in recs}),
                         len(tokens))

    def test_401_renews_the_token_once(self):
        d = self.folder({"0.json": OWN_JSON})
        # GLPI refusing a token it gave (its key changed, say).
        self.glpi.behaviour(fail_next=1, fail_status=401, fail_body=json.dumps(
            {"status": "error", "expiration": 24, "message": "Authorization"
             " header required to send an inventory"}))
        r = self.inject("-d", d, "-u", self.url(),
                        "--oauth-client-id", self.ID,
                        "--oauth-client-secret", self.SECRET)
        self.assertEqual(r.summary(), (1, 0, 0))
        recs = posts(self.glpi)
        self.assertEqual([x["status"] for x in recs], [401, 200])
        self.assertEqual(len(self.glpi.tokens()), 2)
        self.assertNotEqual(recs[0]["headers"]["authorization"],
                            recs[1]["headers"]["authorization"])
        # Twice refused: one renewal only, then the file is not sent.
        self.glpi.behaviour(fail_next=2, fail_status=401)
        r = self.inject("-d", d, "-u", self.url(),
                        "--oauth-client-id", self.ID,
                        "--oauth-client-secret", self.SECRET, code=1)
        self.assertEqual(r.summary(), (0, 1, 0))
        self.assertEqual(len(self.glpi.tokens()), 4)

    def test_wrong_credentials(self):
        r = self.inject("-d", self.d, "-u", self.url(),
                        "--oauth-client-id", self.ID,
                        "--oauth-client-secret", "guess", code=1)
        self.assertIn("passeur inject: no OAuth access token: http://"
                      "127.0.0.1:%d/api.php/token: HTTP 401"
                      % self.glpi.port, r.err)
        self.assertNotIn("guess", r.err + r.out)
        self.assertEqual(r.listed(), [self.d + "/a.json", self.d + "/b.xml"])
        self.assertEqual(r.summary(), (0, 2, 0))
        self.assertEqual([t["status"] for t in self.glpi.tokens()], [401])
        self.assertEqual(self.glpi.requests(), [])
        self.assertEqual(sorted(os.listdir(self.d)), ["a.json", "b.xml"])

    def test_without_token_refused(self):
        r = self.inject("-d", self.d, "-u", self.url(), code=1)
        self.assertEqual(set(r.reasons().values()),
                         {"HTTP 401 Unauthorized: Authorization header "
                          "required to send an inventory"})
        self.assertEqual([x["status"] for x in self.glpi.requests()],
                         [401, 401])


@unittest.skipUnless(shutil.which("certtool"), "certtool (gnutls-bin) is "
                     "not installed (tools/install-deps test installs it)")
class Https(InjectTest):
    """To an HTTPS GLPI: which certificates are trusted."""

    @classmethod
    def setUpClass(cls):
        cls.certdir = tempfile.mkdtemp(prefix="inject-certs-")
        cls.certs = make_certs(cls.certdir)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.certdir, ignore_errors=True)

    def double(self, client_ca=False):
        c = self.certs
        args = ["--tls-cert", c["server.pem"], "--tls-key", c["server.key"]]
        if client_ca:
            args += ["--tls-client-ca", c["ca.pem"]]
        glpi = GlpiDouble(args=args, control_cert=(c["client.pem"],
                                                   c["client.key"]))
        glpi.__enter__()
        self.addCleanup(glpi.__exit__, None, None, None)
        return glpi

    def check(self, glpi, args, sent, why=None):
        with self.subTest(args=args):
            glpi.reset()
            d = self.folder({"a.json": OWN_JSON})
            r = self.inject("-d", d, "-u", glpi.url(), *args,
                            code=0 if sent else 1)
            self.assertEqual(len(posts(glpi)), 1 if sent else 0, r)
            if why:
                self.assertIn(why, r.reasons()[d + "/a.json"])

    def test_server_certificate(self):
        c = self.certs
        glpi = self.double()
        self.check(glpi, [], False, "certificate")
        self.check(glpi, ["--ca-cert-file", c["ca2.pem"]], False,
                   "certificate")
        self.check(glpi, ["--ca-cert-file", c["ca.pem"]], True)
        self.check(glpi, ["--no-ssl-check"], True)
        self.check(glpi, ["--ssl-fingerprint",
                          "sha256$" + c["server_sha256"]], True)
        self.check(glpi, ["--ssl-fingerprint", "sha256$" + "0" * 64], False)

    def test_client_certificate(self):
        c = self.certs
        glpi = self.double(client_ca=True)
        trust = ["--ca-cert-file", c["ca.pem"]]
        self.check(glpi, trust, False)
        self.check(glpi, trust + ["--ssl-cert-file", c["client.pem"],
                                  "--ssl-key-file", c["client.key"]], True)
        self.check(glpi, trust + ["--ssl-cert-file", c["client-both.pem"]],
                   True)


class BadInput(InjectTest):
    """What cannot be sent is reported, listed and kept."""

    def test_not_inventories(self):
        bad = {
            "text.json": (b"hello world\n", "neither JSON nor XML"),
            "array.json": (b'["deviceid", "x"]', "neither JSON nor XML"),
            "nodeviceid.json": (b'{"content": {"versionclient": "x"}}',
                                "no deviceid"),
            "numberid.json": (b'{"deviceid": 12}', "no deviceid"),
            "truncated.json": (b'{"deviceid": "x", ', "invalid JSON"),
            "unclosed.xml": (b"<?xml version='1.0'?><REQUEST><QUERY>INVENTORY"
                             b"</QUERY><DEVICEID>x</DEVICEID>",
                             "XML that is not well-formed"),
            "mismatched.xml": (b"<REQUEST><QUERY>INVENTORY</QUERY><DEVICEID>"
                               b"x</QUERY></REQUEST>",
                               "XML that is not well-formed"),
            "noquery.xml": (b"<REQUEST><DEVICEID>x</DEVICEID></REQUEST>",
                            "without REQUEST/QUERY and REQUEST/DEVICEID"),
            "empty.json": (b"", "empty"),
            "blank.xml": (b" \n\t\n", "neither JSON nor XML"),
            "cut.data": (zlib_of(OWN_JSON)[:40], "cannot inflate its zlib"),
            # Past the 256 MiB that one inventory may inflate to.
            "bomb.json": (zlib_bomb(300), "cannot inflate its zlib data: "
                          "size limit reached"),
        }
        files = {n: body for n, (body, _) in bad.items()}
        files["good.json"] = OWN_JSON
        with GlpiDouble() as glpi:
            d = self.folder(files)
            r = self.inject("-r", "-j", "4", "-d", d, "-u", glpi.url(),
                            code=1)
            self.assertEqual(r.summary(), (1, len(bad), 0))
            self.assertEqual(r.listed(),
                             sorted(os.path.join(d, n) for n in bad))
            reasons = r.reasons()
            for name, (_, why) in bad.items():
                self.assertIn(why, reasons.get(os.path.join(d, name), ""),
                              name)
            self.assertEqual(sorted(read_tree(d)), sorted(bad))
            self.assertEqual([GlpiDouble.inflated(x) for x in posts(glpi)],
                             [OWN_JSON], "only the inventory was sent")

    def test_not_regular_files(self):
        # Given as -f: a FIFO must not hang the run, nor a folder be read.
        d = self.folder({"sub/a.json": OWN_JSON})
        os.mkfifo(os.path.join(d, "fifo.json"))
        os.symlink("gone.json", os.path.join(d, "dangling.json"))
        url = "http://127.0.0.1:%d/" % free_port()
        for name, why in (("fifo.json", "not a regular file"),
                          ("sub", "not a regular file"),
                          ("dangling.json", "cannot open: No such file")):
            with self.subTest(name=name):
                path = os.path.join(d, name)
                r = self.inject("-f", path, "-u", url, code=1, timeout=30)
                self.assertIn(why, r.reasons()[path])
                self.assertEqual(r.listed(), [path])

    def test_unreadable_file(self):
        d = self.folder({"a.json": OWN_JSON, "b.json": OWN_JSON})
        os.chmod(os.path.join(d, "b.json"), 0)
        wrapper = ()
        if os.geteuid() == 0:
            # Root reads a chmod 000 file all the same: the run is nobody's,
            # in a folder nobody may list and remove files from.
            os.chmod(d, 0o777)
            wrapper = ("setpriv", "--reuid=65534", "--regid=65534",
                       "--clear-groups")
        with storing() as px:
            r = self.inject("-r", "-d", d, "-u", px.url(), code=1,
                            wrapper=wrapper)
            self.assertEqual(r.reasons(), {d + "/b.json":
                                           "cannot open: Permission denied"})
            self.assertEqual(r.listed(), [d + "/b.json"])
        self.assertEqual(os.listdir(d), ["b.json"])

    def test_locked_file(self):
        files = inventories(3)
        d = self.folder(files)
        locked = os.path.join(d, "pc-01.json")
        with open(locked, "rb") as held, storing() as px:
            fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
            r = self.inject("-r", "-d", d, "-u", px.url(), code=1)
            self.assertEqual(r.reasons(),
                             {locked: "locked by another process"})
            self.assertEqual(r.listed(), [locked])
            self.assertStored(px, [files["pc-00.json"], files["pc-02.json"]])
        self.assertEqual(os.listdir(d), ["pc-01.json"])

    def test_ten_thousand_files(self):
        n = 10000
        files = {"many/pc-%05d.json" % i:
                 b'{"deviceid":"pc-%05d","content":{"versionclient":"x"}}' % i
                 for i in range(n)}
        files.update({"many/skip-%d.txt" % i: b"x" for i in range(7)})
        d = self.folder(files)
        with storing() as px:
            r = self.inject("-j", "8", "-d", os.path.join(d, "many"), "-u",
                            px.url(), timeout=150)
            self.assertEqual(r.summary(), (n, 0, 7))
            self.assertEqual(len(px.files()), n)
            self.assertEqual(px.files()[0], "pc-00000.json")
        print("\n10,000 files sent in %.1f s" % r.seconds, end=" ")

    def test_connection_refused(self):
        files = inventories(3)
        d = self.folder(files)
        url = "http://127.0.0.1:%d/proxy/glpi" % free_port()
        r = self.inject("-r", "-d", d, "-u", url, code=1)
        paths = [os.path.join(d, n) for n in sorted(files)]
        self.assertEqual(r.listed(), paths)
        self.assertEqual(sorted(r.reasons()), paths)
        for why in r.reasons().values():
            self.assertIn("cannot send to %s: " % url, why)
            self.assertIn("Couldn't connect", why)
        self.assertEqual(r.summary(), (0, 3, 0))
        self.assertEqual(sorted(os.listdir(d)), sorted(files))

    def test_missing_folder(self):
        d = os.path.join(self.folder(), "nowhere")
        r = self.inject("-d", d, "-u", "http://127.0.0.1:9/", code=1)
        self.assertEqual(r.err, "passeur inject: cannot read folder %s: "
                         "No such file or directory\n" % d)

    def test_usage_errors(self):
        d = self.folder({"a.json": OWN_JSON})
        url = "http://127.0.0.1:9/"
        for args, message in (
                (["-d", d], "give -u URL"),
                (["-u", url], "usage: passeur inject"),
                (["-j", "0", "-d", d, "-u", url], "-j must be a number from "
                 "1 to 64, not \"0\""),
                (["-j", "65", "-d", d, "-u", url], "-j must be a number"),
                (["-j", "x", "-d", d, "-u", url], "-j must be a number"),
                (["-d", d, "-u", "ftp://glpi.example/"], "must start with "
                 "http:// or https://"),
                (["-d", d, "-u", url, "--oauth-client-id", "x"],
                 "OAuth needs both"),
                (["-d", d, "-u", url, "--timeout", "0"], "--timeout"),
                (["-d", d, "-u", url, "--frobnicate"], "usage:"),
                (["-d", d, "-u", url, "extra"], "unexpected argument")):
            with self.subTest(args=args):
                r = self.inject(*args, code=2)
                self.assertIn(message, r.err)
                self.assertEqual(r.out, "")
        self.assertEqual(os.listdir(d), ["a.json"])


@unittest.skipUnless(FUSION_INJECTOR, "fusioninventory-injector is not "
                     "installed (tools/install-deps test installs it)")
class SameAsFusionInjector(InjectTest):
    def test_same_store(self):
        template = fixture(INVENTORIES_XML, "fusioninventory-2.6-debian12.xml")
        d = self.folder(inventories(5, template, "fi", ".xml"))
        stores = []
        for command in ([FUSION_INJECTOR, "-d", d, "-u"],
                        [BIN, "inject", "-d", d, "-u"]):
            with storing() as px:
                p = subprocess.run(command + [px.url()], capture_output=True,
                                   timeout=120, env=env_without_proxy())
                self.assertEqual(p.returncode, 0, p)
                stores.append(read_tree(px.store))
        self.assertEqual(len(stores[0]), 5)
        self.assertEqual(sorted(stores[0]), sorted(stores[1]))
        for name in stores[0]:
            self.assertTrue(stores[0][name] == stores[1][name], name)
        self.assertStoreHolds(stores[1], read_tree(d).values())


if __name__ == "__main__":
    main()
