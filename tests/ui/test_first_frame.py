"""The first frame: the list's first rows drawn before Textual is imported (ims_tui/ui/first_frame.py).

It must read as the app's own first screen (the same header, titles, rows and status line, cell for cell where
the app has them), leave keys typed over it to the app, and give the terminal back as it found it, whether Textual
took over or never started.
"""

from __future__ import annotations

import fcntl
import os
import re
import struct
import sys
import termios
from pathlib import Path

from rich.cells import cell_len

from bench.ptyrun import PtyProgram, terminal_env
from ims_tui.api.client import ImageClient
from ims_tui.api.image_rows import ImagePage
from ims_tui.api.models import ListQuery
from ims_tui.api.session import SessionInfo
from ims_tui.demo import DEMO_ENDPOINT
from ims_tui.ui.first_frame import ALTERNATE_SCREEN, EarlyScreen, FirstPage, frame_lines

from .helpers import frozen_now, main_screen, make_app, screen_text, settle

IMS_TUI = str(Path(sys.executable).parent / "ims-tui")
MOUSE_ON = "\x1b[?1000h"  # Textual's driver turns mouse reporting on right after it starts: its first write
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


async def first_page(count: int = 2000) -> tuple[FirstPage, list[str]]:
    """The first frame of the test demo's first page, and the app's own first screen over the same cloud."""
    app, cloud = make_app(count=count)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        query = screen.list_query
        async with ImageClient(DEMO_ENDPOINT, transport=cloud.transport) as client:
            page: ImagePage = await client.list_page(query.with_changes(limit=200))
        shown = screen_text(app).split("\n")
        return FirstPage(screen.session.info, query, page.rows(), page.next is None), shown


async def test_the_first_frame_reads_as_the_apps_first_screen() -> None:
    page, shown = await first_page()
    lines = frame_lines(page, 80, 24, now=frozen_now())
    assert len(lines) == 24
    assert all(cell_len(text) == 80 and not CONTROL.search(text) for text, _ in lines)
    header = lines[0][0].rstrip()
    assert shown[0].startswith(header) and "ims-tui demo" in header  # the app adds the API version once known
    for y in range(1, 22):  # the column titles and 20 rows; the app's last cell is its scrollbar
        assert lines[y][0][:79] == shown[y][:79], y
    assert [reverse for _, reverse in lines] == [y == 2 for y in range(24)]  # the cursor on the first row
    assert lines[22][0].rstrip() == shown[22].rstrip() == " 200 loaded, more below  sort: created ▼"


async def test_a_short_list_says_all_loaded_and_leaves_the_rest_blank() -> None:
    page, shown = await first_page(count=3)
    lines = frame_lines(page, 80, 24, now=frozen_now())
    assert [text[:79] for text, _ in lines[1:5]] == [line[:79] for line in shown[1:5]]
    assert all(not text.strip() for text, _ in lines[5:22])
    assert "3 images, all loaded" in lines[22][0]


def test_an_early_frame_that_textual_never_takes_over_is_undone() -> None:
    """If the app fails to start after the first frame, the shell gets its screen and its terminal back."""
    master, slave = os.openpty()
    os.set_blocking(master, False)
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    try:
        before = termios.tcgetattr(slave)
        with open(slave, closefd=False) as tty_in, open(slave, "w", closefd=False) as tty_out:
            early = EarlyScreen(tty_in, tty_out, {"TERM": "xterm-256color"})
            page = FirstPage(_info(), ListQuery(sort=(("created_at", "desc"),)), [], True)
            assert early.draw(page)
            quiet = termios.tcgetattr(slave)
            assert not quiet[3] & termios.ECHO and not quiet[3] & termios.ICANON
            assert quiet[6][termios.VSUSP] in (b"\x00", 0)  # Ctrl+Z waits for the app, not stops it half drawn
            early.restore()
            assert termios.tcgetattr(slave) == before
        written = _drain(master)
        assert written.startswith(ALTERNATE_SCREEN.encode()) and written.endswith(b"\x1b[?1049l\x1b[?25h")
        assert b"no images" in written
    finally:
        os.close(master)
        os.close(slave)


def _info() -> SessionInfo:
    return SessionInfo(cloud="demo", endpoint="http://demo.invalid")


def _drain(fd: int) -> bytes:
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 65536)
        except BlockingIOError:
            return b"".join(chunks)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


# -- the real command line in a real pseudo-terminal ------------------------------------------------------------


def _env(tmp_path: Path) -> dict[str, str]:
    return terminal_env(HOME=str(tmp_path), XDG_STATE_HOME=str(tmp_path / "state"))


def test_the_rows_come_before_textual_and_keys_typed_over_them_reach_the_app(tmp_path: Path) -> None:
    with PtyProgram([IMS_TUI, "--demo"], _env(tmp_path)).start() as program:
        before = termios.tcgetattr(program.fd)
        kept = os.dup(program.fd)  # the terminal outlives the program: its settings are read after the exit
        assert program.wait_for_text("debian-11-generic-arm64", 30) is not None
        program.send(b"/rhel")  # typed at once over the first frame, as a user who sees the list would
        assert program.wait_for_text(r"quick filter: 'rhel' \(5 of 48 loaded rows\)", 30) is not None
        output = bytes(program.output).decode("utf-8", "replace")
        assert output.index("debian-11-generic-arm64") < output.index(MOUSE_ON)  # drawn before Textual started
        assert output.count(ALTERNATE_SCREEN) == 1  # Textual did not enter (and on some terminals clear) it again
        mark = len(program.output)
        program.send(b"\x1b")  # the quick filter closes; a q right behind the Esc would read as alt+q
        assert program.wait_for_text("48 loaded, more below  sort", 30, since=mark) is not None
        program.quit()
        assert program.exit_status == 0
        try:
            assert termios.tcgetattr(kept) == before  # echo and line editing back for the shell
        finally:
            os.close(kept)


def test_moves_typed_over_the_first_frame_are_made_once_the_app_has_the_rows(tmp_path: Path) -> None:
    """The user sees rows before Textual is up and presses j: the app's table is still empty then, so the moves
    wait for its first page instead of being lost on an empty list."""
    with PtyProgram([IMS_TUI, "--demo"], _env(tmp_path)).start() as program:
        assert program.wait_for_text("debian-11-generic-arm64", 30) is not None
        mark = len(program.output)
        program.send(b"jjj\r")  # down three rows, open the detail: the fourth row is EulerOS 2.9
        assert program.wait_for_text(r"name\s+EulerOS 2\.9 64bit", 30, since=mark) is not None
        program.send(b"\x1b")
        program.quit()


def test_a_wide_terminal_waits_for_textual(tmp_path: Path) -> None:
    """From 100 columns the detail pane shares the screen: its width is Textual's to lay out, so no early rows."""
    with PtyProgram([IMS_TUI, "--demo"], _env(tmp_path), cols=120, rows=30).start() as program:
        assert program.wait_for_text(r"60 loaded, more below", 30) is not None  # 2x30 rows first
        output = bytes(program.output).decode("utf-8", "replace")
        assert output.index(MOUSE_ON) < output.index("debian-11-generic-arm64")
        program.quit()
        assert program.exit_status == 0
