#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Nested end to end: the Hyper-V balloon (hv_balloon, patch 4) in a KVM
guest (L2) of a TCG guest (L1), built by scripts/e2e-nested.

    nested.py --out DIR --qemu QEMU_ROOT TREE...

L1 is a Guest of the host (e2e.py: QMP, control channel, console) whose
QEMU is QEMU 10 with TCG and `-cpu max` (AMD SVM). L2 is a Guest of L1:
L1's agent starts L2's QEMU under L1's KVM, and L2's control channel and
QMP pass through two more serial ports of L1 (e2e/l1-init) to sockets on
the host, so the host drives L2 with the same Guest code and the same
frames as any guest, checked end to end by L2's agent and the host's
Channel. Prints one TAP line per check and a table.
"""

import argparse
import os
import re
import shlex
import signal
import socket
import sys
import time

import ctl
from ctl import ChannelError
from e2e import PAGE, Checks, Guest, GuestError, MiB, log

L1_MIB = 2048             # holds L2's 1 GiB, QEMU and the initramfs
L2_MIB = 1024
INFLATE_MIB = 512
# Does the tree's hv_balloon mark inflated pages with bit 23? base: bit 23
# is PG_balloon, which hv_balloon never set; series-no-hv: patch 4 reverted.
HV_MARKS = {"series": True, "upstream": True, "base": False,
            "series-no-hv": False}
# QEMU 10 under L1's KVM as a Hyper-V host. kvm=off: Linux would otherwise
# pick KVM over Hyper-V; disable_s4: with S4 offered hv_balloon allows
# hibernation and ignores balloon-up requests; no hv-stimer: with it the
# guest's timers stop.
HV_MACHINE = [
    "-machine", "q35", "-accel", "kvm",
    "-cpu", "host,-arch-capabilities,kvm=off,hv-relaxed,hv-vapic,"
            "hv-spinlocks=0x1fff,hv-vpindex,hv-runtime,hv-time,hv-synic",
    "-global", "ICH9-LPC.disable_s4=1",
    "-device", "vmbus-bridge", "-device", "hv-balloon,id=balloon0",
]
# Xen HVM under L1's KVM (QEMU's Xen emulation). It answers -ENOSYS to
# XENMEM_decrease_reservation and populate_physmap, so only the paths that
# need neither run: hot-added memory that xen_online_page() puts in the
# balloon, and pages that gntdev takes out of it and gives back.
XEN_MACHINE = [
    "-machine", "pc",
    "-accel", "kvm,xen-version=0x4000a,kernel-irqchip=split",
    "-cpu", "host,-arch-capabilities",
]
XEN_SYSFS = "/sys/devices/system/xen_memory/xen_memory0"
HOTADD_MIB = 256
GNTDEV_PAGES = 64
# What bit 23 does on each tree (counts relative to the boot):
#   hot-added pages: PageOffline from onlining (memory hotplug marks them
#     before xen_online_page() appends them), so bit 23 shows them wherever
#     bit 23 is PG_offline, with or without patch 3; on base it is
#     PG_balloon, which Xen never sets;
#   gntdev's pages leave the balloon through balloon_retrieve(), which
#     clears PG_offline on every tree, and come back through
#     xen_free_ballooned_pages() -> balloon_append(), which marks them
#     only with patch 3. That is where patch 3 shows.
XEN_OFFLINE_BIT = {"series": True, "upstream": True, "base": False,
                   "series-no-xen": True}
XEN_REMARKS = {"series": True, "upstream": True, "base": False,
               "series-no-xen": False}
QEMU_ABORT = re.compile(r"Assertion .* failed|Aborted|core dumped|"
                        r"qemu-system-x86_64: .*(error|fail)", re.I)


class L1(Guest):
    """The first-level guest: QEMU 10 (TCG, -cpu max) from QEMU_ROOT, a KVM
    host with QEMU 10 inside, two serial ports passed through to L2."""

    def __init__(self, out, qemu_root):
        super().__init__(out, "l1", "nested", L1_MIB)
        self.l2_ctl_path = os.path.join(self.dir, "l2-ctl.sock")
        self.l2_qmp_path = os.path.join(self.dir, "l2-qmp.sock")
        for p in (self.l2_ctl_path, self.l2_qmp_path):
            if os.path.exists(p):
                os.unlink(p)
        self.l2_ctl = self.l2_qmp = None

        def chardev(name, path):
            return ["-chardev", "socket,id=%s,path=%s,server=on,wait=off"
                    % (name, path), "-serial", "chardev:" + name]

        self.argv = [
            os.path.join(qemu_root, "usr/bin/qemu-system-x86_64"),
            "-L", os.path.join(qemu_root, "usr/share/seabios"),
            "-L", os.path.join(qemu_root, "usr/share/qemu"),
            "-machine", "q35,accel=tcg", "-cpu", "max", "-smp", "1",
            "-m", str(L1_MIB), "-nodefaults", "-display", "none",
            "-no-reboot",
            "-kernel", os.path.join(out, "l1/obj/arch/x86/boot/bzImage"),
            "-initrd", os.path.join(out, "l1/initramfs.gz"),
            "-append", "console=ttyS0 panic=-1 loglevel=6 no_timer_check",
            "-serial", "file:" + self.console,
        ] + chardev("ctl", self.ctl_path) \
          + chardev("l2ctl", self.l2_ctl_path) \
          + chardev("l2qmp", self.l2_qmp_path) \
          + ["-qmp", "unix:%s,server=on,wait=off" % self.qmp_path]

    def _start(self, timeout):
        super()._start(timeout)
        self.l2_ctl = self._connect(self.l2_ctl_path)
        self.l2_qmp = self._connect(self.l2_qmp_path)

    def stop(self):
        super().stop()
        for s in (self.l2_ctl, self.l2_qmp):
            if s is not None:
                s.close()
        self.l2_ctl = self.l2_qmp = None


class L1Proc:
    """What L2's Guest sees as its process: alive as long as L1 is (L2's
    own end shows in its QEMU log and in the channel going quiet)."""

    def __init__(self, l1):
        self.l1 = l1
        self.returncode = None

    def poll(self):
        rc = self.l1.proc.poll() if self.l1.proc is not None else -1
        self.returncode = rc
        return rc


def drain(sock):
    """Throw away what an earlier L2 left on a pass-through socket."""
    sock.settimeout(0.2)
    try:
        while sock.recv(65536):
            pass
    except (socket.timeout, BlockingIOError):
        pass


class L2(Guest):
    """A guest of L1: L1's agent runs its QEMU; its channel and QMP are
    L1's pass-through sockets."""

    def __init__(self, l1, out, tree, scenario, machine):
        super().__init__(out, tree, scenario, L2_MIB)
        self.l1 = l1
        img = "/l2/%s/" % tree
        self.l2_argv = [
            "qemu-system-x86_64"] + machine + [
            "-smp", "1", "-m", str(L2_MIB), "-nodefaults",
            "-display", "none", "-no-reboot",
            "-kernel", img + "bzImage", "-initrd", img + "initramfs.gz",
            "-append", "console=ttyS0 panic=-1 loglevel=6 no_timer_check",
            "-serial", "file:/tmp/l2-console.log",
            "-chardev", "serial,id=ctl,path=/dev/ttyS2",
            "-serial", "chardev:ctl",
            "-chardev", "serial,id=qmp,path=/dev/ttyS3",
            "-mon", "chardev=qmp,mode=control",
        ]

    def _start(self, timeout):
        t0 = time.monotonic()
        drain(self.l1.l2_ctl)
        drain(self.l1.l2_qmp)
        self.qbuf = b""
        self.proc = L1Proc(self.l1)
        self.l1.sh("rm -f /tmp/l2-console.log; %s >/tmp/l2-qemu.log 2>&1 "
                   "& echo $! >/tmp/l2.pid"
                   % " ".join(shlex.quote(a) for a in self.l2_argv))
        self.qmp, self.ctl = self.l1.l2_qmp, self.l1.l2_ctl
        deadline = time.monotonic() + 120
        while True:
            try:
                greeting = self._qmp_read(5)
                break
            except GuestError:
                if not self.alive():
                    raise GuestError("L2's QEMU ended before QMP: "
                                     + self.qemu_log().strip())
                if time.monotonic() > deadline:
                    raise
        if "QMP" not in greeting:
            raise GuestError("no QMP greeting from L2, got %r" % greeting)
        self.command("qmp_capabilities")
        self.chan = ctl.Channel(
            self.ctl, alive=lambda: self.proc.poll() is None)
        self.chan.hello(timeout)
        self.boot_s = time.monotonic() - t0

    def alive(self):
        """L2's QEMU still runs in L1."""
        return self.l1.sh("kill -0 $(cat /tmp/l2.pid) 2>/dev/null && "
                          "echo yes || echo no").strip() == "yes"

    def qemu_log(self):
        return self.l1.sh("cat /tmp/l2-qemu.log", check=False)

    def stop(self):
        """Reboot L2, wait for its QEMU to end (kill it after 30 s) and
        copy its console log out of L1."""
        if self.proc is None:
            return
        try:
            if self.chan is not None:
                self.chan.post("reboot -f")
            self.l1.sh("p=$(cat /tmp/l2.pid); i=0; "
                       "while kill -0 $p 2>/dev/null && [ $i -lt 300 ]; "
                       "do sleep 0.1; i=$((i + 1)); done; "
                       "kill -9 $p 2>/dev/null; true", timeout=60)
            text = self.l1.sh("cat /tmp/l2-console.log", check=False)
            with open(self.console, "w") as f:
                f.write(text)
            with open(os.path.join(self.dir, "qemu.log"), "w") as f:
                f.write(self.qemu_log())
        finally:
            # the sockets belong to L1
            self.proc = self.qmp = self.ctl = self.chan = None

    def finish(self, ok, scenario):
        """Stop L2 and check its console log."""
        self.stop()
        bad, _ = self.log_problems()
        ok(not bad, "%s: %s: no Oops/BUG/WARNING/bad page in L2's log"
           % (self.tree, scenario), "; ".join(bad[:5]))

    def pages_ballooned(self):
        out = self.sh("cat /sys/kernel/debug/hv-balloon")
        m = re.search(r"^pages_ballooned\s*:\s*(\d+)", out, re.M)
        if not m:
            raise GuestError("no pages_ballooned in hv-balloon:\n" + out)
        return int(m.group(1))


