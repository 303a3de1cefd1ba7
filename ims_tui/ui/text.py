"""The one way to draw untrusted text, and the one way to phrase a failure on one line.

Server text (names, properties, messages) and what a user typed are data: they must never move the cursor,
recolour the terminal, reorder a line (bidi overrides and isolates) or shift a row (zero-width and other format
characters, which Rich and the terminal may count differently). Every such character is shown as a visible
escape (``\\x1b``, ``\\u202e``). Nothing here imports Textual, so the rules are unit-tested with plain values.

So is every character whose width Rich (which lays the screen out) and the terminal do not agree on, since one
such character moves every cell after it on its line (``width_unsure``). Measured against tmux 3.3a on glibc
2.36 for every printable code point: spacing combining marks (Mc, the vowel signs of Indic scripts: 0 cells for
Rich, 1 for the terminal), the emoji presentation selectors U+FE0E/U+FE0F (Rich widens the emoji before them,
the terminal does not), the emoji skin-tone modifiers U+1F3FB-1F3FF, the Hangul fillers U+3164/U+FFA0, the
circled numbers U+3248-324F, and every character whose East Asian width changed after the Unicode version this
Python knows (Rich follows the newest tables: the trigrams, the hexagrams, the Tai Xuan Jing monograms). Ambiguous
East Asian width (Greek, Cyrillic, box drawing) is left alone: one cell for Rich and for a terminal in a non-CJK
locale, and escaping it would make Cyrillic names unreadable.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from rich.cells import get_character_cell_size

from ims_tui.api.errors import ApiError
from ims_tui.config.errors import ConfigError
from ims_tui.config.secrets import PasswordRequired

__all__ = ["error_line", "safe", "safe_lines", "width_unsure"]


def _escape(char: str) -> str:
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


# Measured in tmux (see the module docstring), not derivable from the Unicode data Rich and Python carry.
_PRESENTATION_SELECTORS = frozenset("\ufe0e\ufe0f")
_MEASURED = frozenset(map(chr, [0x3164, 0xFFA0, *range(0x3248, 0x3250), *range(0x1F3FB, 0x1F400)]))


@lru_cache(maxsize=4096)
def width_unsure(char: str) -> bool:
    """Whether Rich and the terminal may give ``char`` different widths (see the module docstring)."""
    if char in _PRESENTATION_SELECTORS or char in _MEASURED:
        return True
    cells = get_character_cell_size(char)
    if cells == 0:
        return unicodedata.category(char) == "Mc"
    return cells != (2 if unicodedata.east_asian_width(char) in "WF" else 1)


def _width_sure(text: str) -> bool:
    # Below U+0300 every printable character is one cell for Rich and for any terminal: the usual case costs
    # one comparison a character.
    return all(char < "\u0300" or not width_unsure(char) for char in text)


def _escaped(text: str, keep: str) -> str:
    # str.isprintable() is False exactly for the characters that must not reach the terminal as they are:
    # controls (Cc), format characters (Cf: bidi, zero-width), line/paragraph separators, surrogates, private
    # use, unassigned code points, and spaces other than " " (a no-break space would pass for a plain one).
    return "".join(
        char if char in keep or (char.isprintable() and not width_unsure(char)) else _escape(char) for char in text
    )


def safe(value: object) -> str:
    """``value`` as text that is safe to draw on one line: every control or layout-changing character visible."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    if text.isprintable() and (text.isascii() or _width_sure(text)):  # the usual case: C loops, no copy
        return text
    return _escaped(text, " ")


def safe_lines(value: object) -> str:
    """Like ``safe``, for a block of several lines: newlines stay, every other unsafe character is escaped."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    return "\n".join(safe(line) for line in text.split("\n"))


def error_line(error: BaseException) -> str:
    """Any failure a worker can meet as one line: what went wrong, the HTTP status, the request id last."""
    if isinstance(error, ApiError):
        text = error.one_line()
    elif isinstance(error, ConfigError):
        text = error.format()
    elif isinstance(error, PasswordRequired):
        text = str(error)
    else:
        text = f"{type(error).__name__}: {error}"
    return safe(" ".join(text.split()))
