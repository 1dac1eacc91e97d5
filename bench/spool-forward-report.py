#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The report of bench/spool-forward, from its raw results (key=value
lines): one Markdown table, the targets with PASS or MISS, details.

    bench/spool-forward-report.py RESULTS
"""

import re
import sys

FLUSH_TARGET = 0.25     # flushes per acknowledged inventory, at most
RATIO_TARGET = 0.50     # passeur's requests/s over nginx's, at least


def load(path):
    res = {}
    with open(path) as f:
        for line in f:
            k, _, v = line.rstrip("\n").partition("=")
            res[k] = v
    return res


def rate(res, side, kind):
    """2xx answers per second of a run."""
    n = int(res["%s_%s_requests" % (side, kind)])
    bad = int(res["%s_%s_non2xx" % (side, kind)])
    return (n - bad) / (int(res["%s_%s_duration_us" % (side, kind)]) / 1e6)


def flushes(res, kind):
    m = re.match(r"(\d+) item\(s\) made durable with (\d+) flush\(es\)",
                 res.get("passeur_%s_flush_line" % kind, ""))
    if m is None:
        return None, 0, 0
    items, n = int(m.group(1)), int(m.group(2))
    return (n / items if items else None), items, n


def main():
    res = load(sys.argv[1])
    c = res["conns"]
    disk = "disk_json_files_per_s" in res
    print("| body (zlib) | passeur req/s | nginx req/s | ratio | passeur "
          "p99 | nginx p99 | flushes per acknowledged inventory |%s" % (
              " disk ceiling files/s | ratio |" if disk else ""))
    print("|---|---|---|---|---|---|---|%s" % ("---|---|" if disk else ""))
    verdicts = []
    for kind, name in (("json", "computer_1.json"),
                       ("xml", "XML inventory")):
        p, n = rate(res, "passeur", kind), rate(res, "nginx", kind)
        per, items, nfl = flushes(res, kind)
        ceil = float(res.get("disk_%s_files_per_s" % kind, 0) or 0)
        print("| %s | %.0f | %.0f | %.2f | %.1f ms | %.1f ms | %s |%s" % (
            name, p, n, p / n if n else 0.0,
            int(res["passeur_%s_p99_us" % kind]) / 1e3,
            int(res["nginx_%s_p99_us" % kind]) / 1e3,
            "%.3f (%d for %d)" % (per, nfl, items) if per is not None
            else "not logged",
            " %.0f | %.2f |" % (ceil, p / ceil if ceil else 0.0)
            if disk else ""))
        verdicts.append((kind, p / n if n else 0.0, per))
    print()
    for kind, ratio, per in verdicts:
        print("- %s: %s at least %.0f%% of nginx's requests/s (%.0f%%)" % (
            kind, "PASS" if ratio >= RATIO_TARGET else "MISS",
            RATIO_TARGET * 100, ratio * 100))
        print("- %s: %s at most %.2f flush per acknowledged inventory at %s "
              "connections (%s)" % (
                  kind, "PASS" if per is not None and per <= FLUSH_TARGET
                  else "MISS", FLUSH_TARGET, c,
                  "%.3f" % per if per is not None else "none logged"))
    print()
    print("Details: %s connections, %s s per run, passeur workers %s, runs interleaved (passeur "
          "JSON, nginx JSON, passeur XML, nginx XML); requests/s counts 2xx "
          "answers." % (c, res["seconds"], res.get("workers", "auto")))
    for kind in ("json", "xml"):
        print("- %s: passeur %s requests (%s non-2xx), nginx %s (%s non-2xx);"
              " delivered upstream by passeur: %s, spool drained %s ms after "
              "the run (%s left), %s superseded, %s warnings; load average "
              "%s / %s at the start of each run" % (
                  kind, res["passeur_%s_requests" % kind],
                  res["passeur_%s_non2xx" % kind],
                  res["nginx_%s_requests" % kind],
                  res["nginx_%s_non2xx" % kind],
                  res["passeur_%s_delivered" % kind],
                  res["passeur_%s_drain_ms" % kind],
                  res["passeur_%s_left" % kind],
                  res["passeur_%s_superseded" % kind],
                  res["passeur_%s_warnings" % kind],
                  res["passeur_%s_load" % kind], res["nginx_%s_load" % kind]))
    for kind in ("json", "xml"):
        k = "passeur_%s_disk_flushes" % kind
        if k in res:
            print("- %s: the disk completed %s cache flushes during "
                  "passeur's run (%.3f per request answered), counting "
                  "those of every other process on the machine" % (
                      kind, res[k], int(res[k]) / max(1, int(
                          res["passeur_%s_requests" % kind]) - int(
                          res["passeur_%s_non2xx" % kind]))))
    if "syncfs_per_s" in res:
        sfs = int(res["syncfs_per_s"])
        print("- the spool's file system alone: %d syncfs/s (one 5 kB file "
              "each); with at most %s writers per flush, the ceiling of an "
              "acknowledgement after the disk is about %d inventories/s" %
              (sfs, c, sfs * int(c)))
    if disk:
        print("- the disk's ceiling: %s writers, each file written, "
              "fsync'd, renamed and its folder fsync'd, no HTTP "
              "(bench/disk-ceiling.py, 5 s per body size): %s files/s at "
              "the JSON body's size, %s at the XML one's" % (
                  c, res["disk_json_files_per_s"],
                  res["disk_xml_files_per_s"]))
    print("- machine: %s CPUs (%s), kernel %s, spool on %s; %s; nginx %s; "
          "%s; load average at the end %s" % (
              res["cpus"], res["cpu_model"], res["kernel"], res["fs"],
              res["passeur_version"], res["nginx_version"], res["date"],
              res["load_end"]))


if __name__ == "__main__":
    main()
