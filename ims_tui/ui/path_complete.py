"""Completing a local path as a shell does (over SSH there is no file dialog). Pure apart from reading folders.

``complete(text)`` lists the entries of the folder ``text`` points into that start with what follows the last
``/``; folders end with ``/``. Hidden entries are offered only once the typed part starts with ``.``. ``~`` is
expanded for reading, never in what the user sees: the completed text keeps the ``~`` they typed.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

# A folder of 100,000 files must not freeze the form: the rest is summarized as "and N more".
MAX_ENTRIES = 200


@dataclass(frozen=True)
class Completion:
    """What Tab can do with ``text``: ``common`` is the longest text every candidate starts with (``text`` itself
    when there is nothing to add), ``candidates`` the entries, folders with a trailing ``/``."""

    text: str
    common: str
    candidates: tuple[str, ...]
    more: int = 0  # entries left out past MAX_ENTRIES
    problem: str | None = None  # the folder could not be read, and why

    @property
    def unique(self) -> bool:
        return len(self.candidates) == 1 and not self.more


def expand(text: str) -> Path:
    return Path(os.path.expanduser(text)) if text.startswith("~") else Path(text)


def split(text: str) -> tuple[str, str]:
    """``("folder part with its /", "partial name")``."""
    cut = text.rfind("/") + 1
    return text[:cut], text[cut:]


def complete(text: str, cwd: Path | None = None) -> Completion:
    folder_text, partial = split(text)
    if text.startswith("~") and "/" not in text:  # "~user": leave it to the user, as most shells do at first
        return Completion(text, text, ())
    folder = expand(folder_text) if folder_text else Path(".")
    if not folder.is_absolute() and cwd is not None:
        folder = cwd / folder
    names: list[str] = []
    more = 0
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                if not entry.name.startswith(partial):
                    continue
                if entry.name.startswith(".") and not partial.startswith("."):
                    continue
                if len(names) >= MAX_ENTRIES:
                    more += 1
                    continue
                names.append(entry.name + ("/" if _is_dir(entry) else ""))
    except OSError as exc:
        return Completion(text, text, (), problem=exc.strerror or str(exc))
    names.sort(key=lambda name: (not name.endswith("/"), name.casefold(), name))
    candidates = tuple(folder_text + name for name in names)
    common = os.path.commonprefix(list(candidates)) if candidates and not more else text
    return Completion(text, common if len(common) > len(text) else text, candidates, more)


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()  # follows symlinks: a link to a folder completes as a folder
    except OSError:
        return False


@dataclass(frozen=True)
class LocalFile:
    """What the form says about a path typed in a data-source field."""

    path: Path
    size: int | None = None
    problem: str | None = None


def inspect(text: str, cwd: Path | None = None) -> LocalFile:
    """A file to upload: its size, or why it cannot be used (missing, a folder, unreadable)."""
    path = expand(text)
    if not path.is_absolute() and cwd is not None:
        path = cwd / path
    if not text:
        return LocalFile(path, problem="no file given")
    try:
        info = path.stat()
    except OSError as exc:
        return LocalFile(path, problem=f"{exc.strerror or 'cannot read'}: {text}")
    if stat.S_ISDIR(info.st_mode):
        return LocalFile(path, problem=f"a folder, not a file: {text}")
    if not os.access(path, os.R_OK):
        return LocalFile(path, problem=f"not readable by you: {text}")
    return LocalFile(path, size=info.st_size)
