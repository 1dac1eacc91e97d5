# SPDX-License-Identifier: GPL-3.0-or-later
"""Bad input matrix: each request gets its documented status and message,
nothing is written outside the store, and the daemon keeps serving."""

import json
import os
import unittest
import zlib

from harness import AGENT_ID, Passeur, gzip_of, main, raw, zlib_of

XML = ('<?xml version="1.0" encoding="UTF-8" ?>\n<REQUEST>\n'
       '  <DEVICEID>%s</DEVICEID>\n  <QUERY>%s</QUERY>\n%s</REQUEST>\n')


def xml(query="INVENTORY", deviceid="pc-1", extra="  <CONTENT/>\n"):
    return (XML % (deviceid, query, extra)).encode()


def xml_nodev(query):
    return ('<?xml version="1.0"?>\n<REQUEST><QUERY>%s</QUERY></REQUEST>\n'
            % query).encode()


def js(**kw):
    return json.dumps(kw).encode()


PLAIN = "text/plain; charset=utf-8"
X = "application/xml"
J = "application/json"
Z = "application/x-compress-zlib"
G = "application/x-compress-gzip"
BOMB = zlib.compress(b"\0" * (40 << 20), 9)          # 40 MiB of zeros
GZBOMB = gzip_of(b"\0" * (40 << 20))

