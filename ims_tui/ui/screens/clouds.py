"""Pick another cloud or profile without restarting: every config profile, clouds.yaml cloud and OS_* set."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ims_tui.ui import keys
from ims_tui.ui.text import safe


class CloudPickerScreen(ModalScreen[str | None]):
    """Dismisses with the chosen name, or None on Esc; the current cloud is marked and highlighted."""

    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("clouds")
    DEFAULT_CLASSES = "dialog-screen"
    DEFAULT_CSS = """
    #clouds-dialog { width: 76; max-height: 90%; border: round $accent; }
    #clouds-list { height: auto; max-height: 16; border: none; padding: 0; }
    #clouds-hint { color: $text-muted; height: 1; }
    """

    def __init__(self, names: list[str], current: str | None, describe: Callable[[str], str]) -> None:
        super().__init__()
        self.names = names
        self.current = current
        self.describe = describe

    def compose(self) -> ComposeResult:
        options = []
        for name in self.names:
            mark = "● " if name == self.current else "  "
            label = Content.assemble(
                (mark, "$text-accent"),
                (safe(name), "bold"),
                ("  ", ""),
                (safe(self.describe(name)), "$text-muted"),
            )
            options.append(Option(label, id=name))
        with Vertical(id="clouds-dialog", classes="dialog") as dialog:
            dialog.border_title = "Switch cloud"
            yield OptionList(*options, id="clouds-list")
            yield Static("Enter switches · Esc stays on the current cloud", id="clouds-hint")

    def on_mount(self) -> None:
        option_list = self.query_one(OptionList)
        if self.current in self.names:
            option_list.highlighted = self.names.index(self.current)
        option_list.focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
