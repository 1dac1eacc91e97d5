#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes copies of the inventory fixtures with distinct device ids.

usage: make-inventories.py OUTDIR NXML NJSON XMLFIXTURE JSONFIXTURE...

NXML copies of the XML inventory XMLFIXTURE, each with its own
REQUEST/DEVICEID, and NJSON copies of the JSON inventories (round-robin),
each with its own top-level "deviceid".  Only the device id changes: the
rest of each file stays byte for byte as in the fixture.

Every file is named as a `passeur serve` local store names what it receives:
<deviceid>.xml for an XML inventory, <deviceid>.json for a JSON one, with
".<action>" before ".json" for an action other than "inventory" and
".partial" for a partial inventory (e.g. <deviceid>.netinventory.json).  So
after a run the store must hold exactly the names of OUTDIR.

Prints "files=N xml=N json=N bytes=N xml_bytes=N json_bytes=N".
"""
import json
import os
import re
import sys

XML_ID = re.compile(rb"<DEVICEID>[^<]*</DEVICEID>")
JSON_ID = re.compile(rb'"deviceid"\s*:\s*"(?:[^"\\]|\\.)*"')
# The agents' own form: <hostname>-<YYYY>-<MM>-<DD>-<hh>-<mm>-<ss>.
STAMP = "2026-11-23-17-01-40"


def json_suffix(doc):
    """The suffix passeur's store_suffix() (src/proxy/glpi.c) gives."""
    action = doc.get("action")
    if not isinstance(action, str) or action == "":
        action = "inventory"
    if action == "inventory":
        action = ""
    elif len(action) > 32 or not re.fullmatch(r"[a-z_-]+", action):
        action = "other"
    part = ".partial" if doc.get("partial") is True else ""
    return ("." + action if action else "") + part + ".json"


def xml_copies(out, n, fixture):
    raw = open(fixture, "rb").read()
    if not raw.lstrip().startswith(b"<") or b"<QUERY>INVENTORY</QUERY>" not in raw:
        sys.exit(f"{fixture}: not an XML inventory")
    if len(XML_ID.findall(raw)) != 1:
        sys.exit(f"{fixture}: not exactly one <DEVICEID>")
    total = 0
    for i in range(n):
        dev = f"bench-x{i:05d}-{STAMP}"
        data = XML_ID.sub(f"<DEVICEID>{dev}</DEVICEID>".encode(), raw, count=1)
        with open(os.path.join(out, dev + ".xml"), "wb") as f:
            f.write(data)
        total += len(data)
    return total


def json_copies(out, n, fixtures):
    srcs = []
    for path in fixtures:
        raw = open(path, "rb").read()
        doc = json.loads(raw)
        if not isinstance(doc, dict) or not isinstance(doc.get("deviceid"), str):
            sys.exit(f"{path}: not a JSON inventory with a deviceid")
        # The top-level key only: one match, and it must be the one json
        # reads (a nested "deviceid" would make the byte edit unsafe).
        if len(JSON_ID.findall(raw)) != 1:
            sys.exit(f"{path}: not exactly one \"deviceid\" key")
        srcs.append((path, raw, json_suffix(doc)))
    if not srcs:
        sys.exit("no JSON fixture")
    total = 0
    for i in range(n):
        path, raw, suffix = srcs[i % len(srcs)]
        dev = f"bench-j{i:05d}-{STAMP}"
        data = JSON_ID.sub(f'"deviceid": "{dev}"'.encode(), raw, count=1)
        if json.loads(data).get("deviceid") != dev:
            sys.exit(f"{path}: the device id could not be replaced")
        with open(os.path.join(out, dev + suffix), "wb") as f:
            f.write(data)
        total += len(data)
    return total


def main():
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    out, nxml, njson, xml = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    os.makedirs(out, exist_ok=True)
    xb = xml_copies(out, nxml, xml)
    jb = json_copies(out, njson, sys.argv[5:])
    print(f"files={nxml + njson} xml={nxml} json={njson} bytes={xb + jb} "
          f"xml_bytes={xb} json_bytes={jb}")


if __name__ == "__main__":
    main()
