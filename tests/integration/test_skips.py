# SPDX-License-Identifier: GPL-3.0-or-later
"""A test that cannot run its scenario is a skip that ctest sees (exit 77
from harness.main), and tests/check-skips fails a run on a skip that
tests/skip-allowed does not allow."""

import os
import subprocess
import sys
import tempfile
import unittest

from harness import SKIP_EXIT, SOURCE, main

HERE = os.path.dirname(os.path.abspath(__file__))
CHECK_SKIPS = os.path.join(SOURCE, "tests", "check-skips")

MODULE = '''
import unittest
from harness import main

class T(unittest.TestCase):
    def test_passes(self):
        pass
%s

if __name__ == "__main__":
    main()
'''
SKIPS = '''
    def test_skips(self):
        self.skipTest("no such peer here")
'''
FAILS = '''
    def test_fails(self):
        self.fail("on purpose")
'''

JUNIT = '''<?xml version="1.0" encoding="UTF-8"?>
<testsuite tests="3">
  <testcase name="unit.common.buf_test" status="run"><system-out/></testcase>
  <testcase name="integration.test_x" status="notrun">
    <skipped message="SKIP_RETURN_CODE=77"/>
    <system-out>ok
SKIPPED 1 test(s):
  test_x.T.test_y: no such peer here
</system-out>
  </testcase>
  <testcase name="packaging.deb" status="notrun">
    <skipped message="SKIP_RETURN_CODE=77"/>
    <system-out>SKIP: lintian not found</system-out>
  </testcase>
</testsuite>
'''


class Scratch(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="skips-")
        self.addCleanup(subprocess.run, ["rm", "-rf", self.dir])

    def write(self, name, text):
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            f.write(text)
        return path


class HarnessMain(Scratch):
    def run_module(self, body):
        path = self.write("test_sample.py", MODULE % body)
        env = dict(os.environ, PYTHONPATH=HERE)
        return subprocess.run([sys.executable, path], capture_output=True,
                              text=True, timeout=60, env=env)

    def test_all_pass_exits_0(self):
        self.assertEqual(self.run_module("").returncode, 0)

    def test_a_skip_exits_77_with_its_reason(self):
        p = self.run_module(SKIPS)
        self.assertEqual(p.returncode, SKIP_EXIT, p.stdout + p.stderr)
        self.assertEqual(SKIP_EXIT, 77)
        self.assertIn("SKIPPED 1 test(s):", p.stdout)
        self.assertIn("test_skips: no such peer here", p.stdout)

    def test_a_failure_wins_over_a_skip(self):
        p = self.run_module(SKIPS + FAILS)
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)


class CheckSkips(Scratch):
    def check(self, allow):
        junit = self.write("junit.xml", JUNIT)
        allowed = self.write("skip-allowed", allow)
        return subprocess.run([CHECK_SKIPS, junit, allowed],
                              capture_output=True, text=True, timeout=60)

    def test_a_skip_not_allowed_fails(self):
        p = self.check("# none\npackaging.deb  the Debian tools are absent\n")
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn("not allowed by", p.stdout)
        self.assertIn("integration.test_x", p.stdout)
        self.assertIn("test_x.T.test_y: no such peer here", p.stdout)
        self.assertIn("SKIP: lintian not found", p.stdout)

    def test_allowed_skips_pass(self):
        p = self.check("integration.test_x  no peer on this machine\n"
                       "packaging.deb  the Debian tools are absent\n")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("allowed: no peer on this machine", p.stdout)

    def test_a_line_without_reason_is_refused(self):
        p = self.check("integration.test_x\n")
        self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
        self.assertIn("has no reason", p.stderr)

    def test_the_shipped_list_parses(self):
        junit = self.write("junit.xml", "<testsuite/>")
        p = subprocess.run([CHECK_SKIPS, junit], capture_output=True,
                           text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)


if __name__ == "__main__":
    main()
