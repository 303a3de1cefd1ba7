"""Create and edit an image: a keyboard-first form that validates before sending and never loses input.

Edit mode starts from the image it is handed (the main screen has just read it), turns the form into JSON-patch
ops with ``ims_tui.api.patch.diff`` and shows them for confirmation before anything is sent. A refusal keeps the
form open with every keystroke. The fields come from ``form_model.FORM_FIELDS``: one loop builds, fills and
reads them.

Over 400 lines (~710): the form screen plus its preview and discard dialogs, whose keymap ids live here. The
checks and the conflict view move out with issue 9's form work (outcome settling, lost-update view).
"""

from __future__ import annotations

import json
from typing import Any, ClassVar, Literal

from textual import on, work
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from ims_tui.api.client import ImageClient, new_image_id
from ims_tui.api.errors import ApiError, Conflict
from ims_tui.api.models import Image
from ims_tui.api.outcome import Outcome, settle_create, settle_update
from ims_tui.api.patch import PatchError, PatchOp, describe, diff
from ims_tui.ui import keys
from ims_tui.ui.clipboard import copy_text
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
    rebase,
    shown,
    validate,
    values_from_image,
)
from ims_tui.ui.schema_cache import SchemaCache
from ims_tui.ui.screens.burst import BurstKeys
from ims_tui.ui.screens.confirm import ConfirmScreen, settled_line
from ims_tui.ui.text import safe, safe_lines

Mode = Literal["create", "edit"]

# IMS documents these as set by the service; without a schema that says so, the form must not offer them.
IMS_READ_ONLY = frozenset(
    {"__os_version", "__os_type", "__os_bit", "__platform", "__imagetype", "__isregistered", "__image_size"}
    | {"virtual_env_type"}
)


def pretty_ops(ops: list[PatchOp]) -> str:
    """The patch body as indented JSON, one op per line: readable at 80 columns, and the same data as sent."""
    lines = [json.dumps(op, ensure_ascii=False) for op in ops]
    return "[\n" + ",\n".join("  " + line for line in lines) + "\n]"


class PropertyEditorRow(Vertical):
    """One custom property: key, value, a remove button, and the line that says what is wrong with it."""

    DEFAULT_CSS = """
    PropertyEditorRow { height: auto; }
    PropertyEditorRow > Horizontal { height: 1; }
    PropertyEditorRow .prop-key { width: 1fr; margin-right: 1; }
    PropertyEditorRow .prop-value { width: 2fr; margin-right: 1; }
    PropertyEditorRow .prop-remove { width: 8; min-width: 8; }
    """

    def __init__(self, serial: int, row: PropertyRow) -> None:
        super().__init__(id=f"prop-row-{serial}", classes="prop-row")
        self.serial = serial
        self.original = row.original
        self._row = row

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Input(
                self._row.key,
                placeholder="key",
                id=f"prop-key-{self.serial}",
                classes="prop-key",
                compact=True,
                select_on_focus=False,
            )
            yield Input(
                self._row.value,
                placeholder="value (text)",
                id=f"prop-value-{self.serial}",
                classes="prop-value",
                compact=True,
                select_on_focus=False,
            )
            yield Button("remove", id=f"prop-remove-{self.serial}", classes="prop-remove", compact=True)
        yield Static("", id=f"prop-error-{self.serial}", classes="field-error", markup=False)

    def read(self) -> PropertyRow:
        key = self.query_one(f"#prop-key-{self.serial}", Input).value
        value = self.query_one(f"#prop-value-{self.serial}", Input).value
        return PropertyRow(key=key, value=value, original=self.original)


