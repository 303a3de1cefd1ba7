"""How the request log reads: one line per request at any width, and one entry in full (pure, no Textual).

A line is ``! 12:00:01 GET    404     12 ms    107 B /v2/images/…3f9c``: the mark first (``!`` for a failure,
``…`` while it runs, so failures stand out without colour), then time, method, status (or how the line failed),
duration, size, and the path with its query cropped from the middle, so both the resource and the end of the
query (the marker, the id) show at 80 columns. Every text from the wire goes through ``safe``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone, tzinfo
from http import HTTPStatus

from ims_tui.api.request_log import RequestEntry
from ims_tui.ui.format import fit, human_size
from ims_tui.ui.text import safe, safe_lines

# (title, width) of each column before the path; the path takes what is left
COLUMNS: tuple[tuple[str, int], ...] = (("", 1), ("time", 8), ("method", 6), ("status", 7), ("took", 6), ("size", 8))
RIGHT = frozenset({"took", "size"})
FIXED = sum(width + 1 for _, width in COLUMNS)
MIN_PATH = 12


def mark(entry: RequestEntry) -> str:
    if entry.failed:
        return "!"
    return " " if entry.done else "…"


def status_text(entry: RequestEntry) -> str:
    if entry.failure is not None:
        return entry.failure
    return "…" if entry.status is None else str(entry.status)


def took(seconds: float | None) -> str:
    """ "12 ms", "1.5 s", "42 s", "3 min", "2 h"; "…" while running."""
    if seconds is None:
        return "…"
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 10:
        return f"{seconds:.1f} s"
    if seconds < 100:
        return f"{seconds:.0f} s"
    return f"{seconds / 60:.0f} min" if seconds < 6000 else f"{seconds / 3600:.0f} h"


def crop_middle(text: str, width: int) -> str:
    """``text`` in at most ``width`` cells: its start and (twice as much of) its end, "…" between."""
    if len(text) <= width:
        return text
    if width < 2:
        return text[-width:] if width > 0 else ""
    head = (width - 1) // 3
    tail = width - 1 - head
    return text[:head] + "…" + text[len(text) - tail :]


def clock(at: float, tz: tzinfo | None = None) -> str:
    return datetime.fromtimestamp(at, tz or timezone.utc).astimezone(tz).strftime("%H:%M:%S")


def cells(entry: RequestEntry, tz: tzinfo | None = None) -> tuple[str, ...]:
    """The column texts of ``entry``, path last, uncropped, made safe."""
    size = human_size(entry.size) if entry.status is not None else ""
    return (
        mark(entry),
        clock(entry.at, tz),
        safe(entry.method),
        status_text(entry),
        took(entry.duration),
        size,
        safe(entry.target),
    )


def line(texts: Sequence[str], width: int) -> str:
    """Column texts (``cells`` or the titles) laid out in ``width`` cells."""
    fixed = zip(COLUMNS, texts[:-1], strict=True)
    out = [fit(text, size, align="right" if title in RIGHT else "left") for (title, size), text in fixed]
    path_width = max(MIN_PATH, width - FIXED)
    return " ".join([*out, crop_middle(texts[-1], path_width)])


def titles() -> tuple[str, ...]:
    return (*(title for title, _ in COLUMNS), "path")


def full(entry: RequestEntry, tz: tzinfo | None = None) -> str:
    """Every fact of one entry, one a line, made safe: what support asks for, the request id above all."""
    when = datetime.fromtimestamp(entry.at, tz or timezone.utc).astimezone(tz)
    facts = [f"{safe(entry.method)} {safe(entry.target)}", f"host        {safe(entry.host)}"]
    if entry.service:
        facts.append(f"service     {safe(entry.service)} (token request)")
    if entry.failure is not None:
        facts.append(f"status      no complete answer: {entry.failure}")
    elif entry.status is not None:
        phrase = _phrase(entry.status)
        facts.append(f"status      {entry.status}{' ' + phrase if phrase else ''}")
    else:
        facts.append("status      waiting for the answer")
    facts.append(f"request id  {safe(entry.request_id) or 'none sent'}")
    facts.append(f"sent at     {when:%Y-%m-%d %H:%M:%S}.{when.microsecond // 1000:03d} {when:%Z}".rstrip())
    size = f" · {entry.size:,} bytes" if entry.status is not None else ""
    facts.append(f"took        {took(entry.duration)}{size}")
    if entry.error:
        facts.append(f"error       {safe_lines(entry.error)}")
    elif entry.failed and entry.service:
        facts.append("error       (a token request's answer is never kept: it may quote the credentials)")
    return "\n".join(facts)


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""
