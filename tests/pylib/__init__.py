# SPDX-License-Identifier: GPL-2.0
"""Unit tests of scripts/pylib; run them with tests/pylib/run.py (or
scripts/selftest)."""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "fixtures")
SCRIPTS = os.path.join(os.path.dirname(os.path.dirname(HERE)), "scripts")
if SCRIPTS not in sys.path:
    sys.path.insert(0, SCRIPTS)


def fixture(*names):
    """The path of a file in tests/pylib/fixtures."""
    return os.path.join(FIXTURES, *names)
