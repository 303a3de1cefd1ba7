"""The edit form's dialogs: the patch preview, leaving with unsaved changes, and a change that clashes with
someone else's.

Each is a ``ConfirmDialog`` with its keys in ``ui/keys.py``. None of them sends anything: the form does, with
what they answer.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, ClassVar, Literal

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Button, Static

from ims_tui.api.patch import PatchOp, describe
from ims_tui.ui import keys
from ims_tui.ui.form_merge import ABSENT, Clash
from ims_tui.ui.form_model import FIELD_LABELS
from ims_tui.ui.screens.confirm import ConfirmDialog, ConfirmScreen
from ims_tui.ui.text import safe, safe_lines

__all__ = ["ConflictChoice", "ConflictScreen", "DiscardChangesScreen", "PatchPreviewScreen", "key_list", "pretty_ops"]

ConflictChoice = Literal["mine", "theirs", "back"]


def pretty_ops(ops: list[PatchOp]) -> str:
    """The patch body as indented JSON, one op per line: readable at 80 columns, and the same data as sent."""
    lines = [json.dumps(op, ensure_ascii=False) for op in ops]
    return "[\n" + ",\n".join("  " + line for line in lines) + "\n]"


def key_list(keys_: Sequence[str]) -> str:
    """Attribute and property names for one line ("min_ram, tags"), each drawn safely: a key is server text."""
    return ", ".join(safe(key) for key in keys_)


class PatchPreviewScreen(ConfirmScreen):
    """The exact JSON-patch the form will send; nothing goes out until Confirm. Esc goes back to the form.

    ``kept`` names what someone else changed meanwhile that the patch leaves as it is; ``mine`` the keys where
    the user chose to replace someone else's change with their own."""

    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("patch_preview")
    DEFAULT_CSS = """
    PatchPreviewScreen > #preview-dialog { width: 100%; max-width: 110; }
    #preview-header { height: auto; margin-bottom: 1; }
    #preview-body { height: auto; max-height: 70vh; }
    #preview-ops { height: auto; }
    #preview-json-title { height: 1; margin-top: 1; color: $accent; text-style: bold; }
    #preview-json { height: auto; }
    #preview-hint { width: 1fr; color: $text-muted; text-align: right; }
    """

    def __init__(
        self,
        ops: list[PatchOp],
        image_name: str,
        image_id: str,
        *,
        kept: Sequence[str] = (),
        mine: Sequence[str] = (),
    ) -> None:
        plural = "s" if len(ops) != 1 else ""
        super().__init__(
            f"Review {len(ops)} change{plural}",
            confirm="Confirm",
            cancel="Back to form",
            prefix="preview",
            cancel_id="back",
            tone="accent",
            confirm_variant="primary",
            confirm_first=True,
            focus_confirm=True,  # what the user asked for by pressing ctrl+s; Esc or the other button go back
            letter_keys=False,
        )
        self.ops = ops
        self.image_name = image_name
        self.image_id = image_id
        self.kept = tuple(kept)
        self.mine = tuple(mine)

    def compose_body(self) -> ComposeResult:
        count = f"{len(self.ops)} operation{'s' if len(self.ops) != 1 else ''}"
        parts: list[str | tuple[str, str]] = [
            "Nothing has been sent yet. On Confirm, ",
            (count, "bold"),
            " will be sent to ",
            (safe(self.image_name or "(no name)"), "bold"),
            f" ({self.image_id}):",
        ]
        if self.kept:
            parts.append(("\nChanged on the server meanwhile, kept: ", "bold"))
            parts.append(key_list(self.kept))
        if self.mine:
            parts.append(("\nYours replaces the server's change to: ", "bold"))
            parts.append(key_list(self.mine))
        yield Static(Content.assemble(*parts), id="preview-header")
        summary = Content("\n".join(safe(describe(op)) for op in self.ops))
        with VerticalScroll(id="preview-body") as body:
            # focusable, so a long patch can be scrolled with the keyboard before confirming
            body.can_focus = True
            yield Static(summary, id="preview-ops")
            yield Static("JSON patch (the request body)", id="preview-json-title")
            yield Static(Content(safe_lines(pretty_ops(self.ops))), id="preview-json")

    def compose_beside_buttons(self) -> ComposeResult:
        yield Static("ctrl+s confirm · esc back", id="preview-hint")


