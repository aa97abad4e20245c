# SPDX-License-Identifier: GPL-2.0
"""Host end of the end-to-end control channel (the guest end is agent.c;
the frame format is described there and in README).

    ch = Channel(sock, alive=lambda: proc.poll() is None)
    ch.hello(timeout)              wait until the agent is ready
    rc, output = ch.call(cmd, timeout)

A command frame that the agent does not acknowledge intact is sent again;
a result that arrives damaged is asked for again; the agent runs each
sequence number at most once. Every wait is bounded and ends, at worst, in
one ChannelError that names the command and what was awaited.

FaultyLink wraps the socket on the host side and damages whole frames in
both directions (drops, corrupts, cuts, delays), seeded, for the selftests.
"""

import random
import re
import socket
import time
import zlib

FRAME = re.compile(rb"@([A-Z]):(\d{1,9}):(-?\d{1,9}):(\d{1,9}):([0-9a-f]*):"
                   rb"([0-9a-f]{8})")
MAX_STRIKES = 30        # damaged frames and NAKs tolerated per command
TICK_MIN, TICK_MAX = 1.0, 8.0   # silence before asking again, doubling


class ChannelError(Exception):
    """The channel gave up: a harness failure, not a kernel one."""


def encode(ftype, seq, rc=0, data=b""):
    """One frame, as bytes, '\\n' included."""
    head = b"%s:%d:%d:%d:%s:" % (ftype.encode(), seq, rc, len(data),
                                 data.hex().encode())
    return b"@" + head + b"%08x\n" % zlib.crc32(head)


def decode(line):
    """(type, seq, rc, data) of an intact frame (LINE without '\\n'), or
    None for anything else."""
    m = FRAME.fullmatch(line)
    if not m:
        return None
    body = line[1:m.start(6)]
    if zlib.crc32(body) != int(m.group(6), 16):
        return None
    hexdata = m.group(5)
    if len(hexdata) != 2 * int(m.group(4)):
        return None
    return (m.group(1).decode(), int(m.group(2)), int(m.group(3)),
            bytes.fromhex(hexdata.decode()))


class Stats:
    """What the host saw on the channel."""

    FIELDS = ("commands", "resends", "rerequests", "naks", "bad",
              "silences", "stale")

    def __init__(self):
        for f in self.FIELDS:
            setattr(self, f, 0)
        self.accepted = []      # every intact frame the host acted on

    def __str__(self):
        return ", ".join("%s %d" % (f, getattr(self, f))
                         for f in self.FIELDS)


class Channel:
    def __init__(self, sock, alive=lambda: True, keep_frames=False):
        self.sock = sock
        self.alive = alive
        self.buf = b""
        self.seq = 0
        self.stats = Stats()
        self.keep_frames = keep_frames

    def _send(self, frame):
        try:
            self.sock.sendall(frame)
        except OSError as e:
            raise ChannelError("control channel: send failed: %s" % e)

    def _line(self, timeout, waiting):
        """The next line (without '\\n'), or None after TIMEOUT seconds of
        no complete line."""
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buf:
            if not self.alive():
                raise ChannelError("guest stopped while waiting for "
                                   + waiting)
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            self.sock.settimeout(min(left, 1.0))
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                continue
            except OSError as e:
                raise ChannelError("control channel: %s while waiting for "
                                   "%s" % (e, waiting))
            if not data:
                raise ChannelError("control channel closed while waiting "
                                   "for " + waiting)
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        return line

    def _frame(self, timeout, waiting):
        """Next line as (decoded frame or None, raw line), or (None, None)
        on silence."""
        line = self._line(timeout, waiting)
        if line is None:
            return None, None
        f = decode(line)
        if f is None:
            self.stats.bad += 1
        elif self.keep_frames:
            self.stats.accepted.append(line + b"\n")
        return f, line

    def hello(self, timeout):
        """Wait for the agent's H frame; ping it when the line stays quiet
        or brings damage."""
        deadline = time.monotonic() + timeout
        waiting = "the agent's hello (boot to /init and agent start)"
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise ChannelError("no answer within %d s: waiting for %s"
                                   % (timeout, waiting))
            f, line = self._frame(min(5.0, left), waiting)
            if f is not None and f[0] == "H":
                self.seq = max(self.seq, f[1])
                return
            if f is None:
                self._send(encode("P", 0))

    def call(self, cmd, timeout=300):
        """Run CMD in the guest once; return (exit status, output)."""
        self.seq += 1
        seq = self.seq
        data = cmd.encode()
        frame = encode("C", seq, 0, data)
        deadline = time.monotonic() + timeout
        acked, strikes, tick = False, 0, TICK_MIN
        self.stats.commands += 1
        self._send(frame)

        def waiting():
            return "the %s of command #%d %r" % (
                "result" if acked else "acknowledgement", seq, cmd)

        def again():
            if acked:
                self.stats.rerequests += 1
                self._send(encode("R", seq))
            else:
                self.stats.resends += 1
                self._send(frame)

        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise ChannelError("no answer within %d s: waiting for %s"
                                   % (timeout, waiting()))
            f, line = self._frame(min(tick, left), waiting())
            if line is None:
                self.stats.silences += 1
                tick = min(2 * tick, TICK_MAX)
                again()
                continue
            if f is None:
                strikes += 1
            else:
                ftype, fseq, rc, out = f
                if ftype == "D" and fseq == seq:
                    return rc, out.decode(errors="replace")
                if ftype == "A" and fseq == seq:
                    acked, tick = True, TICK_MIN
                    continue
                if ftype == "N" and fseq in (0, seq):
                    self.stats.naks += 1
                    strikes += 1
                else:
                    self.stats.stale += 1
                    continue
            if strikes > MAX_STRIKES:
                raise ChannelError("gave up after %d damaged frames or NAKs:"
                                   " waiting for %s" % (strikes, waiting()))
            again()

    def post(self, cmd):
        """Send CMD without waiting for anything (reboot)."""
        self.seq += 1
        self._send(encode("C", self.seq, 0, cmd.encode()))


