"""The members panel (``m``): the projects one image is shared with, each with its answer and dates; the owner
adds several project ids at once and removes one after a confirm.

What is typed is checked before anything is sent (``split_project_ids``: the shape of a project id, given twice,
already a member), then each id is added on its own and its result shown on a line of its own. Only a shared
image has members: on any other the panel offers to switch it, showing the patch it sends, and adds afterwards.
Read-only, or on an image this project does not own, the panel lists and refuses every change.

Dismisses with the image as the server has it after a visibility switch, or None.
"""

from __future__ import annotations

import json
from typing import ClassVar

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Input, Static

from ims_tui.api.client import ImageClient
from ims_tui.api.errors import ApiError, Forbidden
from ims_tui.api.members import Member, split_project_ids
from ims_tui.api.models import Image
from ims_tui.api.outcome import settle_update
from ims_tui.api.patch import PatchOp
from ims_tui.ui import format as fmt
from ims_tui.ui import keys
from ims_tui.ui.app import keymap_of
from ims_tui.ui.clipboard import copy_text
from ims_tui.ui.screens.confirm import ConfirmScreen
from ims_tui.ui.screens.error import ErrorReport, ErrorReported
from ims_tui.ui.text import error_line, safe
from ims_tui.ui.widgets import SteadyInput

SHARE_OPS: list[PatchOp] = [{"op": "replace", "path": "/visibility", "value": "shared"}]
COLUMNS = (("Project", 38), ("Status", 8), ("Added", 10), ("Answered", 10))  # 74 cells with padding


def _day(value: str | None) -> str:
    when = fmt.to_datetime(value)
    return when.strftime("%Y-%m-%d") if when is not None else safe(value or "")


