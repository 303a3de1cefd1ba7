"""The config's plain values, needed with or without a config file: the sort keys and profile types, the sort
rule, ``UiSettings`` (what the app reads of ``[ui]``) and ``list_query``, the one translation of a profile's
filters into the API's ``ListQuery``.

No pydantic here: resolving without a config file (``OS_*``, clouds.yaml, ``--endpoint``, ``--demo``) never
imports it. What a file may say, and how its mistakes are reported, is tables.py and profiles.py, imported only
when a file is read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..api.query import ListQuery
    from .tables import FilterSettings

# The same tuple as ims_tui/api/models.py SORT_KEYS (tests/unit/test_config.py checks they agree). Not imported
# from there: the API layer pulls in httpx, and `import ims_tui.config` must stay free of it for start-up time.
SORT_KEYS = ("name", "status", "container_format", "disk_format", "size", "id", "created_at", "updated_at")

# The profile types, in the order messages list them; the first is the default when a table has no type.
# profiles.py declares one model per name (tests/unit/test_config.py checks they agree).
PROFILE_TYPES = ("openstack", "huawei", "token", "none", "demo")

_SORT_ITEM = re.compile(r"^\s*([A-Za-z_][\w]*)\s*:\s*(asc|desc)\s*$")

Sort = tuple[tuple[str, str], ...]
StrOrList = str | list[str]


def parse_sort(text: str) -> Sort:
    """``"name:asc,created_at:desc"`` -> pairs; a direction is required (Glance's default, desc, surprises)."""
    pairs = []
    for item in text.split(","):
        match = _SORT_ITEM.match(item)
        if match is None or match.group(1) not in SORT_KEYS:
            raise ValueError(f"{text!r} is not a valid sort")
        pairs.append((match.group(1), match.group(2)))
    return tuple(pairs)


def columns_of(value: list[str] | None) -> tuple[str, ...] | None:
    """A ``columns`` list as the app takes it (the rule is ui/column_choice.py's, which imports nothing heavy)."""
    if value is None:
        return None
    from ..ui.column_choice import parse_columns

    return parse_columns(value)


def many(value: StrOrList | None) -> tuple[str, ...]:
    """A key that takes a string or a list of strings, as a tuple."""
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


@dataclass(frozen=True, kw_only=True)
class UiSettings:
    """The ``[ui]`` table: display, the list's defaults, read-only for every profile, the keymap. These are the
    keys and defaults; the ranges and types a file must keep are ``tables.UiTable``'s, which checks a file's."""

    theme: str | None = None
    ansi: bool = False
    no_mouse: bool = False
    fps: int | None = None  # 1 to 240
    low_bandwidth: bool = False
    page_size: int = 200  # 1 to 1000
    bulk_concurrency: int = 4  # 1 to 32
    read_only: bool = False
    sort: str = "created_at:desc"
    columns: list[str] | None = None  # the list's columns for every profile; None: the adaptive default set
    remember: bool = True  # keep each profile's last sort and columns between runs (in the state folder)
    token_cache: bool = True  # keep Keystone logins between runs (in the cache folder), see config/state.py
    keymap: dict[str, str] = field(default_factory=dict)

    def sort_pairs(self) -> Sort:
        return parse_sort(self.sort)


def list_query(filters: FilterSettings | None, *, limit: int, sort: Sort, text: str | None = None) -> ListQuery:
    """The first list request of a session: ``filters`` (a profile's table), or ``text`` (its ``filter``, checked
    when the file was read), or none, with its page size and sort.

    The API's query values are imported here, when the first list is asked for, not when the config is read;
    they need no pydantic.
    """
    from ..api.query import DateFilter, ListQuery

    if text is not None:
        from ..api.filter_text import parse

        return parse(text, ListQuery(limit=limit, sort=sort))
    if filters is None:
        return ListQuery(limit=limit, sort=sort)

    def dates(value: StrOrList | None) -> tuple[DateFilter, ...]:
        # "gte:2026-01-01T00:00:00Z"; FilterSettings checked each op when the file was read
        pairs = (item.split(":", 1) for item in many(value))
        return tuple(DateFilter(op, when) for op, when in pairs)  # type: ignore[arg-type]

    f = filters
    return ListQuery(
        limit=limit,
        sort=sort,
        name=f.name,
        statuses=many(f.status),
        visibility=f.visibility,
        member_status=f.member_status,
        owner=f.owner,
        tags=many(f.tag),
        protected=f.protected,
        os_hidden=f.os_hidden,
        disk_formats=many(f.disk_format),
        container_formats=many(f.container_format),
        size_min=f.size_min,
        size_max=f.size_max,
        created_at=dates(f.created_at),
        updated_at=dates(f.updated_at),
        properties=tuple(f.properties.items()),
    )
