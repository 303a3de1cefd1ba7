"""The server-side filter panel without Textual: its fields as one table, and its text <-> ``ListQuery``.

``FILTER_FIELDS`` says what the panel shows, in order; the screen (``ui/screens/filter.py``) builds and reads
its widgets from it. ``FilterForm`` holds the raw text of the panel and ``to_query`` validates it, so the rules
are unit-tested with plain values (tests/unit/test_filter_model.py).

On an IMS server (Huawei Cloud, Open Telekom Cloud) an "IMS" group adds the extra list filters IMS documents:
image type, platform, OS type, registered, environment, architecture, the ``__support_*`` flags, flavor and
enterprise project (``api/ims_filters.py``). They travel as custom-property filters (``__imagetype=gold``) in
``ListQuery.properties``, and are taken back out of it when the panel reopens, so they are never shown twice.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal

from ims_tui.api import ims_filters
from ims_tui.api.models import DISK_FORMATS, DateFilter, ListQuery
from ims_tui.ui import format as fmt
from ims_tui.ui.text import safe

LISTABLE_STATUSES = ("active", "queued", "saving", "uploading", "importing", "deactivated", "pending_delete")
VISIBILITY_CHOICES = ("public", "private", "shared", "community", "all")
PROTECTED_CHOICES = (("any", "any"), ("yes", "yes"), ("no", "no"))

# IMS list filters (api/ims_filters.py has the values IMS documents).
IMS_IMAGE_TYPES = ims_filters.IMAGE_TYPES
IMS_PLATFORMS = ims_filters.PLATFORMS
IMS_OS_TYPES = ims_filters.OS_TYPES
REGISTERED_CHOICES = PROTECTED_CHOICES
# choice field -> (query property, {property value: form value})
IMS_FIELDS: dict[str, tuple[str, dict[str, str]]] = {
    "image_type": ("__imagetype", {v: v for v in IMS_IMAGE_TYPES}),
    "platform": ("__platform", {v: v for v in IMS_PLATFORMS}),
    "os_type": ("__os_type", {v: v for v in IMS_OS_TYPES}),
    "registered": ("__isregistered", {"true": "yes", "false": "no"}),
    "environment": ("virtual_env_type", {v: v for v in ims_filters.VIRTUAL_ENV_TYPES}),
    "architecture": ("architecture", {v: v for v in ims_filters.ARCHITECTURES}),
}
# check boxes: each flag ticked is __support_<flag>=true
SUPPORT_KEYS = {flag: f"__support_{flag}" for flag in ims_filters.SUPPORT_FLAGS}
# text field -> query property (any value: ids)
IMS_TEXT_FIELDS = {"flavor": "flavor_id", "enterprise_project": "enterprise_project_id"}
IMS_FIELD_OF_KEY = {
    **{key: field for field, (key, _) in IMS_FIELDS.items()},
    **{key: "supports" for key in SUPPORT_KEYS.values()},
    **{key: field for field, key in IMS_TEXT_FIELDS.items()},
}
IMS_PROPERTY_KEYS = frozenset(IMS_FIELD_OF_KEY)

FilterKind = Literal["text", "choice", "multi", "range"]


def _same(values: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    return tuple((value, value) for value in values)


@dataclass(frozen=True)
class FilterField:
    """One row of the panel: which ``FilterForm`` attribute it edits, and the widget that shows it.

    text: an input; choice: a select of ``choices`` ((shown, value) pairs) with ``prompt`` as its blank, or no
    blank when ``prompt`` is None (then the first choice is the default); multi: a list of check boxes; range:
    two inputs, ``<key>_<end>`` for each of ``ends``, whose placeholders are "<end> <hint>".
    """

    key: str
    label: str
    kind: FilterKind
    widget_id: str  # a range's two inputs are <widget_id>-<end>
    placeholder: str = ""
    choices: tuple[tuple[str, str], ...] = ()
    prompt: str | None = None
    ends: tuple[str, str] = ("from", "to")
    hints: tuple[str, str] = ("YYYY-MM-DD", "YYYY-MM-DD")
    ims: bool = False  # only on an IMS server, in its own group after the others

    @property
    def keys(self) -> tuple[str, ...]:
        """The ``FilterForm`` attributes (and error keys) this row edits."""
        if self.kind == "range":
            return tuple(f"{self.key}_{end}" for end in self.ends)
        return (self.key,)


FILTER_FIELDS: tuple[FilterField, ...] = (
    FilterField("name", "name", "text", "f-name", placeholder="exact name"),
    FilterField("statuses", "status", "multi", "f-statuses", choices=_same(LISTABLE_STATUSES)),
    FilterField(
        "visibility", "visibility", "choice", "f-visibility", choices=_same(VISIBILITY_CHOICES), prompt="(default)"
    ),
    FilterField("tags", "tags", "text", "f-tags", placeholder="a, b (all of them)"),
    FilterField("owner", "owner", "text", "f-owner", placeholder="project id"),
    FilterField("protected", "protected", "choice", "f-protected", choices=PROTECTED_CHOICES),
    FilterField("disk_format", "disk format", "choice", "f-disk", choices=_same(DISK_FORMATS), prompt="(any)"),
    FilterField("size", "size", "range", "f-size", ends=("min", "max"), hints=("10G", "512M")),
    FilterField("created", "created", "range", "f-created"),
    FilterField("updated", "updated", "range", "f-updated"),
    FilterField("properties", "properties", "text", "f-properties", placeholder="key=value, key2=value2"),
    FilterField(
        "image_type", "image type", "choice", "f-ims-type", choices=_same(IMS_IMAGE_TYPES), prompt="(any)", ims=True
    ),
    FilterField(
        "platform", "platform", "choice", "f-ims-platform", choices=_same(IMS_PLATFORMS), prompt="(any)", ims=True
    ),
    FilterField("os_type", "OS type", "choice", "f-ims-os-type", choices=_same(IMS_OS_TYPES), prompt="(any)", ims=True),
    FilterField("registered", "registered", "choice", "f-ims-registered", choices=REGISTERED_CHOICES, ims=True),
    FilterField(
        "environment",
        "environment",
        "choice",
        "f-ims-env",
        choices=_same(ims_filters.VIRTUAL_ENV_TYPES),
        prompt="(any)",
        ims=True,
    ),
    FilterField(
        "architecture",
        "architecture",
        "choice",
        "f-ims-arch",
        choices=_same(ims_filters.ARCHITECTURES),
        prompt="(any)",
        ims=True,
    ),
    FilterField("supports", "supports", "multi", "f-ims-supports", choices=_same(ims_filters.SUPPORT_FLAGS), ims=True),
    FilterField("flavor", "flavor", "text", "f-ims-flavor", placeholder="flavor id: images it can boot", ims=True),
    FilterField(
        "enterprise_project", "ent. project", "text", "f-ims-eps", placeholder="enterprise project id", ims=True
    ),
)


@dataclass
class FilterForm:
    """The raw text of the panel; ``to_query`` validates it. Pure, so tests need no screen."""

    name: str = ""
    statuses: tuple[str, ...] = ()
    visibility: str | None = None
    tags: str = ""
    owner: str = ""
    protected: str = "any"
    disk_format: str | None = None
    size_min: str = ""
    size_max: str = ""
    created_from: str = ""
    created_to: str = ""
    updated_from: str = ""
    updated_to: str = ""
    properties: str = ""
    # IMS only (None / "any": no filter)
    image_type: str | None = None
    platform: str | None = None
    os_type: str | None = None
    registered: str = "any"
    environment: str | None = None
    architecture: str | None = None
    supports: tuple[str, ...] = ()
    flavor: str = ""
    enterprise_project: str = ""

    def ims_properties(self) -> list[tuple[str, str]]:
        """The IMS fields as the custom-property filters IMS takes, in a fixed order."""
        out: list[tuple[str, str]] = []
        for field, (key, _) in IMS_FIELDS.items():
            value = getattr(self, field)
            if field == "registered":
                if value in ("yes", "no"):
                    out.append((key, "true" if value == "yes" else "false"))
            elif value:
                out.append((key, value))
        out += [(key, "true") for flag, key in SUPPORT_KEYS.items() if flag in self.supports]
        for field, key in IMS_TEXT_FIELDS.items():
            text = getattr(self, field).strip()
            if text:
                out.append((key, text))
        return out

    def to_query(self) -> tuple[ListQuery, dict[str, str]]:
        """The query, and {field: message} for every invalid field (the query is meaningless if any)."""
        errors: dict[str, str] = {}
        values: dict[str, Any] = {}
        if self.name.strip():
            values["name"] = self.name.strip()
        if self.statuses:
            values["statuses"] = tuple(self.statuses)
        if self.visibility:
            values["visibility"] = self.visibility
        tags = tuple(tag.strip() for tag in self.tags.split(",") if tag.strip())
        if tags:
            values["tags"] = tags
        if self.owner.strip():
            values["owner"] = self.owner.strip()
        if self.protected in ("yes", "no"):
            values["protected"] = self.protected == "yes"
        if self.disk_format:
            values["disk_formats"] = (self.disk_format,)
        for key in ("size_min", "size_max"):
            text = getattr(self, key).strip()
            if text:
                try:
                    values[key] = fmt.parse_size(text)
                except ValueError as exc:
                    errors[key] = str(exc)
        if "size_min" in values and "size_max" in values and values["size_min"] > values["size_max"]:
            errors["size_max"] = "the largest size is smaller than the smallest"
        for field in ("created", "updated"):
            filters: list[DateFilter] = []
            days = {}
            for end in ("from", "to"):
                text = getattr(self, f"{field}_{end}").strip()
                if not text:
                    continue
                try:
                    days[end] = fmt.parse_day(text)
                except ValueError as exc:
                    errors[f"{field}_{end}"] = str(exc)
            if "from" in days:
                filters.append(DateFilter(op="gte", value=f"{days['from'].isoformat()}T00:00:00Z"))
            if "to" in days:
                # "to" includes the whole day: before the next midnight.
                after = days["to"] + timedelta(days=1)
                filters.append(DateFilter(op="lt", value=f"{after.isoformat()}T00:00:00Z"))
            if "from" in days and "to" in days and days["from"] > days["to"]:
                errors[f"{field}_to"] = "ends before it starts"
            if filters:
                values[f"{field}_at"] = tuple(filters)
        props = self.ims_properties()
        set_above = {key for key, _ in props}
        for item in self.properties.replace("\n", ",").split(","):
            item = item.strip()
            if not item:
                continue
            key, sep, value = item.partition("=")
            if not sep or not key.strip():
                errors["properties"] = f"{safe(item)!r} is not key=value"
                break
            key = key.strip()
            if key in set_above:
                label = IMS_FIELD_OF_KEY[key].replace("_", " ")
                errors["properties"] = f"{key} is already set by the IMS {label} field"
                break
            props.append((key, value.strip()))
        if props:
            values["properties"] = tuple(props)
        return ListQuery(**values), errors

    @classmethod
    def from_query(cls, query: ListQuery, *, ims: bool = False) -> FilterForm:
        """The form showing ``query``; with ``ims``, the IMS property filters go to their own fields.

        Only a property given once, with a value its field offers, moves; anything else stays in the
        key=value text, so nothing in the query is lost or shown twice.
        """
        properties = list(query.properties)
        ims_values: dict[str, Any] = {}

        def take(key: str, wanted: Callable[[str], bool]) -> str | None:
            found = [pair for pair in properties if pair[0] == key]
            if len(found) != 1 or not wanted(found[0][1]):
                return None
            properties.remove(found[0])
            return found[0][1]

        if ims:
            for field, (key, values) in IMS_FIELDS.items():
                value = take(key, values.__contains__)
                if value is not None:
                    ims_values[field] = values[value]
            ims_values["supports"] = tuple(
                flag for flag, key in SUPPORT_KEYS.items() if take(key, lambda value: value == "true") is not None
            )
            for field, key in IMS_TEXT_FIELDS.items():
                ims_values[field] = take(key, lambda value: bool(value) and value == value.strip()) or ""
        form = cls(
            name=query.name or "",
            statuses=tuple(query.statuses),
            visibility=query.visibility,
            tags=", ".join(query.tags),
            owner=query.owner or "",
            protected="any" if query.protected is None else ("yes" if query.protected else "no"),
            disk_format=query.disk_formats[0] if query.disk_formats else None,
            size_min=str(query.size_min) if query.size_min is not None else "",
            size_max=str(query.size_max) if query.size_max is not None else "",
            properties=", ".join(f"{k}={v}" for k, v in properties),
            **ims_values,
        )
        for field in ("created", "updated"):
            for date_filter in getattr(query, f"{field}_at"):
                day = date_filter.value[:10]
                if date_filter.op in ("gte", "gt"):
                    setattr(form, f"{field}_from", day)
                elif date_filter.op == "lt":
                    with contextlib.suppress(ValueError):
                        setattr(form, f"{field}_to", (fmt.parse_day(day) - timedelta(days=1)).isoformat())
                elif date_filter.op == "lte":
                    setattr(form, f"{field}_to", day)
        return form
