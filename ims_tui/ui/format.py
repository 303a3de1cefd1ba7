"""Pure helpers that turn image data into what a cell shows: sizes, ages, status words, safe text.

Nothing here imports Textual, so every rule is testable with plain values (tests/unit/test_format.py).
"""

from __future__ import annotations

import re
from datetime import date, datetime, timezone
from typing import Literal

from rich.cells import cell_len

from ims_tui.api.models import parse_time
from ims_tui.ui.text import safe


def fit(text: str, width: int, *, align: Literal["left", "right"] = "left") -> str:
    """``text`` cropped or padded to exactly ``width`` terminal cells (wide CJK/emoji count as two).

    A cropped text ends in "…"; a wide character that would straddle the edge is replaced by padding.
    """
    if width <= 0:
        return ""
    length = cell_len(text)
    if length <= width:
        pad = " " * (width - length)
        return pad + text if align == "right" else text + pad
    out: list[str] = []
    used = 0
    limit = width - 1  # room for the ellipsis
    for char in text:
        size = cell_len(char)
        if used + size > limit:
            break
        out.append(char)
        used += size
    return "".join(out) + "…" + " " * (limit - used)


def crop_cells(text: str, width: int) -> str:
    """``text`` cut to at most ``width`` cells, with an ellipsis when cut; never padded."""
    if cell_len(text) <= width:
        return text
    return fit(text, width).rstrip(" ")


def wrap(text: str, width: int) -> list[str]:
    """``text`` broken into lines of at most ``width`` cells at spaces; a word longer than a line is cut by cells
    (ids and hashes have no spaces). Newlines in ``text`` start new lines."""
    width = max(width, 1)
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split(" "):
            candidate = f"{line} {word}" if line else word
            if cell_len(candidate) <= width:
                line = candidate
                continue
            if line:
                lines.append(line)
            line = ""
            for char in word:  # a word alone longer than the line
                if line and cell_len(line + char) > width:
                    lines.append(line)
                    line = ""
                line += char
        lines.append(line)
    return lines


REQUEST_ID = " · request id "
MIN_REASON = 40  # cells of status and reason worth keeping before the request id gives way


def fit_error(line: str, width: int, drop: tuple[str, ...] = ()) -> str:
    """An error line (``text.error_line``: the status, the reason, the request id last) in ``width`` cells.

    Whole if it fits; else the reason is cut in the middle, before the request id, as long as the status and
    ``MIN_REASON`` cells stay; else the request id goes (the full error view has it) and so do the ``drop``
    phrases, which the screen already shows elsewhere (" at <host>": the header names the endpoint), and the
    reason is cut at the end. The status at the start is never cut for the reason's sake.
    """
    if cell_len(line) <= width:
        return line
    body, found, request_id = line.rpartition(REQUEST_ID)
    tail = f"{found}{request_id}" if found else ""
    body = body if found else line
    for phrase in drop:
        if cell_len(body) + cell_len(tail) <= width:
            break
        body = body.replace(phrase, "")
    if tail and width - cell_len(tail) >= MIN_REASON:
        return crop_cells(body, width - cell_len(tail)) + tail
    return crop_cells(body, width)


_UNITS = ("B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB")


def human_size(size: int | None) -> str:
    """Bytes as a short binary size: "512 B", "1.5 GiB", "20 GiB"; "" when unknown (never "0 B" for null)."""
    if size is None:
        return ""
    if size < 0:
        return "?"
    value = float(size)
    unit = 0
    while value >= 1024 and unit < len(_UNITS) - 1:
        value /= 1024
        unit += 1
    if unit == 0:
        return f"{size} B"
    # One decimal under 10 keeps three significant digits without widening the column past "1023 MiB".
    if value < 10:
        text = f"{value:.1f}"
        if text == "10.0":
            return f"10 {_UNITS[unit]}"
        return f"{text} {_UNITS[unit]}"
    if round(value) >= 1024 and unit < len(_UNITS) - 1:
        return f"1.0 {_UNITS[unit + 1]}"
    return f"{round(value)} {_UNITS[unit]}"


_SIZE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgtpe]?)(i?b?)\s*$", re.IGNORECASE)
_FACTORS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4, "p": 1024**5, "e": 1024**6}


