# SPDX-License-Identifier: GPL-3.0-or-later
"""Forwarding to an HTTPS upstream with the agent's TLS keys of agent.cfg:
ca-cert-file, ca-cert-dir, no-ssl-check, ssl-fingerprint, ssl-cert-file and
proxy (or the environment).

What is accepted is delivered on both branches (legacy XML and GLPI JSON).
What is refused is refused before the upstream sees a request, with one log
line that names the server and says why, the documented answer to the agent
(500 "Inventory not sent to server0" on the XML branch, the error answer to
the JSON poll), and the inventory kept in local_store."""

import hashlib
import http.client as httpclient
import json
import os
import re
import select
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading
import unittest

from certs import make_certs
from harness import (AGENT_ID, BIN, FIXTURES, GlpiDouble, Passeur, main,
                     read_file, zlib_of)

INVENTORY = read_file(os.path.join(FIXTURES, "computer_small.json"))
XML_INV = read_file(os.path.join(FIXTURES, "inventory_small.xml"))
STORED = "passeur-test-2026-01-01-00-00-00"
XML_OK = b"<?xml version='1.0' encoding='UTF-8'?>\n<REPLY></REPLY>\n"
JSON_FAILED = {"status": "error", "message": "server0 forward failure",
               "expiration": 24}
PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")
CERTS = None
SAVED_ENV = {}


def setUpModule():
    global CERTS
    d = tempfile.mkdtemp(prefix="passeur-certs-")
    CERTS = make_certs(d)
    CERTS["dir"] = d
    # Loopback only: a proxy of the machine running the tests stays out.
    for name in PROXY_VARIABLES:
        for n in (name, name.upper()):
            if n in os.environ:
                SAVED_ENV[n] = os.environ.pop(n)


def tearDownModule():
    os.environ.update(SAVED_ENV)
    shutil.rmtree(CERTS["dir"], ignore_errors=True)


def der_of(pem_path):
    with open(pem_path) as f:
        return ssl.PEM_cert_to_DER_cert(f.read())


def colons(hexdigest):
    return ":".join(hexdigest[i:i + 2] for i in range(0, len(hexdigest), 2))


class HttpsDouble(GlpiDouble):
    """The GLPI double over TLS, serving CERTS[cert + ".pem"]; with
    client_ca, it requires a client certificate signed by ca.pem."""

    def __init__(self, cert="server", client_ca=False):
        args = ["--tls-cert", CERTS[cert + ".pem"],
                "--tls-key", CERTS[cert + ".key"]]
        if client_ca:
            args += ["--tls-client-ca", CERTS["ca.pem"]]
        super().__init__(args=args)
        self.client_ca = client_ca

    def url(self, path="/front/inventory.php"):
        return "https://127.0.0.1:%d%s" % (self.port, path)

    def control(self, method, path, body=None):
        # The test's own channel to the double: any certificate it serves.
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        if self.client_ca:
            ctx.load_cert_chain(CERTS["client.pem"], CERTS["client.key"])
        conn = httpclient.HTTPSConnection("127.0.0.1", self.port,
                                          context=ctx, timeout=30)
        try:
            conn.request(method, path, body=body,
                         headers={"Content-Type": "application/json"})
            r = conn.getresponse()
            return r.read()
        finally:
            conn.close()

    def requests(self):
        return json.loads(self.control("GET", "/_double/requests"))

    def behaviour(self, **kw):
        self.control("POST", "/_double/behaviour", json.dumps(kw))


class ConnectProxy:
    """A minimal HTTP CONNECT proxy on loopback that tunnels to loopback
    only and records the request line of every tunnel it is asked for."""

    def __enter__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.seen = []
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        self.thread.join(5)
        self.sock.close()

    def url(self):
        return "http://127.0.0.1:%d" % self.port

    def serve(self):
        while not self.stopping.is_set():
            try:
                c, _ = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            threading.Thread(target=self.tunnel, args=(c,),
                             daemon=True).start()

    def tunnel(self, c):
        up = None
        try:
            c.settimeout(10)
            head = b""
            while b"\r\n\r\n" not in head and len(head) < 8192:
                data = c.recv(4096)
                if not data:
                    return
                head += data
            line = head.split(b"\r\n", 1)[0].decode("latin-1")
            self.seen.append(line)
            parts = line.split(" ")
            host, _, port = parts[1].rpartition(":") if len(parts) == 3 \
                else ("", "", "")
            if parts[0] != "CONNECT" or host != "127.0.0.1":
                c.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0"
                          b"\r\n\r\n")
                return
            up = socket.create_connection((host, int(port)), 10)
            c.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            ends = [c, up]
            # Bounded: the tunnel ends when a side closes or is idle 10 s.
            while True:
                ready, _, _ = select.select(ends, [], [], 10)
                if not ready:
                    return
                for s in ready:
                    data = s.recv(65536)
                    if not data:
                        return
                    (up if s is c else c).sendall(data)
        except OSError:
            pass
        finally:
            c.close()
            if up is not None:
                up.close()


