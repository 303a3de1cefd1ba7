"""The list's first screen, drawn before Textual is imported: the first rows as soon as the first page is in.

Importing Textual and the app takes a few tenths of a second (bench/RESULTS.md, the start-up profile), and on a
near cloud the first page is back long before that. ``EarlyScreen`` draws what the main screen will show first: the
header, the column titles, the first rows with the cursor on the first, and the status line, in the app's own words
(``bar_text``, ``columns``), as plain text with the cursor row in reverse video, on the alternate screen. Textual's
first frame then paints over it, cell for cell; nothing is cleared in between (``handover_driver``).

It takes the terminal only where it can hand it back as it found it: both ends are terminals, Textual will use its
Linux driver, the screen is narrow enough to have no detail pane, and the list has its default columns (chosen
columns need rows read for them, see ``ImageRow.kept``). From the first frame on, typed keys wait in the terminal
(no echo, not line by line, Enter still Enter, Ctrl+Z kept for the app), as they will for Textual; Ctrl+C still
stops the program. Whatever ends the run, ``restore`` gives the terminal its first settings back.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from collections.abc import Coroutine, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, TextIO

from rich.style import Style

from ims_tui.api.filter_text import terms as filter_terms
from ims_tui.api.ims_filters import session_is_ims
from ims_tui.ui import format as fmt
from ims_tui.ui.bar_text import LinkState, Parts, StatusState, header_parts, sort_text, status_parts
from ims_tui.ui.columns import WIDE, header_segments, layout_for, row_segments

if TYPE_CHECKING:
    from ims_tui.api.image_rows import ImagePage, ImageRow
    from ims_tui.api.models import ListQuery
    from ims_tui.api.session import CloudSession, SessionInfo

ALTERNATE_SCREEN = "\x1b[?1049h"
MIN_HEIGHT = 8  # a header, the titles, a few rows, the status line and the footer
MIN_WIDTH = 24  # narrower, the list shows little but names: Textual's own first frame is soon enough
SCROLLBAR = 1  # the list's vertical scrollbar is always there (widgets/image_table.py)
_PLAIN = Style()
_STYLES = {name: _PLAIN for name in ("base", "marked", "cursor-blurred", "ok", "busy", "bad")}
_STYLES["cursor"] = Style(reverse=True, bold=True)


@dataclass(frozen=True)
class FirstPage:
    """What the first frame shows: the connection, the list's query and its first page."""

    info: SessionInfo
    query: ListQuery
    rows: Sequence[ImageRow]
    complete: bool
    view: str | None = None


@dataclass
class _Clock:
    """The cells' context (``columns.CellContext``): the sort key and the time rows are aged against."""

    sort_key: str
    now_value: datetime


def _plain(parts: Parts, width: int) -> str:
    """A bar's parts as its text, padded by one cell each side as the app's bars are (``padding: 0 1``)."""
    text = "".join(part if isinstance(part, str) else part[0] for part in parts)
    return " " + fmt.fit(text, width - 2) + " "


def frame_lines(page: FirstPage, width: int, height: int, now: datetime | None = None) -> list[tuple[str, bool]]:
    """The screen's lines, each exactly ``width`` cells, with whether it is drawn in reverse (the cursor row)."""
    rows = list(page.rows)
    table_width = width - SCROLLBAR
    layout = layout_for(table_width, session_is_ims(page.info.ims, rows))
    sort_key, sort_dir = page.query.sort[0] if page.query.sort else ("created_at", "desc")
    clock = _Clock(sort_key, now or datetime.now(timezone.utc))
    lines = [(_plain(header_parts(page.info, LinkState(connected=True)), width), False)]
    titles = "".join(segment.text for segment in header_segments(layout, sort_key, sort_dir, _PLAIN))
    lines.append((fmt.fit(titles, width), False))
    for index in range(height - 4):
        if index < len(rows):
            segments, _ = row_segments(rows[index], layout, clock, _STYLES, 1 if index == 0 else 0, False)
            lines.append((fmt.fit("".join(segment.text for segment in segments), table_width) + " ", index == 0))
        else:
            lines.append((" " * width, False))
    status = StatusState(
        loaded=len(rows),
        complete=page.complete,
        filters=filter_terms(page.query),
        view=page.view,
        sort=sort_text(page.query.sort),
    )
    lines.append((_plain(status_parts(status), width), False))
    lines.append((" " * width, False))  # the footer's keys come with Textual
    return lines


def frame_text(lines: list[tuple[str, bool]]) -> str:
    """The lines as what the terminal is sent: the alternate screen, no cursor, each line at its place."""
    out = [ALTERNATE_SCREEN, "\x1b[?25l\x1b[H\x1b[2J"]
    for y, (text, reverse) in enumerate(lines, start=1):
        out.append(f"\x1b[{y};1H")
        out.append(f"\x1b[1;7m{text}\x1b[0m" if reverse else text)
    return "".join(out)