def hyperv(l1, out, tree, ok):
    """Inflate 512 MiB of 1 GiB through hv-balloon and back; bit 23 follows
    every inflated page where the tree's hv_balloon marks them, and no
    inflated page carries it where it does not."""
    r = {"tree": tree}
    marks = HV_MARKS[tree]
    want = INFLATE_MIB * MiB // PAGE
    g = L2(l1, out, tree, "hyperv", HV_MACHINE)
    g.start(timeout=120, tries=1)
    r["boot_s"] = round(g.boot_s, 1)
    try:
        dmesg = g.sh("dmesg")
        m = re.search(r"hv_balloon: Using Dynamic Memory protocol version "
                      r"(\S+)", dmesg)
        ok(m is not None, "%s: hyperv: hv_balloon speaks Dynamic Memory "
           "(version %s)" % (tree, m.group(1) if m else "none"))
        r["before"] = c0 = g.kpf_count()[0]
        r["dev_before"] = g.pages_ballooned()
        r["inflate_s"] = round(g.balloon(g.mem - INFLATE_MIB * MiB,
                                         timeout=600, poll=0.5), 1)
        r["inflated"] = c1 = g.kpf_count()[0]
        r["dev_inflated"] = nb = g.pages_ballooned()
        qmp_pages = (g.mem - g.actual()) // PAGE
        ok(nb == qmp_pages == want,
           "%s: hyperv: the device reports %d pages ballooned "
           "(debugfs %d, QMP %d)" % (tree, want, nb, qmp_pages))
        if marks:
            ok(c1 - c0 == nb, "%s: hyperv: bit 23 set on every inflated "
               "page (%d more, %d ballooned)" % (tree, c1 - c0, nb))
        else:
            ok(c1 - c0 == 0, "%s: hyperv: inflated pages do not carry bit "
               "23, this hv_balloon does not mark them (%d more, %d "
               "ballooned)" % (tree, c1 - c0, nb))
        r["deflate_s"] = round(g.balloon(g.mem, timeout=600, poll=0.5), 1)
        r["deflated"] = c2 = g.kpf_count()[0]
        r["dev_deflated"] = nd = g.pages_ballooned()
        ok(c2 == c0 and nd == 0, "%s: hyperv: deflating gives every page "
           "back (bit 23 %d, was %d; %d ballooned)" % (tree, c2, c0, nd))
    finally:
        g.finish(ok, "hyperv")
    return r