class PatchPreviewScreen(ConfirmScreen):
    """The exact JSON-patch the form will send; nothing goes out until Confirm. Esc goes back to the form."""

    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("patch_preview")
    DEFAULT_CSS = """
    PatchPreviewScreen > #preview-dialog { width: 100%; max-width: 110; }
    #preview-header { height: auto; margin-bottom: 1; }
    #preview-body { height: auto; max-height: 70vh; }
    #preview-ops { height: auto; }
    #preview-json-title { height: 1; margin-top: 1; color: $accent; text-style: bold; }
    #preview-json { height: auto; }
    #preview-hint { width: 1fr; color: $text-muted; text-align: right; }
    """

    def __init__(self, ops: list[PatchOp], image_name: str, image_id: str) -> None:
        plural = "s" if len(ops) != 1 else ""
        super().__init__(
            f"Review {len(ops)} change{plural}",
            confirm="Confirm",
            cancel="Back to form",
            prefix="preview",
            cancel_id="back",
            tone="accent",
            confirm_variant="primary",
            confirm_first=True,
            focus_confirm=True,  # what the user asked for by pressing ctrl+s; Esc or the other button go back
            letter_keys=False,
        )
        self.ops = ops
        self.image_name = image_name
        self.image_id = image_id

    def compose_body(self) -> ComposeResult:
        count = f"{len(self.ops)} operation{'s' if len(self.ops) != 1 else ''}"
        header = Content.assemble(
            "Nothing has been sent yet. On Confirm, ",
            (count, "bold"),
            " will be sent to ",
            (safe(self.image_name or "(no name)"), "bold"),
            f" ({self.image_id}):",
        )
        yield Static(header, id="preview-header")
        summary = Content("\n".join(safe(describe(op)) for op in self.ops))
        with VerticalScroll(id="preview-body") as body:
            # focusable, so a long patch can be scrolled with the keyboard before confirming
            body.can_focus = True
            yield Static(summary, id="preview-ops")
            yield Static("JSON patch (the request body)", id="preview-json-title")
            yield Static(Content(safe_lines(pretty_ops(self.ops))), id="preview-json")

    def compose_beside_buttons(self) -> ComposeResult:
        yield Static("ctrl+s confirm · esc back", id="preview-hint")


class DiscardChangesScreen(ConfirmScreen):
    """Leaving a form with edits: "Keep editing" is focused and Esc keeps editing, so nothing is lost by accident."""

    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("discard_changes")

    def __init__(self) -> None:
        super().__init__(
            "Discard changes?",
            "This form has changes that were not saved. Leaving now throws them away.",
            confirm="Discard",
            cancel="Keep editing",
            prefix="discard",
            cancel_id="keep",
            tone="warning",
            cancel_variant="primary",
            letter_keys=False,  # it interrupts typing: a letter typed on must not throw the form away
        )


