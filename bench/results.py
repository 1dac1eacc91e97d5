# SPDX-License-Identifier: GPL-3.0-or-later
"""The raw results file the bench scripts write: one key=value per line."""


def load(path):
    """{key: value} of the results file at path (later lines win)."""
    out = {}
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if "=" in line:
                k, v = line.split("=", 1)
                out[k] = v
    return out
