"""Interoperable import: the methods and stores a server offers, the import request, its tasks, and what an
image says about an import under way (Glance API 2.6+, stores 2.8+, copy-image 2.9+, image tasks 2.12+).

    methods = await client.import_methods()            # ("glance-direct", "web-download", "copy-image")
    stores = await client.stores()                     # (StoreInfo("fs", default=True), StoreInfo("fast"))
    await client.import_image(image_id, ImportRequest.web_download("https://.../disk.qcow2"))
    await client.import_image(image_id, ImportRequest.copy_image(["fast"], all_stores_must_succeed=False))
    state = import_state(await client.get(image_id))   # .running, .importing_to, .failed, .stores, .words()

Glance answers the import POST with 202 at once and works in the background; the image's ``status``
(``importing``, then ``active``) and its ``os_glance_importing_to_stores`` / ``os_glance_failed_import``
properties tell how it goes, and ``client.image_tasks(image_id)`` the task's own status and message.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from .errors import ApiError, MalformedResponse
from .models import Image

Method = Literal["glance-direct", "web-download", "copy-image", "glance-download"]
METHOD_WORDS: dict[str, str] = {
    "glance-direct": "upload the file to the staging area, then import it",
    "web-download": "the image service downloads the data from a URL",
    "copy-image": "copy an active image's data to more stores",
    "glance-download": "copy an image from another region's image service",
}
IMPORTING = "os_glance_importing_to_stores"
FAILED = "os_glance_failed_import"
IMPORT_TASK = "os_glance_import_task"


@dataclass(frozen=True)
class StoreInfo:
    """One store of a multi-store server (``GET /v2/info/stores``)."""

    id: str
    description: str = ""
    default: bool = False
    read_only: bool = False

    @classmethod
    def parse_all(cls, data: Any) -> tuple[StoreInfo, ...]:
        return tuple(
            cls(
                item["id"], str(item.get("description") or ""), _flag(item.get("default")), _flag(item.get("read-only"))
            )
            for item in _entries(data, "stores", "store")
        )


def _entries(data: Any, key: str, what: str) -> list[dict[str, Any]]:
    """The objects listed under ``key``, each with a string id, or MalformedResponse."""
    items = data.get(key) if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise MalformedResponse(f"the {what} list has no '{key}'")
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            raise MalformedResponse(f"a {what} in the {what} list has no id")
    return items


def _flag(value: Any) -> bool:
    """Glance sends these booleans as the strings "true"/"false"."""
    return value is True or (isinstance(value, str) and value.lower() == "true")


def parse_import_methods(data: Any) -> tuple[str, ...]:
    """``{"import-methods": {"value": [...]}}`` -> the method names, in the server's order."""
    block = data.get("import-methods") if isinstance(data, dict) else None
    value = block.get("value") if isinstance(block, dict) else None
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise MalformedResponse("the import information has no list of 'import-methods'")
    return tuple(value)


@dataclass(frozen=True)
class ImportRequest:
    """The body of ``POST /v2/images/{id}/import``; build it with the class methods."""

    method: Method
    uri: str | None = None
    stores: tuple[str, ...] = ()
    all_stores: bool = False
    all_stores_must_succeed: bool = True

    @classmethod
    def glance_direct(cls, stores: Iterable[str] = ()) -> ImportRequest:
        return cls("glance-direct", stores=tuple(stores))

    @classmethod
    def web_download(cls, uri: str, stores: Iterable[str] = ()) -> ImportRequest:
        return cls("web-download", uri=uri, stores=tuple(stores))

    @classmethod
    def copy_image(
        cls, stores: Iterable[str] = (), *, all_stores: bool = False, all_stores_must_succeed: bool = True
    ) -> ImportRequest:
        return cls(
            "copy-image", stores=tuple(stores), all_stores=all_stores, all_stores_must_succeed=all_stores_must_succeed
        )

    def to_body(self) -> dict[str, Any]:
        method: dict[str, Any] = {"name": self.method}
        if self.uri is not None:
            method["uri"] = self.uri
        body: dict[str, Any] = {"method": method}
        if self.stores:
            body["stores"] = list(self.stores)
        if self.all_stores:
            body["all_stores"] = True
        if not self.all_stores_must_succeed:
            body["all_stores_must_succeed"] = False
        return body


