# SPDX-License-Identifier: GPL-3.0-or-later
"""Every source file of the project says its license (an SPDX line in
its first lines), and the license it names is the one in LICENSE and
debian/copyright."""

import os
import unittest

from harness import SOURCE, main

TAG = "SPDX-License-Identifier: GPL-3.0-or-later"
# What counts as source: code, build files, scripts, man pages and the
# shipped configuration.  Data (fixtures, fuzz corpora, JSON) does not.
SUFFIXES = (".c", ".h", ".py", ".cmake", ".sh", ".lua", ".cfg", ".1", ".5",
            ".8")
NAMES = ("CMakeLists.txt", "rules", "run", "run-all", "check-skips")
SCRIPT_FOLDERS = ("tools", "bench", ".ci")
SKIP_FOLDERS = ("build", ".git", "fixtures", "corpus", "var")


def source_files():
    for folder, dirs, files in os.walk(SOURCE):
        dirs[:] = [d for d in dirs if d not in SKIP_FOLDERS]
        rel = os.path.relpath(folder, SOURCE)
        for name in files:
            path = os.path.join(folder, name)
            if name.endswith(SUFFIXES) or name in NAMES or (
                    rel in SCRIPT_FOLDERS and "." not in name):
                yield path


class License(unittest.TestCase):
    def test_every_source_file_has_the_spdx_line(self):
        missing, count = [], 0
        for path in source_files():
            count += 1
            with open(path, encoding="utf-8", errors="replace") as f:
                head = "".join(f.readline() for _ in range(5))
            if TAG not in head:
                missing.append(os.path.relpath(path, SOURCE))
        self.assertGreater(count, 100)
        self.assertEqual(missing, [])

    def test_license_and_copyright_agree(self):
        with open(os.path.join(SOURCE, "LICENSE")) as f:
            self.assertIn("GNU GENERAL PUBLIC LICENSE", f.readline() +
                          f.readline())
        with open(os.path.join(SOURCE, "debian", "copyright")) as f:
            text = f.read()
        self.assertIn("Files: *\n", text)
        self.assertIn("License: GPL-3.0-or-later", text)


if __name__ == "__main__":
    main()
