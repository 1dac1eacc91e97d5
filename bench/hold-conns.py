#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Open N idle TCP connections to HOST:PORT and hold them.

usage: hold-conns.py HOST PORT N SECONDS

Connects N sockets (sending nothing), waits a second, and prints
  ready opened=N open=K
where K is how many the server has not closed.  Then holds them for at most
SECONDS, or until SIGTERM/SIGINT, prints
  end open=K
and closes them.  The open-file limit is raised to the hard limit first.
"""
import errno
import resource
import signal
import socket
import sys
import time


def still_open(socks):
    n = 0
    for s in socks:
        try:
            if s.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) != b"":
                n += 1          # the server sent something: still open
        except (BlockingIOError, InterruptedError):
            n += 1              # nothing to read: open and idle
        except OSError:
            pass                # reset
    return n


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    host, port, count, hold = (sys.argv[1], int(sys.argv[2]),
                               int(sys.argv[3]), float(sys.argv[4]))
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = count + 64
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE,
                           (want if hard == resource.RLIM_INFINITY
                            else min(want, hard), hard))
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))

    socks = []
    try:
        for _ in range(count):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.settimeout(5)
            try:
                s.connect((host, port))
            except OSError as e:
                s.close()
                print(f"connect failed after {len(socks)}: "
                      f"{errno.errorcode.get(e.errno, e)}", flush=True)
                break
            s.setblocking(True)     # MSG_DONTWAIT alone decides below
            socks.append(s)
        time.sleep(1)
        print(f"ready opened={len(socks)} open={still_open(socks)}",
              flush=True)
        end = time.monotonic() + hold
        while not stop and time.monotonic() < end:
            time.sleep(0.1)
        print(f"end open={still_open(socks)}", flush=True)
    finally:
        for s in socks:
            s.close()


if __name__ == "__main__":
    main()
