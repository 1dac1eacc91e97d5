#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Turns the results file written by bench/inject into the Markdown report.

usage: inject-report.py RESULTS

RESULTS holds key=value lines: <tool>_<round>_<key> for each run (keys of
timed-run.py, plus files and bytes), and the run's context.  Each row of
the table is the round whose wall time is the median of that tool's rounds.
"""
import sys

from results import load

TARGET_RATIO = 100      # passeur inject -j 8 files/s over the Debian injector's


R = load(sys.argv[1])
ROUNDS = int(R.get("rounds", "1"))
JOBS = R.get("jobs", "8")


def num(key, default=None):
    try:
        return float(R[key])
    except (KeyError, ValueError):
        return default


def one(tool, rnd):
    p = f"{tool}_{rnd}_"
    d = {k: num(p + k) for k in ("wall_ms", "cpu_ms", "server_cpu_ms", "busy_ms",
                                 "iowait_ms", "files", "bytes", "maxrss_kb",
                                 "samples", "busy_samples", "inj_peak_pct",
                                 "server_peak_pct", "cpus")}
    if d["wall_ms"] is None or not d["files"]:
        return None
    w = d["wall_ms"] / 1000
    d["round"] = rnd
    d["s"] = w
    d["fps"] = d["files"] / w
    d["mbps"] = d["bytes"] / w / 1e6 if d["bytes"] else None
    d["cpu_per_file"] = d["cpu_ms"] / d["files"] if d["cpu_ms"] is not None else None
    d["srv_per_file"] = (d["server_cpu_ms"] / d["files"]
                         if d["server_cpu_ms"] is not None else None)
    cpus = d["cpus"] or 1
    d["inj_cpus"] = d["cpu_ms"] / d["wall_ms"] if d["cpu_ms"] is not None else None
    d["srv_cpus"] = (d["server_cpu_ms"] / d["wall_ms"]
                     if d["server_cpu_ms"] is not None else None)
    d["busy_cpus"] = d["busy_ms"] / d["wall_ms"] if d["busy_ms"] is not None else None
    d["other_cpus"] = (max(d["busy_ms"] - d["cpu_ms"] - d["server_cpu_ms"], 0) / d["wall_ms"]
                       if None not in (d["busy_ms"], d["cpu_ms"], d["server_cpu_ms"])
                       else None)
    d["io_cpus"] = d["iowait_ms"] / d["wall_ms"] if d["iowait_ms"] is not None else None
    d["ncpus"] = cpus
    return d


def median_run(tool):
    runs = [r for r in (one(tool, i) for i in range(1, ROUNDS + 1)) if r]
    if not runs:
        return None, []
    ordered = sorted(runs, key=lambda r: r["s"])
    # the middle one (the lower middle with an even count)
    return ordered[(len(ordered) - 1) // 2], runs


def fmt_rate(v):
    if v is None:
        return "–"
    return f"{v:,.0f}" if v >= 100 else f"{v:.1f}"


def fmt_ratio(a, b):
    if not a or not b:
        return "–"
    x = a / b
    if x >= 10:
        return f"{x:,.0f}×"
    return f"{x:.1f}×" if x >= 1 else f"{x:.2f}×"


def fmt_ms(v):
    if v is None:
        return "–"
    return f"{v:.1f}" if v >= 10 else f"{v:.2f}"


def fmt_cpus(v):
    return "?" if v is None else f"{v:.2f}"


TOOLS = [
    ("pj1", "`passeur inject -j 1`, XML + JSON"),
    ("pjn", f"`passeur inject -j {JOBS}`, XML + JSON"),
    ("pj1x", "`passeur inject -j 1`, XML only"),
    ("pjnx", f"`passeur inject -j {JOBS}`, XML only"),
    ("ref", "`fusioninventory-injector`, XML only"),
]
MED = {}
ALL = {}
for t, _ in TOOLS:
    MED[t], ALL[t] = median_run(t)
ref = MED["ref"]
ref_fps = ref["fps"] if ref else None

nxml, njson = num("in_xml", 0), num("in_json", 0)
nref = num("ref_files", 0)
out = []
w = out.append
w("## passeur inject vs fusioninventory-injector")
w("")
w(f"One run of `bench/inject`, {R.get('date', '?')}: {R.get('cpus', '?')} CPUs "
  f"({R.get('cpu_model', '?')}), Linux {R.get('kernel', '?')}; the injectors "
  "and `passeur serve` (only_local_store, rate limit off) on the same machine, "
  "127.0.0.1, `-u http://127.0.0.1:PORT/proxy/glpi`.")
w(f"Input: {nxml + njson:,.0f} inventories, {num('in_bytes', 0) / 1e6:,.0f} MB: "
  f"{nxml:,.0f} XML (the {num('fixture_xml', 0) / 1000:,.0f} kB agent inventory, "
  f"{num('in_xml_bytes', 0) / 1e6:,.0f} MB) and {njson:,.0f} JSON (the "
  f"{sum(1 for k in R if k.startswith('fixture_json_'))} GLPI fixtures in turn, "
  f"{num('in_json_bytes', 0) / 1e6:,.0f} MB), each with its own device id. "
  f"Median of {ROUNDS} interleaved round{'s' if ROUNDS > 1 else ''}; every run "
  "exited 0 and left in the store a byte-for-byte copy of every file it was given.")
if nref < nxml:
    w(f"fusioninventory-injector got the first {nref:,.0f} of the {nxml:,.0f} XML "
      "files only (BENCH_REF_FILES).")
w("")
w("| tool | files | seconds | files/s | CPU ms/file | ratio to the Debian injector |")
w("|---|---:|---:|---:|---:|---:|")
for t, label in TOOLS:
    d = MED[t]
    if d is None:
        w(f"| {label} | – | – | – | – | – |")
        continue
    w(f"| {label} | {d['files']:,.0f} | {d['s']:.2f} | {fmt_rate(d['fps'])} | "
      f"{fmt_ms(d['cpu_per_file'])} | {fmt_ratio(d['fps'], ref_fps)} |")
w("")

pjn, pjnx = MED["pjn"], MED["pjnx"]


def verdict(d):
    if d is None or not ref_fps:
        return "n/a"
    return "PASS" if d["fps"] >= TARGET_RATIO * ref_fps else "MISS"


need = TARGET_RATIO * ref_fps if ref_fps else None
w(f"**Target: `passeur inject -j {JOBS}` at least {TARGET_RATIO}× the Debian "
  f"injector's files/s: {fmt_ratio(pjn['fps'] if pjn else None, ref_fps)} "
  f"— {verdict(pjn)}** ({fmt_rate(pjn['fps'] if pjn else None)} files/s; "
  f"{TARGET_RATIO}× is {fmt_rate(need)} files/s).")
w("")
w(f"The XML part alone, the only files the Debian injector takes: "
  f"`passeur inject -j {JOBS}` is {fmt_ratio(pjnx['fps'] if pjnx else None, ref_fps)} "
  f"its files/s — {verdict(pjnx)}.")
w("")
# What bounds the parallel runs: everything shares the same CPUs.
for t in ("pjn", "pjnx"):
    d = MED[t]
    if d is None or d["cpu_per_file"] is None or d["srv_per_file"] is None:
        continue
    per = d["cpu_per_file"] + d["srv_per_file"]
    w(f"Bound, {dict(TOOLS)[t]}: injector {fmt_ms(d['cpu_per_file'])} + "
      f"server {fmt_ms(d['srv_per_file'])} = {fmt_ms(per)} CPU ms per file, so "
      f"{d['ncpus']:.0f} CPUs allow at most {d['ncpus'] * 1000 / per:,.0f} files/s; "
      f"measured {fmt_rate(d['fps'])} with the machine "
      f"{fmt_cpus(d['busy_cpus'])} of {d['ncpus']:.0f} CPUs busy "
      f"(injector {d['cpu_ms'] / max(d['busy_ms'], 1):.0%} of it, server "
      f"{d['server_cpu_ms'] / max(d['busy_ms'], 1):.0%}, other processes "
      f"{max(d['busy_ms'] - d['cpu_ms'] - d['server_cpu_ms'], 0) / max(d['busy_ms'], 1):.0%}).")
    w("")

w("Details:")
w("")
for t, label in TOOLS:
    d = MED[t]
    if d is None:
        continue
    rates = ", ".join(f"{r['fps']:.1f}" for r in ALL[t])
    w(f"- {label}: {d['files']:,.0f} files, {d['bytes'] / 1e6:,.0f} MB, "
      f"{d['mbps']:,.1f} MB/s; files/s by round: {rates} (median round "
      f"{d['round']}); injector CPU {d['cpu_ms'] / 1000:.2f} s "
      f"({fmt_cpus(d['inj_cpus'])} CPUs on average, peak "
      f"{d['inj_peak_pct']:.0f} % in 0.1 s), max RSS "
      f"{d['maxrss_kb'] / 1024:.0f} MiB; `passeur serve` CPU "
      f"{d['server_cpu_ms'] / 1000:.2f} s = {fmt_ms(d['srv_per_file'])} ms/file "
      f"({fmt_cpus(d['srv_cpus'])} CPUs); whole machine busy "
      f"{fmt_cpus(d['busy_cpus'])} of {d['ncpus']:.0f} CPUs (other processes "
      f"{fmt_cpus(d['other_cpus'])}), I/O wait {fmt_cpus(d['io_cpus'])} CPUs; "
      f"{d['busy_samples']:.0f} of {d['samples']:.0f} samples with the CPUs "
      "≥ 90 % busy")
fj = sorted((k[len("fixture_json_"):], v) for k, v in R.items()
            if k.startswith("fixture_json_"))
w("- JSON fixtures (bytes): " + ", ".join(f"{n} {int(v):,}" for n, v in fj))
w(f"- passeur {R.get('passeur_version', '?').replace('passeur ', '')} (release "
  f"build); fusioninventory-agent {R.get('fia_version', '?')} (Perl "
  f"{R.get('perl_version', '?')}); libcurl3-gnutls {R.get('libcurl_version', '?')}, "
  f"zlib1g {R.get('zlib_version', '?')}, libjansson4 {R.get('jansson_version', '?')}")
w(f"- `passeur serve` log: {R.get('pas_log_warnings', '?')} warnings, "
  f"{R.get('pas_log_errors', '?')} errors")
w(f"- load average at the end: {R.get('load_end', '?')}; the whole bench took "
  f"{R.get('bench_wall_s', '?')} s")
w("- CPU ms/file is the injector's own user + system time (wait4) over the "
  "files it sent; the server's CPU is apart.  All of it shares the same CPUs, "
  "so a parallel run is bounded by injector + server CPU per file.")
print("\n".join(out))
