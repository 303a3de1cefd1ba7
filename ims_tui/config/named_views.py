"""Named views as the app uses them: a filter in the ``--filter`` grammar, a sort and the list's columns, under a
name. ``[views.NAME]`` tables of the config file (views.py) and views saved from the app (state.py) both become
``View`` values, and ``all_views`` puts them together: a config view wins over a saved one of the same name, and
the loser is kept out with a word saying so.

A filter text is checked with the grammar itself (``ims_tui.api.filter_text``), imported only when there is one:
the API layer loads httpx, which a config without filter texts never pays for.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from .values import Sort, parse_sort

if TYPE_CHECKING:
    from .views import ViewSettings


def filter_problem(text: str) -> tuple[str, str] | None:
    """(problem, fix) when ``text`` is not a filter of the grammar, with the column of the part at fault."""
    from ..api.filter_text import FilterTextError, parse

    try:
        parse(text)
    except FilterTextError as error:
        part = text[error.column - 1 : error.column - 1 + error.width]
        return f"bad filter at column {error.column} ({part!r} in {text!r})", error.message
    return None


Source = Literal["config", "saved"]


@dataclass(frozen=True)
class View:
    """A view, from wherever it came: ``filter`` is grammar text ("" for no filter), ``sort`` pairs (empty: keep
    the list's), ``columns`` the column names (None: keep the list's), ``profile`` the only profile it is for."""

    name: str
    filter: str | None = None
    sort: Sort = ()
    columns: tuple[str, ...] | None = None
    profile: str | None = None
    source: Source = "config"

    @classmethod
    def of(cls, name: str, settings: ViewSettings, source: Source = "config") -> View:
        return cls(
            name=name,
            filter=settings.filter,
            sort=parse_sort(settings.sort) if settings.sort else (),
            columns=tuple(settings.columns) if settings.columns is not None else None,
            profile=settings.profile,
            source=source,
        )

    def for_profile(self, profile: str | None) -> bool:
        return self.profile is None or self.profile == profile

    def to_json(self) -> dict[str, Any]:
        """What the state file keeps of a saved view (no secret can be in it: filters, a sort, column names)."""
        data: dict[str, Any] = {"filter": self.filter or ""}
        if self.sort:
            data["sort"] = ",".join(f"{key}:{direction}" for key, direction in self.sort)
        if self.columns is not None:
            data["columns"] = list(self.columns)
        if self.profile is not None:
            data["profile"] = self.profile
        return data


@dataclass(frozen=True)
class Views:
    """Every view the app offers, by name, and the saved views a config view of the same name hides."""

    by_name: Mapping[str, View]
    hidden: tuple[str, ...] = ()

    def names(self) -> list[str]:
        return list(self.by_name)

    def usable(self, profile: str | None) -> list[View]:
        return [view for view in self.by_name.values() if view.for_profile(profile)]


def all_views(config: Mapping[str, ViewSettings], saved: Mapping[str, View]) -> Views:
    """Config views first (they win a name), then the saved ones."""
    views = {name: View.of(name, settings) for name, settings in config.items()}
    hidden = tuple(name for name in saved if name in views)
    views |= {name: view for name, view in saved.items() if name not in views}
    return Views(views, hidden)
