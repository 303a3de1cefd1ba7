"""What became of a write whose answer was lost: look at the image, then say "done", "not done" or "unknown".

The UI calls these after a create, update or delete failed with ``error.outcome_unknown`` (the connection dropped
after sending, a timeout, an unreadable 2xx, a gateway's 502/504). Each makes one GET of the image and never
repeats the write::

    try:
        image = await client.update(image_id, ops)
    except ApiError as exc:
        if not exc.outcome_unknown:
            raise
        outcome = await settle_update(client, image_id, ops, before, exc)
        show(outcome.message())   # "Saved: ...", "Not saved: ...", "Maybe saved in part: ..."

``ImageClient.create`` already settles its own unknown outcomes (it names the image's id); ``settle_create``
is for a form that wants to check again later with the id it kept (``new_image_id``).

The decision for an update is the pure function ``update_state(ops, before, after)``.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from .errors import ApiError, timed_out
from .models import Image
from .patch import PatchOp

if TYPE_CHECKING:
    from .client import ImageClient

State = Literal["done", "not_done", "unknown"]
Action = Literal["create", "update", "delete"]
# Glance keeps these after a DELETE with delayed delete on: the image is gone for every purpose.
GONE_STATUSES = frozenset({"deleted", "pending_delete"})
_WORDS: dict[Action, tuple[str, str]] = {
    "create": ("created", "the image is there"),
    "update": ("saved", "the image shows the change"),
    "delete": ("deleted", "the image is gone"),
}
_ABSENT = object()


@dataclass(frozen=True)
class Outcome:
    """The settled state of one write. ``image``: the image as the check found it (None if gone or unchecked);
    ``error``: the write's own failure; ``check_error``: the checking GET's failure, when it failed (then the
    state is "unknown"); ``partly``: an update of which some changes show and some do not."""

    state: State
    image: Image | None = None
    error: ApiError | None = None
    check_error: ApiError | None = None
    action: Action = "update"
    partly: bool = False

    @property
    def still_working(self) -> bool:
        """The write timed out: the service may still apply it, so "not done" only holds for now."""
        return timed_out(self.error)

    def message(self) -> str:
        """One line for the user. Says "not saved" (created, deleted) only when the check shows it surely was not."""
        done, evidence = _WORDS[self.action]
        why = f" ({self.error.one_line()})" if self.error is not None else ""
        if self.state == "done":
            return f"{done.capitalize()}: the answer was lost, but {evidence}"
        if self.state == "not_done" and not self.still_working:
            return f"Not {done}: the image shows nothing of it{why}; it is safe to try again"
        if self.state == "not_done":
            return (
                f"Nothing {done} so far{why}: the image service may still be working on it; "
                "reload and check before trying again"
            )
        if self.partly:
            return f"Maybe {done} in part: the image does not show exactly what was sent; reload and check"
        checking = f"; checking failed too ({self.check_error.one_line()})" if self.check_error else ""
        return f"Maybe {done}, maybe not{why}{checking}: reload and check before trying again"


# -- settling ----------------------------------------------------------------------------------------------


async def settle_create(
    client: ImageClient, image_id: str, error: ApiError | None = None, *, name: str | None = None
) -> Outcome:
    """Whether the image ``image_id`` was created: it exists → done, 404 → not done. With ``name``, an image
    with that id but another name is not ours: unknown."""
    image, failed = await _look(client, image_id)
    if failed is not None:
        return Outcome("unknown", action="create", error=error, check_error=failed)
    if image is None:
        return Outcome("not_done", action="create", error=error)
    if name is not None and image.name != name:
        return Outcome("unknown", action="create", image=image, error=error)
    return Outcome("done", action="create", image=image, error=error)


async def settle_update(
    client: ImageClient,
    image_id: str,
    ops: list[PatchOp],
    before: Image | Mapping[str, Any],
    error: ApiError | None = None,
) -> Outcome:
    """Whether ``ops`` (diffed against ``before``) were applied: see ``update_state``. A gone image is unknown."""
    image, failed = await _look(client, image_id)
    if failed is not None:
        return Outcome("unknown", action="update", error=error, check_error=failed)
    if image is None:
        return Outcome("unknown", action="update", error=error)
    state, partly = _judge(ops, before.to_dict() if isinstance(before, Image) else before, image.to_dict())
    return Outcome(state, action="update", image=image, error=error, partly=partly)


async def settle_delete(client: ImageClient, image_id: str, error: ApiError | None = None) -> Outcome:
    """Whether the image was deleted: 404 (or a deleted status) → done; still there → not done."""
    image, failed = await _look(client, image_id)
    if failed is not None:
        return Outcome("unknown", action="delete", error=error, check_error=failed)
    if image is None or image.status in GONE_STATUSES:
        return Outcome("done", action="delete", image=image, error=error)
    return Outcome("not_done", action="delete", image=image, error=error)


async def _look(client: ImageClient, image_id: str) -> tuple[Image | None, ApiError | None]:
    """The image (None if gone), or why the check failed."""
    try:
        return await client.find(image_id), None
    except ApiError as exc:
        return None, exc


# -- the update decision (pure) ------------------------------------------------------------------------------


def update_state(ops: list[PatchOp], before: Mapping[str, Any], after: Mapping[str, Any]) -> State:
    """Compare the keys ``ops`` touch: all as ``apply_ops(ops, before)`` has them → "done"; all as ``before``
    had them → "not_done"; anything else (part applied, or someone else changed them too) → "unknown".

    Keys the ops do not touch are ignored (``updated_at`` moves on every write). Tags compare as sets, as Glance
    keeps them; other values compare with their types (``True`` is not ``1``).
    """
    return _judge(ops, before, after)[0]


def _judge(ops: list[PatchOp], before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[State, bool]:
    """``update_state``, and whether some (not all) of the changes show."""
    try:
        expected = apply_ops(ops, before)
    except (KeyError, IndexError, TypeError, ValueError):
        return "unknown", False  # ops that do not apply to ``before``: no way to tell
    keys = touched_keys(ops)
    if all(_same(key, _get(expected, key), _get(after, key)) for key in keys):
        return "done", False
    if all(_same(key, _get(before, key), _get(after, key)) for key in keys):
        return "not_done", False
    changed = [key for key in keys if not _same(key, _get(before, key), _get(expected, key))]
    return "unknown", any(_same(key, _get(expected, key), _get(after, key)) for key in changed)


def touched_keys(ops: list[PatchOp]) -> list[str]:
    """The top-level keys the ops change, in order, once each."""
    return list(dict.fromkeys(_segments(op["path"])[0] for op in ops))


def apply_ops(ops: list[PatchOp], document: Mapping[str, Any]) -> dict[str, Any]:
    """``document`` with the JSON-patch ``ops`` applied (add, replace, remove; RFC 6901 paths), as a new dict."""
    result: dict[str, Any] = copy.deepcopy(dict(document))
    for op in ops:
        *parents, last = _segments(op["path"])
        target: Any = result
        for segment in parents:
            target = target[int(segment)] if isinstance(target, list) else target[segment]
        kind = op["op"]
        if isinstance(target, list):
            index = len(target) if last == "-" else int(last)
            if kind == "remove":
                del target[index]
            elif kind == "add":
                target.insert(index, copy.deepcopy(op["value"]))
            else:
                target[index] = copy.deepcopy(op["value"])
        elif kind == "remove":
            del target[last]
        elif kind in ("add", "replace"):
            target[last] = copy.deepcopy(op["value"])
        else:
            raise ValueError(f"unsupported op {kind!r}")
    return result


def _segments(path: str) -> list[str]:
    if not path.startswith("/"):
        raise ValueError(f"not a JSON pointer: {path!r}")
    return [part.replace("~1", "/").replace("~0", "~") for part in path[1:].split("/")]


def _get(document: Mapping[str, Any], key: str) -> Any:
    return document.get(key, _ABSENT)


def _same(key: str, left: Any, right: Any) -> bool:
    if key == "tags" and isinstance(left, list) and isinstance(right, list):
        return set(map(str, left)) == set(map(str, right))
    return type(left) is type(right) and left == right
