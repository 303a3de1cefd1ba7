"""A bulk action as a plan: per image, exactly the requests (and JSON-patch ops) that will be sent, or why the image
is left out. Pure: no I/O, no Textual; ``bulk_run.py`` applies a plan, the UI only shows it.

    action = BulkAction("add_tags", ("prod",))
    plan = build_plan(action, targets, features=features, project_id=None)
    plan.title                    # "Add tags to 3 images"
    plan.steps[0].requests        # (Request("update", "PATCH", "/v2/images/…", ops=({"op": "replace", ...},)),)
    plan.left_out[0].reason       # "already tagged prod"

Every patch comes from ``patch.diff`` (never written by hand), so a plan's ops are what the image form would
send for the same change, with the same checks: a read-only or reserved key, a value of the wrong type, a tag the
server refuses to store, each becomes a reason to leave the image out instead of a 400 at run time.

``targets`` are the images as read just before planning (``bulk_run.read_targets``): a plan made from stale list
rows would say "already tagged" of an image someone untagged a minute ago.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import quote

from .models import EDITABLE_BASE, VISIBILITIES, Image
from .outcome import GONE_STATUSES
from .patch import PatchError, PatchOp, check_value, describe, diff

if TYPE_CHECKING:
    from .features import ServerFeatures
    from .ims_copy import MemberBatch

Kind = Literal[
    "delete",
    "deactivate",
    "reactivate",
    "add_tags",
    "remove_tags",
    "set_property",
    "remove_property",
    "visibility",
    "protect",
    "unprotect",
    "hide",
    "unhide",
    "share",
    "unshare",
    "accept",
    "reject",
    "download",
]
# The client call a request is made with (bulk_run.py maps each to one ImageClient method).
Call = Literal[
    "delete", "update", "deactivate", "reactivate", "add_member", "remove_member", "set_member_status", "download"
]
Argument = Literal["", "tags", "key_value", "key", "visibility", "projects", "folder"]


@dataclass(frozen=True)
class KindInfo:
    """What a kind is called, what argument it takes, and how its title counts images ("Delete 3 images")."""

    label: str  # the menu's and palette's words: "add tags"
    verb: str  # the title's: "Add tags to"
    argument: Argument = ""
    destroys: bool = False  # a production profile asks for the count typed before it is sent


KINDS: dict[Kind, KindInfo] = {
    "delete": KindInfo("delete", "Delete", destroys=True),
    "deactivate": KindInfo("deactivate", "Deactivate"),
    "reactivate": KindInfo("reactivate", "Reactivate"),
    "add_tags": KindInfo("add tags", "Add tags to", "tags"),
    "remove_tags": KindInfo("remove tags", "Remove tags from", "tags"),
    "set_property": KindInfo("set a property", "Set a property on", "key_value"),
    "remove_property": KindInfo("remove a property", "Remove a property from", "key"),
    "visibility": KindInfo("change visibility", "Change the visibility of", "visibility"),
    "protect": KindInfo("protect", "Protect"),
    "unprotect": KindInfo("unprotect", "Unprotect"),
    "hide": KindInfo("hide", "Hide"),
    "unhide": KindInfo("unhide", "Unhide"),
    "share": KindInfo("share with projects", "Share", "projects"),
    "unshare": KindInfo("unshare from projects", "Unshare", "projects"),
    "accept": KindInfo("accept the share", "Accept"),
    "reject": KindInfo("reject the share", "Reject"),
    "download": KindInfo("download to a folder", "Download", "folder"),  # bulk_download.py plans it
}


@dataclass(frozen=True)
class BulkAction:
    """A kind and its argument: the tags (add_tags, remove_tags), (key, value) (set_property), (key,)
    (remove_property), (visibility,) (visibility), the project ids (share, unshare); nothing for the others."""

    kind: Kind
    argument: tuple[str, ...] = ()

    @property
    def info(self) -> KindInfo:
        return KINDS[self.kind]

    def words(self) -> str:
        """The action with its argument, for a title: "add tags prod, web"."""
        arg = self.argument
        if self.kind == "set_property":
            return f"set {arg[0]}={arg[1]}"
        if self.kind == "visibility":
            return f"make {arg[0]}"
        if self.kind == "download":
            return f"to {arg[0]}"
        if arg:
            return f"{self.info.label} {', '.join(arg)}"
        return self.info.label


def offered(project_known: bool) -> tuple[Kind, ...]:
    """The kinds a session can use: accept and reject need its own project id."""
    return tuple(kind for kind in KINDS if project_known or kind not in ANSWERS)


def parse_argument(kind: Kind, text: str) -> tuple[str, ...]:
    """The argument typed for ``kind`` as a ``BulkAction`` takes it; ValueError says what is wrong with it."""
    need = KINDS[kind].argument
    text = text.strip()
    if need in ("", "folder"):  # a folder is checked where it is typed: bulk_download.folder_problem
        return (text,) if need else ()
    if not text:
        raise ValueError("type a value first")
    if need == "tags":
        tags = tuple(dict.fromkeys(tag.strip() for tag in text.split(",") if tag.strip()))
        if not tags:
            raise ValueError("type one tag, or several separated by commas")
        _check(lambda: check_value("tags", list(tags)))
        return tags
    if need == "key_value":
        key, equals, value = text.partition("=")
        key = key.strip()
        if not equals or not key:
            raise ValueError("type key=value, e.g. os_distro=ubuntu")
        if key in EDITABLE_BASE:
            raise ValueError(f"{key} is a base attribute, not a property: change it in the form (e), or by its action")
        _check(lambda: diff({}, {key: value.strip()}))
        return (key, value.strip())
    if need == "projects":
        from .members import split_project_ids

        ids, problems = split_project_ids(text)
        if problems:
            raise ValueError(problems[0])
        if not ids:
            raise ValueError("type one project id, or several separated by spaces or commas")
        return tuple(ids)
    if need == "key":
        if text in EDITABLE_BASE:
            raise ValueError(f"{text} is a base attribute: it cannot be removed")
        _check(lambda: diff({text: ""}, {}))
        return (text,)
    if text not in VISIBILITIES:
        raise ValueError("visibility is one of " + ", ".join(VISIBILITIES))
    return (text,)


def _check(run: Any) -> None:
    try:
        run()
    except PatchError as exc:
        raise ValueError(str(exc)) from None


@dataclass(frozen=True)
class Target:
    """An image to act on: as read just now (``image``), or why it could not be (``problem``: a list row the
    server sent broken, a failed read). ``name``: what the list shows, for the plan's lines."""

    image_id: str
    name: str | None = None
    image: Image | None = None
    problem: str | None = None
    gone: bool = False  # the read found no such image (404)

    @classmethod
    def of(cls, image: Image) -> Target:
        return cls(image.id, image.name, image)


