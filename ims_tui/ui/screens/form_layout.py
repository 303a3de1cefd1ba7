"""The image form's widgets: built, filled and read from ``form_model.FORM_FIELDS``, with its errors beside them.

``FormLayout`` is what ``ImageFormScreen`` shows and reads; what saving does (the checks with the server, the
dialogs, the writes) lives in image_form.py. It holds the form's two starting points: ``original``, what the
fields were filled from (an untouched field means "unchanged" against it), and ``before``, the image as the
server had it when last read, which a patch is diffed against.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

from textual import on
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from ims_tui.api.errors import ApiError
from ims_tui.api.models import Image
from ims_tui.api.patch import PatchError
from ims_tui.ui.clipboard import copy_text
from ims_tui.ui.form_merge import ABSENT
from ims_tui.ui.form_model import (
    FIELD_LABELS,
    FORM_FIELDS,
    FieldSpec,
    FormErrors,
    FormSchema,
    FormValues,
    PropertyRow,
    choices,
    default_values,
    field_for_patch_error,
    read_only_properties,
    shown,
    values_from_image,
)
from ims_tui.ui.screens.burst import BurstKeys
from ims_tui.ui.text import safe
from ims_tui.ui.widgets import PlainCheckbox, SteadyInput
from ims_tui.ui.widgets.data_source import DataSourceField
from ims_tui.ui.widgets.path_field import PathInput
from ims_tui.ui.widgets.property_editor import PropertyEditorRow

Mode = Literal["create", "edit"]

# IMS documents these as set by the service; without a schema that says so, the form must not offer them.
IMS_READ_ONLY = frozenset(
    {"__os_version", "__os_type", "__os_bit", "__platform", "__imagetype", "__isregistered", "__image_size"}
    | {"virtual_env_type"}
)
SPECS = {spec.key: spec for spec in FORM_FIELDS}


class FormLayout(BurstKeys, Screen[Image | None]):
    """The fields of a create or edit form, their errors, the server-error panel and the status line."""

    DEFAULT_CSS = """
    FormLayout { layout: vertical; }
    #form-title { height: 1; background: $panel; color: $text; text-style: bold; padding: 0 1; }
    #form-body { height: 1fr; padding: 0 1; }
    #form-info { height: auto; margin-top: 1; color: $text-muted; }
    .field { height: 1; margin-top: 1; }
    .field > Label { width: 18; color: $text; }
    .field > Input, .field > Select, .field > .fixed { width: 1fr; }
    .field > Checkbox { width: auto; border: none; padding: 0; }
    .field-hint { height: auto; padding-left: 18; color: $text-muted; }
    .field-error { height: auto; padding-left: 18; color: $error; display: none; }
    .field-error.-shown { display: block; }
    .prop-row .field-error { padding-left: 0; }
    #props-title { height: 1; margin-top: 1; text-style: bold; }
    #props-hint { color: $text-muted; height: auto; }
    #props-rows { height: auto; }
    .prop-row { margin-top: 1; }
    #add-property { margin-top: 1; }
    #server-error {
        height: auto; max-height: 9; border: round $error; padding: 0 1; display: none;
    }
    #server-error.-shown { display: block; }
    #form-bar { height: 1; padding: 0 1; background: $panel; }
    #form-bar Button { margin-right: 1; }
    #form-status { width: 1fr; height: 1; text-align: right; color: $text-muted; }
    #form-status.-problem { color: $warning; }
    """

    def __init__(
        self, mode: Mode, image: Image | None, image_id: str | None, schema: dict[str, Any] | None, ims: bool
    ) -> None:
        super().__init__()
        self.mode: Mode = mode
        self.image = image
        self.image_id = image.id if image is not None else image_id
        self.ims = ims
        self._apply_schema(schema)
        self.before: dict[str, Any] = {}
        self.original: dict[str, Any] = {}
        self.loaded = mode == "create"
        self._serial = 0
        self.last_error: ApiError | None = None

    def compose(self) -> ComposeResult:
        title = Content("New image") if self.mode == "create" else self._edit_title()
        yield Static(title, id="form-title")
        values = default_values(self.form_schema, ims=self.ims)
        with VerticalScroll(id="form-body"):
            for spec in FORM_FIELDS:
                yield Horizontal(
                    Label(spec.label),
                    self._widget(spec, getattr(values, spec.key)),
                    classes="field",
                    id=f"field-{spec.key}",
                )
                yield Static("", id=f"error-{spec.key}", classes="field-error", markup=False)
                if self._fixed(spec):
                    assert spec.ims_hint is not None
                    yield Static(spec.ims_hint[0 if self.mode == "create" else 1], classes="field-hint")
            yield Static("Custom properties", id="props-title")
            yield Static("Values are always text. An empty row is ignored.", id="props-hint")
            yield Vertical(id="props-rows")
            yield Static("", id="props-error", classes="field-error", markup=False)
            yield Button("+ property", id="add-property", compact=True)
            if self.mode == "create":
                yield DataSourceField()
            yield Static("", id="form-error-form", classes="field-error", markup=False)
            yield Static("", id="form-info")
        yield Static("", id="server-error")
        with Horizontal(id="form-bar"):
            yield Button("Save", id="save", variant="primary", compact=True)
            yield Button("Cancel", id="cancel", compact=True)
            yield Static("ctrl+s save · esc cancel · tab next", id="form-status")

    def _fixed(self, spec: FieldSpec) -> bool:
        """IMS sets this field itself: it is shown as text, never edited."""
        return self.ims and spec.ims_hint is not None

    def _options(self, spec: FieldSpec) -> tuple[str, ...]:
        assert spec.choices_from is not None
        options: tuple[str, ...] = getattr(self.form_schema, spec.choices_from)
        return options

    def _widget(self, spec: FieldSpec, value: Any) -> Widget:
        if self._fixed(spec):
            return Static(Content(safe(value or "(not set)")), id=spec.key, classes="fixed")
        if spec.kind == "bool":
            return PlainCheckbox(spec.placeholder, value, id=spec.key)
        if spec.kind == "choice":
            options = self._options(spec)
            return Select(
                [(v, v) for v in options],
                id=spec.key,
                value=value if value in options else Select.NULL,
                prompt="(not set)",
                compact=True,
            )
        return SteadyInput(value, id=spec.key, compact=True, placeholder=spec.placeholder, select_on_focus=False)

    def _edit_title(self) -> Content:
        if self.image is None:
            return Content.assemble("Edit image  ", safe(self.image_id or ""))
        return Content.assemble("Edit image  ", safe(self.image.name or "(no name)"))

    def _apply_schema(self, schema: dict[str, Any] | None) -> None:
        self.form_schema = FormSchema.from_schema(schema)
        if self.ims:
            self.form_schema.read_only = self.form_schema.read_only | IMS_READ_ONLY

    def _refresh_choices(self) -> None:
        """The choice fields offer what ``form_schema`` says now; what is chosen stays."""
        for spec in FORM_FIELDS:
            if spec.kind != "choice" or self._fixed(spec):
                continue
            select = self.query_one(f"#{spec.key}", Select)
            value = None if select.value is Select.NULL else str(select.value)
            select.set_options([(v, v) for v in choices(self._options(spec), value)])
            select.value = value if value else Select.NULL

    async def _fill(self, values: FormValues) -> None:
        for spec in FORM_FIELDS:
            self._set_field(spec, getattr(values, spec.key))
        rows = self.query_one("#props-rows", Vertical)
        await rows.remove_children()
        await rows.mount_all([self._new_row(row) for row in values.properties])

    def _set_field(self, spec: FieldSpec, value: Any) -> None:
        if self._fixed(spec):
            self.query_one(f"#{spec.key}", Static).update(Content(safe(value or "(not set)")))
        elif spec.kind == "choice":
            select = self.query_one(f"#{spec.key}", Select)
            # the image's own value stays choosable even if the server no longer lists it
            select.set_options([(v, v) for v in choices(self._options(spec), value)])
            select.value = value if value else Select.NULL
        elif spec.kind == "bool":
            self.query_one(f"#{spec.key}", Checkbox).value = value
        else:
            self.query_one(f"#{spec.key}", Input).value = value

    def _move_baseline(self, fresh: Image, moved: Iterable[str]) -> None:
        """Start again from ``fresh`` for the ``moved`` keys (the user left them alone, or took the server's
        value): their fields show the server's value now and count as untouched. The other fields keep what
        the user typed. Nothing here awaits, so no key can land between the form being read and this."""
        theirs = fresh.editable()
        self.image, self.before = fresh, theirs
        values = values_from_image(theirs, self.form_schema)
        offered = {row.original: row for row in values.properties}
        rows = {row.original: row for row in self.query(PropertyEditorRow) if row.original is not None}
        for key in moved:
            value = theirs.get(key, ABSENT)
            if value is ABSENT:
                self.original.pop(key, None)
            else:
                self.original[key] = value
            if key in SPECS:
                self._set_field(SPECS[key], getattr(values, key))
            elif key in rows and key not in offered:
                rows[key].remove()
            elif key in rows:
                rows[key].show_value(offered[key].value)
            elif key in offered:
                self.query_one("#props-rows", Vertical).mount(self._new_row(offered[key]))
        self.query_one("#form-title", Static).update(self._edit_title())
        self._show_info()

    def _new_row(self, row: PropertyRow) -> PropertyEditorRow:
        self._serial += 1
        return PropertyEditorRow(self._serial, row)

    def _show_info(self) -> None:
        info = self.query_one("#form-info", Static)
        if self.mode == "create" or self.image is None:
            info.update(Content("A new image starts queued: its data is uploaded afterwards."))
            return
        data = self.image.to_dict()
        parts: list[str | tuple[str, str]] = [("Set by the server (read-only)", "bold")]
        lines: list[tuple[str, Any]] = [
            ("ID", data.get("id")),
            ("Status", data.get("status")),
            ("Size", data.get("size") if data.get("size") else self.image.effective_size),
            ("Checksum", data.get("checksum")),
            ("Owner", data.get("owner")),
            ("Created", data.get("created_at")),
            ("Updated", data.get("updated_at")),
        ]
        for key, value in read_only_properties(self.before, self.form_schema).items():
            lines.append((key, value))
        for label, value in lines:
            parts.append((f"\n{safe(label):<18} ", "bold"))
            parts.append(safe(shown(value)) if value not in (None, "") else "-")
        info.update(Content.assemble(*parts))

    def _read(self) -> FormValues:
        read: dict[str, Any] = {}
        for spec in FORM_FIELDS:
            if self._fixed(spec):
                fixed = (
                    self.before.get(spec.key) if self.mode == "edit" else getattr(default_values(ims=True), spec.key)
                )
                read[spec.key] = fixed
            elif spec.kind == "choice":
                value = self.query_one(f"#{spec.key}", Select).value
                read[spec.key] = None if value is Select.NULL else str(value)
            elif spec.kind == "bool":
                read[spec.key] = self.query_one(f"#{spec.key}", Checkbox).value
            else:
                read[spec.key] = self.query_one(f"#{spec.key}", Input).value
        return FormValues(**read, properties=[row.read() for row in self.query(PropertyEditorRow)])

    def _status(self, message: str, *, problem: bool = False) -> None:
        status = self.query_one("#form-status", Static)
        status.update(Content(message))
        status.set_class(problem, "-problem")

    def _clear_errors(self) -> None:
        for error in self.query(".field-error"):
            assert isinstance(error, Static)
            error.update("")
            error.remove_class("-shown")

    def _error_widget(self, where: str | tuple[str, int]) -> tuple[Static, Widget | None]:
        if isinstance(where, tuple):
            kind, index = where
            row = list(self.query(PropertyEditorRow))[index]
            target = self.query_one(f"#prop-{kind}-{row.serial}", Input)
            return self.query_one(f"#prop-error-{row.serial}", Static), target
        if where == "form":
            return self.query_one("#form-error-form", Static), None
        return self.query_one(f"#error-{where}", Static), self.query_one(f"#{where}")

    def _show_errors(self, errors: FormErrors) -> None:
        first: Widget | None = None
        shown_rows: dict[int, list[str]] = {}
        for key, message in errors.fields.items():
            static, target = self._error_widget(key)
            static.update(Content(f"{FIELD_LABELS.get(key, key)} {safe(message)}"))
            static.add_class("-shown")
            first = first or target
        for (kind, index), message in sorted(errors.rows.items(), key=lambda item: item[0][1]):
            shown_rows.setdefault(index, []).append(f"{'key' if kind == 'key' else 'value'} {message}")
            static, target = self._error_widget((kind, index))
            static.update(Content(safe("; ".join(shown_rows[index]))))
            static.add_class("-shown")
            first = first or target
        count = len(errors)
        self._status(f"{count} problem{'s' if count != 1 else ''}: fix the fields marked in red", problem=True)
        if first is not None:
            first.focus()
            self.query_one("#form-body", VerticalScroll).scroll_to_widget(first, animate=False)

    def _show_patch_error(self, exc: PatchError, values: FormValues) -> None:
        errors = FormErrors()
        where = field_for_patch_error(exc.key, values)
        if isinstance(where, tuple):
            errors.rows[where] = exc.message
        else:
            errors.fields[where] = exc.message
        self._show_errors(errors)

    def _show_server_error(self, exc: ApiError, title: str, hint: str, outcome: str = "") -> None:
        """Status first (``one_line``), so 80 columns show what failed; ctrl+y copies the full error."""
        self.last_error = exc
        panel = self.query_one("#server-error", Static)
        panel.border_title = title
        panel.border_subtitle = "ctrl+y copies the full error"
        parts: list[str | tuple[str, str]] = [(safe(exc.one_line()), "bold")]
        if outcome:
            parts.append("\n" + safe(outcome))
        parts.append(("\n" + hint, "italic"))
        panel.update(Content.assemble(*parts))
        panel.add_class("-shown")

    def action_copy_error(self) -> None:
        if self.last_error is None:
            raise SkipAction()
        copy_text(self.app, self.last_error.describe(), what="error")

    def _clear_server_error(self) -> None:
        panel = self.query_one("#server-error", Static)
        panel.remove_class("-shown")
        panel.update("")
        self.last_error = None

    def action_next_field(self) -> None:
        """Tab in a path field completes (after the letters typed before it have landed), as in a shell."""
        focused = self.focused
        if isinstance(focused, PathInput):
            self.after_typing(focused.action_complete)
        else:
            super().action_next_field()

    @on(Select.Changed, "#disk_format")
    def _disk_format_changed(self, event: Select.Changed) -> None:
        for field in self.query(DataSourceField):
            field.formats_changed(None if event.value is Select.NULL else str(event.value))

    @on(DataSourceField.Detected)
    def _file_detected(self, event: DataSourceField.Detected) -> None:
        """A file chosen to upload: blank formats take what it holds (Glance takes no data without them)."""
        wanted = {"disk_format": event.disk_format, "container_format": "bare"}
        for spec in FORM_FIELDS:
            value = wanted.get(spec.key)
            if value is None or self._fixed(spec) or value not in self._options(spec):
                continue
            select = self.query_one(f"#{spec.key}", Select)
            if select.value is Select.NULL:
                select.value = value

    def action_enter(self) -> None:
        """Enter in a field moves on like Tab, as it arrives: a form of one-line fields never submits half-filled.
        Elsewhere (a select, a check box, a button) Enter does what it does there."""
        if not isinstance(self.focused, Input):
            raise SkipAction()
        self.focus_next()

    @on(Input.Submitted)
    def _next_field(self, event: Input.Submitted) -> None:
        event.stop()  # an Enter that reaches the field: a keymap has moved image_form.enter elsewhere
        self.focus_next()

    @on(Button.Pressed, "#add-property")
    async def _add_pressed(self) -> None:
        await self.action_add_property()

    @on(Button.Pressed, ".prop-remove")
    async def _remove_row(self, event: Button.Pressed) -> None:
        event.stop()
        row = next(a for a in event.button.ancestors if isinstance(a, PropertyEditorRow))
        rows = list(self.query(PropertyEditorRow))
        index = rows.index(row)
        await row.remove()
        rest = list(self.query(PropertyEditorRow))
        if rest:
            self.query_one(f"#prop-key-{rest[min(index, len(rest) - 1)].serial}", Input).focus()
        else:
            self.query_one("#add-property", Button).focus()

    async def action_add_property(self) -> None:
        if not self.loaded:
            return
        row = self._new_row(PropertyRow())
        await self.query_one("#props-rows", Vertical).mount(row)
        # at once: ctrl+n is a priority binding, so the key name typed behind it in one burst finds this field
        self.focus_now(self.query_one(f"#prop-key-{row.serial}", Input))
        self.query_one("#form-body", VerticalScroll).scroll_to_widget(row, animate=False)
