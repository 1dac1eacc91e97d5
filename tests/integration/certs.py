# SPDX-License-Identifier: GPL-3.0-or-later
"""Test certificates, made at test time with GnuTLS's certtool.

make_certs(dir) writes, under dir:
  ca.pem / ca.key          a private CA
  server.pem / server.key  signed by the CA, for localhost, 127.0.0.1, ::1
  server-both.pem          the server certificate followed by its key
  client-both.pem          the same for the client certificate
  client.pem / client.key  a client certificate signed by the CA
  expired.pem / expired.key  a server certificate that expired in 2020
  other.key                a key that matches no certificate
  ca2.pem / ca2.key        a second CA that signed nothing here
and returns a dict of those paths, plus "server_sha256": the SHA-256
fingerprint of server.pem (hex, lower case, no colons).
"""

import hashlib
import os
import ssl
import subprocess


def _run(*args):
    subprocess.run(["certtool", *args], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.PIPE)


def _template(path, lines):
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def _key(path):
    _run("--generate-privkey", "--key-type=ecdsa", "--curve=secp256r1",
         "--outfile", path)


def _ca(d, name):
    key, pem, tpl = (os.path.join(d, name + s) for s in (".key", ".pem", ".tpl"))
    _key(key)
    _template(tpl, ['cn = "Passeur test CA %s"' % name, "ca", "cert_signing_key",
                    "expiration_days = 3650"])
    _run("--generate-self-signed", "--load-privkey", key, "--template", tpl,
         "--outfile", pem)
    return key, pem


def _leaf(d, name, ca_key, ca_pem, extra):
    key, pem, tpl = (os.path.join(d, name + s) for s in (".key", ".pem", ".tpl"))
    _key(key)
    _template(tpl, ['cn = "%s"' % name] + extra)
    _run("--generate-certificate", "--load-privkey", key, "--load-ca-privkey",
         ca_key, "--load-ca-certificate", ca_pem, "--template", tpl,
         "--outfile", pem)
    return key, pem


def make_certs(d):
    os.makedirs(d, exist_ok=True)
    ca_key, ca_pem = _ca(d, "ca")
    _ca(d, "ca2")
    server = ['dns_name = "localhost"', 'ip_address = "127.0.0.1"',
              'ip_address = "::1"', "tls_www_server", "signing_key",
              "encryption_key"]
    _leaf(d, "server", ca_key, ca_pem, server + ["expiration_days = 3650"])
    _leaf(d, "client", ca_key, ca_pem,
          ["tls_www_client", "signing_key", "expiration_days = 3650"])
    _leaf(d, "expired", ca_key, ca_pem, server + [
        'activation_date = "2019-01-01 00:00:00 UTC"',
        'expiration_date = "2020-01-01 00:00:00 UTC"'])
    _key(os.path.join(d, "other.key"))
    p = {n: os.path.join(d, n) for n in (
        "ca.pem", "ca.key", "ca2.pem", "server.pem", "server.key",
        "client.pem", "client.key", "expired.pem", "expired.key", "other.key")}
    for who in ("server", "client"):
        both = os.path.join(d, who + "-both.pem")
        with open(both, "w") as out:
            for part in (who + ".pem", who + ".key"):
                with open(p[part]) as f:
                    out.write(f.read())
        p[who + "-both.pem"] = both
    with open(p["server.pem"]) as f:
        der = ssl.PEM_cert_to_DER_cert(f.read())
    p["server_sha256"] = hashlib.sha256(der).hexdigest()
    return p
