# SPDX-License-Identifier: GPL-2.0
"""e2e/guest.py's helpers that every scenario shares: the console-log
check and the harness-failure wrapper."""
import io
import os
import re
import sys
import tempfile
import unittest
from contextlib import redirect_stdout

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__)))), "e2e"))
import guest  # noqa: E402
from ctl import ChannelError  # noqa: E402

LOG = """\
Linux version 7.3.4
hog invoked oom-killer: gfp_mask=0x140cca
Call Trace:
Out of memory: Killed process 42 (hog)
WARNING: CPU: 0 PID: 1 at mm/balloon.c:99 balloon_page_migrate+0x1/0x2
Blank NVRAM partition
"""


class FakeGuest(guest.Guest):
    """A Guest with only a console log and a stop() that is counted."""

    def __init__(self, console):
        self.console = console
        self.stops = 0

    def stop(self):
        self.stops += 1


class Shared(unittest.TestCase):
    def setUp(self):
        fd, self.path = tempfile.mkstemp()
        with os.fdopen(fd, "w") as f:
            f.write(LOG)
        self.g = FakeGuest(self.path)
        self.ok = guest.Checks()

    def tearDown(self):
        os.unlink(self.path)

    def quiet(self, fn, *args, **kw):
        with redirect_stdout(io.StringIO()) as out:
            r = fn(*args, **kw)
        return r, out.getvalue()

    def test_check_log_finds_problem_outside_oom_report(self):
        """check_log fails on a WARNING, not on the OOM report's trace"""
        (bad, kills), out = self.quiet(self.g.check_log, self.ok, "log",
                                       oom_ok=True)
        self.assertEqual(kills, 1)
        self.assertEqual(len(bad), 1)
        self.assertIn("balloon_page_migrate", bad[0])
        self.assertEqual(self.ok.failed, 1)
        self.assertTrue(out.startswith("not ok - log: WARNING"))

    def test_check_log_ignore_and_oom(self):
        """an ignored line passes; an OOM kill fails unless allowed"""
        ignore = re.compile(r"WARNING: .*balloon\.c")
        (bad, _), out = self.quiet(self.g.check_log, self.ok, "log",
                                   ignore=ignore)
        self.assertEqual(bad, [])
        self.assertIn("OOM kills: 1", out)
        (_, _), out = self.quiet(self.g.check_log, self.ok, "log",
                                 ignore=ignore, oom_ok=True)
        self.assertEqual(out, "ok - log\n")
        self.assertEqual(self.ok.failed, 1)

    def test_running_turns_harness_errors_into_one_check(self):
        """running(): a harness error is one failed check, guest stopped"""
        for exc in (guest.GuestError("no answer"), ChannelError("crc")):
            _, out = self.quiet(self._run, exc)
            self.assertIn("not ok - run:", out)
        self.assertEqual(self.ok.failed, 2)
        with self.assertRaises(KeyError):
            self.quiet(self._run, KeyError("bug in the scenario"))
        _, out = self.quiet(self._run, None)
        self.assertEqual(out, "")
        self.assertEqual(self.g.stops, 4)

    def _run(self, exc):
        with self.g.running(self.ok, "run"):
            if exc is not None:
                raise exc


if __name__ == "__main__":
    unittest.main()
