# SPDX-License-Identifier: GPL-3.0-or-later
"""TLS listeners (ssl-server-plugin.cfg) and the second proxy instance:
plain HTTP on one port and HTTPS on another, the real agent on both,
certificate errors at start-up, reload of the certificate, bad TLS input,
and an IPv6 listener with its trust list and rate limit."""

import http.client as httpclient
import os
import shutil
import socket
import ssl
import subprocess
import tempfile
import unittest

from certs import make_certs
from harness import (AGENT_ID, BIN, FIXTURES, FUSION_AGENT, GlpiDouble,
                     Passeur, free_port, main, run_fusion_agent, wait_until,
                     write_cfg)

CERTS = None


def setUpModule():
    global CERTS
    d = tempfile.mkdtemp(prefix="passeur-certs-")
    CERTS = make_certs(d)
    CERTS["dir"] = d


def tearDownModule():
    shutil.rmtree(CERTS["dir"], ignore_errors=True)


def fixture(name):
    with open(os.path.join(FIXTURES, name), "rb") as f:
        return f.read()


def https(port, method, path, body=None, headers=None, cafile=None,
          host="127.0.0.1", conn=None):
    """One request over TLS; returns (status, body, connection)."""
    if conn is None:
        ctx = ssl.create_default_context(cafile=cafile or CERTS["ca.pem"])
        conn = httpclient.HTTPSConnection(host, port, context=ctx, timeout=20)
    conn.request(method, path, body=body, headers=headers or {})
    r = conn.getresponse()
    return r.status, r.read(), conn


def two_listeners(ssl_keys=None, proxy=None, agent=None):
    """proxy on plain HTTP (main port), proxy2 over TLS on its own port."""
    tls_port = free_port()
    keys = {"disabled": "no", "ports": tls_port,
            "ssl_cert_file": CERTS["server.pem"],
            "ssl_key_file": CERTS["server.key"]}
    keys.update(ssl_keys or {})
    px = Passeur(agent=agent, proxy=proxy, proxy2={"disabled": "no", "port": tls_port,
                                      "local_store": "store2", "maxrate": 0})
    write_cfg(os.path.join(px.confdir, "ssl-server-plugin.cfg"), keys)
    px.tls_port = tls_port
    px.store2 = os.path.join(px.vardir, "store2")
    return px


def check(px):
    """passeur serve -n on px's configuration: (exit status, output)."""
    p = subprocess.run([BIN, "serve", "-n", "-c", px.confdir, "--vardir",
                        px.vardir], capture_output=True, timeout=30)
    return p.returncode, (p.stdout + p.stderr).decode()


