# SPDX-License-Identifier: GPL-2.0
"""The KUnit stage's verdict on one run of kunit.py: one TAP line per case,
one for the number of cases that ran against the number the suites
define, one per kind of report in the kernel log.

Usage: python3 -m pylib.kunit_check RESULTS TREE FRAGFILE WHAT FILTER \\
           EXPECT_FILE LOG MUST_RUN
    RESULTS      kunit.py's --json file
    TREE         the kernel checkout the suites were built from
    FRAGFILE     the .kunitconfig of the run
    WHAT         the text the TAP lines start with ("kunit um/default")
    FILTER       kunit.py's filter glob (suite.case), or ""
    EXPECT_FILE  the cases that must fail (all others pass), or ""
    LOG          the kernel log of the run (kunit.py's test.log)
    MUST_RUN     the cases that must run, not skip, on this arch, or ""
Exits 1 if any line is "not ok"."""

import fnmatch
import os
import sys

from pylib import kunit_results, kunit_suites, reports


class Tap:
    """TAP lines "ok - WHAT: text" / "not ok - WHAT: text" on OUT."""

    def __init__(self, what, out=None):
        self.what = what
        self.out = out or sys.stdout
        self.failed = 0

    def line(self, ok, text):
        if not ok:
            self.failed = 1
        print(("ok - " if ok else "not ok - ") + self.what + ": " + text,
              file=self.out)

    def skip(self, text):
        print("ok - %s: %s # SKIP" % (self.what, text), file=self.out)

    def comment(self, text):
        print("# %s: %s" % (self.what, text), file=self.out)


def check_cases(tap, ran, defined, expected_fail, must_run, expect):
    """A line per case that ran, in the order the suites define them; with
    EXPECT (a list of expected failures was given) a case passes when it
    fails as listed or passes (or skips) when not listed."""
    for key in sorted(must_run - set(ran)):
        tap.line(False, "%s runs here (it did not run)" % key)

    order = list(defined)

    def rank(key):
        base = key.split("[")[0]
        return order.index(base) if base in order else len(order)

    for key in sorted(ran, key=rank):
        st = ran[key]
        if expect:
            if key in expected_fail:
                tap.line(st == "FAIL", "%s fails as expected%s" %
                         (key, "" if st == "FAIL" else " (it gave %s)" % st))
            else:
                tap.line(st in ("PASS", "SKIP"), "%s passes%s" %
                         (key, "" if st in ("PASS", "SKIP") else " (it gave %s)" % st))
        elif st == "SKIP" and key in must_run:
            tap.line(False, "%s runs here (it skipped)" % key)
        elif st == "SKIP":
            tap.skip(key)
        else:
            tap.line(st == "PASS", key + ("" if st == "PASS" else " (%s)" % st))

    for key in sorted(expected_fail - set(ran)):
        tap.line(False, "%s ran (it is listed to fail, but it did not run)" % key)


def check_count(tap, ran, defined, filt):
    """One line: every case the suites define gave its results, no more."""
    wanted = kunit_suites.results_wanted
    want = sum(wanted(n) for n in defined.values())

    def ran_for(case):
        return [k for k in ran if k == case or k.startswith(case + "[")]

    missing = [c for c, n in defined.items() if len(ran_for(c)) != wanted(n)]
    extra = [k for k in ran if k.split("[")[0] not in defined]
    if want == 0:
        tap.line(False, "the suites define cases to run (none found%s)" %
                 (" matching " + filt if filt else ""))
    else:
        tap.line(want == len(ran) and not missing and not extra,
                 "%d cases ran, as the suites define (%d)%s%s" % (len(ran), want,
                 "; wrong number of results for " + ", ".join(missing) if missing else "",
                 "; not defined: " + ", ".join(extra) if extra else ""))


def check_log(tap, log):
    """A line per kind of report: none in the kernel log from the start of
    the KUnit output (what the boot itself prints, e.g. UML's virt-pci
    warning without a device, is not the suites' doing)."""
    text = None
    if os.path.exists(log):
        with open(log, errors="replace") as f:
            text = f.read().splitlines()
        start = reports.ktap_start(text)
        if start is not None:
            boot = [l.strip() for l in text[:start] if reports.is_report(l)]
            if boot:
                tap.comment("%d report lines while booting, before the KUnit "
                            "output (not counted), first: %s" % (len(boot), boot[0]))
            text = text[start:]
    for kind, hits in reports.find(text or []):
        if text is None:
            tap.line(False, "no %s report in the kernel log (no log %s)" % (kind, log))
            continue
        tap.line(not hits, "no %s report in the kernel log%s" %
                 (kind, " (%d lines, first: %s)" % (len(hits), hits[0].strip())
                  if hits else ""))


def check(results, tree, fragfile, what, filt, expect_file, log, mustrun,
          out=None):
    """Every line of the verdict on OUT; 1 if any is "not ok", else 0."""
    tap = Tap(what, out)
    ran = kunit_results.load(results)
    defined, unbuilt = kunit_suites.defined_cases(tree, fragfile)
    for sym in unbuilt:
        tap.line(False, "CONFIG_%s builds a suite (no Makefile line for it)" % sym)
    if filt:
        pat = filt if "." in filt else filt + ".*"
        defined = {k: v for k, v in defined.items() if fnmatch.fnmatch(k, pat)}
    expected_fail = kunit_results.read_list(expect_file) if expect_file else set()
    must_run = kunit_results.read_list(mustrun) if mustrun else set()
    check_cases(tap, ran, defined, expected_fail, must_run, bool(expect_file))
    check_count(tap, ran, defined, filt)
    check_log(tap, log)
    return tap.failed


def main(argv):
    if len(argv) != 8:
        sys.exit(__doc__)
    return check(*argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