class DiscardChangesScreen(ConfirmScreen):
    """Leaving a form with edits: "Keep editing" is focused and Esc keeps editing, so nothing is lost by accident."""

    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("discard_changes")

    def __init__(self) -> None:
        super().__init__(
            "Discard changes?",
            "This form has changes that were not saved. Leaving now throws them away.",
            confirm="Discard",
            cancel="Keep editing",
            prefix="discard",
            cancel_id="keep",
            tone="warning",
            cancel_variant="primary",
            letter_keys=False,  # it interrupts typing: a letter typed on must not throw the form away
        )


def clash_value(value: Any) -> Text:
    """One cell of the conflict table: literal text (never markup), cropped by the table with an ellipsis."""
    if value is ABSENT or value is None:
        return Text("(not set)", style="italic")
    if isinstance(value, list):
        return Text(", ".join(safe(tag) for tag in value)) if value else Text("(no tags)", style="italic")
    if isinstance(value, str):
        return Text(safe(value)) if value else Text("(empty)", style="italic")
    return Text(safe(json.dumps(value, ensure_ascii=False)))


def clash_table(clashes: Sequence[Clash]) -> Table:
    """Each clashing key on one line: the field, then what the form started from, the server now, and yours."""
    table = Table(box=None, expand=True, show_edge=False, padding=(0, 1, 0, 0), header_style="bold")
    table.add_column("Field", ratio=3, no_wrap=True, overflow="ellipsis")
    for title in ("Original", "Theirs (now)", "Yours"):
        table.add_column(title, ratio=4, no_wrap=True, overflow="ellipsis")
    for clash in clashes:
        label = FIELD_LABELS.get(clash.key) or safe(clash.key)
        table.add_row(Text(label), *(clash_value(v) for v in (clash.original, clash.theirs, clash.yours)))
    return table


class ConflictScreen(ConfirmDialog[ConflictChoice]):
    """Someone else changed, since the form was opened, fields the user is changing too: show the three values
    of each and ask. "Back to form" has the focus and Esc goes back, so nothing is overwritten by accident; a
    letter typed on decides nothing (the dialog comes up while the user may still be typing)."""

    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("form_conflict")
    DEFAULT_CSS = """
    ConflictScreen > #conflict-dialog { width: 100%; max-width: 110; }
    #conflict-header { height: auto; margin-bottom: 1; }
    #conflict-body { height: auto; max-height: 50vh; }
    #conflict-table { height: auto; }
    #conflict-choices { height: auto; margin-top: 1; color: $text-muted; }
    #conflict-hint { width: 1fr; color: $text-muted; text-align: right; }
    """

    def __init__(self, clashes: Sequence[Clash], image_name: str, *, kept: Sequence[str] = ()) -> None:
        super().__init__(
            "Changed on the server meanwhile",
            confirm="Keep mine",
            cancel="Back to form",
            prefix="conflict",
            cancel_id="back",
            tone="warning",
            confirm_variant="warning",
            letter_keys=False,
        )
        self.clashes = tuple(clashes)
        self.image_name = image_name
        self.kept = tuple(kept)

    def compose_body(self) -> ComposeResult:
        count = len(self.clashes)
        fields = f"{count} field{'s' if count != 1 else ''}"
        header = Content.assemble(
            "Since this form was opened, someone else changed ",
            (fields, "bold"),
            " you are changing on ",
            (safe(self.image_name or "(no name)"), "bold"),
            ". Nothing has been sent.",
        )
        yield Static(header, id="conflict-header")
        with VerticalScroll(id="conflict-body"):
            yield Static(clash_table(self.clashes), id="conflict-table")
        choices = "Keep mine: send yours for these. Take theirs: leave them as the server has them."
        if self.kept:
            choices += f"\nAlso changed meanwhile, and kept either way: {key_list(self.kept)}"
        yield Static(Content(choices), id="conflict-choices")

    def compose_beside_buttons(self) -> ComposeResult:
        yield Button("Take theirs", id="conflict-theirs", compact=True)
        yield Static("esc back", id="conflict-hint")

    def action_confirm(self) -> None:
        self.dismiss("mine")

    def action_cancel(self) -> None:
        self.dismiss("back")

    @on(Button.Pressed, "#conflict-theirs")
    def _theirs_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss("theirs")