# name, method, path, content type, agent id, body, extra headers,
#   expected status, expected body (bytes: exact; str: JSON "message")
MATRIX = [
    ("apiversion", "GET", "/proxy/apiversion", None, None, None, {}, 200, b"2.5"),
    ("put", "PUT", "/proxy/glpi", X, None, xml(), {}, 400, b"Bad request"),
    ("delete", "DELETE", "/proxy/glpi", None, None, None, {}, 400, b"Bad request"),
    ("unknown path", "GET", "/proxy/foo", None, None, None, {}, 400, b"Bad request"),
    ("unknown root", "POST", "/glpi", X, None, xml(), {}, 400, b"Bad request"),
    ("no content type", "POST", "/proxy/glpi", None, None, xml(), {}, 403, b"Content-type not set"),
    ("get no body", "GET", "/proxy/glpi", None, None, None, {}, 403, b"Content-type not set"),
    ("text/plain", "POST", "/proxy/glpi", "text/plain", None, xml(), {}, 403, b"Unsupported Content-type"),
    ("empty body", "POST", "/proxy/glpi", X, None, b"", {}, 403, b"No content"),
    ("zlib garbage", "POST", "/proxy/glpi", Z, None, b"\x78\x9c garbage", {}, 403, b"Invalid zlib compressed content"),
    ("zlib truncated", "POST", "/proxy/glpi", Z, None, zlib_of(xml())[:-9], {}, 403, b"Invalid zlib compressed content"),
    ("gzip not gzip", "POST", "/proxy/glpi", G, None, xml(), {}, 403, b"Unsupported application/x-compress-gzip Content-type"),
    ("gzip truncated", "POST", "/proxy/glpi", G, None, gzip_of(xml())[:-12], {}, 403, b"Unsupported application/x-compress-gzip Content-type"),
    ("zlib bomb", "POST", "/proxy/glpi", Z, None, BOMB, {}, 413, b"Inflated content too large"),
    ("gzip bomb", "POST", "/proxy/glpi", G, None, GZBOMB, {}, 413, b"Inflated content too large"),
    # Only one stream: a second zlib stream, bytes after the stream or a
    # second gzip member are refused (not acknowledged and kept in part).
    ("zlib two streams", "POST", "/proxy/glpi", Z, None, zlib_of(xml()) + zlib_of(xml(deviceid="pc-2")), {}, 403, b"Invalid zlib compressed content"),
    ("zlib trailing bytes", "POST", "/proxy/glpi", Z, None, zlib_of(xml()) + b"junk", {}, 403, b"Invalid zlib compressed content"),
    ("gzip two members", "POST", "/proxy/glpi", G, None, gzip_of(xml()) + gzip_of(xml(deviceid="pc-2")), {}, 403, b"Unsupported application/x-compress-gzip Content-type"),
    ("gzip trailing byte", "POST", "/proxy/glpi", G, None, gzip_of(xml()) + b"\n", {}, 403, b"Unsupported application/x-compress-gzip Content-type"),
    ("json zlib two streams", "POST", "/proxy/glpi", Z, AGENT_ID, zlib_of(js(deviceid="a")) + zlib_of(js(deviceid="b")), {}, 403, b"Invalid zlib compressed content"),
    ("json zlib trailing bytes", "POST", "/proxy/glpi", Z, AGENT_ID, zlib_of(js(deviceid="a")) + b"\0", {}, 403, b"Invalid zlib compressed content"),
    ("json gzip two members", "POST", "/proxy/glpi", G, AGENT_ID, gzip_of(js(deviceid="a")) + gzip_of(js(deviceid="b")), {}, 403, b"Unsupported application/x-compress-gzip Content-type"),
    ("json without agent id", "POST", "/proxy/glpi", J, None, js(deviceid="x"), {}, 403, b"Unsupported Content-type"),
    ("json bad agent id", "POST", "/proxy/glpi", J, "not-a-uuid", js(deviceid="x"), {}, 403, b"Unsupported Content-type"),
    ("utf-8 bom", "POST", "/proxy/glpi", X, None, b"\xef\xbb\xbf" + xml(), {}, 403, b"Unsupported content"),
    ("bare REQUEST", "POST", "/proxy/glpi", X, None, b"<REQUEST><QUERY>PROLOG</QUERY></REQUEST>", {}, 403, b"Unsupported content"),
    ("malformed xml", "POST", "/proxy/glpi", X, None, b"<?xml version='1.0'?>\n<REQUEST><QUERY>PROLOG</QUER", {}, 403, b"Unsupported xml content"),
    ("xml not well formed", "POST", "/proxy/glpi", X, None, b"<?xml version='1.0'?>\n<A><B></A></B>", {}, 403, b"Unsupported xml content"),
    ("query snmp", "POST", "/proxy/glpi", X, None, xml("SNMPQUERY"), {}, 403, b"Unsupported query"),
    ("query lower case", "POST", "/proxy/glpi", X, None, xml("prolog"), {}, 403, b"Unsupported query"),
    ("query prologx", "POST", "/proxy/glpi", X, None, xml("PROLOGX"), {}, 403, b"Unsupported query"),
    ("no query", "POST", "/proxy/glpi", X, None, b"<?xml version='1.0'?>\n<REQUEST><DEVICEID>a</DEVICEID></REQUEST>", {}, 403, b"Unsupported query"),
    ("inventory no deviceid", "POST", "/proxy/glpi", X, None, xml_nodev("INVENTORY"), {}, 403, b"INVENTORY query without deviceid"),
    ("prolog no deviceid", "POST", "/proxy/glpi", X, None, xml_nodev("PROLOG"), {}, 403, b"PROLOG query without deviceid"),
    ("xml traversal", "POST", "/proxy/glpi", X, None, xml(deviceid="../traversal-test"), {}, 400, b"Invalid deviceid"),
    ("xml absolute", "POST", "/proxy/glpi", X, None, xml(deviceid="/tmp/evil"), {}, 400, b"Invalid deviceid"),
    ("xml slash", "POST", "/proxy/glpi", X, None, xml(deviceid="a/b"), {}, 400, b"Invalid deviceid"),
    ("xml tab in id", "POST", "/proxy/glpi", X, None, xml(deviceid="a&#9;b"), {}, 400, b"Invalid deviceid"),
    ("xml dot id", "POST", "/proxy/glpi", X, None, xml(deviceid=".."), {}, 400, b"Invalid deviceid"),
    ("xml long id", "POST", "/proxy/glpi", X, None, xml(deviceid="a" * 250), {}, 400, b"Invalid deviceid"),
    ("xml huge id", "POST", "/proxy/glpi", X, None, xml(deviceid="a" * 5000), {}, 403, b"Unsupported xml content"),
    ("json traversal", "POST", "/proxy/glpi", J, AGENT_ID, js(deviceid="../x"), {}, 400, b"Invalid deviceid"),
    ("json slash", "POST", "/proxy/glpi", J, AGENT_ID, js(deviceid="a/b"), {}, 400, b"Invalid deviceid"),
    ("json hidden", "POST", "/proxy/glpi", J, AGENT_ID, js(deviceid=".hidden"), {}, 400, b"Invalid deviceid"),
    ("json newline id", "POST", "/proxy/glpi", J, AGENT_ID, js(deviceid="a\nb"), {}, 400, b"Invalid deviceid"),
    ("json nul id", "POST", "/proxy/glpi", J, AGENT_ID, b'{"deviceid":"a\\u0000b"}', {}, 403, b"Unsupported JSON Content"),
    ("json bad utf-8", "POST", "/proxy/glpi", J, AGENT_ID, b'{"deviceid":"a\xff\xfeb"}', {}, 403, b"Unsupported JSON Content"),
    ("json overlong utf-8", "POST", "/proxy/glpi", J, AGENT_ID, b'{"deviceid":"\xc0\xafx"}', {}, 403, b"Unsupported JSON Content"),
    ("json array", "POST", "/proxy/glpi", J, AGENT_ID, b"[1,2]", {}, 403, b"Unsupported JSON Content"),
    ("json truncated", "POST", "/proxy/glpi", J, AGENT_ID, b'{"deviceid":"a"', {}, 403, b"Unsupported JSON Content"),
    # GLPI's inventory format has "partial" as a boolean, and GLPI refuses
    # an inventory with anything else there.
    ("json partial string", "POST", "/proxy/glpi", J, AGENT_ID, js(deviceid="pc-p", partial="yes", content={}), {}, 400, b"Invalid partial: must be true or false"),
    ("json partial number", "POST", "/proxy/glpi", J, AGENT_ID, js(deviceid="pc-p", partial=1, content={}), {}, 400, b"Invalid partial: must be true or false"),
    ("json partial null", "POST", "/proxy/glpi", J, AGENT_ID, js(deviceid="pc-p", action="netinventory", partial=None), {}, 400, b"Invalid partial: must be true or false"),
    ("json id too long", "POST", "/proxy/glpi", J, AGENT_ID, js(deviceid="a" * 201, action="netinventory", partial=True), {}, 400, b"Invalid deviceid"),
    ("json zlib truncated", "POST", "/proxy/glpi", Z, AGENT_ID, zlib_of(js(deviceid="a"))[:-6], {}, 403, b"Invalid zlib compressed content"),
    ("xml inventory with agent id", "POST", "/proxy/glpi", X, AGENT_ID, xml(), {}, 403, b"Not a legacy CONTACT"),
    ("xml prolog with agent id no deviceid", "POST", "/proxy/glpi", X, AGENT_ID, xml_nodev("PROLOG"), {}, 403, b"No deviceid in CONTACT"),
    ("text with agent id", "POST", "/proxy/glpi", Z, AGENT_ID, b"hello", {}, 403, b"Unsupported Content"),
    ("poll unknown id", "GET", "/proxy/glpi", None, AGENT_ID, None, {"GLPI-Request-ID": "0123ABCD"}, 404, b"Unknown status"),
    ("query contact", "GET", "/proxy/glpi?action=contact", None, None, None, {}, 403, b"Unsupported request"),
    ("query on post", "POST", "/proxy/glpi?foo=bar", X, None, xml(), {}, 403, b"Unsupported request"),
    ("too many proxies", "POST", "/proxy/glpi", J, AGENT_ID, js(deviceid="c"),
     {"GLPI-Proxy-ID": ",".join(["3a609a2e-947f-4e6a-9af9-32c024ac3e9%d" % i for i in range(5)])},
     403, "max-proxy-pass-through-reached"),
    ("proxy id not a uuid", "POST", "/proxy/glpi", J, AGENT_ID, js(deviceid="c"),
     {"GLPI-Proxy-ID": "3a609a2e-947f-4e6a-9af9-32c024ac3e90,proxy-b"}, 400, "invalid-proxy-id"),
    ("proxy id with escape", "POST", "/proxy/glpi", X, None, xml(),
     {"GLPI-Proxy-ID": "\x1b[2J3a609a2e-947f-4e6a-9af9-32c024ac3e90"}, 400, "invalid-proxy-id"),
    ("oversized body", "POST", "/proxy/glpi", X, None, xml(extra="<CONTENT>%s</CONTENT>" % ("x" * (300 << 10))), {}, 413, None),
]


