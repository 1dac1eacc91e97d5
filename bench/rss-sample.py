#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Peak memory of a process and all its descendants.

usage: rss-sample.py PID SECONDS [INTERVAL]

Samples every INTERVAL seconds (default 0.2) for at most SECONDS, or until
PID is gone, or until SIGTERM/SIGINT, then prints one line:

  peak_total_kb=N peak_root_kb=N max_children=N seen_children=N samples=N

peak_total_kb is the largest sum of the resident set sizes of PID and its
descendants seen in one sample (shared pages of forked children are counted
once per process, as `ps` shows them); peak_root_kb is PID's own peak;
max_children the largest number of descendants seen at once, seen_children
the number of distinct descendants seen (for a server that forks per request
whose children live longer than INTERVAL: the requests it handled).
"""
import os
import signal
import sys
import time

PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


def rss_kb(pid):
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * PAGE_KB
    except (OSError, IndexError, ValueError):
        return None


def parent_map():
    """pid -> ppid of every process on the machine."""
    out = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        # the command name may hold spaces and parentheses: split after it
        rest = stat[stat.rfind(")") + 2:].split()
        if len(rest) > 1:
            out[int(name)] = int(rest[1])
    return out


def descendants(root):
    children = {}
    for pid, ppid in parent_map().items():
        children.setdefault(ppid, []).append(pid)
    found, todo = [], [root]
    while todo:
        for c in children.get(todo.pop(), []):
            found.append(c)
            todo.append(c)
    return found


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    root = int(sys.argv[1])
    limit = float(sys.argv[2])
    step = float(sys.argv[3]) if len(sys.argv) > 3 else 0.2
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))

    peak_total = peak_root = max_children = samples = 0
    seen = set()
    end = time.monotonic() + limit
    while not stop and time.monotonic() < end:
        own = rss_kb(root)
        if own is None:
            break
        kids = descendants(root)
        total = own + sum(r for r in map(rss_kb, kids) if r is not None)
        samples += 1
        peak_root = max(peak_root, own)
        peak_total = max(peak_total, total)
        max_children = max(max_children, len(kids))
        seen.update(kids)
        time.sleep(step)
    print(f"peak_total_kb={peak_total} peak_root_kb={peak_root} "
          f"max_children={max_children} seen_children={len(seen)} "
          f"samples={samples}", flush=True)


if __name__ == "__main__":
    main()
