#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The pseries CMM balloon end to end: a ppc64le pseries guest under QEMU
TCG whose Collaborative Memory Manager (arch/powerpc/platforms/pseries/
cmm.c, built in) runs with cmm.simulate=1, so that it loans pages without
a CMO hypervisor: plpar_page_set_loaned() returns at once, the pages are
still taken from the allocator and put in the balloon through the core
(balloon_page_enqueue(), which patch 1 makes mark them PG_offline).

    cmm.py --out DIR TREE...

TREE is series (bit 23 of /proc/kpageflags is KPF_OFFLINE, set on
PageOffline pages) or base (bit 23 is KPF_BALLOON, set on PageBalloon
pages); the kernel is DIR/cmm-TREE/vmlinux with DIR/cmm-TREE/initramfs.gz.
The loan target comes in through sysfs, as in simulation mode only:
/sys/devices/system/cmm/cmm0/simulate_loan_target_kb (cmm_get_mpp() takes
it instead of the hypervisor's loan request, once a second); loaned_kb
says what the balloon holds. Per tree, one boot:

  1. a loan of LOAN_MIB: loaned_kb reaches it, bit 23 is set on exactly
     that many more pages, MemTotal drops by as much;
  2. the loan returned (target 0): the count and MemTotal come back;
  3. the loan again beside a hog, which then goes: compaction migrates
     cmm's pages (cmm_migratepage(), balloon_page_insert() and
     balloon_page_finalize()) and the count stays exact; returned again,
     and balloon_inflate = balloon_deflate in /proc/vmstat;
  4. no Oops/BUG/WARNING/bad page in the console log.

