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

GROUP_TITLES = {
    "ImageTable": "Moving in the list",
    "MainScreen": "Images",
    "DetailView": "Detail pane",
    "DetailScreen": "Image detail",
    "RawScreen": "Raw JSON",
    "RawView": "Raw JSON: moving",
}
EXTRA = (
    ("ctrl+p", "Command palette: every action by name", ""),
    ("tab / shift+tab", "Move focus between the list and the detail pane", ""),
    ("Esc", "Back / close; never confirms anything", ""),
)
REMAP_HINT = 'Remap a key in the config file by its id (right column): [ui] keymap = { "main.delete" = "ctrl+d" }'
Row = tuple[str, str, str]  # keys as shown, what the binding does, its id


def effective_bindings(screen: Screen[object]) -> list[tuple[str, list[Row]]]:
    """(group title, [(keys, description, binding id)]) for every binding the user can press on ``screen`` right now.

    Reads the screen's binding chain, which has the app's keymap applied, and leaves out actions the screen
    disables (``check_action`` returning False, e.g. create/edit/delete in read-only mode).
    """
    app = screen.app
    groups: list[tuple[str, list[Row]]] = []
    seen_ids: set[str] = set()
    for namespace, bindings_map in screen._binding_chain:
        by_id: dict[str, tuple[list[str], Binding]] = {}
        order: list[str] = []
        for key, bindings in bindings_map.key_to_bindings.items():
            for binding in bindings:
                # Textual's own bindings (horizontal scroll, focus, text selection) carry no id and are noise here.
                if binding.id is None:
                    continue
                ident = binding.id
                if ident in seen_ids:
                    continue
                if app._check_action_state(binding.action, namespace) is False:
                    continue
                if ident not in by_id:
                    by_id[ident] = ([], binding)
                    order.append(ident)
                by_id[ident][0].append(app.get_key_display(Binding(key, binding.action)))
        if not order:
            continue
        seen_ids.update(order)
        rows = [
            (" / ".join(dict.fromkeys(by_id[i][0])), by_id[i][1].description or by_id[i][1].action, i) for i in order
        ]
        groups.append((_title(namespace), rows))
    return groups


def _title(namespace: DOMNode) -> str:
    name = type(namespace).__name__
    if name in GROUP_TITLES:
        return GROUP_TITLES[name]
    if namespace is namespace.app:
        return "Everywhere"
    return name


def render_help(groups: list[tuple[str, list[Row]]]) -> RenderableType:
    parts: list[RenderableType] = []
    for title, rows in [*groups, ("Also", list(EXTRA))]:
        parts.append(Text(title, style="bold underline"))
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold", no_wrap=True, min_width=16)
        grid.add_column()
        grid.add_column(style="dim", no_wrap=True)
        for keys, description, ident in rows:
            grid.add_row(Text(keys), Text(description), Text(ident))
        parts.append(grid)
        parts.append(Text(""))
    parts.append(Text(REMAP_HINT, style="dim"))
    return Group(*parts)


class HelpScreen(ModalScreen[None]):
    """Every key of the screen below, as it is bound now."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "close", "Close", id="help.close"),
        Binding("j,down", "scroll_down", "Down", show=False, id="help.down"),
        Binding("k,up", "scroll_up", "Up", show=False, id="help.up"),
    ]

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 72; max-width: 100%; height: auto; max-height: 100%;
        border: round $primary; background: $surface; padding: 0 1;
    }
    """

    def __init__(self, below: Screen[object]) -> None:
        super().__init__()
        self.below = below
        self.groups = effective_bindings(below)

    def compose(self) -> ComposeResult:
        with VerticalScroll() as scroll:
            scroll.border_title = "Keys"
            scroll.border_subtitle = "Esc closes"
            yield Static(render_help(self.groups), id="help-body")

    def action_close(self) -> None:
        self.dismiss()

    def action_scroll_down(self) -> None:
        self.query_one(VerticalScroll).scroll_down(animate=False)

    def action_scroll_up(self) -> None:
        self.query_one(VerticalScroll).scroll_up(animate=False)
