"""Run a program in a real pseudo-terminal, as a user's terminal would, and measure what it writes.

Used by the benchmarks only: time from process start to the first image row on screen, and bytes written to
the terminal per phase (start-up, a key press, idle). Every chunk read is kept with its arrival time (seconds
since the fork, on the same monotonic clock as ``time.perf_counter`` in any process of this machine), so a
phase's bytes and the time its last byte arrived can be read back.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import re
import select
import signal
import struct
import termios
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

# CSI, OSC, DCS/APC and two-byte escapes: strip them to find the text the user sees.
_ESCAPES = re.compile(
    rb"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[P_^][^\x1b]*\x1b\\|\x1b[@-Z\\-_]"
)

KEYS = {
    "down": b"\x1b[B",
    "up": b"\x1b[A",
    "pagedown": b"\x1b[6~",
    "pageup": b"\x1b[5~",
    "home": b"\x1b[H",
    "end": b"\x1b[F",
}


def visible_text(data: bytes) -> str:
    return _ESCAPES.sub(b"", data).decode("utf-8", errors="replace")


def terminal_env(base: Mapping[str, str] | None = None, **changes: str | None) -> dict[str, str]:
    """The environment of a user who ssh'd into a jump host: TERM=xterm-256color, no COLORTERM (ssh does not
    forward it), no NO_COLOR, no OS_* cloud settings, no Textual overrides, and empty XDG config/state/data/cache
    folders under bench/.work/xdg (no config file, clouds.yaml, log or kept Keystone login of whoever runs it);
    ``changes`` set (or, with None, remove) variables on top.

    PYTHONDONTWRITEBYTECODE is dropped too: a user's Python caches byte-code, and with it set every start of an
    editable install compiles ims_tui from source again (~0.1 s more).
    """
    env = {
        k: v
        for k, v in (base if base is not None else os.environ).items()
        if not k.startswith(("OS_", "TEXTUAL", "IMS_TUI_"))
        and k not in ("COLORTERM", "NO_COLOR", "COLUMNS", "LINES", "PYTHONDONTWRITEBYTECODE")
    }
    env["TERM"] = "xterm-256color"
    env.setdefault("LANG", "C.UTF-8")
    # No config file, clouds.yaml, log or token cache of the person running the benchmark: a private home.
    xdg = Path(__file__).resolve().parent / ".work" / "xdg"
    for name in ("CONFIG", "STATE", "DATA", "CACHE"):
        folder = xdg / name.lower()
        folder.mkdir(parents=True, exist_ok=True)
        env[f"XDG_{name}_HOME"] = str(folder)
    for key, value in changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


@dataclass
class PtyProgram:
    argv: Sequence[str]
    env: Mapping[str, str]
    cols: int = 80
    rows: int = 24
    pid: int = 0
    fd: int = -1
    started: float = 0.0
    output: bytearray = field(default_factory=bytearray)
    chunks: list[tuple[float, int]] = field(default_factory=list)  # (seconds since start, bytes)
    exit_status: int | None = None

    def start(self) -> PtyProgram:
        self.started = time.perf_counter()
        pid, fd = pty.fork()
        if pid == 0:  # child: becomes the program, attached to the pty as its terminal
            try:
                os.execvpe(self.argv[0], list(self.argv), dict(self.env))
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", self.rows, self.cols, 0, 0))
        return self

    def __enter__(self) -> PtyProgram:
        # ``with PtyProgram(...).start() as program`` is started already: a second fork would leave the first
        # program running, unseen and never stopped, after the test
        return self if self.pid else self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def now(self) -> float:
        """Seconds since the program was started."""
        return time.perf_counter() - self.started

    def _read_chunk(self, wait: float) -> bytes | None:
        """One read: the bytes, b"" at end of output, None if nothing arrived within ``wait``."""
        ready, _, _ = select.select([self.fd], [], [], wait)
        if not ready:
            return None
        try:
            chunk = os.read(self.fd, 65536)
        except OSError:  # EIO: the child closed its side
            return b""
        if chunk:
            self.output.extend(chunk)
            self.chunks.append((self.now, len(chunk)))
        return chunk

    def read_for(self, seconds: float) -> int:
        """Read whatever arrives for ``seconds``; returns the byte count."""
        return self.read_until(lambda _: False, seconds)[1]

    def read_until(self, done: Callable[[bytearray], bool], timeout: float) -> tuple[float | None, int]:
        """Read until ``done(output)``; returns (seconds since start when it became true, bytes read)."""
        deadline = time.perf_counter() + timeout
        count = 0
        while True:
            left = deadline - time.perf_counter()
            if left <= 0:
                return None, count
            chunk = self._read_chunk(min(left, 0.05))
            if chunk is None:
                if self._reap():
                    return (self.now if done(self.output) else None), count
                continue
            if not chunk:
                self._reap()
                return (self.now if done(self.output) else None), count
            count += len(chunk)
            if done(self.output):
                return self.now, count

    def wait_for_text(self, pattern: str | re.Pattern[str], timeout: float, since: int = 0) -> float | None:
        """Seconds since start when ``pattern`` first shows in the visible text of output[since:], or None.

        Only the last 64 KiB are searched on each chunk (a frame is far smaller), so this stays cheap on long runs.
        """
        regex = re.compile(pattern) if isinstance(pattern, str) else pattern

        def seen(out: bytearray) -> bool:
            start = max(since, len(out) - 65536)
            return regex.search(visible_text(bytes(out[start:]))) is not None

        if seen(self.output):
            return self.now
        return self.read_until(seen, timeout)[0]

    def read_until_quiet(self, quiet: float = 0.4, timeout: float = 10.0) -> int:
        """Read until nothing arrives for ``quiet`` seconds: the bytes one action caused."""
        return self.settle(quiet, timeout)[0]

    def settle(self, quiet: float = 0.4, timeout: float = 10.0, since: float | None = None) -> tuple[int, float]:
        """Read until nothing arrives for ``quiet`` seconds.

        Returns (bytes read, seconds from ``since`` (default: now) to the arrival of the last byte, 0.0 if none).
        """
        begin = self.now if since is None else since
        deadline = time.perf_counter() + timeout
        count = 0
        last_byte = begin
        last = time.perf_counter()
        while time.perf_counter() < deadline:
            chunk = self._read_chunk(0.02)
            if chunk is None:
                if time.perf_counter() - last >= quiet:
                    break
                continue
            if not chunk:
                break
            count += len(chunk)
            last = time.perf_counter()
            last_byte = self.now
        return count, (last_byte - begin if count else 0.0)

    def send(self, keys: bytes) -> float:
        """Write ``keys`` as typed input; returns the moment (seconds since start) they were written."""
        os.write(self.fd, keys)
        return self.now

    def rss_kib(self) -> int:
        """Resident memory of the program (its own process, not children), from /proc."""
        try:
            with open(f"/proc/{self.pid}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1])
        except OSError:
            pass
        return 0

    def cpu_seconds(self) -> float:
        """CPU time (user + system, all threads) the program has used so far, from /proc; NaN once it is gone.

        Less sensitive than wall time to other work on a busy machine (it still pays for cache misses)."""
        try:
            with open(f"/proc/{self.pid}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            return float("nan")
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def _reap(self) -> bool:
        if self.exit_status is not None:
            return True
        pid, status = os.waitpid(self.pid, os.WNOHANG)
        if pid:
            self.exit_status = os.waitstatus_to_exitcode(status)
            return True
        return False

    def wait_exit(self, timeout: float = 60.0) -> float | None:
        """Drain output until the program exits; returns seconds since start."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            chunk = self._read_chunk(0.05)
            if (chunk == b"" or chunk is None) and self._reap():
                return self.now
        return None

    def quit(self, keys: bytes = b"q", timeout: float = 10.0) -> None:
        """Ask the program to quit with ``keys``; stop it by signal if it does not."""
        if self.exit_status is None and self.fd >= 0:
            with contextlib.suppress(OSError):
                self.send(keys)
            self.wait_exit(timeout)
        self.stop()

    def stop(self) -> None:
        if self.pid and self.exit_status is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGTERM)
            for _ in range(100):
                if self._reap():
                    break
                time.sleep(0.02)
            else:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
                self.exit_status = -signal.SIGKILL
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1
