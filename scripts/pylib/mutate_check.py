# SPDX-License-Identifier: GPL-2.0
"""The mutation proof's verdict on one mutation: the cases it names
failed, every case ran, and none crashed.

Usage: python3 -m pylib.mutate_check RESULTS NAME COUNT KILL...
    RESULTS  kunit.py's --json file of the mutated kernel's run
    NAME     the mutation's name, as its TAP line shows it
    COUNT    scripts/kunit's line "ok - ...: N cases ran, as the suites
             define (N)" of that run ("not ok ..." or "" when it stopped)
    KILL     the cases the mutation names (Kills: lines)
Prints one line per case that ran, "CASE suite.case" or "SKIPPED
suite.case" (one a line: parameter names hold spaces), then the TAP line
"ok - mutation NAME: kills KILL, ..." or "not ok - ...; what went wrong".
Always exits 0: the TAP line is the verdict."""

import sys

from pylib import kunit_results


def verdict(ran, name, count, kills):
    """The TAP line for mutation NAME, given {case: status} RAN."""
    bad = []
    for k in kills:
        st = ran.get(k)
        if st != "FAIL":
            bad.append("%s %s" % (k, "did not run" if st is None else "gave " + st))
    if not count.startswith("ok"):
        bad.append("the kernel did not run every case (%s)" %
                   (count.split(": ", 1)[-1] if count else "no count"))
    crashed = [k for k, st in ran.items() if st == "ERROR"]
    if crashed:
        bad.append("crashed: " + ", ".join(crashed))
    if bad:
        return "not ok - mutation %s: kills %s; %s" % (name, ", ".join(kills), "; ".join(bad))
    return "ok - mutation %s: kills %s" % (name, ", ".join(kills))


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    results, name, count, kills = argv[0], argv[1], argv[2], argv[3:]
    ran = kunit_results.load(results)
    for k in sorted(ran):
        print("%s %s" % ("SKIPPED" if ran[k] == "SKIP" else "CASE", k))
    print(verdict(ran, name, count, kills))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
