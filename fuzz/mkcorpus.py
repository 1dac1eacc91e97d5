#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes the hand-made seeds of fuzz/corpus/<target>/.

Seeds are real messages and configuration lines, plus the odd cases the
protocol and the file format name.  Run from anywhere; existing files of
the same name are replaced, other files (inputs kept from fuzzing runs)
are left alone.  gzip streams carry mtime 0 so that the output is the
same on every run.
"""
import gzip
import json
import os
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
MAIN = os.path.dirname(HERE)
INVENTORIES = os.path.join(MAIN, "tests", "fixtures", "inventories")


def read(path):
    with open(path, "rb") as f:
        return f.read()


def put(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def gz(data):
    return gzip.compress(data, mtime=0)


# --- messages -------------------------------------------------------------

CONTACT = json.dumps({
    "action": "contact", "deviceid": "pc1-2024-01-01-00-00-00",
    "name": "GLPI-Agent", "version": "1.12",
    "installed-tasks": ["inventory", "deploy"],
    "enabled-tasks": ["inventory"], "httpd-port": "62354",
    "httpd-plugins": {"proxy": "disabled"}, "tag": "paris"}).encode()
INVENTORY = read(os.path.join(MAIN, "tests/fixtures/computer_small.json"))
PARTIAL = read(os.path.join(INVENTORIES, "json/computer_1_partial_softs.json"))
COMPUTER2 = read(os.path.join(INVENTORIES, "json/computer_2.json"))
PRINTER = read(os.path.join(INVENTORIES, "json/printer_1.json"))
PHONE = read(os.path.join(INVENTORIES, "json/phone_1.json"))
PROLOG = read(os.path.join(MAIN, "tests/fixtures/prolog_small.xml"))
PROLOG2 = read(os.path.join(INVENTORIES, "xml/prolog.xml"))
XMLINV = read(os.path.join(MAIN, "tests/fixtures/inventory_small.xml"))


def jmsg(**kw):
    return json.dumps(kw).encode()


def xmsg(query, deviceid, extra=""):
    return ('<?xml version="1.0" encoding="UTF-8" ?>\n<REQUEST>\n'
            f"  <DEVICEID>{deviceid}</DEVICEID>\n  <QUERY>{query}</QUERY>\n"
            f"{extra}</REQUEST>\n").encode()


# --- xmlsniff ---------------------------------------------------------------

def xmlsniff_seeds():
    s = {
        "prolog": PROLOG,
        "prolog-shared": PROLOG2,
        "inventory": XMLINV,
        "inventory-content-after-query": xmsg(
            "INVENTORY", "pc2", "  <CONTENT><HARDWARE><NAME>x</NAME>"
            "</HARDWARE></CONTENT>\n"),
        "deviceid-entity": xmsg("PROLOG", "a&amp;b&#x41;&lt;"),
        "deviceid-cdata": xmsg("PROLOG", "<![CDATA[pc<1>]]>"),
        "deviceid-300-chars": xmsg("INVENTORY", "d" * 300),
        "deviceid-255-chars": xmsg("INVENTORY", "d" * 255),
        "query-too-long": xmsg("Q" * 40, "pc1"),
        "query-31-chars": xmsg("Q" * 31, "pc1"),
        "query-twice": xmsg("PROLOG", "pc1", "  <QUERY>INVENTORY</QUERY>\n"),
        "deviceid-nested-deeper": (
            b"<?xml version='1.0'?><REQUEST><CONTENT><DEVICEID>no"
            b"</DEVICEID></CONTENT><QUERY>PROLOG</QUERY></REQUEST>"),
        "wrong-root": b"<?xml version='1.0'?><REPLY><QUERY>PROLOG</QUERY>"
                      b"<DEVICEID>pc</DEVICEID></REPLY>",
        "not-well-formed": b"<?xml version='1.0'?><REQUEST><QUERY>PROLOG"
                           b"</REQUEST>",
        "trailing-garbage": PROLOG + b"<REQUEST/>",
        "no-declaration": b"<REQUEST><QUERY>PROLOG</QUERY>"
                          b"<DEVICEID>pc</DEVICEID></REQUEST>",
        "declaration-on-second-line": b"\n<?xml version='1.0'?>\n<REQUEST>"
                                      b"<QUERY>PROLOG</QUERY></REQUEST>",
        "blank-before-declaration": b"  <?xml version='1.0'?><REQUEST/>",
        "bom-utf8": b"\xef\xbb\xbf" + PROLOG,
        "utf16": "<?xml version='1.0' encoding='UTF-16'?><REQUEST><QUERY>"
                 "PROLOG</QUERY><DEVICEID>pc</DEVICEID></REQUEST>"
                 .encode("utf-16"),
        "latin1": "<?xml version='1.0' encoding='ISO-8859-1'?><REQUEST>"
                  "<DEVICEID>t\u00e9l\u00e9phone</DEVICEID><QUERY>PROLOG"
                  "</QUERY></REQUEST>".encode("latin-1"),
        "doctype-entities": b"<?xml version='1.0'?><!DOCTYPE REQUEST ["
                            b"<!ENTITY a 'aaaaaaaaaa'><!ENTITY b '&a;&a;&a;"
                            b"&a;&a;'>]><REQUEST><DEVICEID>&b;&b;</DEVICEID>"
                            b"<QUERY>PROLOG</QUERY></REQUEST>",
        "comments-and-pi": b"<?xml version='1.0'?><!-- c --><REQUEST><?pi x?>"
                           b"<QUERY><!-- q -->PRO<!-- -->LOG</QUERY>"
                           b"<DEVICEID>pc</DEVICEID></REQUEST>",
        "namespace-prefix": b"<?xml version='1.0'?><x:REQUEST xmlns:x='u'>"
                            b"<x:QUERY>PROLOG</x:QUERY></x:REQUEST>",
        "attributes": b"<?xml version='1.0'?><REQUEST a='1'><QUERY b='2'>"
                      b"PROLOG</QUERY><DEVICEID c='3'/></REQUEST>",
        "empty": b"",
        "declaration-only": b"<?xml",
    }
    for name, data in s.items():
        put("xmlsniff", name, data)


# --- decode ---------------------------------------------------------------

# Index of the Content-Type in fuzz_decode.c's table.
D_XC, D_ZLIB, D_GZIP, D_JSON, D_XML, D_TEXT, D_ZLIB_MIXED, D_GZIP_UPPER, \
    D_XC_MIXED, D_ZLIB_PARAM, D_GZIP_BLANK, D_BR, D_ZLIBX, D_JSON_PARAM, \
    D_XML_PARAM, D_EMPTY = range(16)


def decode_seeds():
    bomb = zlib.compress(b"\0" * (2 * 1024 * 1024), 9)
    s = {
        "zlib-contact": (D_ZLIB, zlib.compress(CONTACT)),
        "zlib-inventory": (D_ZLIB, zlib.compress(INVENTORY, 9)),
        "zlib-xml-inventory": (D_ZLIB, zlib.compress(XMLINV)),
        "zlib-level1-header": (D_ZLIB, zlib.compress(INVENTORY, 1)),
        "zlib-mixed-case-type": (D_ZLIB_MIXED, zlib.compress(PROLOG)),
        "zlib-type-with-charset": (D_ZLIB_PARAM, zlib.compress(CONTACT)),
        "zlib-truncated": (D_ZLIB, zlib.compress(INVENTORY)[:-9]),
        "zlib-bad-checksum": (D_ZLIB, zlib.compress(CONTACT)[:-1] + b"\0"),
        "zlib-trailing-bytes": (D_ZLIB, zlib.compress(CONTACT) + b"junk"),
        "zlib-bomb-2mib": (D_ZLIB, bomb),
        "zlib-with-preset-dict-flag": (D_ZLIB, b"\x78\xbb" + b"\0" * 8),
        "x-compress-zlib": (D_XC, zlib.compress(CONTACT)),
        "x-compress-plain-json": (D_XC, CONTACT),
        "x-compress-plain-xml": (D_XC_MIXED, PROLOG),
        "x-compress-other-text": (D_XC, b"hello"),
        "zlib-type-plain-json": (D_ZLIB, CONTACT),
        "gzip-inventory": (D_GZIP, gz(INVENTORY)),
        "gzip-prolog-upper-type": (D_GZIP_UPPER, gz(PROLOG)),
        "gzip-type-blank-semicolon": (D_GZIP_BLANK, gz(CONTACT)),
        "gzip-type-zlib-body": (D_GZIP, zlib.compress(CONTACT)),
        "gzip-type-plain-body": (D_GZIP, CONTACT),
        "gzip-truncated": (D_GZIP, gz(INVENTORY)[:-5]),
        "gzip-two-members": (D_GZIP, gz(b'{"a":') + gz(b"1}")),
        "gzip-empty-body": (D_GZIP, b""),
        "br-type-zlib-body": (D_BR, zlib.compress(CONTACT)),
        "zlibx-type": (D_ZLIBX, zlib.compress(CONTACT)),
        "json-plain": (D_JSON, INVENTORY),
        "json-with-charset": (D_JSON_PARAM, CONTACT),
        "xml-plain": (D_XML, PROLOG),
        "xml-with-charset": (D_XML_PARAM, XMLINV),
        "text-plain-zlib": (D_TEXT, zlib.compress(CONTACT)),
        "empty-type": (D_EMPTY, zlib.compress(CONTACT)),
    }
    for name, (ct, body) in s.items():
        put("decode", name, bytes([ct]) + body)


# --- pipeline -------------------------------------------------------------

POST, GET, OTHER = range(3)
# Index of the Content-Type in fuzz_pipeline.c's table.
C_JSON, C_ZLIB, C_GZIP, C_XC, C_XML, C_XML_CHARSET, C_JSON_MIXED, \
    C_ZLIB_UPPER, C_TEXT, C_JSON_CHARSET, C_EMPTY, C_NONE = range(12)
# GLPI-Agent-ID choices, and the flag bits sharing their byte.
A_NONE, A_LOWER, A_UPPER, A_BAD, A_EMPTY, A_SHORT, A_BADSEP, A_OTHER = range(8)
REQID = 8
Q_GETCONFIG, Q_OTHER, Q_NOVALUE = 0x10, 0x20, 0x30
# GLPI-Proxy-ID choices.
P_NONE, P_EMPTY, P_OTHER, P_OWN, P_OWN_SPACED, P_FIVE, P_FOUR, P_COMMAS = \
    range(8)


def pipeline_seeds():
    bomb = zlib.compress(b"{" + b" " * (5 * 1024 * 1024), 9)
    s = {
        "json-contact": (POST, C_JSON, A_LOWER, P_NONE, CONTACT),
        "json-contact-upper-agentid": (POST, C_JSON, A_UPPER, P_NONE,
                                       CONTACT),
        "json-inventory": (POST, C_JSON, A_LOWER, P_NONE, INVENTORY),
        "json-inventory-partial": (POST, C_JSON_CHARSET, A_LOWER, P_NONE,
                                   PARTIAL),
        "json-inventory-computer2": (POST, C_JSON_MIXED, A_LOWER, P_OTHER,
                                     COMPUTER2),
        "json-netinventory-printer": (POST, C_JSON, A_OTHER, P_NONE,
                                      PRINTER),
        "json-phone-utf8-deviceid": (POST, C_JSON, A_LOWER, P_NONE, PHONE),
        "json-get-params": (POST, C_JSON, A_LOWER, P_NONE,
                            jmsg(action="get_params", deviceid="pc1")),
        "json-register": (POST, C_JSON, A_LOWER, P_NONE,
                          jmsg(action="register", deviceid="pc1")),
        "json-action-with-dots": (POST, C_JSON, A_LOWER, P_NONE,
                                  jmsg(action="../../x", deviceid="pc1")),
        "json-action-33-chars": (POST, C_JSON, A_LOWER, P_NONE,
                                 jmsg(action="a" * 33, deviceid="pc1")),
        "json-action-not-string": (POST, C_JSON, A_LOWER, P_NONE,
                                   b'{"action":42,"deviceid":"pc1"}'),
        "json-deviceid-slash": (POST, C_JSON, A_LOWER, P_NONE,
                                jmsg(action="inventory",
                                     deviceid="../../etc/passwd")),
        "json-deviceid-dot": (POST, C_JSON, A_LOWER, P_NONE,
                              jmsg(action="inventory", deviceid=".hidden")),
        "json-deviceid-201-bytes": (POST, C_JSON, A_LOWER, P_NONE,
                                    jmsg(deviceid="d" * 201)),
        "json-deviceid-empty-uses-agentid": (POST, C_JSON, A_LOWER, P_NONE,
                                             jmsg(action="inventory",
                                                  deviceid="")),
        "json-deviceid-control-char": (POST, C_JSON, A_LOWER, P_NONE,
                                       jmsg(deviceid="pc\t1")),
        "json-array": (POST, C_JSON, A_LOWER, P_NONE, b"[1,2]"),
        "json-invalid-utf8": (POST, C_JSON, A_LOWER, P_NONE,
                              b'{"deviceid":"\xff\xfe"}'),
        "json-truncated": (POST, C_JSON, A_LOWER, P_NONE, CONTACT[:-3]),
        "json-without-agentid-goes-legacy": (POST, C_JSON, A_NONE, P_NONE,
                                             CONTACT),
        "json-bad-agentid-goes-legacy": (POST, C_JSON, A_BAD, P_NONE,
                                         CONTACT),
        "zlib-contact": (POST, C_ZLIB, A_LOWER, P_NONE,
                         zlib.compress(CONTACT)),
        "zlib-inventory": (POST, C_ZLIB_UPPER, A_LOWER, P_NONE,
                           zlib.compress(INVENTORY)),
        "zlib-partial": (POST, C_XC, A_LOWER, P_NONE, zlib.compress(PARTIAL)),
        "zlib-bad-stream": (POST, C_ZLIB, A_LOWER, P_NONE,
                            b"\x78\x9c" + b"\xff" * 16),
        "zlib-bomb-5mib": (POST, C_ZLIB, A_LOWER, P_NONE, bomb),
        "gzip-inventory": (POST, C_GZIP, A_LOWER, P_NONE, gz(INVENTORY)),
        "gzip-not-gzip": (POST, C_GZIP, A_LOWER, P_NONE, CONTACT),
        "x-compress-plain-json": (POST, C_XC, A_LOWER, P_NONE, CONTACT),
        "xml-prolog": (POST, C_XML, A_NONE, P_NONE, PROLOG),
        "xml-prolog-shared": (POST, C_XML_CHARSET, A_NONE, P_NONE, PROLOG2),
        "xml-inventory": (POST, C_XML, A_NONE, P_NONE, XMLINV),
        "xml-inventory-zlib": (POST, C_ZLIB, A_BAD, P_NONE,
                               zlib.compress(XMLINV)),
        "xml-inventory-deviceid-slash": (POST, C_XML, A_NONE, P_NONE,
                                         xmsg("INVENTORY", "../escape")),
        "xml-inventory-deviceid-dotdot": (POST, C_XML, A_NONE, P_NONE,
                                          xmsg("INVENTORY", "..")),
        "xml-inventory-no-deviceid": (POST, C_XML, A_NONE, P_NONE,
                                      b"<?xml version='1.0'?><REQUEST><QUERY>"
                                      b"INVENTORY</QUERY></REQUEST>"),
        "xml-snmpquery": (POST, C_XML, A_NONE, P_NONE,
                          xmsg("SNMPQUERY", "pc1")),
        "xml-not-xml": (POST, C_XML, A_NONE, P_NONE, b"hello"),
        "xml-bad-xml": (POST, C_XML, A_NONE, P_NONE, b"<?xml <REQUEST>"),
        "xml-text-plain-type": (POST, C_TEXT, A_NONE, P_NONE, PROLOG),
        "legacy-prolog-with-agentid": (POST, C_XML, A_LOWER, P_NONE, PROLOG),
        "legacy-prolog-zlib-with-agentid": (POST, C_ZLIB, A_LOWER, P_NONE,
                                            zlib.compress(PROLOG)),
        "legacy-inventory-with-agentid": (POST, C_XML, A_LOWER, P_NONE,
                                          XMLINV),
        "legacy-prolog-no-deviceid-with-agentid": (
            POST, C_XML, A_LOWER, P_NONE,
            b"<?xml version='1.0'?><REQUEST><QUERY>PROLOG</QUERY>"
            b"</REQUEST>"),
        "get-poll": (GET, C_NONE, A_LOWER | REQID, P_NONE, b""),
        "get-poll-no-agentid": (GET, C_NONE, A_NONE | REQID, P_NONE, b""),
        "get-no-reqid": (GET, C_NONE, A_LOWER, P_NONE, b""),
        "query-getconfig": (GET, C_NONE, A_LOWER | Q_GETCONFIG, P_NONE, b""),
        "query-other-action": (POST, C_JSON, A_LOWER | Q_OTHER, P_NONE,
                               CONTACT),
        "query-without-action": (POST, C_JSON, A_LOWER | Q_NOVALUE, P_NONE,
                                 CONTACT),
        "no-content-type": (POST, C_NONE, A_LOWER, P_NONE, CONTACT),
        "empty-content-type": (POST, C_EMPTY, A_LOWER, P_NONE, CONTACT),
        "empty-body": (POST, C_JSON, A_LOWER, P_NONE, b""),
        "chain-loop": (POST, C_JSON, A_LOWER, P_OWN, CONTACT),
        "chain-loop-spaced-upper": (POST, C_JSON, A_LOWER, P_OWN_SPACED,
                                    CONTACT),
        "chain-too-long": (POST, C_JSON, A_LOWER, P_FIVE, CONTACT),
        "chain-four": (POST, C_JSON, A_LOWER, P_FOUR, INVENTORY),
        "chain-only-commas": (POST, C_JSON, A_LOWER, P_COMMAS, CONTACT),
        "method-other": (OTHER, C_JSON, A_LOWER, P_EMPTY, CONTACT),
    }
    for name, (m, ct, flags, chain, body) in s.items():
        put("pipeline", name, bytes([m, ct, flags, chain]) + body)


# --- conf -----------------------------------------------------------------

def conf_seeds():
    s = {
        "shipped-proxy": read(os.path.join(MAIN,
                                           "etc/proxy-server-plugin.cfg")),
        "shipped-proxy2": read(os.path.join(MAIN,
                                            "etc/proxy2-server-plugin.cfg")),
        "shipped-agent": read(os.path.join(MAIN, "etc/agent.cfg")),
        "empty": "",
        "comments-only": "# a comment\n   # indented\n\n",
        "enable-local-store": "disabled = no\nlocal_store = /var/lib/store\n"
                              "only_local_store = yes\n",
        "include-local-quoted": 'disabled = yes\ninclude '
                                '"proxy-server-plugin.local"\n',
        "include-equals-folder": "include = conf.d\n",
        "include-folder-slash": 'include "conf.d/"\n',
        "include-single-quotes-self": "include 'self.cfg'\n",
        "include-missing": 'include "missing.cfg"\ndisabled = no\n',
        "include-own-folder": 'include "."\n',
        "include-empty": "include\ninclude =\ninclude \"\"\n",
        "include-word-prefix": "includes = x\ninclude_me = y\n",
        "include-trailing-comment": "include conf.d # the drop-ins\n",
        "quoted-value-comment": 'local_store = "/srv/my store"  # where\n',
        "quoted-hash-inside": "no_category = 'process#env' # c\n",
        "quoted-greedy": 'url_path = "/a"b"\n',
        "quoted-unterminated": 'url_path = "/unterminated\n',
        "single-quote-only": "no_category = '\n",
        "value-comment": "port = 8080 # main\nprolog_freq = 12#\n",
        "no-spaces": "port=8080\nmaxrate=0\n",
        "tabs-crlf": "\tdisabled\t=\tno\r\n  port = 1234 \r\n",
        "numbers-out-of-range": "port = 99999\nprolog_freq = 0\n"
                                "maxrate = -1\nmax_pass_through = "
                                "99999999999999999999999\n",
        "numbers-not-numbers": "port = abc\nworkers = 1.5\n"
                               "max_connections = 0x10\n",
        "maxrate-period-empty": "maxrate_period =\nmaxrate = 0\n",
        "sizes": "max_body_size = 1G\nmax_inflated_size = 512kib\n"
                 "max_header_size = 64KB\n",
        "sizes-bad": "max_body_size = 1T\nmax_header_size = 2k\n"
                     "max_inflated_size = 5GiB\nmax_body_size = 1 M\n",
        "booleans": "disabled = NO\nglpi_protocol = off\n"
                    "only_local_store = On\nforbid_not_trusted = 0yes\n",
        "booleans-regex-fallback": "disabled = nono\nglpi_protocol = maybe\n"
                                   "only_local_store =\n",
        "disabled-empty": "disabled =\n",
        "all-disabled": "disabled = yes\n",
        "conflict-with-proxy2": "disabled = no\nport = 62355\n",
        "url-path-slashes": "disabled = no\nurl_path = ///\n",
        "url-path-relative": "disabled = no\nurl_path = inventory/\n",
        "local-store-trailing-slashes": "local_store = store///\n",
        "local-store-root": "local_store = //\n",
        "no-category": "no_category = process,environment\n",
        "unknown-keys": "Disabled = no\nfoo-bar = 1\n=value\n-x = y\n",
        "agent-trust": "httpd-trust = 10.0.0.0/8, ::1 bogus "
                       "192.168.1.1/33 fe80::/10\n",
        "agent-keys": "httpd-port = 0\ntimeout = 3601\ndebug = 2\n"
                      "no-compression = yes\npassword = secret\n",
        "utf8-value": "no_category = caf\u00e9,\u00e9l\u00e9phant\n",
        "long-line-ignored": "no_category = " + "x" * 9000 +
                             "\ndisabled = no\n",
        "no-final-newline": "disabled = no",
    }
    for name, data in s.items():
        put("conf", name, data)


# --- jsonpeek ----------------------------------------------------------------
def jsonpeek_seeds():
    s = {
        "inventory": INVENTORY,
        "partial": PARTIAL,
        "printer": PRINTER,
        "phone-escaped": PHONE,
        "contact": CONTACT,
        "escaped-key": b'{"device\\u0069d":"x","deviceid":"y"}',
        "duplicate-content": b'{"content":{"versionclient":"a"},'
                             b'"content":[],"deviceid":"d"}',
        "deep": b'{"a":' * 40 + b'1' + b'}' * 40,
        "not-object": b'[{"deviceid":"x"}]',
        "cut": INVENTORY[:len(INVENTORY) // 2],
        "long-value": b'{"deviceid":"' + b"x" * 200 + b'"}',
    }
    for name, data in s.items():
        put("jsonpeek", name, data)


# --- jsonscan ----------------------------------------------------------------
def cut_down(doc, keep=2):
    """A fixture with every list cut to its first items: its shape, small."""
    if isinstance(doc, dict):
        return {k: cut_down(v, keep) for k, v in doc.items()}
    if isinstance(doc, list):
        return [cut_down(v, keep) for v in doc[:keep]]
    return doc


EDGE = str(2 ** 1024 - 2 ** 970).rstrip("0").encode()


def jsonscan_seeds():
    s = {
        "contact": CONTACT,
        "inventory": INVENTORY,
        "partial": PARTIAL,
        "computer2": COMPUTER2,
        "printer": PRINTER,
        "phone-escaped": PHONE,
        "cut": INVENTORY[:len(INVENTORY) // 2],
        # Nesting: jansson counts every value, scalars too, up to 2048.
        "deep-2047-scalar": b'[' * 2047 + b'1' + b']' * 2047,
        "deep-2048-scalar": b'[' * 2048 + b'1' + b']' * 2048,
        "deep-2048-empty": b'[' * 2048 + b']' * 2048,
        "deep-objects-2047": b'{"a":' * 2047 + b'{}' + b'}' * 2047,
        "deep-objects-2048": b'{"a":' * 2048 + b'{}' + b'}' * 2048,
        "deep-object-in-arrays": b'{"a":' + b'[' * 2046 + b'true' +
                                 b']' * 2046 + b'}',
        "deep-unclosed": b'[' * 5000,
        # UTF-8: overlong, encoded surrogate, above U+10FFFF, cut, stray.
        "utf8-valid": '{"deviceid":"é€𝄞-x"}'.encode(),
        "utf8-overlong": b'{"deviceid":"\xc0\xaf"}',
        "utf8-overlong-3": b'{"deviceid":"\xe0\x80\xaf"}',
        "utf8-surrogate": b'{"deviceid":"\xed\xa0\x80"}',
        "utf8-too-big": b'{"deviceid":"\xf4\x90\x80\x80"}',
        "utf8-f5": b'{"deviceid":"\xf5\x80\x80\x80"}',
        "utf8-cut": b'{"deviceid":"\xe2\x82"}',
        "utf8-stray": b'{"deviceid":"\x80"}',
        "utf8-outside-string": b'{"a":1\xc3\xa9}',
        # Escapes: surrogates, \u0000, keys written with escapes.
        "esc-pair": b'{"deviceid":"\\ud834\\udd1e"}',
        "esc-lone-high": b'{"deviceid":"\\ud834"}',
        "esc-lone-low": b'{"deviceid":"\\udd1e"}',
        "esc-high-high": b'{"deviceid":"\\ud834\\ud834"}',
        "esc-high-ascii": b'{"deviceid":"\\ud834\\u0041"}',
        "esc-nul-value": b'{"deviceid":"a\\u0000b"}',
        "esc-nul-key": b'{"a\\u0000":1}',
        "esc-all": b'{"deviceid":"\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9"}',
        "esc-bad": b'{"deviceid":"\\x"}',
        "esc-bad-hex": b'{"deviceid":"\\u12g4"}',
        "esc-key-action": b'{"act\\u0069on":"contact","deviceid":"d"}',
        "esc-key-deviceid": b'{"\\u0064eviceid":"d\\u00e9"}',
        "esc-key-partial": b'{"p\\u0061rtial":true}',
        # Duplicate keys: the last one counts.
        "dup-action": b'{"action":"contact","action":42}',
        "dup-deviceid": b'{"deviceid":"a","deviceid":"b"}',
        "dup-partial": b'{"partial":true,"partial":false}',
        "dup-partial-true-last": b'{"partial":0,"partial":true}',
        "nested-fields": b'{"content":{"action":"contact","deviceid":"x",'
                         b'"partial":true},"a":[{"partial":true}]}',
        # Numbers at jansson's limits.
        "int64-max": b'{"a":9223372036854775807}',
        "int64-max-plus-1": b'{"a":9223372036854775808}',
        "int64-min": b'{"a":-9223372036854775808}',
        "int64-min-minus-1": b'{"a":-9223372036854775809}',
        "int-20-digits": b'{"a":10000000000000000000}',
        "int-snmp-counter64": b'{"ifinoctets":18446744073709551615}',
        "int-uint128-max": b'{"a":340282366920938463463374607431768211455}',
        "int-near-dbl-max": b'{"a":179769313486231570' + b'0' * 291 + b'}',
        "int-over-dbl-max": b'{"a":1' + b'0' * 309 + b'}',
        "minus-zero": b'{"a":-0,"b":-0.0}',
        "leading-zero": b'{"a":01}',
        "real-max": b'{"a":1.7976931348623157e308}',
        "real-below-overflow": b'{"a":1.7976931348623158e308}',
        # 2^1024 - 2^970, the least decimal strtod() rounds to infinity.
        "real-overflow-edge": b'{"a":%s.%se308}' % (EDGE[:1], EDGE[1:]),
        "real-below-edge": b'{"a":%s.%s1e308}' % (EDGE[:1], EDGE[1:-1]),
        "real-overflow": b'{"a":1e309}',
        "real-overflow-fraction": b'{"a":0.01e311}',
        "real-1e308-fraction": b'{"a":0.001e311}',
        "real-underflow": b'{"a":1e-400}',
        "real-zero-exp": b'{"a":0e999999999999999999}',
        "real-long-int": b'{"a":' + b'1' * 400 + b'.5}',
        "real-bad": b'{"a":1.}',
        "real-bad-exp": b'{"a":1e+}',
        # Literals and the top level.
        "partial-true": b'{"partial":true}',
        "partial-string": b'{"partial":"true"}',
        "partial-one": b'{"partial":1}',
        "partial-null": b'{"partial":null}',
        "literal-upper": b'{"partial":True}',
        "literal-long": b'{"partial":truex}',
        "action-not-string": b'{"action":["contact"],"deviceid":{}}',
        "top-array": b'[{"deviceid":"x"}]',
        "top-string": b'"x"',
        "top-number": b'1',
        "empty": b'',
        "blank": b' \t\r\n',
        "empty-object": b'{}',
        "bom": b'\xef\xbb\xbf{}',
        "whitespace": b' \t\r\n{ \t\r\n"a" \t\r\n: \t\r\n[ 1 , 2 ] '
                      b'\t\r\n} \t\r\n',
        "whitespace-ff": b'{\f}',
        "trailing-garbage": b'{}x',
        "trailing-object": b'{}{}',
        "trailing-comma": b'{"a":1,}',
        "trailing-comma-array": b'{"a":[1,]}',
        "missing-colon": b'{"a" 1}',
        "raw-tab": b'{"deviceid":"a\tb"}',
        "raw-newline": b'{"deviceid":"a\nb"}',
        # jansson loses one NUL byte put back after a number or literal.
        "nul-after-number": b'{"a":1\0}',
        "nul-after-true": b'{"partial":true\0}',
        "nul-after-real": b'{"a":[1.5\0,2e3\0]}',
        "nul-two": b'{"a":1\0\0}',
        "nul-after-string": b'{"a":"x"\0}',
        "nul-after-space": b'{"a":1 \0}',
        "nul-end": b'{}\0',
        "nul-in-string": b'{"a":"x\0"}',
    }
    for name in ("computer_1.json", "computer_3.json",
                 "networkequipment_1.json", "computer_3_updated.json"):
        doc = json.loads(read(os.path.join(INVENTORIES, "json", name)))
        s["cut-" + name[:-5]] = json.dumps(cut_down(doc), indent=2,
                                           ensure_ascii=False).encode()
    for name, data in s.items():
        put("jsonscan", name, data)


# --- inflate ----------------------------------------------------------------

# fuzz_inflate.c's first byte: framing, ceiling index, buffer with a head.
I_ZLIB, I_GZIP, I_RAW = range(3)
I_MAX0, I_MAX1, I_MAX100, I_MAX4K, I_MAX64K, I_MAX1M = range(6)


def isel(kind, ceiling=I_MAX1M, head=0):
    return bytes([kind + 3 * ceiling + 18 * head])


def raw(data, level=6):
    c = zlib.compressobj(level, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


class Bits:
    """A deflate bit writer: fields LSB first, Huffman codes MSB first."""

    def __init__(self):
        self.acc, self.n, self.out = 0, 0, bytearray()

    def put(self, value, nbits):
        self.acc |= value << self.n
        self.n += nbits
        while self.n >= 8:
            self.out.append(self.acc & 0xff)
            self.acc >>= 8
            self.n -= 8

    def code(self, code, nbits):
        self.put(int(format(code, "0%db" % nbits)[::-1], 2), nbits)

    def fixed_sym(self, sym):
        if sym < 144:
            self.code(0x30 + sym, 8)
        elif sym < 256:
            self.code(0x190 + sym - 144, 9)
        elif sym < 280:
            self.code(sym - 256, 7)
        else:
            self.code(0xc0 + sym - 280, 8)

    def done(self):
        if self.n:
            self.out.append(self.acc & 0xff)
        return bytes(self.out)


def fixed_block(symbols):
    """One final fixed-Huffman block: literals, (length sym, extra, dist
    code, extra) tuples, then end of block."""
    b = Bits()
    b.put(1, 1)
    b.put(1, 2)
    for s in symbols:
        if isinstance(s, int):
            b.fixed_sym(s)
        else:
            lsym, lextra, dcode, dextra = s
            b.fixed_sym(lsym)
            b.put(*lextra)
            b.code(dcode, 5)
            b.put(*dextra)
    b.fixed_sym(256)
    return b.done()


def zwrap(deflated, data):
    return b"\x78\x9c" + deflated + zlib.adler32(data).to_bytes(4, "big")


def gzip_hcrc(data, good=True):
    head = b"\x1f\x8b\x08\x02" + b"\0" * 4 + b"\x00\x03"
    crc = zlib.crc32(head) & 0xffff
    if not good:
        crc ^= 0x5555
    return (head + crc.to_bytes(2, "little") + raw(data) +
            zlib.crc32(data).to_bytes(4, "little") +
            (len(data) & 0xffffffff).to_bytes(4, "little"))


def inflate_seeds():
    inv = read(os.path.join(INVENTORIES, "json/computer_1_partial_softs.json"))
    bomb = zlib.compress(b"\0" * (2 * 1024 * 1024), 9)
    aaa = b"a" * 259
    s = {
        "zlib-inventory": (isel(I_ZLIB), zlib.compress(inv)),
        "zlib-inventory-head": (isel(I_ZLIB, head=1), zlib.compress(inv)),
        "zlib-inventory-over-4k": (isel(I_ZLIB, I_MAX4K),
                                   zlib.compress(inv)),
        "zlib-empty": (isel(I_ZLIB), zlib.compress(b"")),
        "zlib-empty-ceiling-0": (isel(I_ZLIB, I_MAX0), zlib.compress(b"")),
        "zlib-one-byte-ceiling-1": (isel(I_ZLIB, I_MAX1), zlib.compress(b"x")),
        "zlib-two-bytes-ceiling-1": (isel(I_ZLIB, I_MAX1),
                                     zlib.compress(b"xy")),
        "zlib-exact-4096": (isel(I_ZLIB, I_MAX4K), zlib.compress(inv[:4096])),
        "zlib-4097-over": (isel(I_ZLIB, I_MAX4K), zlib.compress(inv[:4097])),
        "zlib-stored": (isel(I_ZLIB), zlib.compress(CONTACT, 0)),
        "zlib-truncated": (isel(I_ZLIB), zlib.compress(inv)[:-9]),
        "zlib-truncated-near-ceiling": (isel(I_ZLIB, I_MAX4K),
                                        zlib.compress(inv[:4000])[:-12]),
        "zlib-no-trailer": (isel(I_ZLIB), zlib.compress(CONTACT)[:-4]),
        "zlib-bad-checksum": (isel(I_ZLIB),
                              zlib.compress(CONTACT)[:-1] + b"\0"),
        "zlib-trailing-bytes": (isel(I_ZLIB), zlib.compress(CONTACT) + b"junk"),
        "zlib-trailing-newline": (isel(I_ZLIB), zlib.compress(CONTACT) + b"\n"),
        "zlib-two-streams": (isel(I_ZLIB),
                             zlib.compress(b'{"a":') + zlib.compress(b"1}")),
        "zlib-bomb-2mib": (isel(I_ZLIB), bomb),
        "zlib-bomb-2mib-64k": (isel(I_ZLIB, I_MAX64K), bomb),
        "zlib-preset-dict": (isel(I_ZLIB), b"\x78\xbb" + b"\0" * 8),
        "zlib-window-64k": (isel(I_ZLIB), b"\x88\x1c" + raw(b"x") + b"\0" * 4),
        "zlib-given-gzip": (isel(I_ZLIB), gz(CONTACT)),
        "gzip-inventory": (isel(I_GZIP), gz(inv)),
        "gzip-inventory-head-64k": (isel(I_GZIP, I_MAX64K, 1), gz(inv)),
        "gzip-truncated": (isel(I_GZIP), gz(inv)[:-5]),
        "gzip-two-members": (isel(I_GZIP), gz(b'{"a":') + gz(b"1}")),
        "gzip-trailing-zeros": (isel(I_GZIP), gz(CONTACT) + b"\0" * 4),
        "gzip-isize-lies-small": (isel(I_GZIP),
                                  gz(inv)[:-4] + b"\x10\0\0\0"),
        "gzip-isize-lies-huge": (isel(I_GZIP),
                                 gz(CONTACT)[:-4] + b"\xff\xff\xff\x7f"),
        "gzip-hcrc-good": (isel(I_GZIP), gzip_hcrc(CONTACT)),
        "gzip-hcrc-bad": (isel(I_GZIP), gzip_hcrc(CONTACT, False)),
        "gzip-reserved-flag": (isel(I_GZIP),
                               gz(CONTACT)[:3] + b"\x20" + gz(CONTACT)[4:]),
        "gzip-empty": (isel(I_GZIP), b""),
        "gzip-given-zlib": (isel(I_GZIP), zlib.compress(CONTACT)),
        "gzip-bomb-64k": (isel(I_GZIP, I_MAX64K), gz(b"\0" * (1 << 20))),
        "raw-contact": (isel(I_RAW), raw(CONTACT)),
        "raw-trailing": (isel(I_RAW), raw(CONTACT) + b"\x00\x01"),
        "raw-block-type-3": (isel(I_RAW), b"\x07\x00"),
        "raw-stored-bad-nlen": (isel(I_RAW), b"\x01\x03\x00\x00\x00abc"),
        # Invalid streams that libdeflate accepts (compress.h lists them).
        "raw-fixed-length-286": (isel(I_RAW),
                                 fixed_block([97, (286, (0, 0), 0, (0, 0))])),
        "zlib-fixed-length-287": (isel(I_ZLIB), zwrap(
            fixed_block([97, (287, (0, 0), 0, (0, 0))]), aaa)),
        "raw-fixed-distance-30": (isel(I_RAW), fixed_block(
            [97] * 40000 + [(257, (0, 0), 30, (0, 13))])),
        "raw-fixed-distance-too-far": (isel(I_RAW), fixed_block(
            [97, (257, (0, 0), 4, (0, 1))])),
    }
    for name, (sel, body) in s.items():
        put("inflate", name, sel + body)


# --- rest -------------------------------------------------------------------
# The first byte: status (low 3 bits: 200 206 207 400 401 403 404 500),
# Content-Type (next bits: JSON, HTML, none); then the body.
def rest_seeds():
    ok, e400, e401, e404 = b"\x00", b"\x03", b"\x04", b"\x06"
    html = bytes([7 | (1 << 3)])
    s = {
        "session": ok + b'{"session_token":"83af7e620c83a50a18d3eac2f6ed05a3"}',
        "page": b"\x01" + b'[{"id":1,"name":"pc-1"},{"id":2,"name":"pc-2"}]',
        "kill": ok + b"true",
        "bad-app-token": e400 + json.dumps(
            ["ERROR_WRONG_APP_TOKEN_PARAMETER", "parameter app_token seems "
             "wrong; view documentation in your browser at "
             "http://glpi/apirest.php/#ERROR_WRONG_APP_TOKEN_PARAMETER"]
        ).encode(),
        "bad-user-token": e401 + b'["ERROR_GLPI_LOGIN_USER_TOKEN",'
        b'"parameter user_token seems invalid"]',
        "no-permission": e400 + b'["ERROR_GLPI_ADD","You don\'t have '
        b'permission to perform this action."]',
        "not-found": e404 + b'["ERROR_ITEM_NOT_FOUND","Item not found"]',
        "disabled": e400 + b'["ERROR","API disabled"]',
        "range": e400 + b'["ERROR_RANGE_EXCEED_TOTAL","Provided range '
        b'exceed total count of data: 3"]',
        "partial": b"\x02" + b'["ERROR_GLPI_PARTIAL_ADD",[{"id":false,'
        b'"message":"x"}]]',
        "html": html + b"<html><head><title>502 Bad Gateway</title></head>"
        b"</html>",
        "truncated": ok + b'{"session_token":"83af7e6',
        "control-chars": e400 + b'["ERROR\\u001b[31m","a\\nb\\u0007"]',
        "content-range": ok + b"0-99/10000",
        "content-range-bad": ok + b"99-0/5",
    }
    for name, data in s.items():
        put("rest", name, data)


# --- spoolctl ----------------------------------------------------------------
def spoolctl_seeds():
    s = {
        "retry": "retry 18ed747a36af82c0\n",
        "retry-all": "retry --all\n",
        "drop": "drop 18ed747a36af82c0\n",
        "no-newline": "drop 18ed747a36af82c0",
        "upper": "retry 18ED747A36AF82C0\n",
        "traversal": "drop ../../../etc/passwd\n",
        "two-lines": "retry 18ed747a36af82c0\nretry --all\n",
        "nul": b"drop 18ed747a36af82c0\0\n",
        "tab": "drop\t18ed747a36af82c0\n",
        "drop-all": "drop --all\n",
    }
    for name, data in s.items():
        put("spoolctl", name, data)


xmlsniff_seeds()
decode_seeds()
pipeline_seeds()
conf_seeds()
jsonpeek_seeds()
jsonscan_seeds()
rest_seeds()
spoolctl_seeds()


inflate_seeds()