@dataclass(frozen=True)
class Request:
    """One request of a step: the client call, and the method and path it sends (the plan screen's line)."""

    call: Call
    method: str
    path: str
    ops: tuple[PatchOp, ...] = ()
    member: str = ""  # the project of a member call
    status: str = ""  # what set_member_status sets
    target: str = ""  # the local file a download is saved to

    def line(self) -> str:
        """The request in one line: method, path and its JSON body, if it has one (a patch's ops: ``op_lines``)."""
        return f"{self.method} {self.path}" + (f" {self.body()}" if self.body() else "")

    def body(self) -> str:
        body = {"member": self.member} if self.call == "add_member" else {"status": self.status} if self.status else {}
        return json.dumps(body) if body else ""

    def op_lines(self) -> list[str]:
        return [f"→ {self.target.rsplit('/', 1)[-1]}"] if self.target else [describe(op) for op in self.ops]


@dataclass(frozen=True)
class Step:
    """What is sent for one image, in order; ``before``: the image as planned from, to settle a lost answer."""

    image_id: str
    name: str | None
    requests: tuple[Request, ...]
    before: Image | None = None


@dataclass(frozen=True)
class LeftOut:
    image_id: str
    name: str | None
    reason: str


@dataclass(frozen=True)
class Plan:
    action: BulkAction
    steps: tuple[Step, ...] = ()
    left_out: tuple[LeftOut, ...] = field(default=())
    batch: MemberBatch | None = None  # on IMS: one request for every step instead of theirs (ims_copy.batch_plan)

    @property
    def title(self) -> str:
        count = len(self.steps)
        images = "image" if count == 1 else "images"
        words = f"{self.action.info.verb} {count} {images}"
        if self.action.argument:
            words += f": {self.action.words()}"
        return words

    @property
    def request_count(self) -> int:
        return sum(len(step.requests) for step in self.steps) + (self.batch is not None)


def image_path(image_id: str) -> str:
    return "/v2/images/" + quote(image_id, safe="")


def build_plan(
    action: BulkAction,
    targets: Sequence[Target],
    *,
    features: ServerFeatures | None = None,
    project_id: str | None = None,
) -> Plan:
    """The plan for ``action`` on ``targets``, in their order, each image once.

    ``features``: what the server can do (None: not known, everything is tried); ``project_id``: the session's
    own project, when known, so an image another project owns is left out rather than refused with a 403.
    """
    if action.kind == "download":  # no owner, no patch: its own rules
        from .bulk_download import download_plan

        return download_plan(action, targets)
    steps: list[Step] = []
    left: list[LeftOut] = []
    seen: set[str] = set()
    lacking = _lacking(action.kind, features)
    for target in targets:
        if target.image_id in seen:
            continue
        seen.add(target.image_id)
        reason: str | None
        requests: tuple[Request, ...] = ()
        if target.problem is not None or target.image is None:
            reason = target.problem or "it could not be read"
        elif lacking:
            reason = lacking
        else:
            reason = _not_owner(target.image, project_id, action.kind)
            if reason is None:
                found = _member_requests(action, target.image, project_id) or _requests(action, target.image)
                reason, requests = (found, ()) if isinstance(found, str) else (None, found)
        if reason is not None:
            left.append(LeftOut(target.image_id, target.name, reason))
        else:
            steps.append(Step(target.image_id, target.name, requests, target.image))
    return Plan(action, tuple(steps), tuple(left))


