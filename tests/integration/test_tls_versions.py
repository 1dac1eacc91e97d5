# SPDX-License-Identifier: GPL-3.0-or-later
"""TLS versions of the listeners: 1.2 and 1.3 by default, 1.0 and 1.1
refused unless ssl_cipher names them.  The client side lowers OpenSSL's
security level (SECLEVEL=0), which on Debian would refuse TLS 1.1 by
itself: a refusal seen here is the server's."""

import os
import shutil
import socket
import ssl
import tempfile
import unittest
import warnings

from certs import make_certs
from harness import Passeur, free_port, main, write_cfg

CERTS = None


def setUpModule():
    global CERTS
    d = tempfile.mkdtemp(prefix="passeur-certs-")
    CERTS = make_certs(d)
    CERTS["dir"] = d


def tearDownModule():
    shutil.rmtree(CERTS["dir"], ignore_errors=True)


def handshake(port, version):
    """The version negotiated when the client offers only `version`, or
    None when the handshake fails."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        ctx.set_ciphers("DEFAULT@SECLEVEL=0")
        ctx.minimum_version = version
        ctx.maximum_version = version
    with socket.create_connection(("127.0.0.1", port), 10) as raw:
        try:
            with ctx.wrap_socket(raw) as s:
                s.sendall(b"GET /proxy/apiversion HTTP/1.1\r\n"
                          b"Host: x\r\nConnection: close\r\n\r\n")
                answer = s.recv(4096)
                if not answer.startswith(b"HTTP/1.1 200"):
                    return "answer %r" % answer[:40]
                return s.version()
        except (ssl.SSLError, ConnectionResetError):
            return None


def tls_passeur(ssl_cipher=None):
    port = free_port()
    keys = {"disabled": "no", "ports": port,
            "ssl_cert_file": CERTS["server.pem"],
            "ssl_key_file": CERTS["server.key"]}
    if ssl_cipher is not None:
        keys["ssl_cipher"] = ssl_cipher
    px = Passeur(proxy2={"disabled": "no", "port": port,
                         "local_store": "store2", "maxrate": 0})
    write_cfg(os.path.join(px.confdir, "ssl-server-plugin.cfg"), keys)
    px.tls_port = port
    return px


V = ssl.TLSVersion


class Versions(unittest.TestCase):
    def test_client_can_offer_tls11(self):
        """The test means something only if the client may speak 1.1."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            ctx.set_ciphers("DEFAULT@SECLEVEL=0")
            ctx.minimum_version = V.TLSv1_1
        self.assertEqual(ctx.minimum_version, V.TLSv1_1)

    def test_default_is_tls12_and_up(self):
        with tls_passeur() as px:
            self.assertIsNone(handshake(px.tls_port, V.TLSv1))
            self.assertIsNone(handshake(px.tls_port, V.TLSv1_1))
            self.assertEqual(handshake(px.tls_port, V.TLSv1_2), "TLSv1.2")
            self.assertEqual(handshake(px.tls_port, V.TLSv1_3), "TLSv1.3")

    def test_ssl_cipher_reenables_older_versions(self):
        with tls_passeur("SSLv23") as px:
            for version, name in ((V.TLSv1, "TLSv1"), (V.TLSv1_1, "TLSv1.1"),
                                  (V.TLSv1_2, "TLSv1.2"),
                                  (V.TLSv1_3, "TLSv1.3")):
                self.assertEqual(handshake(px.tls_port, version), name)
        with tls_passeur("TLSv11:TLSv12:TLSv13") as px:
            self.assertIsNone(handshake(px.tls_port, V.TLSv1))
            self.assertEqual(handshake(px.tls_port, V.TLSv1_1), "TLSv1.1")
            self.assertEqual(handshake(px.tls_port, V.TLSv1_3), "TLSv1.3")


if __name__ == "__main__":
    main()
