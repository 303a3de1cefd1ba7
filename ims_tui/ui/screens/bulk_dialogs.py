"""The two questions before a bulk plan: which action (the menu ``b`` opens), and its argument (the tags, the
property, the visibility). Each dismisses with the answer, or None on Esc; nothing is sent from here."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from ims_tui.api.bulk import KINDS, Kind, parse_argument
from ims_tui.api.models import VISIBILITIES
from ims_tui.ui import keys
from ims_tui.ui.format import plural
from ims_tui.ui.text import safe

PLACEHOLDERS = {
    "tags": "tags, separated by commas: prod, web",
    "key_value": "key=value, e.g. os_distro=ubuntu",
    "key": "the property's name, e.g. os_distro",
    "visibility": " | ".join(VISIBILITIES),
    "projects": "project ids, separated by spaces or commas",
}

DIALOG_CSS = """
    {cls} {{ align: center middle; }}
    {cls} > Vertical {{
        width: 64; max-width: 100%; height: auto; max-height: 100%;
        border: round $accent; padding: 0 1; background: $surface;
    }}
    {cls} .bulk-hint {{ color: $text-muted; height: auto; }}
"""


class BulkMenuScreen(ModalScreen[Kind | None]):
    """Which bulk action: the kinds of api/bulk.py, in its order; Enter picks, Esc goes back."""

    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("bulk_menu")
    DEFAULT_CSS = DIALOG_CSS.format(cls="BulkMenuScreen") + "BulkMenuScreen OptionList { height: auto; }"

    def __init__(self, count: int, marked: bool, kinds: tuple[Kind, ...] = tuple(KINDS)) -> None:
        super().__init__()
        self.count = count
        self.marked = marked
        self.kinds = kinds

    def compose(self) -> ComposeResult:
        what = plural(self.count, "marked image") if self.marked else "the highlighted image"
        with Vertical() as box:
            box.border_title = f"Bulk action on {what}"
            yield OptionList(*(Option(KINDS[kind].label.capitalize(), id=kind) for kind in self.kinds))
            yield Static("enter: a plan of what will be sent · esc: back", classes="bulk-hint")

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        chosen = event.option.id
        self.dismiss(next((kind for kind in KINDS if kind == chosen), None))

    def action_cancel(self) -> None:
        self.dismiss(None)


class BulkArgumentScreen(ModalScreen[tuple[str, ...] | None]):
    """The argument of a kind that takes one, checked as typed (``bulk.parse_argument``) before any plan."""

    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("bulk_argument")
    DEFAULT_CSS = DIALOG_CSS.format(cls="BulkArgumentScreen") + "#bulk-argument-error { color: $error; height: auto; }"

    def __init__(self, kind: Kind) -> None:
        super().__init__()
        self.kind = kind

    def compose(self) -> ComposeResult:
        info = KINDS[self.kind]
        with Vertical() as box:
            box.border_title = info.label.capitalize()
            yield Input(placeholder=PLACEHOLDERS[info.argument], id="bulk-argument")
            yield Static("", id="bulk-argument-error")
            yield Static("enter: the plan (nothing is sent yet) · esc: back", classes="bulk-hint")

    def on_mount(self) -> None:
        self.set_focus(self.query_one(Input))

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        try:
            argument = parse_argument(self.kind, event.value)
        except ValueError as exc:
            self.query_one("#bulk-argument-error", Static).update(Content(safe(str(exc))))
            return
        self.dismiss(argument)

    def action_cancel(self) -> None:
        self.dismiss(None)
