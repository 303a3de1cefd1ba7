"""The config file's light building blocks: the strict base model, the sort and secret value types, ``[ui]`` and
the ``[filters]`` table, and the names of the profile types.

Needed with or without a config file, so kept apart from the profile models (profiles.py), which are built only
when a file is read. ``list_query`` is the one translation of a profile's filters into the API's ``ListQuery``.
"""

# No `from __future__ import annotations` here: pydantic would compile each annotation string of each model
# when the class is made, the largest part of building them in a fresh interpreter.

import re
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from .secrets import Secret

if TYPE_CHECKING:
    from ..api.query import ListQuery

# The same tuple as ims_tui/api/models.py SORT_KEYS (tests/unit/test_config.py checks they agree). Not imported
# from there: the API layer pulls in httpx, and `import ims_tui.config` must stay free of it for start-up time.
SORT_KEYS = ("name", "status", "container_format", "disk_format", "size", "id", "created_at", "updated_at")

# The profile types, in the order messages list them; the first is the default when a table has no type.
# profiles.py declares one model per name (tests/unit/test_config.py checks they agree).
PROFILE_TYPES = ("openstack", "huawei", "token", "none", "demo")

_SORT_ITEM = re.compile(r"^\s*([A-Za-z_][\w]*)\s*:\s*(asc|desc)\s*$")
_DATE_FILTER = re.compile(r"^(gt|gte|lt|lte|eq|neq):\d{4}-\d{2}-\d{2}([T ][0-9:.]+)?(Z|[+-]\d{2}:?\d{2})?$")

Sort = tuple[tuple[str, str], ...]


def parse_sort(text: str) -> Sort:
    """``"name:asc,created_at:desc"`` -> pairs; a direction is required (Glance's default, desc, surprises)."""
    pairs = []
    for item in text.split(","):
        match = _SORT_ITEM.match(item)
        if match is None or match.group(1) not in SORT_KEYS:
            raise ValueError(f"{text!r} is not a valid sort")
        pairs.append((match.group(1), match.group(2)))
    return tuple(pairs)


def _sort_value(value: Any) -> Any:
    if isinstance(value, str):
        parse_sort(value)
    return value


def _secret(value: Any) -> Any:
    if isinstance(value, str):
        return Secret(value, source="config file")
    return value


def columns_of(value: "list[str] | None") -> "tuple[str, ...] | None":
    """A ``columns`` list as the app takes it (the rule is ui/column_choice.py's, which imports nothing heavy)."""
    if value is None:
        return None
    from ..ui.column_choice import parse_columns

    return parse_columns(value)


def _columns_value(value: list[str]) -> list[str]:
    columns_of(value)  # a ValueError is the config's message: explain.py shows it as it is
    return value


SortText = Annotated[str, BeforeValidator(_sort_value)]
ColumnsList = Annotated[list[str], AfterValidator(_columns_value)]
SecretValue = Annotated[Secret, BeforeValidator(_secret)]
StrOrList = str | list[str]


class Strict(BaseModel):
    # strict: a TOML string "200" for page_size or "yes" for read_only is a mistake to report, not to guess.
    # defer_build: schemas are built on first use, so `import ims_tui.config` stays fast when no file exists.
    model_config = ConfigDict(extra="forbid", strict=True, arbitrary_types_allowed=True, frozen=True, defer_build=True)


class UiSettings(Strict):
    """The ``[ui]`` table: display, the list's defaults, read-only for every profile, the keymap."""

    theme: str | None = None
    ansi: bool = False
    no_mouse: bool = False
    fps: int | None = Field(default=None, ge=1, le=240)
    low_bandwidth: bool = False
    page_size: int = Field(default=200, ge=1, le=1000)
    bulk_concurrency: int = Field(default=4, ge=1, le=32)
    read_only: bool = False
    sort: SortText = "created_at:desc"
    columns: ColumnsList | None = None  # the list's columns for every profile; None: the adaptive default set
    remember: bool = True  # keep each profile's last sort and columns between runs (in the state folder)
    token_cache: bool = True  # keep Keystone logins between runs (in the cache folder), see config/state.py
    keymap: dict[str, str] = Field(default_factory=dict)

    def sort_pairs(self) -> Sort:
        return parse_sort(self.sort)


class FilterSettings(Strict):
    """Server-side list filters applied when the profile opens; the same meaning as Glance's query string."""

    name: str | None = None
    status: StrOrList | None = None
    visibility: Literal["public", "private", "shared", "community", "all"] | None = None
    member_status: Literal["accepted", "pending", "rejected", "all"] | None = None
    owner: str | None = None
    tag: StrOrList | None = None
    protected: bool | None = None
    os_hidden: bool | None = None
    disk_format: StrOrList | None = None
    container_format: StrOrList | None = None
    size_min: int | None = Field(default=None, ge=0)
    size_max: int | None = Field(default=None, ge=0)
    created_at: StrOrList | None = None
    updated_at: StrOrList | None = None
    properties: dict[str, str] = Field(default_factory=dict)

    @field_validator("created_at", "updated_at")
    @classmethod
    def _dates(cls, value: StrOrList | None) -> StrOrList | None:
        for item in _many(value):
            if not _DATE_FILTER.match(item):
                raise ValueError(f"{item!r} is not OP:ISO-8601")
        return value


def _many(value: StrOrList | None) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def list_query(filters: FilterSettings | None, *, limit: int, sort: Sort, text: str | None = None) -> "ListQuery":
    """The first list request of a session: ``filters`` (a profile's table), or ``text`` (its ``filter``, checked
    when the file was read), or none, with its page size and sort.

    The API's models are imported here, when the first list is asked for, not when the config is read.
    """
    from ..api.query import DateFilter, ListQuery

    if text is not None:
        from ..api.filter_text import parse

        return parse(text, ListQuery(limit=limit, sort=sort))
    if filters is None:
        return ListQuery(limit=limit, sort=sort)

    def dates(value: StrOrList | None) -> tuple[DateFilter, ...]:
        # "gte:2026-01-01T00:00:00Z"; FilterSettings checked each op when the file was read
        pairs = (item.split(":", 1) for item in _many(value))
        return tuple(DateFilter(op, when) for op, when in pairs)  # type: ignore[arg-type]

    f = filters
    return ListQuery(
        limit=limit,
        sort=sort,
        name=f.name,
        statuses=_many(f.status),
        visibility=f.visibility,
        member_status=f.member_status,
        owner=f.owner,
        tags=_many(f.tag),
        protected=f.protected,
        os_hidden=f.os_hidden,
        disk_formats=_many(f.disk_format),
        container_formats=_many(f.container_format),
        size_min=f.size_min,
        size_max=f.size_max,
        created_at=dates(f.created_at),
        updated_at=dates(f.updated_at),
        properties=tuple(f.properties.items()),
    )
