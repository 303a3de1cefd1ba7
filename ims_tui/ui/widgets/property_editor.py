"""The edit form's property editor: one row per custom property, read back as a ``form_model.PropertyRow``."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Static

from ims_tui.ui.form_model import PropertyRow
from ims_tui.ui.widgets import SteadyInput


class PropertyEditorRow(Vertical):
    """One custom property: key, value, a remove button, and the line that says what is wrong with it."""

    DEFAULT_CSS = """
    PropertyEditorRow { height: auto; }
    PropertyEditorRow > Horizontal { height: 1; }
    PropertyEditorRow .prop-key { width: 1fr; margin-right: 1; }
    PropertyEditorRow .prop-value { width: 2fr; margin-right: 1; }
    PropertyEditorRow .prop-remove { width: 8; min-width: 8; }
    """

    def __init__(self, serial: int, row: PropertyRow) -> None:
        super().__init__(id=f"prop-row-{serial}", classes="prop-row")
        self.serial = serial
        self.original = row.original
        self._row = row

    def compose(self) -> ComposeResult:
        with Horizontal():
            for part, text, placeholder in (("key", self._row.key, "key"), ("value", self._row.value, "value (text)")):
                yield SteadyInput(
                    text,
                    placeholder=placeholder,
                    id=f"prop-{part}-{self.serial}",
                    classes=f"prop-{part}",
                    compact=True,
                    select_on_focus=False,
                )
            yield Button("remove", id=f"prop-remove-{self.serial}", classes="prop-remove", compact=True)
        yield Static("", id=f"prop-error-{self.serial}", classes="field-error", markup=False)

    def read(self) -> PropertyRow:
        key = self.query_one(f"#prop-key-{self.serial}", Input).value
        value = self.query_one(f"#prop-value-{self.serial}", Input).value
        return PropertyRow(key=key, value=value, original=self.original)

    def show_value(self, text: str) -> None:
        """Show ``text`` as the value: the server's value now, for a row the user has not touched."""
        self.query_one(f"#prop-value-{self.serial}", Input).value = text
