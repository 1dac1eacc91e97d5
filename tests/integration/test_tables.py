#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The daemon's tables under hostile traffic: the rate table when it is
full, the table of answers awaiting a poll, the rate table across a
reload, and the file-descriptor limit against max_connections."""

import http.client as httpclient
import json
import os
import re
import signal
import stat
import sys
import tempfile
import threading
import unittest
import uuid

import harness
from harness import GlpiDouble, Passeur, main, wait_until


def inventory(deviceid):
    return json.dumps({"action": "inventory", "deviceid": deviceid,
                       "content": {"versionclient": "GLPI-Agent_v1.12"}}
                      ).encode()


def agent_id(name):
    return str(uuid.uuid5(uuid.NAMESPACE_DNS, name))


def contact(deviceid):
    return json.dumps({"action": "contact", "deviceid": deviceid,
                       "name": "GLPI-Agent_v1.12"}).encode()


def post_from(px, source, body, ctype="application/json", headers=None):
    """A POST from source with the agent id of body's deviceid."""
    h = {"GLPI-Agent-ID": agent_id(json.loads(body)["deviceid"])}
    h.update(headers or {})
    return harness.post_from(px, source, body, ctype, h)


class FullRateTable(unittest.TestCase):
    """A full rate table evicts the client seen least recently: new
    addresses are served, a client that keeps sending stays limited."""

    def test_new_addresses_served_when_full(self):
        with Passeur(proxy={"maxrate": 2, "maxrate_period": 3600,
                            "max_rate_clients": 16,
                            "only_local_store": "yes"}) as px:
            known = "127.0.0.1"
            codes = [post_from(px, known, inventory("known"))
                     for _ in range(3)]
            self.assertEqual(codes, [200, 200, 429])
            new, limited = [], []
            for i in range(48):
                new.append(post_from(px, "127.0.1.%d" % (i + 1),
                                     inventory("pc-%02d" % i)))
                if i % 4 == 3:
                    limited.append(post_from(px, known, inventory("known")))
            self.assertEqual(new, [200] * 48)
            self.assertEqual(limited, [429] * 12)


class ReloadKeepsRates(unittest.TestCase):
    """A SIGHUP carries the rate table to the new configuration."""

    def reload(self, px, n, keys=None):
        if keys:
            path = os.path.join(px.confdir, "proxy-server-plugin.cfg")
            with open(path, "a") as f:
                for k, v in keys.items():
                    f.write("%s = %s\n" % (k, v))
        px.proc.send_signal(signal.SIGHUP)
        self.assertTrue(wait_until(
            lambda: px.log().count("configuration reloaded") == n, 30),
            px.log())

    def test_limited_agent_still_limited_after_sighup(self):
        with Passeur(proxy={"maxrate": 2, "maxrate_period": 3600,
                            "only_local_store": "yes"}) as px:
            a, b = "127.0.4.1", "127.0.4.2"
            codes = [post_from(px, a, inventory("a")) for _ in range(3)]
            self.assertEqual(codes, [200, 200, 429])
            self.assertEqual(post_from(px, b, inventory("b")), 200)
            self.reload(px, 1)
            self.assertEqual(post_from(px, a, inventory("a")), 429)
            self.assertEqual(post_from(px, b, inventory("b")), 200)
            self.assertEqual(post_from(px, b, inventory("b")), 429)
            # New limits apply to the windows already recorded.
            self.reload(px, 2, {"max_rate_clients": 1000,
                                "maxrate_period": 1800})
            self.assertEqual(post_from(px, a, inventory("a")), 429)
            self.reload(px, 3, {"maxrate": 5})
            self.assertEqual(post_from(px, a, inventory("a")), 200)


