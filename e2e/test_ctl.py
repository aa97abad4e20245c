#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Host-side tests of the control channel, no QEMU: the frame code itself,
and the real agent (built for the host) run on a socket pair, clean and
behind FaultyLink. One TAP line per test.

    test_ctl.py AGENT [--seed N] [--commands N]
"""

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ctl  # noqa: E402

FAILED = 0


def ok(cond, what, detail=""):
    global FAILED
    if cond:
        print("ok - ctl: " + what, flush=True)
    else:
        FAILED += 1
        print("not ok - ctl: " + what + (": " + detail if detail else ""),
              flush=True)


def test_frames():
    payloads = [b"", b"x", bytes(range(256)), "kpf-count 23\n".encode(),
                b"\n@:" * 50]
    good = all(ctl.decode(ctl.encode(t, s, rc, p)[:-1]) == (t, s, rc, p)
               for t, s, rc, p in [("C", 1, 0, payloads[0]),
                                   ("D", 7, 127, payloads[2]),
                                   ("D", 123456789, -1, payloads[4]),
                                   ("A", 2, 0, payloads[1]),
                                   ("C", 3, 0, payloads[3])])
    ok(good, "frames decode to what was encoded (empty, all 256 byte "
       "values, newlines and ':' in the payload)")

    frames = [ctl.encode("C", 42, 0, b"grep '^MemTotal:' /proc/meminfo"),
              ctl.encode("D", 42, 0, b"MemTotal: 1014204 kB\n"),
              ctl.encode("A", 9, 0)]
    tried = accepted = 0
    for fr in frames:
        for i in range(len(fr)):
            for v in range(256):
                if v == fr[i]:
                    continue
                b = bytearray(fr)
                b[i] = v
                for line in bytes(b).split(b"\n"):
                    tried += 1
                    if ctl.decode(line) is not None:
                        accepted += 1
    ok(accepted == 0, "every one-byte change of a frame is rejected "
       "(%d damaged lines tried)" % tried, "%d accepted" % accepted)
    tried = accepted = 0
    for fr in frames:
        for i in range(len(fr)):
            for j in range(i + 1, len(fr) + 1):
                if (i, j) == (len(fr) - 1, len(fr)):
                    continue    # only the '\n' gone: the frame is intact
                for line in (fr[:i] + fr[j:]).split(b"\n"):
                    if not line:
                        continue
                    tried += 1
                    if ctl.decode(line) is not None:
                        accepted += 1
    ok(accepted == 0, "every frame with a slice cut out is rejected (%d "
       "lines tried, the intact frame without its '\\n' aside)"
       % tried, "%d accepted" % accepted)
    joined = frames[0][:-1] + frames[1]
    ok(ctl.decode(joined[:-1]) is None and
       ctl.decode(frames[0][:20] + frames[1][:-1]) is None,
       "two frames run together (lost '\\n', lost middle) are rejected")


class Agent:
    """The agent on one end of a socket pair, commands run in a scratch
    directory on the host."""

    def __init__(self, binary, workdir):
        self.host, guest = socket.socketpair()
        # stderr dropped: the agent dies of EPIPE when a test closes its
        # end while answers to resent frames are still on their way
        self.proc = subprocess.Popen([binary, "-"], stdin=guest,
                                     stdout=guest, stderr=subprocess.DEVNULL,
                                     cwd=workdir)
        guest.close()

    def alive(self):
        return self.proc.poll() is None

    def close(self):
        self.host.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def run_batch(ch, n):
    wrong = []
    for i, (cmd, rc, want) in enumerate(ctl.known_batch(n), 1):
        got = ch.call(cmd, timeout=60)
        if got != (rc, want):
            wrong.append((i, got))
    rc, log = ch.call("cat run.log", timeout=60)
    ran = [int(x) for x in log.split()]
    return wrong, ran


def test_agent_clean(binary, tmp):
    a = Agent(binary, tmp)
    try:
        ch = ctl.Channel(a.host, a.alive)
        ch.hello(10)
        wrong, ran = run_batch(ch, 50)
        ok(not wrong and ran == list(range(1, 51)) and ch.stats.resends == 0
           and ch.stats.bad == 0,
           "50 commands on a clean line: right output and status, each ran "
           "once, nothing resent (%s)" % ch.stats,
           "wrong %s, ran %s" % (wrong[:3], ran[:10]))
        # a duplicate of the last command is answered, not run again
        cmd = "echo dup >>run.log; echo once"
        rc, out = ch.call(cmd)
        a.host.sendall(ctl.encode("C", ch.seq, 0, cmd.encode()))
        f, _ = ch._frame(5, "duplicate")
        rc2, log = ch.call("grep -c dup run.log")
        ok(f is not None and f[0] == "D" and f[1] == ch.seq - 1 and
           f[3] == b"once\n" and log == "1\n",
           "a resent command is answered with its stored result and not "
           "run again", "frame %r, runs %r" % (f, log))
        full = ch.call("head -c 1048576 /dev/zero")
        over = ch.call("head -c 1048577 /dev/zero")
        ok(full == (0, "\0" * 1048576) and
           over == (125, "agent: output longer than 1048576 bytes\n"),
           "1 MiB of output comes back whole; more is an error, not a part",
           "got %r, %r" % (full[0], over))
        a.host.sendall(ctl.encode("R", ch.seq + 5))
        f, _ = ch._frame(5, "NAK")
        ok(f is not None and f[:2] == ("N", ch.seq + 5),
           "asking for the result of a command never received gets a NAK "
           "naming it", "got %r" % (f,))
        a.host.sendall(b"@C:99:0:2:6c73:00000000\n")
        f, _ = ch._frame(5, "NAK")
        rc, log = ch.call("echo $(( $(wc -l <run.log) ))")
        ok(f is not None and f[:2] == ("N", 0) and log == "51\n",
           "a command with a wrong CRC gets a NAK and does not run",
           "got %r, log %r" % (f, log))
    finally:
        a.close()


def test_agent_faults(binary, tmp, seed, n):
    a = Agent(binary, tmp)
    link = ctl.FaultyLink(a.host, seed)
    t0 = time.monotonic()
    try:
        ch = ctl.Channel(link, a.alive, keep_frames=True)
        ch.hello(30)
        wrong, ran = run_batch(ch, n)
    finally:
        a.close()
    secs = time.monotonic() - t0
    forged = [f for f in ch.stats.accepted if f not in link.up.originals]
    print("# seed %d, %d commands, %.1f s: %s" % (seed, n, secs,
                                                 link.report()))
    print("# host: %s" % ch.stats)
    ok(link.down.damaged() > 0 and link.up.damaged() > 0,
       "the faulty link damaged frames both ways (%d host->guest, %d "
       "guest->host)" % (link.down.damaged(), link.up.damaged()))
    ok(not wrong, "%d commands behind the faulty link, seed %d: every "
       "output and status right (wrong results: %d)" % (n, seed, len(wrong)),
       str(wrong[:3]))
    ok(ran == list(range(1, n + 1)), "each of the %d commands ran exactly "
       "once, in order" % n, "log %s" % ran[:20])
    ok(not forged, "every frame the host accepted is byte for byte one the "
       "agent sent (%d accepted)" % len(ch.stats.accepted),
       "%d not: %r" % (len(forged), forged[:2]))


class Peer:
    """A stuck guest: reads everything, answers only what REPLY says."""

    def __init__(self, reply):
        self.host, self.guest = socket.socketpair()
        self.reply = reply
        self.t = threading.Thread(target=self.serve, daemon=True)
        self.t.start()

    def serve(self):
        buf = b""
        while True:
            try:
                data = self.guest.recv(4096)
            except OSError:
                return
            if not data:
                return
            buf += data
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                out = self.reply(ctl.decode(line))
                if out:
                    self.guest.sendall(out)

    def close(self):
        self.host.close()
        self.guest.close()


def expect_error(reply, timeout, want):
    p = Peer(reply)
    t0 = time.monotonic()
    try:
        ctl.Channel(p.host).call("kpf-count 23", timeout=timeout)
        return False, "no error", 0
    except ctl.ChannelError as e:
        secs = time.monotonic() - t0
        return all(w in str(e) for w in want), str(e), secs
    finally:
        p.close()


def test_bounds():
    good, msg, secs = expect_error(lambda f: None, 4,
                                   ["acknowledgement", "'kpf-count 23'"])
    ok(good and secs < 6, "a silent guest: one error naming the command "
       "and the acknowledgement it waited for, in %.1f s (bound 4 s)" % secs,
       msg)
    good, msg, secs = expect_error(
        lambda f: ctl.encode("A", f[1]) if f and f[0] == "C" else None, 4,
        ["result", "'kpf-count 23'"])
    ok(good and secs < 6, "a guest that acknowledges and never answers: "
       "one error naming the result it waited for, in %.1f s" % secs, msg)
    good, msg, secs = expect_error(lambda f: b"garbage\n", 60,
                                   ["gave up", "'kpf-count 23'"])
    ok(good and secs < 10, "a guest that answers only garbage: the host "
       "gives up after %d strikes, in %.1f s" % (ctl.MAX_STRIKES, secs), msg)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("agent")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--commands", type=int, default=100)
    args = ap.parse_args()
    if not os.access(args.agent, os.X_OK):
        sys.exit("test_ctl.py: expected the agent binary, found no "
                 "executable %s" % args.agent)
    test_frames()
    with tempfile.TemporaryDirectory() as tmp:
        test_agent_clean(args.agent, tmp)
    with tempfile.TemporaryDirectory() as tmp:
        test_agent_faults(args.agent, tmp, args.seed, args.commands)
    test_bounds()
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
