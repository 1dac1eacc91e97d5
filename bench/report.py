#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Turns the results file written by bench/compare into the Markdown report.

usage: report.py RESULTS

RESULTS holds key=value lines.  Memory is shown in MiB (1,048,576 bytes,
the unit of VmRSS / 1024); the targets are checked in the same unit.
"""
import sys

from results import load

TARGET_RATIO = 300          # passeur requests/s over the reference's
TARGET_P99_MS = 50          # at the largest connection count
TARGET_IDLE_MIB = 8
TARGET_CONNS_MIB = 64


R = load(sys.argv[1])


def num(key, default=None):
    try:
        return float(R[key])
    except (KeyError, ValueError):
        return default


def mib(kb):
    return None if kb is None else kb / 1024.0


def fmt_mib(kb):
    if kb is None:
        return "–"
    v = kb / 1024.0
    return f"{v:.1f} MiB" if v < 100 else f"{v:,.0f} MiB"


def fmt_ms(us):
    if us is None:
        return "–"
    ms = us / 1000.0
    if ms >= 1000:
        return f"{ms / 1000:.2f} s"
    if ms >= 100:
        return f"{ms:.0f} ms"
    if ms >= 10:
        return f"{ms:.1f} ms"
    return f"{ms:.2f} ms"


def fmt_rate(v):
    if v is None:
        return "none completed"
    if v >= 100:
        return f"{v:,.0f}"
    return f"{v:.2f}"


def fmt_ratio(p, r):
    """passeur / reference, as N× (above 1) or 1/N (below 1)."""
    if p is None or r is None or r == 0 or p == 0:
        return "–"
    x = p / r
    if x >= 1:
        return f"{x:,.0f}×" if x >= 10 else f"{x:.1f}×"
    inv = 1 / x
    return f"1/{inv:,.0f}" if inv >= 10 else f"1/{inv:.1f}"


def run(name, c):
    """Figures of one wrk run; requests/s counts 2xx answers only."""
    p = f"{name}_c{c}_"
    req = num(p + "requests")
    dur = num(p + "duration_us")
    bad = num(p + "non2xx", 0)
    d = {
        "requests": req,
        "bad": bad,
        "timeout": num(p + "timeout", 0),
        "rps": (req - bad) / (dur / 1e6) if req is not None and dur else None,
        "p50": num(p + "p50_us"),
        "p99": num(p + "p99_us"),
        "max": num(p + "max_us"),
        "rss": num(p + "peak_total_kb"),
        "root": num(p + "peak_root_kb"),
        "children": num(p + "max_children", 0),
        "cpu_ms": num(p + "cpu_ms"),
        "load": R.get(p + "load", "?"),
        "sockerr": sum(num(p + k, 0) for k in ("connect", "read", "write")),
        "wrk_cpu_ms": num(p + "wrk_cpu_ms"),
        "wall_ms": num(p + "wall_ms"),
        "other_cpu_ms": num(p + "other_cpu_ms"),
    }
    d["other_cpus"] = (max(d["other_cpu_ms"], 0) / d["wall_ms"]
                       if d["other_cpu_ms"] is not None and d["wall_ms"] else None)
    # Requests the server worked on: a forking server's children seen by the
    # sampler include those still running when wrk stopped.
    handled = max(req or 0, num(p + "seen_children", 0))
    d["handled"] = handled
    d["cpu_per_req"] = (d["cpu_ms"] / handled
                        if handled > 0 and d["cpu_ms"] is not None else None)
    if not req:
        d["rps"] = d["p50"] = d["p99"] = d["max"] = None
    return d


def fmt_cpus(v):
    return "?" if v is None else f"{v:.2f}"


def errors(d):
    if d["requests"] is None:
        return "–"
    s = f"{d['bad']:,.0f} of {d['requests']:,.0f}"
    if d["timeout"]:
        s += f" (+{d['timeout']:,.0f} timeouts)"
    return s


conns = R.get("conns", "4 16").split()
secs = R.get("seconds", "?")
out = []
w = out.append

w("## Passeur vs the FusionInventory Agent 2.6 proxy plugin")
w("")
w(f"One run of `bench/compare`, {R.get('date', '?')}: {R.get('cpus', '?')} CPUs "
  f"({R.get('cpu_model', '?')}), Linux {R.get('kernel', '?')}; client and both "
  "servers on the same machine, 127.0.0.1.")
w(f"Load: wrk -t2, {secs} s per run, `POST /proxy/fusioninventory` of a real "
  f"{num('xml_bytes', 0) / 1000:,.0f} kB XML inventory compressed with zlib "
  f"({num('body_bytes', 0):,.0f} B, `application/x-compress-zlib`); both store "
  "each inventory in a local folder only (only_local_store), rate limit off, "
  "max_proxy_threads 64.")
w(f"Passeur {R.get('passeur_version', '?').replace('passeur ', '')} (release "
  f"build); reference: Debian fusioninventory-agent {R.get('fia_version', '?')} "
  "(Perl, forks per request; its memory is the parent plus its forked "
  "children, summed).")
w("")
w("| | FusionInventory 2.6 plugin | Passeur | Passeur / reference |")
w("|---|---:|---:|---:|")
runs = {}
for c in conns:
    r, p = run("ref", c), run("pas", c)
    runs[c] = (r, p)
    w(f"| requests/s, {c} connections | {fmt_rate(r['rps'])} | "
      f"{fmt_rate(p['rps'])} | {fmt_ratio(p['rps'], r['rps'])} |")
    w(f"| p50 latency, {c} connections | {fmt_ms(r['p50'])} | "
      f"{fmt_ms(p['p50'])} | {fmt_ratio(p['p50'], r['p50'])} |")
    w(f"| p99 latency, {c} connections | {fmt_ms(r['p99'])} | "
      f"{fmt_ms(p['p99'])} | {fmt_ratio(p['p99'], r['p99'])} |")
    w(f"| non-2xx answers, {c} connections | {errors(r)} | {errors(p)} | |")
    kids = f" (up to {r['children']:.0f} children)" if r["children"] else ""
    w(f"| peak RSS, {c} connections | {fmt_mib(r['rss'])}{kids} | "
      f"{fmt_mib(p['rss'])} | {fmt_ratio(p['rss'], r['rss'])} |")
    w(f"| server CPU time per request, {c} connections | "
      f"{fmt_ms(r['cpu_per_req'] * 1000 if r['cpu_per_req'] else None)} | "
      f"{fmt_ms(p['cpu_per_req'] * 1000 if p['cpu_per_req'] else None)} | "
      f"{fmt_ratio(p['cpu_per_req'], r['cpu_per_req'])} |")
ri, pi = num("ref_idle_kb"), num("pas_idle_kb")
w(f"| idle RSS (after start) | {fmt_mib(ri)} | {fmt_mib(pi)} | {fmt_ratio(pi, ri)} |")
w(f"| idle RSS after the load runs | | {fmt_mib(num('pas_after_kb'))} | |")
opened = num("conns_opened", 0)
w(f"| RSS with {num('conns_target', 0):,.0f} open idle connections | not measured | "
  f"{fmt_mib(num('pas_conns_kb'))} | |")
others = [d["other_cpus"] for c in conns for d in runs[c]
          if d["other_cpus"] is not None]
if others:
    w("")
    w(f"Noise: during the runs, processes other than the server under test "
      f"and wrk used {min(others):.2f} to {max(others):.2f} of the "
      f"{R.get('cpus', '?')} CPUs on average (from /proc/stat).")
w("")

# Targets
w("| Target | Measured | Result |")
w("|---|---:|:---:|")


def verdict(ok):
    return "PASS" if ok else "MISS"


for c in conns:
    r, p = runs[c]
    if not r["rps"] or p["rps"] is None:
        res = "n/a (a server completed no request)"
    else:
        res = verdict(p["rps"] >= TARGET_RATIO * r["rps"])
    w(f"| passeur ≥ {TARGET_RATIO}× the reference's requests/s, {c} connections "
      f"| {fmt_ratio(p['rps'], r['rps'])} | {res} |")
cmax = max(conns, key=int)
p99 = runs[cmax][1]["p99"]
w(f"| passeur p99 < {TARGET_P99_MS} ms at {cmax} connections | {fmt_ms(p99)} | "
  f"{verdict(p99 is not None and p99 / 1000 < TARGET_P99_MS)} |")
w(f"| passeur idle RSS < {TARGET_IDLE_MIB} MiB | {fmt_mib(pi)} | "
  f"{verdict(pi is not None and mib(pi) < TARGET_IDLE_MIB)} |")
ck = num("pas_conns_kb")
held = num("conns_open_end", 0)
w(f"| passeur RSS < {TARGET_CONNS_MIB} MiB with {num('conns_target', 0):,.0f} "
  f"open connections | {fmt_mib(ck)} ({held:,.0f} held open) | "
  f"{verdict(ck is not None and mib(ck) < TARGET_CONNS_MIB and held >= num('conns_target', 0))} |")
dk = num("disk_files_per_s")
if dk:
    best = max((runs[c][1]["rps"] or 0) for c in conns)
    need = max(TARGET_RATIO * (runs[c][0]["rps"] or 0) for c in conns)
    w("")
    w(f"Disk ceiling: with no HTTP and no decoding, 16 writers storing "
      f"{num('xml_bytes', 0) / 1000:,.0f} kB files the way passeur does "
      f"(temporary name, fsync, rename, fsync of the folder) reached "
      f"{dk:,.0f} files/s ({num('disk_mb_per_s', 0):,.0f} MB/s) on this "
      f"disk.  Passeur's best rate is {best / dk:.0%} of it; "
      f"{TARGET_RATIO}× the reference needs {need:,.0f}/s, "
      f"{need / dk:.0%} of what the disk can make durable.")
w("")

# Details: what the table does not show, to judge the figures.
w("Details:")
w("")
for c in conns:
    for name, label in (("ref", "reference"), ("pas", "passeur")):
        d = run(name, c)
        w(f"- {label}, {c} connections: {d['requests'] or 0:,.0f} answers "
          f"({d['handled']:,.0f} requests handled), "
          f"max latency {fmt_ms(d['max'])}, wrk socket errors "
          f"{d['sockerr']:,.0f} (connect/read/write), timeouts "
          f"{d['timeout']:,.0f}, own RSS peak {fmt_mib(d['root'])}, "
          f"server CPU {(d['cpu_ms'] or 0) / 1000:.1f} s, wrk CPU "
          f"{(d['wrk_cpu_ms'] or 0) / 1000:.1f} s, other processes "
          f"{fmt_cpus(d['other_cpus'])} CPUs on average, 1-min load "
          f"average before the run {d['load']}")
w(f"- passeur answers by action/status (its log): {R.get('pas_statuses', '?').strip()}; "
  f"warnings logged: {R.get('pas_log_warnings', '?')}")
w(f"- idle connections: {opened:,.0f} opened, {num('conns_open_ready', 0):,.0f} "
  f"open after 1 s, {held:,.0f} still open at the end; passeur had "
  f"{num('pas_conns_fds', 0):,.0f} file descriptors; `GET /proxy/apiversion` "
  f"meanwhile answered {R.get('pas_conns_apiversion', '?')}")
w(f"- passeur stop (SIGTERM): exit status {R.get('pas_exit', '?')} after "
  f"{R.get('pas_stop_ms', '?')} ms")
w(f"- 1-min/5-min/15-min load average at the end: {R.get('load_end', '?')} "
  "(other work on the machine shares the CPUs; the ratios are from one "
  "interleaved run, single figures vary between runs)")
w("- wrk's latency percentiles include non-2xx answers; requests/s counts "
  "2xx answers only; the reference closes every connection after its answer, "
  "so its wrk read errors are reconnects, not failures.")
print("\n".join(out))
