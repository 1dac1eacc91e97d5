# SPDX-License-Identifier: GPL-3.0-or-later
"""Limits: the per-address sliding window (429 + Retry-After), the
in-flight limit, slow senders, and connections per address."""

import json
import os
import socket
import threading
import time
import unittest

from harness import AGENT_ID, FIXTURES, Passeur, main, wait_until


class Limits(unittest.TestCase):
    def test_rate_limit_sliding_window(self):
        with Passeur(proxy={"maxrate": 5, "maxrate_period": 3}) as px:
            codes = [px.request("GET", "/proxy/apiversion").status
                     for _ in range(8)]
            self.assertEqual(codes, [200] * 5 + [429] * 3)
            r = px.request("GET", "/proxy/apiversion")
            self.assertEqual(r.status, 429)
            self.assertEqual(r.body, b"Too Many Requests")
            self.assertGreaterEqual(int(r.headers["retry-after"]), 1)
            self.assertLessEqual(int(r.headers["retry-after"]), 4)
            # A POST is limited too; /status is not a proxy URL.
            r = px.post(b"<?xml version='1.0'?><REQUEST/>", "application/xml")
            self.assertEqual(r.status, 429)
            self.assertEqual(px.request("GET", "/status").status, 200)
            # Hammering stops: the window slides and the client is served.
            self.assertTrue(wait_until(
                lambda: px.request("GET", "/proxy/apiversion").status == 200,
                seconds=8, step=1.0))
            self.assertIn("request rate limitation applied for remote "
                          "127.0.0.1", px.log())

    def test_forbid_not_trusted(self):
        with Passeur(agent={"httpd-trust": "10.0.0.0/8, ::1"},
                     proxy={"forbid_not_trusted": "yes"}) as px:
            r = px.request("GET", "/proxy/apiversion")
            self.assertEqual((r.status, r.body), (403, b"Forbidden"))
            r = px.post(b"x", "application/xml")
            self.assertEqual(r.status, 403)
        for trust in ("127.0.0.1", "127.0.0.0/8"):
            with Passeur(agent={"httpd-trust": trust},
                         proxy={"forbid_not_trusted": "yes"}) as px:
                self.assertTrue(px.alive())
        # A server target's address is trusted as well.
        with Passeur(agent={"server": "http://127.0.0.1:9/x"},
                     proxy={"forbid_not_trusted": "yes"}) as px:
            self.assertTrue(px.alive())

    def test_rate_limit_off(self):
        with Passeur(proxy={"maxrate": 0}) as px:
            self.assertTrue(all(px.request("GET", "/proxy/apiversion").status
                                == 200 for _ in range(100)))

    def open_slow_post(self, port, declared):
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(b"POST /proxy/glpi HTTP/1.1\r\nHost: x\r\n"
                  b"Content-Type: application/xml\r\n"
                  b"Content-Length: %d\r\n\r\n<?xml" % declared)
        return s

    def test_max_proxy_threads(self):
        # A request holds a slot from its complete body to its answer:
        # legacy XML forwards that the GLPI double holds take both.
        from harness import GlpiDouble
        with open(os.path.join(FIXTURES, "inventory_small.xml"), "rb") as f:
            body = f.read()
        with GlpiDouble() as glpi:
            glpi.behaviour(delay_ms=120000)
            # Without a spool, a legacy forward holds its request.
            with Passeur(agent={"server": glpi.url(), "spool": ""},
                         proxy={"max_proxy_threads": 2}) as px:
                for _ in range(2):
                    threading.Thread(target=lambda: px.post(
                        body, "application/xml"), daemon=True).start()
                self.assertTrue(wait_until(
                    lambda: len(glpi.requests()) == 2, 30),
                    "the two held requests never took their slots")
                r = px.post(b"x", "application/xml")
                self.assertEqual(r.status, 429)
                self.assertEqual(r.headers["retry-after"], "1")
                # apiversion does not take a slot.
                self.assertEqual(px.request("GET", "/proxy/apiversion").status,
                                 200)
                # A body still arriving does not take one either.
                s = self.open_slow_post(px.port, 1000)
                try:
                    self.assertEqual(px.post(b"x", "application/xml").status,
                                     429)
                finally:
                    s.close()

    def test_slow_sender_is_cut(self):
        with Passeur(proxy={"request_timeout": 2}) as px:
            s = self.open_slow_post(px.port, 100000)
            s.settimeout(10)
            start = time.monotonic()
            closed = False
            try:
                for _ in range(40):       # one byte every 0.25 s: a trickle
                    s.sendall(b"x")
                    time.sleep(0.25)
            except OSError:
                closed = True
            if not closed:
                try:
                    closed = s.recv(100) == b""
                except socket.timeout:
                    closed = False
                except OSError:
                    closed = True
            s.close()
            self.assertTrue(closed)
            self.assertLess(time.monotonic() - start, 10.5)
            self.assertTrue(px.alive())
            self.assertIn("not received within 2s", px.log())

    def test_idle_connection_times_out(self):
        with Passeur(proxy={"request_timeout": 1}) as px:
            s = socket.create_connection(("127.0.0.1", px.port))
            s.settimeout(5)
            start = time.monotonic()
            self.assertEqual(s.recv(10), b"")
            self.assertLess(time.monotonic() - start, 4)
            s.close()
            self.assertTrue(px.alive())

    def test_connections_per_ip(self):
        with Passeur(proxy={"max_connections_per_ip": 4}) as px:
            held = [socket.create_connection(("127.0.0.1", px.port))
                    for _ in range(4)]

            def refused():
                # Closed without an answer.  Until the listener threads
                # have accepted the four held ones, a fifth may still pass.
                with socket.create_connection(("127.0.0.1", px.port)) as s:
                    s.settimeout(5)
                    s.sendall(b"GET /proxy/apiversion HTTP/1.1\r\n"
                              b"Host: x\r\n\r\n")
                    try:
                        return s.recv(100) == b""
                    except ConnectionResetError:
                        return True
            try:
                self.assertTrue(wait_until(refused, 10, 0.2),
                                "a fifth connection from one address was "
                                "served")
            finally:
                for h in held:
                    h.close()
            self.assertTrue(wait_until(px.alive, 15))

    def test_concurrent_posts_same_device(self):
        with open(os.path.join(FIXTURES, "computer_small.json"), "rb") as f:
            body = f.read()
        bodies = [body.replace(b"passeur-test\"", b"passeur-test-%d\"" % i)
                  for i in range(4)]
        results = []
        with Passeur(proxy={"max_proxy_threads": 64}) as px:
            def worker(b):
                for _ in range(25):
                    results.append(px.post(b, "application/json",
                                           AGENT_ID).status)
            ts = [threading.Thread(target=worker, args=(b,)) for b in bodies]
            for t in ts:
                t.start()
            for t in ts:
                t.join(60)
            self.assertEqual(results, [200] * 100)
            self.assertEqual(px.files(), ["passeur-test-2026-01-01-00-00-00.json"])
            with open(os.path.join(px.store, px.files()[0]), "rb") as f:
                self.assertIn(f.read(), bodies)


if __name__ == "__main__":
    main()
