# SPDX-License-Identifier: GPL-2.0
"""Kernel reports (crashes, warnings, sanitizer findings) in a kernel log:
the one list of what counts as one, by kind.

Usage: python3 -m pylib.reports boot LOG
    the report lines LOG holds before its KUnit output starts (all of
    them if it has none), without timestamps, offsets and addresses: two
    boots of the same kernel print the same lines (scripts/kunit compares
    a run's boot with one that runs no suite)
"""

import re
import sys

# (kind, regular expression): the kinds of report looked for in a log, in
# the order the KUnit stage prints its lines.
KINDS = [
    ("KASAN", r"BUG: KASAN|KASAN: "),
    ("lockdep", r"possible (circular|recursive) locking|inconsistent lock state|"
                r"INFO: lockdep|suspicious RCU usage|BUG: sleeping function"),
    ("bad page", r"BUG: Bad page|Bad page state|Bad page map|page dumped because"),
    ("list corruption", r"list_(add|del) corruption|list corruption"),
    ("BUG/WARNING/Oops", r"kernel BUG at|BUG: |WARNING: |Oops|Kernel panic|"
                         r"UBSAN: |general protection fault"),
]

# A line that is a report of any kind.
ANY = re.compile("|".join("(?:%s)" % rx for _, rx in KINDS))

# A line that shows a problem in a whole console log (e2e guests): a report
# of any kind, a call trace, bad_page() in one, or running out of memory
# (the caller leaves out an OOM kill's own report, which it expects). The
# looser "BUG:", "kernel BUG", "Bad page" and "general protection" keep
# every line that e2e's own pattern took before it used this one.
CONSOLE = re.compile(ANY.pattern + r"|BUG:|kernel BUG|Bad page|general protection|"
                     r"Call Trace|bad_page|Out of memory")

# A report line while booting, for the boot check of scripts/kunit (are
# they the same without the suites?). It takes "corruption" anywhere and
# lockdep's report texts; not "lockdep" anywhere, which matched the
# informational "RCU lockdep checking is enabled." of every debug kernel
# and made each debug run boot a second time for nothing.
BOOT = re.compile(r"BUG: |WARNING: |KASAN: |Oops|Kernel panic|UBSAN: |"
                  r"Bad page|corruption|" + dict(KINDS)["lockdep"])

# The first line of a KUnit run's output.
KTAP_START = re.compile(r"\b(KTAP|TAP) version")


def ktap_start(lines):
    """The index of the first line of the KUnit output in LINES, or None."""
    for i, line in enumerate(lines):
        if KTAP_START.search(line):
            return i
    return None


def is_report(line):
    return ANY.search(line) is not None


def find(lines):
    """[(kind, [lines of that kind])] for every kind, in order."""
    return [(kind, [l for l in lines if re.search(rx, l)]) for kind, rx in KINDS]


def normalize(line):
    """LINE without its timestamp, code offsets (+0x1f/0x80) and addresses:
    what stays the same from one boot to the next."""
    line = re.sub(r"^\[[^]]*\] *", "", line)
    line = re.sub(r"\+0x[0-9a-f]*/0x[0-9a-f]*", "", line)
    return re.sub(r"0x[0-9a-f]*", "", line)


def boot_reports(lines):
    """The report lines before the KUnit output (all when there is none),
    normalized."""
    start = ktap_start(lines)
    return [normalize(l) for l in lines[:start] if BOOT.search(l)]


def read_lines(path):
    """The lines of the log at PATH, split at newlines only (a console log
    may hold carriage returns inside a line)."""
    with open(path, errors="replace", newline="") as f:
        return f.read().split("\n")


def main(argv):
    if len(argv) != 2 or argv[0] != "boot":
        sys.exit("usage: python3 -m pylib.reports boot LOG")
    for line in boot_reports(read_lines(argv[1])):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