@dataclass(frozen=True)
class Task:
    """One of an image's tasks (``GET /v2/images/{id}/tasks``): an import's own record, with its message."""

    id: str
    type: str
    status: str
    message: str = ""
    created_at: str | None = None
    updated_at: str | None = None
    result: Mapping[str, Any] | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def finished(self) -> bool:
        return self.status in ("success", "failure")

    @classmethod
    def parse_all(cls, data: Any) -> tuple[Task, ...]:
        return tuple(cls.parse(item) for item in _entries(data, "tasks", "task"))

    @classmethod
    def parse(cls, item: dict[str, Any]) -> Task:
        result = item.get("result")
        return cls(
            item["id"],
            str(item.get("type") or ""),
            str(item.get("status") or ""),
            str(item.get("message") or ""),
            item.get("created_at"),
            item.get("updated_at"),
            result if isinstance(result, dict) else None,
            item,
        )


def _store_list(value: Any) -> tuple[str, ...]:
    """Glance keeps store lists as one comma-separated string property ("fs,fast")."""
    if not isinstance(value, str):
        return ()
    return tuple(part.strip() for part in value.split(",") if part.strip())


@dataclass(frozen=True)
class ImportState:
    """What an image says about imports: the stores it is in, being copied to, and that failed."""

    status: str | None
    stores: tuple[str, ...]
    importing_to: tuple[str, ...]
    failed: tuple[str, ...]
    task_id: str | None = None  # the import task holding the image's lock (os_glance_import_task)

    @property
    def running(self) -> bool:
        """An import or copy is under way: the image is ``importing``, stores are still to do, or a task holds
        the image's import lock. Glance takes the lock at once but shows ``importing`` only when its task
        starts, and drops the lock only after the image is active: watch until this is False."""
        return self.status == "importing" or bool(self.importing_to) or self.task_id is not None

    def words(self) -> str:
        """One line: "importing to fast, slow", "failed in slow; in fs", "in fs, fast"."""
        parts = []
        if self.importing_to:
            parts.append("importing to " + ", ".join(self.importing_to))
        elif self.status == "importing" or self.task_id is not None:
            parts.append("importing")
        if self.failed:
            parts.append("failed in " + ", ".join(self.failed))
        if self.stores:
            parts.append("in " + ", ".join(self.stores))
        return "; ".join(parts) or "no import"


def import_state(image: Image) -> ImportState:
    props = image.properties
    return ImportState(
        image.status,
        _store_list(props.get("stores")),
        _store_list(props.get(IMPORTING)),
        _store_list(props.get(FAILED)),
        props.get(IMPORT_TASK) if isinstance(props.get(IMPORT_TASK), str) and props.get(IMPORT_TASK) else None,
    )


def import_problem(error: ApiError, request: ImportRequest) -> str:
    """What a refused import means, in words an operator acts on (the server's own words stay in
    ``error.describe()``)."""
    said = error.message
    if error.status == 403 and request.method == "copy-image":
        return "copying to other stores is for admins on this cloud (the server refused copy_image)"
    if error.status == 400 and "Unknown import method" in said:
        return f"this server does not enable the {request.method} import method"
    if error.status == 400 and "does not pass filtering" in said:
        return (
            f"the image service will not download from {request.uri}: its import filter allows other schemes, "
            "hosts or ports only (ask the cloud's admins, or upload the file instead)"
        )
    if error.status == 409 and ("Store for identifier" in said or "not available" in said):
        return f"no such store here: {', '.join(request.stores)}"
    if error.status == 409 and "needs to be set before import" in said:
        return "the image needs a disk and a container format before an import: set them first"
    if error.status == 409 and "active task" in said:
        return "another import of this image is still running: wait for it to finish"
    if error.status == 409:
        return f"the image is not in a state for {request.method}: {said}"
    return error.one_line()
