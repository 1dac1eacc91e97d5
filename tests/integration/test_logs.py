# SPDX-License-Identifier: GPL-3.0-or-later
"""What passeur serve tells its operator in the log: the access line
names the instance and the path of each request."""

import re
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


if __name__ == "__main__":
    main()
