# SPDX-License-Identifier: GPL-3.0-or-later
"""The admin listener's status page (/) in headless Chromium: it loads
with no console error and nothing fetched from elsewhere, and the numbers
it shows match /metrics; the agents seen and the failures are listed,
escaped.  A screenshot is written where SCREENSHOT says, if set."""

import os
import re
import shutil
import subprocess
import tempfile
import unittest

from harness import (FIXTURES, GlpiDouble, Passeur, free_port, http, main,
                     read_file)

XML_INV = read_file(os.path.join(FIXTURES, "inventory_small.xml"))
CHROMIUM = shutil.which("chromium")


def chromium(url, *args):
    """Runs headless Chromium on url; (stdout, its log on stderr)."""
    profile = tempfile.mkdtemp(prefix="passeur-chromium-")
    try:
        p = subprocess.run(
            [CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu",
             "--user-data-dir=" + profile, "--enable-logging=stderr",
             "--v=0", "--no-first-run", "--hide-scrollbars"] + list(args)
            + [url], capture_output=True, text=True, timeout=120)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    return p.stdout, p.stderr


def page_problems(log):
    """The lines of Chromium's log about the page: console messages,
    refused or failed loads."""
    return [line for line in log.splitlines()
            if re.search(r"CONSOLE|Refused to|Uncaught|ERR_|Failed to load",
                         line)]


def cell(dom, ident):
    m = re.search(r'id="%s">([^<]*)<' % ident, dom)
    assert m is not None, (ident, dom[:2000])
    return m.group(1)


def metric(text, name, **labels):
    lab = ",".join('%s="%s"' % kv for kv in sorted(labels.items()))
    pattern = r"(?m)^%s%s (\S+)$" % (re.escape(name),
                                     re.escape("{%s}" % lab) if lab else "")
    m = re.search(pattern, text)
    return float(m.group(1)) if m else 0.0


class StatusPage(unittest.TestCase):
    def setUp(self):
        self.assertIsNotNone(CHROMIUM, "chromium is not installed "
                             "(tools/install-deps test installs it)")

    def test_page_matches_metrics(self):
        sport = free_port()
        with GlpiDouble() as glpi, \
                Passeur(agent={"status_port": sport, "spool": "",
                               "server": "http://u:pw@127.0.0.1:%d/"
                               "front/inventory.php" % glpi.port}) as px:
            # Without a spool, so that the failed forward is the agent's
            # answer (500) and the page's failure, at once.
            for _ in range(3):
                self.assertEqual(px.post(XML_INV, "application/xml").status,
                                 200)
            glpi.behaviour(fail_next=1, fail_body="<b>busy</b>")
            self.assertEqual(px.post(XML_INV, "application/xml").status, 500)
            self.assertEqual(px.post(b"", "application/xml").status, 403)
            px.wait_log(r" 403 ")
            url = "http://127.0.0.1:%d/" % sport
            dom, log = chromium(url, "--dump-dom")
            text = http("GET", sport, "/metrics").body.decode()
            self.assertEqual(page_problems(log), [], log)
            self.assertIn('<span id="health" class="ok">healthy</span>', dom)
            self.assertEqual(int(cell(dom, "stored")),
                             metric(text, "passeur_stored_total"))
            self.assertEqual(int(cell(dom, "stored")), 4)
            self.assertEqual(int(cell(dom, "bytes_in")), metric(
                text, "passeur_request_bytes_total", direction="in"))
            self.assertEqual(int(cell(dom, "requests")), 5)
            self.assertEqual(int(cell(dom, "requests")), metric(
                text, "passeur_request_duration_seconds_count"))
            # The bars of the last hour count the same requests (two
            # bars when a minute began meanwhile).
            bars = re.findall(r"(\d+) min ago: (\d+) requests, (\d+) "
                              r"deliveries", dom)
            self.assertEqual(len(bars), 60)
            self.assertEqual(sum(int(b[1]) for b in bars), 5)
            self.assertEqual(sum(int(b[2]) for b in bars), 4)
            # The agents seen, newest first, and the failure with its
            # reason, escaped; the credentials of the URL masked.
            agents = dom[dom.index('id="agents"'):dom.index('id="failures"')]
            self.assertEqual(agents.count("passeur-test-2026-01-01-00-00-00"),
                             4)
            failures = dom[dom.index('id="failures"'):]
            self.assertIn("Inventory not sent to server0 (500)", failures)
            self.assertIn("HTTP 500: &lt;b&gt;busy&lt;/b&gt;", failures)
            self.assertNotIn("<b>busy", dom)
            self.assertNotIn("pw@", dom)
            self.assertIn("http://********@127.0.0.1:%d/" % glpi.port, dom)
            shot = os.environ.get("SCREENSHOT")
            if shot:
                chromium(url, "--window-size=1100,1100",
                         "--screenshot=" + os.path.abspath(shot))

    def test_degraded_page(self):
        sport = free_port()
        with Passeur(agent={"status_port": sport}) as px:
            shutil.rmtree(px.store)
            with open(px.store, "w") as f:
                f.write("not a folder")
            r = http("GET", sport, "/")
            self.assertEqual(r.status, 200)
            self.assertEqual(r.headers["content-security-policy"],
                             "default-src 'none'; style-src 'unsafe-inline'")
            self.assertIn(b'<span id="health" class="bad">degraded</span>',
                          r.body)
            self.assertIn(b'id="reason"', r.body)
            self.assertIn(b"is not a folder", r.body)
            os.unlink(px.store)


if __name__ == "__main__":
    main()
