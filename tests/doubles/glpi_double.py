#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Test double of a GLPI 10 server's inventory endpoint (loopback tests only).

Any request whose path is not under /_double/ is treated like a request to
GLPI's inventory endpoint and is recorded. The body is decompressed according
to its Content-Type, and the answer uses the same compression. Every answer
says "Connection: close" and the connection is then closed, as GLPI does.

With --tls-cert and --tls-key it serves HTTPS (control API included); with
--tls-client-ca too, the TLS handshake also requires a client certificate
signed by that CA, so a client without one is never served nor recorded.

With --oauth ID:SECRET it also plays GLPI 11 with the inventory setting
auth_required = client_credentials (spec/glpi-11.md sections 1 and 3):
POST <any path>/api.php/token, form-encoded (a JSON object is read too)
grant_type=client_credentials&client_id=ID&client_secret=SECRET&scope=...
is answered 200 {"token_type":"Bearer","expires_in":L,"access_token":T}, T
new at each grant, valid L seconds (token_lifetime, 3600 by default) and
carrying the requested scopes the client has (oauth_scopes, "inventory" by
default; the others are left out, as GLPI does). A wrong id or secret gets
401 {"error":"invalid_client"}; another grant type 400
{"error":"unauthorized_client"}; no parameters 400 {"error":"invalid_request"}.
Token requests are listed at /_double/tokens, not among the inventory
requests. An inventory request without a valid, unexpired "Authorization:
Bearer T" is answered 401 (compressed like the request)
{"status":"error","message":"Authorization header required to send an
inventory","expiration":24}, with a token lacking the scope "inventory" 401
'Access denied. Agent must authenticate using client credentials and have
the "inventory" OAuth scope'; those requests are recorded with status 401.

Control API (JSON):
  GET  /_double/health      {"ok":true}
  GET  /_double/requests    every recorded inventory request, in order
  GET  /_double/tokens      every OAuth token request (--oauth), in order:
                            {"path","content_type","body" (the parameters
                            as an object, or null),"status"}
  POST /_double/reset       forget records (token requests too), behaviours
                            and pending answers
  POST /_double/behaviour   {"fail_next":N,"fail_status":500,"fail_body":"..."}
                            {"pending_next":N} {"delay_ms":N} {"close_next":N}
                            {"fail_match":"text","fail_status":500,"fail_body":"..."}
                            {"fail_retry_after":N or "HTTP date"}
                            {"redirect_to":"URL","redirect_status":307}
                            {"token_lifetime":N} {"oauth_scopes":"a b"}
                            {"revoke_tokens":1}
  fail_match: every inventory request whose (inflated) body contains the text
  gets the failure answer, as fail_next gives it (by default 500 with
  {"status":"error","message":"busy server"}), for as long as it is set; the
  others are answered as usual. It depends only on each request's body, so it
  is deterministic with parallel senders. "" or a reset turns it off. Setting
  fail_next or fail_match also sets fail_status and fail_body (defaults when
  absent), for both. fail_retry_after N > 0 adds "Retry-After: N" to the
  failure answers (as GLPI's web server may with 429 or 503), a string
  (an HTTP date) is sent as it is; 0, "" or a reset turns it off.
  redirect_to: every inventory request (recorded) is answered
  redirect_status (301, 302, 303, 307 or 308; 307 by default) with
  "Location: URL" and a short text body, for as long as it is set; ""
  or a reset turns it off. fail_body may hold any text, newlines and
  control characters included (it is sent as text/plain unless it is
  JSON), to see what a client makes of a hostile answer.
  token_lifetime: the lifetime in seconds (>= 1) of the tokens granted from
  now on. oauth_scopes: the scopes the OAuth client has, space-separated.
  revoke_tokens: every token granted so far is refused from now on (as
  after a change of GLPI's key); it is an action, not a setting.
"""

import argparse
import base64
import gzip
import hashlib
import json
import os
import re
import secrets
import signal
import socket
import ssl
import sys
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit
from xml.etree import ElementTree

GLPI_VERSION = "10.0.18"
EXPIRATION = 24
CONTROL = "/_double/"

XML_HEAD = '<?xml version="1.0" encoding="UTF-8" ?>\n'
PROLOG_XML = (XML_HEAD + "<REPLY>\n  <PROLOG_FREQ>24</PROLOG_FREQ>\n"
              "  <RESPONSE>SEND</RESPONSE>\n</REPLY>\n").encode()
INVENTORY_XML = (XML_HEAD + "<REPLY>\n  <RESPONSE>SEND</RESPONSE>\n</REPLY>\n").encode()

# Request Content-Type (lower-case, without parameters) -> compression.
COMPRESSION_BY_TYPE = {
    "application/x-zlib": "zlib", "application/x-compress-zlib": "zlib",
    "application/x-gzip": "gzip", "application/x-compress-gzip": "gzip",
    "application/x-deflate": "deflate", "application/x-compress-deflate": "deflate",
    "application/x-br": "br", "application/x-compress-br": "br",
}


def raw_deflate(data):
    packer = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return packer.compress(data) + packer.flush()


# Compression -> (decompress, compress, reply Content-Type).
CODECS = {
    "zlib": (zlib.decompress, zlib.compress, "application/x-compress-zlib"),
    "gzip": (gzip.decompress, gzip.compress, "application/x-compress-gzip"),
    "deflate": (lambda data: zlib.decompress(data, -zlib.MAX_WBITS),
                raw_deflate, "application/x-compress-deflate"),
}
ECHOED_HEADERS = ("GLPI-Agent-ID", "GLPI-Request-ID", "GLPI-Proxy-ID", "Accept")

SUPPORTED_TASKS = ("inventory", "netdiscovery", "netinventory")
INVENTORY_ACTIONS = ("inventory", "netdiscovery", "netinventory", "injector")
ACCEPTED_ACTIONS = INVENTORY_ACTIONS + ("get_params",)
ITEMTYPES = ("Unmanaged", "Computer", "Phone", "NetworkEquipment", "Printer")
REQUEST_ID = re.compile(r"^[0-9A-F]{8}$")


def compact(obj):
    return json.dumps(obj, separators=(",", ":")).encode()


def as_json(status, obj, extra=None):
    """An answer tuple (status, body, Content-Type, extra headers) in JSON."""
    return status, compact(obj), "application/json", extra


def json_error(message):
    return {"status": "error", "message": message, "expiration": EXPIRATION}


def xml_error(message):
    node = ElementTree.Element("ERROR")
    node.text = message
    inner = ElementTree.tostring(node, encoding="unicode")
    return (XML_HEAD + "<REPLY>\n  " + inner + "\n</REPLY>\n").encode()


class Refused(Exception):
    """A request GLPI refuses; `xml` selects the XML form of the error."""

    def __init__(self, message, status=400, xml=False):
        super().__init__(message)
        self.status = status
        self.xml = xml


# ---- GLPI behaviour on a decompressed body ----------------------------------

def content_mode(kind, body):
    """JSON or XML: by Content-Type when it says so, else by the first byte."""
    if kind in ("application/json", "application/xml"):
        return kind[len("application/"):]
    start = body.lstrip()[:1]
    if start == b"{":
        return "json"
    if start == b"<":
        return "xml"
    raise Refused("cannot guess content format: neither JSON nor XML")


def answer_xml(body, agent_id):
    """Legacy XML: (status, payload, Content-Type)."""
    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError as exc:
        raise Refused("malformed XML: %s" % exc, xml=True)
    query = (root.findtext("QUERY") or "").strip() if root.tag == "REQUEST" else ""
    if query not in ("PROLOG", "INVENTORY"):
        raise Refused("Query '%s' is not supported" % query, xml=True)
    if not (root.findtext("DEVICEID") or "").strip():
        raise Refused("%s query without DEVICEID" % query, xml=True)
    if query == "INVENTORY":
        return 200, INVENTORY_XML, "application/xml"
    if agent_id:
        # An agent sending its id learns here that the server speaks JSON.
        answer = compact({"expiration": EXPIRATION, "status": "ok"})
        return 200, answer, "application/json"
    return 200, PROLOG_XML, "application/xml"


def answer_json(body):
    """GLPI JSON protocol: (status, answer object)."""
    try:
        data = json.loads(body.decode("utf-8"))
    except ValueError as exc:  # UnicodeDecodeError is a ValueError too
        raise Refused("malformed JSON: %s" % exc)
    if not isinstance(data, dict):
        raise Refused("JSON content must be an object")
    action = data.get("action", "inventory")
    if action == "contact":
        return 200, contact(data)
    if action not in ACCEPTED_ACTIONS:
        # register, configuration, esx, collect, deploy, wakeonlan, unknown.
        raise Refused("Query '%s' is not supported" % action, 501)
    if action in INVENTORY_ACTIONS:
        check_inventory(data)
    return 200, {"expiration": EXPIRATION, "status": "ok"}


def contact(data):
    tasks = data.get("enabled-tasks", [])
    if not isinstance(tasks, list) or not all(isinstance(t, str) for t in tasks):
        raise Refused("JSON does not validate: enabled-tasks must list task names")
    answer = {"status": "ok", "expiration": EXPIRATION, "tasks": {}}
    disabled = []
    for task in tasks:
        if task in SUPPORTED_TASKS:
            answer["tasks"][task] = {"server": "glpi", "version": GLPI_VERSION}
        else:
            disabled.append(task)
    if disabled:
        answer["disabled"] = disabled
        answer["message"] = ";".join("%s task not supported" % t for t in disabled)
    return answer


def check_inventory(data):
    """The part of GLPI's inventory JSON schema that matters to the tests."""
    if not isinstance(data.get("deviceid"), str):
        raise Refused("JSON does not validate: deviceid is required")
    content = data.get("content")
    if not isinstance(content, dict):
        raise Refused("JSON does not validate: content must be an object")
    if not isinstance(content.get("versionclient"), str):
        raise Refused("JSON does not validate: content.versionclient is required")
    if "itemtype" in data and data["itemtype"] not in ITEMTYPES:
        raise Refused("JSON does not validate: unknown itemtype")


# ---- shared state -------------------------------------------------------------

class State:
    """Recorded requests and test-controlled behaviour, shared by all threads."""
    NUMBERS = ("fail_next", "pending_next", "delay_ms", "close_next",
               "token_lifetime", "revoke_tokens")  # settable
    TEXTS = ("fail_body", "fail_match", "redirect_to", "oauth_scopes")
    REDIRECTS = (301, 302, 303, 307, 308)

    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        self.records = []
        self.fail_next = self.pending_next = self.delay_ms = self.close_next = 0
        self.fail_retry_after = 0
        self.fail_status = 500
        self.fail_body = None
        self.fail_match = ""
        self.redirect_to = ""
        self.redirect_status = 307
        self.tokens = []  # OAuth token requests (--oauth)
        self.granted = {}  # access token -> (monotonic expiry, scopes)
        self.token_lifetime = 3600
        self.oauth_scopes = "inventory"
        self.revoke_tokens = 0
        self.pending = {}  # request id -> (GLPI-Agent-ID, final answer object)

    def matches_failure(self, inflated):
        """True if the fail_match behaviour applies to this body."""
        with self.lock:
            needle = self.fail_match
        return bool(needle) and inflated is not None and \
            needle.encode("utf-8") in inflated

    def take(self, counter):
        """Uses up one unit of a 'next N' behaviour; True if one was left."""
        with self.lock:
            left = getattr(self, counter)
            setattr(self, counter, max(left - 1, 0))
            return left > 0

    def configure(self, settings):
        if not isinstance(settings, dict):
            raise ValueError("behaviour must be a JSON object")
        unknown = set(settings) - set(self.NUMBERS) - set(self.TEXTS) - \
            {"fail_status", "fail_retry_after", "redirect_status"}
        if unknown:
            raise ValueError("unknown behaviour: " + ", ".join(sorted(unknown)))
        for key in self.NUMBERS + ("fail_status",):
            value = settings.get(key, 0)
            if type(value) is not int or value < 0:
                raise ValueError(key + " must be a non-negative integer")
        for key in self.TEXTS:
            if not isinstance(settings.get(key, ""), str):
                raise ValueError(key + " must be a string")
        if settings.get("token_lifetime", 1) < 1:
            raise ValueError("token_lifetime must be at least 1")
        if settings.get("redirect_status", 307) not in self.REDIRECTS:
            raise ValueError("redirect_status must be one of %s" %
                             ", ".join(map(str, self.REDIRECTS)))
        retry = settings.get("fail_retry_after", 0)
        if not (type(retry) is int and retry >= 0) and not isinstance(retry, str):
            raise ValueError("fail_retry_after must be a non-negative integer "
                             "or a string")
        with self.lock:
            if "fail_next" in settings or "fail_match" in settings:
                # Each failure series starts from the default status and body.
                self.fail_status = settings.get("fail_status", 500)
                self.fail_body = settings.get("fail_body")
            for key, value in settings.items():
                setattr(self, key, value)
            if self.revoke_tokens:
                self.granted = {}
                self.revoke_tokens = 0


# ---- HTTP ---------------------------------------------------------------------

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 60

    def version_string(self):
        return "glpi-double/1.0"

    def log_message(self, fmt, *args):
        sys.stderr.write("%s - %s\n" % (self.client_address[0], fmt % args))

    def setup(self):
        # The TLS handshake runs here, in the connection's own thread.
        if self.server.tls_context is not None:
            self.request.settimeout(self.timeout)
            self.request = self.server.tls_context.wrap_socket(
                self.request, server_side=True)
        super().setup()

    def reply(self, status, body, content_type, extra=None, glpi=True):
        """Sends one answer and closes; `glpi` adds GLPI's own headers."""
        extra = extra or {}
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if glpi:
            self.send_header("Cache-Control", "no-cache,no-store")
            self.send_header("Pragma", "no-cache")
            for name in ECHOED_HEADERS:
                if name in self.headers and name not in extra:
                    self.send_header(name, self.headers[name])
        for name, value in extra.items():
            self.send_header(name, value)
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()

    def reply_json(self, status, obj, glpi=True):
        self.reply(status, compact(obj), "application/json", glpi=glpi)

    def dispatch(self):
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        if url.path.startswith(CONTROL):
            self.control(url.path[len(CONTROL):], body)
        elif not self.authorized():
            # Apache in front of GLPI with Basic authentication.
            self.reply(401, b"Unauthorized", "text/plain",
                       {"WWW-Authenticate": 'Basic realm="GLPI"'}, False)
        elif self.server.oauth is not None and self.command == "POST" and \
                url.path.endswith("/api.php/token"):
            self.oauth_token(url, body)
        else:
            self.inventory(url, body)

    def authorized(self):
        expected = self.server.basic_auth
        if expected is None:
            return True
        given = self.headers.get("Authorization", "")
        return given == "Basic " + base64.b64encode(expected.encode()).decode()

    def bearer_refusal(self):
        """None when the request may go on, else GLPI 11's 401 message."""
        if self.server.oauth is None:
            return None
        given = self.headers.get("Authorization", "")
        state = self.server.state
        with state.lock:
            grant = state.granted.get(given[len("Bearer "):]) \
                if given.startswith("Bearer ") else None
        if grant is None or grant[0] <= time.monotonic():
            return "Authorization header required to send an inventory"
        if "inventory" not in grant[1]:
            return ("Access denied. Agent must authenticate using client "
                    "credentials and have the \"inventory\" OAuth scope")
        return None

    def oauth_token(self, url, body):
        """GLPI's OAuth client-credentials grant (spec/glpi-11.md 3)."""
        client_id, secret = self.server.oauth
        kind = (self.headers.get("Content-Type") or "").split(";")[0].strip()
        try:
            if kind == "application/json":
                grant = json.loads(body.decode("utf-8"))
            else:
                grant = {k: v[-1] for k, v in
                         parse_qs(body.decode("utf-8"),
                                  strict_parsing=True).items()}
        except ValueError:
            grant = None
        state = self.server.state
        if not isinstance(grant, dict) or not grant:
            status, answer = 400, {"error": "invalid_request"}
        elif grant.get("client_id") != client_id or \
                grant.get("client_secret") != secret:
            status, answer = 401, {"error": "invalid_client"}
        elif grant.get("grant_type") != "client_credentials":
            status, answer = 400, {"error": "unauthorized_client"}
        else:
            asked = str(grant.get("scope", "")).split()
            with state.lock:
                has = state.oauth_scopes.split()
                lifetime = state.token_lifetime
                token = secrets.token_hex(20)
                state.granted[token] = (time.monotonic() + lifetime,
                                        [s for s in asked if s in has])
            status, answer = 200, {"token_type": "Bearer",
                                   "expires_in": lifetime,
                                   "access_token": token}
        with state.lock:
            state.tokens.append({"path": url.path, "content_type": kind,
                                 "body": grant, "status": status})
        self.reply_json(status, answer, glpi=False)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = dispatch

    # ---- control API ----------------------------------------------------------

    def control(self, name, body):
        state = self.server.state
        routes = {"health": "GET", "requests": "GET", "tokens": "GET",
                  "reset": "POST", "behaviour": "POST"}
        if name not in routes:
            return self.reply_json(404, {"ok": False, "error": "unknown control"}, False)
        if self.command != routes[name]:
            return self.reply_json(405, {"ok": False, "error": "use " + routes[name]},
                                   False)
        if name in ("requests", "tokens"):
            with state.lock:
                listing = compact(state.records if name == "requests"
                                  else state.tokens)
            return self.reply(200, listing, "application/json", glpi=False)
        try:
            if name == "reset":
                with state.lock:
                    state.reset()
            elif name == "behaviour":
                state.configure(json.loads(body.decode("utf-8")))
        except ValueError as exc:
            return self.reply_json(400, {"ok": False, "error": str(exc)}, False)
        self.reply_json(200, {"ok": True}, False)

    # ---- inventory endpoint ---------------------------------------------------

    def inventory(self, url, body):
        state = self.server.state
        raw_type = self.headers.get("Content-Type")
        headers = {}
        for name, value in self.headers.items():
            key = name.lower()
            headers[key] = headers[key] + ", " + value if key in headers else value
        record = {
            "method": self.command, "path": url.path, "query": url.query,
            "headers": headers, "content_type": raw_type,
            "body_len": len(body), "body_sha256": hashlib.sha256(body).hexdigest(),
            "compression": None, "inflated_sha256": None, "inflated_len": None,
            "inflated_b64": None, "status": None, "peer": self.client_address[0],
        }
        with state.lock:
            state.records.append(record)

        kind = (raw_type or "").split(";")[0].strip().lower()
        compression = COMPRESSION_BY_TYPE.get(kind, "none")
        inflated = None
        if self.command == "POST" and compression != "br":
            try:
                inflated = CODECS[compression][0](body) if compression in CODECS else body
            except (zlib.error, OSError, EOFError):
                pass  # answered 400 below
            else:
                record.update(compression=compression, inflated_len=len(inflated),
                              inflated_sha256=hashlib.sha256(inflated).hexdigest(),
                              inflated_b64=base64.b64encode(inflated).decode())

        # The token is judged as the request arrives, before any delay.
        refusal = self.bearer_refusal()
        if state.delay_ms:
            time.sleep(state.delay_ms / 1000.0)
        if state.take("close_next"):
            record["status"] = 0  # closed without any answer
            self.close_connection = True
            return
        status, payload, reply_type, extra = self.answer(compression, kind,
                                                         inflated, refusal)
        record["status"] = status
        self.reply(status, payload, reply_type, extra)

    def answer(self, compression, kind, inflated, refusal):
        """(status, body, Content-Type, extra headers) for one inventory request."""
        state = self.server.state
        if refusal is not None:
            payload, reply_type = compact(json_error(refusal)), "application/json"
            if compression in CODECS:
                payload, reply_type = (CODECS[compression][1](payload),
                                       CODECS[compression][2])
            return 401, payload, reply_type, None
        with state.lock:
            redirect = state.redirect_to, state.redirect_status
        if redirect[0]:
            return (redirect[1], b"Moved to " + redirect[0].encode() + b"\n",
                    "text/plain; charset=utf-8", {"Location": redirect[0]})
        if state.take("fail_next") or state.matches_failure(inflated):
            return self.injected_failure()
        if self.command == "GET":
            return self.answer_get()
        if self.command != "POST":
            return as_json(405, json_error("Method not allowed"), {"Allow": "GET, POST"})
        if compression == "br":
            return as_json(400, json_error(
                "brotli (application/x-br) is not supported by this test double:"
                " the Python standard library has no brotli codec"))
        if inflated is None:
            # Answered uncompressed: the client's compression is evidently broken.
            return as_json(400, json_error("cannot uncompress the %s body" % compression))
        try:
            if content_mode(kind, inflated) == "json":
                status, obj = answer_json(inflated)
                if state.take("pending_next"):
                    return self.pending(obj)
                payload, reply_type = compact(obj), "application/json"
            else:
                status, payload, reply_type = answer_xml(
                    inflated, self.headers.get("GLPI-Agent-ID"))
        except Refused as exc:
            status = exc.status
            if exc.xml:
                payload, reply_type = xml_error(str(exc)), "application/xml"
            else:
                payload, reply_type = compact(json_error(str(exc))), "application/json"
        if compression in CODECS:
            payload, reply_type = CODECS[compression][1](payload), CODECS[compression][2]
        return status, payload, reply_type, None

    def injected_failure(self):
        """Never compressed; JSON unless the test gave a body that is not JSON."""
        state = self.server.state
        with state.lock:
            status, text = state.fail_status, state.fail_body
            retry = state.fail_retry_after
        extra = {"Retry-After": str(retry)} if retry else None
        if text is None:
            return as_json(status, {"status": "error", "message": "busy server",
                                    "expiration": 1}, extra)
        try:
            json.loads(text)
            kind = "application/json"
        except ValueError:
            kind = "text/plain; charset=utf-8"
        return status, text.encode(), kind, extra

    def pending(self, final_answer):
        """Answers 202 like a forwarding proxy and keeps the final answer."""
        state = self.server.state
        with state.lock:
            request_id = secrets.token_hex(4).upper()
            while request_id in state.pending:
                request_id = secrets.token_hex(4).upper()
            state.pending[request_id] = (self.headers.get("GLPI-Agent-ID"), final_answer)
        return as_json(202, {"expiration": "1s", "status": "pending"},
                       {"GLPI-Request-ID": request_id})

    def answer_get(self):
        request_id = self.headers.get("GLPI-Request-ID", "")
        if REQUEST_ID.match(request_id):
            # Status poll, as on a proxy: each final answer is given only once.
            state = self.server.state
            with state.lock:
                entry = state.pending.get(request_id)
                if entry is None or entry[0] != self.headers.get("GLPI-Agent-ID"):
                    return 404, b"Unknown status", "text/plain; charset=utf-8", None
                del state.pending[request_id]
            return as_json(200, entry[1])
        if parse_qs(urlsplit(self.path).query).get("action") == ["getConfig"]:
            return as_json(400, json_error("Protocol not supported"))
        return as_json(405, json_error("Method not allowed"), {"Allow": "POST"})


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64

    def __init__(self, host, port, tls_context):
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.tls_context = tls_context
        self.basic_auth = None
        self.oauth = None  # (client id, secret) with --oauth
        self.state = State()
        super().__init__((host, port), Handler)

    def handle_error(self, request, client_address):
        # Clients that hang up or fail the TLS handshake are not server errors.
        if isinstance(sys.exc_info()[1], (OSError, ssl.SSLError)):
            return
        super().handle_error(request, client_address)


def write_ready_file(path, port):
    temp = "%s.%d.tmp" % (path, os.getpid())
    with open(temp, "w") as f:
        f.write("%d\n" % port)
    os.replace(temp, path)


def main():
    parser = argparse.ArgumentParser(description="GLPI 10 inventory server test double")
    parser.add_argument("--port", type=int, required=True, help="0 picks a free port")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--tls-cert", help="PEM certificate: serve HTTPS")
    parser.add_argument("--tls-key", help="PEM private key of --tls-cert")
    parser.add_argument("--tls-client-ca",
                        help="PEM CA: require a client certificate it signed")
    parser.add_argument("--ready-file", help="receives the port once listening")
    parser.add_argument("--basic-auth", metavar="USER:PASSWORD",
                        help="answer 401 to requests without these credentials")
    parser.add_argument("--oauth", metavar="ID:SECRET",
                        help="serve api.php/token for these client credentials"
                        " and answer 401 to inventories without a token")
    args = parser.parse_args()
    if bool(args.tls_cert) != bool(args.tls_key):
        parser.error("--tls-cert and --tls-key go together")
    if args.tls_client_ca and not args.tls_cert:
        parser.error("--tls-client-ca needs --tls-cert and --tls-key")
    if args.oauth is not None and ":" not in args.oauth:
        parser.error("--oauth takes ID:SECRET")

    context = None
    if args.tls_cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.tls_cert, args.tls_key)
        if args.tls_client_ca:
            # The handshake fails without a certificate signed by this CA.
            context.load_verify_locations(cafile=args.tls_client_ca)
            context.verify_mode = ssl.CERT_REQUIRED
    server = Server(args.host, args.port, context)
    server.basic_auth = args.basic_auth
    if args.oauth is not None:
        server.oauth = tuple(args.oauth.split(":", 1))
    port = server.server_address[1]

    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    if args.ready_file:
        write_ready_file(args.ready_file, port)
    shown = "[%s]" % args.host if ":" in args.host else args.host
    print("listening on %s:%d" % (shown, port), flush=True)

    while not stop.wait(0.5):
        pass
    server.shutdown()
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
