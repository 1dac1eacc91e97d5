# SPDX-License-Identifier: GPL-3.0-or-later
"""The man pages and the binary agree: every option that a `--help`
prints is described in the command's man page, every command of
passeur(1) is in `passeur --help`, and the default configuration folder
that `passeur serve --help` prints is where `cmake --install` puts the
configuration."""

import os
import re
import subprocess
import tempfile
import shutil
import unittest

from harness import BIN, SOURCE, main

DOCS = os.path.join(SOURCE, "docs")
# An option as a --help prints it: -c, --vardir, -fnTv (not glpi-injector).
OPTION = re.compile(r"(?<![\w-])(--?[A-Za-z][A-Za-z0-9-]*)")


def help_text(*args):
    p = subprocess.run([BIN] + list(args) + ["--help"], capture_output=True,
                       text=True, timeout=30)
    assert p.returncode == 0, (args, p.returncode, p.stderr)
    return p.stdout


def macro_lines(page, section=None):
    """The words of each macro line of an mdoc page (the leading dot
    dropped), of one section (.Sh) only when given."""
    current = None
    with open(os.path.join(DOCS, page)) as f:
        for line in f:
            if not line.startswith("."):
                continue
            words = line[1:].split()
            if words and words[0] == "Sh":
                current = " ".join(words[1:])
            elif section is None or current == section:
                yield words


MACRO = re.compile(r"^[A-Z][a-z]{1,2}$")


def marked(page, macro, section=None, one_word=False):
    """The words that macro (Fl, Cm) applies to on the macro lines of
    page: up to the next macro (`.Cm sql | install`), or the first one."""
    found = set()
    for words in macro_lines(page, section):
        on = False
        for w in words:
            if MACRO.match(w):
                on = w == macro
                taken = 0
            elif on and w not in ("|", ",", ";", ".", ")", "(") and \
                    not (one_word and taken):
                found.add(w.rstrip(",;.)"))
                taken += 1
    return found


def man_flags(page):
    """The options an mdoc page names with Fl: {"-c", "--vardir", ...}."""
    return {"-" + w for w in marked(page, "Fl", one_word=True)}


def man_commands(page):
    """The words the SYNOPSIS of an mdoc page marks as commands (Cm)."""
    return marked(page, "Cm", "SYNOPSIS")


class HelpMatchesManPages(unittest.TestCase):
    def check(self, args, page):
        text = help_text(*args)
        flags = man_flags(page)
        printed = set(OPTION.findall(text))
        self.assertTrue(printed, text)
        missing = sorted(o for o in printed if o not in flags)
        self.assertEqual(missing, [], "%s --help prints options that %s "
                         "does not describe" % (" ".join(args) or "passeur",
                                                page))

    def test_passeur(self):
        self.check((), "passeur.1")

    def test_serve(self):
        self.check(("serve",), "passeur-serve.8")

    def test_inject(self):
        self.check(("inject",), "passeur-inject.1")

    def test_glpi(self):
        self.check(("glpi",), "passeur-glpi.1")

    def test_status(self):
        self.check(("status",), "passeur.1")

    def test_spool(self):
        self.check(("spool",), "passeur.1")

    def test_serve_help_describes_each_option(self):
        text = help_text("serve")
        for option in ("-c", "--vardir", "-f", "-n", "-T", "-u", "-v"):
            self.assertRegex(text, r"(?m)^  %s\b.*\S" % re.escape(option))

    def test_every_command_of_passeur_1_is_in_help(self):
        text = help_text()
        commands = man_commands("passeur.1")
        for word in ("serve", "inject", "glpi", "check", "setup", "views",
                     "sync", "devices", "users", "entities", "status"):
            self.assertIn(word, commands)
        missing = sorted(c for c in commands
                         if not re.search(r"\b%s\b" % re.escape(c), text))
        self.assertEqual(missing, [], "passeur(1) commands missing from "
                         "passeur --help")

    def test_every_glpi_command_is_in_glpi_help(self):
        text = help_text("glpi")
        for word in man_commands("passeur-glpi.1"):
            self.assertRegex(text, r"\b%s\b" % re.escape(word))


@unittest.skipUnless(os.environ.get("PASSEUR_BUILD_DIR"),
                     "PASSEUR_BUILD_DIR not set (ctest sets it)")
class InstalledLayout(unittest.TestCase):
    """`cmake --install` into a DESTDIR: the configuration lands in the
    folder the binary reads by default, with the bash completion."""

    @classmethod
    def setUpClass(cls):
        cls.dest = tempfile.mkdtemp(prefix="passeur-install-")
        p = subprocess.run(
            [os.environ.get("CMAKE_COMMAND", "cmake"), "--install",
             os.environ["PASSEUR_BUILD_DIR"]],
            env=dict(os.environ, DESTDIR=cls.dest), capture_output=True,
            text=True, timeout=120)
        assert p.returncode == 0, p.stdout + p.stderr
        with open(os.path.join(os.environ["PASSEUR_BUILD_DIR"],
                               "CMakeCache.txt")) as f:
            cls.prefix = re.search(r"^CMAKE_INSTALL_PREFIX:PATH=(.*)$",
                                   f.read(), re.M).group(1)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dest, ignore_errors=True)

    def installed(self, path):
        return os.path.join(self.dest, path.lstrip("/"))

    def test_default_confdir_is_where_install_puts_it(self):
        binary = self.installed(os.path.join(self.prefix, "bin", "passeur"))
        p = subprocess.run([binary, "serve", "--help"], capture_output=True,
                           text=True, timeout=30)
        confdir = re.search(r"-c confdir .*\(default (/\S+)\)",
                            p.stdout).group(1)
        if self.prefix == "/usr":
            self.assertEqual(confdir, "/etc/passeur")
        else:
            self.assertEqual(confdir, os.path.join(self.prefix, "etc",
                                                   "passeur"))
        for name in ("agent.cfg", "proxy-server-plugin.cfg",
                     "proxy2-server-plugin.cfg", "ssl-server-plugin.cfg",
                     "glpi.cfg"):
            self.assertTrue(os.path.isfile(self.installed(
                os.path.join(confdir, name))), name)
        glpi = subprocess.run([binary, "glpi", "--help"], capture_output=True,
                              text=True, timeout=30).stdout
        self.assertIn("(default %s)" % confdir, glpi)
        # The installed folder is a configuration the binary accepts.
        var = tempfile.mkdtemp(prefix="passeur-var-")
        self.addCleanup(shutil.rmtree, var, True)
        p = subprocess.run([binary, "serve", "-n", "-c",
                            self.installed(confdir), "--vardir", var],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual((p.returncode, p.stdout), (0, "configuration OK\n"),
                         p.stderr)

    def test_bash_completion_installed(self):
        self.assertTrue(os.path.isfile(self.installed(os.path.join(
            self.prefix, "share", "bash-completion", "completions",
            "passeur"))))


if __name__ == "__main__":
    main()
