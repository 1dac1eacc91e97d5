# SPDX-License-Identifier: GPL-3.0-or-later
"""passeur serve forwarding to a GLPI 11 that requires OAuth client
credentials (auth_required = client_credentials): the proxy's own token,
renewed before it expires and once after a 401, a refusal reported on one
line with the inventory kept in local_store, and the agent.cfg keys shown
by -T with the secret masked."""

import os
import re
import time
import unittest

from harness import (AGENT_ID, FIXTURES, GlpiDouble, Passeur, main,
                     read_file, run_passeur)

INVENTORY = read_file(os.path.join(FIXTURES, "computer_small.json"))
ID, SECRET = "passeur-proxy", "s3cret/of+the proxy&="
FORM = "application/x-www-form-urlencoded"


class OAuthForward(unittest.TestCase):
    def forward(self, px, agent_headers=None):
        """One inventory through px; its final answer."""
        headers = {"Content-Type": "application/json",
                   "GLPI-Agent-ID": AGENT_ID}
        headers.update(agent_headers or {})
        r = px.request("POST", "/proxy/glpi", INVENTORY, headers)
        self.assertEqual(r.status, 202, r)
        final = px.poll_final(r.headers["glpi-request-id"], 30)
        self.assertIsNotNone(final, "no final answer")
        return final

    def proxy(self, glpi, secret=SECRET, **agent):
        # Without a spool: workers forward at once, and a failure is
        # answered at once (test_spool.py tests the spool).
        keys = {"server": glpi.url(), "oauth-client-id": ID,
                "oauth-client-secret": secret, "spool": ""}
        keys.update(agent)
        return Passeur(agent=keys)

    def test_valid_client_forwards_with_its_own_token(self):
        with GlpiDouble(args=["--oauth", ID + ":" + SECRET]) as glpi, \
                self.proxy(glpi) as px:
            # The agent's Authorization is for the proxy, not for GLPI.
            for _ in range(2):
                final = self.forward(px, {"Authorization": "Bearer agents"})
                self.assertEqual(final.json(), {"expiration": 24,
                                                "status": "ok"})
            tokens = glpi.tokens()
            self.assertEqual(tokens, [{
                "path": "/api.php/token", "content_type": FORM,
                "status": 200,
                "body": {"grant_type": "client_credentials",
                         "client_id": ID, "client_secret": SECRET,
                         "scope": "inventory"}}])
            recs = glpi.requests()
            self.assertEqual([r["status"] for r in recs], [200, 200])
            auth = {r["headers"]["authorization"] for r in recs}
            self.assertEqual(len(auth), 1)
            self.assertRegex(auth.pop(), r"^Bearer [0-9a-f]{40}$")
            self.assertNotIn(SECRET, px.log())

    def test_each_server_its_own_token(self):
        with GlpiDouble(args=["--oauth", ID + ":" + SECRET]) as one, \
                GlpiDouble(args=["--oauth", ID + ":" + SECRET]) as two, \
                Passeur(agent={"server": "%s,%s" % (
                    one.url(), two.url("/glpi/Inventory")),
                    "oauth-client-id": ID,
                    "oauth-client-secret": SECRET}) as px:
            for _ in range(2):
                self.assertEqual(self.forward(px).json()["status"], "ok")
            self.assertEqual([t["path"] for t in one.tokens()],
                             ["/api.php/token"])
            self.assertEqual([t["path"] for t in two.tokens()],
                             ["/glpi/api.php/token"])
            auth = {r["headers"]["authorization"]
                    for r in one.requests() + two.requests()}
            self.assertEqual(len(auth), 2)
            self.assertEqual([r["status"] for r in one.requests() +
                              two.requests()], [200] * 4)

    def test_one_token_for_the_pool(self):
        # Workers forwarding at once wait for the one token being asked.
        with GlpiDouble(args=["--oauth", ID + ":" + SECRET]) as glpi, \
                self.proxy(glpi) as px:
            glpi.behaviour(delay_ms=300)
            ids = []
            for _ in range(8):
                r = px.request("POST", "/proxy/glpi", INVENTORY,
                               {"Content-Type": "application/json",
                                "GLPI-Agent-ID": AGENT_ID})
                self.assertEqual(r.status, 202, r)
                ids.append(r.headers["glpi-request-id"])
            for reqid in ids:
                final = px.poll_final(reqid, 30)
                self.assertEqual(final.json()["status"], "ok", final)
            self.assertEqual(len(glpi.tokens()), 1)
            self.assertEqual([r["status"] for r in glpi.requests()],
                             [200] * 8)

    def test_token_renewed_before_it_expires(self):
        with GlpiDouble(args=["--oauth", ID + ":" + SECRET]) as glpi, \
                self.proxy(glpi) as px:
            glpi.behaviour(token_lifetime=2)
            self.forward(px)
            # Past its lifetime: a token sent now would be refused.
            time.sleep(2.2)
            final = self.forward(px)
            self.assertEqual(final.json()["status"], "ok")
            self.assertEqual([t["status"] for t in glpi.tokens()],
                             [200, 200])
            recs = glpi.requests()
            self.assertEqual([r["status"] for r in recs], [200, 200])
            self.assertNotEqual(recs[0]["headers"]["authorization"],
                                recs[1]["headers"]["authorization"])

    def test_revoked_token_renewed_once_after_401(self):
        with GlpiDouble(args=["--oauth", ID + ":" + SECRET]) as glpi, \
                self.proxy(glpi) as px:
            self.forward(px)
            glpi.behaviour(revoke_tokens=1)
            final = self.forward(px)
            self.assertEqual(final.json()["status"], "ok")
            self.assertEqual([r["status"] for r in glpi.requests()],
                             [200, 401, 200])
            self.assertEqual(len(glpi.tokens()), 2)

    def test_wrong_secret_is_one_line_and_kept(self):
        with GlpiDouble(args=["--oauth", ID + ":" + SECRET]) as glpi, \
                self.proxy(glpi, secret="guess") as px:
            final = self.forward(px)
            self.assertEqual(final.json()["message"],
                             "server0 forward failure")
            lines = [l for l in px.log().splitlines() if "failed" in l]
            self.assertEqual(len(lines), 1, px.log())
            self.assertRegex(lines[0], re.escape(
                "to server0 (%s) failed: no OAuth token: %s: HTTP 401: "
                "invalid_client" % (glpi.url(), glpi.url("/api.php/token"))))
            self.assertNotIn("guess", px.log())
            self.assertEqual(glpi.requests(), [])
            self.assertEqual(px.files(),
                             ["passeur-test-2026-01-01-00-00-00.json"])

    def test_401_on_the_inventory_is_kept_in_local_store(self):
        # A client without the inventory scope gets a token GLPI refuses.
        with GlpiDouble(args=["--oauth", ID + ":" + SECRET]) as glpi, \
                self.proxy(glpi) as px:
            glpi.behaviour(oauth_scopes="api")
            final = self.forward(px)
            self.assertEqual(final.json()["message"],
                             "server0 forward failure")
            # Refused, renewed once, refused again: then given up.
            self.assertEqual([r["status"] for r in glpi.requests()],
                             [401, 401])
            lines = [l for l in px.log().splitlines() if "failed" in l]
            self.assertEqual(len(lines), 1, px.log())
            self.assertIn("failed: HTTP 401: ", lines[0])
            self.assertIn("Access denied. Agent must authenticate using "
                          "client credentials", lines[0])
            self.assertEqual(px.files(),
                             ["passeur-test-2026-01-01-00-00-00.json"])


