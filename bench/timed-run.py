#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Runs one injector and measures it.

usage: timed-run.py OUT SERVER_PID -- COMMAND [ARG...]

Runs COMMAND (its stdout in OUT.stdout, its stderr in OUT.stderr) and
writes key=value lines to OUT:

  rc            COMMAND's exit status (negative: killed by that signal)
  wall_ms       monotonic time from just before the start to the reaping
  cpu_ms        user + system CPU time of COMMAND (all its threads and
                reaped children: getrusage of the child, from wait4)
  user_ms sys_ms maxrss_kb
  server_cpu_ms CPU time SERVER_PID used meanwhile (/proc/PID/stat)
  busy_ms       CPU time the whole machine used meanwhile, all CPUs summed
                (user, nice, system, irq, softirq, steal from /proc/stat)
  iowait_ms     idle time spent waiting for I/O meanwhile, all CPUs summed
  cpus          CPUs online
  samples       0.1 s samples taken while COMMAND ran
  busy_samples  samples in which the machine's CPUs were at least 90 % busy
  inj_peak_pct server_peak_pct  highest CPU use of one sample (100 = 1 CPU)

SIGTERM or SIGINT stops COMMAND (SIGTERM, then SIGKILL after 5 s) before
this script exits; COMMAND also gets SIGKILL if this script dies.
"""
import ctypes
import os
import select
import signal
import subprocess
import sys
import time

HZ = os.sysconf("SC_CLK_TCK")
CPUS = os.sysconf("SC_NPROCESSORS_ONLN")
PERIOD = 0.1


def proc_cpu_ms(pid):
    """utime + stime of a process (all its threads), in ms; None if gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            s = f.read()
    except OSError:
        return None
    fields = s[s.rfind(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) * 1000 // HZ


def machine_ms():
    """(busy, iowait) of all CPUs, in ms."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    # user nice system idle iowait irq softirq steal
    busy = v[0] + v[1] + v[2] + v[5] + v[6] + (v[7] if len(v) > 7 else 0)
    return busy * 1000 // HZ, v[4] * 1000 // HZ


def die_with_parent():
    # PR_SET_PDEATHSIG: SIGKILL when this script goes away.
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(1, signal.SIGKILL, 0, 0, 0)


def main():
    if len(sys.argv) < 5 or sys.argv[3] != "--":
        sys.exit(__doc__)
    out, server = sys.argv[1], int(sys.argv[2])
    cmd = sys.argv[4:]
    child = None

    def stop(signum, _frame):
        if child is not None and child.poll() is None:
            child.terminate()
            try:
                child.wait(5)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        sys.exit(128 + signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    srv0 = proc_cpu_ms(server)
    if srv0 is None:
        sys.exit(f"timed-run: server {server} is not running")
    busy0, io0 = machine_ms()
    with open(out + ".stdout", "wb") as so, open(out + ".stderr", "wb") as se:
        t0 = time.monotonic()
        child = subprocess.Popen(cmd, stdout=so, stderr=se, stdin=subprocess.DEVNULL,
                                 preexec_fn=die_with_parent)
        samples = busy_samples = 0
        inj_peak = srv_peak = 0.0
        last_t, last_b = t0, machine_ms()[0]
        last_i, last_s = 0, srv0
        status = rusage = None
        # A pidfd becomes readable when the child exits: no latency
        # added to the wall time by the sampling period.
        pidfd = os.pidfd_open(child.pid)
        poller = select.poll()
        poller.register(pidfd, select.POLLIN)
        while True:
            ready = poller.poll(PERIOD * 1000)
            if ready:
                pid, status, rusage = os.wait4(child.pid, 0)
                break
            now = time.monotonic()
            b = machine_ms()[0]
            i = proc_cpu_ms(child.pid)
            s = proc_cpu_ms(server)
            dt = (now - last_t) * 1000
            if i is not None and s is not None and dt > 0:
                samples += 1
                if (b - last_b) >= 0.9 * dt * CPUS:
                    busy_samples += 1
                inj_peak = max(inj_peak, (i - last_i) * 100 / dt)
                srv_peak = max(srv_peak, (s - last_s) * 100 / dt)
                last_i, last_s = i, s
            last_t, last_b = now, b
        t1 = time.monotonic()
        os.close(pidfd)
    child.returncode = 0  # reaped above; keeps Popen from waiting again
    busy1, io1 = machine_ms()
    srv1 = proc_cpu_ms(server)
    rc = os.waitstatus_to_exitcode(status)
    user = rusage.ru_utime * 1000
    sys_ = rusage.ru_stime * 1000
    res = {
        "rc": rc,
        "wall_ms": round((t1 - t0) * 1000, 1),
        "cpu_ms": round(user + sys_, 1),
        "user_ms": round(user, 1),
        "sys_ms": round(sys_, 1),
        "maxrss_kb": rusage.ru_maxrss,
        "server_cpu_ms": (srv1 - srv0) if srv1 is not None else "gone",
        "busy_ms": busy1 - busy0,
        "iowait_ms": io1 - io0,
        "cpus": CPUS,
        "samples": samples,
        "busy_samples": busy_samples,
        "inj_peak_pct": round(inj_peak),
        "server_peak_pct": round(srv_peak),
    }
    with open(out, "w") as f:
        for k, v in res.items():
            f.write(f"{k}={v}\n")


if __name__ == "__main__":
    main()
