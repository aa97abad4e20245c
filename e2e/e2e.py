#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Host side of the end-to-end test: boot the guests built by scripts/e2e,
drive the virtio-balloon through QMP and the guest through its control
channel (ttyS1, framed: see ctl.py and agent.c), and print one TAP line per
check.

    e2e.py check --out DIR TREE...
    e2e.py bench --out DIR [--rounds N] TREE...
    e2e.py faults --out DIR [--seed N] [--commands N] TREE
    e2e.py repeat --out DIR [--runs N] TREE
"""

import argparse
import json
import os
import signal
import statistics
import sys
import time

import ctl
from ctl import ChannelError
from guest import BIT, GUEST_MIB, MiB, PAGE, Checks, Guest, GuestError, log

INFLATE_MIB = 512         # what the basic check inflates by
HOG_MIB = 256             # anonymous memory kept busy during that
# Under pressure: inflate to within this of RAM. With the hog alive the
# balloon cannot get there and memory runs out; once the OOM killer has
# killed the hog, it can, and stops with memory to spare. A target the
# guest can never reach (it was 64 MiB) lets the balloon take the hog's
# memory too, and the next fork finds nothing left to kill: "Out of memory
# and no killable processes", a panic of the test, not of the series.
PRESSURE_LEFT_MIB = HOG_MIB + 64
FLAG_NAME = {"series": "offline", "upstream": "offline", "base": "balloon"}
# Fault injection during the pressured inflation: every INTERVALth page
# allocation fails, TIMES times in all.
FAIL_INTERVAL = 997
FAIL_TIMES = 40


def pressure(g, tree, ok, r, c0, total0, free0):
    """The pressure scenario: a hog, fail_page_alloc and an inflation to
    within PRESSURE_LEFT_MIB of the guest's memory; then everything must
    come back. C0, TOTAL0 and FREE0 are the bit 23 count, MemTotal and free
    memory at boot."""
    mem = g.mem
    g.sh("hog %d >/tmp/hog.log 2>&1 & echo $! >/tmp/hog.pid" % HOG_MIB)
    g.sh("i=0; until grep -q resident /tmp/hog.log; do "
         "i=$((i+1)); [ $i -lt 600 ] || exit 1; sleep 0.1; done")
    fa = "/sys/kernel/debug/fail_page_alloc"
    g.sh("cd %s && echo N >ignore-gfp-highmem && echo N >ignore-gfp-wait"
         " && echo 0 >min-order && echo 0 >verbose && echo %d >interval"
         " && echo %d >times && echo 100 >probability"
         % (fa, FAIL_INTERVAL, FAIL_TIMES))
    target = PRESSURE_LEFT_MIB * MiB
    got = g.balloon_settle(target)
    # stop the driver where it got to, then look
    g.balloon(got)
    left = None
    for _ in range(20):   # the shell may itself hit an injected failure
        try:
            g.sh("echo 0 >%s/probability" % fa)
            left = int(g.sh("cat %s/times" % fa))
            break
        except GuestError:
            time.sleep(0.2)
    injected = FAIL_TIMES - left if left is not None else -1
    c3, _ = g.kpf_count()
    want = (mem - got) // PAGE
    r["pressure_actual"] = got
    r["pressure_offline"] = c3 - c0
    r["pressure_injected"] = injected
    ok(injected > 0, "%s: fail_page_alloc injected failures during "
       "inflation (%d)" % (tree, injected))
    ok(c3 - c0 == want,
       "%s: under pressure, offline pages = what the device reports "
       "inflated (%d pages, actual %d MiB)" % (tree, want, got // MiB),
       "kpageflags %d, device %d" % (c3 - c0, want))
    g.sh("kill $(cat /tmp/hog.pid); wait 2>/dev/null; sleep 0.5")
    g.balloon(mem)
    c4, _ = g.kpf_count()
    total4 = g.meminfo("MemTotal")
    free4 = g.free()
    r["free_before"] = free0
    r["free_after"] = free4
    ok(c4 == c0 and total4 == total0,
       "%s: after deflating: bit %d count %d, MemTotal %d kB as before"
       % (tree, BIT, c0, total0 // 1024),
       "count %d, MemTotal %d kB" % (c4, total4 // 1024))
    bi, bd = g.vmstat("balloon_inflate"), g.vmstat("balloon_deflate")
    r["vmstat"] = [bi, bd]
    r["migrated"] = g.vmstat("balloon_migrate")
    # nothing leaked: every inflated page came back, and free memory
    # (with the per-cpu lists) is where it was at boot, within a few
    # MiB of slab and page table noise
    ok(bi == bd and bi > 0 and abs(free4 - free0) < 4 * MiB,
       "%s: nothing leaked (balloon_inflate %d = balloon_deflate %d, "
       "free %d -> %d kB)" % (tree, bi, bd, free0 // 1024,
                              free4 // 1024))


def check_tree(out, tree, ok):
    """All checks on one tree, in one boot. Returns the figures."""
    r = {"tree": tree}
    g = Guest(out, tree, "check")
    name = FLAG_NAME[tree]
    infl_pages = INFLATE_MIB * MiB // PAGE
    with g.running(ok, "%s: end-to-end run" % tree):
        g.start()
        r["boot_s"] = round(g.boot_s, 2)
        ok(True, "%s: boots to /init and answers (%.1f s)" % (tree, g.boot_s))

        mem = g.mem
        ok(g.actual() == mem, "%s: balloon device reports %d MiB before "
           "inflating" % (tree, GUEST_MIB), "actual %d" % g.actual())
        total0 = g.meminfo("MemTotal")
        free0 = g.free()
        c0, npages = g.kpf_count()
        r["pages"] = npages
        p0, _ = g.page_types()
        r["before"] = c0
        mu0, mu0_sum = g.mem_usage()
        r["mem_usage_before"] = mu0_sum

        # -- inflate by INFLATE_MIB --------------------------------------
        secs = g.balloon(mem - INFLATE_MIB * MiB)
        r["inflate_s"] = round(secs, 3)
        c1, _ = g.kpf_count()
        p1, pname = g.page_types()
        total1 = g.meminfo("MemTotal")
        r["inflated"] = c1
        r["name"] = pname
        ok(c1 - c0 == infl_pages,
           "%s: bit %d set on exactly %d more pages after inflating %d MiB "
           "(/proc/kpageflags)" % (tree, BIT, infl_pages, INFLATE_MIB),
           "expected %d + %d, found %d" % (c0, infl_pages, c1))
        ok(p0 == c0 and p1 == c1, "%s: page-types counts the same pages "
           "(%d before, %d inflated)" % (tree, c0, c1),
           "page-types %d/%d, kpageflags %d/%d" % (p0, p1, c0, c1))
        ok(pname == name, "%s: page-types names bit %d '%s'"
           % (tree, BIT, name), "found %r" % pname)
        ok(total0 - total1 == INFLATE_MIB * MiB,
           "%s: MemTotal drops by %d MiB" % (tree, INFLATE_MIB),
           "%d -> %d" % (total0, total1))

        mu1, mu1_sum = g.mem_usage()
        drop = mu0_sum - mu1_sum
        r["mem_usage_after"] = mu1_sum
        r["mem_usage_drop"] = drop
        r["mem_usage_rows"] = {"before": mu0, "after": mu1}
        if tree == "base":
            ok(drop != infl_pages,
               "%s: makedumpfile --mem-usage still counts the balloon pages "
               "(rows %d -> %d, drop %d)" % (tree, mu0_sum, mu1_sum, drop),
               "dropped by the inflated %d pages" % infl_pages)
        else:
            ok(drop == infl_pages,
               "%s: makedumpfile --mem-usage rows drop by exactly %d pages "
               "(%d -> %d)" % (tree, infl_pages, mu0_sum, mu1_sum),
               "drop %d" % drop)

        # -- deflate ----------------------------------------------------------
        secs = g.balloon(mem)
        r["deflate_s"] = round(secs, 3)
        c2, _ = g.kpf_count()
        r["deflated"] = c2
        ok(c2 == c0, "%s: bit %d count back to %d after deflating"
           % (tree, BIT, c0), "found %d" % c2)
        ok(g.meminfo("MemTotal") == total0, "%s: MemTotal back after "
           "deflating" % tree)

        # -- compaction migrates balloon pages: still exactly as many --------
        # A hog allocated before inflating and killed after leaves holes
        # among the balloon pages for compaction to move them into.
        g.sh("hog 128 >/tmp/hog.log 2>&1 & echo $! >/tmp/hog.pid")
        g.sh("i=0; until grep -q resident /tmp/hog.log; do "
             "i=$((i+1)); [ $i -lt 600 ] || exit 1; sleep 0.1; done")
        g.balloon(mem - INFLATE_MIB * MiB)
        g.sh("kill $(cat /tmp/hog.pid); sleep 0.5")
        m0 = g.vmstat("balloon_migrate")
        g.sh("echo 1 >/proc/sys/vm/compact_memory")
        m1 = g.vmstat("balloon_migrate")
        cm, _ = g.kpf_count()
        pm, _ = g.page_types()
        r["compaction_migrated"] = m1 - m0
        ok(m1 > m0, "%s: compaction migrated balloon pages (%d)"
           % (tree, m1 - m0), "balloon_migrate %d -> %d" % (m0, m1))
        ok(cm - c0 == infl_pages and pm == cm,
           "%s: bit %d still on exactly %d pages after compaction"
           % (tree, BIT, infl_pages),
           "kpageflags %d, page-types %d" % (cm, pm))
        g.balloon(mem)
        cd, _ = g.kpf_count()
        ok(cd == c0, "%s: bit %d count back to %d after deflating the "
           "migrated balloon" % (tree, BIT, c0), "found %d" % cd)

        pressure(g, tree, ok, r, c0, total0, free0)
    r["log_problems"], r["oom_kills"] = g.check_log(
        ok, "%s: no oops/BUG/bad page in the guest log" % tree, oom_ok=True)
    with open(os.path.join(out, tree, "result.json"), "w") as f:
        json.dump(r, f, indent=1)
    return r


def table(results):
    cols = [r["tree"] for r in results]
    rows = [
        ("bit 23 before", "before"),
        ("after inflating %d MiB" % INFLATE_MIB, "inflated"),
        ("after deflating", "deflated"),
        ("page-types name", "name"),
        ("mem-usage rows before", "mem_usage_before"),
        ("mem-usage rows inflated", "mem_usage_after"),
        ("mem-usage drop", "mem_usage_drop"),
        ("pressure: actual MiB", "pressure_actual"),
        ("pressure: offline pages", "pressure_offline"),
        ("pressure: injected fails", "pressure_injected"),
        ("pressure: OOM kills", "oom_kills"),
        ("compaction: migrated", "compaction_migrated"),
        ("balloon_migrate total", "migrated"),
    ]
    w = max(len(t) for t, _ in rows)
    lines = ["%-*s" % (w, "") + "".join("%12s" % c for c in cols)]
    for title, key in rows:
        vals = []
        for r in results:
            v = r.get(key, "-")
            if key == "pressure_actual" and isinstance(v, int):
                v = v // MiB
            vals.append("%12s" % v)
        lines.append("%-*s" % (w, title) + "".join(vals))
    return "\n".join(lines)


def do_check(args):
    ok = Checks()
    results = [check_tree(args.out, t, ok) for t in args.trees]
    if len(results) > 1:
        counts = {r["tree"]: r.get("inflated", -1) - r.get("before", 0)
                  for r in results}
        ok(len(set(counts.values())) == 1,
           "the inflated count is the same on %s" % ", ".join(counts),
           str(counts))
    print(table(results))
    return 1 if ok.failed else 0


def do_bench(args):
    guests = {}
    try:
        for t in args.trees:
            guests[t] = Guest(args.out, t, "bench")
            guests[t].start()
        pages = INFLATE_MIB * MiB // PAGE
        data = {t: {"inflate": [], "deflate": [], "page_types_ms": []}
                for t in args.trees}
        for rnd in range(args.rounds):
            # alternate which tree goes first, so neither always follows
            # the other
            order = args.trees if rnd % 2 == 0 else args.trees[::-1]
            for t in order:
                g = guests[t]
                mem = g.mem
                si = g.balloon(mem - INFLATE_MIB * MiB, poll=0.002)
                # ten reads in a row: the guest clock ticks in 4 ms steps
                us = int(g.sh("timeit sh -c 'for i in 0 1 2 3 4 5 6 7 8 9; "
                              "do page-types -r; done'").split()[0]) / 10
                sd = g.balloon(mem, poll=0.002)
                data[t]["inflate"].append(pages / si)
                data[t]["deflate"].append(pages / sd)
                data[t]["page_types_ms"].append(us / 1000)
                log("round %d %-8s inflate %8.0f pages/s, deflate %8.0f "
                    "pages/s, page-types %.1f ms"
                    % (rnd + 1, t, pages / si, pages / sd, us / 1000))
    finally:
        for g in guests.values():
            g.stop()
    print("bench: %d rounds, %d MiB (%d pages) per inflation, guests of "
          "%d MiB, alternating %s (first one swapped each round)" % (args.rounds, INFLATE_MIB, pages,
                                      GUEST_MIB, " / ".join(args.trees)))
    hdr = "%-22s" % "median" + "".join("%12s" % t for t in args.trees)
    if len(args.trees) == 2:
        hdr += "%14s" % ("%s/%s" % (args.trees[1], args.trees[0]))
    print(hdr)
    for key, title in (("inflate", "inflate pages/s"),
                       ("deflate", "deflate pages/s"),
                       ("page_types_ms", "page-types -r, ms")):
        med = [statistics.median(data[t][key]) for t in args.trees]
        line = "%-22s" % title + "".join("%12.1f" % m for m in med)
        if len(med) == 2:
            line += "%14.3f" % (med[1] / med[0])
        print(line)
    for t in args.trees:
        for key in data[t]:
            print("raw %s %s: %s" % (t, key, " ".join(
                "%.1f" % v for v in data[t][key])))
    with open(os.path.join(args.out, "bench.json"), "w") as f:
        json.dump(data, f, indent=1)
    return 0


def do_faults(args):
    """The control channel behind FaultyLink, against a real guest: a
    batch of commands whose outputs are known, and guest readings compared
    with what the clean channel read. Every damaged frame must be detected
    and sent again: no wrong result, no command run twice."""
    ok = Checks()
    tree = args.trees[0]
    g = Guest(args.out, tree, "faults", fault_seed=args.seed)
    t0 = time.monotonic()
    wrong, readings = [], 0
    with g.running(ok, "%s: channel faults run" % tree):
        g.start()                   # the hello comes through the faults
        g.link.active = False       # reference readings: clean
        ref = {c: g.sh(c) for c in ("kpf-count %d" % BIT,
                                    "grep MemTotal /proc/meminfo")}
        g.sh("rm -f /tmp/run.log")
        g.link.active = True
        for i, (cmd, rc, want) in enumerate(
                ctl.known_batch(args.commands, "/tmp/run.log"), 1):
            got = g.chan.call(cmd, timeout=120)
            if got != (rc, want):
                wrong.append((cmd, got))
            if i % 10 == 0:
                for c, w in ref.items():
                    readings += 1
                    got = g.chan.call(c, timeout=120)
                    if got != (0, w):
                        wrong.append((c, got))
        g.link.active = False
        ran = [int(x) for x in g.sh("cat /tmp/run.log").split()]
        secs = time.monotonic() - t0
        link, st = g.link, g.chan.stats
        up_frames = set(link.up.originals)
        forged = [f for f in st.accepted if f not in up_frames]
        print("# faults: seed %d, %d commands + %d guest readings, %.1f s"
              % (args.seed, args.commands, readings, secs))
        print("# faults: " + link.report())
        print("# faults: host: " + str(st))
        ok(link.down.damaged() > 0 and link.up.damaged() > 0,
           "%s: channel faults: frames damaged both ways (%d of %d "
           "host->guest, %d of %d guest->host)"
           % (tree, link.down.damaged(), link.down.frames,
              link.up.damaged(), link.up.frames))
        ok(not wrong, "%s: channel faults: %d commands and %d readings of "
           "kpf-count and MemTotal, wrong results: %d"
           % (tree, args.commands, readings, len(wrong)), str(wrong[:3]))
        ok(ran == list(range(1, args.commands + 1)),
           "%s: channel faults: each command ran exactly once, in order"
           % tree, "log %s" % ran[:20])
        ok(not forged, "%s: channel faults: every frame accepted (%d) is "
           "byte for byte one the agent sent" % (tree, len(st.accepted)),
           "%d not: %r" % (len(forged), forged[:2]))
    return 1 if ok.failed else 0


def do_repeat(args):
    """The pressure scenario RUNS times in a row on one tree, a fresh boot
    each time. A run whose checks fail is a kernel failure; a run that the
    harness could not finish (channel, QMP or a guest command) is a harness
    failure."""
    tree = args.trees[0]
    harness, kernel, passed = [], [], 0
    t0 = time.monotonic()
    for n in range(1, args.runs + 1):
        ok = Checks()
        r = {}
        g = Guest(args.out, tree, "repeat")
        t1 = time.monotonic()
        err = None
        st = None
        try:
            g.start()
            st = g.chan.stats
            c0, _ = g.kpf_count()
            pressure(g, tree, ok, r, c0, g.meminfo("MemTotal"), g.free())
        except (GuestError, ChannelError) as e:
            err = str(e)
        finally:
            g.stop()
        _, kills = g.check_log(ok, "%s: no oops/BUG/bad page in the guest "
                               "log" % tree, oom_ok=True)
        what = "%s: pressure run %d of %d (%.0f s, actual %s MiB, %d "\
            "injected, %d OOM kills; channel: %s)" % (
                tree, n, args.runs, time.monotonic() - t1,
                r.get("pressure_actual", 0) // MiB,
                r.get("pressure_injected", -1), kills, st)
        if err is not None or ok.failed:
            # keep the failed run's console log; the next boot overwrites
            os.replace(g.console, "%s.run-%d" % (g.console, n))
        if err is not None:
            harness.append(n)
            print("not ok - %s: harness: %s" % (what, err), flush=True)
        elif ok.failed:
            kernel.append(n)
            print("not ok - %s: %d kernel check(s) failed" % (what,
                                                            ok.failed),
                  flush=True)
        else:
            passed += 1
            print("ok - " + what, flush=True)
    print("# repeat: %s, %d runs in %.0f s: %d passed, %d harness failures "
          "%s, %d kernel check failures %s"
          % (tree, args.runs, time.monotonic() - t0, passed, len(harness),
             harness, len(kernel), kernel))
    return 0 if passed == args.runs else 1


def icount_round(g, data):
    """One round of the guest's own balloon work, timed in virtual time:
    inflate and deflate INFLATE_MIB (the CPU time all guest tasks used
    meanwhile, idle left out), ten full page-types scans, and compaction
    migrating balloon pages (per page migrated)."""
    mem, pages = g.mem, INFLATE_MIB * MiB // PAGE

    def busy():
        return dict(map(int, line.split())
                    for line in g.sh("runtime").splitlines())

    def timed(counter, target):
        """Busy guest time, summed over the tasks, while the balloon goes
        to TARGET; the counter must have moved by exactly the pages."""
        v0, r0 = g.vmstat(counter), busy()
        g.balloon(target, poll=0.01)
        r1, v1 = busy(), g.vmstat(counter)
        if v1 - v0 != pages:
            raise GuestError("%s grew by %d, expected %d"
                             % (counter, v1 - v0, pages))
        return sum(r1[t] - r0[t] for t in r0 if t in r1)

    data["inflate_ns_per_page"].append(
        timed("balloon_inflate", mem - INFLATE_MIB * MiB) / pages)
    us = int(g.sh("timeit sh -c 'for i in 0 1 2 3 4 5 6 7 8 9; "
                  "do page-types -r; done'").split()[0])
    data["scan_ms"].append(us / 10000)
    data["deflate_ns_per_page"].append(
        timed("balloon_deflate", mem) / pages)
    # holes among the balloon pages, left by a hog that is gone before
    # anything is timed
    g.sh("hog 128 >/tmp/hog.log 2>&1 & echo $! >/tmp/hog.pid")
    g.sh("i=0; until grep -q resident /tmp/hog.log; do "
         "i=$((i+1)); [ $i -lt 600 ] || exit 1; sleep 0.1; done")
    g.balloon(mem - INFLATE_MIB * MiB, poll=0.01)
    g.sh("kill $(cat /tmp/hog.pid); sleep 0.5")
    m0 = g.vmstat("balloon_migrate")
    us = int(g.sh("timeit sh -c 'echo 1 >/proc/sys/vm/compact_memory'")
             .split()[0])
    m = g.vmstat("balloon_migrate") - m0
    # a round in which compaction moved no balloon page has no figure
    data["migrate_us_per_page"].append(us / m if m > 0 else None)
    data["migrated"].append(m)
    g.balloon(mem, poll=0.01)


def do_bench_icount(args):
    keys = ("inflate_ns_per_page", "deflate_ns_per_page", "scan_ms",
            "migrate_us_per_page", "migrated")
    guests = {}
    data = {t: {k: [] for k in keys} for t in args.trees}
    t0 = time.monotonic()
    try:
        for t in args.trees:
            guests[t] = Guest(args.out, t, "bench-icount", icount=True)
            guests[t].start()
        for rnd in range(args.rounds):
            order = args.trees if rnd % 2 == 0 else args.trees[::-1]
            for t in order:
                icount_round(guests[t], data[t])
                log("round %d %-8s %s" % (rnd + 1, t, " ".join(
                    "%s %s" % (k, data[t][k][-1]) for k in keys)))
    finally:
        for g in guests.values():
            g.stop()
    print("bench --icount: %d rounds, %d MiB (%d pages) per inflation, "
          "guests of %d MiB, -icount shift=0 (1 ns = 1 instruction), "
          "%.0f s" % (args.rounds, INFLATE_MIB, INFLATE_MIB * MiB // PAGE,
                      GUEST_MIB, time.monotonic() - t0))
    a, b = args.trees[0], args.trees[-1]
    print("%-22s%14s%14s%12s%10s%10s%10s" % (
        "median (cv %)", a, b, "%s/%s" % (b, a), "min", "max", "sd"))
    for k in keys[:-1]:
        pairs = [(x, y) for x, y in zip(data[a][k], data[b][k])
                 if x is not None and y is not None]
        if not pairs:
            continue
        ratios = [y / x for x, y in pairs]
        col = {t: [p[i] for p in pairs] for i, t in enumerate((a, b))}
        cv = {t: 100 * statistics.pstdev(col[t]) / statistics.mean(col[t])
              for t in (a, b)}
        print("%-22s%14s%14s%12.4f%10.4f%10.4f%10.4f" % (
            k, "%.4g (%.2f)" % (statistics.median(col[a]), cv[a]),
            "%.4g (%.2f)" % (statistics.median(col[b]), cv[b]),
            statistics.median(ratios), min(ratios), max(ratios),
            statistics.pstdev(ratios)))
    for t in args.trees:
        for k in keys:
            print("raw %s %s: %s" % (t, k, " ".join(
                "-" if v is None else "%.6g" % v for v in data[t][k])))
    with open(os.path.join(args.out, "bench-icount.json"), "w") as f:
        json.dump(data, f, indent=1)
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["check", "bench", "faults", "repeat"])
    ap.add_argument("--out", required=True)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--icount", action="store_true")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--commands", type=int, default=100)
    ap.add_argument("trees", nargs="+")
    args = ap.parse_args()
    if args.mode in ("faults", "repeat") and len(args.trees) != 1:
        ap.error("%s takes one tree, found %d: %s"
                 % (args.mode, len(args.trees), " ".join(args.trees)))
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda n, f: sys.exit(128 + n))
    if args.mode == "bench" and args.icount:
        return do_bench_icount(args)
    return {"check": do_check, "bench": do_bench, "faults": do_faults,
            "repeat": do_repeat}[args.mode](args)


if __name__ == "__main__":
    sys.exit(main())