class PendingAnswers(unittest.TestCase):
    """Answers nobody polls expire after answer_ttl and, when the table
    is full, the oldest goes before anyone is refused; an agent and an
    address have a quota."""

    def test_unpolled_answers_do_not_refuse_others(self):
        with GlpiDouble() as glpi, \
                Passeur(agent={"server": glpi.url()},
                        proxy={"max_pending_answers": 16}) as px:
            sent = [0]

            def send(source, name):
                code = post_from(px, source, contact(name))
                if code == 202:
                    sent[0] += 1
                    # Forwarded and answered before the next one.
                    self.assertTrue(wait_until(
                        lambda: len(glpi.requests()) == sent[0], 30))
                return code

            # One address sending for many agents gets a quarter of the
            # table, at least 8 (its agents are not trusted).
            codes = [send("127.0.2.1", "flood-%02d" % i) for i in range(20)]
            self.assertEqual(codes, [202] * 8 + [503] * 12)
            # Many agents from many addresses, none of which polls.
            codes = [send("127.0.3.%d" % (i + 1), "quiet-%02d" % i)
                     for i in range(40)]
            self.assertEqual(codes, [202] * 40)
            # An agent that polls still gets its answer.
            r = px.post(contact("normal"), "application/json",
                        agent_id("normal"))
            self.assertEqual(r.status, 202, r)
            reqid = r.headers["glpi-request-id"]
            final = None
            for _ in range(150):
                p = px.request("GET", "/proxy/glpi", None,
                               {"GLPI-Agent-ID": agent_id("normal"),
                                "GLPI-Request-ID": reqid})
                if p.status != 202:
                    final = p
                    break
                wait_until(lambda: False, 0.2)
            self.assertIsNotNone(final)
            self.assertEqual(final.status, 200, final)


class FileLimit(unittest.TestCase):
    """An open-file limit below max_connections: max_connections is
    lowered with a warning, and every accepted request is stored."""

    LIMIT = 256

    def limited_binary(self):
        """A wrapper that starts passeur with soft and hard RLIMIT_NOFILE
        at LIMIT (what `ulimit -n` or LimitNOFILE would leave)."""
        d = tempfile.mkdtemp(prefix="fdlimit-")
        path = os.path.join(d, "passeur")
        with open(path, "w") as f:
            f.write("#!%s\n"
                    "# SPDX-License-Identifier: GPL-3.0-or-later\n"
                    "import os, resource, sys\n"
                    "resource.setrlimit(resource.RLIMIT_NOFILE, (%d, %d))\n"
                    "os.execv(%r, [%r] + sys.argv[1:])\n"
                    % (sys.executable, self.LIMIT, self.LIMIT, harness.BIN,
                       harness.BIN))
        os.chmod(path, stat.S_IRWXU)
        self.addCleanup(lambda: (os.unlink(path), os.rmdir(d)))
        return path

    def test_connections_clamped_and_all_stored(self):
        real = harness.BIN
        harness.BIN = self.limited_binary()
        try:
            px = Passeur(proxy={"max_connections": 4096,
                                "max_connections_per_ip": 0,
                                "max_proxy_threads": 100000,
                                "workers": 2, "request_timeout": 5,
                                "only_local_store": "yes"})
            px.start()
        finally:
            harness.BIN = real
        try:
            m = re.search(r"proxy: max_connections 4096 lowered to (\d+): "
                          r"the open-file limit is %d" % self.LIMIT,
                          px.log())
            self.assertIsNotNone(m, px.log())
            clamp = int(m.group(1))
            self.assertGreater(clamp, 0)
            self.assertLess(clamp, self.LIMIT)
            # More agents at once than the limit allows descriptors, each
            # keeping its connection open after its answer (keep-alive):
            # those past the clamp wait in the backlog until idle ones
            # time out (request_timeout), and none gets 500 (EMFILE).
            n = self.LIMIT + 64
            codes = [None] * n
            release = threading.Event()

            def agent(i):
                conn = httpclient.HTTPConnection(
                    px.host, px.port, timeout=60,
                    source_address=("127.0.5.%d" % (1 + i % 250), 0))
                name = "fd-%03d" % i
                try:
                    conn.request("POST", "/proxy/glpi", inventory(name),
                                 {"Content-Type": "application/json",
                                  "GLPI-Agent-ID": agent_id(name)})
                    r = conn.getresponse()
                    r.read()
                    codes[i] = r.status
                    release.wait(120)
                except OSError as e:
                    codes[i] = repr(e)
                finally:
                    conn.close()
            threads = [threading.Thread(target=agent, args=(i,))
                       for i in range(n)]
            for t in threads:
                t.start()
            wait_until(lambda: None not in codes, 120, 0.2)
            release.set()
            for t in threads:
                t.join(60)
            self.assertEqual([c for c in codes if c != 200], [])
            self.assertEqual(len(px.files()), n)
            self.assertNotIn("Too many open files", px.log())
        finally:
            px.stop()
            px.cleanup()


if __name__ == "__main__":
    main()
