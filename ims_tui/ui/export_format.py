"""What an export writes: the list's rows as CSV or JSON Lines, and how the file is put in place. No Textual here.

A record is one row as a dict of plain values (sizes in bytes, times as the server sent them), never image data
and never anything of the session (tokens, passwords). ``fields_for`` names the fields of the columns the list
shows; ``ALL_FIELDS`` is every attribute a list row holds. CSV cells are made safe for spreadsheets
(``csv_cell``); JSON Lines keeps every value exactly, one JSON object a line, all of it ASCII (a name's newline
or escape character is a ``\\u`` escape).
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Literal

from ims_tui.api.image_rows import ImageRow

Format = Literal["csv", "jsonl"]
EXTENSION: dict[Format, str] = {"csv": ".csv", "jsonl": ".jsonl"}

# The list's column keys (ui/columns.py COLUMNS) and the row attribute each one shows.
COLUMN_FIELDS = {
    "name": "name",
    "status": "status",
    "size": "size",
    "disk": "disk_format",
    "visibility": "visibility",
    "type": "image_type",
    "platform": "platform",
    "owner": "owner",
    "min_disk": "min_disk",
    "min_ram": "min_ram",
    "os": "os_version",
    "age": "updated_at",
    "id": "id",
    # chosen columns (ui/columns.py chosen_column) are named by attribute or property; these two read a slot
    "__imagetype": "image_type",
    "__platform": "platform",
}
# "kept" holds the chosen columns' values (ImageRow.kept), which the visible columns export by name
ALL_FIELDS: tuple[str, ...] = ("id", *(name for name in ImageRow.__slots__ if name not in ("id", "kept")))

# A cell a spreadsheet would run as a formula starts with one of these; a leading tab or CR also counts (OWASP).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def fields_for(column_keys: Iterable[str], sort_key: str = "") -> tuple[str, ...]:
    """The fields of the columns shown, in their order; the age column is the time it shows (created when sorted
    by creation), and the full id is always there (the list shows at most its first 8 characters)."""
    fields = []
    for key in column_keys:
        name = COLUMN_FIELDS.get(key, key)  # a chosen column's key is its attribute or property name
        if key == "age" and sort_key == "created_at":
            name = "created_at"
        if name is not None and name not in fields:
            fields.append(name)
    if "id" not in fields:
        fields.append("id")
    return tuple(fields)


_SLOTS = frozenset(ALL_FIELDS)


def record(row: ImageRow, fields: Sequence[str]) -> dict[str, Any]:
    """The row's value of each field: a slot of the row, or a value it keeps for a chosen column."""
    return {name: getattr(row, name) if name in _SLOTS else row.kept_value(name) for name in fields}


def csv_cell(value: object) -> str:
    """A value as a CSV cell that is safe to open: control characters become U+FFFD (an escape sequence in a name
    would reach whatever terminal shows the file), and a cell that would start a formula gets a leading ``'``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = _CONTROL.sub("\ufffd", str(value))
    if isinstance(value, str) and text.startswith(_FORMULA_START):
        return "'" + text
    return text


def csv_text(records: Iterable[dict[str, Any]], fields: Sequence[str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180, as spreadsheets expect
    writer.writerow(fields)
    for item in records:
        writer.writerow([csv_cell(item.get(name)) for name in fields])
    return out.getvalue()


def jsonl_text(records: Iterable[dict[str, Any]]) -> str:
    return "".join(json.dumps(item) + "\n" for item in records)


def render(records: Sequence[dict[str, Any]], fields: Sequence[str], kind: Format) -> str:
    return csv_text(records, fields) if kind == "csv" else jsonl_text(records)


def with_extension(path: str, kind: Format) -> str:
    """``path`` with the other format's extension swapped for this one's; any other name is left as typed."""
    for extension in EXTENSION.values():
        if path.endswith(extension):
            return path[: -len(extension)] + EXTENSION[kind]
    return path


def write_file(path: Path, text: str, *, overwrite: bool = False) -> None:
    """Write ``text`` to a temporary file beside ``path`` (mode 0600, as the app's other files), then give it
    the name: a reader never sees half a file. Without ``overwrite`` a file at ``path`` is never replaced, even
    one that appeared meanwhile (``FileExistsError``). Raises ``OSError`` when the folder cannot be written."""
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if overwrite:
            os.replace(partial, path)
        else:
            _link(partial, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()


def _link(partial: Path, path: Path) -> None:
    try:
        os.link(partial, path)  # atomic, and refuses a file already there
    except FileExistsError:
        raise
    except OSError:  # a file system without hard links
        if path.exists():
            raise FileExistsError(f"{path} is there") from None
        os.replace(partial, path)
