#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Files per second this disk can store the way passeur does.

usage: disk-ceiling.py DIR SIZE SECONDS THREADS

THREADS writers each loop for SECONDS: write SIZE random bytes to a
temporary name, fsync it, rename it over one of 16 names in DIR, fsync DIR.
No HTTP, no decoding: the ceiling that the disk, not the server, sets for
a store that acknowledges only what is on disk.  Prints
"files_per_s=N mb_per_s=N".
"""
import os
import sys
import threading
import time


def main():
    d, size, secs, nthreads = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
    data = os.urandom(size)
    done = [0] * nthreads
    stop = time.monotonic() + secs

    def writer(k):
        dfd = os.open(d, os.O_RDONLY | os.O_DIRECTORY)
        n = 0
        while time.monotonic() < stop:
            tmp = os.path.join(d, f".w{k}.tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
            os.close(fd)
            os.rename(tmp, os.path.join(d, f"f{n % 16}.xml"))
            os.fsync(dfd)
            n += 1
        os.close(dfd)
        done[k] = n

    t0 = time.monotonic()
    threads = [threading.Thread(target=writer, args=(k,)) for k in range(nthreads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - t0
    total = sum(done)
    print(f"files_per_s={total / elapsed:.1f} mb_per_s={total * size / elapsed / 1e6:.1f}")


if __name__ == "__main__":
    main()