class EnvProxy:
    """Sets proxy variables for the processes started inside the block."""

    def __init__(self, **values):
        self.values = values

    def __enter__(self):
        os.environ.update(self.values)
        return self

    def __exit__(self, *exc):
        for name in self.values:
            os.environ.pop(name, None)


class HttpsUpstream(unittest.TestCase):
    # ---- the two branches ----------------------------------------------------

    def json_answer(self, px, seconds=40):
        """Posts the JSON inventory and polls; returns the final answer."""
        r = px.post(zlib_of(INVENTORY), "application/x-compress-zlib",
                    AGENT_ID)
        self.assertEqual(r.status, 202, r)
        final = px.poll_final(r.headers["glpi-request-id"], seconds)
        self.assertIsNotNone(final, "no final answer")
        return final

    def xml_answer(self, px):
        return px.post(zlib_of(XML_INV), "application/x-compress-zlib")

    def delivered(self, px, glpi):
        """Both branches forward, and the upstream got both inventories."""
        r = self.json_answer(px)
        self.assertEqual((r.status, r.json()),
                         (200, {"expiration": 24, "status": "ok"}))
        r = self.xml_answer(px)
        self.assertEqual((r.status, r.body), (200, XML_OK))
        recs = glpi.requests()
        self.assertEqual([x["method"] for x in recs], ["POST", "POST"])
        self.assertEqual(GlpiDouble.inflated(recs[0]), INVENTORY)
        self.assertEqual(GlpiDouble.inflated(recs[1]), XML_INV)
        self.assertEqual(recs[0]["headers"]["glpi-agent-id"], AGENT_ID)
        return recs

    def refused(self, px, glpi, reason):
        """Both branches fail as documented; the upstream saw no request;
        one log line per branch names the server and matches reason; the
        inventories are in local_store.  Returns the log lines."""
        r = self.json_answer(px)
        self.assertEqual((r.status, r.json()), (200, JSON_FAILED))
        r = self.xml_answer(px)
        self.assertEqual((r.status, r.body),
                         (500, b"Inventory not sent to server0"))
        self.assertEqual(glpi.requests(), [])
        self.assertEqual(px.files(), [STORED + ".json", STORED + ".xml"])
        lines = [x for x in px.log().splitlines()
                 if "(%s) failed: " % glpi.url() in x]
        self.assertEqual(len(lines), 2, px.log())
        self.assertRegex(lines[0], r"forward [0-9A-F]{8} to server0 \(")
        self.assertIn("forward of XML inventory to server0 (", lines[1])
        for line in lines:
            self.assertRegex(line, reason)
        return lines

    def agent(self, glpi, **keys):
        # No spool: both branches answer once the upstream has answered,
        # as the reference does (test_spool.py tests the spool).
        a = {"server": glpi.url(), "timeout": 10, "spool": ""}
        a.update({k.replace("_", "-"): v for k, v in keys.items()})
        return a

    # ---- trust -----------------------------------------------------------------

    def test_ca_cert_file(self):
        with HttpsDouble() as glpi, \
                Passeur(agent=self.agent(glpi,
                                         ca_cert_file=CERTS["ca.pem"])) as px:
            self.delivered(px, glpi)

    def test_untrusted_without_ca_cert_file(self):
        with HttpsDouble() as glpi, Passeur(agent=self.agent(glpi)) as px:
            self.refused(px, glpi, r"verification failed.*NOT trusted.*"
                         r"issuer is unknown")

    def test_other_ca_refused(self):
        with HttpsDouble() as glpi, \
                Passeur(agent=self.agent(glpi,
                                         ca_cert_file=CERTS["ca2.pem"])) as px:
            self.refused(px, glpi, r"CAfile: .*ca2\.pem.*NOT trusted")

    def test_no_ssl_check(self):
        with HttpsDouble(cert="expired") as glpi, \
                Passeur(agent=self.agent(glpi, no_ssl_check="yes")) as px:
            self.delivered(px, glpi)

    def ca_dir(self, pem, rehash):
        d = tempfile.mkdtemp(prefix="passeur-cadir-")
        self.addCleanup(shutil.rmtree, d, True)
        shutil.copy(pem, os.path.join(d, "ca.pem"))
        if rehash:
            openssl = shutil.which("openssl")
            if openssl is None:
                self.skipTest("openssl not installed: no rehash")
            subprocess.run([openssl, "rehash", d], check=True)
            self.assertTrue(any(re.match(r"^[0-9a-f]{8}\.0$", n)
                                for n in os.listdir(d)), os.listdir(d))
        return d

    def test_ca_cert_dir_hashed(self):
        # What IO::Socket::SSL (OpenSSL) needs, and GnuTLS reads too.
        d = self.ca_dir(CERTS["ca.pem"], rehash=True)
        with HttpsDouble() as glpi, \
                Passeur(agent=self.agent(glpi, ca_cert_dir=d)) as px:
            self.delivered(px, glpi)

    def test_ca_cert_dir_plain_files(self):
        # libcurl's GnuTLS build reads every file of the folder.
        d = self.ca_dir(CERTS["ca.pem"], rehash=False)
        with HttpsDouble() as glpi, \
                Passeur(agent=self.agent(glpi, ca_cert_dir=d)) as px:
            self.delivered(px, glpi)

    def test_ca_cert_dir_without_the_ca(self):
        d = self.ca_dir(CERTS["ca2.pem"], rehash=True)
        with HttpsDouble() as glpi, \
                Passeur(agent=self.agent(glpi, ca_cert_dir=d)) as px:
            self.refused(px, glpi, r"NOT trusted.*issuer is unknown")

    def test_expired_certificate(self):
        with HttpsDouble(cert="expired") as glpi, \
                Passeur(agent=self.agent(glpi,
                                         ca_cert_file=CERTS["ca.pem"])) as px:
            self.refused(px, glpi, r"verification failed.*expired")

    def test_name_mismatch(self):
        # Signed by the CA, but for "client", not for 127.0.0.1.
        with HttpsDouble(cert="client") as glpi, \
                Passeur(agent=self.agent(glpi,
                                         ca_cert_file=CERTS["ca.pem"])) as px:
            self.refused(px, glpi, r"does not match target host name "
                         r"'127\.0\.0\.1'")

    # ---- ssl-fingerprint -----------------------------------------------------------

    def test_fingerprint_accepted_without_ca(self):
        sha256 = CERTS["server_sha256"]
        sha1 = hashlib.sha1(der_of(CERTS["server.pem"])).hexdigest()
        forms = [
            "sha256$" + sha256,
            "SHA256$" + colons(sha256.upper()),
            "sha256$%s, sha1$%s" % ("00" * 32, sha1),   # a list
            sha256,                                      # digest by length
        ]
        for form in forms:
            with self.subTest(form=form), HttpsDouble() as glpi, \
                    Passeur(agent=self.agent(glpi,
                                             ssl_fingerprint=form)) as px:
                self.delivered(px, glpi)

    def test_wrong_fingerprint_refused(self):
        with HttpsDouble() as glpi, \
                Passeur(agent=self.agent(glpi,
                                         ssl_fingerprint="sha256$" +
                                         "ab" * 32)) as px:
            lines = self.refused(px, glpi, r"certificate fingerprint "
                                 r"sha256\$%s is not in ssl-fingerprint"
                                 % CERTS["server_sha256"])
            # The usual verification had its chance too, and says why not.
            self.assertRegex(lines[0], r"issuer is unknown")

    def test_fingerprint_mismatch_but_trusted_ca(self):
        # As IO::Socket::SSL: a fingerprint is one more way in, not a
        # restriction of what a trusted CA vouches for.
        with HttpsDouble() as glpi, \
                Passeur(agent=self.agent(glpi, ca_cert_file=CERTS["ca.pem"],
                                         ssl_fingerprint="sha256$" +
                                         "ab" * 32)) as px:
            self.delivered(px, glpi)

    def test_fingerprint_wins_over_expiry(self):
        fp = hashlib.sha256(der_of(CERTS["expired.pem"])).hexdigest()
        with HttpsDouble(cert="expired") as glpi, \
                Passeur(agent=self.agent(glpi,
                                         ssl_fingerprint="sha256$" + fp)) \
                as px:
            self.delivered(px, glpi)

    def test_invalid_fingerprint_stops_the_start(self):
        with HttpsDouble() as glpi:
            px = Passeur(agent=self.agent(glpi, ca_cert_file=CERTS["ca.pem"],
                                          ssl_fingerprint="sha256$zz"))
            try:
                p = subprocess.run([BIN, "serve", "-f", "-c", px.confdir,
                                    "--vardir", px.vardir],
                                   capture_output=True, timeout=30)
                self.assertEqual(p.returncode, 1)
                self.assertRegex(p.stderr.decode(),
                                 r'/agent\.cfg:\d+: ssl-fingerprint: item 1 '
                                 r'"sha256\$zz": ')
            finally:
                px.cleanup()
            self.assertEqual(glpi.requests(), [])

    def test_fingerprint_and_polling_upstream(self):
        # An upstream proxy that answers "pending" is polled over the same
        # pinned TLS: the GET polls are checked like the POST.
        with HttpsDouble() as glpi, \
                Passeur(agent=self.agent(glpi, ssl_fingerprint="sha256$" +
                                         CERTS["server_sha256"])) as px:
            glpi.behaviour(pending_next=1)
            r = self.json_answer(px)
            self.assertEqual(r.json(), {"expiration": 24, "status": "ok"})
            self.assertEqual([x["method"] for x in glpi.requests()],
                             ["POST", "GET"])

    # ---- client certificate ------------------------------------------------------

    def test_client_certificate(self):
        with HttpsDouble(client_ca=True) as glpi, \
                Passeur(agent=self.agent(
                    glpi, ca_cert_file=CERTS["ca.pem"],
                    ssl_cert_file=CERTS["client-both.pem"])) as px:
            self.delivered(px, glpi)

    def test_client_certificate_missing(self):
        with HttpsDouble(client_ca=True) as glpi, \
                Passeur(agent=self.agent(glpi,
                                         ca_cert_file=CERTS["ca.pem"])) as px:
            self.refused(px, glpi, r"failed: the server asked for a client "
                         r"certificate and ssl-cert-file is not set")

    def test_client_certificate_without_its_key(self):
        with HttpsDouble(client_ca=True) as glpi, \
                Passeur(agent=self.agent(
                    glpi, ca_cert_file=CERTS["ca.pem"],
                    ssl_cert_file=CERTS["client.pem"])) as px:
            self.refused(px, glpi, r"ssl-cert-file .*/client\.pem, which "
                         r"holds no private key")

    # ---- proxy ---------------------------------------------------------------------

    def through_proxy(self, agent_keys, env, expect_tunnel):
        with ConnectProxy() as tunnel, HttpsDouble() as glpi:
            keys = self.agent(glpi, ca_cert_file=CERTS["ca.pem"])
            keys.update({k: v.replace("PROXY", tunnel.url())
                         for k, v in agent_keys.items()})
            values = {k: v.replace("PROXY", tunnel.url())
                      for k, v in env.items()}
            px = Passeur(agent=keys)
            with EnvProxy(**values):
                px.start()
            try:
                r = self.json_answer(px)
                self.assertEqual(r.json(), {"expiration": 24,
                                            "status": "ok"})
                target = "CONNECT 127.0.0.1:%d HTTP/1.1" % glpi.port
                if expect_tunnel:
                    self.assertEqual(tunnel.seen, [target])
                else:
                    self.assertEqual(tunnel.seen, [])
                self.assertEqual(len(glpi.requests()), 1)
            finally:
                px.stop()
                px.cleanup()

    def test_proxy_key(self):
        self.through_proxy({"proxy": "PROXY"}, {}, True)

    def test_proxy_from_environment(self):
        self.through_proxy({}, {"https_proxy": "PROXY"}, True)

    def test_no_proxy_from_environment(self):
        self.through_proxy({}, {"https_proxy": "PROXY",
                                "no_proxy": "127.0.0.1"}, False)

    def test_proxy_key_ignores_no_proxy(self):
        # The agent reads no environment once the proxy key is set.
        self.through_proxy({"proxy": "PROXY"}, {"no_proxy": "127.0.0.1"},
                           True)


if __name__ == "__main__":
    main()
