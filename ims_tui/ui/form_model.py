"""The image form's logic without Textual: form values <-> image attributes, and validation.

The screen only reads widgets into a ``FormValues`` and shows the ``FormErrors`` this module returns next to the
fields they name. Every rule comes from ``ims_tui.api.patch`` (``check_value``/``check_property_key``) plus the
server's JSON schema, so the form refuses exactly what the patch engine and Glance would refuse.

Over 400 lines (~465): the field table, the value read from and written to the form, and the checks against
the schema; the checks are the part to move out (ui/form_checks.py) with issue 9's create-form checks.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from ims_tui.api.models import (
    BASE_ATTRIBUTES,
    CONTAINER_FORMATS,
    DISK_FORMATS,
    EDITABLE_BASE,
    READ_ONLY,
    VISIBILITIES,
    is_reserved,
)
from ims_tui.api.patch import PatchError, check_property_key, check_storable, check_value
from ims_tui.ui.text import safe

Mode = Literal["create", "edit"]
FieldKind = Literal["text", "int", "choice", "bool", "tags"]


@dataclass(frozen=True)
class FieldSpec:
    """One base attribute the form edits. The screen builds, fills and reads its widget from ``kind``:
    text/int/tags an input, choice a select, bool a check box."""

    key: str
    label: str
    kind: FieldKind
    placeholder: str = ""  # an input's text while empty; a check box's caption
    choices_from: str | None = None  # the FormSchema attribute listing a choice's options
    ims_hint: tuple[str, str] | None = None  # IMS fixes this field: shown as text, with this hint (create, edit)


# The base attributes the form owns, in the order it shows them; the others (owner, os_hidden) pass through an
# edit untouched.
FORM_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("name", "Name", "text", placeholder="(no name)"),
    FieldSpec("disk_format", "Disk format", "choice", choices_from="disk_formats"),
    FieldSpec("container_format", "Container format", "choice", choices_from="container_formats"),
    FieldSpec(
        "visibility",
        "Visibility",
        "choice",
        choices_from="visibilities",
        ims_hint=("IMS creates private images only", "changed by IMS sharing"),
    ),
    FieldSpec("min_disk", "Min disk (GB)", "int", placeholder="0"),
    FieldSpec("min_ram", "Min RAM (MB)", "int", placeholder="0"),
    FieldSpec("protected", "Protected", "bool", placeholder="refuse deletes"),
    FieldSpec("tags", "Tags", "tags", placeholder="comma separated, e.g. prod, linux"),
)
FORM_BASE = tuple(spec.key for spec in FORM_FIELDS)
FIELD_LABELS = {spec.key: spec.label for spec in FORM_FIELDS} | {"owner": "Owner", "os_hidden": "Hidden"}
# What a text field may not show as it is: C0/C1 controls (escape codes would act on the terminal). Narrower
# than text.safe on purpose: everything an operator can type must show as itself in a field they edit, or an
# edit would send the escaped spelling (a zero-width joiner inside an emoji name, a no-break space).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def shown(value: Any) -> str:
    """How a value appears in a text field: strings with control characters as visible ``\\xNN``, anything else
    (a server oddity) as JSON."""
    if value is None:
        return ""
    if isinstance(value, str):
        return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", value)
    return json.dumps(value, ensure_ascii=False)


def tags_text(tags: Sequence[str]) -> str:
    return ", ".join(shown(tag) for tag in tags)


def parse_tags(text: str) -> list[str]:
    """Comma separated tags: trimmed, empty ones dropped, duplicates kept once in first-seen order."""
    out: list[str] = []
    for part in text.split(","):
        tag = part.strip()
        if tag and tag not in out:
            out.append(tag)
    return out


@dataclass
class PropertyRow:
    """One row of the property editor; ``original`` is the key it had when the form was filled (None: new)."""

    key: str = ""
    value: str = ""
    original: str | None = None

    @property
    def blank(self) -> bool:
        return not self.key.strip() and not self.value


@dataclass
class FormValues:
    """Exactly what the widgets hold, as text (ints are parsed by validation, so "abc" can be reported)."""

    name: str = ""
    disk_format: str | None = None
    container_format: str | None = None
    visibility: str | None = None
    min_disk: str = ""
    min_ram: str = ""
    protected: bool = False
    tags: str = ""
    properties: list[PropertyRow] = field(default_factory=list)

    def comparable(self) -> tuple[Any, ...]:
        """For "are there unsaved changes": blank property rows do not count, nor spaces around a number."""
        base = (getattr(self, f.key).strip() if f.kind == "int" else getattr(self, f.key) for f in FORM_FIELDS)
        return (*base, tuple((row.key, row.value) for row in self.properties if not row.blank))


@dataclass
class FormErrors:
    """Problems keyed by field: ``"min_ram"``, ``"tags"``, or ``("key"|"value", row index)`` for property rows."""

    fields: dict[str, str] = field(default_factory=dict)
    rows: dict[tuple[str, int], str] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.fields or self.rows)

    def __len__(self) -> int:
        return len(self.fields) + len(self.rows)


@dataclass
class FormSchema:
    """What the server's image schema says about the form: choices and per-property constraints."""

    disk_formats: tuple[str, ...] = DISK_FORMATS
    container_formats: tuple[str, ...] = CONTAINER_FORMATS
    visibilities: tuple[str, ...] = VISIBILITIES
    read_only: frozenset[str] = frozenset()
    properties: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    @classmethod
    def from_schema(cls, schema: Mapping[str, Any] | None) -> FormSchema:
        props = schema.get("properties") if isinstance(schema, Mapping) else None
        if not isinstance(props, Mapping):
            return cls()

        def enum(key: str, default: tuple[str, ...]) -> tuple[str, ...]:
            spec = props.get(key)
            values = spec.get("enum") if isinstance(spec, Mapping) else None
            if not isinstance(values, list):
                return default
            # Glance lists null among the formats (a queued image has none); the form's blank stands for it.
            found = tuple(dict.fromkeys(v for v in values if isinstance(v, str) and v))
            return found or default

        read_only = frozenset(
            key for key, spec in props.items() if isinstance(spec, Mapping) and spec.get("readOnly") is True
        )
        # each choice field's options: the enum the schema gives for its attribute, else the defaults above
        offered = {f.choices_from: enum(f.key, getattr(cls, f.choices_from)) for f in FORM_FIELDS if f.choices_from}
        return cls(
            **offered,
            read_only=read_only,
            properties={k: v for k, v in props.items() if isinstance(v, Mapping)},
        )

    def is_read_only(self, key: str) -> bool:
        """A key the form shows but never lets anyone change."""
        return key in READ_ONLY or is_reserved(key) or (key in self.read_only and key not in EDITABLE_BASE)


