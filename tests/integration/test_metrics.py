# SPDX-License-Identifier: GPL-3.0-or-later
"""The admin listener of passeur serve: off by default, /metrics in the
Prometheus text format (checked with prometheus_client's parser) whose
counts follow the requests made, /health, /status.json, status_trust,
TLS, and a reload that moves it."""

import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import unittest
import uuid
import zlib

try:
    from prometheus_client.parser import text_string_to_metric_families
except ImportError:
    # Debian's python3-prometheus-client is in dist-packages, which a
    # Python installed elsewhere (pyenv, a venv) does not search.
    sys.path.append("/usr/lib/python3/dist-packages")
    from prometheus_client.parser import text_string_to_metric_families

from certs import make_certs
from harness import (BIN, FIXTURES, GlpiDouble, Passeur, free_port, http,
                     main, read_file, wait_until, write_cfg)

XML_INV = read_file(os.path.join(FIXTURES, "inventory_small.xml"))
CERTS = None


def setUpModule():
    global CERTS
    d = tempfile.mkdtemp(prefix="passeur-metrics-certs-")
    CERTS = make_certs(d)
    CERTS["dir"] = d


def tearDownModule():
    shutil.rmtree(CERTS["dir"], ignore_errors=True)


def admin(extra=None, **kw):
    """A Passeur with its admin listener on a free port (px.sport)."""
    sport = free_port()
    agent = {"status_port": sport}
    agent.update(extra or {})
    px = Passeur(agent=agent, **kw)
    px.sport = sport
    return px


def scrape(px, path="/metrics", context=None):
    return http("GET", px.sport, path, context=context)


def samples(px):
    """{(name, sorted label items): value} of one scrape, parsed by the
    Prometheus client's parser (which raises on a malformed line)."""
    r = scrape(px)
    assert r.status == 200, r
    assert r.headers["content-type"].startswith("text/plain; version=0.0.4")
    out = {}
    for fam in text_string_to_metric_families(r.body.decode()):
        for s in fam.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def value(smp, name, **labels):
    return smp.get((name, tuple(sorted(labels.items()))), 0)


def check(px):
    p = subprocess.run([BIN, "serve", "-n", "-c", px.confdir, "--vardir",
                        px.vardir], capture_output=True, timeout=30)
    return p.returncode, (p.stdout + p.stderr).decode()


