"""The one way to draw untrusted text, and the one way to phrase a failure on one line.

Server text (names, properties, messages) and what a user typed are data: they must never move the cursor,
recolour the terminal, reorder a line (bidi overrides and isolates) or shift a row (zero-width and other format
characters, which Rich and the terminal may count differently). Every such character is shown as a visible
escape (``\\x1b``, ``\\u202e``). Nothing here imports Textual, so the rules are unit-tested with plain values.
"""

from __future__ import annotations

from ims_tui.api.errors import ApiError
from ims_tui.config.errors import ConfigError
from ims_tui.config.secrets import PasswordRequired

__all__ = ["error_line", "safe", "safe_lines"]


def _escape(char: str) -> str:
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def _escaped(text: str, keep: str) -> str:
    # str.isprintable() is False exactly for the characters that must not reach the terminal as they are:
    # controls (Cc), format characters (Cf: bidi, zero-width), line/paragraph separators, surrogates, private
    # use, unassigned code points, and spaces other than " " (a no-break space would pass for a plain one).
    return "".join(char if char.isprintable() or char in keep else _escape(char) for char in text)


def safe(value: object) -> str:
    """``value`` as text that is safe to draw on one line: every control or layout-changing character visible."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    if text.isprintable():  # the usual case, and the fast one: one C loop, no copy
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