def editable_properties(image: Mapping[str, Any], schema: FormSchema) -> dict[str, Any]:
    """The custom properties of an ``Image.editable()`` dict that the property editor offers."""
    return {k: v for k, v in image.items() if k not in BASE_ATTRIBUTES and not schema.is_read_only(k)}


def read_only_properties(image: Mapping[str, Any], schema: FormSchema) -> dict[str, Any]:
    return {k: v for k, v in image.items() if k not in BASE_ATTRIBUTES and schema.is_read_only(k)}


def _field_value(kind: FieldKind, value: Any) -> Any:
    """What a field of ``kind`` holds for an attribute's ``value`` (text for inputs)."""
    if kind == "choice":
        return value or None
    if kind == "bool":
        return bool(value)
    if kind == "tags":
        return tags_text(value or [])
    if kind == "int":
        return "" if value is None else str(value)
    return shown(value)


def values_from_image(image: Mapping[str, Any], schema: FormSchema | None = None) -> FormValues:
    """Fill the form from ``Image.editable()`` (edit mode)."""
    schema = schema or FormSchema()
    return FormValues(
        **{spec.key: _field_value(spec.kind, image.get(spec.key)) for spec in FORM_FIELDS},
        properties=[
            PropertyRow(key=shown(key), value=shown(value), original=key)
            for key, value in sorted(editable_properties(image, schema).items())
        ],
    )


