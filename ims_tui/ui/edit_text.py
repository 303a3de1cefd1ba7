"""An image's tags and custom properties as text for ``$EDITOR``, and that text read back. Pure: no Textual.

The format, one item a line, blank lines and lines starting with ``#`` ignored::

    tags: a, b
    key = value

A key or value (or a tag) is written as a JSON string only where the plain form would not read back the same:
leading or trailing whitespace, a leading ``"`` (or ``#`` for a key), an ``=`` in a key, a ``,`` in a tag, a line
break or any other unprintable character. Base attributes are not in the text (the form edits them); custom
properties that are not text, and those the image service keeps read-only (IMS), stay out too and unchanged.
``parse`` checks each changed line as the patch engine will (``api/patch.py``) and names its line.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from ims_tui.api.models import BASE_ATTRIBUTES
from ims_tui.api.patch import PatchError, check_patchable_key, check_property_key, check_storable, check_value

__all__ = ["Parsed", "TextError", "editable_part", "parse", "render", "strip_generated"]

_DECODER = json.JSONDecoder()


@dataclass(frozen=True)
class TextError:
    """One problem in the text; ``line`` is 1-based, 0 for the text as a whole."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


@dataclass
class Parsed:
    tags: list[str] = field(default_factory=list)
    properties: dict[str, str] = field(default_factory=dict)
    errors: list[TextError] = field(default_factory=list)


def _escape(text: str) -> str:
    """A JSON string literal that stays on one line and holds only printable characters."""
    out = []
    for char in json.dumps(text, ensure_ascii=False):
        if char.isprintable():
            out.append(char)
        elif ord(char) > 0xFFFF:
            high, low = divmod(ord(char) - 0x10000, 0x400)
            out.append(f"\\u{0xD800 + high:04x}\\u{0xDC00 + low:04x}")
        else:
            out.append(f"\\u{ord(char):04x}")
    return "".join(out)


def _plain(text: str, forbidden: str, lead: str = '"') -> bool:
    """Whether ``text`` reads back as itself unquoted: no surrounding whitespace, nothing unprintable."""
    return (
        bool(text)
        and text == text.strip()
        and text[0] not in lead
        and text.isprintable()
        and not any(char in forbidden for char in text)
    )


def _key(key: str) -> str:
    # a key starting with # would be a comment, "tags: x" the tags line
    return key if _plain(key, "=", '"#') and not key.startswith("tags:") else _escape(key)


def _value(value: str) -> str:
    return value if value == "" or _plain(value, "") else _escape(value)


def _tag(tag: str) -> str:
    return tag if _plain(tag, ",") else _escape(tag)


def editable_part(properties: Mapping[str, Any], hidden: Collection[str] = ()) -> dict[str, str]:
    """The custom properties the text carries: text values, not base attributes, not ``hidden`` (read-only)."""
    return {
        key: value
        for key, value in properties.items()
        if isinstance(value, str) and key not in BASE_ATTRIBUTES and key not in hidden
    }


def render(header: list[str], tags: list[str], properties: Mapping[str, str]) -> str:
    """The text: ``header`` as comment lines, then the tags line and the properties by name."""
    lines = [f"# {line}" if line else "#" for line in header]
    lines.append("tags: " + ", ".join(_tag(tag) for tag in tags) if tags else "tags:")
    lines += [f"{_key(key)} = {_value(properties[key])}" for key in sorted(properties)]
    return "\n".join(lines) + "\n"


def strip_generated(text: str, generated: Collection[str]) -> str:
    """``text`` without its leading lines that are exactly ones this module wrote (the header, past errors)."""
    lines = text.splitlines(keepends=True)
    while lines and lines[0].rstrip("\r\n") in generated:
        lines.pop(0)
    return "".join(lines)


def _string(text: str, start: int) -> tuple[str, int]:
    value, end = _DECODER.raw_decode(text, start)
    if not isinstance(value, str):
        raise ValueError("not a string")
    return value, end


