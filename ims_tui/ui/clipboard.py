"""Copy text to the user's clipboard over SSH and tmux: OSC 52, wrapped for tmux/screen, size-capped.

Textual's ``copy_to_clipboard`` sends a bare OSC 52, which tmux and screen swallow. The sequence is built by a
pure function (unit-tested) and written through the app's driver; the value is also shown in a notification so
it can be selected by hand where the terminal ignores OSC 52.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Mapping
from typing import Any

from ims_tui.ui.text import safe

# hterm/osc52.sh's limit: terminals drop longer OSC 52 payloads, some of them silently.
MAX_BASE64 = 74_994
SCREEN_CHUNK = 76  # GNU screen caps one DCS string at 768 bytes; small chunks stay far below it


class ClipboardTooLarge(ValueError):
    pass


def osc52(text: str, environ: Mapping[str, str] | None = None) -> str:
    """The escape sequence that puts ``text`` on the clipboard, wrapped for tmux (``TMUX``) or screen (``STY``)."""
    env = os.environ if environ is None else environ
    payload = base64.b64encode(text.encode("utf-8")).decode("ascii")
    if len(payload) > MAX_BASE64:
        raise ClipboardTooLarge(f"{len(payload):,} bytes of base64 is more than the {MAX_BASE64:,} terminals accept")
    sequence = f"\x1b]52;c;{payload}\x07"
    if env.get("TMUX"):
        # tmux passes a DCS through to the outer terminal (allow-passthrough on) once every ESC inside is doubled.
        return "\x1bPtmux;" + sequence.replace("\x1b", "\x1b\x1b") + "\x1b\\"
    if env.get("STY"):
        chunks = [payload[i : i + SCREEN_CHUNK] for i in range(0, len(payload), SCREEN_CHUNK)] or [""]
        return "\x1bP\x1b]52;c;" + "\x1b\\\x1bP".join(chunks) + "\x07\x1b\\"
    return sequence


def copy_text(
    app: Any, text: str, *, what: str = "text", show: str | None = None, environ: Mapping[str, str] | None = None
) -> str | None:
    """Send ``text`` to the clipboard and show it; returns the sequence written (None if refused)."""
    app._clipboard = text  # what Textual's own paste (ctrl+v in an Input) reads
    try:
        sequence = osc52(text, environ)
    except ClipboardTooLarge as exc:
        app.notify(f"not copied: {exc}", title=f"copy {what}", severity="warning", markup=False)
        return None
    driver = getattr(app, "_driver", None)
    if driver is not None:
        driver.write(sequence)
    app.notify(
        f"{safe(text)}\n(no clipboard? select it here)" if show is None else show,
        title=f"copied {what}",
        markup=False,
        timeout=8,
    )
    return sequence
