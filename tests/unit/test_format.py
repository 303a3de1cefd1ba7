"""The pure display helpers: sizes, ages, safe text, cell-exact cropping, and the clipboard sequence."""

from __future__ import annotations

import base64
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len

from ims_tui.ui import format as fmt
from ims_tui.ui.clipboard import MAX_BASE64, ClipboardTooLarge, osc52
from ims_tui.ui.screens.filter import FilterForm
from ims_tui.ui.screens.raw import find_matches, pretty_json
from ims_tui.ui.text import safe
from ims_tui.ui.widgets.image_table import layout_for

NOW = datetime(2026, 11, 2, 12, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (None, ""),
        (0, "0 B"),
        (1023, "1023 B"),
        (1024, "1.0 KiB"),
        (1536, "1.5 KiB"),
        (10 * 1024**2, "10 MiB"),
        (5227059920, "4.9 GiB"),
        (1023 * 1024**2, "1023 MiB"),
        (1024**4, "1.0 TiB"),
    ],
)
def test_human_size(size: int | None, text: str) -> None:
    assert fmt.human_size(size) == text


@given(st.integers(min_value=0, max_value=2**70))
def test_human_size_is_short(size: int) -> None:
    assert len(fmt.human_size(size)) <= 8


@pytest.mark.parametrize(
    ("text", "size"), [("10G", 10 * 1024**3), ("512M", 512 * 1024**2), ("1.5 TiB", int(1.5 * 1024**4)), ("4096", 4096)]
)
def test_parse_size(text: str, size: int) -> None:
    assert fmt.parse_size(text) == size


@pytest.mark.parametrize("text", ["", "ten", "10X", "-5G", "1..5G"])
def test_parse_size_refuses(text: str) -> None:
    with pytest.raises(ValueError):
        fmt.parse_size(text)


@pytest.mark.parametrize(
    ("ago", "text"),
    [
        (timedelta(seconds=5), "now"),
        (timedelta(seconds=-30), "now"),
        (timedelta(minutes=5), "5m"),
        (timedelta(hours=5), "5h"),
        (timedelta(days=3), "3d"),
        (timedelta(days=70), "2mo"),
        (timedelta(days=800), "2y"),
    ],
)
def test_relative_age(ago: timedelta, text: str) -> None:
    assert fmt.relative_age(NOW - ago, NOW) == text


@given(st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(timezone.utc)))
def test_relative_age_fits_its_column(when: datetime) -> None:
    assert cell_len(fmt.relative_age(when, NOW)) <= 4


def test_relative_age_of_server_strings() -> None:
    assert fmt.relative_age("2026-10-30T12:00:00Z", NOW) == "3d"
    assert fmt.relative_age("not a date", NOW) == ""
    assert fmt.relative_age(None, NOW) == ""


@given(st.text())
def test_safe_text_never_lets_control_characters_through(text: str) -> None:
    shown = safe(text)
    assert "\x1b" not in shown and "\n" not in shown and "\r" not in shown and "\x9b" not in shown
    assert all(not (0 <= ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0) for c in shown)


def test_safe_text_shows_escapes_visibly_and_keeps_markup_literal() -> None:
    assert safe("\x1b[31mred") == "\\x1b[31mred"
    assert safe("[bold]x[/]") == "[bold]x[/]"
    assert safe("a\u202eb") == "a\\u202eb"


@given(st.text(), st.integers(min_value=0, max_value=60))
def test_fit_is_exactly_the_column_width(text: str, width: int) -> None:
    cropped = fmt.fit(safe(text), width)
    assert cell_len(cropped) == width


@given(st.text(alphabet=st.sampled_from("a中文🚀é\u0301 "), max_size=40), st.integers(min_value=1, max_value=30))
def test_fit_wide_characters_never_overflow(text: str, width: int) -> None:
    assert cell_len(fmt.fit(text, width)) == width
    assert cell_len(fmt.crop_cells(text, width)) <= width


def test_fit_marks_a_crop() -> None:
    assert fmt.fit("abcdef", 4) == "abc…"
    assert fmt.fit("中文中文", 5) == "中文…"
    assert fmt.fit("ab", 4, align="right") == "  ab"


@pytest.mark.parametrize(
    ("status", "kind"),
    [("active", "ok"), ("queued", "busy"), ("importing", "busy"), ("killed", "bad"), ("pending_delete", "bad")],
)
def test_status_kind(status: str, kind: str) -> None:
    assert fmt.status_kind(status) == kind
    assert fmt.status_word(status) == status


@pytest.mark.parametrize("width", [80, 100, 110, 140, 200])
def test_layout_fills_the_width(width: int) -> None:
    layout = layout_for(width - 1)
    keys = [column.key for column, _ in layout.columns]
    assert keys[:2] == ["name", "status"] and "size" in keys and "age" in keys
    used = sum(cells for _, cells in layout.columns) + len(layout.columns) - 1 + 1
    assert used == width - 1
    assert ("disk" in keys) == (width >= 110)
    assert ("owner" in keys) == (width >= 140)


# -- clipboard ------------------------------------------------------------------------------------------------


def test_osc52_plain() -> None:
    payload = base64.b64encode(b"abc").decode()
    assert osc52("abc", {}) == f"\x1b]52;c;{payload}\x07"


def test_osc52_in_tmux_is_wrapped_with_escapes_doubled() -> None:
    sequence = osc52("abc", {"TMUX": "/tmp/tmux-0/default,1,0"})
    assert sequence.startswith("\x1bPtmux;\x1b\x1b]52;c;") and sequence.endswith("\x07\x1b\\")
    inner = sequence[len("\x1bPtmux;") : -2]
    assert "\x1b" not in inner.replace("\x1b\x1b", "")


