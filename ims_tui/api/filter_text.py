"""The filter text grammar, shared by ``--filter`` and the filter panel: ``status=active,queued tag=golden
size>10G created>2026-01-01 os_distro=ubuntu``, read into a ``ListQuery`` and written back by ``format``.

Terms are separated by spaces; a value with spaces, commas or quotes is written in double quotes (``\\"`` and
``\\\\`` inside). ``KEYS`` is the one table of what each key means; any other ``key=value`` is a custom property.
IMS's own list filters (``__imagetype=gold __os_type=Linux flavor_id=...``, ``api/ims_filters.py``) are custom
properties too, as they are on the wire; the grammar knows them enough to refuse a value IMS does not know and
the same IMS filter given twice.
A mistake raises ``FilterTextError`` with the 1-based column of the part at fault and how to fix it.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any, Literal

from . import ims_filters
from .query import DateFilter, DateOp, ListQuery

Kind = Literal["text", "list", "repeat", "choice", "flag", "size", "date"]


@dataclass(frozen=True)
class Key:
    """One key of the grammar: the ``ListQuery`` field it sets and how its value is read."""

    name: str
    field: str
    kind: Kind
    example: str
    choices: tuple[str, ...] = ()


# In the order ``format`` writes them.
KEYS: tuple[Key, ...] = (
    Key("name", "name", "text", 'name=ubuntu-22.04 or name="my image"'),
    Key("id", "ids", "list", "id=ID1,ID2"),
    Key("status", "statuses", "list", "status=active,queued"),
    Key("visibility", "visibility", "choice", "visibility=shared", ("public", "private", "shared", "community", "all")),
    Key(
        "member_status", "member_status", "choice", "member_status=pending", ("accepted", "pending", "rejected", "all")
    ),
    Key("owner", "owner", "text", "owner=PROJECT_ID"),
    Key("tag", "tags", "repeat", "tag=golden tag=lts"),
    Key("protected", "protected", "flag", "protected=true"),
    Key("os_hidden", "os_hidden", "flag", "os_hidden=true"),
    Key("disk_format", "disk_formats", "list", "disk_format=qcow2,raw"),
    Key("container_format", "container_formats", "list", "container_format=bare"),
    Key("size", "size_min", "size", "size>10G or size<=512M"),
    Key("created", "created_at", "date", "created>2026-01-01"),
    Key("updated", "updated_at", "date", "updated<2026-01-01T12:00:00Z"),
)
BY_NAME = {key.name: key for key in KEYS}
ALIASES = {"created_at": "created", "updated_at": "updated"}
# Glance parameters that are not filters: as a "custom property" they would page or sort the list instead.
RESERVED = ("limit", "marker", "sort", "sort_key", "sort_dir", "size_min", "size_max")

OPERATORS = (">=", "<=", "!=", "=", ">", "<")  # longest first
_DATE_OPS: dict[str, DateOp] = {">": "gt", ">=": "gte", "<": "lt", "<=": "lte", "=": "eq", "!=": "neq"}
_DATE_WORDS = {op: word for word, op in _DATE_OPS.items()}
_FLAGS = {"true": True, "yes": True, "false": False, "no": False}
_KEY_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_.:-]*")
_SIZE_RE = re.compile(r"^(\d+(?:\.\d+)?)\s*(?:([KMGTP])(i?B)?|(B|bytes?))?$", re.IGNORECASE)
_FACTORS = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3, "T": 1024**4, "P": 1024**5}
_NEEDS_QUOTES = re.compile(r'[\s,"\\=<>!]')


class FilterTextError(ValueError):
    """A filter expression that cannot be read: where (1-based column, width) and what to write instead."""

    def __init__(self, text: str, column: int, width: int, message: str) -> None:
        super().__init__(message)
        self.text, self.column, self.width, self.message = text, column, max(1, width), message

    def report(self, prog: str = "ims-tui", what: str = "--filter") -> str:
        """The message and the expression with a caret line under the part at fault."""
        caret = " " * (self.column - 1) + "^" * self.width
        return f"{prog}: bad {what} at column {self.column}: {self.message}\n  {self.text}\n  {caret}"


@dataclass(frozen=True)
class _Item:
    text: str
    column: int  # 1-based
    width: int


@dataclass(frozen=True)
class _Term:
    key: str
    op: str
    items: tuple[_Item, ...]
    column: int
    value_column: int
    value_width: int


def parse(text: str, base: ListQuery | None = None) -> ListQuery:
    """``text`` as a ``ListQuery``: the filters it names over ``base``'s limit and sort (no filter of ``base``)."""
    start = base or ListQuery()
    values: dict[str, Any] = {}
    properties: list[tuple[str, str]] = []
    for term in _terms(text):
        name = ALIASES.get(term.key, term.key)
        key = BY_NAME.get(name)
        if key is None:
            prop = _property(text, term)
            if term.key in ims_filters.BY_PARAM and any(prop[0] == seen for seen, _ in properties):
                raise _fail(text, term.column, len(term.key), f"{term.key} is given twice: IMS takes one value")
            properties.append(prop)
        else:
            _apply(text, key, term, values)
    values["properties"] = tuple(properties)
    return start.with_changes(**(_cleared() | values))


