"""Turn an edit (the image before, the image after) into the JSON-patch operations Glance accepts.

Glance's rules (see the notes): base attributes change with ``replace``; custom properties are ``add``-ed when
new, ``replace``-d when changed and ``remove``-d when deleted; tags change as one ``replace /tags`` with the
whole list; read-only and reserved attributes are never touched. A bad edit fails here, before anything is sent.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .models import EDITABLE_BASE, READ_ONLY, VISIBILITIES, is_reserved

PatchOp = dict[str, Any]
MAX_NAME = 255
MAX_KEY = 255
_INT_ATTRS = ("min_disk", "min_ram")
_BOOL_ATTRS = ("protected", "os_hidden")
# Glance refuses any character outside the Basic Multilingual Plane (4 bytes in UTF-8: emoji, ...) in names,
# property names and values and tags (glance.common.utils.no_4byte_params, for MySQL's 3-byte utf8).
_FOUR_BYTE = re.compile("[\U00010000-\U0010ffff]")
_FOUR_BYTE_MESSAGE = "cannot contain emoji or other characters beyond U+FFFF: the image service refuses them"


class PatchError(ValueError):
    """An edit that Glance would refuse; ``key`` names the field so a form can show it beside that field."""

    def __init__(self, key: str, message: str) -> None:
        self.key = key
        self.message = message
        super().__init__(f"{key}: {message}")


def pointer(key: str) -> str:
    """A single-segment JSON pointer, escaped as RFC 6901 says (``~`` first, then ``/``)."""
    return "/" + key.replace("~", "~0").replace("/", "~1")


def check_value(key: str, value: Any) -> None:
    """Raise PatchError if ``value`` has a type or range Glance refuses for ``key``."""
    if key in _INT_ATTRS:
        if isinstance(value, bool) or not isinstance(value, int):
            raise PatchError(key, "must be a whole number")
        if value < 0:
            raise PatchError(key, "cannot be negative")
        if value > 2**31 - 1:
            raise PatchError(key, "is too large")
    elif key in _BOOL_ATTRS:
        if not isinstance(value, bool):
            raise PatchError(key, "must be true or false")
    elif key == "name":
        if value is not None and not isinstance(value, str):
            raise PatchError(key, "must be text")
        if isinstance(value, str) and len(value) > MAX_NAME:
            raise PatchError(key, f"is {len(value)} characters; at most {MAX_NAME}")
    elif key == "visibility":
        if value not in VISIBILITIES:
            raise PatchError(key, "must be one of " + ", ".join(VISIBILITIES))
    elif key in ("disk_format", "container_format", "owner"):
        if value is not None and not isinstance(value, str):
            raise PatchError(key, "must be text")
    elif key == "tags":
        if not isinstance(value, list) or not all(isinstance(tag, str) for tag in value):
            raise PatchError(key, "must be a list of text tags")
        if any(len(tag) > 255 for tag in value):
            raise PatchError(key, "a tag is longer than 255 characters")
    else:
        check_property_key(key)
        if not isinstance(value, str):
            raise PatchError(key, "custom property values must be text")


def check_storable(key: str, value: Any) -> None:
    """Raise PatchError if a new ``value`` for ``key`` holds text Glance refuses to store (4-byte UTF-8).

    Apart from check_value, so that an image which already has such a name (a server without the rule, or one
    that predates it) stays editable as long as the name is left alone: diff checks only what changes.
    """
    texts = value if isinstance(value, list) else [value]
    if any(isinstance(text, str) and _FOUR_BYTE.search(text) for text in texts):
        raise PatchError(key, _FOUR_BYTE_MESSAGE)


def check_property_key(key: str) -> None:
    """Raise PatchError if ``key`` can never be a custom property (reserved, read-only, too long)."""
    if is_reserved(key):
        raise PatchError(key, "is reserved by the image service and cannot be set")
    if key in READ_ONLY:
        raise PatchError(key, "is read-only")
    if len(key) > MAX_KEY:
        raise PatchError(key, f"property names are at most {MAX_KEY} characters")


def check_patchable_key(key: str) -> None:
    """Raise PatchError if a PATCH cannot add, change or remove the custom property ``key`` as itself.

    Glance decodes each JSON-pointer segment with ``str.strip()`` (``_decode_json_pointer``), so ``/ x`` reaches
    the property ``x`` and ``/ name`` the base attribute ``name``: a key with leading or trailing whitespace
    (Python's definition, unicode spaces included) cannot be written. An empty key is refused too (``/`` names
    nothing a person can see or type), and so is a key Glance cannot store (4-byte UTF-8).

    Apart from check_property_key, which a form also runs on keys it leaves alone: Glance's POST does not strip
    keys, so an image may already carry " x"; it stays editable as long as that property is left untouched.
    diff runs this on every key it writes.
    """
    if not key:
        raise PatchError(key, "a property needs a name")
    if key != key.strip():
        raise PatchError(
            key,
            "property names cannot start or end with whitespace: the image service strips it from PATCH paths",
        )
    if _FOUR_BYTE.search(key):
        raise PatchError(key, "property names " + _FOUR_BYTE_MESSAGE)


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[PatchOp]:
    """The ops that turn ``before`` into ``after``; an empty list when nothing changed.

    Read-only and reserved keys may be absent from ``after`` (a form does not carry them); when present they must
    be unchanged. Ops come in a stable order: base attributes, tags, then custom properties by name.
    """
    ops: list[PatchOp] = []
    for key in sorted(set(before) | set(after), key=_op_order):
        in_before, in_after = key in before, key in after
        old, new = before.get(key), after.get(key)
        if in_before and in_after and _same(old, new):
            continue
        if key in READ_ONLY or is_reserved(key):
            if not in_after or (not in_before and new is None):
                continue
            reason = "is reserved by the image service" if is_reserved(key) else "is read-only"
            raise PatchError(key, f"{reason} and cannot be changed")
        if key in EDITABLE_BASE:
            if not in_after:
                raise PatchError(key, "is a base attribute and cannot be removed")
            check_value(key, new)
            check_storable(key, new)
            value = list(new or []) if key == "tags" else new
            ops.append({"op": "replace", "path": pointer(key), "value": value})
            continue
        if not in_after:
            check_property_key(key)
            check_patchable_key(key)
            ops.append({"op": "remove", "path": pointer(key)})
            continue
        check_value(key, new)
        check_patchable_key(key)
        check_storable(key, new)
        ops.append({"op": "replace" if in_before else "add", "path": pointer(key), "value": new})
    return ops


def _op_order(key: str) -> tuple[int, str]:
    if key in EDITABLE_BASE and key != "tags":
        return (0, f"{EDITABLE_BASE.index(key):02d}")
    if key == "tags":
        return (1, "")
    return (2, key)


def _same(old: Any, new: Any) -> bool:
    # True == 1 in Python, but Glance tells a bool from an int: compare types too.
    return type(old) is type(new) and old == new


def describe(op: PatchOp) -> str:
    """One line per op for the preview: what will change, in the server's own terms."""
    import json

    path = op["path"]
    if op["op"] == "remove":
        return f"remove  {path}"
    return f"{op['op']:<7} {path} = {json.dumps(op['value'], ensure_ascii=False)}"
