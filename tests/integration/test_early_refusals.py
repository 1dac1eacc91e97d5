# SPDX-License-Identifier: GPL-3.0-or-later
"""Refusals decided before the body is read (403, 413, 429) reach the
client: many clients post bodies of 30 KB to 1 MB in parallel, and every
one of them reads its status, not a reset."""

import os
import socket
import threading
import unittest

from harness import FIXTURES, GlpiDouble, Passeur, main, wait_until

SIZES = [30 * 1024, 100 * 1024, 300 * 1024, 1024 * 1024]
CLIENTS = 24        # in parallel, each posting every size once


def post_raw(port, body, timeout=30):
    """Posts body as a client that sends everything before it reads, as
    the agents' HTTP libraries do (a write that fails is an error to
    them, and the answer is never read); returns the status read, or the
    error that ended it."""
    head = (b"POST /proxy/glpi HTTP/1.1\r\nHost: x\r\n"
            b"Content-Type: application/xml\r\n"
            b"Content-Length: %d\r\n\r\n" % len(body))
    with socket.create_connection(("127.0.0.1", port), timeout) as s:
        try:
            s.sendall(head + body)
        except OSError as e:
            return "send failed: %s" % type(e).__name__
        out = b""
        try:
            while b"\r\n" not in out:
                chunk = s.recv(4096)
                if not chunk:
                    break
                out += chunk
        except OSError as e:
            return "error %s after %r" % (type(e).__name__, out[:40])
        if not out.startswith(b"HTTP/1.1 "):
            return "no answer (%r)" % out[:40]
        return int(out[9:12])


def storm(port):
    """CLIENTS threads post every size; returns the list of outcomes."""
    results = []
    lock = threading.Lock()

    def client(n):
        for size in SIZES:
            body = (b"<?xml version='1.0'?><REQUEST><DEVICEID>c%d</DEVICEID>"
                    b"<QUERY>INVENTORY</QUERY><CONTENT>" % n)
            body += b"x" * (size - len(body) - 21) + b"</CONTENT></REQUEST>\n"
            r = post_raw(port, body)
            with lock:
                results.append(r)
    threads = [threading.Thread(target=client, args=(n,))
               for n in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return results


class EarlyRefusals(unittest.TestCase):
    def check(self, px, status):
        results = storm(px.port)
        self.assertEqual(len(results), CLIENTS * len(SIZES))
        lost = [r for r in results if r != status]
        self.assertEqual(lost, [], "%d of %d refusals not read" %
                         (len(lost), len(results)))
        self.assertTrue(px.request("GET", "/status").status == 200)

    def test_403_not_trusted(self):
        with Passeur(agent={"httpd-trust": "10.0.0.0/8"},
                     proxy={"forbid_not_trusted": "yes"}) as px:
            self.check(px, 403)

    def test_413_over_max_body_size(self):
        with Passeur(proxy={"max_body_size": "16k",
                             "max_proxy_threads": 1000}) as px:
            self.check(px, 413)
            self.assertEqual(px.files(), [])

    def test_429_rate(self):
        with Passeur(proxy={"maxrate": 1, "maxrate_period": 3600}) as px:
            self.assertEqual(px.request("GET", "/proxy/apiversion").status,
                             200)
            self.check(px, 429)

    def test_429_max_proxy_threads(self):
        with open(os.path.join(FIXTURES, "inventory_small.xml"), "rb") as f:
            held_body = f.read()
        with GlpiDouble() as glpi:
            glpi.behaviour(delay_ms=120000)
            # Without a spool, a legacy forward holds its request.
            with Passeur(agent={"server": glpi.url(), "spool": ""},
                         proxy={"max_proxy_threads": 1}) as px:
                # One forward held by the double takes the only slot.
                t = threading.Thread(target=lambda: post_raw(
                    px.port, held_body, 200), daemon=True)
                t.start()
                self.assertTrue(wait_until(lambda: len(glpi.requests()) == 1,
                                           30))
                self.check(px, 429)
                glpi.behaviour(delay_ms=0)


if __name__ == "__main__":
    main()