def default_values(schema: FormSchema | None = None, *, ims: bool = False) -> FormValues:
    """An empty create form: private (the only choice on IMS, and the safe one elsewhere)."""
    return FormValues(visibility="private", min_disk="0", min_ram="0")


# -- validation ---------------------------------------------------------------------------------------------


def _int_field(key: str, text: str, errors: FormErrors) -> int | None:
    # int() would also take "1_000" and non-ASCII digits; an operator means plain digits
    if not re.fullmatch(r"[+-]?[0-9]+", text):
        errors.fields[key] = f"must be a whole number, not {safe(text)!r}"
        return None
    value = int(text, 10)
    try:
        check_value(key, value)
    except PatchError as exc:
        errors.fields[key] = exc.message
        return None
    return value


def _schema_string_problem(spec: Mapping[str, Any], value: str) -> str | None:
    """The schema checks Glance applies to a known string property (pattern, length, enum)."""
    types = spec.get("type")
    type_list = types if isinstance(types, list) else [types]
    if "string" not in type_list:
        return None
    max_length = spec.get("maxLength")
    if isinstance(max_length, int) and len(value) > max_length:
        return f"at most {max_length} characters"
    allowed = spec.get("enum")
    if isinstance(allowed, list) and value not in allowed:
        choices = ", ".join(str(v) for v in allowed if v is not None)
        return f"must be one of {choices}"
    pattern = spec.get("pattern")
    if isinstance(pattern, str) and value:
        try:
            if not re.search(pattern, value):
                return "does not have the form the server expects"
        except re.error:
            return None
    return None


_MISSING = object()


def _pick(text: str, original: Any) -> Any:
    """The value a text field means: the original, untouched, when its text was not edited.

    A property the server sent as a number, or a name with escape codes drawn as ``\\x1b``, must not turn
    into a change just because the form shows it as text.
    """
    if original is not _MISSING and shown(original) == text:
        return original
    return text


