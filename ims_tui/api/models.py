"""Typed views of what the image service sends, which never drop what they do not know."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timezone
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .errors import MalformedResponse

# the list query lives in query.py; these names stay importable from here
from .query import FILTER_PARAMS as FILTER_PARAMS
from .query import DateFilter as DateFilter
from .query import FilterParam as FilterParam
from .query import ListQuery as ListQuery

# Writable base attributes: Glance changes them with "replace", never "add"/"remove".
EDITABLE_BASE = (
    "name",
    "visibility",
    "protected",
    "os_hidden",
    "disk_format",
    "container_format",
    "min_disk",
    "min_ram",
    "tags",
    "owner",
)
# Only the server sets these; any op on them is a 403.
READ_ONLY = frozenset(
    {
        "id",
        "status",
        "size",
        "virtual_size",
        "checksum",
        "os_hash_algo",
        "os_hash_value",
        "created_at",
        "updated_at",
        "self",
        "file",
        "schema",
        "direct_url",
        "locations",
        "stores",
    }
)
RESERVED = frozenset({"location", "deleted", "deleted_at"})
RESERVED_PREFIX = "os_glance_"
BASE_ATTRIBUTES = frozenset(EDITABLE_BASE) | READ_ONLY

STATUSES = (
    "queued",
    "saving",
    "uploading",
    "importing",
    "active",
    "deactivated",
    "killed",
    "deleted",
    "pending_delete",
)
VISIBILITIES = ("public", "private", "shared", "community")
DISK_FORMATS = ("ami", "ari", "aki", "vhd", "vhdx", "vmdk", "raw", "qcow2", "vdi", "iso", "ploop")
CONTAINER_FORMATS = ("ami", "ari", "aki", "bare", "ovf", "ova", "docker", "compressed")
SORT_KEYS = ("name", "status", "container_format", "disk_format", "size", "id", "created_at", "updated_at")
IMS_SIZE_KEY = "__image_size"


def is_reserved(key: str) -> bool:
    return key in RESERVED or key.startswith(RESERVED_PREFIX)


def is_ims_property(key: str) -> bool:
    return key.startswith("__")


class Image(BaseModel):
    """One image: typed base attributes, and every other key kept as a custom property."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    id: str
    name: str | None = None
    status: str | None = None
    visibility: str | None = None
    protected: bool | None = None
    os_hidden: bool | None = None
    disk_format: str | None = None
    container_format: str | None = None
    size: int | None = None
    virtual_size: int | None = None
    min_disk: int | None = None
    min_ram: int | None = None
    checksum: str | None = None
    os_hash_algo: str | None = None
    os_hash_value: str | None = None
    owner: str | None = None
    created_at: str | None = None
    updated_at: str | None = None
    tags: list[str] = Field(default_factory=list)
    self_link: str | None = Field(default=None, alias="self")
    file: str | None = None
    schema_link: str | None = Field(default=None, alias="schema")

    @field_validator("tags", mode="before")
    @classmethod
    def _tags_never_null(cls, value: Any) -> Any:
        return [] if value is None else value

    @property
    def properties(self) -> dict[str, Any]:
        """Custom properties (IMS ``__`` ones included), exactly as the server sent them."""
        return dict(self.__pydantic_extra__ or {})

    @property
    def effective_size(self) -> int | None:
        """The size in bytes, falling back to IMS's ``__image_size`` where ``size`` is null or 0."""
        if self.size:
            return self.size
        properties = self.properties
        ims = ims_size(properties.get(IMS_SIZE_KEY))
        if ims:
            return ims
        # IMS lists every image with size 0 (cloudimages) and no real size until it has data: not "0 B"
        return None if IMS_SIZE_KEY in properties or "__imagetype" in properties else self.size

    def to_dict(self) -> dict[str, Any]:
        """The image as JSON-ready data with the server's own key names; nothing dropped."""
        return self.model_dump(by_alias=True, mode="json")

    def editable(self) -> dict[str, Any]:
        """The part of the image an edit form may change: writable base attributes and custom properties."""
        data = self.to_dict()
        out = {key: data.get(key) for key in EDITABLE_BASE if key in data}
        out["tags"] = list(self.tags)
        for key, value in self.properties.items():
            out[key] = value
        return out

    @classmethod
    def parse(cls, data: Any) -> Image:
        return parse_object(cls, data, "an image")


Model = TypeVar("Model", bound=BaseModel)


def parse_object(model: type[Model], data: Any, what: str) -> Model:
    """``data`` (a JSON object) as ``model``, or a MalformedResponse saying what is wrong with ``what``."""
    if not isinstance(data, dict):
        raise MalformedResponse(f"expected {what} object, got {type(data).__name__}")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise MalformedResponse(f"the server sent {what} that does not parse: {_first_error(exc)}") from None


def _first_error(exc: ValidationError) -> str:
    errors = exc.errors()
    if not errors:
        return str(exc)
    first = errors[0]
    where = ".".join(str(part) for part in first.get("loc", ())) or "value"
    return f"{where}: {first.get('msg', 'invalid')}"


def ims_size(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed


class ApiVersion(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: str
    status: str = ""

    @property
    def number(self) -> tuple[int, int]:
        digits = self.id.lstrip("vV").split(".")
        try:
            return int(digits[0]), int(digits[1]) if len(digits) > 1 else 0
        except ValueError:
            return (0, 0)


def newest_version(versions: Iterable[ApiVersion]) -> ApiVersion | None:
    """The version a client should speak: the CURRENT one, or else the highest."""
    listed = list(versions)
    current = [v for v in listed if v.status.upper() == "CURRENT"]
    pool = current or listed
    return max(pool, key=lambda v: v.number) if pool else None
