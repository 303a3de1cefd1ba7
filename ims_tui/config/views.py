"""A ``[views.NAME]`` table of the config file: ``ViewSettings``, checked when the file is read; a filter text is
checked with the grammar itself. What a view is once read, from the file or saved from the app, is
``named_views.View``: a plain value the app reads and the state folder keeps, with no pydantic model behind it.
"""

# No `from __future__ import annotations` here: pydantic compiles each annotation string when the class is made.

from pydantic import model_validator
from pydantic_core import PydanticCustomError

from .named_views import filter_problem
from .tables import ColumnsList, SortText, Strict

FILTER_RULE = "profile_rule"  # explain.py reports it as a rule: the key, the problem and the fix


def check_filter(field: str, text: str | None) -> None:
    """Refuse a filter text the grammar cannot read, naming ``field``: the config's one error line says where."""
    if text is None:
        return
    problem = filter_problem(text)
    if problem is not None:
        raise PydanticCustomError(FILTER_RULE, "{problem}", {"field": field, "problem": problem[0], "fix": problem[1]})


class ViewSettings(Strict):
    """One ``[views.NAME]`` table: what the list shows when the view opens; what it leaves out stays as it is."""

    filter: str | None = None
    sort: SortText | None = None
    columns: ColumnsList | None = None
    profile: str | None = None

    @model_validator(mode="after")
    def _filter(self) -> "ViewSettings":
        check_filter("filter", self.filter)
        return self
