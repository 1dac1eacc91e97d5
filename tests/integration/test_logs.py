# SPDX-License-Identifier: GPL-3.0-or-later
"""What passeur serve tells its operator in the log: the access line
names the instance and the path of each request, and a server name that
does not resolve is a forwarding warning, at start and on reload."""

import re
import signal
import unittest

from harness import Passeur, main


class AccessLine(unittest.TestCase):
    def test_instance_and_path(self):
        # proxy2 on the same port under another path.
        second = {"disabled": "no", "url_path": "/second",
                  "local_store": "store2", "maxrate": 0}
        with Passeur(proxy2=second) as px:
            for path, status in (("/proxy/apiversion", 200),
                                 ("/second/apiversion", 200),
                                 ("/nowhere", 400),
                                 ("/a%0aforged%20line", 400)):
                r = px.request("GET", path)
                self.assertEqual(r.status, status, path)
            px.wait_log(r"\] proxy /proxy/apiversion 127\.0\.0\.1 - - "
                        r"apiversion 200 ")
            px.wait_log(r"\] proxy2 /second/apiversion 127\.0\.0\.1 - - "
                        r"apiversion 200 ")
            px.wait_log(r"\] - /nowhere 127\.0\.0\.1 - - - 400 ")
            # The path is the client's: escaped, it cannot forge a line.
            px.wait_log(re.escape(r"] - /a\x0aforged\x20line 127.0.0.1 "))
            self.assertNotIn("\nforged", px.log())


class UnresolvableServer(unittest.TestCase):
    # A name the C library refuses to look up ("!" is not allowed in a
    # host name), so that the test sends no DNS query: loopback only.
    URL = "http://no-such-host!.invalid/front/inventory.php"
    WARNING = (r"\[warning\] agent\.cfg: server1 \(%s\): the host name does "
               r"not resolve; forwarding to it will fail until it does"
               % re.escape(URL))

    def test_warned_at_start_and_on_reload(self):
        servers = "http://127.0.0.1:9/, " + self.URL
        with Passeur(agent={"server": servers}) as px:
            px.wait_log("passeur .* started")
            self.assertEqual(len(re.findall(self.WARNING, px.log())), 1,
                             px.log())
            self.assertNotIn("trusted", px.log())
            px.proc.send_signal(signal.SIGHUP)
            px.wait_log("configuration reloaded")
            self.assertEqual(len(re.findall(self.WARNING, px.log())), 2,
                             px.log())
            self.assertNotIn("trusted", px.log())


if __name__ == "__main__":
    main()
