# SPDX-License-Identifier: GPL-3.0-or-later
"""The bash completion (packaging/passeur.bash-completion) parses and
offers passeur's commands, each command's options and the glpi
commands."""

import os
import subprocess
import unittest

from harness import SOURCE, main

SCRIPT = os.path.join(SOURCE, "packaging", "passeur.bash-completion")


def complete(*words):
    """What completing the last of words offers, as bash-completion would
    ask: COMP_WORDS and COMP_CWORD set, then the function `complete`
    registered for passeur."""
    program = (
        'source "$1"; shift\n'
        'COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))\n'
        'COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}\n'
        'f=$(complete -p passeur | sed -n "s/.*-F \\([^ ]*\\) .*/\\1/p")\n'
        '"$f" passeur "${COMP_WORDS[COMP_CWORD]}" '
        '"${COMP_WORDS[COMP_CWORD - 1]}"\n'
        'printf "%s\\n" "${COMPREPLY[@]}"\n')
    p = subprocess.run(["bash", "--norc", "-c", program, "bash", SCRIPT]
                       + list(words), capture_output=True, text=True,
                       timeout=30)
    assert p.returncode == 0 and p.stderr == "", p.stderr
    return p.stdout.split()


class Completion(unittest.TestCase):
    def test_parses(self):
        p = subprocess.run(["bash", "-n", SCRIPT], capture_output=True,
                           text=True, timeout=30)
        self.assertEqual((p.returncode, p.stderr), (0, ""))

    def test_commands(self):
        offered = complete("passeur", "")
        for word in ("serve", "inject", "glpi", "status"):
            self.assertIn(word, offered)
        self.assertEqual(complete("passeur", "in"), ["inject"])
        self.assertEqual(complete("passeur", "st"), ["status"])

    def test_status_options(self):
        self.assertEqual(complete("passeur", "status", "--j"), ["--json"])

    def test_serve_options(self):
        offered = complete("passeur", "serve", "-")
        for option in ("-c", "-f", "-n", "-T", "-u", "-v", "--vardir"):
            self.assertIn(option, offered)

    def test_inject_options(self):
        self.assertEqual(complete("passeur", "inject", "--ssl-f"),
                         ["--ssl-fingerprint"])

    def test_glpi_commands_and_options(self):
        offered = complete("passeur", "glpi", "")
        for word in ("check", "setup", "views", "sync", "devices", "users",
                     "entities"):
            self.assertIn(word, offered)
        self.assertEqual(sorted(complete("passeur", "glpi", "views", "")),
                         ["check", "install", "sql"])
        self.assertEqual(complete("passeur", "glpi", "-c", "/tmp", "sync",
                                  "--f"), ["--full"])

    def test_glpi_objects(self):
        for word in ("computer", "user", "entity"):
            self.assertIn(word, complete("passeur", "glpi", ""))
        self.assertEqual(sorted(complete("passeur", "glpi", "computer", "")),
                         ["add", "delete", "list", "show", "update"])
        self.assertEqual(complete("passeur", "glpi", "user", "add", "bob",
                                  "--pa"), ["--password-stdin"])
        self.assertEqual(complete("passeur", "glpi", "entity", "add", "--p"),
                         ["--parent"])
        self.assertEqual(complete("passeur", "glpi", "computer", "delete",
                                  "3", "--p"), ["--purge"])
        self.assertEqual(complete("passeur", "glpi", "computer", "update",
                                  "--set", ""), [])


if __name__ == "__main__":
    main()