class OAuthConfig(unittest.TestCase):
    def conf(self, keys, secret_mode=None):
        px = Passeur(agent=dict({"server": "http://127.0.0.1:9/"}, **keys))
        self.addCleanup(px.cleanup)
        if secret_mode is not None:
            path = os.path.join(px.confdir, "oauth.secret")
            with open(path, "w") as f:
                f.write(SECRET + "\n")
            os.chmod(path, secret_mode)
        return px

    def serve(self, px, flag):
        return run_passeur(["serve", flag, "-c", px.confdir,
                            "--vardir", px.vardir])

    def test_dump_masks_the_secret(self):
        px = self.conf({"oauth-client-id": ID,
                        "oauth-client-secret-file": "oauth.secret"}, 0o600)
        r = self.serve(px, "-T")
        out = r.stdout.decode()
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("oauth-client-id = %s\n" % ID, out)
        self.assertIn("oauth-client-secret = ********\n", out)
        self.assertIn("oauth-client-secret-file = %s\n" %
                      os.path.join(px.confdir, "oauth.secret"), out)
        self.assertNotIn(SECRET, out + r.stderr.decode())

    def test_secret_file_open_to_others_refused(self):
        px = self.conf({"oauth-client-id": ID,
                        "oauth-client-secret-file": "oauth.secret"}, 0o644)
        r = self.serve(px, "-n")
        err = r.stderr.decode()
        self.assertNotEqual(r.returncode, 0)
        self.assertRegex(err, r"agent\.cfg:\d+: oauth-client-secret-file: "
                         r".*oauth\.secret: mode 0644 lets others read it")
        self.assertNotIn(SECRET, err + r.stdout.decode())

    def test_half_a_client_refused(self):
        r = self.serve(self.conf({"oauth-client-id": ID}), "-n")
        self.assertNotEqual(r.returncode, 0)
        self.assertRegex(r.stderr.decode(), r"agent\.cfg:\d+: "
                         r"oauth-client-id is set without oauth-client-secret")
        r = self.serve(self.conf({"oauth-client-secret": "x",
                                  "oauth-client-id": ID,
                                  "oauth-client-secret-file": "f"}), "-n")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("oauth-client-secret is set too", r.stderr.decode())


if __name__ == "__main__":
    main()
