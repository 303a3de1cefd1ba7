"""What to list: a Glance list query (filters, sort, page size) and how each filter is sent and labelled.

Plain frozen dataclasses, not pydantic models: the config builds the first list request (config/values.py
``list_query``) before pydantic is imported, so this module imports nothing of the API layer's.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, get_args

DateOp = Literal["gt", "gte", "lt", "lte", "eq", "neq"]
DATE_OPS: tuple[str, ...] = get_args(DateOp)


@dataclass(frozen=True)
class DateFilter:
    op: DateOp
    value: str  # ISO 8601, e.g. 2026-01-31T00:00:00Z

    def __post_init__(self) -> None:
        if self.op not in DATE_OPS:
            raise ValueError(f"{self.op!r} is not a date operator (use one of {', '.join(DATE_OPS)})")

    def render(self) -> str:
        return f"{self.op}:{self.value}"


# The fields a caller may give as a list; kept as tuples, so that a query stays a hashable value.
_SEQUENCES = ("ids", "statuses", "tags", "disk_formats", "container_formats", "created_at", "updated_at")


@dataclass(frozen=True, kw_only=True)
class ListQuery:
    """What to list: server-side filters, sort and page size, rendered by Glance's query rules."""

    limit: int | None = None
    name: str | None = None
    ids: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    visibility: str | None = None
    member_status: str | None = None
    owner: str | None = None
    tags: tuple[str, ...] = ()
    protected: bool | None = None
    os_hidden: bool | None = None
    disk_formats: tuple[str, ...] = ()
    container_formats: tuple[str, ...] = ()
    size_min: int | None = None
    size_max: int | None = None
    created_at: tuple[DateFilter, ...] = ()
    updated_at: tuple[DateFilter, ...] = ()
    properties: tuple[tuple[str, str], ...] = ()
    sort: tuple[tuple[str, str], ...] = ()
    # "keys" sends sort_key/sort_dir pairs; "combined" sends one sort=key:dir,...; Glance refuses a mix.
    sort_style: Literal["keys", "combined"] = "keys"

    def __post_init__(self) -> None:
        for name in _SEQUENCES:
            value = getattr(self, name)
            if not isinstance(value, tuple):
                object.__setattr__(self, name, tuple(value))
        for name in ("properties", "sort"):
            pairs = getattr(self, name)
            if not (isinstance(pairs, tuple) and all(isinstance(pair, tuple) for pair in pairs)):
                object.__setattr__(self, name, tuple(tuple(pair) for pair in pairs))

    def to_params(self) -> list[tuple[str, str]]:
        params = [pair for row in FILTER_PARAMS for pair in row.render(row.param, getattr(self, row.field))]
        if self.sort:
            if self.sort_style == "combined":
                params.append(("sort", ",".join(f"{key}:{direction}" for key, direction in self.sort)))
            else:
                params.extend(("sort_key", key) for key, _ in self.sort)
                params.extend(("sort_dir", direction) for _, direction in self.sort)
        return params

    def with_changes(self, **changes: Any) -> ListQuery:
        return dataclasses.replace(self, **changes)

    def describe_filters(self) -> list[str]:
        """Short human labels of the active server-side filters, for the status line."""
        return [text for row in FILTER_PARAMS for text in row.label(getattr(self, row.field))]


# -- one row per filter: how it is sent, and how the status line names it ----------------------------------

Pairs = list[tuple[str, str]]


@dataclass(frozen=True)
class FilterParam:
    """One ``ListQuery`` field. ``render(param, value)`` gives the query-string pairs it sends (none when unset);
    ``label(value)`` the words the status line shows for it (none for what is not a filter: limit, ids)."""

    field: str
    param: str
    render: Callable[[str, Any], Pairs]
    label: Callable[[Any], list[str]] = lambda _value: []  # not a filter: never on the status line


def _scalar(param: str, value: Any) -> Pairs:
    return [] if value is None else [(param, str(value))]


def _name(param: str, value: str | None) -> Pairs:
    # A bare name containing ":" is parsed as an operator by Glance; eq: makes any name safe.
    return [] if value is None else [(param, f"eq:{value}")]


def _one_of(param: str, values: tuple[str, ...]) -> Pairs:
    if len(values) == 1:
        return [(param, values[0])]
    return [(param, "in:" + ",".join(values))] if values else []


def _each(param: str, values: tuple[str, ...]) -> Pairs:
    return [(param, value) for value in values]


def _flag(param: str, value: bool | None) -> Pairs:
    return [] if value is None else [(param, "true" if value else "false")]


def _dates(param: str, filters: tuple[DateFilter, ...]) -> Pairs:
    return [(param, f.render()) for f in filters]


def _pairs(_param: str, pairs: tuple[tuple[str, str], ...]) -> Pairs:
    return list(pairs)  # custom properties: each key is its own parameter


def _when_set(word: str) -> Callable[[Any], list[str]]:
    return lambda value: [f"{word}={value}"] if value else []


def _joined(word: str) -> Callable[[tuple[str, ...]], list[str]]:
    return lambda values: [f"{word}=" + ",".join(values)] if values else []


def _bound(word: str) -> Callable[[int | None], list[str]]:
    return lambda value: [] if value is None else [f"size{word}{value}"]


def _when(word: str) -> Callable[[tuple[DateFilter, ...]], list[str]]:
    return lambda filters: [f"{word} {f.op} {f.value}" for f in filters]


# In the order the status line names them; the query string follows the same order, then the sort.
FILTER_PARAMS: tuple[FilterParam, ...] = (
    FilterParam("limit", "limit", _scalar),
    FilterParam("name", "name", _name, lambda value: [] if value is None else [f"name={value}"]),
    FilterParam("ids", "id", _one_of),
    FilterParam("statuses", "status", _one_of, _joined("status")),
    FilterParam("visibility", "visibility", _scalar, _when_set("visibility")),
    FilterParam("member_status", "member_status", _scalar, _when_set("member")),
    FilterParam("owner", "owner", _scalar, _when_set("owner")),
    FilterParam("tags", "tag", _each, lambda tags: [f"tag={tag}" for tag in tags]),
    FilterParam("protected", "protected", _flag, lambda v: [] if v is None else [f"protected={'yes' if v else 'no'}"]),
    FilterParam("disk_formats", "disk_format", _one_of, _joined("disk")),
    FilterParam("container_formats", "container_format", _one_of, _joined("container")),
    FilterParam("size_min", "size_min", _scalar, _bound(">=")),
    FilterParam("size_max", "size_max", _scalar, _bound("<=")),
    FilterParam("created_at", "created_at", _dates, _when("created")),
    FilterParam("updated_at", "updated_at", _dates, _when("updated")),
    FilterParam("properties", "", _pairs, lambda pairs: [f"{key}={value}" for key, value in pairs]),
    FilterParam("os_hidden", "os_hidden", _flag, lambda hidden: ["hidden only"] if hidden else []),
)
