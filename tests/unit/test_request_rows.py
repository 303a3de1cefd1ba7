"""How a request log line reads (ui/request_rows.py): it fits its width, the path keeps both ends."""

from __future__ import annotations

import httpx
from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len

from ims_tui.api.request_log import RequestEntry
from ims_tui.ui import request_rows

PATHS = st.text(st.characters(codec="ascii", min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=300)


def entry(path: str = "/v2/images", status: int | None = 200, failure: str | None = None) -> RequestEntry:
    made = RequestEntry(1, 1_793_620_800.0, 0.0, httpx.Request("GET", "http://glance.example" + path))
    made.status, made.failure, made.duration, made.size = status, failure, 0.042, 2048
    return made


@given(PATHS, st.integers(min_value=request_rows.FIXED + request_rows.MIN_PATH, max_value=200))
def test_a_line_never_runs_past_its_width(path: str, width: int) -> None:
    shown = request_rows.line(request_rows.cells(entry("/" + path)), width)
    assert cell_len(shown) <= width


@given(PATHS, st.integers(min_value=3, max_value=120))
def test_the_middle_is_cut_and_both_ends_kept(text: str, width: int) -> None:
    cut = request_rows.crop_middle(text, width)
    assert len(cut) == min(len(text), width)
    if len(text) > width:
        head, _, tail = cut.partition("…")
        assert text.startswith(head) and text.endswith(tail) and len(tail) >= len(head)


def test_the_line_of_a_failure_starts_with_its_mark() -> None:
    line = request_rows.line(request_rows.cells(entry(status=None, failure="reset")), 78)
    assert line.startswith("! ") and " reset " in line
    assert request_rows.line(request_rows.cells(entry(status=404)), 78).startswith("! ")
    assert request_rows.line(request_rows.cells(entry()), 78).startswith("  ")


def test_durations_read_short() -> None:
    assert [request_rows.took(s) for s in (None, 0.0123, 1.5, 42, 600)] == ["…", "12 ms", "1.5 s", "42 s", "10 min"]


def test_hostile_path_text_is_escaped() -> None:
    made = entry("/v2/images/%1B%5B31m")
    made.path = "/v2/images/\x1b[31m"  # as if a server link had put it there unencoded
    assert "\\x1b" in request_rows.cells(made)[-1]
    assert "\\x1b" in request_rows.full(made)