def xen_ballooned(g):
    """Pages in the Xen balloon, as the driver reports them."""
    out = g.sh("cat %s/info/low_kb %s/info/high_kb" % (XEN_SYSFS, XEN_SYSFS))
    low, high = (int(v) for v in out.split())
    return (low + high) * 1024 // PAGE


def xen_wait(g, what, cond, timeout=300):
    """Poll the guest until COND(guest) is true; the balloon thread works
    in the background."""
    deadline = time.monotonic() + timeout
    while True:
        v = cond(g)
        if v:
            return v
        if time.monotonic() > deadline:
            raise GuestError("xen: %s not within %d s" % (what, timeout))
        time.sleep(1)


def xen(l1, out, tree, ok):
    """Hot-add 256 MiB into the Xen balloon, then take 64 pages out with
    gntdev and give them back; bit 23 counts at each step."""
    r = {"tree": tree}
    offline_bit = XEN_OFFLINE_BIT[tree]
    g = L2(l1, out, tree, "xen", XEN_MACHINE)
    g.start(timeout=120, tries=1)
    r["xen_boot_s"] = round(g.boot_s, 1)
    try:
        has = g.sh("test -d %s && echo yes || echo no" % XEN_SYSFS).strip()
        ok(has == "yes", "%s: xen: the guest runs on Xen with its balloon "
           "(%s)" % (tree, XEN_SYSFS))
        if has != "yes":
            return r
        r["xen_before"] = c0 = g.kpf_count()[0]
        b0 = xen_ballooned(g)
        cur = int(g.sh("cat %s/info/current_kb" % XEN_SYSFS))
        g.sh("echo %d > %s/target_kb" % (cur + HOTADD_MIB * 1024, XEN_SYSFS))
        want = HOTADD_MIB * MiB // PAGE
        xen_wait(g, "%d pages in the balloon" % want,
                 lambda g: xen_ballooned(g) - b0 >= want)
        r["xen_hotadded"] = c1 = g.kpf_count()[0]
        r["xen_dev_hotadded"] = nb = xen_ballooned(g) - b0
        ok(nb == want, "%s: xen: hot-adding %d MiB puts %d pages in the "
           "balloon (%d)" % (tree, HOTADD_MIB, want, nb))
        exp = nb if offline_bit else 0
        ok(c1 - c0 == exp, "%s: xen: bit 23 on %s hot-added page (%d more, "
           "%d in the balloon)" % (tree, "every" if offline_bit else "no",
                                   c1 - c0, nb))
        g.sh("rm -f /tmp/gnt; gntdev-hold %d /tmp/gnt >/tmp/gnt.log 2>&1 & "
             "echo $! >/tmp/gnt.pid" % GNTDEV_PAGES)
        st = xen_wait(g, "gntdev-hold to map", lambda g: g.sh(
            "cat /tmp/gnt 2>/dev/null", check=False).strip(), timeout=60)
        ok(st == "mapped %d" % GNTDEV_PAGES, "%s: xen: gntdev maps %d "
           "grant references (%s)" % (tree, GNTDEV_PAGES, st))
        r["xen_mapped"] = c2 = g.kpf_count()[0]
        r["xen_dev_mapped"] = nm = xen_ballooned(g) - b0
        exp = c1 - GNTDEV_PAGES if offline_bit else c1
        ok(nm == nb - GNTDEV_PAGES and c2 == exp,
           "%s: xen: gntdev's pages leave the balloon typeless (bit 23 %d, "
           "expected %d; balloon %d)" % (tree, c2 - c0, exp - c0, nm))
        g.sh("kill -USR1 $(cat /tmp/gnt.pid)")
        mapped = st
        st = xen_wait(g, "gntdev-hold to unmap", lambda g: (lambda v: v if
                      v != mapped else None)(g.sh("cat /tmp/gnt").strip()),
                      timeout=60)
        ok(st == "unmapped %d" % GNTDEV_PAGES, "%s: xen: gntdev unmaps them "
           "(%s)" % (tree, st))
        r["xen_unmapped"] = c3 = g.kpf_count()[0]
        r["xen_dev_unmapped"] = nu = xen_ballooned(g) - b0
        if XEN_REMARKS[tree]:
            exp, how = c1, "carry bit 23 again"
        else:
            exp, how = c2, "stay without bit 23 (this balloon_append() " \
                "does not mark them)"
        ok(nu == nb and c3 == exp, "%s: xen: pages given back to the balloon"
           " %s (bit 23 %d, expected %d; balloon %d)"
           % (tree, how, c3 - c0, exp - c0, nu))
    finally:
        g.finish(ok, "xen")
    return r


