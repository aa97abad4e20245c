#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Nested end to end: the Hyper-V (hv_balloon, patch 4) and Xen (patch 3)
balloons in a KVM guest (L2) of a TCG guest (L1), built by scripts/e2e
and scripts/e2e-nested.

    nested.py --out DIR --qemu QEMU_ROOT --l1-kernel BZIMAGE TREE...

L1 is a Guest of the host (guest.py: QMP, control channel, console) whose
QEMU is QEMU 10 with TCG and `-cpu max` (AMD SVM). L2 is a Guest of L1:
L1's agent starts L2's QEMU under L1's KVM, and L2's control channel and
QMP pass through two more serial ports of L1 (e2e/l1-init) to sockets on
the host, so the host drives L2 with the same Guest code and the same
frames as any guest, checked end to end by L2's agent and the host's
Channel. Prints one TAP line per check and a table.
"""

import argparse
import fcntl
import inspect
import json
import os
import re
import shlex
import signal
import socket
import sys
import time

import ctl
from ctl import ChannelError
from guest import PAGE, Checks, Guest, GuestError, MiB, log

L2_MIB = 1024
# L2 slots: L1 runs up to this many L2 guests at once, each with its own
# pair of pass-through ports (e2e/l1-init). The three Hyper-V guests boot
# first, one per slot, and wait there for QEMU's hv-balloon to accept
# targets (it waits 50 s after the guest's capabilities,
# HV_BALLOON_POST_INIT_WAIT); the Xen guests run in the fourth slot in the
# meantime.
SLOTS = 4
L1_MIB = SLOTS * L2_MIB + 1024   # the L2s, QEMU and the initramfs
# Hyper-V: inflate INFLATE_MIB, deflate to KEEP_MIB, inflate to INFLATE_MIB
# again, deflate fully: a partial deflate, and pages given back in an
# order QEMU's hv-balloon chooses, not the order they were taken in.
# Nested TCG inflates about 13 MiB/s, so the sizes are kept small.
INFLATE_MIB = 128
KEEP_MIB = 64
HELLO_S = 120             # L2 boot to its agent's hello
# A balloon request is stalled when `actual` stands still this long:
# inflating INFLATE_MIB takes about 10 s here, about 40 s under load
STALL_S = 180
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
    # the number of ranges in each of the guest's balloon responses:
    # hv_balloon sends one range per allocation unit, a 2 MiB unit or a
    # single page (alloc_balloon_pages())
    "-trace", "hv_balloon_incoming_balloon",
    # hv-balloon's state: a QMP `balloon` is only sent in S_IDLE (below)
    "-trace", "hv_balloon_state_change", "-D", "@TRACE@",
]
STATE = re.compile(r"hv_balloon_state_change -> (\w+)")
RANGES = re.compile(r"hv_balloon_incoming_balloon incoming balloon response "
                    r"\d+, ranges (\d+)")
PAGES_2M = 2 * MiB // PAGE
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

    def __init__(self, out, qemu_root, kernel):
        super().__init__(out, "l1", "nested", L1_MIB)
        self.l2_paths = [(os.path.join(self.dir, "l2-ctl-%d.sock" % k),
                          os.path.join(self.dir, "l2-qmp-%d.sock" % k))
                         for k in range(SLOTS)]
        for pair in self.l2_paths:
            for p in pair:
                if os.path.exists(p):
                    os.unlink(p)
        self.l2_socks = []

        def chardev(name, path, slot):
            """A host socket as a PCI serial port of L1 in SLOT (l1-init
            finds it by its PCI address). Not COM3 and COM4: those share
            IRQ 4 and 3 with COM1 (the console) and COM2 (L1's channel),
            and QEMU's ISA IRQ line takes the level of whichever port set
            it last, so one port's interrupt can clear the other's and
            that port's transmitter waits for ever."""
            return ["-chardev", "socket,id=%s,path=%s,server=on,wait=off"
                    % (name, path),
                    "-device", "pci-serial,chardev=%s,addr=%s" % (name, slot)]

        self.argv = [
            os.path.join(qemu_root, "usr/bin/qemu-system-x86_64"),
            "-L", os.path.join(qemu_root, "usr/share/seabios"),
            "-L", os.path.join(qemu_root, "usr/share/qemu"),
            "-machine", "q35,accel=tcg", "-cpu", "max", "-smp", "1",
            "-m", str(L1_MIB), "-nodefaults", "-display", "none",
            "-no-reboot",
            "-kernel", kernel,
            "-initrd", os.path.join(out, "l1/initramfs.gz"),
            "-append", "console=ttyS0 panic=-1 loglevel=6 no_timer_check",
            "-serial", "file:" + self.console,
            "-chardev", "socket,id=ctl,path=%s,server=on,wait=off"
                        % self.ctl_path,
            "-serial", "chardev:ctl",
            "-qmp", "unix:%s,server=on,wait=off" % self.qmp_path,
        ]
        # slot K: ctl in PCI slot 0x10 + 2K, QMP in the next one
        for k, (c, q) in enumerate(self.l2_paths):
            self.argv += chardev("l2ctl%d" % k, c, hex(0x10 + 2 * k)) \
                + chardev("l2qmp%d" % k, q, hex(0x11 + 2 * k))

    def _start(self, timeout):
        super()._start(timeout)
        self.l2_socks = [(self._connect(c), self._connect(q))
                         for c, q in self.l2_paths]

    def stop(self):
        super().stop()
        for pair in self.l2_socks:
            for s in pair:
                s.close()
        self.l2_socks = []


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


class L2Silent(GuestError):
    """L2's QEMU runs, but its agent's hello never reached the host."""


class HvStall(GuestError):
    """hv-balloon's request was never answered: `actual` stood still."""


class L2(Guest):
    """A guest of L1: L1's agent runs its QEMU; its channel and QMP are
    L1's pass-through sockets."""

    boots = []              # seconds to the hello, every L2 that said it
    silent = {}             # (tree, scenario): silent channels seen
    silent_twice = False    # one L2 scenario was silent twice

    def __init__(self, l1, out, tree, scenario, machine, slot, append=""):
        super().__init__(out, tree, scenario, L2_MIB)
        self.l1 = l1
        self.scenario = scenario
        self.slot = slot
        # L2's files in L1: pid, console, QEMU log, trace
        self.f = dict((n, "/tmp/l2-%d.%s" % (slot, n))
                      for n in ("pid", "console", "qemu", "trace"))
        img = "/l2/%s/" % tree
        self.l2_argv = [
            "qemu-system-x86_64"] + [
            a.replace("@TRACE@", self.f["trace"]) for a in machine] + [
            "-smp", "1", "-m", str(L2_MIB), "-nodefaults",
            "-display", "none", "-no-reboot",
            "-kernel", img + "bzImage", "-initrd", img + "initramfs.gz",
            "-append", "console=ttyS0 panic=-1 loglevel=6 no_timer_check"
                       + append,
            "-serial", "file:" + self.f["console"],
            "-chardev", "serial,id=ctl,path=/dev/l2-ctl-%d" % slot,
            "-serial", "chardev:ctl",
            "-chardev", "serial,id=qmp,path=/dev/l2-qmp-%d" % slot,
            "-mon", "chardev=qmp,mode=control",
        ]

    def _start(self, timeout):
        t0 = time.monotonic()
        ctl_sock, qmp_sock = self.l1.l2_socks[self.slot]
        drain(ctl_sock)
        drain(qmp_sock)
        self.qbuf = b""
        self.proc = L1Proc(self.l1)
        self.l1.sh("rm -f %s %s; %s >%s 2>&1 & echo $! >%s"
                   % (self.f["console"], self.f["trace"],
                      " ".join(shlex.quote(a) for a in self.l2_argv),
                      self.f["qemu"], self.f["pid"]))
        self.qmp, self.ctl = qmp_sock, ctl_sock
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
        # The first bytes to reach a freshly started L2 QEMU through L1's
        # port can be cut ("invalid keyword 'xecute'" seen after a killed
        # L2): ask again, three times at most; a repeat is refused as
        # already done, which is as good.
        for attempt in range(3):
            try:
                self.command("qmp_capabilities")
                break
            except GuestError as e:
                if "already complete" in str(e):
                    break
                if attempt == 2:
                    raise
                log("%s: L2 QMP: %s; asking again" % (self.tree, e))
                self.qbuf = b""
                time.sleep(0.5)
        self.chan = ctl.Channel(
            self.ctl, alive=lambda: self.proc.poll() is None)
        try:
            self.chan.hello(timeout)
        except ChannelError as e:
            if self.l1.proc is None or self.l1.proc.poll() is not None:
                raise
            key = (self.tree, self.scenario)
            L2.silent[key] = L2.silent.get(key, 0) + 1
            L2.silent_twice = L2.silent_twice or L2.silent[key] > 1
            raise L2Silent("%s; %s" % (e, self.silence_report()))
        self.boot_s = time.monotonic() - t0
        L2.boots.append(round(self.boot_s, 1))
        # stops l2-watch (e2e/l2-watch), which reports a silent channel
        self.sh("touch /tmp/e2e-hello")

    def silence_report(self):
        """What L1 and L2's console say about a silent L2 channel: the
        counters of L1's port for it, /dev/l2-ctl (tx: bytes from L2's
        ttyS1 on their way to the host; rx: the host's pings on their way
        to L2), whether L2's /init ran, and l2-watch's last report of L2's
        own serial counters."""
        ser = self.l1.sh("grep \"^$(readlink /dev/l2-ctl-%d | tr -dc 0-9):\""
                         " /proc/tty/driver/serial" % self.slot, check=False)
        con = self.l1.sh("grep -c '^e2e: tree' %s; grep -A 8 'l2-watch' %s"
                         " | tail -n 8" % (self.f["console"],
                                           self.f["console"]),
                         check=False).strip().split("\n")
        return ("L1 /dev/l2-ctl-%d: %s; L2 /init ran: %s; L2 l2-watch: %s"
                % (self.slot, " ".join(ser.split()[1:]) or "?",
                   "yes" if con and con[0] not in ("", "0") else "no",
                   " | ".join(x.strip() for x in con[1:]) or "nothing yet"))

    def alive(self):
        """L2's QEMU still runs in L1."""
        return self.l1.sh("kill -0 $(cat %s) 2>/dev/null && echo yes || "
                          "echo no" % self.f["pid"]).strip() == "yes"

    def qemu_log(self):
        return self.l1.sh("cat " + self.f["qemu"], check=False)

    def stop(self):
        """End L2's QEMU (QMP quit: L2 under Hyper-V does not end on
        `reboot -f` within 30 s; kill it after 10 s) and copy its console
        log out of L1 (QEMU writes each byte to it as it comes)."""
        if self.proc is None:
            return
        try:
            if self.qmp is not None:
                try:
                    self.qmp.sendall(b'{"execute": "quit"}\n')
                except OSError:
                    pass
            self.l1.sh("p=$(cat %s); i=0; "
                       "while kill -0 $p 2>/dev/null && [ $i -lt 100 ]; "
                       "do sleep 0.1; i=$((i + 1)); done; "
                       "kill -9 $p 2>/dev/null; true" % self.f["pid"],
                       timeout=60)
            text = self.l1.sh("cat " + self.f["console"], check=False)
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
        self.check_log(ok, "%s: %s: no Oops/BUG/WARNING/bad page in L2's log"
                       % (self.tree, scenario), oom_ok=True)

    def ranges(self):
        """The number of ranges in each balloon response hv_balloon has
        sent so far, from L2's QEMU trace."""
        text = self.l1.sh("cat %s 2>/dev/null" % self.f["trace"],
                          check=False)
        return [int(n) for n in RANGES.findall(text)]

    def command(self, name, **args):
        """QMP; a Hyper-V guest is paused around `balloon`. QEMU 10.0.2's
        hv-balloon runs its event loop from the command: it posts the
        request to the guest and then reads the guest's ring outside a
        channel notification, where the ring is not set up for I/O; a
        guest quick enough to answer in between (its vCPU is another
        thread) aborts QEMU (vmbus.c:409 gpadl_iter_seek: Assertion
        `iter->active'). Paused, the guest answers after `cont`, through
        the notification."""
        if name != "balloon" or self.scenario != "hyperv":
            return super().command(name, **args)
        super().command("stop")
        try:
            return super().command(name, **args)
        finally:
            super().command("cont")

    def hv_state(self):
        """hv-balloon's state as L2's QEMU trace last reported it."""
        text = self.l1.sh("cat %s 2>/dev/null" % self.f["trace"],
                          check=False)
        states = STATE.findall(text)
        return states[-1] if states else "?"

    def hv_target(self, target, timeout=600, stall=STALL_S, sets=3):
        """From S_IDLE, set hv-balloon's target and wait until `actual`
        is there. Returns (seconds, times the target was set).

        QEMU ends a request when the guest answers it, whatever the
        answer: a guest that gives fewer pages than asked (hv_balloon's
        floor, a failed allocation) leaves hv-balloon idle short of the
        target, and QEMU takes the same target again as a request to try
        again (hv_balloon_to_target()). So a target that idles short is
        set again, `sets` times in all; the count is returned and
        reported. A request the guest never answers (`actual` stands
        still for `stall` seconds outside S_IDLE) is an HvStall naming
        what QEMU and the guest said."""
        t0 = time.monotonic()
        for n in range(1, sets + 1):
            self.hv_idle()
            self.command("balloon", value=target)
            last, since = self.actual(), time.monotonic()
            while True:
                time.sleep(0.5)
                a, now = self.actual(), time.monotonic()
                if a == target:
                    return now - t0, n
                if a != last:
                    last, since = a, now
                    continue
                if now - t0 > timeout or now - since > stall:
                    break
            state = self.hv_state()
            if state != "S_IDLE" or now - t0 > timeout:
                raise HvStall("balloon: target %d not reached, actual %d "
                              "still for %d s (%d s in all, target set %d "
                              "times), hv-balloon in %s; %s"
                              % (target, a, now - since, now - t0, n, state,
                                 self.hv_report()))
            log("%s: hyperv: hv-balloon idle at %d short of %d; setting "
                "the target again" % (self.tree, a, target))
        raise HvStall("balloon: target %d not reached, actual %d after the "
                      "target was set %d times; %s"
                      % (target, a, sets, self.hv_report()))

    def hv_report(self):
        """What QEMU's trace and the guest say about a stalled balloon."""
        trace = self.l1.sh("tail -n 4 %s 2>/dev/null" % self.f["trace"],
                           check=False).strip().replace("\n", " | ")
        try:
            guest = self.sh("grep MemAvailable /proc/meminfo; "
                            "dmesg | grep -i balloon | tail -n 4",
                            timeout=30).strip().replace("\n", " | ")
        except (GuestError, ChannelError) as e:
            guest = "no answer (%s)" % e
        return "QEMU trace: %s; guest: %s" % (trace or "empty", guest)

    def hv_idle(self, timeout=180):
        """Wait until QEMU's hv-balloon is in S_IDLE: past its post-init
        wait, and with the guest's answer to its last request (an
        unballoon is counted in `actual` when QEMU posts it, before the
        guest answers) read from the ring. A QMP `balloon` that comes
        while a guest message waits in the ring aborts QEMU 10.0.2 (the
        vmbus.c:409 assertion: hv-balloon's event loop reads the ring
        outside a channel notification)."""
        deadline = time.monotonic() + timeout
        while True:
            state = self.hv_state()
            if state == "S_IDLE":
                return
            if time.monotonic() > deadline:
                raise GuestError("hv-balloon not idle within %d s (state %s)"
                                 % (timeout, state))
            time.sleep(0.5)

    def pages_ballooned(self):
        out = self.sh("cat /sys/kernel/debug/hv-balloon")
        m = re.search(r"^pages_ballooned\s*:\s*(\d+)", out, re.M)
        if not m:
            raise GuestError("no pages_ballooned in hv-balloon:\n" + out)
        return int(m.group(1))


def hyperv(l1, out, tree, ok, slot):
    """Inflate INFLATE_MIB of 1 GiB through hv-balloon, deflate to KEEP_MIB,
    inflate to INFLATE_MIB again and deflate fully. At each step the device
    (debugfs pages_ballooned and QMP) reports exactly the pages asked for,
    and bit 23 follows every ballooned page where the tree's hv_balloon
    marks them, and no ballooned page carries it where it does not."""
    r = {"tree": tree}
    marks = HV_MARKS[tree]
    # No pressure (status) reports from the guest: QEMU's hv-balloon does
    # not use them (status-report=off), and QEMU 10.0.2 aborts
    # (vmbus.c:409 gpadl_iter_seek: Assertion `iter->active') when a QMP
    # `balloon` or its post-init timer runs its event loop while a guest
    # message waits in the ring: outside a notification the receive ring
    # is not set up for I/O. hv_balloon sends one every second once its
    # pressure_report_delay (45 s) has run out. See also L2.hv_idle().
    g = L2(l1, out, tree, "hyperv", HV_MACHINE, slot,
           " hv_balloon.pressure_report_delay=100000")
    g.start(timeout=HELLO_S, tries=1)
    r["boot_s"] = round(g.boot_s, 1)
    try:
        dmesg = g.sh("dmesg")
        m = re.search(r"hv_balloon: Using Dynamic Memory protocol version "
                      r"(\S+)", dmesg)
        ok(m is not None, "%s: hyperv: hv_balloon speaks Dynamic Memory "
           "(version %s)" % (tree, m.group(1) if m else "none"))
        r["before"] = c0 = g.kpf_count()[0]
        r["dev_before"] = g.pages_ballooned()
        seen = len(g.ranges())
        # hv-balloon takes no target before HV_BALLOON_POST_INIT_WAIT;
        # let the other slots work meanwhile
        yield
        for key, mib, what in (
                ("inflated", INFLATE_MIB, "inflating %d MiB" % INFLATE_MIB),
                ("kept", KEEP_MIB, "deflating to %d MiB" % KEEP_MIB),
                ("reinflated", INFLATE_MIB, "inflating to %d MiB again"
                 % INFLATE_MIB),
                ("deflated", 0, "deflating fully")):
            secs, sets = g.hv_target(g.mem - mib * MiB)
            r[key + "_s"] = round(secs, 1)
            r["sets"] = r.get("sets", 0) + sets - 1
            r[key] = c = g.kpf_count()[0]
            r["dev_" + key] = nb = g.pages_ballooned()
            qmp_pages = (g.mem - g.actual()) // PAGE
            want = mib * MiB // PAGE
            ok(nb == qmp_pages == want,
               "%s: hyperv: after %s the device reports %d pages ballooned "
               "(debugfs %d, QMP %d)" % (tree, what, want, nb, qmp_pages))
            if key == "inflated":
                # the 2 MiB path: hv_balloon allocates 2 MiB units first,
                # splits and marks them (alloc_balloon_pages()), and single
                # pages once a 2 MiB allocation fails; one range per unit,
                # so n2m * 512 + n4k = pages and n2m + n4k = ranges
                n = sum(g.ranges()[seen:])
                n2m, rest = divmod(nb - n, PAGES_2M - 1)
                n4k = n - n2m
                r["ranges_2m"], r["ranges_4k"] = n2m, n4k
                ok(n > 0 and rest == 0 and n2m > 0 and n4k >= 0,
                   "%s: hyperv: inflating %d MiB took %d ranges: %d 2 MiB "
                   "units and %d single pages (%d pages)" % (
                       tree, INFLATE_MIB, n, n2m, n4k, nb))
            if not want:
                ok(c == c0 and nb == 0, "%s: hyperv: after %s bit 23 is back "
                   "to %d (%d; %d ballooned)" % (tree, what, c0, c, nb))
            elif marks:
                ok(c - c0 == nb, "%s: hyperv: after %s bit 23 is on every "
                   "ballooned page and no other (%d more, %d ballooned)"
                   % (tree, what, c - c0, nb))
            else:
                ok(c - c0 == 0, "%s: hyperv: after %s no ballooned page "
                   "carries bit 23, this hv_balloon does not mark them (%d "
                   "more, %d ballooned)" % (tree, what, c - c0, nb))
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


def xen(l1, out, tree, ok, slot):
    """Hot-add 256 MiB into the Xen balloon, then take 64 pages out with
    gntdev and give them back; bit 23 counts at each step."""
    r = {"tree": tree}
    offline_bit = XEN_OFFLINE_BIT[tree]
    g = L2(l1, out, tree, "xen", XEN_MACHINE, slot)
    g.start(timeout=HELLO_S, tries=1)
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
        t1 = time.monotonic()
        xen_wait(g, "%d pages in the balloon" % want,
                 lambda g: xen_ballooned(g) - b0 >= want)
        r["xen_hotadd_s"] = round(time.monotonic() - t1, 1)
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


class Held:
    """The checks of one attempt, held back until it is the attempt that
    counts: a retried attempt's lines are dropped (the retry is reported
    instead), so no check is printed twice."""

    def __init__(self):
        self.lines = []

    def __call__(self, cond, what, detail=""):
        self.lines.append((cond, what, detail))
        return cond

    def replay(self, ok):
        for line in self.lines:
            ok(*line)


def steps(fn, *args):
    """FN(*ARGS) as a generator, whether it is one or not."""
    r = fn(*args)
    if inspect.isgenerator(r):
        r = yield from r
    return r


class Run:
    """One scenario on one tree in one L2 slot, run in steps: a scenario
    that is a generator pauses at its yield (where it would only wait) and
    the next step() goes on from there. A first attempt that fails because
    L2's QEMU aborted inside L1 (a QEMU bug) or because L2's channel stayed
    silent (L2Silent, README) is marked for one more attempt, counted and
    printed, never silent; a second failure is a failure."""

    def __init__(self, fn, tree, slot):
        self.fn, self.tree, self.slot = fn, tree, slot
        self.name = fn.__name__
        self.attempts = 0
        self.gen = self.held = None
        self.done = False
        self.result = {"tree": tree}
        self.failure = None     # the final failure: (what, detail)
        self.retry = False      # the first attempt failed, run it again

    def step(self, l1, out, retries):
        """Run to the next pause or to the end; True once done."""
        if self.done:
            return True
        try:
            if self.gen is None:
                self.attempts += 1
                self.held = Held()
                self.gen = steps(self.fn, l1, out, self.tree, self.held,
                                 self.slot)
            next(self.gen)
            return False
        except StopIteration as e:
            self.result = e.value
        except (GuestError, ChannelError) as e:
            self.failed(l1, out, e, retries)
        self.gen = None
        self.done = True
        return True

    def run(self, l1, out, retries):
        while not self.step(l1, out, retries):
            pass

    def failed(self, l1, out, e, retries):
        qlog, kept = "", ""
        if l1.proc is not None and l1.proc.poll() is None:
            f = "/tmp/l2-%d." % self.slot
            qlog = l1.sh("cat %sqemu; kill -9 $(cat %spid) 2>/dev/null; "
                         "true" % (f, f))
            kept = os.path.join(out, self.tree, "run-" + self.name,
                                "console.log.attempt-%d" % self.attempts)
            with open(kept, "w") as fh:
                fh.write(l1.sh("cat %sconsole 2>/dev/null" % f,
                               check=False))
            with open(kept.replace("console", "trace"), "w") as fh:
                fh.write(l1.sh("cat %strace 2>/dev/null" % f, check=False))
        abort = QEMU_ABORT.search(qlog)
        why = abort.group(0) if abort else \
            "L2 silent: %s" % e if isinstance(e, L2Silent) else \
            "hv-balloon stalled: %s" % e if isinstance(e, HvStall) else None
        if self.attempts == 1 and why:
            retries.append("%s: %s: %s (L2 console: %s; %d checks of that "
                           "attempt dropped)" % (self.tree, self.name, why,
                                                 kept, len(self.held.lines)))
            log("%s: %s: %s; once more" % (self.tree, self.name, why))
            self.retry = True
            return
        self.failure = ("%s: %s: end-to-end run" % (self.tree, self.name),
                        "%s%s" % (e, "; L2 QEMU: " + qlog.strip()
                                  if qlog else ""))

    def report(self, ok):
        self.held.replay(ok)
        if self.failure:
            ok(False, *self.failure)


def schedule(l1, out, trees, scenarios, retries):
    """Every scenario of every tree, as Runs. The Hyper-V guests boot
    first, up to SLOTS - 1 at once, and look at the guest until they would
    wait for hv-balloon; the Xen guests run one after the other in the
    last slot meanwhile; then each Hyper-V run goes on in turn. Retries
    come last, one at a time."""
    hv = [t for t in trees if t in HV_MARKS] if "hyperv" in scenarios \
        else []
    xn = [t for t in trees if t in XEN_REMARKS] if "xen" in scenarios \
        else []
    runs = []
    for i in range(0, max(len(hv), 1), SLOTS - 1):
        batch = [Run(hyperv, t, k) for k, t in
                 enumerate(hv[i:i + SLOTS - 1])]
        for r in batch:
            r.step(l1, out, retries)
        if i == 0:
            for t in xn:
                runs.append(Run(xen, t, SLOTS - 1))
                runs[-1].run(l1, out, retries)
        for r in batch:
            r.run(l1, out, retries)
        runs += batch
    for r in runs:
        if r.retry:
            r.retry = r.done = False
            r.run(l1, out, retries)
    order = {t: n for n, t in enumerate(trees)}
    runs.sort(key=lambda r: (order[r.tree], r.name != "hyperv"))
    return runs


def table(results):
    rows = [
        ("hyperv: bit 23 before", "before"),
        ("after inflating %d MiB" % INFLATE_MIB, "inflated"),
        ("after deflating to %d MiB" % KEEP_MIB, "kept"),
        ("after inflating to %d MiB" % INFLATE_MIB, "reinflated"),
        ("after deflating fully", "deflated"),
        ("device: ballooned before", "dev_before"),
        ("device: inflated %d MiB" % INFLATE_MIB, "dev_inflated"),
        ("device: deflated to %d MiB" % KEEP_MIB, "dev_kept"),
        ("device: inflated again", "dev_reinflated"),
        ("device: deflated fully", "dev_deflated"),
        ("inflated as 2 MiB units", "ranges_2m"),
        ("inflated as single pages", "ranges_4k"),
        ("hyperv: L2 boot s", "boot_s"),
        ("inflate s", "inflated_s"),
        ("inflate again s", "reinflated_s"),
        ("targets set again", "sets"),
        ("xen: bit 23 before", "xen_before"),
        ("after hot-adding %d MiB" % HOTADD_MIB, "xen_hotadded"),
        ("after gntdev map %d" % GNTDEV_PAGES, "xen_mapped"),
        ("after gntdev unmap", "xen_unmapped"),
        ("balloon: hot-added", "xen_dev_hotadded"),
        ("balloon: mapped", "xen_dev_mapped"),
        ("balloon: unmapped", "xen_dev_unmapped"),
        ("xen: L2 boot s", "xen_boot_s"),
        ("xen: hot-add s", "xen_hotadd_s"),
    ]
    w = max(len(t) for t, _ in rows)
    lines = ["%-*s" % (w, "") + "".join("%14s" % r["tree"] for r in results)]
    for title, key in rows:
        lines.append("%-*s" % (w, title) + "".join(
            "%14s" % r.get(key, "-") for r in results))
    return "\n".join(lines)


KVM_CHECK_EXTENSION = 0xAE03
KVM_CAPS = (("KVM_CAP_HYPERV", 44), ("KVM_CAP_HYPERV_SYNIC", 123),
            ("KVM_CAP_XEN_HVM", 38))


def direct_kvm():
    """(could L2 run directly, what the host's /dev/kvm says). With real
    KVM that offers Hyper-V and Xen, L2 would not need L1; only the
    detection is here: the nested path is the one that runs (and the one
    this machine can run: its /dev/kvm has neither)."""
    try:
        fd = os.open("/dev/kvm", os.O_RDWR)
    except OSError as e:
        return False, "no usable /dev/kvm (%s)" % e.strerror
    try:
        caps = [(n, fcntl.ioctl(fd, KVM_CHECK_EXTENSION, c))
                for n, c in KVM_CAPS]
    except OSError as e:
        return False, "/dev/kvm: KVM_CHECK_EXTENSION: %s" % e.strerror
    finally:
        os.close(fd)
    return all(v > 0 for _, v in caps), ", ".join("%s %d" % c for c in caps)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--qemu", required=True,
                    help="root of the unpacked QEMU 10 (scripts/fetch-qemu)")
    ap.add_argument("--l1-kernel", required=True,
                    help="L1's bzImage (a KVM host: KVM_AMD, KVM_HYPERV, "
                    "KVM_XEN)")
    ap.add_argument("--scenarios", default="hyperv,xen")
    ap.add_argument("trees", nargs="+",
                    choices=sorted(set(HV_MARKS) | set(XEN_REMARKS)))
    args = ap.parse_args()
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda n, f: sys.exit(128 + n))
    # L1's QEMU is QEMU 10: its own modules, not the installed 7.2's
    os.environ["QEMU_MODULE_DIR"] = os.path.join(
        args.qemu, "usr/lib/x86_64-linux-gnu/qemu")
    # a failed attempt's L2 console log is kept beside the run's own:
    # none from an earlier run
    for d, _, files in os.walk(args.out):
        for f in files:
            if f.startswith("console.log.attempt-"):
                os.unlink(os.path.join(d, f))
    direct, caps = direct_kvm()
    print("# host KVM: %s: %s" % (caps, "L2 could run directly; the nested "
          "path runs all the same" if direct else "L2 runs nested"))
    ok = Checks()
    results, retries = [], []
    t0 = time.monotonic()
    l1 = L1(args.out, args.qemu, args.l1_kernel)
    try:
        l1.start(timeout=300)
        log("L1 booted in %.1f s" % l1.boot_s)
        info = l1.sh("cat /proc/cpuinfo | grep -c -w svm; ls /dev/kvm")
        ok("/dev/kvm" in info, "L1: KVM on TCG's SVM (%s)"
           % " ".join(info.split()))
        runs = schedule(l1, args.out, args.trees,
                        args.scenarios.split(","), retries)
        for run in runs:
            run.report(ok)
        for tree in args.trees:
            r = {"tree": tree}
            for run in runs:
                if run.tree == tree:
                    r.update(run.result or {})
            results.append(r)
    except (GuestError, ChannelError) as e:
        ok(False, "L1: end-to-end run", str(e))
    finally:
        l1.stop()
    l1.check_log(ok, "L1: no Oops/BUG/WARNING/bad page in L1's log",
                 oom_ok=True)
    boots = L2.boots
    silent = [r for r in retries if ": L2 silent: " in r]
    ok(boots and not L2.silent_twice,
       "L2 channel: %d L2 boots said hello within %d s (slowest %.1f s); "
       "%d retried after a silent channel%s"
       % (len(boots), HELLO_S, max(boots or [0]), len(silent),
          "".join("; " + r for r in silent)))
    print(table(results))
    print("# retried (QEMU abort or silent L2 channel): %d%s" % (
        len(retries), "".join("\n#   " + r for r in retries)))
    print("# nested run: %.0f s" % (time.monotonic() - t0))
    print("# %d checks, %d failed" % (ok.count, ok.failed))
    with open(os.path.join(args.out, "nested.json"), "w") as f:
        json.dump({"results": results, "retries": retries,
                   "l2_boots_s": boots, "checks": ok.count,
                   "failed": ok.failed}, f, indent=1)
    return 1 if ok.failed else 0


if __name__ == "__main__":
    sys.exit(main())