def validate(
    values: FormValues,
    *,
    mode: Mode,
    schema: FormSchema | None = None,
    ims: bool = False,
    before: Mapping[str, Any] | None = None,
) -> tuple[dict[str, Any], FormErrors]:
    """Check the form; return the attributes it means (base + properties) and the problems, by field.

    The attributes are the POST body in create mode, and the "after" of the patch diff in edit mode (with the
    attributes the form does not own carried over from ``before``).
    """
    schema = schema or FormSchema()
    before = before or {}
    errors = FormErrors()
    out: dict[str, Any] = {}

    name = _pick(values.name, before.get("name", _MISSING))
    if mode == "create" and not name:
        pass  # Glance allows a nameless image; the form simply does not send the attribute
    elif name is None or (name == "" and before.get("name") is None):
        if "name" in before:
            out["name"] = None  # nameless before, still nameless: unchanged
    else:
        try:
            check_value("name", name)
            _new_text(mode, "name", name)
            out["name"] = name
        except PatchError as exc:
            errors.fields["name"] = exc.message

    for key, choices in (("disk_format", schema.disk_formats), ("container_format", schema.container_formats)):
        chosen = getattr(values, key)
        if chosen is None:
            if mode == "edit" and before.get(key) is not None:
                errors.fields[key] = "cannot be unset once set: pick a format"
            elif mode == "edit" and key in before:
                out[key] = None
            continue
        if chosen not in choices and chosen != before.get(key):
            errors.fields[key] = "must be one of " + ", ".join(choices)
        else:
            out[key] = chosen

    if ims:
        # IMS accepts only "private" on create (said explicitly: plain Glance would default to "shared") and
        # changes visibility through its own sharing calls, so an edit never sends it.
        if mode == "create":
            out["visibility"] = "private"
        elif "visibility" in before:
            out["visibility"] = before["visibility"]
    elif values.visibility is not None:
        if values.visibility not in schema.visibilities and values.visibility != before.get("visibility"):
            errors.fields["visibility"] = "must be one of " + ", ".join(schema.visibilities)
        else:
            out["visibility"] = values.visibility
    elif mode == "edit" and "visibility" in before:
        out["visibility"] = before["visibility"]

    for key in ("min_disk", "min_ram"):
        text = getattr(values, key).strip()
        if not text:
            if mode == "create":
                continue  # the server's default, 0
            if before.get(key) is None:
                if key in before:
                    out[key] = None
                continue
            errors.fields[key] = "enter a whole number (0 for no minimum)"
            continue
        number = _int_field(key, text, errors)
        if number is not None:
            out[key] = number

    if mode == "create":
        if values.protected:
            out["protected"] = True
    elif values.protected or before.get("protected") is not None:
        out["protected"] = values.protected
    elif "protected" in before:
        out["protected"] = before["protected"]  # the server sent no flag and the box was left off

    old_tags = list(before.get("tags") or [])
    if values.tags == tags_text(old_tags):
        tags = old_tags
    else:
        tags = parse_tags(values.tags)
        if set(tags) == set(old_tags) and len(tags) == len(old_tags):
            tags = old_tags  # Glance keeps tags as a set: a new order alone is not a change
    try:
        check_value("tags", tags)
        _new_text(mode, "tags", tags)
        if tags or mode == "edit":
            out["tags"] = tags
    except PatchError as exc:
        errors.fields["tags"] = exc.message

    read_only = read_only_properties(before, schema)
    seen: dict[str, int] = {}
    for index, row in enumerate(values.properties):
        untouched = row.original is not None and shown(row.original) == row.key
        if row.blank and not untouched:  # an untouched row of a key such as "\n" is kept, not dropped
            continue
        original_value = before.get(row.original, _MISSING) if row.original is not None else _MISSING
        key = row.original if untouched and row.original is not None else row.key.strip()
        problem = _key_problem(key, read_only)
        if problem is None:
            try:
                _new_text(mode, key, key)
            except PatchError as exc:
                problem = exc.message
        if problem is None and key in seen:
            problem = f"duplicate: also in row {seen[key] + 1}"
        if problem is not None:
            errors.rows[("key", index)] = problem
            continue
        seen[key] = index
        value = _pick(row.value, original_value) if key == row.original else row.value
        if isinstance(value, str):
            spec = schema.properties.get(key)
            found = _schema_string_problem(spec, value) if spec is not None else None
            if found is not None:
                errors.rows[("value", index)] = found
                continue
        else:
            # an untouched non-string the server sent: keep it as it is, the diff will not touch it
            out[key] = value
            continue
        try:
            check_value(key, value)
            _new_text(mode, key, value)
        except PatchError as exc:
            errors.rows[("value", index)] = exc.message
            continue
        out[key] = value

    if mode == "edit":
        # What the form does not own travels through unchanged, so the diff never touches it.
        for key, value in before.items():
            if key in EDITABLE_BASE and key not in FORM_BASE:
                out.setdefault(key, value)
        for key, value in read_only.items():
            out.setdefault(key, value)
    return out, errors


def _new_text(mode: Mode, key: str, value: Any) -> None:
    """A create sends every value as new: refuse what Glance cannot store (4-byte UTF-8) before sending. An edit
    leaves this to ``diff``, which checks only what changes, so an image that already has such text stays
    editable."""
    if mode == "create":
        check_storable(key, value)


def _key_problem(key: str, read_only: Mapping[str, Any]) -> str | None:
    if not key:
        return "a property needs a name"
    if key in EDITABLE_BASE:
        return f"is a base attribute: use the {FIELD_LABELS.get(key, key)} field"
    try:
        check_property_key(key)
    except PatchError as exc:
        return exc.message
    if key in read_only:
        return "is read-only on this image"
    return None


def field_for_patch_error(key: str, values: FormValues) -> tuple[str, int] | str:
    """Where a PatchError about ``key`` belongs in the form: a base field, or the property row holding it."""
    if key in FORM_BASE:
        return key
    for index, row in enumerate(values.properties):
        if row.key.strip() == key or row.original == key:
            return ("key", index)
    return "form"


def choices(options: Iterable[str], current: str | None) -> list[str]:
    """Select options: the server's list, plus the image's current value if the server no longer lists it."""
    out = list(options)
    if current and current not in out:
        out.append(current)
    return out