One TAP line per check, then a table (also written to DIR/cmm.md).
"""

import argparse
import os
import re
import sys
import time

from guest import BIT, Checks, Guest, GuestError, log, write_report

GUEST_MIB = 512
LOAN_MIB = 128
HOG_MIB = 128
# cmm.c keeps min_mem_mb (256 MiB by default) out of any loan: 512 - 128
# leaves enough.
CMM = "/sys/devices/system/cmm/cmm0"
# what bit 23 of /proc/kpageflags is on each tree (include/uapi/linux/
# kernel-page-flags.h and stable_page_flags() in fs/proc/page.c)
MEANING = {"series": "KPF_OFFLINE (PageOffline)",
           "base": "KPF_BALLOON (PageBalloon)"}
# TCG ppc64: pseries machine with QEMU's Virtual Open Firmware instead of
# SLOF (the kernel's prom_init talks to it), the speculation capabilities
# TCG cannot provide turned off instead of warned about, one POWER9 CPU.
MACHINE = ("-machine", "pseries,accel=tcg,x-vof=on,cap-cfpc=broken,"
           "cap-sbbc=broken,cap-ibs=broken,cap-ccf-assist=off",
           "-cpu", "power9")
APPEND = ("console=hvc0 e2e.ctl=hvc1 cmm.simulate=1 panic=-1 quiet "
          "loglevel=6")
# VOF, unlike SLOF, does not format the machine's NVRAM, so the kernel
# finds it blank at boot and says so with a plain printk (nvram_64.c),
# not a WARN(): expected here, and no kernel problem.
BLANK_NVRAM = re.compile(r"WARNING: nvram corruption detected: "
                         r"0-length partition$")


def cmm_read(g, name):
    return int(g.sh("cat %s/%s" % (CMM, name)).strip())


def loan(g, kb, timeout=120):
    """Set the simulated loan target and wait until loaned_kb is there.
    Returns the seconds it took."""
    t0 = time.monotonic()
    g.sh("echo %d >%s/simulate_loan_target_kb" % (kb, CMM))
    while True:
        got = cmm_read(g, "loaned_kb")
        if got == kb:
            return time.monotonic() - t0
        if time.monotonic() - t0 > timeout:
            raise GuestError("cmm: loaned_kb %d, not %d, after %d s"
                             % (got, kb, timeout))
        time.sleep(0.5)


def count(g):
    return g.kpf_count()[0]


def scenario(out, tree, ok):
    """One boot of TREE; returns its figures."""
    name = "cmm-" + tree
    r = {"tree": tree, "meaning": MEANING[tree]}
    g = Guest(out, name, "cmm", mem_mib=GUEST_MIB, qemu="qemu-system-ppc64",
              machine=MACHINE, kernel=os.path.join(out, name, "vmlinux"),
              append=APPEND, devices=())
    with g.running(ok, "cmm %s: run" % tree):
        g.start(timeout=300)
        r["boot_s"] = round(g.boot_s, 1)
        ok(True, "cmm %s: pseries guest boots to /init and answers on hvc1 "
           "(%.1f s)" % (tree, g.boot_s))
        page_kb = int(g.sh("awk '/^KernelPageSize:/ {print $2; exit}' "
                           "/proc/self/smaps"))
        r["page_kb"] = page_kb
        files = g.sh("ls %s" % CMM).split()
        loaned0 = cmm_read(g, "loaned_kb")
        if not ok("simulate_loan_target_kb" in files and loaned0 == 0,
                  "cmm %s: cmm0 in simulation mode (simulate_loan_target_kb "
                  "in sysfs), nothing loaned at boot" % tree,
                  "files %s, loaned_kb %d" % (files, loaned0)):
            return r
        c0 = count(g)
        total0 = g.meminfo("MemTotal")
        i0, d0 = g.vmstat("balloon_inflate"), g.vmstat("balloon_deflate")
        r["before"] = c0
        pages = LOAN_MIB * 1024 // page_kb

        # 1. loaned
        r["loan_s"] = round(loan(g, LOAN_MIB * 1024), 1)
        c1, total1 = count(g), g.meminfo("MemTotal")
        r["loaned"] = c1
        r["memtotal_drop_kb"] = (total0 - total1) // 1024
        ok(c1 - c0 == pages,
           "cmm %s: loaned %d MiB: bit %d (%s) set on exactly %d more "
           "pages" % (tree, LOAN_MIB, BIT, MEANING[tree], pages),
           "expected %d + %d, found %d" % (c0, pages, c1))
        ok(total0 - total1 == LOAN_MIB << 20,
           "cmm %s: MemTotal drops by %d MiB" % (tree, LOAN_MIB),
           "%d -> %d kB" % (total0 // 1024, total1 // 1024))

        # 2. returned
        r["return_s"] = round(loan(g, 0), 1)
        c2 = count(g)
        r["returned"] = c2
        ok(c2 == c0, "cmm %s: loan returned: bit %d back to %d"
           % (tree, BIT, c0), "found %d" % c2)
        ok(g.meminfo("MemTotal") == total0,
           "cmm %s: MemTotal back after the loan is returned" % tree)

        # 3. compaction migrates loaned pages: a hog allocated before the
        # loan and killed after leaves holes among cmm's pages
        g.sh("hog %d >/tmp/hog.log 2>&1 & echo $! >/tmp/hog.pid" % HOG_MIB)
        g.sh("i=0; until grep -q resident /tmp/hog.log; do "
             "i=$((i+1)); [ $i -lt 600 ] || exit 1; sleep 0.1; done")
        loan(g, LOAN_MIB * 1024)
        g.sh("kill $(cat /tmp/hog.pid); sleep 0.5")
        m0 = g.vmstat("balloon_migrate")
        g.sh("echo 1 >/proc/sys/vm/compact_memory", timeout=600)
        m1 = g.vmstat("balloon_migrate")
        cm = count(g)
        r["migrated"] = m1 - m0
        r["after_compaction"] = cm
        ok(m1 > m0, "cmm %s: compaction migrated loaned pages through "
           "cmm_migratepage() (%d)" % (tree, m1 - m0),
           "balloon_migrate %d -> %d" % (m0, m1))
        ok(cm - c0 == pages and cmm_read(g, "loaned_kb") == LOAN_MIB * 1024,
           "cmm %s: bit %d still on exactly %d pages after compaction"
           % (tree, BIT, pages), "found %d" % (cm - c0))
        loan(g, 0)
        c3 = count(g)
        r["returned_migrated"] = c3
        ok(c3 == c0 and g.meminfo("MemTotal") == total0,
           "cmm %s: migrated loan returned: bit %d back to %d, MemTotal "
           "back" % (tree, BIT, c0), "found %d" % c3)
        bi = g.vmstat("balloon_inflate") - i0
        bd = g.vmstat("balloon_deflate") - d0
        r["inflated_pages"], r["deflated_pages"] = bi, bd
        ok(bi == bd == 2 * pages,
           "cmm %s: balloon_inflate = balloon_deflate = %d (two loans)"
           % (tree, 2 * pages), "inflate %d, deflate %d" % (bi, bd))
    g.check_log(ok, "cmm %s: no kernel problem in the console log (%s)"
                % (tree, os.path.relpath(g.console)), ignore=BLANK_NVRAM)
    return r


def table(results):
    """The figures as a Markdown table, one row per tree."""
    rows = ["| kernel | bit 23 is | page | bit 23 at boot | loaned "
            "%d MiB | MemTotal drop | returned | compaction migrated | "
            "after compaction | returned | boot |" % LOAN_MIB,
            "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|"]
    for r in results:
        def v(key, fmt="%s"):
            return fmt % r[key] if key in r else "-"
        rows.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | "
                    "%s |" % (r["tree"], r["meaning"],
                              v("page_kb", "%d kB"), v("before"),
                              v("loaned"), v("memtotal_drop_kb", "%d kB"),
                              v("returned"), v("migrated"),
                              v("after_compaction"), v("returned_migrated"),
                              v("boot_s", "%s s")))
    return "\n".join(rows) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("trees", nargs="+", choices=("series", "base"))
    args = ap.parse_args()
    ok = Checks()
    results = []
    for tree in args.trees:
        log("%s: pseries cmm scenario" % tree)
        results.append(scenario(args.out, tree, ok))
    return write_report(args.out, "cmm", table(results), results, ok)


if __name__ == "__main__":
    sys.exit(main())