class TlsListeners(unittest.TestCase):
    def test_http_and_https_side_by_side(self):
        body = fixture("computer_small.json")
        with two_listeners() as px:
            r = px.post(body, "application/json", AGENT_ID)
            self.assertEqual(r.status, 200, r)
            st, answer, c = https(px.tls_port, "POST", "/proxy/glpi", body,
                                  {"Content-Type": "application/json",
                                   "GLPI-Agent-ID": AGENT_ID})
            c.close()
            self.assertEqual(st, 200, answer)
            stored = [os.path.join(d, f) for d in (px.store, px.store2)
                      for f in os.listdir(d)]
            self.assertEqual(len(stored), 2, stored)
            for path in stored:
                with open(path, "rb") as f:
                    self.assertEqual(f.read(), body)
            # Plain HTTP on the TLS port is not answered as HTTP.
            with socket.create_connection(("127.0.0.1", px.tls_port), 5) as s:
                s.sendall(b"GET /proxy/apiversion HTTP/1.1\r\nHost: x\r\n\r\n")
                s.settimeout(5)
                try:
                    got = s.recv(4096)
                except (ConnectionResetError, socket.timeout):
                    got = b""
            self.assertNotIn(b"2.5", got)
            self.assertTrue(px.alive())
            st, answer, c = https(px.tls_port, "GET", "/proxy/apiversion")
            c.close()
            self.assertEqual((st, answer), (200, b"2.5"))
            px.wait_log(r"port %d \(TLS\)" % px.tls_port)

    def test_both_listeners_store_and_forward(self):
        body = fixture("computer_small.json")
        xml = fixture("inventory_small.xml")
        # Another device on the TLS listener: a second full inventory of
        # one device would supersede the first while it waits.
        other = (b"passeur-test-2026-01-01-00-00-00",
                 b"passeur-tls-2026-01-01-00-00-00")
        body2, xml2 = body.replace(*other), xml.replace(*other)
        h = {"Content-Type": "application/json", "GLPI-Agent-ID": AGENT_ID}
        with GlpiDouble() as glpi, \
                two_listeners(agent={"server": glpi.url()}) as px:
            self.assertEqual(px.post(body, "application/json",
                                     AGENT_ID).status, 202)
            st, _, c = https(px.tls_port, "POST", "/proxy/glpi", body2, h)
            c.close()
            self.assertEqual(st, 202)
            self.assertEqual(px.post(xml, "application/xml").status, 200)
            st, _, c = https(px.tls_port, "POST", "/proxy/fusioninventory",
                             xml2, {"Content-Type": "application/xml"})
            c.close()
            self.assertEqual(st, 200)
            self.assertTrue(wait_until(lambda: len(glpi.requests()) == 4, 30),
                            glpi.requests())
            inflated = sorted(GlpiDouble.inflated(r) for r in glpi.requests())
            self.assertEqual(inflated, sorted([body, body2, xml, xml2]))
            for store in (px.store, px.store2):
                self.assertEqual(len(os.listdir(store)), 2, store)

    def test_wrong_ca_refused_by_client(self):
        with two_listeners() as px:
            with self.assertRaises(ssl.SSLError):
                https(px.tls_port, "GET", "/proxy/apiversion",
                      cafile=CERTS["ca2.pem"])
            self.assertTrue(px.alive())

    def test_protocol_restriction(self):
        with two_listeners({"ssl_cipher": "TLSv13"}) as px:
            ctx = ssl.create_default_context(cafile=CERTS["ca.pem"])
            ctx.maximum_version = ssl.TLSVersion.TLSv1_2
            conn = httpclient.HTTPSConnection("127.0.0.1", px.tls_port,
                                              context=ctx, timeout=10)
            with self.assertRaises(ssl.SSLError):
                conn.request("GET", "/proxy/apiversion")
            conn.close()
            st, _, c = https(px.tls_port, "GET", "/proxy/apiversion")
            self.assertEqual(c.sock.version(), "TLSv1.3")
            c.close()
            self.assertEqual(st, 200)

    def test_tls_on_the_main_port(self):
        px = Passeur()
        write_cfg(os.path.join(px.confdir, "ssl-server-plugin.cfg"),
                  {"disabled": "no", "ports": 0,
                   "ssl_cert_file": CERTS["server-both.pem"]})
        with px:
            st, answer, c = https(px.port, "GET", "/proxy/apiversion")
            c.close()
            self.assertEqual((st, answer), (200, b"2.5"))

    def test_start_up_errors_name_the_file(self):
        cases = [
            ({"ssl_cert_file": CERTS["expired.pem"],
              "ssl_key_file": CERTS["expired.key"]}, "expired.pem", "expired"),
            ({"ssl_key_file": CERTS["other.key"]}, "other.key",
             "not the one of the certificate"),
            ({"ssl_cert_file": "/nonexistent/cert.pem"}, "/nonexistent/cert.pem",
             "cannot read"),
            ({"ssl_cert_file": CERTS["server.pem"], "ssl_key_file": ""},
             "server.pem", "set ssl_key_file"),
            ({"ssl_cert_file": ""}, "ssl_cert_file", "not set"),
            ({"ssl_cipher": "TLSv9"}, "ssl_cipher", "TLSv9"),
        ]
        for keys, name, reason in cases:
            with self.subTest(keys=keys):
                px = two_listeners(keys)
                try:
                    code, out = check(px)
                    self.assertNotEqual(code, 0, out)
                    self.assertIn(name, out)
                    self.assertIn(reason, out)
                    p = subprocess.run(
                        [BIN, "serve", "-f", "-c", px.confdir, "--vardir",
                         px.vardir], capture_output=True, timeout=30)
                    self.assertNotEqual(p.returncode, 0)
                    self.assertIn(name, p.stderr.decode())
                finally:
                    px.cleanup()

    def test_relative_certificate_path(self):
        px = two_listeners({"ssl_cert_file": "server-both.pem",
                            "ssl_key_file": ""})
        shutil.copy(CERTS["server-both.pem"], px.confdir)
        try:
            self.assertEqual(check(px), (0, "configuration OK\n"))
        finally:
            px.cleanup()

    def test_reload_swaps_certificate_and_keeps_connections(self):
        d = tempfile.mkdtemp(prefix="passeur-certs2-")
        self.addCleanup(shutil.rmtree, d, True)
        other = make_certs(d)
        with two_listeners() as px:
            st, _, kept = https(px.tls_port, "GET", "/proxy/apiversion")
            self.assertEqual(st, 200)
            write_cfg(os.path.join(px.confdir, "ssl-server-plugin.cfg"),
                      {"disabled": "no", "ports": px.tls_port,
                       "ssl_cert_file": other["server-both.pem"]})
            px.proc.send_signal(1)
            px.wait_log("configuration reloaded")
            # The connection made before the reload still serves requests.
            st, answer, kept = https(px.tls_port, "GET", "/proxy/apiversion",
                                     conn=kept)
            kept.close()
            self.assertEqual((st, answer), (200, b"2.5"))
            # New connections get the new certificate (another CA).
            with self.assertRaises(ssl.SSLError):
                https(px.tls_port, "GET", "/proxy/apiversion")
            st, _, c = https(px.tls_port, "GET", "/proxy/apiversion",
                             cafile=other["ca.pem"])
            c.close()
            self.assertEqual(st, 200)
            self.assertNotIn("listening on", px.log().split(
                "configuration reloaded")[-1])

    def test_bad_tls_input_does_not_stop_others(self):
        with two_listeners() as px:
            # A client that connects and never says a word...
            idle = socket.create_connection(("127.0.0.1", px.tls_port), 5)
            # ...one that stops in the middle of its ClientHello...
            cut = socket.create_connection(("127.0.0.1", px.tls_port), 5)
            cut.sendall(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" +
                        b"\x00" * 20)
            # ...and one that sends garbage and goes away.
            with socket.create_connection(("127.0.0.1", px.tls_port), 5) as g:
                g.sendall(os.urandom(3000))
            for _ in range(3):
                st, answer, c = https(px.tls_port, "GET", "/proxy/apiversion")
                c.close()
                self.assertEqual((st, answer), (200, b"2.5"))
            self.assertTrue(px.alive())
            idle.close()
            cut.close()

    @unittest.skipUnless(FUSION_AGENT, "fusioninventory-agent is not installed "
                         "(tools/install-deps test installs it)")
    def test_real_agent_over_http_and_https(self):
        with two_listeners() as px:
            for url, store, extra in (
                    (px.url("/proxy/fusioninventory"), px.store, []),
                    ("https://127.0.0.1:%d/proxy/fusioninventory" %
                     px.tls_port, px.store2,
                     ["--ca-cert-file=" + CERTS["ca.pem"]])):
                with self.subTest(url=url):
                    run_fusion_agent(self, url, *extra)
                    files = os.listdir(store)
                    self.assertEqual(len(files), 1, files)
                    self.assertTrue(files[0].endswith(".xml"))