class Metrics(unittest.TestCase):
    def test_off_by_default(self):
        with Passeur() as px:
            p = subprocess.run([BIN, "serve", "-T", "-c", px.confdir,
                                "--vardir", px.vardir], capture_output=True,
                               timeout=30)
            self.assertIn(b"status_port = 0\n", p.stdout)
            self.assertNotIn("admin listener", px.log())
            # The agents' port does not serve the metrics.
            self.assertNotEqual(px.request("GET", "/metrics").status, 200)

    def test_counts_follow_requests(self):
        with admin() as px:
            before = samples(px)
            families = {k[0] for k in before}
            for name in ("passeur_build_info", "passeur_inflight_requests",
                         "passeur_request_duration_seconds_count",
                         "passeur_request_bytes_total",
                         "passeur_stored_total", "passeur_store_errors_total",
                         "passeur_rate_limited_total", "passeur_healthy",
                         "process_cpu_seconds_total",
                         "process_resident_memory_bytes", "process_open_fds",
                         "process_start_time_seconds"):
                self.assertIn(name, families)
            self.assertEqual(value(before, "passeur_healthy"), 1)
            self.assertEqual(value(before, "passeur_stored_total"), 0)
            self.assertGreater(value(before, "process_resident_memory_bytes"),
                               1 << 20)

            self.assertEqual(px.post(XML_INV, "application/xml").status, 200)
            self.assertEqual(px.post(b"", "application/xml").status, 403)
            self.assertEqual(px.request("GET", "/proxy/apiversion").status,
                             200)
            px.wait_log(r"apiversion 200")
            after = samples(px)
            self.assertEqual(value(after, "passeur_requests_total",
                                   instance="proxy", action="inventory",
                                   status="200"), 1)
            self.assertEqual(value(after, "passeur_requests_total",
                                   instance="proxy", action="-",
                                   status="403"), 1)
            self.assertEqual(value(after, "passeur_requests_total",
                                   instance="proxy", action="apiversion",
                                   status="200"), 1)
            self.assertEqual(value(after, "passeur_stored_total"), 1)
            self.assertEqual(value(after, "passeur_request_bytes_total",
                                   direction="in"), len(XML_INV))
            self.assertEqual(value(
                after, "passeur_request_duration_seconds_count"), 3)
            self.assertEqual(value(
                after, "passeur_request_duration_seconds_bucket", le="+Inf"),
                3)
            self.assertEqual(value(after, "passeur_inflight_requests"), 0)

    def test_rate_limited(self):
        with admin(proxy={"maxrate": 1, "maxrate_period": 3600}) as px:
            self.assertEqual(px.post(XML_INV, "application/xml").status, 200)
            self.assertEqual(px.post(XML_INV, "application/xml").status, 429)
            px.wait_log(r" 429 ")
            smp = samples(px)
            self.assertEqual(value(smp, "passeur_rate_limited_total"), 1)
            self.assertEqual(value(smp, "passeur_requests_total",
                                   instance="proxy", action="-",
                                   status="429"), 1)

    def test_deliveries_per_upstream(self):
        # Without a spool, the legacy answer follows the delivery.
        with GlpiDouble() as glpi, \
                admin({"server": glpi.url(), "spool": ""}) as px:
            self.assertEqual(px.post(XML_INV, "application/xml").status, 200)
            smp = samples(px)
            up = glpi.url()
            self.assertEqual(value(smp, "passeur_deliveries_total",
                                   upstream=up, result="ok"), 1)
            self.assertEqual(value(smp, "passeur_upstream_up", upstream=up),
                             1)
            glpi.behaviour(fail_next=1)
            self.assertEqual(px.post(XML_INV, "application/xml").status, 500)
            smp = samples(px)
            self.assertEqual(value(smp, "passeur_deliveries_total",
                                   upstream=up, result="failed"), 1)
            self.assertEqual(value(smp, "passeur_upstream_up", upstream=up),
                             0)
            self.assertEqual(value(
                smp, "passeur_upstream_duration_seconds_count",
                upstream=up), 2)

    def test_credentials_not_in_labels(self):
        port = free_port()
        with admin({"server": "http://glpi:s3cret@127.0.0.1:%d/" % port,
                    "timeout": 5, "spool": ""}) as px:
            px.post(XML_INV, "application/xml")
            r = scrape(px)
            self.assertNotIn(b"s3cret", r.body)
            self.assertIn(('passeur_upstream_up{upstream="http://127.0.0.1:'
                           '%d/"} 0' % port).encode(), r.body)

    def test_health(self):
        with admin() as px:
            r = scrape(px, "/health")
            self.assertEqual((r.status, r.body), (200, b"ok\n"))
            # The store folder replaced by a file: nothing can be kept.
            os.rmdir(px.store)
            with open(px.store, "w") as f:
                f.write("not a folder")
            r = scrape(px, "/health")
            self.assertEqual(r.status, 503, r)
            self.assertIn(b"local_store", r.body)
            self.assertIn(b"is not a folder", r.body)
            # What an agent sends meanwhile is refused, and counted.
            self.assertEqual(px.post(XML_INV, "application/xml").status, 500)
            px.wait_log(r"inventory 500")
            smp = samples(px)
            self.assertEqual(value(smp, "passeur_healthy"), 0)
            self.assertEqual(value(smp, "passeur_store_errors_total"), 1)
            j = scrape(px, "/status.json").json()
            self.assertFalse(j["healthy"])
            self.assertIn("not a folder", j["reason"])
            os.unlink(px.store)
            os.mkdir(px.store)
            self.assertEqual(scrape(px, "/health").status, 200)

    def test_status_json(self):
        with admin() as px:
            px.post(XML_INV, "application/xml")
            px.wait_log(r"inventory 200")
            j = scrape(px, "/status.json").json()
            self.assertTrue(j["healthy"])
            self.assertEqual(j["requests"], 1)
            self.assertEqual(j["stored"], 1)
            self.assertEqual(j["instances"][0]["name"], "proxy")
            self.assertEqual(j["instances"][0]["port"], px.port)

    def test_trust_and_methods(self):
        with admin({"status_trust": "10.0.0.0/8"}) as px:
            r = scrape(px)
            self.assertEqual(r.status, 403, r)
            self.assertNotIn(b"passeur_", r.body)
        with admin() as px:
            self.assertEqual(http("POST", px.sport, "/metrics", b"x").status,
                             405)
            self.assertEqual(scrape(px, "/nothing").status, 404)

    def test_tls(self):
        keys = {"disabled": "no", "ports": "0",
                "ssl_cert_file": CERTS["server.pem"],
                "ssl_key_file": CERTS["server.key"]}
        px = admin({"status_tls": "yes"})
        write_cfg(os.path.join(px.confdir, "ssl-server-plugin.cfg"), keys)
        with px:
            ctx = ssl.create_default_context(cafile=CERTS["ca.pem"])
            r = scrape(px, "/health", context=ctx)
            self.assertEqual((r.status, r.body), (200, b"ok\n"))
            with self.assertRaises(Exception):
                scrape(px, "/health")    # plain HTTP is not answered

    def test_config_errors(self):
        px = Passeur()
        try:
            write_cfg(os.path.join(px.confdir, "agent.cfg"), {
                "httpd-ip": "127.0.0.1", "httpd-port": px.port,
                "status_port": px.port})
            code, out = check(px)
            self.assertEqual(code, 1, out)
            self.assertIn("status_port: %d is the port of proxy" % px.port,
                          out)
            write_cfg(os.path.join(px.confdir, "agent.cfg"), {
                "httpd-ip": "127.0.0.1", "httpd-port": px.port,
                "status_port": px.port, "status_ip": "0.0.0.0"})
            code, out = check(px)
            self.assertEqual(code, 1, out)
            self.assertIn("status_port: %d is the port of proxy" % px.port,
                          out)
            write_cfg(os.path.join(px.confdir, "agent.cfg"), {
                "status_port": free_port(), "status_tls": "yes",
                "status_ip": "localhost", "status_trust": "nowhere"})
            code, out = check(px)
            self.assertEqual(code, 1, out)
            self.assertIn("status_tls: TLS needs the certificate", out)
            self.assertIn('status_ip: "localhost" is not an IPv4', out)
            self.assertIn('status_trust: "nowhere" is not an address', out)
        finally:
            px.cleanup()

    def test_reload_moves_listener(self):
        with admin() as px:
            self.assertEqual(scrape(px, "/health").status, 200)
            # The same settings: the same listener keeps answering.
            px.proc.send_signal(signal.SIGHUP)
            px.wait_log(r"configuration reloaded")
            self.assertEqual(scrape(px, "/health").status, 200)
            old = px.sport
            px.sport = free_port()
            write_cfg(os.path.join(px.confdir, "agent.cfg"), {
                "httpd-ip": "127.0.0.1", "httpd-port": px.port,
                "logger": "stderr", "status_port": px.sport})
            px.proc.send_signal(signal.SIGHUP)
            self.assertTrue(wait_until(
                lambda: scrape(px, "/health").status == 200, 10), px.log())
            with self.assertRaises(OSError):
                http("GET", old, "/health")
            # Turned off by a reload.
            write_cfg(os.path.join(px.confdir, "agent.cfg"), {
                "httpd-ip": "127.0.0.1", "httpd-port": px.port,
                "logger": "stderr"})
            px.proc.send_signal(signal.SIGHUP)
            px.wait_log(r"admin listener stopped")
            with self.assertRaises(OSError):
                scrape(px, "/health")
            self.assertTrue(px.alive())

    def test_reload_to_a_busy_port_keeps_the_listener(self):
        with admin() as px, socket.socket() as busy:
            busy.bind(("127.0.0.1", 0))
            busy.listen(1)
            write_cfg(os.path.join(px.confdir, "agent.cfg"), {
                "httpd-ip": "127.0.0.1", "httpd-port": px.port,
                "logger": "stderr", "status_port": busy.getsockname()[1]})
            px.proc.send_signal(signal.SIGHUP)
            px.wait_log(r"the previous one serves on")
            self.assertEqual(scrape(px, "/health").status, 200)
            self.assertTrue(px.alive())

    def test_ipv6(self):
        sport = free_port("::1")
        with Passeur(agent={"status_port": sport,
                            "status_ip": "::1"}) as px:
            r = http("GET", sport, "/health", host="::1")
            self.assertEqual((r.status, r.body), (200, b"ok\n"))