def _tags(text: str) -> list[str]:
    tags: list[str] = []
    pos = 0
    while pos < len(text):
        while pos < len(text) and text[pos] in " \t":
            pos += 1
        if pos >= len(text):
            break
        if text[pos] == '"':
            try:
                tag, pos = _string(text, pos)
            except ValueError:
                raise ValueError("a quoted tag is not a valid JSON string") from None
            rest = text[pos:].lstrip(" \t")
            if rest and rest[0] != ",":
                raise ValueError("after a quoted tag comes a comma or the end of the line")
            pos = len(text) - len(rest) + 1
        else:
            end = text.find(",", pos)
            end = len(text) if end < 0 else end
            tag = text[pos:end].strip()
            pos = end + 1
            if not tag:
                continue  # "a,,b" or a trailing comma: nothing between
        tags.append(tag)
    return tags


def _property(line: str) -> tuple[str, str]:
    if line[0] == '"':
        try:
            key, end = _string(line, 0)
        except ValueError:
            raise ValueError("a quoted name is not a valid JSON string") from None
        rest = line[end:].lstrip(" \t")
        if not rest.startswith("="):
            raise ValueError("expected '=' after the name")
        raw = rest[1:]
    else:
        key, sep, raw = line.partition("=")
        if not sep:
            raise ValueError("expected 'key = value' or 'tags: a, b'")
        key = key.strip()
    raw = raw.strip(" \t")
    if raw.startswith('"'):
        try:
            value, end = _string(raw, 0)
        except ValueError:
            raise ValueError("a quoted value is not a valid JSON string") from None
        if raw[end:].strip(" \t"):
            raise ValueError("text after a quoted value")
        return key, value
    return key, raw


def parse(
    text: str,
    before_tags: list[str],
    before: Mapping[str, str],
    *,
    read_only: Collection[str] = (),
) -> Parsed:
    """Read ``text`` back; every line that changes something is checked as the patch engine will check it.

    ``before`` and ``before_tags`` are what the text was rendered from (a key left as it was is never refused,
    as ``patch.diff`` leaves it alone); ``read_only`` the properties the server does not let anyone change.
    """
    out = Parsed()
    seen: dict[str, int] = {}
    tags_line = 0
    for number, raw_line in enumerate(text.splitlines(), start=1):
        line = raw_line.strip(" \t")
        if not line or line.startswith("#"):
            continue

        def fail(message: str, number: int = number) -> None:
            out.errors.append(TextError(number, message))

        if line.startswith("tags:") or line == "tags":
            if tags_line:
                fail(f"a second tags line (the first is line {tags_line})")
                continue
            tags_line = number
            try:
                out.tags = _tags(line[5:])
            except ValueError as exc:
                fail(str(exc))
                continue
            if sorted(out.tags) != sorted(before_tags):
                _check(fail, "tags", out.tags)
            continue
        try:
            key, value = _property(line)
        except ValueError as exc:
            fail(str(exc))
            continue
        if key in seen:
            fail(f"{key!r} is already on line {seen[key]}")
            continue
        seen[key] = number
        out.properties[key] = value
        if before.get(key) == value and key in before:
            continue
        if key in BASE_ATTRIBUTES:
            fail(f"{key!r} is a base attribute: the edit form (e) changes it")
        elif key in read_only:
            fail(f"{key!r} is read-only on this cloud")
        else:
            _check(fail, key, value)
    if not tags_line:
        out.errors.append(TextError(0, "no 'tags:' line: write 'tags:' with nothing after it for no tags"))
    for key in sorted(set(before) - set(out.properties)):
        try:
            check_property_key(key)
            check_patchable_key(key)
        except PatchError as exc:
            out.errors.append(TextError(0, f"cannot remove {key!r}: {exc.message}"))
    return out


def _check(fail: Any, key: str, value: Any) -> None:
    try:
        if key != "tags":
            check_property_key(key)
            check_patchable_key(key)
        check_value(key, value)
        check_storable(key, value)
    except PatchError as exc:
        fail(f"{key!r} {exc.message}" if key != "tags" else exc.message)