class EarlyScreen:
    """The terminal between the command line and Textual: draws the first frame once, then hands over."""

    def __init__(self, stdin: TextIO | None = None, stdout: TextIO | None = None, environ: Any = os.environ) -> None:
        self._stdin = stdin if stdin is not None else sys.__stdin__
        self._stdout = stdout if stdout is not None else sys.__stderr__  # where Textual's Linux driver writes
        self._environ = environ
        self._open = True
        self._drawing: asyncio.Future[None] | None = None
        self.drawn = False
        self.handed_over = False  # Textual's driver has the terminal (and gives it back when it stops)
        self.original_attrs: list[Any] | None = None  # the terminal's settings before the first frame

    def usable(self) -> bool:
        """Whether a first frame may be drawn here at all (see the module's docstring)."""
        if sys.platform == "win32" or self._stdin is None or self._stdout is None:
            return False
        if self._environ.get("TERM", "dumb") in ("", "dumb", "unknown") or self._environ.get("TEXTUAL_DRIVER"):
            return False
        try:
            return self._stdin.isatty() and self._stdout.isatty()
        except (OSError, ValueError):
            return False

    def size(self) -> tuple[int, int]:
        assert self._stdout is not None
        columns, lines = os.get_terminal_size(self._stdout.fileno())
        return columns, lines

    def start(self, drawing: Coroutine[Any, Any, None]) -> None:
        self._drawing = asyncio.ensure_future(drawing)

    async def settled(self, timeout: float) -> None:
        """Wait until the first frame is drawn (or will not be), at most ``timeout`` seconds."""
        if self._drawing is not None:
            await asyncio.wait({self._drawing}, timeout=timeout)

    def close(self) -> None:
        """Textual is about to start: from now on only it draws."""
        self._open = False
        if self._drawing is not None:
            self._drawing.cancel()  # only the wait: the early answer itself is shielded, for the main screen

    def draw(self, page: FirstPage) -> bool:
        """Draw ``page`` as the first frame, if the window is still open and it fits; True when drawn."""
        if not self._open or self.drawn or not self.usable():
            return False
        try:
            width, height = self.size()
        except OSError:
            return False
        if not MIN_WIDTH <= width < WIDE or height < MIN_HEIGHT:
            return False
        text = frame_text(frame_lines(page, width, height))
        self._quiet_keys()
        assert self._stdout is not None
        try:
            os.write(self._stdout.fileno(), text.encode("utf-8"))
        except OSError:
            return False
        self.drawn = True
        return True

    def _quiet_keys(self) -> None:
        """Keys typed from now on wait for Textual, unechoed and unbuffered by line; Enter stays a carriage return."""
        import termios

        assert self._stdin is not None
        fd = self._stdin.fileno()
        try:
            attrs = termios.tcgetattr(fd)
        except termios.error:
            return
        self.original_attrs = [list(item) if isinstance(item, list) else item for item in attrs]
        attrs[0] &= ~(termios.IXON | termios.IXOFF | termios.ICRNL | termios.INLCR | termios.IGNCR)
        attrs[3] &= ~(termios.ECHO | termios.ICANON | termios.IEXTEN)
        attrs[6][termios.VMIN] = 1
        attrs[6][termios.VTIME] = 0
        # Ctrl+Z would stop the program with the terminal quiet and on the alternate screen: it waits for Textual too.
        attrs[6][termios.VSUSP] = b"\x00" if isinstance(attrs[6][termios.VSUSP], bytes) else 0
        with contextlib.suppress(termios.error):
            termios.tcsetattr(fd, termios.TCSANOW, attrs)

    def restore(self) -> None:
        """The end of the run: the terminal's first settings back; off the alternate screen if Textual never took it."""
        self.close()
        if self.drawn and not self.handed_over and self._stdout is not None:
            with contextlib.suppress(OSError):
                os.write(self._stdout.fileno(), b"\x1b[?1049l\x1b[?25h")
        if self.original_attrs is not None and self._stdin is not None:
            import termios

            with contextlib.suppress(termios.error, OSError):
                termios.tcsetattr(self._stdin.fileno(), termios.TCSANOW, self.original_attrs)

    async def draw_when_ready(self, session: CloudSession, query: ListQuery, view: str | None = None) -> None:
        """Wait for the command line's early answer (``CloudSession.connect_early``) and draw it, without taking
        it: the main screen still takes that answer, its failure included. A failure draws nothing here."""
        attempt = session.early_attempt
        if attempt is None:
            return
        try:
            connection = await asyncio.shield(attempt)
            prefetched = connection.client.prefetched_page
            if prefetched is None:
                return
            page: ImagePage = await asyncio.shield(prefetched)
        except Exception:  # noqa: BLE001 - the app reports it when it takes the same answer
            return
        self.draw(FirstPage(connection.info, query, page.rows(), page.next is None, view))


def handover_driver(base: type[Any], early: EarlyScreen) -> type[Any]:
    """``base`` (Textual's Linux driver, or a subclass) taking over from a drawn first frame: it does not enter the
    alternate screen again (some terminals clear it when asked twice, and the frame would blink), and it gives back
    the terminal's settings from before the first frame, not the quiet ones the frame left."""

    class HandoverDriver(base):  # type: ignore[misc]
        _entered = False

        def write(self, data: str) -> None:
            if not self._entered and ALTERNATE_SCREEN in data:
                self._entered = True
                data = data.replace(ALTERNATE_SCREEN, "", 1)
            super().write(data)

        def start_application_mode(self) -> None:
            super().start_application_mode()
            early.handed_over = True
            if early.original_attrs is not None:
                self.attrs_before = early.original_attrs

    HandoverDriver.__name__ = HandoverDriver.__qualname__ = f"Handover{base.__name__}"
    return HandoverDriver
