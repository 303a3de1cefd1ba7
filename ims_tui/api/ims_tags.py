"""IMS's key/value image tags (the TMS-style tag API), beside Glance's string tags:

    GET    /v2/{project_id}/images/{image_id}/tags          {"tags": [{"key", "value"}]}
    POST   /v2/{project_id}/images/{image_id}/tags/action   {"action": "create" | "delete", "tags": [...]}  -> 204
    DELETE /v2/{project_id}/images/{image_id}/tags/{key}                                                  -> 204

An edit becomes at most two batch actions (``TagChange``): delete the keys removed, create the keys added or
changed (create overwrites a key's value). Both are idempotent on IMS, so a batch whose answer was lost is
settled by reading the tags again (``settle``), never by sending it blind. IMS's rules ("Image Tag Data
Formats", "Adding or Deleting Image Tags in a Batch") are checked before sending: a key of 1-36 characters, a
value of 0-43, neither with = * < > \\ , | / nor leading or trailing spaces, keys unique, 10 tags per image.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .errors import ApiError, MalformedResponse

# its calls are in ims_calls, so that the client is built without this module (issue 14)
from .ims_calls import ImsTagCalls as ImsTagCalls

MAX_TAGS = 10
KEY_MAX = 36
VALUE_MAX = 43
_FORBIDDEN = re.compile(r"[=*<>\\,|/]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

Tags = dict[str, str]


def key_problem(key: str) -> str | None:
    if not key:
        return "a tag key cannot be empty"
    if len(key) > KEY_MAX:
        return f"a tag key has at most {KEY_MAX} characters ({len(key)} here)"
    return _text_problem(key, "key")


def value_problem(value: str) -> str | None:
    if len(value) > VALUE_MAX:
        return f"a tag value has at most {VALUE_MAX} characters ({len(value)} here)"
    return _text_problem(value, "value")


def _text_problem(text: str, what: str) -> str | None:
    if text != text.strip():
        return f"a tag {what} does not start or end with a space"
    if _FORBIDDEN.search(text) or _CONTROL.search(text):
        return f"a tag {what} has none of = * < > \\ , | / or control characters"
    return None


def rows_problems(rows: list[tuple[str, str]]) -> dict[int, str]:
    """Row index -> why it cannot be sent: each row checked, keys unique, at most ``MAX_TAGS`` rows."""
    found: dict[int, str] = {}
    seen: dict[str, int] = {}
    for index, (key, value) in enumerate(rows):
        problem = key_problem(key) or value_problem(value)
        if problem is None and key in seen:
            problem = f"the key {key!r} is on row {seen[key] + 1} already"
        if problem is not None:
            found[index] = problem
        seen.setdefault(key, index)
    if len(rows) > MAX_TAGS:
        found.setdefault(MAX_TAGS, f"an image has at most {MAX_TAGS} key/value tags")
    return found


@dataclass(frozen=True)
class TagChange:
    """From ``before`` to ``after``: what is deleted, what is created or overwritten."""

    before: Mapping[str, str]
    after: Mapping[str, str]

    @property
    def deleted(self) -> Tags:
        return {key: value for key, value in self.before.items() if key not in self.after}

    @property
    def created(self) -> Tags:
        return {key: value for key, value in self.after.items() if self.before.get(key) != value}

    @property
    def empty(self) -> bool:
        return not self.deleted and not self.created

    def bodies(self) -> list[dict[str, Any]]:
        """The batch actions in the order they are sent: delete first, so the image never holds more than 10."""
        out = []
        for action, tags in (("delete", self.deleted), ("create", self.created)):
            if tags:
                out.append({"action": action, "tags": [{"key": k, "value": v} for k, v in tags.items()]})
        return out

    def shows_in(self, tags: Mapping[str, str]) -> bool | None:
        """True when ``tags`` are ``after``, False when they are still ``before``, None for anything else."""
        if dict(tags) == dict(self.after):
            return True
        if dict(tags) == dict(self.before):
            return False
        return None


def parse_tags(data: Any) -> Tags:
    try:
        return {str(item["key"]): str(item.get("value") or "") for item in data["tags"]}
    except (TypeError, KeyError, AttributeError):
        raise MalformedResponse("the server sent tags without tags[{key, value}]") from None


def settle_words(change: TagChange, found: Tags | None, error: ApiError) -> str:
    """What a lost batch answer left, from the tags read again (None: the read failed too)."""
    why = error.one_line()
    if found is None:
        return f"Maybe saved, maybe not ({why}); reading the tags failed too: reload and check"
    shown = change.shows_in(found)
    if shown is True:
        return f"Saved: the answer was lost ({why}), but the image shows the new tags"
    if shown is False:
        return f"Not saved: the image shows the old tags ({why}); it is safe to try again"
    return f"Maybe saved in part ({why}): the image's tags are neither the old nor the new ones; check them"