def _cleared() -> dict[str, Any]:
    fields = {key.field for key in KEYS} | {"size_max", "properties"}
    return {f.name: f.default for f in dataclasses.fields(ListQuery) if f.name in fields}


def _fail(text: str, column: int, width: int, message: str) -> FilterTextError:
    return FilterTextError(text, column, width, message)


def _property(text: str, term: _Term) -> tuple[str, str]:
    if term.key in RESERVED:
        raise _fail(
            text, term.column, len(term.key), f"{term.key} is not a filter (for sizes write size>10G or size<1T)"
        )
    if term.op != "=":
        raise _fail(text, term.column, len(term.key) + len(term.op), _only_equals(term.key, f"{term.key}=VALUE"))
    if len(term.items) != 1:
        raise _fail(text, term.value_column, term.value_width, _one_value(term.key))
    item = term.items[0]
    problem = ims_filters.value_problem(term.key, item.text)
    if problem is not None:
        raise _fail(text, item.column, item.width, problem)
    return (term.key, item.text)


def _only_equals(key: str, example: str) -> str:
    return f"{key} takes only = (e.g. {example}); sizes and dates take > >= < <="


def _one_value(key: str) -> str:
    return f'{key} takes one value; quote a value with commas: {key}="a,b"'


def _apply(text: str, key: Key, term: _Term, values: dict[str, Any]) -> None:
    def fail(item: _Item | None, message: str) -> FilterTextError:
        if item is None:
            return _fail(text, term.value_column, term.value_width, message)
        return _fail(text, item.column, item.width, message)

    if key.kind in ("size", "date"):
        if term.op not in _DATE_OPS or (key.kind == "size" and term.op in ("=", "!=")):
            ops = "> >= < <=" if key.kind == "size" else "> >= < <= = !="
            raise _fail(text, term.column + len(term.key), len(term.op), f"{key.name} takes {ops} (e.g. {key.example})")
    elif term.op != "=":
        raise _fail(text, term.column + len(term.key), len(term.op), _only_equals(key.name, key.example))
    if key.kind not in ("list",) and len(term.items) != 1:
        raise fail(None, _one_value(key.name))
    first = term.items[0]
    if key.kind == "repeat":
        values[key.field] = values.get(key.field, ()) + (first.text,)
        return
    if key.kind == "date":
        moment = _date(first.text)
        if moment is None:
            raise fail(first, f'"{first.text}" is not a date (use 2026-01-31 or 2026-01-31T12:00:00Z)')
        when = DateFilter(_DATE_OPS[term.op], moment)
        values[key.field] = values.get(key.field, ()) + (when,)
        return
    if key.kind == "size":
        size = _size(first.text)
        if size is None:
            raise fail(first, f'"{first.text}" is not a size (use 10G, 512M, 1T or bytes)')
        field, size = ("size_min", size + (term.op == ">")) if ">" in term.op else ("size_max", size - (term.op == "<"))
        if field in values:
            raise _fail(text, term.column, len(term.key) + len(term.op), f"a {term.op[0]} size bound is given twice")
        values[field] = max(size, 0)
        return
    if key.field in values:
        hint = f", list them: {key.example}" if key.kind == "list" else ""
        raise _fail(text, term.column, len(term.key), f"{key.name} is given twice{hint}")
    if key.kind == "list":
        values[key.field] = tuple(item.text for item in term.items)
    elif key.kind == "flag":
        if first.text.lower() not in _FLAGS:
            raise fail(first, f'"{first.text}" is not true or false (e.g. {key.example})')
        values[key.field] = _FLAGS[first.text.lower()]
    elif key.kind == "choice" and first.text not in key.choices:
        raise fail(first, f'"{first.text}" is not a {key.name} (use one of {", ".join(key.choices)})')
    else:
        values[key.field] = first.text


def _size(text: str) -> int | None:
    match = _SIZE_RE.match(text)
    if match is None:
        return None
    number, unit, _suffix, _bytes = match.groups()
    return int(float(number) * _FACTORS[(unit or "").upper()])


def _date(text: str) -> str | None:
    """An ISO date or date-time as Glance's UTC form; a date alone is its midnight UTC; None if it is neither."""
    try:
        if len(text) == 10:
            return f"{date.fromisoformat(text).isoformat()}T00:00:00Z"
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# -- the scanner: terms of key, operator and comma-separated (possibly quoted) items ---------------------------


def _terms(text: str) -> list[_Term]:
    terms: list[_Term] = []
    at = 0
    while True:
        while at < len(text) and text[at].isspace():
            at += 1
        if at >= len(text):
            return terms
        term, at = _term(text, at)
        terms.append(term)


