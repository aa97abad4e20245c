#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The two-node scenario of the mainline series: NR_BALLOON_PAGES per node
when memory offlining migrates the balloon's pages to another node.

    twonode.py --out DIR TREE...

TREE is base (the kernel without the accounting fix: pristine 7.3.4) or
series (the mainline series, the fix first). Each boots under TCG with two
NUMA nodes (node 0: 512 MiB and the CPU; node 1: 128 MiB), then:

  1. a 512 MiB pc-dimm is hot-added to node 1 through QMP and its memory
     blocks are onlined movable through sysfs;
  2. a hog fills node 0, the virtio balloon inflates by INFLATE_MIB (so
     its pages land on node 1, most in the DIMM), the hog goes;
  3. the DIMM's blocks are offlined through sysfs: offline_pages()
     migrates the balloon's pages off node 1, through the real
     balloon_page_migrate(), to node 0;
  4. the balloon deflates completely.

After steps 2, 3 and 4 it reads "Balloon:" of each node
(/sys/devices/system/node/nodeN/meminfo) and of /proc/meminfo, and counts
the pages the balloon really holds on each node: the pages with
KPF_OFFLINE (bit 23) in the node's online memory blocks. With the fix,
every node's figure is what it holds at every step. Without it the global
figure stays right but the migrated pages stay counted on node 1, whose
memory is gone, and node 0 is short by as many (clamped at 0 when read):
the base tree must show exactly that, or the scenario did not reach the
bug. One TAP line per check, then the table (also written to
DIR/twonode.md).
"""

import argparse
import os
import sys

from guest import (BIT, MiB, PAGE, Checks, Guest, log,
                   write_report)

NODE0_MIB = 512
NODE1_MIB = 128
DIMM_MIB = 512
INFLATE_MIB = 256
# What the hog leaves free on node 0: below the low watermark's reach, so
# that the balloon's allocations fall back to node 1.
NODE0_LEFT_MIB = 24
# At least this share of the inflated pages must sit in the DIMM, or
# offlining it proves little.
MIN_IN_DIMM = 0.5
# The tree without the fix; every other tree has it.
UNFIXED = "base"

TRUTH = r"""
bs=$(( 0x$(cat /sys/devices/system/memory/block_size_bytes) / %d ))
for n in 0 1; do
	t=0
	for m in /sys/devices/system/node/node$n/memory[0-9]*; do
		[ "$(cat $m/state)" = online ] || continue
		i=${m##*/memory}
		set -- $(kpf-count %d $((i * bs)) $bs)
		t=$((t + $1))
	done
	echo "$n $t"
done
""" % (PAGE, BIT)


def node_blocks(g, node):
    out = g.sh("cd /sys/devices/system/node/node%d && ls -d memory[0-9]* "
               "2>/dev/null || true" % node)
    return sorted(int(m[len("memory"):]) for m in out.split())


def figures(g):
    """Balloon: of each node and of the whole machine, in pages, and the
    pages the balloon holds on each node (bit 23 in its online blocks).
    The counters are read after /proc/sys/vm/stat_refresh has folded
    every CPU's pending deltas into them, so that they are exact."""
    g.sh("echo 1 >/proc/sys/vm/stat_refresh")
    f = {}
    for n in (0, 1):
        out = g.sh("grep ' Balloon:' /sys/devices/system/node/node%d/meminfo"
                   % n)
        f["node%d" % n] = int(out.split()[3]) * 1024 // PAGE
    f["global"] = g.meminfo("Balloon") // PAGE
    for line in g.sh(TRUTH).splitlines():
        n, pages = line.split()
        f["held%s" % n] = int(pages)
    f["migrate"] = g.vmstat("balloon_migrate")
    return f


def scenario(out, tree, ok):
    """One boot of TREE; returns the figures at each step (or None)."""
    numa = ["-object", "memory-backend-ram,id=mem0,size=%dM" % NODE0_MIB,
            "-numa", "node,nodeid=0,cpus=0,memdev=mem0",
            "-object", "memory-backend-ram,id=mem1,size=%dM" % NODE1_MIB,
            "-numa", "node,nodeid=1,memdev=mem1"]
    ram = NODE0_MIB + NODE1_MIB
    g = Guest(out, tree, "twonode", mem_mib=ram,
              memory="%dM,slots=2,maxmem=%dM" % (ram, ram + 2 * DIMM_MIB),
              extra=numa)
    steps = {}
    with g.running(ok, "%s: two-node scenario ran to the end" % tree):
        g.start()
        blocks1 = node_blocks(g, 1)
        # 1. the DIMM on node 1, onlined movable
        g.command("object-add", **{"qom-type": "memory-backend-ram",
                                   "id": "dimm1mem", "size": DIMM_MIB * MiB})
        g.command("device_add", driver="pc-dimm", id="dimm1",
                  memdev="dimm1mem", node=1)
        bs = int(g.sh("cat /sys/devices/system/memory/block_size_bytes"),
                 16)
        want = DIMM_MIB * MiB // bs
        g.sh("i=0; while [ $(ls -d /sys/devices/system/node/node1/"
             "memory[0-9]* | wc -l) -lt %d ]; do i=$((i+1)); "
             "[ $i -lt 300 ] || exit 1; sleep 0.1; done"
             % (len(blocks1) + want))
        dimm = sorted(set(node_blocks(g, 1)) - set(blocks1))
        for b in dimm:
            g.sh("echo online_movable >/sys/devices/system/memory/memory%d/"
                 "state" % b)
        zones = g.sh("for b in %s; do cat /sys/devices/system/memory/"
                     "memory$b/valid_zones; done"
                     % " ".join(str(b) for b in dimm)).split()
        if not ok(len(dimm) == want and zones == ["Movable"] * want,
                  "%s: a %d MiB pc-dimm hot-added to node 1, its %d blocks "
                  "onlined movable" % (tree, DIMM_MIB, want),
                  "blocks %s, zones %s" % (dimm, zones)):
            return None
        full = g.actual()

        # 2. node 0 full, the balloon inflated onto node 1
        free0 = int(g.sh("grep MemFree /sys/devices/system/node/node0/"
                         "meminfo").split()[3]) // 1024
        hog = max(free0 - NODE0_LEFT_MIB, 0)
        g.sh("hog %d >/tmp/hog.log 2>&1 & echo $! >/tmp/hog.pid" % hog)
        g.sh("i=0; until grep -q resident /tmp/hog.log; do i=$((i+1)); "
             "[ $i -lt 600 ] || exit 1; sleep 0.1; done")
        g.balloon(full - INFLATE_MIB * MiB)
        g.sh("kill $(cat /tmp/hog.pid); wait 2>/dev/null; sleep 0.5")
        steps["inflated"] = f = figures(g)
        in_dimm = 0
        for b in dimm:
            in_dimm += int(g.sh("kpf-count %d %d %d" % (
                BIT, b * bs // PAGE, bs // PAGE)).split()[0])
        pages = INFLATE_MIB * MiB // PAGE
        f["dimm"] = in_dimm
        ok(f["global"] == pages and f["held0"] + f["held1"] == pages,
           "%s: inflated %d MiB: Balloon: %d pages, %d pages with bit %d"
           % (tree, INFLATE_MIB, pages, pages, BIT),
           "Balloon: %d, bit %d on %d + %d" % (f["global"], BIT, f["held0"],
                                              f["held1"]))
        if not ok(in_dimm >= MIN_IN_DIMM * pages,
                  "%s: at least %d%% of the balloon's pages in the DIMM "
                  "(node 1)" % (tree, MIN_IN_DIMM * 100),
                  "%d of %d" % (in_dimm, pages)):
            return steps
        ok(f["node0"] == f["held0"] and f["node1"] == f["held1"],
           "%s: before offlining, each node's Balloon: is what the balloon "
           "holds there" % tree,
           "node 0 says %d holds %d, node 1 says %d holds %d"
           % (f["node0"], f["held0"], f["node1"], f["held1"]))

        # 3. the DIMM offlined: its balloon pages migrate to node 0
        failed = []
        for b in dimm:
            rc, outp = g.chan.call(
                "i=0; until echo offline >/sys/devices/system/memory/"
                "memory%d/state; do i=$((i+1)); [ $i -lt 10 ] || exit 1; "
                "sleep 1; done" % b, 300)
            if rc:
                failed.append("%d: %s" % (b, outp.strip()))
        if not ok(not failed, "%s: the DIMM's %d blocks offlined through "
                  "sysfs" % (tree, len(dimm)), "; ".join(failed)):
            return steps
        steps["offlined"] = f = figures(g)
        moved = f["migrate"] - steps["inflated"]["migrate"]
        ok(moved >= in_dimm and f["held1"] + f["held0"] == pages,
           "%s: offlining migrated the %d balloon pages in the DIMM "
           "(balloon_migrate +%d), the balloon still holds %d"
           % (tree, in_dimm, moved, pages),
           "balloon_migrate +%d, holds %d + %d"
           % (moved, f["held0"], f["held1"]))
        ok(f["global"] == pages, "%s: after offlining, Balloon: is still "
           "%d pages" % (tree, pages), "found %d" % f["global"])
        right = f["node0"] == f["held0"] and f["node1"] == f["held1"]
        detail = ("node 0 says %d holds %d, node 1 says %d holds %d"
                  % (f["node0"], f["held0"], f["node1"], f["held1"]))
        if tree == UNFIXED:
            ok(not right and f["node1"] > f["held1"],
               "%s: without the fix, node 1 still counts the pages that "
               "left it (the bug, reproduced: %s)" % (tree, detail),
               "the figures are right: the scenario did not reach the bug")
        else:
            ok(right, "%s: after offlining, each node's Balloon: is what the "
               "balloon holds there" % tree, detail)

        # 4. deflated
        g.balloon(full)
        steps["deflated"] = f = figures(g)
        ok(f["global"] == 0 and f["held0"] + f["held1"] == 0,
           "%s: deflated: Balloon: 0, no page with bit %d" % (tree, BIT),
           "Balloon: %d, bit %d on %d" % (f["global"], BIT,
                                          f["held0"] + f["held1"]))
        if tree == UNFIXED:
            ok(f["node1"] > 0, "%s: without the fix, node 1 says %d pages "
               "are still in the balloon after deflating" % (tree,
                                                             f["node1"]),
               "node 1 says 0")
        else:
            ok(f["node0"] == 0 and f["node1"] == 0,
               "%s: deflated: every node's Balloon: is 0" % tree,
               "node 0 says %d, node 1 says %d" % (f["node0"], f["node1"]))
    g.check_log(ok, "%s: no kernel problem in the console log (%s)"
                % (tree, os.path.relpath(g.console)))
    return steps


def table(results):
    """The figures as a Markdown table, in kB as meminfo shows them."""
    rows = ["| kernel | step | node 0 Balloon: | node 0 holds | "
            "node 1 Balloon: | node 1 holds | Balloon: (global) |",
            "|---|---|--:|--:|--:|--:|--:|"]
    names = {"base": "7.3.4, no fix", "series": "7.3.4 + fix"}
    kb = PAGE // 1024
    for tree, steps in results.items():
        for step in ("inflated", "offlined", "deflated"):
            f = steps.get(step)
            if not f:
                continue
            rows.append("| %s | %s | %d kB | %d kB | %d kB | %d kB | %d kB |"
                        % (names.get(tree, tree), step, f["node0"] * kb,
                           f["held0"] * kb, f["node1"] * kb,
                           f["held1"] * kb, f["global"] * kb))
    return "\n".join(rows) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("trees", nargs="+", choices=("base", "series"))
    args = ap.parse_args()
    ok = Checks()
    results = {}
    for tree in args.trees:
        log("%s: two-node scenario" % tree)
        results[tree] = scenario(args.out, tree, ok) or {}
    return write_report(args.out, "twonode", table(results), results, ok)


if __name__ == "__main__":
    sys.exit(main())
