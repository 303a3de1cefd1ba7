"""The pydantic half of the config file's building blocks: the strict base model, the sort, columns and secret
value types, the ``[ui]`` table and the ``[filters]`` table.

Imported only when a config file is read (by profiles.py, views.py and explain.py), so resolving without a file
never imports pydantic. ``UiTable`` checks a ``[ui]`` table and becomes the app's plain ``values.UiSettings``;
it takes its keys' defaults from that dataclass, so each is declared once (tests/unit/test_config.py checks the
two have the same keys).
"""

# No `from __future__ import annotations` here: pydantic would compile each annotation string of each model
# when the class is made, the largest part of building them in a fresh interpreter.

import dataclasses
import re
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from .secrets import Secret
from .values import StrOrList, UiSettings, columns_of, many, parse_sort

_DATE_FILTER = re.compile(r"^(gt|gte|lt|lte|eq|neq):\d{4}-\d{2}-\d{2}([T ][0-9:.]+)?(Z|[+-]\d{2}:?\d{2})?$")


def _sort_value(value: Any) -> Any:
    if isinstance(value, str):
        parse_sort(value)
    return value


def _secret(value: Any) -> Any:
    if isinstance(value, str):
        return Secret(value, source="config file")
    return value


def _columns_value(value: list[str]) -> list[str]:
    columns_of(value)  # a ValueError is the config's message: explain.py shows it as it is
    return value


SortText = Annotated[str, BeforeValidator(_sort_value)]
ColumnsList = Annotated[list[str], AfterValidator(_columns_value)]
SecretValue = Annotated[Secret, BeforeValidator(_secret)]


class Strict(BaseModel):
    # strict: a TOML string "200" for page_size or "yes" for read_only is a mistake to report, not to guess.
    # defer_build: schemas are built on first use, so reading a file builds only the models it needs.
    model_config = ConfigDict(extra="forbid", strict=True, arbitrary_types_allowed=True, frozen=True, defer_build=True)


_UI_FIELDS = {f.name: f for f in dataclasses.fields(UiSettings)}


def _ui(name: str, **constraints: Any) -> Any:
    """The pydantic field of ``[ui]`` key ``name``: ``UiSettings``'s default, with the range the file must keep."""
    declared = _UI_FIELDS[name]
    if declared.default_factory is not dataclasses.MISSING:
        return Field(default_factory=declared.default_factory, **constraints)
    return Field(default=declared.default, **constraints)


class UiTable(Strict):
    """The ``[ui]`` table as the file may write it; ``settings()`` is what the app reads (``UiSettings``)."""

    theme: str | None = _ui("theme")
    ansi: bool = _ui("ansi")
    no_mouse: bool = _ui("no_mouse")
    fps: int | None = _ui("fps", ge=1, le=240)
    low_bandwidth: bool = _ui("low_bandwidth")
    page_size: int = _ui("page_size", ge=1, le=1000)
    bulk_concurrency: int = _ui("bulk_concurrency", ge=1, le=32)
    read_only: bool = _ui("read_only")
    sort: SortText = _ui("sort")
    columns: ColumnsList | None = _ui("columns")
    remember: bool = _ui("remember")
    token_cache: bool = _ui("token_cache")
    keymap: dict[str, str] = _ui("keymap")

    def settings(self) -> UiSettings:
        return UiSettings(**{name: getattr(self, name) for name in _UI_FIELDS})


# Settings.ui: checked as a UiTable (so errors name ui.KEY), kept as the UiSettings it becomes.
if TYPE_CHECKING:
    UiField = UiSettings
else:
    UiField = Annotated[UiTable, AfterValidator(UiTable.settings)]


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
        for item in many(value):
            if not _DATE_FILTER.match(item):
                raise ValueError(f"{item!r} is not OP:ISO-8601")
        return value