def parse_size(text: str) -> int:
    """ "10G", "512M", "1.5 TiB", "4096" -> bytes (binary units, as operators mean them). ValueError if not."""
    match = _SIZE_RE.match(text)
    if not match:
        raise ValueError(f"not a size: {text.strip()!r} (try 512M, 10G, 1.5T or bytes)")
    number, unit, suffix = match.groups()
    if suffix and suffix.lower() == "i" and not unit:
        raise ValueError(f"not a size: {text.strip()!r}")
    return int(float(number) * _FACTORS[unit.lower()])


def parse_day(text: str) -> date:
    """A date typed as YYYY-MM-DD; ValueError with a message fit for the form otherwise."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"not a date: {text.strip()!r} (use YYYY-MM-DD)") from None


def to_datetime(value: datetime | str | None) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return parse_time(value)


def relative_age(value: datetime | str | None, now: datetime) -> str:
    """How long ago, in at most four cells: "now", "45s", "5m", "5h", "3d", "2mo", "3y"; "" when unknown.

    A time slightly in the future (clock skew between the server and this host) reads as "now".
    """
    when = to_datetime(value)
    if when is None:
        return ""
    if now.tzinfo is None:
        now = now.replace(tzinfo=timezone.utc)
    seconds = (now - when).total_seconds()
    if seconds < 60:
        return "now" if seconds > -300 else "soon"
    minutes = seconds / 60
    if minutes < 60:
        return f"{int(minutes)}m"
    hours = minutes / 60
    if hours < 24:
        return f"{int(hours)}h"
    days = hours / 24
    if days < 60:
        return f"{int(days)}d"
    if days < 365:
        return f"{int(days // 30.4375)}mo"
    return f"{int(days // 365.25)}y"


def timestamp(value: str | None, now: datetime) -> str:
    """A server timestamp for the detail pane: "2026-01-31 12:00:00 UTC (3d ago)"."""
    when = to_datetime(value)
    if when is None:
        return safe(value) if value else ""
    age = relative_age(when, now)
    stamp = when.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    if age in ("now", "soon"):
        return f"{stamp} ({age})"
    return f"{stamp} ({age} ago)"


StatusKind = Literal["ok", "busy", "bad", "other"]
_STATUS_KIND: dict[str, StatusKind] = {
    "active": "ok",
    "queued": "busy",
    "saving": "busy",
    "uploading": "busy",
    "importing": "busy",
    "killed": "bad",
    "deactivated": "bad",
    "pending_delete": "bad",
    "deleted": "bad",
}


def status_kind(status: str | None) -> StatusKind:
    """Which colour family a status belongs to; the word itself is always shown, so colour is only a hint."""
    return _STATUS_KIND.get((status or "").lower(), "other")


def status_word(status: str | None) -> str:
    return safe(status) if status else "?"


def count(number: int) -> str:
    return f"{number:,}"


def plural(number: int, word: str, words: str | None = None) -> str:
    return f"{count(number)} {word if number == 1 else (words or word + 's')}"


def short_id(image_id: str, length: int = 8) -> str:
    return safe(image_id[:length])


def yes_no(value: bool | None) -> str:
    if value is None:
        return ""
    return "yes" if value else "no"


def mib(value: int | None) -> str:
    """min_ram (MiB) as operators read it."""
    if value is None:
        return ""
    if value and value % 1024 == 0:
        return f"{value // 1024} GiB"
    return f"{value} MiB"


def gib(value: int | None) -> str:
    """min_disk (GiB)."""
    return "" if value is None else f"{value} GiB"


def duration(seconds: float | None) -> str:
    """A time left or taken, as short as it reads well: "0 s", "42 s", "3 min 05 s", "2 h 07 min"; "" unknown."""
    if seconds is None or seconds != seconds or seconds < 0:  # NaN included
        return ""
    whole = int(seconds + 0.5)
    if whole < 60:
        return f"{whole} s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    if hours < 100:
        return f"{hours} h {minutes:02d} min"
    return f"{hours} h"


def transfer_line(done: int, total: int | None, rate: float, seconds_left: float | None) -> str:
    """ "412 MiB of 1.2 GiB · 34% · 85 MiB/s · 9 s left": what a progress line says after the image's name. The
    parts come in the order they matter, so cropping from the right loses the least useful first."""
    parts = [f"{human_size(done) or '0 B'} of {human_size(total)}" if total is not None else human_size(done)]
    if total:
        parts.append(f"{min(100, done * 100 // total)}%")
    if rate > 0:
        parts.append(f"{human_size(int(rate))}/s")
    left = duration(seconds_left)
    if left and (total is None or done < total):
        parts.append(f"{left} left")
    return " · ".join(parts)
