"""The calls on an image's members, mixed into ``ImageClient`` like ``data_calls``: list, add, remove, answer.

Writes are never repeated: an answer that was lost (a timeout, a reset, someone else's 200 page) is settled with
one GET of the member, and when that cannot tell, the error keeps ``outcome_unknown`` for the caller to say so.
Refusals come back reworded in plain words (``members.explain``), with the server's own words after them.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING
from urllib.parse import quote

import httpx

from .data_calls import ClientParts
from .errors import ApiError, NotFound, timed_out

# imported when first used: the first page needs none of it (issue 14)
if TYPE_CHECKING:
    from .members import Member

log = logging.getLogger("ims_tui.api")


class MemberCalls(ClientParts):
    """Mixed into ``ImageClient``: the calls on an image's members."""

    if TYPE_CHECKING:

        def _check_empty(self, response: httpx.Response, what: str) -> None: ...

    def _members_path(self, image_id: str, member_id: str | None = None) -> str:
        path = f"{self._image_path(image_id)}/members"
        return path if member_id is None else f"{path}/{quote(member_id, safe='')}"

    async def members(self, image_id: str) -> list[Member]:
        """The image's members (``GET .../members``): all of them for the owner, only its own for a member."""
        from .members import Member, explain

        try:
            return self._parsed(await self._send("GET", self._members_path(image_id)), Member.parse_all)
        except ApiError as exc:
            raise explain(exc, "list") from None

    async def member(self, image_id: str, member_id: str) -> Member | None:
        """One member (``GET .../members/{member}``), or None when the server has no such member (404)."""
        from .members import Member

        try:
            return self._parsed(await self._send("GET", self._members_path(image_id, member_id)), Member.parse)
        except NotFound:
            return None

    async def add_member(self, image_id: str, member_id: str) -> Member:
        """Share the image with project ``member_id`` (``POST .../members``): the member starts ``pending``."""
        from .members import Member, explain

        try:
            response = await self._send("POST", self._members_path(image_id), json_body={"member": member_id})
            return self._parsed(response, Member.parse)
        except ApiError as exc:
            if not exc.outcome_unknown:
                raise explain(exc, "add", member_id) from None
            found = await self._settle(exc, image_id, member_id)
            if found is not None:
                return found
            raise

    async def remove_member(self, image_id: str, member_id: str) -> None:
        """Stop sharing with project ``member_id`` (``DELETE .../members/{member}``, 204)."""
        from .members import explain

        try:
            response = await self._send("DELETE", self._members_path(image_id, member_id), ok=(204, 200))
            self._check_empty(response, "the member's removal")
        except ApiError as exc:
            if not exc.outcome_unknown:
                raise explain(exc, "remove", member_id) from None
            try:
                found = await self.member(image_id, member_id)
            except ApiError:
                raise exc from None  # the check failed too: outcome_unknown stays set
            if found is None:
                log.info("remove member %s of %s: the answer was lost, but it is gone", member_id, image_id)
                return
            exc.outcome_unknown = timed_out(exc)  # still there: not removed (yet, if the request timed out)
            raise

    async def set_member_status(self, image_id: str, member_id: str, status: str) -> Member:
        """The member's answer (``PUT .../members/{member}``): accepted, rejected, or back to pending. Only the
        member project itself (or an admin) may set it."""
        from .members import Member, check_status, explain

        body = {"status": check_status(status)}
        try:
            response = await self._send("PUT", self._members_path(image_id, member_id), json_body=body)
            return self._parsed(response, Member.parse)
        except ApiError as exc:
            if not exc.outcome_unknown:
                raise explain(exc, "status", member_id) from None
            found = await self._settle(exc, image_id, member_id, status)
            if found is not None:
                return found
            raise

    async def _settle(self, exc: ApiError, image_id: str, member_id: str, status: str | None = None) -> Member | None:
        """After a lost answer: the member if the GET shows the write applied (there, with ``status`` if given);
        None with ``exc.outcome_unknown`` cleared when it shows it was not (unless the request timed out: the
        service may still apply it), or left set when the check fails too."""
        try:
            found = await self.member(image_id, member_id)
        except ApiError:
            return None
        if found is not None and (status is None or found.status == status):
            log.info("member %s of %s: the answer was lost (%s), but it shows", member_id, image_id, exc.one_line())
            return found
        exc.outcome_unknown = timed_out(exc)
        return None
