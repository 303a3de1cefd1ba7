"""An image's import tasks in the detail (``GET /v2/images/{id}/tasks``, Glance API 2.12+): why an import failed.

Glance keeps a task per import with its status and message ("Task failed due to Internal Error" for a URL that
answered 404), where the image itself only says ``os_glance_failed_import``. The detail asks for them lazily:
the pane only for an image that has had an import (``had_import``) and again only when the image changed, the
full-screen detail each time it opens. What is drawn is data: every server string goes through ``safe``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from rich.text import Text

from ims_tui.api.errors import ApiError
from ims_tui.api.imports import FAILED, IMPORT_TASK, IMPORTING, Task
from ims_tui.api.models import Image
from ims_tui.ui import format as fmt
from ims_tui.ui.text import error_line, safe

if TYPE_CHECKING:
    from ims_tui.api.client import ImageClient

SHOWN = 3  # newest tasks drawn; an image imported again and again would push its formats off an 80x24 screen
TITLE = "Import tasks"
_STYLE = {"success": "green", "failure": "bold red", "pending": "yellow", "processing": "yellow"}
Section = tuple[str, list[tuple[str, Text]]]


@dataclass(frozen=True)
class TaskList:
    """What is known of one image's tasks: ``tasks`` None while they are read; ``error`` when that failed."""

    image_id: str
    tasks: tuple[Task, ...] | None = None
    error: ApiError | None = None


def had_import(image: Image) -> bool:
    """Glance leaves its import properties on an image once an import was asked for (empty when it ended well)."""
    props = image.properties
    return image.status in ("importing", "uploading") or any(key in props for key in (IMPORTING, FAILED, IMPORT_TASK))


async def read_tasks(client: ImageClient, image_id: str) -> TaskList:
    try:
        return TaskList(image_id, await client.image_tasks(image_id))
    except ApiError as exc:
        return TaskList(image_id, error=exc)


def _method(task: Task) -> str:
    """The import method the task ran (web-download, glance-direct, copy-image), when the server says."""
    found: Any = task.raw.get("input")
    for key in ("import_req", "method", "name"):
        found = found.get(key) if isinstance(found, dict) else None
    return found if isinstance(found, str) else ""


def task_section(found: TaskList, image: Image, now: datetime) -> Section | None:
    """The detail's "Import tasks" section, newest first; None for an image that never had an import and has
    no task (an error reading them is always said)."""
    if found.error is not None:
        return TITLE, [("error", Text(error_line(found.error), style="bold red"))]
    if not found.tasks and not had_import(image):
        return None  # the usual image: no section, and none flashing up while the (empty) list is read
    if found.tasks is None:
        return TITLE, [("", Text("reading the image's tasks…", style="dim"))]
    if not found.tasks:
        return TITLE, [("", Text("none listed (Glance keeps a task 48 h)", style="dim"))]
    rows: list[tuple[str, Text]] = []
    for task in found.tasks[:SHOWN]:
        method = _method(task)
        status = safe(task.status) or "?"
        what = f"{status}: {safe(method)}" if method else status
        rows.append(("task", Text(what, style=_STYLE.get(task.status, "bold"))))
        rows.append(("type", Text(safe(task.type))))
        rows.append(("updated", Text(fmt.timestamp(task.updated_at or task.created_at, now))))
        if task.message:
            rows.append(("message", Text(safe(task.message))))
    older = len(found.tasks) - SHOWN
    if older > 0:
        rows.append(("", Text(f"and {fmt.plural(older, 'older task')}", style="dim")))
    return TITLE, rows
