"""``ims-tui pick``: the browser as a chooser for shell scripts, ``--image "$(ims-tui pick)"``.

Standard output is the result and nothing else: before the app starts, ``take_terminal`` keeps a copy of it for
the result and points file descriptor 1 at the terminal (``/dev/tty``), so a stray write lands on the screen
rather than in the caller's variable. Textual's Linux driver draws on ``sys.__stderr__`` and reads
``sys.__stdin__``: those too are pointed at the terminal when they are not one (``2>errors.log``, ``< list``).
No terminal to open (cron, a pipeline without one): exit 2 with a message on stderr, before anything is drawn.

``--filter EXPR`` is the main command's (``ims_tui/api/filter_text.py``: ``status=active size>10G``); the app
starts its list with it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

Format = Literal["id", "name", "json"]
FORMATS: tuple[Format, ...] = ("id", "name", "json")
TTY = "/dev/tty"


class PickError(Exception):
    """A pick-mode problem the user must fix; exit 2, as argparse does for usage errors."""

    exit_code = 2


@dataclass
class Terminal:
    """The terminal the UI is drawn on, and where the result goes (the original standard output)."""

    result_fd: int

    def write_result(self, text: str) -> None:
        data = text.encode("utf-8", errors="replace")
        while data:
            written = os.write(self.result_fd, data)
            data = data[written:]
        os.close(self.result_fd)


def take_terminal(path: str = TTY) -> Terminal:
    """Point stdout (and stdin/stderr when they are not a terminal) at ``path``; the real stdout is kept for the
    result. Raises ``PickError`` when there is no terminal to draw on."""
    try:
        tty = os.open(path, os.O_RDWR | os.O_NOCTTY)
    except OSError as exc:
        raise PickError(
            f"ims-tui pick: cannot open the terminal {path} ({exc.strerror}): pick needs a terminal to show the "
            "images on, even when its output goes to a pipe"
        ) from None
    result_fd = os.dup(1)
    os.dup2(tty, 1)
    for fd in (0, 2):
        if not os.isatty(fd):
            os.dup2(tty, fd)
    os.close(tty)
    return Terminal(result_fd)


def plain_name(name: str | None) -> str:
    """A name for a shell script: control, format and line-breaking characters removed, so one name is one line
    and moves no cursor."""
    return "".join(char for char in name or "" if char.isprintable())


def render(images: Iterable[dict[str, Any]], fmt: Format) -> str:
    """The result: one line per image, as an id, a name, or the API's JSON object."""
    lines = []
    for image in images:
        if fmt == "id":
            lines.append(str(image["id"]))
        elif fmt == "name":
            lines.append(plain_name(image.get("name")))
        else:  # ASCII JSON: an escape, a bidi override or a newline in a name stays escaped
            lines.append(json.dumps(image, sort_keys=True))
    return "".join(line + "\n" for line in lines)


def add_arguments(parser: Any) -> None:
    """The flags only ``ims-tui pick`` has."""
    group = parser.add_argument_group("pick (Enter prints the chosen image to standard output)")
    group.add_argument("--multi", action="store_true", help="print every marked image (space marks), one a line")
    group.add_argument("--format", choices=FORMATS, default="id", help="print ids (default), names, or JSON lines")


def run(args: Any, session: Any, options: dict[str, Any], *, mouse: bool) -> int:
    """Run the chooser on the terminal; print the result and return 0, or return 1 when cancelled."""
    import sys

    try:
        terminal = take_terminal()
    except PickError as exc:
        print(exc, file=sys.stderr)
        return exc.exit_code
    from ims_tui.ui.pick_app import PickApp

    app = PickApp(session, multi=args.multi, format=args.format, **options)
    app.run(mouse=mouse)
    if app.chosen is None:
        return 1
    terminal.write_result(render(app.chosen, args.format))
    return 0