def _term(text: str, at: int) -> tuple[_Term, int]:
    match = _KEY_RE.match(text, at)
    if match is None:
        width = len(re.match(r"\S*", text[at:]).group())  # type: ignore[union-attr]
        raise _fail(
            text, at + 1, width, f'"{text[at : at + width]}" is not a filter: write KEY=VALUE, e.g. status=active'
        )
    key, at = match.group(), match.end()
    op_at = at
    op = next((op for op in OPERATORS if text.startswith(op, at)), "")
    if not op:
        rest = re.match(r"[^\s\w\"]*", text[at:]).group()  # type: ignore[union-attr]
        if rest:
            raise _fail(
                text, at + 1, len(rest), f'"{rest}" is not an operator: use = (or > >= < <= for size and dates)'
            )
        example = BY_NAME[key].example if key in BY_NAME else f"{key}=VALUE"
        raise _fail(text, match.start() + 1, len(key), f"{key} needs an operator and a value (e.g. {example})")
    at += len(op)
    if at < len(text) and text[at] in "=<>!":
        bad = re.match(r"[=<>!]+", text[op_at:]).group()  # type: ignore[union-attr]
        raise _fail(text, op_at + 1, len(bad), f'"{bad}" is not an operator: use one of = > >= < <= !=')
    value_at = at
    items: list[_Item] = []
    while True:
        item, at = _item(text, at, key)
        items.append(item)
        if at < len(text) and text[at] == ",":
            at += 1
            continue
        break
    return _Term(key, op, tuple(items), match.start() + 1, value_at + 1, max(1, at - value_at)), at


def _item(text: str, at: int, key: str) -> tuple[_Item, int]:
    start = at
    if at < len(text) and text[at] == '"':
        chars, at = [], at + 1
        while at < len(text) and text[at] != '"':
            if text[at] == "\\" and at + 1 < len(text):
                at += 1
            chars.append(text[at])
            at += 1
        if at >= len(text):
            raise _fail(text, start + 1, len(text) - start, 'this quote is not closed: end the value with "')
        at += 1
        if at < len(text) and not text[at].isspace() and text[at] != ",":
            raise _fail(text, at + 1, 1, "put a space after the closing quote")
        value = "".join(chars)
    else:
        match = re.compile(r'[^\s,"]*').match(text, at)
        assert match is not None
        value, at = match.group(), match.end()
    if not value:
        example = BY_NAME[key].example if key in BY_NAME else f"{key}=VALUE"
        raise _fail(text, start + 1, 1, f"{key} has an empty value: give one (e.g. {example})")
    return _Item(value, start + 1, at - start), at


# -- format: the canonical text of a query --------------------------------------------------------------------


def format(query: ListQuery) -> str:  # noqa: A001 - the grammar's own name, parse's inverse
    """The canonical text of ``query``'s filters (not its limit or sort); ``parse`` reads it back to the same."""
    return " ".join(terms(query))


def terms(query: ListQuery) -> list[str]:
    """The terms of ``format``, one per filter, in the words the user writes (``size>1G``, not bytes): what the
    status line shows."""
    terms: list[str] = []
    for key in KEYS:
        value = getattr(query, key.field)
        if key.kind == "size":
            terms += [] if query.size_min is None else [_bound(">", query.size_min, -1)]
            terms += [] if query.size_max is None else [_bound("<", query.size_max, +1)]
        elif key.kind == "date":
            terms += [f"{key.name}{_DATE_WORDS[f.op]}{_date_text(f.value)}" for f in value]
        elif key.kind == "repeat":
            terms += [f"{key.name}={quote(item)}" for item in value]
        elif key.kind == "list":
            terms += [f"{key.name}=" + ",".join(quote(item) for item in value)] if value else []
        elif key.kind == "flag":
            terms += [] if value is None else [f"{key.name}={'true' if value else 'false'}"]
        elif value is not None:
            terms.append(f"{key.name}={quote(value)}")
    terms += [f"{name}={quote(value)}" for name, value in query.properties]
    return terms


def quote(value: str) -> str:
    if value and not _NEEDS_QUOTES.search(value):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _bound(op: str, size: int, step: int) -> str:
    """``size>10G`` rather than ``size>=10737418241`` when the strict bound is the round number."""
    strict = size + step
    if strict > 0 and _size_text(strict) != str(strict) and _size_text(size) == str(size):
        return f"size{op}{_size_text(strict)}"
    return f"size{op}={_size_text(size)}"


def _size_text(size: int) -> str:
    for unit in ("T", "G", "M", "K"):
        if size and size % _FACTORS[unit] == 0:
            return f"{size // _FACTORS[unit]}{unit}"
    return str(size)


def _date_text(value: str) -> str:
    return value.removesuffix("T00:00:00Z") if _date(value.removesuffix("T00:00:00Z")) == value else quote(value)