def scenario(fn, l1, out, tree, ok, retries):
    """Run one scenario; when L2's QEMU aborted inside L1, run it once more
    and count it (a QEMU bug, not the kernel's), never silently."""
    for attempt in (1, 2):
        try:
            return fn(l1, out, tree, ok)
        except (GuestError, ChannelError) as e:
            qlog = ""
            if l1.proc is not None and l1.proc.poll() is None:
                qlog = l1.sh("cat /tmp/l2-qemu.log; "
                             "kill -9 $(cat /tmp/l2.pid) 2>/dev/null; true")
            abort = QEMU_ABORT.search(qlog)
            if attempt == 1 and abort:
                retries.append("%s: %s: %s" % (tree, fn.__name__,
                                               abort.group(0)))
                log("%s: %s: L2's QEMU failed (%s), retrying once"
                    % (tree, fn.__name__, abort.group(0)))
                continue
            ok(False, "%s: %s: end-to-end run" % (tree, fn.__name__),
               "%s%s" % (e, "; L2 QEMU: " + qlog.strip() if qlog else ""))
            return {"tree": tree}
    return {"tree": tree}


def table(results):
    rows = [
        ("hyperv: bit 23 before", "before"),
        ("after inflating %d MiB" % INFLATE_MIB, "inflated"),
        ("after deflating", "deflated"),
        ("device: ballooned before", "dev_before"),
        ("device: ballooned inflated", "dev_inflated"),
        ("device: ballooned deflated", "dev_deflated"),
        ("hyperv: L2 boot s", "boot_s"),
        ("inflate s", "inflate_s"),
        ("deflate s", "deflate_s"),
        ("xen: bit 23 before", "xen_before"),
        ("after hot-adding %d MiB" % HOTADD_MIB, "xen_hotadded"),
        ("after gntdev map %d" % GNTDEV_PAGES, "xen_mapped"),
        ("after gntdev unmap", "xen_unmapped"),
        ("balloon: hot-added", "xen_dev_hotadded"),
        ("balloon: mapped", "xen_dev_mapped"),
        ("balloon: unmapped", "xen_dev_unmapped"),
        ("xen: L2 boot s", "xen_boot_s"),
    ]
    w = max(len(t) for t, _ in rows)
    lines = ["%-*s" % (w, "") + "".join("%14s" % r["tree"] for r in results)]
    for title, key in rows:
        lines.append("%-*s" % (w, title) + "".join(
            "%14s" % r.get(key, "-") for r in results))
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--qemu", required=True,
                    help="root of the unpacked QEMU 10 (scripts/fetch-qemu)")
    ap.add_argument("--scenarios", default="hyperv,xen")
    ap.add_argument("trees", nargs="+",
                    choices=sorted(set(HV_MARKS) | set(XEN_REMARKS)))
    args = ap.parse_args()
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda n, f: sys.exit(128 + n))
    # L1's QEMU is QEMU 10: its own modules, not the installed 7.2's
    os.environ["QEMU_MODULE_DIR"] = os.path.join(
        args.qemu, "usr/lib/x86_64-linux-gnu/qemu")
    ok = Checks()
    results, retries = [], []
    t0 = time.monotonic()
    l1 = L1(args.out, args.qemu)
    try:
        l1.start(timeout=300)
        log("L1 booted in %.1f s" % l1.boot_s)
        info = l1.sh("cat /proc/cpuinfo | grep -c -w svm; ls /dev/kvm")
        ok("/dev/kvm" in info, "L1: KVM on TCG's SVM (%s)"
           % " ".join(info.split()))
        for tree in args.trees:
            r = {"tree": tree}
            for name in args.scenarios.split(","):
                fn = {"hyperv": hyperv, "xen": xen}[name]
                table_ = HV_MARKS if fn is hyperv else XEN_REMARKS
                if tree in table_:
                    r.update(scenario(fn, l1, args.out, tree, ok, retries))
            results.append(r)
    except (GuestError, ChannelError) as e:
        ok(False, "L1: end-to-end run", str(e))
    finally:
        l1.stop()
    bad, _ = l1.log_problems()
    ok(not bad, "L1: no Oops/BUG/WARNING/bad page in L1's log",
       "; ".join(bad[:5]))
    print(table(results))
    print("# QEMU aborts retried: %d%s" % (len(retries), "".join(
        "\n#   " + r for r in retries)))
    print("# nested run: %.0f s" % (time.monotonic() - t0))
    print("# %d checks, %d failed" % (ok.count, ok.failed))
    return 1 if ok.failed else 0


if __name__ == "__main__":
    sys.exit(main())
