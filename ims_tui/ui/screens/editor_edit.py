"""Edit the highlighted image's tags and custom properties as text in ``$EDITOR`` (``VISUAL``, ``EDITOR``, vi).

A mixin of ``MainScreen``. The text (``ui/edit_text.py``) goes to a private temp file (0600, removed after); the
editor runs with the app suspended (``App.suspend``). What comes back is parsed; a mistake reopens the editor
with the user's text and the errors on top, so nothing typed is lost. A change then takes the edit form's path:
the image is read again and compared three ways (someone else's change meanwhile is kept, a clash is asked
about with the form's ``ConflictScreen``), the exact JSON-patch is shown (``PatchPreviewScreen``), and only
Confirm sends it. Back from either dialog reopens the editor with the text as it was.

The editor run is one function (``run_editor``), so that tests can run a scripted editor where the headless
driver cannot suspend.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from textual import work
from textual.app import App, SuspendNotSupported

from ims_tui.api.errors import ApiError
from ims_tui.api.models import Image
from ims_tui.api.outcome import settle_update
from ims_tui.api.patch import PatchError, PatchOp, diff
from ims_tui.ui.edit_text import editable_part, parse, render, strip_generated
from ims_tui.ui.form_merge import Merge, three_way
from ims_tui.ui.screens.data_actions import ScreenParts
from ims_tui.ui.screens.error import ErrorReport, ErrorReported
from ims_tui.ui.screens.form_dialogs import ConflictChoice, ConflictScreen, PatchPreviewScreen, key_list
from ims_tui.ui.screens.form_layout import IMS_READ_ONLY
from ims_tui.ui.text import error_line, safe

EditorRun = Callable[[App[Any], list[str], str], int]
BACK = "Back to the editor"  # the dialogs' "Back to form": here Esc reopens the text
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def editor_command(environ: dict[str, str] | os._Environ[str] | None = None) -> list[str]:
    """The editor the user asked for, split as a shell would (``VISUAL="code -w"``): VISUAL, EDITOR, then vi."""
    env = os.environ if environ is None else environ
    for name in ("VISUAL", "EDITOR"):
        value = (env.get(name) or "").strip()
        if value:
            try:
                return shlex.split(value)
            except ValueError:
                return [value]
    return ["vi"]


def run_editor(app: App[Any], argv: list[str], path: str) -> int:
    """Run the editor on ``path`` with the terminal handed over; its exit status (-1 where it cannot suspend)."""
    try:
        with app.suspend():
            return subprocess.run([*argv, path], check=False).returncode
    except SuspendNotSupported:
        return -1


def file_label(name: str) -> str:
    """The image name as it may appear in a header line and a file name: letters, digits, ``.``, ``_``, ``-``."""
    return _UNSAFE_NAME.sub("_", name)[:60].strip("_") or "image"


def editor_header(image: Image, errors: Sequence[str], note: str = "") -> list[str]:
    """The comment lines on top of the text; each fits 80 columns, as the editor may not wrap."""
    header = [
        f"{file_label(image.name or image.id)[:50]}: tags and custom properties",
        f"image {image.id}",
        "Save and quit: review the change. Quit unsaved or empty the file: no change.",
        'key = value, one a line; "quoted" values are JSON. Other fields: e (form).',
    ]
    return header + ([f"NOTE {note}"] if note else []) + [f"ERROR {error}" for error in errors]


class EditorActions(ScreenParts):
    """Mixed into ``MainScreen``: the ``edit_in_editor`` action."""

    editor_run: ClassVar[EditorRun] = staticmethod(run_editor)

    if TYPE_CHECKING:

        @property
        def ims(self) -> bool: ...

    def action_edit_in_editor(self) -> None:
        row = self._target("edit")
        if row is None or self.read_only or self.client is None:
            return
        argv = editor_command()
        if shutil.which(argv[0]) is None:
            self.notify(
                f"no editor: {safe(argv[0])!r} is not on PATH; set VISUAL or EDITOR. Nothing was opened",
                severity="warning",
                markup=False,
            )
            return
        self._editor_read(row.id, argv)

    @work(group="editor-edit")
    async def _editor_read(self, image_id: str, argv: list[str]) -> None:
        assert self.client is not None
        try:
            image = await self.client.get(image_id)
        except ApiError as exc:
            self._editor_failed("could not read the image to edit", exc)
            return
        draft = self._editor_drafts().pop(image_id, None)
        if draft is not None:  # the last try was not saved: its text again, read against what it was written from
            original, body, why = draft
            self.app.call_later(self._editor_round, original, argv, body, [], f"not saved last time: {why}")
            return
        self.app.call_later(self._editor_round, image, argv, None, [])

    def _editor_drafts(self) -> dict[str, tuple[Image, str, str]]:
        """Texts a failed send left, by image id: the next ctrl+g on that image opens them again."""
        drafts: dict[str, tuple[Image, str, str]] | None = getattr(self, "_drafts", None)
        if drafts is None:
            drafts = {}
            self._drafts = drafts
        return drafts

    def _editor_failed(self, what: str, exc: ApiError) -> None:
        self.notify(f"{what}: {error_line(exc)}", severity="error", markup=False)
        self.app.post_message(ErrorReported(ErrorReport(what, exc)))

    def _hidden_keys(self) -> frozenset[str]:
        return IMS_READ_ONLY if self.ims else frozenset()

    def _editor_round(
        self, image: Image, argv: list[str], body: str | None, errors: Sequence[str], note: str = ""
    ) -> None:
        """One run of the editor: on ``image``'s text, or on ``body`` (the user's text) with ``errors`` on top."""
        label = file_label(image.name or image.id)
        header = editor_header(image, errors, note)
        before = editable_part(image.properties, self._hidden_keys())
        start = render(header, list(image.tags), before)
        if body is not None:
            start = "".join(start.splitlines(keepends=True)[: len(header)]) + body
        generated = {f"# {line}" for line in header}
        fd, path = tempfile.mkstemp(prefix=f"ims-{label}-", suffix=".txt")
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8", errors="surrogatepass") as handle:
                handle.write(start)
            status = type(self).editor_run(self.app, argv, path)
            with open(path, encoding="utf-8", errors="replace") as handle:
                text = handle.read()
        finally:
            os.unlink(path)
        self._editor_back(image, argv, status, start, text, before, generated)

    def _editor_back(
        self,
        image: Image,
        argv: list[str],
        status: int,
        start: str,
        text: str,
        before: dict[str, str],
        generated: set[str],
    ) -> None:
        if status != 0:
            why = "the editor cannot run here" if status < 0 else f"the editor exited with status {status}"
            self.notify(f"{why}: nothing changed", severity="warning", markup=False)
            return
        body = strip_generated(text, generated | {"# ERROR"} | _error_lines(text))
        if not "".join(line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")):
            self.notify("no change: the file was empty, nothing sent", markup=False)
            return
        if text == start and any(line.startswith("# ERROR ") for line in start.splitlines()):
            # quit without saving: the way out of a text that still has mistakes
            self.notify("not sent: the text was left with its mistakes", severity="warning", markup=False)
            return
        parsed = parse(body, list(image.tags), before, read_only=self._hidden_keys())
        if parsed.errors:
            # errors name lines of the file the user will see: the header above the body
            count = len(editor_header(image, [str(e) for e in parsed.errors]))
            shown = [f"line {e.line + count}: {e.message}" if e.line else e.message for e in parsed.errors]
            self._editor_round(image, argv, body, shown)
            return
        original = image.editable()
        after = dict(original)
        for key in before:
            after.pop(key, None)
        after.update(parsed.properties)
        if sorted(parsed.tags) != sorted(image.tags) or len(parsed.tags) != len(image.tags):
            after["tags"] = parsed.tags
        try:
            changed = bool(diff(original, after))
        except PatchError as exc:
            self._editor_round(image, argv, body, [str(exc)])
            return
        if not changed:
            self.notify("no change: nothing sent", markup=False)
            return
        self._editor_check(image, argv, body, original, after)

    @work(group="editor-edit")
    async def _editor_check(
        self, image: Image, argv: list[str], body: str, original: dict[str, Any], after: dict[str, Any]
    ) -> None:
        """Read the image again, as the form does before its preview: someone may have changed it meanwhile."""
        assert self.client is not None
        try:
            fresh = await self.client.get(image.id)
        except ApiError as exc:
            self._editor_failed("could not check for changes made meanwhile; nothing sent", exc)
            return
        merge = three_way(original, fresh.editable(), after)
        if not merge.clashes:
            self._editor_preview(image, fresh, argv, body, merge.after, merge, ())
            return
        clashing = [clash.key for clash in merge.clashes]

        def decided(choice: ConflictChoice | None) -> None:
            if choice == "mine":
                self._editor_preview(image, fresh, argv, body, merge.after, merge, clashing)
            elif choice == "theirs":
                self._editor_preview(image, fresh, argv, body, merge.taking_theirs(), merge, ())
            else:
                self._editor_round(image, argv, body, [])

        dialog = ConflictScreen(merge.clashes, fresh.name or "", kept=merge.kept)
        dialog.cancel_button.label = BACK
        self.app.push_screen(dialog, decided)

    def _editor_preview(
        self,
        image: Image,
        fresh: Image,
        argv: list[str],
        body: str,
        after: dict[str, Any],
        merge: Merge,
        mine: Sequence[str],
    ) -> None:
        """The patch from ``fresh`` (as just read); back reopens the text, still read against ``image`` (what it
        was written from), so a change someone else made meanwhile is never taken for the user's."""
        try:
            ops = diff(fresh.editable(), after)
        except PatchError as exc:
            self._editor_round(image, argv, body, [str(exc)])
            return
        if not ops:
            self.notify("no change: the server already has what the text holds", markup=False)
            return

        def confirmed(ok: bool | None) -> None:
            if ok:
                self._editor_send(image, fresh, body, ops)
            else:
                self._editor_round(image, argv, body, [])

        if merge.kept:
            self.notify(f"changed on the server meanwhile, kept: {key_list(merge.kept)}", markup=False)
        screen = PatchPreviewScreen(ops, fresh.name or "", fresh.id, kept=merge.kept, mine=mine)
        screen.cancel_button.label = BACK
        self.app.push_screen(screen, confirmed)

    @work(group="editor-edit")
    async def _editor_send(self, original: Image, fresh: Image, body: str, ops: list[PatchOp]) -> None:
        assert self.client is not None
        try:
            image = await self.client.update(original.id, ops)
        except ApiError as exc:
            # A lost answer is settled with one GET (never sent again): "not saved" only when surely not.
            outcome = await settle_update(self.client, original.id, ops, fresh, exc) if exc.outcome_unknown else None
            if outcome is not None and outcome.state == "done" and outcome.image is not None:
                self.notify(outcome.message(), markup=False)
                self._saved(outcome.image, new=False, announce=False)
                return
            self._editor_drafts()[original.id] = (original, body, error_line(exc))
            what = outcome.message() if outcome is not None else "not saved"
            self._editor_failed(f"{what} (ctrl+g opens your text again)", exc)
            return
        self._saved(image, new=False)


def _error_lines(text: str) -> set[str]:
    return {line for line in text.splitlines() if line.startswith(("# ERROR ", "# NOTE "))}
