# SPDX-License-Identifier: GPL-3.0-or-later
"""Slow clients: bodies still arriving hold no worker slot, bodies in
progress are bounded per address, a client under min_data_rate is cut,
and headers have a deadline of their own (libmicrohttpd's timeout only
measures inactivity)."""

import socket
import threading
import time
import unittest

from harness import Passeur, main

XML = (b"<?xml version='1.0'?>\n<REQUEST><DEVICEID>%s</DEVICEID>"
       b"<QUERY>INVENTORY</QUERY><CONTENT/></REQUEST>\n")


def slow_upload(port, src="127.0.0.2", declared=100000):
    """A connection from src that sent its headers and the start of a
    body of declared bytes."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind((src, 0))
    s.connect(("127.0.0.1", port))
    s.sendall(b"POST /proxy/glpi HTTP/1.1\r\nHost: x\r\n"
              b"Content-Type: application/xml\r\n"
              b"Content-Length: %d\r\n\r\n<?xml" % declared)
    return s


class Trickle:
    """Sends one byte every period seconds to each socket, until stopped;
    notes when each one is found closed."""

    def __init__(self, socks, period=2.0):
        self.socks = socks
        self.period = period
        self.closed = {}
        self.stop = threading.Event()
        self.start = time.monotonic()
        self.t = threading.Thread(target=self.run, daemon=True)
        self.t.start()

    def run(self):
        while not self.stop.wait(self.period):
            for i, s in enumerate(self.socks):
                if i in self.closed:
                    continue
                try:
                    s.sendall(b"x")
                except OSError:
                    self.closed[i] = time.monotonic() - self.start

    def close(self):
        self.stop.set()
        self.t.join(10)
        for s in self.socks:
            s.close()


def closed_by_peer(s, seconds):
    """True when the peer closes s (EOF or reset) within seconds."""
    s.settimeout(seconds)
    try:
        return s.recv(100) == b""
    except socket.timeout:
        return False
    except OSError:
        return True


class SlowClients(unittest.TestCase):
    def test_slow_uploads_hold_no_worker_slot(self):
        # Ten slow uploaders, as many as max_proxy_threads (default 10).
        with Passeur() as px:
            socks = [slow_upload(px.port) for _ in range(10)]
            tr = Trickle(socks)
            try:
                time.sleep(1)       # their headers are in
                r = px.post(XML % b"normal-1", "application/xml")
                self.assertEqual(r.status, 200, r)
                self.assertEqual(px.files(), ["normal-1.xml"])
            finally:
                tr.close()
            self.assertTrue(px.alive())

    def test_uploads_per_address_bounded(self):
        with Passeur(proxy={"max_uploads_per_ip": 3,
                            "min_data_rate": 0}) as px:
            socks = [slow_upload(px.port) for _ in range(3)]
            try:
                time.sleep(1)
                # A fourth body from the same address is refused, and
                # the refusal is read (the body is drained first).
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                s.bind(("127.0.0.2", 0))
                s.connect(("127.0.0.1", px.port))
                body = XML % b"fourth"
                s.sendall(b"POST /proxy/glpi HTTP/1.1\r\nHost: x\r\n"
                          b"Content-Type: application/xml\r\n"
                          b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
                s.settimeout(20)
                self.assertTrue(s.recv(100).startswith(b"HTTP/1.1 429"))
                s.close()
                # Another address is served.
                r = px.post(XML % b"other-1", "application/xml")
                self.assertEqual(r.status, 200, r)
            finally:
                for s in socks:
                    s.close()

    def test_upload_under_min_data_rate_is_cut(self):
        with Passeur(proxy={"min_data_rate": "1k"}) as px:
            s = slow_upload(px.port, "127.0.0.1")
            tr = Trickle([s])
            try:
                # Cut after one window of 10 s; 40 s is a hang guard.
                self.assertTrue(closed_by_peer(s, 40))
            finally:
                tr.close()
            self.assertRegex(px.wait_log("under min_data_rate"),
                             r"127\.0\.0\.1: \d+ bytes in 10s, under "
                             r"min_data_rate \(1024 bytes/s\), connection "
                             r"closed")
            self.assertTrue(px.alive())

    def test_upload_over_min_data_rate_is_served(self):
        body = (b"<?xml version='1.0'?>\n<REQUEST><DEVICEID>steady-1"
                b"</DEVICEID><QUERY>INVENTORY</QUERY><CONTENT><X>" +
                b"x" * 6000 + b"</X></CONTENT></REQUEST>\n")
        with Passeur(proxy={"min_data_rate": 100}) as px:
            s = socket.create_connection(("127.0.0.1", px.port))
            s.sendall(b"POST /proxy/glpi HTTP/1.1\r\nHost: x\r\n"
                      b"Content-Type: application/xml\r\n"
                      b"Content-Length: %d\r\n\r\n" % len(body))
            # 250 bytes every 0.5 s: 500 bytes/s for about 12 s, over
            # the 100 bytes/s asked, across more than one window.
            for i in range(0, len(body), 250):
                s.sendall(body[i:i + 250])
                time.sleep(0.5)
            s.settimeout(20)
            answer = s.recv(100)
            s.close()
            self.assertTrue(answer.startswith(b"HTTP/1.1 200"), answer)
            self.assertEqual(px.files(), ["steady-1.xml"])
            self.assertNotIn("min_data_rate", px.log())

    def test_slow_headers_cut_at_request_timeout(self):
        with Passeur(proxy={"request_timeout": 5, "min_data_rate": 0}) as px:
            s = socket.create_connection(("127.0.0.1", px.port))
            s.sendall(b"POST /proxy/glpi HTTP/1.1\r\n")
            start = time.monotonic()
            closed = False
            try:
                for i in range(15):      # a header line every 2 s, 30 s
                    time.sleep(2)
                    s.sendall(b"X-Slow-%d: y\r\n" % i)
            except OSError:
                closed = True
            if not closed:
                closed = closed_by_peer(s, 0.5)
            took = time.monotonic() - start
            s.close()
            self.assertTrue(closed, "headers trickled for 30 s")
            self.assertLess(took, 15)    # hang guard: 3 x request_timeout
            self.assertIn("127.0.0.1: request headers not received within "
                          "5s, connection closed", px.log())
            self.assertTrue(px.alive())


if __name__ == "__main__":
    main()
