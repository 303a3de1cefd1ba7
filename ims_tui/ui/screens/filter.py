"""The server-side filter panel: a form that builds a ``ListQuery``; the server does the filtering.

Apply (Enter in any field, ctrl+s, or the button) returns the new query; Clear returns an empty one; Esc
cancels. Invalid input is shown beside its field and nothing is applied until it is fixed.

On an IMS server (Huawei Cloud, Open Telekom Cloud) an "IMS" group adds the extra list filters IMS documents:
image type, platform, OS type and registered. They travel as custom-property filters (``__imagetype=gold``) in
``ListQuery.properties``, and are taken back out of it when the panel reopens, so they are never shown twice.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, SelectionList, Static

from ims_tui.api.models import DISK_FORMATS, DateFilter, ListQuery
from ims_tui.ui import format as fmt
from ims_tui.ui.widgets import SteadyInput

LISTABLE_STATUSES = ("active", "queued", "saving", "uploading", "importing", "deactivated", "pending_delete")
VISIBILITY_CHOICES = ("public", "private", "shared", "community", "all")
PROTECTED_CHOICES = (("any", "any"), ("yes", "yes"), ("no", "no"))

# IMS list filters and the values its API reference documents for them.
IMS_IMAGE_TYPES = ("gold", "private", "shared", "market")
IMS_PLATFORMS = (
    "Windows",
    "Ubuntu",
    "RedHat",
    "SUSE",
    "CentOS",
    "Debian",
    "OpenSUSE",
    "Oracle Linux",
    "Fedora",
    "Other",
    "CoreOS",
    "EulerOS",
)
IMS_OS_TYPES = ("Linux", "Windows", "Other")
REGISTERED_CHOICES = PROTECTED_CHOICES
# form field -> (query property, {property value: form value})
IMS_FIELDS: dict[str, tuple[str, dict[str, str]]] = {
    "image_type": ("__imagetype", {v: v for v in IMS_IMAGE_TYPES}),
    "platform": ("__platform", {v: v for v in IMS_PLATFORMS}),
    "os_type": ("__os_type", {v: v for v in IMS_OS_TYPES}),
    "registered": ("__isregistered", {"true": "yes", "false": "no"}),
}
IMS_FIELD_OF_KEY = {key: field for field, (key, _) in IMS_FIELDS.items()}


class FilterInvalid(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


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
                errors["properties"] = f"{fmt.safe_text(item)!r} is not key=value"
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
        ims_values: dict[str, str] = {}
        if ims:
            for field, (key, values) in IMS_FIELDS.items():
                found = [pair for pair in properties if pair[0] == key]
                if len(found) == 1 and found[0][1] in values:
                    ims_values[field] = values[found[0][1]]
                    properties.remove(found[0])
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


class FilterScreen(ModalScreen[ListQuery | None]):
    """Server-side filters; dismisses with the new query (without sort), or None when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="filter.cancel"),
        Binding("ctrl+s", "apply", "Apply", priority=True, id="filter.apply"),
        Binding("ctrl+l", "clear", "Clear all", priority=True, id="filter.clear"),
    ]

    DEFAULT_CSS = """
    FilterScreen { align: center middle; }
    FilterScreen > #filter-dialog {
        width: 76; max-width: 100%; height: auto; max-height: 100%;
        border: round $primary; background: $surface; padding: 0 1;
    }
    FilterScreen #filter-fields { height: auto; max-height: 1fr; }
    FilterScreen .row { height: auto; }
    FilterScreen .row > Label { width: 14; padding-right: 1; color: $text-muted; }
    FilterScreen .row > Input, FilterScreen .row > Select { width: 1fr; }
    FilterScreen .row > .half { width: 1fr; }
    FilterScreen .row > .sep { width: 3; padding: 0 1; color: $text-muted; }
    FilterScreen SelectionList { height: auto; max-height: 7; width: 1fr; border: none; padding: 0; }
    FilterScreen .group { color: $text-accent; text-style: bold; height: 1; margin-top: 1; }
    FilterScreen .error { color: $text-error; padding-left: 14; height: auto; display: none; }
    FilterScreen .error.-shown { display: block; }
    FilterScreen #filter-buttons { dock: bottom; height: 1; margin-top: 1; align-horizontal: right; }
    FilterScreen #filter-buttons Button { margin-left: 2; }
    """

    def __init__(self, query: ListQuery, *, ims: bool = False) -> None:
        super().__init__()
        self.ims = ims
        self.initial = FilterForm.from_query(query, ims=ims)

    def compose(self) -> ComposeResult:
        form = self.initial
        with Vertical(id="filter-dialog") as dialog:
            dialog.border_title = "Server filter"
            dialog.border_subtitle = "Enter/ctrl+s apply · ctrl+l clear · Esc cancel"
            with VerticalScroll(id="filter-fields"):
                yield from self._row(
                    "name", "name", SteadyInput(form.name, placeholder="exact name", id="f-name", compact=True)
                )
                statuses = SelectionList[str](
                    *((status, status, status in form.statuses) for status in LISTABLE_STATUSES),
                    id="f-statuses",
                    compact=True,
                )
                yield from self._row("statuses", "status", statuses)
                yield from self._row(
                    "visibility",
                    "visibility",
                    Select(
                        [(v, v) for v in VISIBILITY_CHOICES],
                        value=form.visibility or Select.NULL,
                        prompt="(default)",
                        id="f-visibility",
                        compact=True,
                    ),
                )
                yield from self._row(
                    "tags", "tags", SteadyInput(form.tags, placeholder="a, b (all of them)", id="f-tags", compact=True)
                )
                yield from self._row(
                    "owner", "owner", SteadyInput(form.owner, placeholder="project id", id="f-owner", compact=True)
                )
                yield from self._row(
                    "protected",
                    "protected",
                    Select(PROTECTED_CHOICES, value=form.protected, allow_blank=False, id="f-protected", compact=True),
                )
                yield from self._row(
                    "disk_format",
                    "disk format",
                    Select(
                        [(d, d) for d in DISK_FORMATS],
                        value=form.disk_format or Select.NULL,
                        prompt="(any)",
                        id="f-disk",
                        compact=True,
                    ),
                )
                yield from self._range("size", "size", form.size_min, form.size_max, "10G", "512M")
                yield from self._range(
                    "created", "created", form.created_from, form.created_to, "YYYY-MM-DD", "YYYY-MM-DD"
                )
                yield from self._range(
                    "updated", "updated", form.updated_from, form.updated_to, "YYYY-MM-DD", "YYYY-MM-DD"
                )
                yield from self._row(
                    "properties",
                    "properties",
                    SteadyInput(form.properties, placeholder="key=value, key2=value2", id="f-properties", compact=True),
                )
                if self.ims:
                    yield from self._ims_group(form)
            with Horizontal(id="filter-buttons"):
                yield Button("Apply", variant="primary", id="apply", compact=True)
                yield Button("Clear all", id="clear", compact=True)
                yield Button("Cancel", id="cancel", compact=True)

    def _ims_group(self, form: FilterForm) -> ComposeResult:
        yield Static("IMS", id="ims-group", classes="group")
        for field, label, widget_id, choices in (
            ("image_type", "image type", "f-ims-type", IMS_IMAGE_TYPES),
            ("platform", "platform", "f-ims-platform", IMS_PLATFORMS),
            ("os_type", "OS type", "f-ims-os-type", IMS_OS_TYPES),
        ):
            value = getattr(form, field)
            select: Select[str] = Select(
                [(v, v) for v in choices],
                value=value if value in choices else Select.NULL,
                prompt="(any)",
                id=widget_id,
                compact=True,
            )
            yield from self._row(field, label, select)
        yield from self._row(
            "registered",
            "registered",
            Select(
                REGISTERED_CHOICES,
                value=form.registered if form.registered in ("yes", "no") else "any",
                allow_blank=False,
                id="f-ims-registered",
                compact=True,
            ),
        )

    def _row(self, key: str, label: str, widget: Any) -> ComposeResult:
        with Horizontal(classes="row"):
            yield Label(label)
            yield widget
        yield Static("", id=f"e-{key}", classes="error", markup=False)

    def _range(self, key: str, label: str, low: str, high: str, low_hint: str, high_hint: str) -> ComposeResult:
        first, second = ("min", "max") if key == "size" else ("from", "to")
        with Horizontal(classes="row"):
            yield Label(label)
            yield SteadyInput(
                low, placeholder=f"{first} {low_hint}", id=f"f-{key}-{first}", classes="half", compact=True
            )
            yield Static("…", classes="sep")
            yield SteadyInput(
                high, placeholder=f"{second} {high_hint}", id=f"f-{key}-{second}", classes="half", compact=True
            )
        yield Static("", id=f"e-{key}_{first}", classes="error", markup=False)
        yield Static("", id=f"e-{key}_{second}", classes="error", markup=False)

    def on_mount(self) -> None:
        self.query_one("#f-name", Input).focus()

    def read_form(self) -> FilterForm:
        def text(widget_id: str) -> str:
            return self.query_one(widget_id, Input).value

        def choice(widget_id: str) -> str | None:
            value = self.query_one(widget_id, Select).value
            return None if value is Select.NULL else str(value)

        ims: dict[str, Any] = {}
        if self.ims:
            ims = {
                "image_type": choice("#f-ims-type"),
                "platform": choice("#f-ims-platform"),
                "os_type": choice("#f-ims-os-type"),
                "registered": choice("#f-ims-registered") or "any",
            }
        return FilterForm(
            name=text("#f-name"),
            statuses=tuple(self.query_one("#f-statuses", SelectionList).selected),
            visibility=choice("#f-visibility"),
            tags=text("#f-tags"),
            owner=text("#f-owner"),
            protected=choice("#f-protected") or "any",
            disk_format=choice("#f-disk"),
            size_min=text("#f-size-min"),
            size_max=text("#f-size-max"),
            created_from=text("#f-created-from"),
            created_to=text("#f-created-to"),
            updated_from=text("#f-updated-from"),
            updated_to=text("#f-updated-to"),
            properties=text("#f-properties"),
            **ims,
        )

    def action_apply(self) -> None:
        query, errors = self.read_form().to_query()
        for widget in self.query(".error"):
            key = (widget.id or "")[2:]
            message = errors.get(key, "")
            assert isinstance(widget, Static)
            widget.update(message)
            widget.set_class(bool(message), "-shown")
        if errors:
            self.notify(f"{len(errors)} field(s) to fix before applying", severity="error")
            return
        self.dismiss(query)

    def action_clear(self) -> None:
        self.dismiss(ListQuery())

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_apply()

    @on(Button.Pressed, "#apply")
    def _apply_pressed(self) -> None:
        self.action_apply()

    @on(Button.Pressed, "#clear")
    def _clear_pressed(self) -> None:
        self.action_clear()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()
