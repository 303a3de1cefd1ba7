"""A list row is exactly as wide as the list, whatever the server calls an image.

Each name is drawn into an ImageTable row at 80 columns (the table's own ``_render_row``, in a running app so the
styles are real) and the row must be 80 cells by Rich's count, the same 80 cells counted one character at a time
(what a terminal does: no character whose width depends on its neighbours), and free of every character that could
move the cursor or reorder the line.
"""

from __future__ import annotations

import unicodedata

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.cells import cell_len, get_character_cell_size
from textual.app import App, ComposeResult

from ims_tui.api.image_rows import BadEntry, BadImageRow, ImageRow
from ims_tui.api.models import Image
from ims_tui.ui.text import width_unsure
from ims_tui.ui.widgets.image_table import ImageTable

WIDTH = 80
FORBIDDEN = {"Cc", "Cf", "Zl", "Zp"}
PIECES = [
    "\u0301",  # combining acute
    "\u20e3",  # combining enclosing keycap
    "\u093f",  # Devanagari vowel sign i (Mc: Rich 0 cells, a terminal 1)
    "日本語",  # wide CJK
    "\uff21",  # fullwidth A
    "👍",
    "❤\ufe0f",  # emoji presentation selector
    "⌚\ufe0e",  # text presentation selector
    "👍\U0001f3fd",  # skin-tone modifier
    "👨\u200d👩\u200d👧",  # ZWJ family
    "🇩🇪",  # regional indicator pair
    "\u202egnp.exe",  # bidi override
    "\u2066x\u2069",  # bidi isolate
    "\u200b\u200d\u00ad",  # zero-width space, joiner, soft hyphen
    "\x1b[31m",  # C0 escape
    "\x07\t\n\r",
    "\x9b2J\x85",  # C1 CSI, next line
    "\u2028\u2029",  # line and paragraph separators
    "\u3164\uffa0",  # Hangul fillers
    "\u2630\u4dc0",  # trigram, hexagram: wide only in the newest Unicode
    "[bold]x[/]",
]
NAMES = st.text(st.characters()) | st.lists(
    st.sampled_from(PIECES) | st.text(st.characters(), max_size=3), max_size=12
).map("".join)


class TableApp(App[None]):
    def compose(self) -> ComposeResult:
        yield ImageTable(id="images")


def bad_row(name: str) -> ImageRow:
    raw = {"id": "00000000-0000-4000-8000-000000000002", "name": name, "size": name}
    entry = BadEntry.of(0, raw, [{"loc": ("size",), "msg": f"Input should be a valid integer: {name}"}])
    return BadImageRow(entry, "?bad-1.0")


def check(line: str, strip_cells: int) -> None:
    assert strip_cells == WIDTH
    assert sum(get_character_cell_size(char) for char in line) == WIDTH == cell_len(line)
    drawn = {char for char in line if unicodedata.category(char) in FORBIDDEN or width_unsure(char)}
    assert not drawn, f"{sorted(map(hex, map(ord, drawn)))} drawn as they are"


async def test_any_name_fills_exactly_one_row_of_80_cells() -> None:
    app = TableApp()
    async with app.run_test(size=(WIDTH, 24)):
        table = app.query_one(ImageTable)

        @settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
        @given(name=NAMES, status=NAMES, state=st.sampled_from([0, 1, 2]))
        def rows_fit(name: str, status: str, state: int) -> None:
            good = ImageRow(Image(id=name or "x", name=name, status=status, visibility=status, disk_format=name))
            for row in (good, bad_row(name)):
                strip = table._render_row(row, WIDTH, state)
                check("".join(segment.text for segment in strip), strip.cell_length)

        rows_fit()
