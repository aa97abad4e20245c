#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Run the unit tests of scripts/pylib (tests/pylib/test_*.py) and print
one TAP line per test, as the project's checks do:
    ok - pylib MODULE: what the test shows
    not ok - pylib MODULE: what the test shows
with a failure's traceback as '#' lines before its line. Exits 1 if any
test fails.

Usage: tests/pylib/run.py [PATTERN]    (default: test_*.py)"""

import os
import sys
import unittest

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, TOP)
sys.path.insert(0, os.path.join(TOP, "scripts"))


class TapResult(unittest.TestResult):
    """Prints a TAP line as each test ends."""

    @staticmethod
    def name(test):
        module = test.__class__.__module__.rsplit(".", 1)[-1]
        if module.startswith("test_"):
            module = module[len("test_"):]
        what = test.shortDescription() or test.id().rsplit(".", 1)[-1]
        return "pylib %s: %s" % (module, what)

    def report(self, test, ok, detail="", directive=""):
        for line in detail.rstrip("\n").split("\n") if detail else ():
            print("# " + line)
        print("%s - %s%s" % ("ok" if ok else "not ok", self.name(test), directive),
              flush=True)

    def addSuccess(self, test):
        super().addSuccess(test)
        self.report(test, True)

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self.report(test, False, self._exc_info_to_string(err, test))

    def addError(self, test, err):
        super().addError(test, err)
        self.report(test, False, self._exc_info_to_string(err, test))

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self.report(test, True, directive=" # SKIP " + reason)

    def addExpectedFailure(self, test, err):
        super().addExpectedFailure(test, err)
        self.report(test, True)

    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test)
        self.report(test, False, "passed, but it is marked as an expected failure")


def main(argv):
    pattern = argv[0] if argv else "test_*.py"
    suite = unittest.defaultTestLoader.discover(
        os.path.join(TOP, "tests", "pylib"), pattern=pattern, top_level_dir=TOP)
    if suite.countTestCases() == 0:
        print("not ok - pylib: tests matching %s in tests/pylib (found none)" % pattern)
        return 1
    result = TapResult()
    suite.run(result)
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
