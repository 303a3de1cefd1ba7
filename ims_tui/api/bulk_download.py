"""The bulk kind "download to a folder": its plan (per image ``GET /v2/images/{id}/file`` → a file in the folder)
and the folder's check. The run is ``bulk_run.BulkRunner``'s, through ``download.download_image`` as ``D`` does
(streamed to a partial file, verified against os_hash_value or checksum, renamed only then).

    problem = folder_problem(Path("~/images").expanduser())      # None, or why it cannot be used
    plan = download_plan(BulkAction("download", ("/home/me/images",)), targets)
    plan.steps[0].requests[0].target                              # "/home/me/images/web-server"

File names: the image's name made safe (no ``/``, no control characters, no leading dot); a name that several
images share, or no name at all, gives the image's id instead, so no download lands on another's file. A file
already there is never overwritten: that image is left out, saying so. Images without data (queued, no size,
deactivated, ...) are left out too. Reading the folder is the only I/O here.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .bulk import LeftOut, Plan, Request, Step, Target, image_path

if TYPE_CHECKING:
    from .bulk import BulkAction
    from .models import Image

_UNSAFE = re.compile(r"[/\\\x00-\x1f\x7f-\x9f]+")
MAX_NAME = 120  # well inside the 255 bytes of most file systems, with room for the partial file's longer name


def safe_file_name(name: str | None) -> str:
    """``name`` as a file name: ``/``, ``\\`` and control characters become ``-``, no leading dot or space; ""
    when nothing is left (the caller uses the id)."""
    plain = _UNSAFE.sub("-", name or "").strip().lstrip(".").strip()
    return plain[:MAX_NAME].rstrip()


def folder_problem(folder: Path) -> str | None:
    """Why ``folder`` cannot take the downloads (it must exist, be a folder, and be writable), or None."""
    if not folder.exists():
        return f"no such folder: {folder}"
    if not folder.is_dir():
        return f"not a folder: {folder}"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"cannot write into {folder}: permission denied"
    return None


def _no_data(image: Image) -> str | None:
    if image.status == "deactivated":
        return "deactivated: its data cannot be downloaded (reactivate it first)"
    if image.status != "active":
        return f"no data: it is {image.status or 'of unknown status'}, only an active image has data"
    if not image.size:
        return "no data: the server records no size for it"
    return None


def download_plan(action: BulkAction, targets: Sequence[Target]) -> Plan:
    """The plan of ``action`` (kind "download", argument the folder) on ``targets``, each image once."""
    folder = Path(os.path.expanduser(action.argument[0]))
    first: dict[str, Target] = {}
    for target in targets:
        first.setdefault(target.image_id, target)  # an image marked twice is planned once, where it came first
    unique = list(first.values())
    names = [safe_file_name(target.image.name if target.image else target.name) for target in unique]
    counts: dict[str, int] = {}
    for name in names:
        counts[name.casefold()] = counts.get(name.casefold(), 0) + 1
    steps: list[Step] = []
    left: list[LeftOut] = []
    for target, name in zip(unique, names, strict=True):
        image = target.image
        reason = target.problem or ("it could not be read" if image is None else _no_data(image))
        if image is None or reason is not None:
            left.append(LeftOut(target.image_id, target.name, reason or "it could not be read"))
            continue
        if not name or counts[name.casefold()] > 1:
            name = safe_file_name(image.id) or "image"
        path = folder / name
        if path.exists() or path.is_symlink():
            left.append(LeftOut(target.image_id, target.name, f"exists: {path} (never overwritten)"))
            continue
        request = Request("download", "GET", image_path(image.id) + "/file", target=str(path))
        steps.append(Step(target.image_id, target.name, (request,), image))
    return Plan(action, tuple(steps), tuple(left))
