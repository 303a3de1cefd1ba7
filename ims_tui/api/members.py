"""Image members: who an image is shared with, and the member's own answer (accept, reject, back to pending).

The owner adds and removes members while the image's visibility is ``shared``; the member project sets its own
status. The calls are ``MemberCalls`` (member_calls.py, a mixin of ``ImageClient``); here are the member as the
server sends it, what the user typed, and the plain words for a refusal (``explain``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from .errors import ApiError, Conflict, Forbidden, MalformedResponse, NotFound, TooLarge

# the calls are in member_calls, so that the client is built without this module (issue 14)
from .member_calls import MemberCalls as MemberCalls
from .models import parse_object

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