def known_batch(n, log="run.log"):
    """N shell commands whose output and exit status are known, as
    (command, status, output). Each appends its number to LOG, so that LOG
    shows afterwards how often each one ran."""
    for i in range(1, n + 1):
        cmd = ("echo %d >>%s; printf '%%s\\n' line-%d $((%d * 7919)); "
               "echo $(seq %d | wc -l); exit %d"
               % (i, log, i, i, i % 3 * 40 + i % 7, i % 5))
        want = "line-%d\n%d\n%d\n" % (i, i * 7919, i % 3 * 40 + i % 7)
        yield cmd, i % 5, want


class Mangler:
    """Damage whole frames of one direction of a byte stream: each
    complete line is dropped, corrupted (1-3 bytes replaced) or cut (a
    slice removed, possibly its '\\n'), each with its own probability.
    Every damaged frame differs from the original, so the counts are
    exact."""

    def __init__(self, rng, drop, corrupt, cut):
        self.rng = rng
        self.p = (drop, corrupt, cut)
        self.pending = b""
        self.frames = self.dropped = self.corrupted = self.cut = 0
        self.originals = set()

    def feed(self, data, active=True):
        """Complete frames of DATA, damaged when ACTIVE; a partial frame
        waits for its end."""
        self.pending += data
        out = []
        while b"\n" in self.pending:
            line, self.pending = self.pending.split(b"\n", 1)
            if active:
                out.append(self.mangle(line + b"\n"))
            else:
                self.originals.add(line + b"\n")
                out.append(line + b"\n")
        return b"".join(out)

    def mangle(self, frame):
        self.frames += 1
        self.originals.add(frame)
        r = self.rng.random()
        drop, corrupt, cut = self.p
        if r < drop:
            self.dropped += 1
            return b""
        r -= drop
        if r < corrupt:
            self.corrupted += 1
            b = bytearray(frame)
            for _ in range(self.rng.randint(1, 3)):
                i = self.rng.randrange(len(b))
                b[i] = (b[i] + self.rng.randint(1, 255)) & 0xff
            return bytes(b)
        r -= corrupt
        if r < cut:
            self.cut += 1
            i = self.rng.randrange(len(frame))
            j = self.rng.randint(i + 1, len(frame))
            return frame[:i] + frame[j:]
        return frame

    def damaged(self):
        return self.dropped + self.corrupted + self.cut


class FaultyLink:
    """A socket look-alike between the Channel and the real socket that
    drops, corrupts, cuts and delays frames in both directions."""

    def __init__(self, sock, seed, drop=0.05, corrupt=0.1, cut=0.05,
                 delay=0.2):
        self.sock = sock
        # one generator per direction and one for delays, so that the
        # damage each direction sees depends only on the seed and on its
        # own sequence of frames
        self.rng = random.Random(seed)
        self.down = Mangler(random.Random(seed * 3 + 1), drop, corrupt,
                            cut)                            # host -> guest
        self.up = Mangler(random.Random(seed * 3 + 2), drop, corrupt,
                          cut)                              # guest -> host
        self.delay = delay
        self.delays = 0
        self.ready = b""
        self.active = True      # False: pass everything through untouched

    def _maybe_sleep(self):
        if self.active and self.rng.random() < self.delay:
            self.delays += 1
            time.sleep(self.rng.uniform(0.001, 0.05))

    def sendall(self, data):
        data = self.down.feed(data, self.active)
        if not data:
            return
        # split the frame in two writes, sometimes with a pause between
        i = self.rng.randrange(len(data) + 1)
        for part in (data[:i], data[i:]):
            if part:
                self._maybe_sleep()
                self.sock.sendall(part)

    def settimeout(self, t):
        self.sock.settimeout(t)

    def recv(self, n):
        while not self.ready:
            data = self.sock.recv(n)
            if not data:
                return data
            self.ready = self.up.feed(data, self.active)
        self._maybe_sleep()
        data, self.ready = self.ready[:n], self.ready[n:]
        return data

    def close(self):
        self.sock.close()

    def report(self):
        d, u = self.down, self.up
        return ("host->guest: %d frames, %d damaged (%d dropped, %d "
                "corrupted, %d cut); guest->host: %d frames, %d damaged "
                "(%d dropped, %d corrupted, %d cut); %d delays"
                % (d.frames, d.damaged(), d.dropped, d.corrupted, d.cut,
                   u.frames, u.damaged(), u.dropped, u.corrupted, u.cut,
                   self.delays))
