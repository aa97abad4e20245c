#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The end-to-end tests' QEMU driver: one guest (QEMU under TCG, its QMP
socket, the control channel on ttyS1, the console log), the facts read
from it, and the TAP checks. The scenarios (e2e.py, nested.py,
twonode.py) import it; none imports another."""

import atexit
import contextlib
import json
import os
import re
import socket
import subprocess
import sys
import time

import ctl
from ctl import ChannelError

# The kernel's report patterns are the project's one list (scripts/pylib,
# on PYTHONPATH when lib.sh started us; found next door otherwise).
sys.path.append(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                             os.pardir, "scripts"))
from pylib.reports import CONSOLE as BAD_LOG  # noqa: E402

MiB = 1 << 20
PAGE = 4096
GUEST_MIB = 1024          # guest RAM
BIT = 23                  # KPF_OFFLINE, formerly KPF_BALLOON


class GuestError(Exception):
    """A guest command or QMP failed (ChannelError: the channel gave up)."""


LIVE = set()


@atexit.register
def _kill_live():
    """No QEMU outlives this script, however it ends."""
    for proc in list(LIVE):
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def log(text):
    print("e2e: " + text, file=sys.stderr, flush=True)


class Guest:
    """One QEMU guest: QMP socket, control channel, console log file."""

    def __init__(self, out, tree, name, mem_mib=GUEST_MIB, fault_seed=None,
                 icount=False, memory=None, extra=(),
                 qemu="qemu-system-x86_64", machine=("-machine", "pc,accel=tcg"),
                 kernel=None, append=None,
                 devices=("-device", "virtio-balloon-pci,id=balloon0")):
        """MEM_MIB is the guest's RAM; MEMORY, when given, is QEMU's whole
        -m argument (slots and maxmem for hot-added memory), EXTRA more
        QEMU arguments (NUMA nodes, say). QEMU, MACHINE, KERNEL (default
        OUT/TREE/bzImage), APPEND (default: the x86 serial console line)
        and DEVICES (default: the virtio balloon) let another architecture
        use the same driver; its first two serial ports must be the console
        and the control channel, as ttyS0 and ttyS1 are on x86."""
        self.tree = tree
        self.mem = mem_mib * MiB
        self.dir = os.path.join(out, tree, "run-" + name)
        os.makedirs(self.dir, exist_ok=True)
        self.console = os.path.join(self.dir, "console.log")
        self.qmp_path = os.path.join(self.dir, "qmp.sock")
        self.ctl_path = os.path.join(self.dir, "ctl.sock")
        for p in (self.console, self.qmp_path, self.ctl_path):
            if os.path.exists(p):
                os.unlink(p)
        kernel = kernel or os.path.join(out, tree, "bzImage")
        initrd = os.path.join(out, tree, "initramfs.gz")
        if append is None:
            append = ("console=ttyS0 crashkernel=64M panic=-1 quiet "
                      "loglevel=6 no_timer_check")
        self.argv = [
            qemu] + list(machine) + ["-smp", "1",
            "-m", memory or str(mem_mib), "-nodefaults", "-display", "none",
            "-no-reboot", "-kernel", kernel, "-initrd", initrd,
            "-append", append,
            "-serial", "file:" + self.console,
            "-chardev", "socket,id=ctl,path=%s,server=on,wait=off"
                        % self.ctl_path,
            "-serial", "chardev:ctl",
            "-qmp", "unix:%s,server=on,wait=off" % self.qmp_path,
        ] + list(devices) + list(extra)
        if icount:
            # virtual time = instructions executed (1 ns each), whatever
            # the host's load
            self.argv += ["-icount", "shift=0,sleep=off"]
        self.proc = None
        self.qmp = None
        self.ctl = None
        self.chan = None
        self.link = None        # the FaultyLink, with fault_seed
        self.fault_seed = fault_seed
        self.qbuf = b""
        self.boot_s = None

    # -- process and sockets ----------------------------------------------
    def start(self, timeout=180, tries=2):
        """Boot; a boot that dies before /init (TCG on a loaded host can
        still trip the early timer checks) is retried once."""
        for attempt in range(tries):
            try:
                return self._start(timeout)
            except (GuestError, ChannelError) as e:
                self.stop()
                if attempt + 1 == tries:
                    raise
                log("%s: boot failed (%s), retrying" % (self.tree, e))
                os.rename(self.console, self.console + ".failed")
                for p in (self.qmp_path, self.ctl_path):
                    if os.path.exists(p):
                        os.unlink(p)
                self.qbuf = b""

    def _start(self, timeout):
        t0 = time.monotonic()
        self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL,
                                     stdout=open(os.path.join(
                                         self.dir, "qemu.log"), "w"),
                                     stderr=subprocess.STDOUT)
        LIVE.add(self.proc)
        self.qmp = self._connect(self.qmp_path)
        self.ctl = self._connect(self.ctl_path)
        greeting = self._qmp_read(30)
        if "QMP" not in greeting:
            raise GuestError("no QMP greeting, got %r" % greeting)
        self.command("qmp_capabilities")
        sock = self.ctl
        if self.fault_seed is not None:
            self.link = sock = ctl.FaultyLink(self.ctl, self.fault_seed)
        self.chan = ctl.Channel(sock, alive=lambda: self.proc.poll() is None,
                                keep_frames=self.link is not None)
        self.chan.hello(timeout)
        self.boot_s = time.monotonic() - t0

    def _connect(self, path):
        deadline = time.monotonic() + 30
        while True:
            if self.proc.poll() is not None:
                raise GuestError("qemu exited with %d, see %s/qemu.log"
                                 % (self.proc.returncode, self.dir))
            try:
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.connect(path)
                return s
            except OSError:
                s.close()
                if time.monotonic() > deadline:
                    raise GuestError("cannot connect to " + path)
                time.sleep(0.05)

    def stop(self):
        if self.proc is None:
            return
        try:
            if self.chan is not None:
                if self.link is not None:
                    self.link.active = False
                self.chan.post("reboot -f")
            self.proc.wait(timeout=30)
        except (OSError, ChannelError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait()
        LIVE.discard(self.proc)
        for s in (self.qmp, self.ctl):
            if s is not None:
                s.close()
        self.proc = self.qmp = self.ctl = self.chan = None

    # -- QMP ----------------------------------------------------------------
    def _qmp_read(self, timeout, want_id=None):
        """Next QMP message that is not an event, as a dict; with WANT_ID,
        the answer to the command sent with that id (anything else, such
        as the error for a command that reached QEMU damaged, is
        skipped)."""
        deadline = time.monotonic() + timeout
        while True:
            while b"\n" in self.qbuf:
                line, self.qbuf = self.qbuf.split(b"\n", 1)
                if not line.strip():
                    continue
                msg = json.loads(line)
                if "event" in msg:
                    continue
                if want_id is not None and msg.get("id") != want_id:
                    continue
                return msg
            left = deadline - time.monotonic()
            if left <= 0:
                raise GuestError("QMP: no answer within %d s" % timeout)
            self.qmp.settimeout(left)
            try:
                data = self.qmp.recv(65536)
            except socket.timeout:
                continue        # the deadline check above ends it
            except OSError as e:
                raise GuestError("QMP: %s" % e)
            if not data:
                raise GuestError("QMP connection closed")
            self.qbuf += data

    def command(self, name, **args):
        self.qmp_id = getattr(self, "qmp_id", 0) + 1
        req = {"execute": name, "id": self.qmp_id}
        if args:
            req["arguments"] = args
        try:
            self.qmp.sendall(json.dumps(req).encode() + b"\n")
            resp = self._qmp_read(30, self.qmp_id)
        except (GuestError, OSError) as e:
            raise GuestError("QMP %s: %s" % (name, e))
        if "error" in resp:
            raise GuestError("QMP %s: %s" % (name, resp["error"]))
        return resp.get("return")

    def actual(self):
        """Guest memory as the balloon device reports it, in bytes."""
        return self.command("query-balloon")["actual"]

    def balloon(self, target, timeout=120, poll=0.005):
        """Set the guest's target size and wait until the device reports
        it. Returns the seconds it took."""
        t0 = time.monotonic()
        self.command("balloon", value=target)
        while True:
            a = self.actual()
            if a == target:
                return time.monotonic() - t0
            if time.monotonic() - t0 > timeout:
                raise GuestError("balloon: target %d not reached in %d s, "
                                 "actual %d" % (target, timeout, a))
            time.sleep(poll)

    def balloon_settle(self, target, quiet=5.0, timeout=300):
        """Set the target and wait until actual stops moving for `quiet`
        seconds (or reaches the target). Returns actual."""
        self.command("balloon", value=target)
        t0 = time.monotonic()
        last, since = self.actual(), time.monotonic()
        while True:
            time.sleep(0.25)
            a = self.actual()
            now = time.monotonic()
            if a == target:
                return a
            if a != last:
                last, since = a, now
            elif now - since >= quiet and a != self.mem:
                return a
            if now - t0 > timeout:
                raise GuestError("balloon did not settle, actual %d" % a)

    # -- control channel ------------------------------------------------------
    def sh(self, cmd, timeout=300, check=True):
        """Run a shell command in the guest; return its output. The channel
        raises ChannelError when it gives up."""
        rc, out = self.chan.call(cmd, timeout)
        if check and rc:
            raise GuestError("guest command %r exited %d:\n%s"
                             % (cmd, rc, out))
        return out

    # -- guest facts ------------------------------------------------------------
    def kpf_count(self):
        n, total = self.sh("kpf-count %d" % BIT).split()
        return int(n), int(total)

    def page_types(self):
        """(pages, flag names) page-types reports for the pages that have
        bit 23 set, whatever else they have."""
        out = self.sh("page-types -r -b 0x%x" % (1 << BIT))
        names, total = [], None
        for line in out.splitlines():
            m = re.match(r"0x[0-9a-f]{16}\s+\d+\s+\d+\s+\S+\s+(.*)$",
                         line.strip())
            if m:
                names.append(m.group(1).strip())
            m = re.match(r"total\s+(\d+)", line.strip())
            if m:
                total = int(m.group(1))
        if total is None:
            raise GuestError("page-types printed no total:\n" + out)
        return total, ",".join(names) if names else None

    def meminfo(self, key):
        out = self.sh("grep '^%s:' /proc/meminfo" % key)
        return int(out.split()[1]) * 1024

    def free(self):
        """Free memory in bytes: MemFree plus the pages that wait on the
        per-cpu free lists, which MemFree leaves out."""
        pcp = self.sh("awk '$1 == \"count:\" {n += $2} END {print n + 0}' "
                      "/proc/zoneinfo")
        return self.meminfo("MemFree") + int(pcp) * PAGE

    def vmstat(self, key):
        out = self.sh("grep '^%s ' /proc/vmstat || echo %s -1" % (key, key))
        return int(out.split()[1])

    def mem_usage(self):
        """Rows and their sum from makedumpfile --mem-usage /proc/kcore."""
        out = self.sh("makedumpfile --mem-usage /proc/kcore 2>&1",
                      timeout=600)
        rows = {}
        for line in out.splitlines():
            m = re.match(r"^([A-Z_]+)\s+(\d+)\s+(yes|no)\s", line)
            if m:
                rows[m.group(1)] = int(m.group(2))
        if not rows:
            raise GuestError("makedumpfile printed no rows:\n" + out)
        return rows, sum(rows.values())

    @contextlib.contextmanager
    def running(self, ok, what):
        """The body of a scenario on this guest: a failure of the harness
        (the guest, its control channel or QMP) ends it as one failed
        check WHAT with the reason; the guest is stopped in every case."""
        try:
            yield
        except ChannelError as e:
            ok(False, what, "control channel: %s" % e)
        except GuestError as e:
            ok(False, what, str(e))
        finally:
            self.stop()

    def check_log(self, ok, what, ignore=None, oom_ok=False):
        """One check WHAT: the console log shows no kernel problem (lines
        that IGNORE matches are expected in this scenario) and no OOM
        kill unless OOM_OK. Returns the problem lines and the kills."""
        bad, kills = self.log_problems()
        if ignore is not None:
            bad = [b for b in bad if not ignore.search(b)]
        oom = kills and not oom_ok
        ok(not bad and not oom, what, "; ".join(bad[:5])
           + (" OOM kills: %d" % kills if oom else ""))
        return bad, kills

    def log_problems(self):
        """Lines of the console log that show a kernel problem, and the
        number of OOM kills. An OOM report (from "invoked oom-killer" to
        "Out of memory: Killed process") is expected when the balloon has
        taken all it could, and is not a problem in itself."""
        bad, in_oom, kills = [], False, 0
        with open(self.console, errors="replace") as f:
            for line in f:
                if "invoked oom-killer" in line:
                    in_oom = True
                    continue
                if "Out of memory: Killed process" in line:
                    in_oom = False
                    kills += 1
                    continue
                if not in_oom and BAD_LOG.search(line):
                    bad.append(line.rstrip())
        return bad, kills


def write_report(out, name, text, results, checks):
    """A scenario's end: its table TEXT to OUT/NAME.md and stdout, its
    RESULTS to OUT/NAME.json; the exit status for CHECKS."""
    with open(os.path.join(out, name + ".md"), "w") as f:
        f.write(text)
    with open(os.path.join(out, name + ".json"), "w") as f:
        json.dump(results, f, indent=1)
    print(text, end="")
    return 1 if checks.failed else 0


class Checks:
    def __init__(self):
        self.failed = 0
        self.count = 0

    def __call__(self, cond, what, detail=""):
        self.count += 1
        if cond:
            print("ok - " + what, flush=True)
        else:
            self.failed += 1
            print("not ok - " + what + (": " + detail if detail else ""),
                  flush=True)
        return cond