def test_osc52_in_screen_is_chunked() -> None:
    text = "x" * 300
    sequence = osc52(text, {"STY": "1234.pts-0.host"})
    assert sequence.startswith("\x1bP\x1b]52;c;") and sequence.endswith("\x07\x1b\\")
    chunks = sequence[len("\x1bP\x1b]52;c;") : -len("\x07\x1b\\")].split("\x1b\\\x1bP")
    assert all(len(chunk) <= 76 for chunk in chunks)
    assert base64.b64decode("".join(chunks)).decode() == text


def test_osc52_refuses_oversized_payloads() -> None:
    with pytest.raises(ClipboardTooLarge):
        osc52("x" * (MAX_BASE64 // 4 * 3 + 3), {})
    assert osc52("x" * (MAX_BASE64 // 4 * 3 - 3), {})


# -- filter form and raw search ---------------------------------------------------------------------------------


def test_filter_form_builds_a_query() -> None:
    form = FilterForm(
        name="web",
        statuses=("active", "queued"),
        visibility="private",
        tags="a, b",
        protected="yes",
        size_min="1G",
        size_max="10G",
        created_from="2026-01-01",
        created_to="2026-01-31",
        properties="os_distro=ubuntu\n__platform=Ubuntu",
    )
    query, errors = form.to_query()
    assert errors == {}
    params = query.to_params()
    assert ("status", "in:active,queued") in params and ("tag", "a") in params and ("tag", "b") in params
    assert ("size_min", str(1024**3)) in params and ("protected", "true") in params
    assert ("created_at", "gte:2026-01-01T00:00:00Z") in params and ("created_at", "lt:2026-02-01T00:00:00Z") in params
    assert ("os_distro", "ubuntu") in params and ("__platform", "Ubuntu") in params
    again = FilterForm.from_query(query)
    assert again.to_query()[0] == query


def test_filter_form_reports_each_bad_field() -> None:
    _query, errors = FilterForm(size_min="lots", created_from="31/01/2026", properties="novalue").to_query()
    assert set(errors) == {"size_min", "created_from", "properties"}
    _query, errors = FilterForm(size_min="10G", size_max="1G").to_query()
    assert set(errors) == {"size_max"}


def test_raw_json_pretty_and_search() -> None:
    lines = pretty_json('{"name": "a\\u001b[31mb", "os_x": "OS_y"}')
    assert lines[0] == "{" and "\x1b" not in "".join(lines)
    assert find_matches(lines, "os_") == [(2, 3), (2, 11)]


LINE = "HTTP 500 Internal Server Error: The server has either erred or is incapable of performing the requested "
LINE += "operation. · request id req-0123-feed-beef"


def test_an_error_that_fits_is_left_whole() -> None:
    assert fmt.fit_error(LINE, 200) == LINE


def test_a_long_error_keeps_its_status_and_request_id_and_cuts_the_reason_between() -> None:
    fitted = fmt.fit_error(LINE, 80)
    assert cell_len(fitted) <= 80
    assert fitted.startswith("HTTP 500 Internal Server Error: The server") and fitted.endswith("req-0123-feed-beef")
    assert "… · request id" in fitted


def test_at_80_columns_the_request_id_gives_way_to_the_reason() -> None:
    fitted = fmt.fit_error(LINE, 54)
    assert fitted == "HTTP 500 Internal Server Error: The server has either…"


def test_phrases_shown_elsewhere_go_before_the_reason_is_cut() -> None:
    line = "the answer from the image service at glance.example.com:9292 was cut off: the connection dropped"
    fitted = fmt.fit_error(line, 60, (" at glance.example.com:9292",))
    assert fitted.startswith("the answer from the image service was cut off")


@given(st.text(st.characters(blacklist_categories=("Cc", "Cf", "Cs", "Zl", "Zp")), max_size=200), st.integers(1, 120))
def test_a_fitted_error_never_passes_its_width(line: str, width: int) -> None:
    line = safe(line)
    assert cell_len(fmt.fit_error(line, width)) <= width
    assert cell_len(fmt.fit_error(line + " · request id req-1", width)) <= width


@given(st.text(st.characters(blacklist_categories=("Cc", "Cf", "Cs", "Zl", "Zp")) | st.just(" "), max_size=300))
def test_wrapped_lines_fit_and_keep_every_word(text: str) -> None:
    text = safe(text)
    lines = fmt.wrap(text, 30)
    assert all(cell_len(line) <= 30 for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")


def test_durations_read_as_an_operator_says_them() -> None:
    from ims_tui.ui.format import duration

    assert [duration(s) for s in (0, 41.6, 185, 7620, 400000)] == ["0 s", "42 s", "3 min 05 s", "2 h 07 min", "111 h"]
    assert duration(None) == "" and duration(float("nan")) == "" and duration(-1) == ""


def test_a_transfer_line_puts_what_matters_first() -> None:
    from ims_tui.ui.format import transfer_line

    mib = 1024**2
    assert transfer_line(412 * mib, 1229 * mib, 85 * mib, 9.2) == "412 MiB of 1.2 GiB · 33% · 85 MiB/s · 9 s left"
    assert transfer_line(0, 10 * mib, 0.0, None) == "0 B of 10 MiB · 0%"
    assert transfer_line(3 * mib, None, 1024.0, None) == "3.0 MiB · 1.0 KiB/s"
    assert transfer_line(10, 10, 5.0, 0.0) == "10 B of 10 B · 100% · 5 B/s"
