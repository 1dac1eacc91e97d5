# SPDX-License-Identifier: GPL-3.0-or-later
"""A storm of reloads under load, the log in a file: each reload opens the
log file again while workers write log lines and inventories.  Every
stored file must be what its agent sent, byte for byte (no log line landed
in an inventory's temporary file), and the log must still be written
after the storm."""

import json
import os
import signal
import threading
import time
import unittest

from harness import AGENT_ID, Passeur, main, read_file, wait_until

CLIENTS = 4
PER_CLIENT = 50         # 200 inventories in all
RELOADS = 30


def inventory(client, i):
    deviceid = "storm-%d-%03d" % (client, i)
    doc = {"action": "inventory", "deviceid": deviceid, "itemtype": "Computer",
           "content": {"versionclient": "GLPI-Agent_v1.12",
                       "hardware": {"name": deviceid},
                       # Some size, so that writes take a little while.
                       "softwares": [{"name": "pkg%d" % n,
                                      "version": "%d.%d" % (client, i)}
                                     for n in range(300)]}}
    return deviceid, json.dumps(doc).encode()


class ReloadStorm(unittest.TestCase):
    def test_stored_files_intact_and_log_alive(self):
        px = Passeur()
        self.addCleanup(px.cleanup)
        logfile = os.path.join(px.dir, "file.log")
        with open(os.path.join(px.confdir, "agent.cfg"), "a") as f:
            f.write("logger = file\nlogfile = %s\n" % logfile)
        px.start()
        self.addCleanup(px.stop, False)
        sent, errors = {}, []
        lock = threading.Lock()

        def client(c):
            for i in range(PER_CLIENT):
                deviceid, body = inventory(c, i)
                try:
                    r = px.post(body, "application/json", AGENT_ID)
                except OSError as e:
                    with lock:
                        errors.append("%s: %s" % (deviceid, e))
                    continue
                with lock:
                    if r.status == 200:
                        sent[deviceid] = body
                    else:
                        errors.append("%s: %r" % (deviceid, r))

        threads = [threading.Thread(target=client, args=(c,))
                   for c in range(CLIENTS)]
        for t in threads:
            t.start()
        for _ in range(RELOADS):
            px.proc.send_signal(signal.SIGHUP)
            time.sleep(0.05)
        for t in threads:
            t.join(300)
            self.assertFalse(t.is_alive(), "a client hung")
        self.assertEqual(errors, [])
        self.assertEqual(len(sent), CLIENTS * PER_CLIENT)
        # Every reload was made (they may merge: at least one, at most 30).
        self.assertTrue(wait_until(lambda: "configuration reloaded" in
                                   read_file(logfile).decode("utf-8",
                                                             "replace"), 30))
        stored = sorted(os.listdir(px.store))
        self.assertEqual(stored, sorted(d + ".json" for d in sent))
        for deviceid, body in sent.items():
            data = read_file(os.path.join(px.store, deviceid + ".json"))
            self.assertNotIn(b"][info]", data, deviceid)
            self.assertEqual(data, body, deviceid)
        # The log file is still written after the storm.
        size = os.path.getsize(logfile)
        self.assertTrue(px.alive())
        self.assertTrue(wait_until(lambda: os.path.getsize(logfile) > size
                                   and b"apiversion 200" in
                                   read_file(logfile)[size:], 10))
        # Each access line of the storm is in the log file, whole.
        text = read_file(logfile).decode("utf-8")
        for deviceid in sent:
            self.assertIn(" %s inventory 200 " % deviceid, text)
        px.stop()


if __name__ == "__main__":
    main()