def status(px, *args):
    """passeur status on px's configuration: (exit status, stdout, stderr)."""
    p = subprocess.run([BIN, "status", "-c", px.confdir] + list(args),
                       capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout, p.stderr


class Status(unittest.TestCase):
    def test_healthy_table_and_json(self):
        with admin() as px:
            self.assertEqual(px.post(XML_INV, "application/xml").status, 200)
            px.wait_log(r"inventory 200")
            code, out, err = status(px)
            self.assertEqual(code, 0, err)
            self.assertRegex(out, r"(?m)^health +ok$")
            self.assertRegex(out, r"(?m)^requests +1, 2xx 1$")
            self.assertRegex(out, r"(?m)^local_store +1 stored, 0 store "
                             r"errors$")
            code, out, err = status(px, "--json")
            self.assertEqual(code, 0, err)
            j = json.loads(out)
            smp = samples(px)
            self.assertEqual(j["stored"], value(smp, "passeur_stored_total"))
            self.assertEqual(j["bytes_in"], value(
                smp, "passeur_request_bytes_total", direction="in"))

    def test_degraded(self):
        # Without a spool, the legacy answer follows the delivery.
        with GlpiDouble() as glpi, \
                admin({"server": glpi.url(), "spool": ""}) as px:
            glpi.behaviour(fail_next=1)
            self.assertEqual(px.post(XML_INV, "application/xml").status, 500)
            code, out, err = status(px)
            self.assertEqual(code, 1, out + err)
            self.assertRegex(out, r"(?m)^upstream +%s DOWN, 0 delivered, "
                             r"1 failed$" % re.escape(glpi.url()))
            self.assertRegex(out, r"(?m)^ +last error: HTTP 500: .*busy "
                             r"server")
            self.assertRegex(out, r"(?m)^health +ok$")
            # Delivered again: up.
            self.assertEqual(px.post(XML_INV, "application/xml").status, 200)
            self.assertEqual(status(px)[0], 0)
            shutil.rmtree(px.store)
            with open(px.store, "w") as f:
                f.write("not a folder")
            code, out, err = status(px, "--json")
            self.assertEqual(code, 1, out + err)
            self.assertFalse(json.loads(out)["healthy"])
            os.unlink(px.store)

    def test_unreachable(self):
        px = admin()
        try:
            code, out, err = status(px)
            self.assertEqual(code, 2, out + err)
            self.assertIn("unreachable", err)
            write_cfg(os.path.join(px.confdir, "agent.cfg"), {})
            code, out, err = status(px)
            self.assertEqual(code, 2, out + err)
            self.assertIn("status_port is 0", err)
        finally:
            px.cleanup()
        with admin({"status_trust": "10.0.0.0/8"}) as px:
            code, out, err = status(px)
            self.assertEqual(code, 2, out + err)
            self.assertIn("answered 403", err)

    def test_tls(self):
        keys = {"disabled": "no", "ports": "0",
                "ssl_cert_file": CERTS["server.pem"],
                "ssl_key_file": CERTS["server.key"]}
        px = admin({"status_tls": "yes"})
        write_cfg(os.path.join(px.confdir, "ssl-server-plugin.cfg"), keys)
        with px:
            code, out, err = status(px)
            self.assertEqual(code, 0, out + err)
            self.assertRegex(out, r"(?m)^proxy +port %d \(TLS\)" % px.port)


def spool_inventory(device):
    """A partial JSON inventory (never coalesced) of about 10 kB once
    compressed: random text does not shrink."""
    return zlib.compress(json.dumps({
        "action": "inventory", "deviceid": device, "itemtype": "Computer",
        "partial": True, "content": {"versionclient": "GLPI-Agent_v1.12",
                                     "hardware": {"uuid": os.urandom(
                                         5000).hex()}}}).encode())


class Spool(unittest.TestCase):
    def test_queue_gauges_health_and_status(self):
        with GlpiDouble() as glpi, \
                admin({"server": glpi.url(), "spool_retry_min": 1,
                       "spool_retry_max": 2, "timeout": 3,
                       "spool_max_size": "64k"}) as px:
            sdir = os.path.join(px.vardir, "spool")
            up = glpi.url()
            glpi.behaviour(fail_match="versionclient", fail_status=503)
            acked = 0
            for i in range(3):
                r = px.post(spool_inventory("dev-%d" % i),
                            "application/x-compress-zlib",
                            str(uuid.uuid4()))
                self.assertEqual(r.status, 202, r)
                acked += 1
            self.assertTrue(wait_until(lambda: value(
                samples(px), "passeur_delivery_retries_total") >= 3, 20),
                px.log())
            smp = samples(px)
            bodies = [n for n in os.listdir(sdir) if n.endswith(".body")]
            self.assertEqual(value(smp, "passeur_spool_items"), 3)
            self.assertEqual(value(smp, "passeur_spool_bytes"), sum(
                os.path.getsize(os.path.join(sdir, n)) for n in bodies))
            self.assertGreater(value(smp, "passeur_spool_oldest_age_seconds"),
                               0)
            self.assertGreaterEqual(value(smp, "passeur_deliveries_total",
                                          upstream=up, result="failed"), 3)
            self.assertEqual(value(smp, "passeur_upstream_up", upstream=up),
                             0)
            self.assertEqual(scrape(px, "/health").status, 200)
            page = scrape(px, "/").body.decode()
            self.assertIn('<td id="spool_items">3</td>', page)
            j = scrape(px, "/status.json").json()
            self.assertEqual(j["spool"]["items"], 3)
            code, out, err = status(px)
            self.assertRegex(out, r"(?m)^spool +3 waiting \([0-9.]+ KiB\), "
                             r"oldest \d+ s, \d+ retries$")
            # Filled up to spool_max_size: new inventories are refused,
            # and /health says why.
            for i in range(3, 12):
                r = px.post(spool_inventory("dev-%d" % i),
                            "application/x-compress-zlib",
                            str(uuid.uuid4()))
                if r.status != 202:
                    break
                acked += 1
            self.assertEqual(r.status, 503, r)
            r = scrape(px, "/health")
            self.assertEqual(r.status, 503, r)
            self.assertRegex(r.body, rb"spool .*: full \(\d+ bytes waiting, "
                             rb"spool_max_size 65536\)")
            self.assertEqual(value(samples(px), "passeur_healthy"), 0)
            code, out, err = status(px)
            self.assertEqual(code, 1, out + err)
            # The upstream back: the queue drains, and health returns.
            glpi.behaviour(fail_match="")
            self.assertTrue(wait_until(lambda: value(
                samples(px), "passeur_spool_items") == 0, 30), px.log())
            smp = samples(px)
            self.assertEqual(value(smp, "passeur_spool_bytes"), 0)
            self.assertEqual(value(smp, "passeur_spool_oldest_age_seconds"),
                             0)
            self.assertEqual(value(smp, "passeur_deliveries_total",
                                   upstream=up, result="ok"), acked)
            self.assertEqual(value(smp, "passeur_upstream_up", upstream=up),
                             1)
            self.assertEqual(scrape(px, "/health").status, 200)
            # The folder replaced under the daemon: nothing can be kept.
            os.rename(sdir, sdir + ".aside")
            with open(sdir, "w") as f:
                f.write("not a folder")
            r = scrape(px, "/health")
            self.assertEqual(r.status, 503, r)
            self.assertIn(b"spool %s: not a folder" % sdir.encode(), r.body)
            os.unlink(sdir)
            os.rename(sdir + ".aside", sdir)
            self.assertEqual(scrape(px, "/health").status, 200)

    def test_no_spool_no_spool_families(self):
        with admin({"spool": ""}) as px:
            r = scrape(px)
            self.assertNotIn(b"passeur_spool_items", r.body)
            self.assertNotIn("spool", scrape(px, "/status.json").json())


if __name__ == "__main__":
    main()
