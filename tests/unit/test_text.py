"""The one safe-text rule and the one-line error format (ims_tui/ui/text.py)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from ims_tui.api.errors import NotFound
from ims_tui.config.errors import ConfigError
from ims_tui.config.secrets import PasswordRequired
from ims_tui.ui.text import error_line, safe, safe_lines, width_unsure


@given(st.text())
def test_safe_text_holds_only_printable_characters(text: str) -> None:
    shown = safe(text)
    assert all(char.isprintable() for char in shown)


ORDINARY = st.characters(blacklist_categories=("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp", "Zs")).filter(
    lambda char: not width_unsure(char)
)


@given(st.text(ORDINARY | st.just(" ")))
def test_safe_text_leaves_ordinary_text_alone(text: str) -> None:
    assert safe(text) == text


def test_spoofing_and_shifting_characters_are_shown_as_escapes() -> None:
    assert safe("\x1b[31mred") == "\\x1b[31mred"
    assert safe("bidi-\u202egnp.exe") == "bidi-\\u202egnp.exe"  # would read as "bidi-exe.png"
    assert safe("zero\u200dwidth\u200b") == "zero\\u200dwidth\\u200b"  # would shift the row by a cell each
    assert safe("iso\u2066late\u2069") == "iso\\u2066late\\u2069"
    assert safe("no\u00a0break") == "no\\xa0break"  # passes for a plain space
    assert safe("tab\there\nline") == "tab\\x09here\\x0aline"
    assert safe("\U000e0041tag") == "\\U000e0041tag"
    assert safe("[bold]x[/]") == "[bold]x[/]"  # markup stays literal: the caller never parses it
    assert safe(None) == ""
    assert safe(42) == "42"


def test_safe_lines_keeps_the_line_breaks_of_a_block() -> None:
    assert safe_lines("first\x1b]0;title\x07\nsecond\u202e") == "first\\x1b]0;title\\x07\nsecond\\u202e"


def test_an_api_error_is_one_line_with_the_request_id_last() -> None:
    error = NotFound("No image found\nwith ID abc", status=404, request_id="req-123")
    assert error_line(error) == "HTTP 404 Not Found: No image found with ID abc · request id req-123"
    assert error_line(NotFound("gone", status=404)) == "HTTP 404 Not Found: gone"


def test_other_failures_read_as_one_line_too() -> None:
    assert error_line(PasswordRequired("password for admin")) == "password for admin"
    assert error_line(ValueError("bad\x1b[0m")) == "ValueError: bad\\x1b[0m"
    config = error_line(ConfigError("is not a number", key="page_size", fix="write a whole number"))
    assert "page_size" in config and "\n" not in config


def test_characters_rich_and_the_terminal_count_differently_are_escaped_too() -> None:
    assert safe("\u2764\ufe0f") == "\u2764\\ufe0f"  # an emoji selector: 2 cells for Rich, 1 in tmux
    assert safe("\U0001f44d\U0001f3fd") == "\U0001f44d\\U0001f3fd"  # a skin tone: 2 cells for Rich, 4 in tmux
    assert safe("\u0939\u093f") == "\u0939\\u093f"  # a spacing vowel sign (Mc): 0 cells for Rich, 1 in tmux
    assert safe("\u2630") == "\\u2630"  # a trigram: wide only in the newest Unicode tables
    assert safe("Привет, 日本語, e\u0301, \U0001f1e9\U0001f1ea") == "Привет, 日本語, e\u0301, \U0001f1e9\U0001f1ea"
