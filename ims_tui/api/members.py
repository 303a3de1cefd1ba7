"""Image members: who an image is shared with, and the member's own answer (accept, reject, back to pending).

A mixin of ``ImageClient`` like ``data_calls``. The owner adds and removes members while the image's visibility
is ``shared``; the member project sets its own status. Writes are never repeated: an answer that was lost (a
timeout, a reset, someone else's 200 page) is settled with one GET of the member, and when that cannot tell,
the error keeps ``outcome_unknown`` for the caller to say so. Refusals come back reworded in plain words
(``explain``), with the server's own words after them.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ConfigDict, Field

from .data_calls import ClientParts
from .errors import ApiError, Conflict, Forbidden, MalformedResponse, NotFound, TooLarge, timed_out
from .models import parse_object

log = logging.getLogger("ims_tui.api")

MEMBER_STATUSES = ("pending", "accepted", "rejected")
MemberAction = Literal["list", "add", "remove", "status"]
# Keystone ids are 32 hex digits; other identity services use UUIDs with dashes or short names, never spaces
_PROJECT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")


class Member(BaseModel):
    """One member of an image: a project it is shared with and that project's answer."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    member_id: str
    image_id: str
    status: str
    created_at: str | None = None
    updated_at: str | None = None
    schema_link: str | None = Field(default=None, alias="schema")

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(by_alias=True, mode="json")

    @classmethod
    def parse(cls, data: Any) -> Member:
        return parse_object(cls, data, "a member")

    @classmethod
    def parse_all(cls, data: Any) -> list[Member]:
        items = data.get("members") if isinstance(data, dict) else None
        if not isinstance(items, list):
            raise MalformedResponse("the server's answer has no 'members' list")
        return [cls.parse(item) for item in items]


# -- what the user typed ----------------------------------------------------------------------------------


def split_project_ids(text: str, existing: Sequence[str] = ()) -> tuple[list[str], list[str]]:
    """The project ids in ``text`` (space or comma separated), in order, and what is wrong with the others: not
    shaped like a project id, given twice, or already a member (``existing``). Nothing is sent for a problem."""
    ids: list[str] = []
    problems: list[str] = []
    for word in re.split(r"[\s,;]+", text.strip()):
        if not word:
            continue
        if not _PROJECT_ID.fullmatch(word):
            problems.append(f"{word[:40]!r} is not a project id (letters, digits, - and _, at most 64)")
        elif word in ids:
            problems.append(f"{word} is given twice")
        elif word in existing:
            problems.append(f"{word} is already a member")
        else:
            ids.append(word)
    return ids, problems


def check_status(status: str) -> str:
    if status not in MEMBER_STATUSES:
        raise ValueError(f"a member's status is one of {', '.join(MEMBER_STATUSES)}, not {status!r}")
    return status


# -- plain words --------------------------------------------------------------------------------------------

_WORDS: dict[tuple[MemberAction, type[ApiError]], str] = {
    ("list", Forbidden): "the members cannot be listed: the image is not shared, or this project neither owns it "
    "nor is a member",
    ("list", NotFound): "no such image (deleted, or not visible to this project)",
    ("add", Forbidden): "not allowed to share this image: only its owner can add members, and only while its "
    "visibility is 'shared'",
    ("add", NotFound): "no such image (deleted, or not visible to this project)",
    ("add", Conflict): "project {member} is already a member of this image",
    ("add", TooLarge): "the image has as many members as this cloud allows (its member quota): remove one first",
    ("remove", Forbidden): "not allowed to remove a member: only the image's owner can, while it is shared",
    ("remove", NotFound): "project {member} is not a member of this image (or the image is gone)",
    ("status", Forbidden): "not allowed to answer this share: only the member project itself can accept or reject "
    "it, while the image is shared",
    ("status", NotFound): "this image is not shared with project {member} (or it is gone)",
}


def explain(exc: ApiError, action: MemberAction, member_id: str = "") -> ApiError:
    """``exc`` with its message in plain words for a member call (status first in ``one_line`` as ever); the
    server's own words follow. Errors without plain words for this action are returned as they are."""
    words = next((text for (act, cls), text in _WORDS.items() if act == action and isinstance(exc, cls)), None)
    if words is None:
        return exc
    said = exc.message
    exc.message = words.format(member=member_id) + (f"; the server said: {said}" if said else "")
    exc.args = (exc.message,)
    return exc


# -- the calls ----------------------------------------------------------------------------------------------


class MemberCalls(ClientParts):
    """Mixed into ``ImageClient``: the calls on an image's members."""

    if TYPE_CHECKING:

        def _check_empty(self, response: httpx.Response, what: str) -> None: ...

    def _members_path(self, image_id: str, member_id: str | None = None) -> str:
        path = f"{self._image_path(image_id)}/members"
        return path if member_id is None else f"{path}/{quote(member_id, safe='')}"

    async def members(self, image_id: str) -> list[Member]:
        """The image's members (``GET .../members``): all of them for the owner, only its own for a member."""
        try:
            return self._parsed(await self._send("GET", self._members_path(image_id)), Member.parse_all)
        except ApiError as exc:
            raise explain(exc, "list") from None

    async def member(self, image_id: str, member_id: str) -> Member | None:
        """One member (``GET .../members/{member}``), or None when the server has no such member (404)."""
        try:
            return self._parsed(await self._send("GET", self._members_path(image_id, member_id)), Member.parse)
        except NotFound:
            return None

    async def add_member(self, image_id: str, member_id: str) -> Member:
        """Share the image with project ``member_id`` (``POST .../members``): the member starts ``pending``."""
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
