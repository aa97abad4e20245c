# SPDX-License-Identifier: GPL-2.0
"""The stress run's verdict (scripts/stress) on the boots of one kernel.

Usage: python3 -m pylib.stress_check DIR NAME N WHAT [CASE...]
    DIR    the logs of boot I (1..N, zero-padded to the width of N):
           NAME-I.json (kunit.py's results), NAME-I.log (the console),
           NAME-I.out (kunit.py's own output), NAME-I.rc (its exit status)
    WHAT   what the TAP lines are about ("7.3 stress um")
    CASE   the cases a planted test names (its Stress-catches: lines)
Without CASEs, the stress kernel: every boot must run the same cases with
none failing and none crashing, and the compaction thread must have run
in every boot (its line before the KUnit output, its count of passes at
the halt after it). With CASEs, the kernel with the planted test: caught
in a boot where a CASE (or a parameter of it) fails or the boot crashed;
ok when caught at least once. A boot crashed when it has no results,
when kunit.py saw cases missing or crashed, when it failed without a
failing case, or when its log has a kernel report from the KUnit output
on (pylib.reports). Prints TAP lines and '#' lines; exits 1 if a TAP line
is not ok."""

import os
import re
import sys

from pylib import kunit_results, reports

STARTED = "compaction_stress: compacting"
PASSES = re.compile(r"compaction_stress: (\d+) passes over all nodes in (\d+) ms")


def boot(base):
    """What boot BASE (the path of its files without the suffix) shows."""
    try:
        ran = kunit_results.load(base + ".json")
        crashed = ""
    except (OSError, ValueError):
        ran, crashed = {}, "no results"
    with open(base + ".log", errors="replace") as f:
        log = f.read().splitlines()
    with open(base + ".out", errors="replace") as f:
        out = f.read()
    with open(base + ".rc") as f:
        rc = f.read().strip()
    start = reports.ktap_start(log)
    suites = log[start:] if start is not None else log
    hits = [line.strip() for line in suites if reports.is_report(line)]
    if not crashed and (re.search(r"crash|missing expected subtest", out, re.I) or
                        any(st == "ERROR" for st in ran.values())):
        crashed = "crashed (kunit.py exit %s)" % rc
    if not crashed and hits:
        crashed = "report: " + hits[0]
    if not crashed and rc != "0" and all(st in ("PASS", "SKIP") for st in ran.values()):
        crashed = "kunit.py exit %s with no case failing" % rc
    # The compaction thread: started before the KUnit output, its count
    # of passes printed at the halt after it.
    started = any(STARTED in line for line in log[:start])
    counts = [m for m in map(PASSES.search, suites) if m]
    passes, ms = (int(counts[-1].group(1)), int(counts[-1].group(2))) if counts else (0, 0)
    return dict(name=os.path.basename(base), ran=ran, crashed=crashed,
                hammer=started and passes > 0, passes=passes, ms=ms)


def boots(logdir, name, n):
    """The boots 1..N of NAME in LOGDIR."""
    return [boot(os.path.join(logdir, "%s-%0*d" % (name, len(str(n)), i)))
            for i in range(1, n + 1)]


def tap(ok, what, text):
    return ("ok - " if ok else "not ok - ") + what + ": " + text


def stress_lines(bs, what):
    """The lines for the boots BS of the stress kernel."""
    n = len(bs)
    crashed = [b for b in bs if b["crashed"]]
    failing = [(b, k) for b in bs for k, st in b["ran"].items() if st not in ("PASS", "SKIP")]
    sizes = sorted({len(b["ran"]) for b in bs if not b["crashed"]})
    detail = ["%s: %s" % (b["name"], b["crashed"]) for b in crashed[:3]]
    detail += ["%s: %s %s" % (b["name"], k, b["ran"][k]) for b, k in failing[:3]]
    lines = [tap(not crashed and not failing and len(sizes) == 1, what,
                 "%d boots with compaction beside the suites: %d crashed, %d failing cases "
                 "in %d boots (%s cases each)%s" %
                 (n, len(crashed), len(failing), len({b["name"] for b, _ in failing}),
                  "/".join(map(str, sizes)) or "no",
                  "; " + "; ".join(detail) if detail else ""))]
    # Skips are no failures, but one that not every boot shows (a case
    # that could not get its page from compaction) is worth seeing.
    for k in sorted({k for b in bs for k, st in b["ran"].items() if st == "SKIP"}):
        lines.append("# %s: %s skipped in %d of %d boots" %
                     (what, k, sum(b["ran"].get(k) == "SKIP" for b in bs), n))
    nohammer = [b["name"] for b in bs if not b["hammer"]]
    passes, ms = sum(b["passes"] for b in bs), sum(b["ms"] for b in bs)
    lines.append(tap(not nohammer, what,
                     "the compaction thread ran in every boot, from before the suites to "
                     "the halt after them (%d passes over all nodes in all, at least %d a "
                     "boot, one every %d us)%s" %
                     (passes, min((b["passes"] for b in bs), default=0),
                      1000 * ms // passes if passes else 0,
                      "; not in " + ", ".join(nohammer) if nohammer else "")))
    return lines


def planted_lines(bs, what, catches):
    """The line for the boots BS of the kernel with the planted test,
    which names CATCHES."""
    def names(k):
        return k in catches or k.split("[")[0] in catches
    crashed = sum(1 for b in bs if b["crashed"])
    failed = sum(1 for b in bs if not b["crashed"] and
                 any(st == "FAIL" and names(k) for k, st in b["ran"].items()))
    return [tap(failed + crashed > 0, what,
                "the planted unsafe test (%s) caught in %d of %d boots (%d failed, %d crashed)"
                % (", ".join(catches), failed + crashed, len(bs), failed, crashed))]


def main(argv):
    logdir, name, n, what, catches = argv[0], argv[1], int(argv[2]), argv[3], argv[4:]
    bs = boots(logdir, name, n)
    lines = planted_lines(bs, what, catches) if catches else stress_lines(bs, what)
    print("\n".join(lines))
    return 1 if any(line.startswith("not ok") for line in lines) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