class ImageFormScreen(BurstKeys, Screen[Image | None]):
    """Create (POST) or edit (PATCH) one image; dismisses with the server's image, or None on cancel."""

    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("image_form")
    DEFAULT_CSS = """
    ImageFormScreen { layout: vertical; }
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
        self,
        client: ImageClient,
        mode: Mode,
        image: Image | None = None,
        schema: SchemaCache | dict[str, Any] | None = None,
        ims: bool = False,
        *,
        image_id: str | None = None,
        fresh: bool = True,
    ) -> None:
        """``image`` (edit mode) is taken as the server has it now: the caller has just read it. With
        ``fresh=False``, or only an ``image_id``, the form opens at once and reads the image itself. A
        ``SchemaCache`` never holds the form up: its schema is applied when it comes."""
        if mode == "edit" and image is None and image_id is None:
            raise ValueError("edit mode needs the image to edit, or its id")
        super().__init__()
        self.client = client
        self.mode: Mode = mode
        self.image = image
        self.image_id = image.id if image is not None else image_id
        self.ims = ims
        self.schema_cache = schema if isinstance(schema, SchemaCache) else None
        self._apply_schema(None if isinstance(schema, SchemaCache) else schema)
        # ``before`` is what the diff compares against; ``original`` is what the form was filled from, kept so
        # that after a 409 the user's own edits can be re-applied on top of the image as it is now.
        self.before: dict[str, Any] = {}
        self.original: dict[str, Any] = {}
        self.fresh = fresh and image is not None
        self.loaded = mode == "create"
        self.busy = False
        self._serial = 0
        self._initial: tuple[Any, ...] | None = None
        # One id for every attempt, so a retry after a lost answer can never make a second image. Huawei IMS
        # documents no ``id`` on create: there the form names none and cannot check a lost answer itself.
        self.create_id: str | None = new_image_id() if mode == "create" and not ims else None
        self.last_error: ApiError | None = None

    # -- layout -------------------------------------------------------------------------------------------

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
            return Checkbox(spec.placeholder, value, id=spec.key)
        if spec.kind == "choice":
            options = self._options(spec)
            return Select(
                [(v, v) for v in options],
                id=spec.key,
                value=value if value in options else Select.NULL,
                prompt="(not set)",
                compact=True,
            )
        return Input(value, id=spec.key, compact=True, placeholder=spec.placeholder, select_on_focus=False)

    def _edit_title(self) -> Content:
        if self.image is None:
            return Content.assemble("Edit image  ", safe(self.image_id or ""))
        return Content.assemble("Edit image  ", safe(self.image.name or "(no name)"))

    def _apply_schema(self, schema: dict[str, Any] | None) -> None:
        self.form_schema = FormSchema.from_schema(schema)
        if self.ims:
            self.form_schema.read_only = self.form_schema.read_only | IMS_READ_ONLY

    @work(exclusive=True, group="image-form-schema")
    async def fetch_schema(self) -> None:
        """The schema from the cache, when it comes: the format choices follow it; typed values stay."""
        assert self.schema_cache is not None
        schema = await self.schema_cache.get()
        if schema is None:
            return
        self._apply_schema(schema)
        for spec in FORM_FIELDS:
            if spec.kind != "choice" or self._fixed(spec):
                continue
            select = self.query_one(f"#{spec.key}", Select)
            value = None if select.value is Select.NULL else str(select.value)
            select.set_options([(v, v) for v in choices(self._options(spec), value)])
            select.value = value if value else Select.NULL

    async def on_mount(self) -> None:
        if self.schema_cache is not None:
            self.fetch_schema()
        if self.mode == "create":
            self._initial = self._read().comparable()
            self.focus_now(self.query_one("#name", Input))
            self._show_info()
        elif self.fresh:
            assert self.image is not None
            await self._start_from(self.image)
        else:
            self.query_one("#form-body").disabled = True
            self._status("loading the current version from the server…")
            self.load()

    # -- loading (edit) -------------------------------------------------------------------------------------

    @work(exclusive=True, group="image-form-load")
    async def load(self) -> None:
        """Read the image again: on open when it may be stale, and for ctrl+r after that read failed."""
        assert self.image_id is not None
        try:
            fresh = await self.client.get(self.image_id)
        except ApiError as exc:
            self._show_server_error(exc, "Could not load the image", "ctrl+r tries again · esc goes back")
            self._status("not loaded", problem=True)
            return
        await self._start_from(fresh)

    async def _start_from(self, image: Image) -> None:
        """Fill the form from ``image`` as the server has it now, and let it be edited."""
        self.image = image
        self.query_one("#form-title", Static).update(self._edit_title())
        self.before = image.editable()
        self.original = dict(self.before)
        await self._fill(values_from_image(self.before, self.form_schema))
        self.loaded = True
        self.query_one("#form-body").disabled = False
        self._clear_server_error()
        self._show_info()
        self._initial = self._read().comparable()
        self._status("ctrl+s save · esc cancel · tab next")
        self.focus_now(self.query_one("#name", Input))

    def action_reload(self) -> None:
        if self.mode == "edit" and not self.loaded and not self.busy:
            self._clear_server_error()
            self._status("loading the current version from the server…")
            self.load()

    async def _fill(self, values: FormValues) -> None:
        for spec in FORM_FIELDS:
            value = getattr(values, spec.key)
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
        rows = self.query_one("#props-rows", Vertical)
        await rows.remove_children()
        await rows.mount_all([self._new_row(row) for row in values.properties])

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

    # -- reading and showing ------------------------------------------------------------------------------

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

    @property
    def dirty(self) -> bool:
        if not self.loaded or self._initial is None:
            return False
        return self._read().comparable() != self._initial

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

    # -- actions -------------------------------------------------------------------------------------------

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

    @on(Button.Pressed, "#save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

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

    def action_cancel(self) -> None:
        if self.busy:
            self._status("waiting for the server's answer…", problem=True)
            return
        if not self.dirty:
            self.dismiss(None)
            return

        def decided(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(DiscardChangesScreen(), decided)

    def action_save(self) -> None:
        if self.busy:
            return
        if not self.loaded:
            self.action_reload()
            return
        self._clear_errors()
        values = self._read()
        # validated against what the form was filled from, so untouched fields mean "unchanged"
        attributes, errors = validate(
            values, mode=self.mode, schema=self.form_schema, ims=self.ims, before=self.original or None
        )
        if errors:
            self._show_errors(errors)
            return
        if self.mode == "create":
            self._clear_server_error()
            self.submit_create(attributes)
            return
        try:
            # after a 409 ``before`` is newer than ``original``: carry over only what the user changed
            ops = diff(self.before, rebase(self.original, attributes, self.before))
        except PatchError as exc:
            errors = FormErrors()
            where = field_for_patch_error(exc.key, values)
            if isinstance(where, tuple):
                errors.rows[where] = exc.message
            else:
                errors.fields[where] = exc.message
            self._show_errors(errors)
            return
        if not ops:
            self._status("Nothing changed: nothing will be sent")
            return
        assert self.image is not None

        def confirmed(ok: bool | None) -> None:
            if ok:
                self._clear_server_error()
                self.submit_update(ops)
            else:
                self._status("not sent: back to the form")

        self.app.push_screen(PatchPreviewScreen(ops, self.image.name or "", self.image.id), confirmed)

    def _set_busy(self, busy: bool, message: str = "") -> None:
        self.busy = busy
        self.query_one("#save", Button).disabled = busy
        if message:
            self._status(message)

    @work(exclusive=True, group="image-form-submit")
    async def submit_create(self, attributes: dict[str, Any]) -> None:
        self._set_busy(True, "creating…")
        try:
            image = await self.client.create(attributes, image_id=self.create_id, choose_id=self.create_id is not None)
        except ApiError as exc:
            outcome = None
            if exc.outcome_unknown and self.create_id is not None:
                outcome = await settle_create(self.client, self.create_id, exc, name=attributes.get("name"))
            self._set_busy(False)
            if outcome is not None and outcome.state == "done" and outcome.image is not None:
                self.app.notify(outcome.message(), markup=False)
                self.dismiss(outcome.image)
                return
            if exc.outcome_unknown and outcome is None:
                said = "It may have been created: check the image list before sending it again"
                self._maybe_applied(exc, "Maybe created", said)
            else:
                self._failed(exc, "Not created", outcome)
            return
        self._set_busy(False)
        self.dismiss(image)

    def _failed(self, exc: ApiError, title: str, outcome: Outcome | None, hint: str = "") -> None:
        """Show a failed write as it settled: surely not applied ("not saved"), or maybe applied."""
        if exc.outcome_unknown and (outcome is None or outcome.state != "not_done"):
            said = settled_line(outcome) if outcome is not None else "It may have been applied"
            self._maybe_applied(exc, title.replace("Not", "Maybe"), said)
            return
        said = settled_line(outcome) if outcome is not None else ""
        self._show_server_error(exc, title, hint or "Everything you typed is kept · ctrl+s tries again", said)
        self._status("not saved: see the error below", problem=True)

    def _maybe_applied(self, exc: ApiError, title: str, said: str) -> None:
        hint = "Everything you typed is kept · check before ctrl+s sends it again"
        self._show_server_error(exc, title, hint, said)
        self._status("may have been applied: check before sending again", problem=True)

    @work(exclusive=True, group="image-form-submit")
    async def submit_update(self, ops: list[PatchOp]) -> None:
        assert self.image is not None
        self._set_busy(True, f"saving {len(ops)} change{'s' if len(ops) != 1 else ''}…")
        try:
            image = await self.client.update(self.image.id, ops)
        except ApiError as exc:
            outcome = None
            if exc.outcome_unknown:
                outcome = await settle_update(self.client, self.image.id, ops, self.before, exc)
                if outcome.state == "done" and outcome.image is not None:
                    self._set_busy(False)
                    self.app.notify(outcome.message(), markup=False)
                    self.dismiss(outcome.image)
                    return
            hint = ""
            if isinstance(exc, Conflict):
                hint = await self._rebase_after_conflict() or ""
            self._set_busy(False)
            self._failed(exc, "Not saved", outcome, hint)
            return
        self._set_busy(False)
        self.dismiss(image)

    async def _rebase_after_conflict(self) -> str | None:
        """A 409 means the image changed under the form: the next try is diffed against its current version."""
        assert self.image is not None
        try:
            fresh = await self.client.get(self.image.id)
        except ApiError:
            return None
        self.image = fresh
        # only the baseline moves; the form keeps the user's values and ``original`` keeps what they edited from
        self.before = fresh.editable()
        self._show_info()
        return "The image changed on the server meanwhile; your input is kept · ctrl+s shows what would be sent now"
