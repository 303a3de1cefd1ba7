"""Start an installed ims-tui on the demo cloud in a pseudo-terminal, wait for the first image row, quit with q.

Used by .ci/run after the offline (wheelhouse) install: it proves the installed program starts and draws, with
no package index and no display. Usage: python tools/headless_start.py PATH/TO/ims-tui [extra args...]
"""

from __future__ import annotations

import os
import pty
import re
import select
import signal
import sys
import time

FIRST_ROW = re.compile(rb"debian-11-generic")  # the demo cloud's newest image, first under the default sort
ESCAPES = re.compile(rb"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")
DEADLINE = 60.0


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    command = [argv[0], "--demo", "--demo-images", "50", *argv[1:]]
    env = dict(os.environ, TERM="xterm-256color", COLUMNS="80", LINES="24")
    pid, fd = pty.fork()
    if pid == 0:
        os.execvpe(command[0], command, env)
    import fcntl
    import struct
    import termios

    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    os.kill(pid, signal.SIGWINCH)
    output = b""
    started = time.monotonic()
    quit_sent = False
    chunk = b""
    try:
        while time.monotonic() - started < DEADLINE:
            ready, _, _ = select.select([fd], [], [], 0.5)
            if ready:
                try:
                    chunk = os.read(fd, 65536)
                except OSError:  # EIO: the program closed the terminal, so it has exited or is exiting
                    chunk = b""
                output += chunk
            if not quit_sent and FIRST_ROW.search(ESCAPES.sub(b"", output)):
                print(f"first image row after {time.monotonic() - started:.2f} s")
                os.write(fd, b"q")
                quit_sent = True
            done, status = os.waitpid(pid, 0 if ready and not chunk else os.WNOHANG)
            if done:
                code = os.waitstatus_to_exitcode(status)
                if not quit_sent:
                    print(f"ims-tui exited ({code}) before drawing a row", file=sys.stderr)
                    print(ESCAPES.sub(b"", output).decode("utf-8", "replace")[-2000:], file=sys.stderr)
                    return 1
                print(f"ims-tui quit with status {code}")
                return code
    finally:
        try:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        os.close(fd)
    print("ims-tui did not draw an image row within 60 s", file=sys.stderr)
    print(ESCAPES.sub(b"", output).decode("utf-8", "replace")[-2000:], file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
