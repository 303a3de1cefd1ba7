"""What ``resolve`` found: a plan or a problem per entry, which entry comes first, and the ``[ui]`` settings.

``Resolved`` holds values only. ``sessions`` maps each entry to a factory that opens it through
``sessions.open_session``, imported at the first call: that is where the API layer (httpx) is first loaded, and the
one place this package reaches for sessions.py, so plans never know their builder.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import ConfigError
from .plans import Plan
from .values import UiSettings, columns_of, list_query

if TYPE_CHECKING:
    from ..api.query import ListQuery
    from ..api.session import CloudSession
    from .views import ViewSettings


def _open(plan: Plan) -> CloudSession:
    from .sessions import open_session

    return open_session(plan)


def _fail(error: ConfigError) -> CloudSession:
    raise error


class SessionFactories(Mapping[str, Callable[[], "CloudSession"]]):
    """Every entry the switcher offers (usable ones first), each a factory for a fresh session; calling the
    factory of an unusable entry raises its ``ConfigError``."""

    def __init__(self, plans: Mapping[str, Plan], problems: Mapping[str, ConfigError]) -> None:
        self._plans, self._problems = plans, problems
        self._names = list(plans) + [name for name in problems if name not in plans]

    def __getitem__(self, name: str) -> Callable[[], CloudSession]:
        if name in self._plans:
            return partial(_open, self._plans[name])
        if name in self._problems:
            return partial(_fail, self._problems[name])
        raise KeyError(name)

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)

    def __repr__(self) -> str:
        return f"SessionFactories({self._names!r})"


@dataclass
class Resolved:
    default: str | None
    ui: UiSettings
    config_files_read: list[Path]
    warnings: list[str]
    config_path: Path | None = None
    plans: dict[str, Plan] = field(default_factory=dict, repr=False)
    # entries that can't be opened, with the reason; their factory raises the same ConfigError
    problems: dict[str, ConfigError] = field(default_factory=dict)
    views: dict[str, ViewSettings] = field(default_factory=dict)  # the config file's [views.NAME]

    @property
    def sessions(self) -> SessionFactories:
        return SessionFactories(self.plans, self.problems)

    def describe(self, name: str) -> str:
        """One line for the profile switcher, e.g. "openstack · keystone.example.com · RegionOne"."""
        if name in self.problems:
            return f"unusable: {self.problems[name].problem}"
        plan = self.plans.get(name)
        return plan.description if plan else ""

    def columns(self, name: str | None = None) -> tuple[str, ...] | None:
        """The list's chosen columns for a session: the profile's, else [ui]'s; None: the default set."""
        plan = self.plans.get(name or self.default or "")
        return (plan.columns if plan is not None else None) or columns_of(self.ui.columns)

    def list_query(self, name: str | None = None) -> ListQuery:
        """The first list request for a session: its page size, sort and filters over the [ui] defaults."""
        plan = self.plans.get(name or self.default or "")
        if plan is None:
            return list_query(None, limit=self.ui.page_size, sort=self.ui.sort_pairs())
        limit, sort = plan.page_size or self.ui.page_size, plan.sort or self.ui.sort_pairs()
        return list_query(plan.filters, limit=limit, sort=sort, text=plan.filter_text)
