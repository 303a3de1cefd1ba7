"""Create and edit an image: a keyboard-first form that validates before sending and never loses input.

Edit mode starts from the image it is handed (or reads it), and on ctrl+s, once the form's own checks pass, it
reads the image again (the form stays usable meanwhile) and compares three ways (``form_merge.three_way``):
what the form started from, what the server has now, and what the user typed. A field only someone else
changed meanwhile is kept as they left it, and the user is told; a field both changed, differently, is a
conflict the user decides (``ConflictScreen``: keep mine, take theirs, or back). Then the exact JSON-patch,
diffed against the image as just read, is shown (``PatchPreviewScreen``) before anything is sent. A refusal
or a lost answer keeps the form open with every keystroke. The widgets are ``FormLayout``'s (form_layout.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any, ClassVar

from textual import on, work
from textual.binding import BindingType
from textual.widgets import Button, Input, Static

from ims_tui.api.client import ImageClient, new_image_id
from ims_tui.api.errors import ApiError, Conflict
from ims_tui.api.ims_copy import quota_check
from ims_tui.api.models import Image
from ims_tui.api.outcome import Outcome, settle_create, settle_update
from ims_tui.api.patch import PatchError, PatchOp, diff
from ims_tui.ui import keys
from ims_tui.ui.form_merge import Merge, three_way
from ims_tui.ui.form_model import validate, values_from_image
from ims_tui.ui.schema_cache import SchemaCache
from ims_tui.ui.screens.confirm import settled_line
from ims_tui.ui.screens.form_dialogs import (
    ConflictChoice,
    ConflictScreen,
    DiscardChangesScreen,
    PatchPreviewScreen,
    key_list,
)
from ims_tui.ui.screens.form_layout import IMS_READ_ONLY, FormLayout, Mode
from ims_tui.ui.widgets.data_source import DataSource, DataSourceField

__all__ = ["IMS_READ_ONLY", "DiscardChangesScreen", "ImageFormScreen", "PatchPreviewScreen"]

READY = "ctrl+s save · esc cancel · tab next"


class ImageFormScreen(FormLayout):
    """Create (POST) or edit (PATCH) one image; dismisses with the server's image, or None on cancel."""

    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("image_form")

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
        super().__init__(mode, image, image_id, None if isinstance(schema, SchemaCache) else schema, ims)
        self.client = client
        self.schema_cache = schema if isinstance(schema, SchemaCache) else None
        self.fresh = fresh and image is not None
        self.busy = False  # a write is in flight
        self.checking = 0  # the check before the preview in flight (its generation), or 0
        self._checks = 0
        self._initial: tuple[Any, ...] | None = None
        # One id for every attempt, so a retry after a lost answer can never make a second image. Huawei IMS
        # documents no ``id`` on create: there the form names none and cannot check a lost answer itself.
        self.create_id: str | None = new_image_id() if mode == "create" and not ims else None
        self.data_source: DataSource | None = None  # what to send into the image once it is created

    @work(exclusive=True, group="image-form-schema")
    async def fetch_schema(self) -> None:
        """The schema from the cache, when it comes: the format choices follow it; typed values stay."""
        assert self.schema_cache is not None
        schema = await self.schema_cache.get()
        if schema is None:
            return
        self._apply_schema(schema)
        self._refresh_choices()

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
        self.before = image.editable()
        self.original = dict(self.before)
        await self._fill(values_from_image(self.before, self.form_schema))
        self.loaded = True
        self.query_one("#form-body").disabled = False
        self._clear_server_error()
        self._move_baseline(image, ())
        self._initial = self._read().comparable()
        self._status(READY)
        self.focus_now(self.query_one("#name", Input))

    def action_reload(self) -> None:
        if self.mode == "edit" and not self.loaded and not self.busy:
            self._clear_server_error()
            self._status("loading the current version from the server…")
            self.load()

    @property
    def dirty(self) -> bool:
        if not self.loaded or self._initial is None:
            return False
        return self._read().comparable() != self._initial

    # -- actions -------------------------------------------------------------------------------------------

    @on(Button.Pressed, "#save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    def action_cancel(self) -> None:
        if self.busy:
            self._status("waiting for the server's answer…", problem=True)
            return
        self._stop_check()
        if not self.dirty:
            self.dismiss(None)
            return

        def decided(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)
            else:
                self._status(READY)

        self.app.push_screen(DiscardChangesScreen(), decided)

    def _attributes(self) -> dict[str, Any] | None:
        """What the form means now, checked; None (and the problems shown by their fields) when it is wrong.
        Validated against what the form was filled from, so untouched fields mean "unchanged"."""
        self._clear_errors()
        values = self._read()
        before = self.original or None
        attributes, errors = validate(values, mode=self.mode, schema=self.form_schema, ims=self.ims, before=before)
        if errors:
            self._show_errors(errors)
            return None
        if self.mode == "edit":
            try:
                if not diff(self.original, attributes):
                    self._status("Nothing changed: nothing will be sent")
                    return None
            except PatchError as exc:
                self._show_patch_error(exc, values)
                return None
        return attributes

    def action_save(self) -> None:
        if self.busy:
            return
        if not self.loaded:
            self.action_reload()
            return
        attributes = self._attributes()
        if attributes is None:
            return
        self._clear_server_error()
        if self.mode == "create":
            data = self.query_one(DataSourceField)
            problem = data.problem(attributes.get("disk_format"), attributes.get("container_format"))
            if problem:
                self._status(f"not sent: {problem}", problem=True)
                data.query_one("#data-note", Static).update(problem)
                return
            self.data_source = data.read()  # sent by the main screen once the image exists
            self.submit_create(attributes)
            return
        # a second ctrl+s while checking starts the check again; only the newest answer counts
        self._checks += 1
        self.checking = self._checks
        self._status("checking for changes made meanwhile…")
        self.check_server(self.checking)

    # -- the check before the preview (edit) ------------------------------------------------------------

    def _stop_check(self) -> None:
        if self.checking:
            self.checking = 0
            self.workers.cancel_group(self, "image-form-check")

    @work(exclusive=True, group="image-form-check")
    async def check_server(self, generation: int) -> None:
        """Read the image as the server has it now, to compare with what the form started from."""
        assert self.image_id is not None
        try:
            fresh = await self.client.get(self.image_id)
        except ApiError as exc:
            self._after_keys(partial(self._check_failed, exc, generation))
            return
        self._after_keys(partial(self._checked, fresh, generation))

    def _after_keys(self, callback: Callable[[], object]) -> None:
        """Run ``callback`` once every key that arrived before the answer has landed: behind the keys the app
        has not handed on yet (its queue), then behind those on their way to the focused field. A key typed
        while checking is the form's: it never answers a dialog that was not there yet."""
        self.app.call_later(self.after_typing, callback)

    def _check_failed(self, exc: ApiError, generation: int) -> None:
        if generation != self.checking:
            return  # cancelled, or a newer check is on its way
        self.checking = 0
        hint = "Nothing was sent · everything you typed is kept · ctrl+s tries again"
        self._show_server_error(exc, "Could not check for changes made meanwhile", hint)
        self._status("not sent: see the error below", problem=True)

    def _checked(self, fresh: Image, generation: int) -> None:
        if generation != self.checking:
            return
        self.checking = 0
        if not self.is_current:
            self._status("not sent: ctrl+s checks again")
            return
        # read again: what was typed while checking counts, and the preview shows it
        attributes = self._attributes()
        if attributes is None:
            return
        merge = three_way(self.original, fresh.editable(), attributes)
        self._move_baseline(fresh, merge.kept)
        kept = f"changed on the server meanwhile, kept: {key_list(merge.kept)}" if merge.kept else ""
        self._status(kept or READY)
        if not merge.clashes:
            self._preview(merge.after, merge, ())
            return
        clashing = [clash.key for clash in merge.clashes]

        def decided(choice: ConflictChoice | None) -> None:
            if choice == "mine":
                # the user has seen theirs: a later check asks again only if it changes once more
                self._move_original(merge, clashing)
                self._preview(merge.after, merge, clashing)
            elif choice == "theirs":
                self._move_baseline(fresh, (*merge.kept, *clashing))
                self._preview(merge.taking_theirs(), merge, ())
            else:
                self._status(f"not sent · {kept}" if kept else "not sent: back to the form")

        self.app.push_screen(ConflictScreen(merge.clashes, fresh.name or "", kept=merge.kept), decided)

    def _move_original(self, merge: Merge, keys_: Sequence[str]) -> None:
        for key in keys_:
            if key in merge.theirs:
                self.original[key] = merge.theirs[key]
            else:
                self.original.pop(key, None)

    def _preview(self, after: dict[str, Any], merge: Merge, mine: Sequence[str]) -> None:
        """Show the exact patch from the image as just read to ``after``; send it on Confirm."""
        try:
            ops = diff(self.before, after)
        except PatchError as exc:
            self._show_patch_error(exc, self._read())
            return
        if not ops:
            self._status("nothing to send: the server already has what the form holds")
            return
        assert self.image is not None

        def confirmed(ok: bool | None) -> None:
            if ok:
                self._clear_server_error()
                self.submit_update(ops)
            else:
                self._status("not sent: back to the form")

        screen = PatchPreviewScreen(ops, self.image.name or "", self.image.id, kept=merge.kept, mine=mine)
        self.app.push_screen(screen, confirmed)

    # -- writes ------------------------------------------------------------------------------------------

    def _set_busy(self, busy: bool, message: str = "") -> None:
        self.busy = busy
        self.query_one("#save", Button).disabled = busy
        if message:
            self._status(message)

    @work(exclusive=True, group="image-form-submit")
    async def submit_create(self, attributes: dict[str, Any]) -> None:
        self._set_busy(True, "creating…")
        if self.ims and (full := await quota_check(self.client)):  # refused before sending, with the numbers
            self._set_busy(False)
            self._status("not sent: the image quota is full", problem=True)
            self.notify(f"Not sent: {full}", title="IMS quota", severity="error", markup=False)
            return
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
        # "not saved" only when the check shows it surely was not: a timed-out write may still be applied
        maybe = exc.outcome_unknown if outcome is None else outcome.state != "not_done" or outcome.still_working
        if maybe:
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
            self._set_busy(False)
            # A 409: the image changed between the check and the write. ctrl+s reads it again and compares.
            hint = "The image changed on the server meanwhile; your input is kept · ctrl+s compares again"
            self._failed(exc, "Not saved", outcome, hint if isinstance(exc, Conflict) else "")
            return
        self._set_busy(False)
        self.dismiss(image)
