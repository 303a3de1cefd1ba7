"""Helpers the transfer contract tests share: files of known bytes, and waiting for the server to get somewhere."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


def data_file(folder: Path, size: int, name: str = "disk.raw") -> Path:
    """A file of ``size`` random bytes (random so that no format inspector mistakes it for a disk format)."""
    path = folder / name
    with open(path, "wb") as handle:
        left = size
        while left:
            chunk = os.urandom(min(left, 1 << 20))
            handle.write(chunk)
            left -= len(chunk)
    return path


async def eventually(probe: Callable[[], Awaitable[T]], until: Callable[[T], bool], what: str, tries: int = 200) -> T:
    """Ask the server (``probe``) until the answer satisfies ``until``: a background job (an import task, the
    clean-up after a dropped upload) takes its own time. Bounded, and fails saying what never happened."""
    value = await probe()
    for attempt in range(tries):
        if until(value):
            return value
        await asyncio.sleep(min(0.01 * (attempt + 1), 0.2))  # polling a server, not timing it
        value = await probe()
    if until(value):
        return value
    raise AssertionError(f"{what} never happened; last seen: {value!r}")