def has_ipv6_loopback():
    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


@unittest.skipUnless(has_ipv6_loopback(), "no IPv6 loopback (::1) here")
class Ipv6(unittest.TestCase):
    def v6(self, proxy, **agent):
        port = free_port("::1")
        agent.update({"httpd-ip": "::1", "httpd-port": port})
        return Passeur(agent=agent, proxy=proxy, port=port)

    def post(self, px):
        return px.post(fixture("computer_small.json"), "application/json",
                       AGENT_ID).status

    def test_listener_and_store(self):
        with self.v6({}) as px:
            self.assertTrue(px.alive())
            self.assertEqual(self.post(px), 200)
            px.wait_log(r"::1 - \S+ inventory 200 ")

    def test_trust_list(self):
        with self.v6({"forbid_not_trusted": "yes"}) as px:
            self.assertEqual(self.post(px), 403)
        with self.v6({"forbid_not_trusted": "yes"},
                     **{"httpd-trust": "::1/128"}) as px:
            self.assertEqual(self.post(px), 200)

    def test_rate_limit(self):
        with self.v6({"maxrate": 2, "maxrate_period": 3600}) as px:
            self.assertEqual([self.post(px) for _ in range(3)],
                             [200, 200, 429])


if __name__ == "__main__":
    main()