class MembersScreen(ModalScreen[Image | None]):
    """The members of one image; ``project_id``: the session's own project, when known."""

    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("members")
    DEFAULT_CSS = """
    MembersScreen { align: center middle; }
    MembersScreen > #members-dialog {
        width: 80; max-width: 100%; height: 100%; border: round $accent; padding: 0 1; background: $surface;
    }
    #members-about { height: auto; }
    #members-table { height: 1fr; min-height: 3; overflow-x: hidden; }
    #members-add { margin-top: 1; }
    #members-results { height: auto; max-height: 6; text-wrap: nowrap; text-overflow: ellipsis; }
    #members-note { height: auto; color: $text-muted; }
    """

    def __init__(
        self,
        client: ImageClient,
        image_id: str,
        image: Image | None = None,
        *,
        read_only: bool = False,
        project_id: str | None = None,
    ) -> None:
        super().__init__()
        self.client, self.image_id, self.image = client, image_id, image
        self.read_only, self.project_id = read_only, project_id
        self.members: list[Member] = []
        self.results: list[str] = []
        self.error: ApiError | None = None
        self.changed: Image | None = None  # the image after a visibility switch, for the list
        self.busy = False

    # -- layout -----------------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Vertical(id="members-dialog") as dialog:
            dialog.border_title = "Members"
            yield Static("reading the image and its members…", id="members-about")
            table: DataTable[str] = DataTable(id="members-table", cursor_type="row", zebra_stripes=False)
            for label, width in COLUMNS:
                table.add_column(label, width=width, key=label)
            yield table
            yield SteadyInput(
                placeholder="project ids to add, separated by spaces or commas; Enter adds",
                id="members-add",
                compact=True,
            )
            yield Static("", id="members-results")
            yield Static("", id="members-note")
        yield Footer(compact=True, show_command_palette=False)

    @property
    def owned(self) -> bool | None:
        """Whether this project owns the image: None when the project id or the owner is not known."""
        if self.project_id is None or self.image is None or self.image.owner is None:
            return None
        return self.image.owner == self.project_id

    @property
    def can_change(self) -> bool:
        return not self.read_only and self.owned is not False

    @property
    def shared(self) -> bool:
        return self.image is not None and self.image.visibility == "shared"

    def on_mount(self) -> None:
        self.query_one("#members-add").display = False
        self.query_one("#members-table").focus()
        self.reload()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("add", "remove", "make_shared") and not self.can_change:
            return False
        if action == "make_shared" and (self.image is None or self.shared):
            return False
        if action == "remove" and not self.members:
            return None
        return True

    def on_key(self, event: events.Key) -> None:
        """A change refused here says why, rather than doing nothing (its key is hidden from the footer)."""
        if self.can_change or self.query_one("#members-add", Input).has_focus:
            return
        bound = keymap_of(self.app).bound(event.key, ("members",))
        if bound is not None and bound.action in ("add", "remove", "make_shared"):
            event.stop()
            self.app.notify(self._note() or "the members cannot be changed here", severity="warning", markup=False)

    def _about(self) -> Content:
        image = self.image
        if image is None:
            return Content("could not read the image")
        name = safe(image.name) if image.name else "(no name)"
        head = Content.assemble((name, "bold"), f"  {safe(image.id)}\nvisibility ", (safe(image.visibility), "bold"))
        if self.owned is False:
            head += Content(f" · owner {safe(image.owner)} (another project)")
        if not self.shared:
            head += Content(
                "\nOnly a shared image has members. "
                + (f"s makes it shared: PATCH {json.dumps(SHARE_OPS)}" if self.can_change else "")
            )
        return head

    def _draw(self) -> None:
        self.query_one("#members-dialog").border_title = (
            f"Members of {safe(self.image.name or self.image.id)}" if self.image is not None else "Members"
        )
        self.query_one("#members-about", Static).update(self._about())
        table: DataTable[str] = self.query_one("#members-table", DataTable)
        keep = table.cursor_row
        table.clear()
        for member in self.members:
            mine = " (you)" if member.member_id == self.project_id else ""
            table.add_row(
                safe(member.member_id) + mine,
                safe(member.status),
                _day(member.created_at),
                _day(member.updated_at) if member.updated_at != member.created_at else "",
                key=member.member_id,
            )
        if self.members:
            table.move_cursor(row=min(keep, len(self.members) - 1))
        self.query_one("#members-add").display = self.can_change
        self.query_one("#members-results", Static).update(Content("\n".join(self.results[-6:])))
        self.query_one("#members-note", Static).update(Content(self._note()))
        self.app.refresh_bindings()

    def _note(self) -> str:
        if self.read_only:
            return "read-only: the members are shown, not changed"
        if self.owned is False:
            return "this project does not own the image: only its owner adds or removes members"
        if self.shared and not self.members:
            return "no members yet: a to add project ids"
        return ""

    # -- reading --------------------------------------------------------------------------------------------

    @work(exclusive=True, group="members-read")
    async def reload(self) -> None:
        try:
            self.image = await self.client.get(self.image_id)
        except ApiError as exc:
            self._failed("could not read the image", exc)
            return
        self.members = []
        if self.shared:
            try:
                self.members = await self.client.members(self.image_id)
            except ApiError as exc:
                self._failed("could not list the members", exc)
                return
        self._draw()

    def _failed(self, what: str, exc: ApiError) -> None:
        self._report(what, exc)
        self.results.append(f"{what}: {error_line(exc)}")
        self._draw()

    def _report(self, what: str, exc: ApiError) -> None:
        """A failure in full for E (and ctrl+y here): the result line has room for its first words only."""
        self.error = exc
        self.app.post_message(ErrorReported(ErrorReport(what, exc)))

    # -- adding -------------------------------------------------------------------------------------------------

    def action_add(self) -> None:
        field = self.query_one("#members-add", Input)
        field.display = True
        self.set_focus(field)  # at once: the ids typed right behind "a" in one burst must land in the field

    @on(Input.Submitted, "#members-add")
    def _submitted(self, event: Input.Submitted) -> None:
        if self.busy or not self.can_change:
            return
        ids, problems = split_project_ids(event.value, [m.member_id for m in self.members])
        self.results = [f"not sent: {safe(problem)}" for problem in problems]
        if not ids:
            if not problems:
                self.results = ["type one or more project ids first"]
            self._draw()
            return
        event.input.value = ""
        if self.shared:
            self.send_adds(ids)
            return
        self._draw()
        self._offer_share(ids)

    def action_make_shared(self) -> None:
        self._offer_share([])

    def _offer_share(self, then_add: list[str]) -> None:
        after = f", then add {fmt.plural(len(then_add), 'project')}" if then_add else ""
        body = Content.assemble(
            "Only a shared image can have members. Make ",
            (safe(self.image.name or self.image_id) if self.image else self.image_id, "bold"),
            f" shared{after}?\n\nsends: PATCH {json.dumps(SHARE_OPS)}\n\n",
            "Projects see it only once they are members; the image stays out of everyone else's lists.",
        )
        dialog = ConfirmScreen("Make the image shared?", body, confirm="Make shared", tone="warning")

        def answered(yes: bool | None) -> None:
            if yes:
                self.share_then_add(then_add)

        self.app.push_screen(dialog, answered)

    @work(exclusive=True, group="members-write")
    async def share_then_add(self, ids: list[str]) -> None:
        self.busy = True
        before = self.image
        try:
            try:
                self.image = self.changed = await self.client.update(self.image_id, SHARE_OPS)
            except ApiError as exc:
                if not exc.outcome_unknown or before is None:
                    raise
                outcome = await settle_update(self.client, self.image_id, SHARE_OPS, before, exc)
                if outcome.state != "done" or outcome.image is None:
                    self.results.append(f"visibility not changed: {safe(outcome.message())}")
                    return
                self.image = self.changed = outcome.image
        except ApiError as exc:
            self.results.append(f"visibility not changed: {error_line(exc)}")
            return
        finally:
            self.busy = False
            self._draw()
        self.results.append("visibility is now shared")
        if ids:
            await self._add_each(ids)

    @work(exclusive=True, group="members-write")
    async def send_adds(self, ids: list[str]) -> None:
        await self._add_each(ids)

    async def _add_each(self, ids: list[str]) -> None:
        """One request per id, in order, each result on its own line; a refusal stops nothing but itself."""
        self.busy = True
        try:
            for project in ids:
                try:
                    member = await self.client.add_member(self.image_id, project)
                except ApiError as exc:
                    self._report(f"could not add {project} as a member", exc)
                    verb = "maybe added (check before trying again)" if exc.outcome_unknown else "not added"
                    self.results.append(f"{safe(project)}: {verb}: {error_line(exc)}")
                    if isinstance(exc, Forbidden) and not exc.outcome_unknown:
                        break  # not allowed for one is not allowed for the others
                    continue
                self.results.append(f"{safe(project)}: added, {safe(member.status)}")
                self.members.append(member)
                self._draw()
        finally:
            self.busy = False
        self.reload()

    # -- removing -------------------------------------------------------------------------------------------

    def action_remove(self) -> None:
        table: DataTable[str] = self.query_one("#members-table", DataTable)
        if self.busy or not self.members or not self.can_change:
            return
        member = self.members[min(table.cursor_row, len(self.members) - 1)]
        project = safe(member.member_id)
        body = Content.assemble(
            "Stop sharing with ",
            (project, "bold"),
            f"?\n\nThe project no longer sees the image; servers it already booted keep running.\n\n"
            f"sends: DELETE /v2/images/{safe(self.image_id)}/members/{project}",
        )
        dialog = ConfirmScreen("Remove member?", body, confirm="Remove", cancel="Keep")

        def answered(yes: bool | None) -> None:
            if yes:
                self.send_removal(member.member_id)

        self.app.push_screen(dialog, answered)

    @work(exclusive=True, group="members-write")
    async def send_removal(self, member_id: str) -> None:
        self.busy = True
        try:
            await self.client.remove_member(self.image_id, member_id)
        except ApiError as exc:
            self._report(f"could not remove member {member_id}", exc)
            verb = "maybe removed (check before trying again)" if exc.outcome_unknown else "not removed"
            self.results.append(f"{safe(member_id)}: {verb}: {error_line(exc)}")
        else:
            self.results.append(f"{safe(member_id)}: removed")
        finally:
            self.busy = False
        self.reload()

    # -- the rest -------------------------------------------------------------------------------------------

    def action_reload(self) -> None:
        if not self.busy:
            self.reload()

    def action_copy_error(self) -> None:
        if self.error is not None:
            copy_text(self.app, self.error.describe())

    def action_close(self) -> None:
        field = self.query_one("#members-add", Input)
        if field.has_focus:
            self.query_one("#members-table").focus()
            return
        self.dismiss(self.changed)
