"""``ims-tui pick`` as a shell script runs it: in a real pseudo-terminal, its standard output a pipe.

The installed command is started on the demo cloud in a pty (bench/ptyrun.py) with file descriptor 1 replaced by
a pipe, as ``$(ims-tui pick)`` does; the test types keys and reads what came down the pipe: only the result, or
nothing, and the exit code.
"""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bench.ptyrun import PtyProgram, terminal_env
from ims_tui.api import ImageClient
from ims_tui.api.models import ListQuery
from ims_tui.demo import DEMO_ENDPOINT, DemoCloud
from ims_tui.pick import plain_name, render

IMS_TUI = str(Path(sys.executable).parent / "ims-tui")
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
ESC, ENTER = b"\x1b", b"\r"


class PipedPty(PtyProgram):
    """A program on a pty whose standard output is a pipe instead (``$(...)``); ``result`` is what it wrote."""

    result_fd: int = -1

    def start(self) -> PipedPty:
        read_end, write_end = os.pipe()
        self.started = time.perf_counter()
        pid, fd = pty.fork()
        if pid == 0:
            try:
                os.close(read_end)
                os.dup2(write_end, 1)
                os.execvpe(self.argv[0], list(self.argv), dict(self.env))
            finally:
                os._exit(127)
        os.close(write_end)
        self.pid, self.fd, self.result_fd = pid, fd, read_end
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", self.rows, self.cols, 0, 0))
        return self

    def result(self) -> str:
        chunks = []
        while chunk := os.read(self.result_fd, 65536):
            chunks.append(chunk)
        os.close(self.result_fd)
        return b"".join(chunks).decode()


def expect(program: PtyProgram, pattern: str) -> None:
    if program.wait_for_text(pattern, 30) is None:
        raise AssertionError(f"{pattern!r} never showed")


Start = Callable[..., PipedPty]


@pytest.fixture
def pick(tmp_path: Path) -> Iterator[Start]:
    """Starts ``ims-tui pick --demo`` (40 images) with ``args``, HOME in tmp_path; returns once the list shows."""
    started: list[PipedPty] = []

    def start(*args: str) -> PipedPty:
        env = terminal_env(HOME=str(tmp_path), XDG_STATE_HOME=str(tmp_path / "state"))
        program = PipedPty([IMS_TUI, "pick", "--demo", "--demo-images", "40", *args], env).start()
        started.append(program)
        expect(program, "pick: Enter chooses, Esc cancels")
        expect(program, r"\d+ images")  # the first page is in
        return program

    yield start
    for program in started:
        program.stop()


def running(program: PtyProgram) -> bool:
    pid, status = os.waitpid(program.pid, os.WNOHANG)
    if pid:
        program.exit_status = os.waitstatus_to_exitcode(status)
    return not pid


def finish(program: PipedPty, keys: bytes) -> tuple[int | None, str]:
    program.send(keys)
    program.wait_exit(30)
    return program.exit_status, program.result()


async def first_images(count: int) -> list[dict[str, object]]:
    """The demo's newest images, as the list shows them first (its default sort)."""
    cloud = DemoCloud(image_count=40)
    async with ImageClient(DEMO_ENDPOINT, transport=cloud.transport) as client:
        page = await client.list_page(ListQuery(limit=count, sort=(("created_at", "desc"),)))
    return [image.to_dict() for image in page.images]


async def test_enter_prints_only_the_highlighted_image_s_id(pick: Start) -> None:
    second = (await first_images(2))[1]
    program = pick()
    program.send(b"j")
    status, out = finish(program, ENTER)
    assert (status, out) == (0, f"{second['id']}\n")


@pytest.mark.parametrize("key", [ESC, b"q"], ids=["esc", "q"])
def test_esc_or_q_prints_nothing_and_exits_1(pick: Start, key: bytes) -> None:
    program = pick()
    assert finish(program, key) == (1, "")


def test_esc_clears_the_marks_first(pick: Start) -> None:
    program = pick("--multi")
    program.send(b" ")
    expect(program, "1 marked")
    program.send(ESC)  # clears the marks: still picking
    program.read_until_quiet(0.5)
    assert running(program), "the first Esc cleared the marks; it must not cancel"
    assert finish(program, ESC) == (1, "")


async def test_multi_prints_the_marked_images_in_marking_order(pick: Start) -> None:
    images = await first_images(3)
    program = pick("--multi")
    program.send(b"jj ")  # marks the third, moves down
    expect(program, "1 marked")
    program.send(b"gg ")  # back to the first, marks it
    expect(program, "2 marked")
    status, out = finish(program, ENTER)
    assert (status, out) == (0, f"{images[2]['id']}\n{images[0]['id']}\n")


async def test_format_name_and_json(pick: Start) -> None:
    first = (await first_images(1))[0]
    status, out = finish(pick("--format", "name"), ENTER)
    assert (status, out) == (0, plain_name(str(first["name"])) + "\n")
    status, out = finish(pick("--format", "json"), ENTER)
    assert status == 0 and out.count("\n") == 1
    shown = json.loads(out)
    assert shown["id"] == first["id"] and shown["name"] == first["name"] and "status" in shown


def test_the_filter_is_applied_to_the_list(pick: Start) -> None:
    program = pick("--filter", "status=queued")
    expect(program, "status=queued")
    status, out = finish(program, ENTER)
    assert status == 0 and re.fullmatch(UUID + "\n", out)


def test_a_named_view_is_applied_to_the_list(pick: Start, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[views.waiting]\nfilter = "status=queued"\nsort = "name:asc"\n')
    program = pick("--config", str(config), "--view", "waiting")
    expect(program, "view: waiting  filter: status=queued")
    status, out = finish(program, ENTER)
    assert status == 0 and re.fullmatch(UUID + "\n", out)


def test_inside_command_substitution(tmp_path: Path) -> None:
    out = tmp_path / "got"
    script = f'id=$("{IMS_TUI}" pick --demo --demo-images 40); echo "rc=$? id=$id" > "{out}"'
    program = PtyProgram(["sh", "-c", script], terminal_env()).start()
    try:
        expect(program, r"\d+ images")
        program.send(ENTER)
        program.wait_exit(30)
    finally:
        program.stop()
    assert re.fullmatch(f"rc=0 id={UUID}\n", out.read_text())


def test_without_a_terminal_it_says_so_and_exits_2() -> None:
    done = subprocess.run(
        [IMS_TUI, "pick", "--demo"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        start_new_session=True,  # no controlling terminal: /dev/tty cannot be opened
        env=terminal_env(),
        timeout=60,
    )
    assert done.returncode == 2 and done.stdout == b""
    assert b"cannot open the terminal /dev/tty" in done.stderr


def test_a_wrong_filter_is_refused_with_exit_2() -> None:
    done = subprocess.run(
        [IMS_TUI, "pick", "--demo", "--filter", "status=active size>10Q"],
        capture_output=True,
        env=terminal_env(),
        timeout=60,
    )
    assert done.returncode == 2 and done.stdout == b""
    assert b'column 20: "10Q" is not a size' in done.stderr


def test_names_lose_their_control_characters_and_json_stays_ascii() -> None:
    image = {"id": "i-1", "name": "evil\x1b[31m\nname\u202e"}
    assert render([image], "name") == "evil[31mname\n"
    assert render([image], "json") == '{"id": "i-1", "name": "evil\\u001b[31m\\nname\\u202e"}\n'