class BadInput(unittest.TestCase):
    def snapshot(self, px):
        out = set()
        for root, dirs, files in os.walk(px.dir):
            for name in files + dirs:
                out.add(os.path.relpath(os.path.join(root, name), px.dir))
        return out

    def test_matrix(self):
        self.assertGreaterEqual(len(MATRIX), 40)
        proxy = {"max_body_size": "256k", "max_inflated_size": "16M"}
        with Passeur(proxy=proxy) as px:
            before = self.snapshot(px)
            for (name, method, path, ctype, agent, body, extra, status,
                 expected) in MATRIX:
                h = dict(extra)
                if ctype:
                    h["Content-Type"] = ctype
                if agent:
                    h["GLPI-Agent-ID"] = agent
                with self.subTest(name=name):
                    r = px.request(method, path, body, h)
                    self.assertEqual(r.status, status, r)
                    if isinstance(expected, bytes):
                        self.assertEqual(r.body, expected)
                        if status >= 400:
                            self.assertEqual(r.headers["content-type"], PLAIN)
                    elif isinstance(expected, str):
                        self.assertEqual(r.json(), {"status": "error",
                                                    "message": expected})
                    self.assertTrue(px.alive(), "daemon stopped answering")
            after = self.snapshot(px)
            new = sorted(after - before)
            # Only the PROLOG/INVENTORY-free matrix: nothing may be written.
            self.assertEqual(new, [], "files appeared: %s" % new)
            self.assertFalse(os.path.exists(os.path.join(px.dir, "traversal-test.xml")))
            self.assertFalse(os.path.exists("/tmp/evil.xml"))

    def test_trailing_refusal_logged(self):
        """The answer is that of any undecodable body; the log says why."""
        with Passeur() as px:
            r = px.post(zlib_of(js(deviceid="a")) + b"junk", Z, AGENT_ID)
            self.assertEqual(r.status, 403)
            r = px.post(gzip_of(xml()) + gzip_of(xml()), G)
            self.assertEqual(r.status, 403)
            log = px.wait_log(r"gzip member")
            self.assertRegex(log, r"127\.0\.0\.1: body refused with 403: "
                             r"4 bytes after the end of the zlib stream")
            self.assertRegex(log, r"127\.0\.0\.1: body refused with 403: "
                             r"\d+ bytes after the end of the first gzip "
                             r"member's stream")
            self.assertEqual(px.files(), [])

    def test_valid_edges_stored(self):
        """Valid messages at the edges are stored byte for byte: integers
        beyond int64 (SNMP 64-bit counters), "partial": false, the longest
        device id with the longest suffix, in both protocols."""
        big = (b'{"action":"netinventory","deviceid":"switch-1","content":'
               b'{"network_ports":[{"ifinoctets":18446744073709551615,'
               b'"ifoutoctets":340282366920938463463374607431768211456,'
               b'"x":-9223372036854775809}]}}')
        full = js(deviceid="pc-f", partial=False, content={})
        longid = js(deviceid="d" * 200, action="netinventory", partial=True,
                    content={})
        with Passeur() as px:
            for body, ctype, name in (
                    (big, J, "switch-1.netinventory.json"),
                    (zlib_of(big), Z, "switch-1.netinventory.json"),
                    (full, J, "pc-f.json"),
                    (longid, J, "d" * 200 + ".netinventory.partial.json"),
                    (xml(deviceid="x" * 200), X, "x" * 200 + ".xml")):
                with self.subTest(name=name[:40], ctype=ctype):
                    r = px.post(body, ctype,
                                None if ctype == X else AGENT_ID)
                    self.assertEqual(r.status, 200, r)
                    with open(os.path.join(px.store, name), "rb") as f:
                        plain = zlib.decompress(body) if ctype == Z else body
                        self.assertEqual(f.read(), plain)
            r = px.post(xml(deviceid="x" * 201), X)
            self.assertEqual((r.status, r.body), (400, b"Invalid deviceid"))

    def test_loop_detected_with_own_id(self):
        with Passeur() as px:
            with open(os.path.join(px.vardir, "proxy-id")) as f:
                own = f.read().strip()
            a, b = ("3a609a2e-947f-4e6a-9af9-32c024ac3e9%d" % i
                    for i in range(2))
            for chain in (own, a + ", " + own.upper() + " ", own + "," + b):
                r = px.post(js(deviceid="c"), J, AGENT_ID,
                            headers={"GLPI-Proxy-ID": chain})
                self.assertEqual(r.status, 404, chain)
                self.assertEqual(r.json(), {"status": "error",
                                            "message": "proxy-loop-detected"})
            self.assertEqual(px.files(), [])

    def test_raw_protocol_garbage(self):
        with Passeur() as px:
            for data in (b"HELLO\r\n\r\n", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",
                         b"GET /proxy/apiversion HTTP/9.9\r\n\r\n",
                         b"POST /proxy/glpi HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
                         b"GET /proxy/apiversion HTTP/1.1\r\nHost: x\r\nX: " + b"a" * 70000 + b"\r\n\r\n"):
                out = raw(px.port, data, timeout=5)
                if out:
                    self.assertRegex(out[:12], rb"^HTTP/1\.[01] [45]\d\d")
                self.assertTrue(px.alive())

    def test_chunked_oversized_body(self):
        with Passeur(proxy={"max_body_size": "64k"}) as px:
            chunk = b"x" * 32768
            data = [b"POST /proxy/glpi HTTP/1.1\r\nHost: x\r\n"
                    b"Content-Type: application/xml\r\n"
                    b"Transfer-Encoding: chunked\r\n\r\n"]
            data += [b"8000\r\n" + chunk + b"\r\n"] * 4 + [b"0\r\n\r\n"]
            out = raw(px.port, data, timeout=10)
            self.assertRegex(out[:12], rb"^HTTP/1\.1 413")
            self.assertTrue(px.alive())
            self.assertEqual(px.files(), [])

    def test_http_framing(self):
        """Framing that two HTTP parsers could read two ways gets 400 and
        the connection is closed; nothing is kept; the daemon serves on."""
        body = xml(query="INVENTORY", deviceid="framing-1")
        n = len(body)
        head = (b"POST /proxy/glpi HTTP/1.1\r\nHost: x\r\n"
                b"Content-Type: application/xml\r\n")
        chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (n, body)
        cases = [
            ("te and cl", b"Transfer-Encoding: chunked\r\n"
             b"Content-Length: %d\r\n\r\n" % n + chunked),
            ("cl and te", b"Content-Length: %d\r\n"
             b"Transfer-Encoding: chunked\r\n\r\n" % n + chunked),
            ("two different cl", b"Content-Length: %d\r\n"
             b"Content-Length: 5\r\n\r\n" % n + body),
            ("te gzip", b"Transfer-Encoding: gzip\r\n\r\n" + body),
            ("te gzip, chunked", b"Transfer-Encoding: gzip, chunked\r\n\r\n"
             + chunked),
            ("two te", b"Transfer-Encoding: chunked\r\n"
             b"Transfer-Encoding: chunked\r\n\r\n" + chunked),
            ("space before colon", b"Content-Length : %d\r\n\r\n" % n + body),
            ("nul in value", b"Content-Length: %d\r\n"
             b"GLPI-Agent-ID: abc\0def\r\n\r\n" % n + body),
            ("nul in content-length", b"Content-Length: %d\0 5\r\n\r\n" % n
             + body),
            ("cl not a number", b"Content-Length: 1e3\r\n\r\n" + body),
        ]
        with Passeur() as px:
            for name, rest in cases:
                out = raw(px.port, head + rest, timeout=10)
                self.assertRegex(out[:12], rb"^HTTP/1\.1 400", name)
                self.assertIn(b"Connection: close", out, name)
                self.assertTrue(px.alive(), name)
            self.assertEqual(px.files(), [])
            self.assertIn("request framing refused", px.log())
            # What stays valid: chunked alone, a repeated equal length.
            for rest in (b"Transfer-Encoding: chunked\r\n\r\n" + chunked,
                         b"Content-Length: %d\r\nContent-Length: %d\r\n\r\n"
                         % (n, n) + body):
                out = raw(px.port, head + rest, timeout=10)
                self.assertRegex(out[:12], rb"^HTTP/1\.1 200")
            self.assertEqual(px.files(), ["framing-1.xml"])


if __name__ == "__main__":
    main()