def _lacking(kind: Kind, features: ServerFeatures | None) -> str:
    if kind in ("deactivate", "reactivate") and features is not None and not features.deactivate:
        return features.why_not("deactivate")
    if kind in ("hide", "unhide") and features is not None and not features.hidden:
        return features.why_not("hidden")
    return ""


def _not_owner(image: Image, project_id: str | None, kind: Kind) -> str | None:
    if kind in ANSWERS:  # a member answers a share of another project's image
        if project_id is None:
            return "this session does not know its project id, which accepting a share needs"
        return (
            "this project owns it: only the projects it is shared with answer a share"
            if image.owner == project_id
            else None
        )
    if project_id is None or image.owner in (None, project_id):
        return None
    return f"not the owner: project {image.owner} owns it"


ANSWERS: dict[Kind, str] = {"accept": "accepted", "reject": "rejected"}
# The kinds that set a boolean attribute: (its key, the value set, the words when it has that value already).
FLAGS: dict[Kind, tuple[str, bool, str]] = {
    "protect": ("protected", True, "protected"),
    "unprotect": ("protected", False, "unprotected"),
    "hide": ("os_hidden", True, "hidden"),
    "unhide": ("os_hidden", False, "not hidden"),
}


def _member_requests(action: BulkAction, image: Image, project_id: str | None) -> str | tuple[Request, ...]:
    """The member calls of share, unshare, accept and reject (empty for the other kinds)."""
    kind, path = action.kind, image_path(image.id) + "/members"
    if kind in ANSWERS:
        if image.visibility != "shared":
            return f"not shared: its visibility is {image.visibility or 'unknown'}"
        member = project_id or ""
        return (
            Request(
                "set_member_status", "PUT", f"{path}/{quote(member, safe='')}", member=member, status=ANSWERS[kind]
            ),
        )
    if kind == "unshare":
        return tuple(
            Request("remove_member", "DELETE", f"{path}/{quote(p, safe='')}", member=p) for p in action.argument
        )
    if kind != "share":
        return ()
    if image.owner is not None and image.owner in action.argument:
        return f"project {image.owner} owns it: an image is not shared with its owner"
    switch: tuple[Request, ...] = ()
    if image.visibility != "shared":  # Glance takes members only while the visibility is shared
        ops = diff({"visibility": image.visibility}, {"visibility": "shared"})
        switch = (Request("update", "PATCH", image_path(image.id), tuple(ops)),)
    return switch + tuple(Request("add_member", "POST", path, member=p) for p in action.argument)


def _requests(action: BulkAction, image: Image) -> str | tuple[Request, ...]:
    """The requests for one image, or why none is sent."""
    kind, path = action.kind, image_path(image.id)
    if kind == "delete":
        if image.status in GONE_STATUSES:
            return "already deleted"
        if image.protected:
            return "protected: unprotect it first"
        return (Request("delete", "DELETE", path),)
    if kind in ("deactivate", "reactivate"):
        wanted, needed = ("deactivated", "active") if kind == "deactivate" else ("active", "deactivated")
        if image.status == wanted:
            return f"already {wanted}"
        if image.status != needed:
            return f"it is {image.status or 'of unknown status'}: only an {needed} image can be {kind}d"
        return (Request(kind, "POST", f"{path}/actions/{kind}"),)
    before, after, same = _change(action, image)
    if same:
        return same
    try:
        ops = diff(before, after)
    except PatchError as exc:
        return str(exc)
    if not ops:
        return "nothing to change"
    return (Request("update", "PATCH", path, tuple(ops)),)


def _change(action: BulkAction, image: Image) -> tuple[Mapping[str, Any], Mapping[str, Any], str]:
    """(the part of the image the kind touches, that part changed, why nothing changes: "" when something does)."""
    kind, arg = action.kind, action.argument
    if kind in ("add_tags", "remove_tags"):
        old = list(image.tags)
        if kind == "add_tags":
            new = old + [tag for tag in arg if tag not in old]
            same = f"already tagged {', '.join(arg)}" if new == old else ""
        else:
            new = [tag for tag in old if tag not in arg]
            same = f"has none of the tags {', '.join(arg)}" if new == old else ""
        return {"tags": old}, {"tags": new}, same
    if kind in FLAGS:
        key, wanted, words = FLAGS[kind]
        current = getattr(image, key)
        if key == "os_hidden":  # an image without os_hidden (IMS, Glance < 2.7) is not hidden
            current = current is True
        flag: dict[str, Any] = {key: getattr(image, key)} if getattr(image, key) is not None else {}
        return flag, {key: wanted}, f"already {words}" if current is wanted else ""
    if kind == "visibility":
        same = f"already {arg[0]}" if image.visibility == arg[0] else ""
        return {"visibility": image.visibility}, {"visibility": arg[0]}, same
    props = image.to_dict()
    key = arg[0]
    before: dict[str, Any] = {key: props[key]} if key in props else {}
    if kind == "set_property":
        same = f"already has {key}={arg[1]}" if key in before and before[key] == arg[1] else ""
        return before, {key: arg[1]}, same
    return before, {}, "" if key in before else f"has no property {key}"
