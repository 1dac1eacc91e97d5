# SPDX-License-Identifier: GPL-3.0-or-later
"""The GLPI REST API double answers as GLPI 10's code does
(shared/spec/glpi-10.md section 3, glpi-11.md section 2): the order of
the checks, the status codes and error bodies, rights by profile, paging
headers, and the entities a session keeps from its start."""

import http.client as httpclient
import socket
import unittest

from harness import main
from restdouble import APP_TOKEN, RO_TOKEN, SA_TOKEN, RestDouble

API = "/apirest.php"


class RestDoubleTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.api = RestDouble().__enter__()

    @classmethod
    def tearDownClass(cls):
        cls.api.__exit__(None, None, None)

    def setUp(self):
        self.api.reset()

    def session(self, token=SA_TOKEN, prefix=API):
        r = self.api.api("GET", prefix + "/initSession", headers={
            "App-Token": APP_TOKEN, "Authorization": "user_token " + token})
        self.assertEqual(r.status, 200, r)
        return r.json()["session_token"]

    def call(self, method, path, session, body=None, prefix=API):
        return self.api.api(method, prefix + "/" + path, body, {
            "App-Token": APP_TOKEN, "Session-Token": session})

    def assertError(self, r, status, code, message=None):
        self.assertEqual(r.status, status, r)
        body = r.json()
        self.assertIsInstance(body, list)
        self.assertEqual(body[0], code, r)
        if message is not None:
            self.assertTrue(body[1].startswith(message), r)

    # -- the order of the checks -----------------------------------------
    def test_api_disabled_comes_first(self):
        self.api.config(enable_api=0, client_ipv4=["10.0.0.1", "10.0.0.9"])
        r = self.api.api("GET", API + "/initSession", headers={
            "App-Token": "wrong"})
        self.assertError(r, 400, "ERROR", "API disabled")
        self.assertEqual(r.json()[1], "API disabled")

    def test_ip_range_before_app_token(self):
        self.api.config(client_ipv4=["10.0.0.1", "10.0.0.9"])
        r = self.api.api("GET", API + "/initSession", headers={
            "App-Token": "wrong", "Authorization": "user_token " + SA_TOKEN})
        self.assertError(r, 400, "ERROR_NOT_ALLOWED_IP")
        self.api.config(client_ipv4=["127.0.0.1", "127.0.0.1"])
        self.session()
        self.api.config(client_ipv4=None, client_active=0)
        r = self.api.api("GET", API + "/initSession", headers={
            "App-Token": APP_TOKEN})
        self.assertError(r, 400, "ERROR_NOT_ALLOWED_IP")

    def test_app_token_before_session(self):
        r = self.api.api("GET", API + "/Computer", headers={
            "Session-Token": "nope"})
        self.assertError(r, 400, "ERROR_APP_TOKEN_PARAMETERS_MISSING")
        r = self.api.api("GET", API + "/Computer", headers={
            "App-Token": "wrong", "Session-Token": "nope"})
        self.assertError(r, 400, "ERROR_WRONG_APP_TOKEN_PARAMETER",
                         "parameter app_token seems wrong; view "
                         "documentation in your browser at ")

    def test_session_token(self):
        r = self.api.api("GET", API + "/Computer", headers={
            "App-Token": APP_TOKEN})
        self.assertError(r, 400, "ERROR_SESSION_TOKEN_MISSING")
        r = self.call("GET", "Computer", "unknown")
        self.assertError(r, 401, "ERROR_SESSION_TOKEN_INVALID",
                         "session_token seems invalid")
        s = self.session()
        self.assertEqual(self.call("GET", "killSession", s).status, 200)
        self.assertError(self.call("GET", "Computer", s), 401,
                         "ERROR_SESSION_TOKEN_INVALID")

    def test_init_session_user_token(self):
        r = self.api.api("GET", API + "/initSession", headers={
            "App-Token": APP_TOKEN})
        self.assertError(r, 400, "ERROR_LOGIN_PARAMETERS_MISSING")
        # GLPI reads only "Authorization: user_token T".
        r = self.api.api("GET", API + "/initSession", headers={
            "App-Token": APP_TOKEN, "User-Token": SA_TOKEN})
        self.assertError(r, 400, "ERROR_LOGIN_PARAMETERS_MISSING")
        r = self.api.api("GET", API + "/initSession", headers={
            "App-Token": APP_TOKEN, "Authorization": "user_token bad"})
        self.assertError(r, 401, "ERROR_GLPI_LOGIN_USER_TOKEN",
                         "parameter user_token seems invalid")

    def test_glpi_11_prefix_and_other_paths(self):
        s = self.session(prefix="/api.php/v1")
        r = self.call("GET", "getActiveProfile", s, prefix="/api.php/v1")
        self.assertEqual(r.json()["active_profile"]["name"], "Super-Admin")
        r = self.api.api("GET", "/front/central.php")
        self.assertEqual(r.status, 404)
        self.assertTrue(r.body.startswith(b"<!DOCTYPE HTML"), r)

    # -- profiles and rights ----------------------------------------------
    def test_read_only_reads_and_cannot_write(self):
        self.api.seed(3)
        s = self.session(RO_TOKEN)
        r = self.call("GET", "getActiveProfile", s)
        self.assertEqual(r.json()["active_profile"]["name"], "Read-Only")
        self.assertEqual(len(self.call("GET", "Computer", s).json()), 3)
        self.assertEqual(self.call("GET", "Computer/1", s).json()["name"],
                         "pc-00001")
        perm = "You don't have permission to perform this action."
        self.assertError(self.call("POST", "Computer", s, {"input": {
            "name": "x"}}), 400, "ERROR_GLPI_ADD", perm)
        self.assertError(self.call("PUT", "Computer/1", s, {"input": {
            "name": "x"}}), 400, "ERROR_GLPI_UPDATE", perm)
        self.assertError(self.call("DELETE", "Computer/1", s), 400,
                         "ERROR_GLPI_DELETE", perm)
        self.assertEqual(len(self.api.state()["computers"]), 3)
        self.assertEqual(self.api.state()["computers"][0]["name"],
                         "pc-00001")

    def test_super_admin_writes(self):
        s = self.session()
        r = self.call("POST", "Computer", s, {"input": {"name": "a"}})
        self.assertEqual(r.status, 201, r)
        cid = r.json()["id"]
        self.assertEqual(r.json(), {"id": cid, "message": ""})
        self.assertTrue(r.headers["location"].endswith("/Computer/%d" %
                                                        cid))
        r = self.call("PUT", "Computer/%d" % cid, s, {"input": {
            "serial": "S9"}})
        self.assertEqual((r.status, r.json()), (200, [{str(cid): True,
                                                       "message": ""}]))
        self.assertError(self.call("PUT", "Computer/%d" % cid, s, {}), 400,
                         "ERROR_BAD_ARRAY")
        r = self.call("DELETE", "Computer/%d" % cid, s)
        self.assertEqual((r.status, r.json()), (200, [{str(cid): True,
                                                       "message": ""}]))
        self.assertEqual(self.api.state()["computers"][0]["is_deleted"], 1)
        r = self.call("DELETE", "Computer/%d?force_purge=true" % cid, s)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.api.state()["computers"], [])
        self.assertError(self.call("GET", "Computer/%d" % cid, s), 404,
                         "ERROR_ITEM_NOT_FOUND")
        self.assertError(self.call("DELETE", "Computer/%d" % cid, s), 400,
                         "ERROR_GLPI_DELETE", "Item not found")

    def test_new_entity_invisible_until_refreshed(self):
        s = self.session()
        r = self.call("POST", "Entity", s, {"input": {"name": "Lyon"}})
        eid = r.json()["id"]
        perm = "You don't have permission to perform this action."
        self.assertError(self.call("POST", "Computer", s, {"input": {
            "name": "pc", "entities_id": eid}}), 400, "ERROR_GLPI_ADD",
            perm)
        self.assertError(self.call("DELETE", "Entity/%d" % eid, s), 400,
                         "ERROR_GLPI_DELETE", perm)
        r = self.call("POST", "changeActiveEntities", s, {
            "entities_id": 0, "is_recursive": True})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.call("POST", "Computer", s, {"input": {
            "name": "pc", "entities_id": eid}}).status, 201)
        # A new session sees it too.
        s2 = self.session()
        self.assertEqual(self.call("GET", "Entity/%d" % eid, s2).status, 200)

    # -- paging and search --------------------------------------------------
    def test_paging_headers(self):
        self.api.seed(25)
        s = self.session()
        r = self.call("GET", "Computer", s)
        self.assertEqual(r.status, 206)
        self.assertEqual(len(r.json()), 20)
        self.assertEqual(r.headers["content-range"], "0-19/25")
        self.assertEqual(r.headers["accept-range"], "Computer 1000")
        r = self.call("GET", "Computer?range=20-29", s)
        self.assertEqual((r.status, r.headers["content-range"]),
                         (206, "20-24/25"))
        r = self.call("GET", "Computer?range=0-99", s)
        self.assertEqual((r.status, r.headers["content-range"]),
                         (200, "0-24/25"))
        self.assertError(self.call("GET", "Computer?range=30-39", s), 400,
                         "ERROR_RANGE_EXCEED_TOTAL")

    def test_empty_list_has_no_content_range(self):
        s = self.session()
        r = self.call("GET", "Computer", s)
        self.assertEqual((r.status, r.json()), (200, []))
        self.assertNotIn("content-range", r.headers)

    def test_search_by_name(self):
        self.api.seed(3)
        s = self.session()
        r = self.call("GET", "search/Computer?criteria[0][field]=1&"
                      "criteria[0][searchtype]=equals&criteria[0][value]="
                      "pc-00002&forcedisplay[0]=2", s)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["totalcount"], 1)
        self.assertEqual(r.json()["data"], [{"1": "pc-00002", "2": 2}])

    # -- what a broken server does -------------------------------------------
    def test_html_and_truncated_answers(self):
        self.api.config(html_next=1)
        r = self.api.api("GET", API + "/initSession")
        self.assertEqual(r.status, 502)
        self.assertEqual(r.headers["content-type"], "text/html")
        self.session()
        self.api.config(truncate_next=1)
        conn = httpclient.HTTPConnection("127.0.0.1", self.api.port,
                                         timeout=10)
        try:
            conn.request("GET", API + "/initSession", headers={
                "App-Token": APP_TOKEN,
                "Authorization": "user_token " + SA_TOKEN})
            resp = conn.getresponse()
            with self.assertRaises((httpclient.IncompleteRead,
                                    socket.error)):
                resp.read()
        finally:
            conn.close()

    def test_invalidate_next(self):
        s = self.session()
        self.api.config(invalidate_next=1)
        self.assertError(self.call("GET", "Computer", s), 401,
                         "ERROR_SESSION_TOKEN_INVALID")
        s = self.session()
        self.assertEqual(self.call("GET", "Computer", s).status, 200)


if __name__ == "__main__":
    main()
