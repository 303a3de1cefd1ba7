"""Help generated from the bindings in effect (keymap overrides included), grouped by where they act."""

from __future__ import annotations

from typing import ClassVar

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from ims_tui.ui import keys
from ims_tui.ui.text import safe

EXTRA = (
    ("ctrl+p", "Command palette: every action by name", ""),
    ("tab / shift+tab", "Move focus between the list and the detail pane", ""),
    ("Esc", "Back / close; never confirms anything", ""),
)
REMAP_HINT = 'Remap a key in the config file by its id (right column): [ui] keymap = { "main.delete" = "ctrl+d" }'
Row = tuple[str, str, str]  # keys as shown, what the binding does, its id


def effective_bindings(screen: Screen[object]) -> list[tuple[str, list[Row]]]:
    """(group title, [(keys, description, binding id)]) for every binding the user can press on ``screen`` right now.

    Reads ``Screen.active_bindings``: the app's keymap applied, a key shadowed by the focused widget left out, and
    so are the actions the screen disables (``check_action`` returning False, e.g. writes in read-only mode).
    """
    display = screen.app.get_key_display
    groups: dict[DOMNode, dict[str, tuple[list[str], Binding]]] = {}
    for key, active in screen.active_bindings.items():
        binding = active.binding
        # Textual's own bindings (horizontal scroll, focus, text selection) carry no id and are noise here.
        if binding.id is None:
            continue
        found = groups.setdefault(active.node, {}).setdefault(binding.id, ([], binding))
        found[0].append(display(Binding(key, binding.action)))
    return [
        (
            _title(node, next(iter(rows))),
            [(" / ".join(dict.fromkeys(k)), b.description or b.action, ident) for ident, (k, b) in rows.items()],
        )
        for node, rows in groups.items()
    ]


def _title(node: DOMNode, binding_id: str) -> str:
    scope = binding_id.partition(".")[0]
    if scope in keys.SCOPE_TITLES:
        return keys.SCOPE_TITLES[scope]
    return type(node).__name__


def render_help(groups: list[tuple[str, list[Row]]]) -> RenderableType:
    parts: list[RenderableType] = []
    for title, rows in [*groups, ("Also", list(EXTRA))]:
        parts.append(Text(title, style="bold underline"))
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold", no_wrap=True, min_width=16)
        grid.add_column()
        grid.add_column(style="dim", no_wrap=True)
        for keys_shown, description, ident in rows:
            grid.add_row(Text(safe(keys_shown)), Text(safe(description)), Text(safe(ident)))
        parts.append(grid)
        parts.append(Text(""))
    parts.append(Text(REMAP_HINT, style="dim"))
    return Group(*parts)


class HelpScreen(ModalScreen[None]):
    """Every key of the screen below, as it is bound now."""

    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("help")
    DEFAULT_CLASSES = "dialog-screen"
    DEFAULT_CSS = """
    HelpScreen > .dialog { width: 72; max-height: 100%; border: round $primary; }
    """

    def __init__(self, below: Screen[object]) -> None:
        super().__init__()
        self.below = below
        self.groups = effective_bindings(below)

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog") as scroll:
            scroll.border_title = "Keys"
            scroll.border_subtitle = "Esc closes"
            yield Static(render_help(self.groups), id="help-body")

    def action_close(self) -> None:
        self.dismiss()

    def action_scroll_down(self) -> None:
        self.query_one(VerticalScroll).scroll_down(animate=False)

    def action_scroll_up(self) -> None:
        self.query_one(VerticalScroll).scroll_up(animate=False)
