"""The server-side filter panel: a form that builds a ``ListQuery``; the server does the filtering.

Apply (Enter in any field, ctrl+s, or the button) returns the new query; Clear returns an empty one; Esc
cancels. Invalid input is shown beside its field and nothing is applied until it is fixed. What the panel shows
is ``filter_model.FILTER_FIELDS``; the rules are ``filter_model.FilterForm`` (no Textual there). The line above
the buttons is the filter as ``--filter`` text (``api/filter_text.py``), kept up to date as fields change;
ctrl+y copies it.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual import on
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Select, SelectionList, Static

from ims_tui.api import filter_text
from ims_tui.api.models import ListQuery
from ims_tui.ui import keys
from ims_tui.ui.clipboard import copy_text
from ims_tui.ui.filter_model import (
    FILTER_FIELDS,
    IMS_FIELDS,
    IMS_IMAGE_TYPES,
    IMS_OS_TYPES,
    IMS_PLATFORMS,
    FilterField,
    FilterForm,
)
from ims_tui.ui.screens.burst import BurstKeys
from ims_tui.ui.text import safe
from ims_tui.ui.widgets import SteadyInput

# The model's names stay importable from here, where they used to live.
__all__ = ["IMS_FIELDS", "IMS_IMAGE_TYPES", "IMS_OS_TYPES", "IMS_PLATFORMS", "FilterForm", "FilterScreen"]


class FilterScreen(BurstKeys, ModalScreen[ListQuery | None]):
    """Server-side filters; dismisses with the new query (without sort), or None when cancelled.

    Tab and Enter act as they arrive (``BurstKeys``): "Tab rocky" typed in one go lands in the next field, and
    the keys behind an Enter that applies reach the list it goes back to."""

    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("filter")
    DEFAULT_CLASSES = "dialog-screen"  # centred, with the shared .dialog box of app.tcss
    DEFAULT_CSS = """
    FilterScreen > #filter-dialog { width: 76; max-height: 100%; border: round $primary; }
    FilterScreen #filter-fields { height: auto; max-height: 1fr; }
    FilterScreen .row { height: auto; }
    FilterScreen .row > Label { width: 14; padding-right: 1; color: $text-muted; }
    FilterScreen .row > Input, FilterScreen .row > Select { width: 1fr; }
    FilterScreen .row > .half { width: 1fr; }
    FilterScreen .row > .sep { width: 3; padding: 0 1; color: $text-muted; }
    FilterScreen SelectionList { height: auto; max-height: 7; width: 1fr; border: none; padding: 0; }
    FilterScreen .group { color: $text-accent; text-style: bold; height: 1; margin-top: 1; }
    FilterScreen .error { color: $text-error; padding-left: 14; height: auto; display: none; }
    FilterScreen .error.-shown { display: block; }
    FilterScreen #filter-foot { dock: bottom; height: auto; }
    FilterScreen #filter-text { height: 1; margin-top: 1; color: $text-muted; }
    FilterScreen #filter-text { text-wrap: nowrap; text-overflow: ellipsis; }
    FilterScreen #filter-buttons { height: 1; margin-top: 1; align-horizontal: right; }
    FilterScreen #filter-buttons Button { margin-left: 2; }
    """

    def __init__(self, query: ListQuery, *, ims: bool = False) -> None:
        super().__init__()
        self.ims = ims
        self.initial = FilterForm.from_query(query, ims=ims)
        self.fields = tuple(field for field in FILTER_FIELDS if ims or not field.ims)

    def compose(self) -> ComposeResult:
        with Vertical(id="filter-dialog", classes="dialog") as dialog:
            dialog.border_title = "Server filter"
            dialog.border_subtitle = "Enter/ctrl+s apply · ctrl+l clear · Esc cancel"
            with VerticalScroll(id="filter-fields"):
                in_group = False
                for field in self.fields:
                    if field.ims and not in_group:
                        in_group = True
                        yield Static("IMS", id="ims-group", classes="group")
                    yield from self._row(field)
            with Vertical(id="filter-foot"):
                yield Static("", id="filter-text", markup=False)
                with Horizontal(id="filter-buttons"):
                    yield Button("Apply", variant="primary", id="apply", compact=True)
                    yield Button("Clear all", id="clear", compact=True)
                    yield Button("Cancel", id="cancel", compact=True)

    def _row(self, field: FilterField) -> ComposeResult:
        with Horizontal(classes="row"):
            yield Label(field.label)
            if field.kind == "range":
                (low, high), (first, second) = field.keys, field.ends
                yield self._input(f"{field.widget_id}-{first}", low, f"{first} {field.hints[0]}", "half")
                yield Static("…", classes="sep")
                yield self._input(f"{field.widget_id}-{second}", high, f"{second} {field.hints[1]}", "half")
            else:
                yield self._widget(field, getattr(self.initial, field.key))
        for key in field.keys:
            yield Static("", id=f"e-{key}", classes="error", markup=False)

    def _input(self, widget_id: str, key: str, placeholder: str, classes: str = "") -> Input:
        # as in the form: Tab back into a field puts the cursor at its end, so text typed on adds to it
        return SteadyInput(
            getattr(self.initial, key),
            placeholder=placeholder,
            id=widget_id,
            classes=classes,
            compact=True,
            select_on_focus=False,
        )

    def _widget(self, field: FilterField, value: Any) -> Widget:
        if field.kind == "text":
            return self._input(field.widget_id, field.key, field.placeholder)
        if field.kind == "multi":
            return SelectionList[str](
                *((shown, choice, choice in value) for shown, choice in field.choices), id=field.widget_id, compact=True
            )
        offered = {choice for _, choice in field.choices}
        if field.prompt is None:
            # no blank: a value the select does not offer falls back to the first choice ("any")
            chosen = value if value in offered else field.choices[0][1]
            return Select(field.choices, value=chosen, allow_blank=False, id=field.widget_id, compact=True)
        return Select(
            field.choices,
            value=value if value in offered else Select.NULL,
            prompt=field.prompt,
            id=field.widget_id,
            compact=True,
        )

    def on_mount(self) -> None:
        self.focus_now(self.query_one("#f-name", Input))
        self._show_text()

    def filter_text(self) -> str | None:
        """The fields as ``--filter`` text; None while a field is invalid."""
        query, errors = self.read_form().to_query()
        return None if errors else filter_text.format(query)

    @on(Input.Changed)
    @on(Select.Changed)
    @on(SelectionList.SelectedChanged)
    def _show_text(self) -> None:
        text = self.filter_text()
        shown = "(a field to fix)" if text is None else safe(text) or "(none)"
        self.query_one("#filter-text", Static).update(f"as text: {shown}  (ctrl+y copies)")

    def action_copy_text(self) -> None:
        text = self.filter_text()
        if text is None:
            self.notify("fix the fields marked first", title="copy filter", severity="warning")
        else:
            copy_text(self.app, text, what="filter")

    def read_form(self) -> FilterForm:
        values: dict[str, Any] = {}
        for field in self.fields:
            if field.kind == "range":
                for key, end in zip(field.keys, field.ends, strict=True):
                    values[key] = self.query_one(f"#{field.widget_id}-{end}", Input).value
            elif field.kind == "text":
                values[field.key] = self.query_one(f"#{field.widget_id}", Input).value
            elif field.kind == "multi":
                values[field.key] = tuple(self.query_one(f"#{field.widget_id}", SelectionList).selected)
            else:
                chosen = self.query_one(f"#{field.widget_id}", Select).value
                values[field.key] = None if chosen is Select.NULL else str(chosen)
                if field.prompt is None:
                    values[field.key] = values[field.key] or field.choices[0][1]
        return FilterForm(**values)

    def action_apply(self) -> None:
        """ctrl+s (a priority key) and Enter: apply once the text typed just before them is in the fields."""
        self.after_typing(self._apply)

    def _apply(self) -> None:
        query, errors = self.read_form().to_query()
        for widget in self.query(".error"):
            key = (widget.id or "")[2:]
            message = errors.get(key, "")
            assert isinstance(widget, Static)
            widget.update(message)
            widget.set_class(bool(message), "-shown")
        if errors:
            self.notify(f"{len(errors)} field(s) to fix before applying", severity="error")
            return
        self.dismiss(query)

    def action_clear(self) -> None:
        self.dismiss(ListQuery())

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_enter(self) -> None:
        """Enter in a field applies, as it arrives; elsewhere (a select, a button) it does what it does there."""
        if not isinstance(self.focused, Input):
            raise SkipAction()
        self.after_typing(self._apply)

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self._apply()  # an Enter that reaches the field: a keymap has moved filter.enter elsewhere

    @on(Button.Pressed, "#apply")
    def _apply_pressed(self) -> None:
        self._apply()

    @on(Button.Pressed, "#clear")
    def _clear_pressed(self) -> None:
        self.action_clear()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()
