"""The main screen's sharing: the members panel (``m``), the images shared with this project (``M`` and the
palette: ``visibility=shared`` with ``member_status`` pending, accepted, rejected or all), and this project's answer
to the highlighted share (accept ``A``, reject ``R``, back to pending ``N``).

The answer is ``PUT .../members/{own project}``: it needs the session's project id (``SessionInfo.project_id``),
so without one the answers are hidden, as they are on an image this project owns or that is not shared. The
detail pane shows this project's answer once it is known: read with one GET of the member when the pane shows a
fresh shared image of another project, and kept from then on (an answer given here replaces it).

A mixin of ``MainScreen``, as ``data_actions.py`` is.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from textual import work
from textual.app import SystemCommand

from ims_tui.api.errors import ApiError
from ims_tui.api.image_rows import ImageRow
from ims_tui.api.models import Image, ListQuery
from ims_tui.ui.screens.data_actions import ScreenParts
from ims_tui.ui.screens.error import ErrorReport, ErrorReported
from ims_tui.ui.text import error_line, safe

if TYPE_CHECKING:
    from ims_tui.ui.widgets.image_table import ImageTable

SHARED_VIEWS = ("pending", "accepted", "rejected", "all")
ANSWERS = {"accept_share": "accepted", "reject_share": "rejected", "pending_share": "pending"}
AFTER = {
    "accepted": "it now lists with the other images",
    "rejected": "it no longer lists by default (M shows the rejected ones)",
    "pending": "it waits for an answer again",
}
NOT_A_MEMBER = ""  # known: this project is no member of the image (an admin sees shares of others)


class SharingActions(ScreenParts):
    """Mixed into ``MainScreen``; these are the attributes it relies on besides ``ScreenParts``."""

    list_query: ListQuery

    if TYPE_CHECKING:

        @property
        def table(self) -> ImageTable: ...
        def apply_query(self, query: ListQuery) -> None: ...

    _member_statuses: dict[str, str] | None = None

    @property
    def member_statuses(self) -> dict[str, str]:
        """image id -> this project's answer, as last read or given here."""
        if self._member_statuses is None:
            self._member_statuses = {}
        return self._member_statuses

    @property
    def own_project(self) -> str | None:
        return self.session.info.project_id

    def _answerable(self, image: Image | ImageRow | None) -> bool:
        """A share this project can answer: someone else's image, shared, and the project id known."""
        project = self.own_project
        return (
            project is not None
            and image is not None
            and getattr(image, "actionable", True)
            and image.visibility == "shared"
            and image.owner != project
        )

    def sharing_allowed(self, action: str) -> bool:
        """For ``check_action``: the answers are hidden where there is no share of this project's to answer."""
        return action not in ANSWERS or self._answerable(self.table.current)

    # -- the members panel --------------------------------------------------------------------------------

    def action_members(self) -> None:
        row = self._target("show the members of")
        if row is None or self.client is None:
            return
        from ims_tui.ui.screens.members import MembersScreen

        panel = MembersScreen(
            self.client, row.id, self.detail.cached(row.id), read_only=self.read_only, project_id=self.own_project
        )
        self.app.push_screen(panel, lambda image: self._saved(image, new=False, announce=False))

    # -- the images shared with this project ------------------------------------------------------------

    def action_shared_with_me(self) -> None:
        query = self.list_query
        current = query.member_status if query.visibility == "shared" else None
        index = SHARED_VIEWS.index(current) + 1 if current in SHARED_VIEWS else 0
        self.show_shared(SHARED_VIEWS[index % len(SHARED_VIEWS)])

    def show_shared(self, status: str) -> None:
        """List the shared images whose member status for this project is ``status`` (or any, "all"); the
        project's own shared images list too, as Glance lists them."""
        self.apply_query(self.list_query.with_changes(visibility="shared", member_status=status))
        following = SHARED_VIEWS[(SHARED_VIEWS.index(status) + 1) % len(SHARED_VIEWS)]
        self.notify(f"shared with this project: {status} (M: {following}, F: every image again)", markup=False)

    def sharing_commands(self) -> Iterable[SystemCommand]:
        for status in SHARED_VIEWS:
            yield SystemCommand(
                f"Shared with this project: {status}",
                f"List the images shared with this project, member status {status} (visibility=shared)",
                lambda s=status: self.show_shared(s),
            )

    # -- this project's answer -------------------------------------------------------------------------------

    def action_accept_share(self) -> None:
        self._answer("accepted")

    def action_reject_share(self) -> None:
        self._answer("rejected")

    def action_pending_share(self) -> None:
        self._answer("pending")

    def _answer(self, status: str) -> None:
        row = self._target("answer the share of")
        project = self.own_project
        if row is None or self.client is None or self.read_only or project is None or not self._answerable(row):
            return
        self._send_answer(row.id, row.name or row.id, project, status)

    @work(group="share-answer")
    async def _send_answer(self, image_id: str, name: str, project: str, status: str) -> None:
        assert self.client is not None
        try:
            member = await self.client.set_member_status(image_id, project, status)
        except ApiError as exc:
            verb = "maybe" if exc.outcome_unknown else "not"
            self.notify(f"{safe(name)}: {verb} {status}: {error_line(exc)}", severity="error", markup=False)
            self.app.post_message(ErrorReported(ErrorReport(f"could not answer the share of {name}", exc)))
            return
        self._known(image_id, member.status)
        self.notify(f"{safe(name)}: share {safe(member.status)}; {AFTER.get(member.status, '')}", markup=False)

    # -- the member status in the detail pane ----------------------------------------------------------------

    def member_status_of(self, image: Image | ImageRow) -> str | None:
        """The detail pane's hook: this project's answer, if known; a fresh image of a share not read yet is
        read once (the row alone is not: holding j over a list must not send a GET per row)."""
        if not self._answerable(image):
            return None
        known = self.member_statuses.get(image.id)
        if known is None and isinstance(image, Image) and self.client is not None:
            self.member_statuses[image.id] = NOT_A_MEMBER  # asked once, even if the answer is slow
            self._read_status(image.id)
        return known or None

    @work(group="share-status")
    async def _read_status(self, image_id: str) -> None:
        project = self.own_project
        if self.client is None or project is None:
            return
        try:
            member = await self.client.member(image_id, project)
        except ApiError:
            self.member_statuses.pop(image_id, None)  # unknown: the next fresh view asks again
            return
        self._known(image_id, member.status if member is not None else NOT_A_MEMBER)

    def _known(self, image_id: str, status: str) -> None:
        self.member_statuses[image_id] = status
        shown = self.detail.image
        if isinstance(shown, Image) and shown.id == image_id:
            self.detail.show_image(shown)
