"""Image members in the demo cloud, as Glance 33's image_members controller (glance/api/v2/image_members.py) with
its secure-RBAC policies: only a shared image has members; the owner adds and removes them, up to the member
quota; a member sees and changes only its own entry; the words and statuses of each refusal are Glance's."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx

from .errors import HTTPError, Reply, bad, forbidden, json_body, json_reply, limit_message, no_content
from .schema import Image, isotime, member_view
from .store import Caller

if TYPE_CHECKING:
    from .service import DemoCloud

STATUSES = ("pending", "accepted", "rejected")
NOT_SHARED = "Only shared images have members."


def _lookup(cloud: DemoCloud, caller: Caller, image_id: str) -> tuple[Image, dict[str, str]]:
    image = cloud.images.visible(image_id, caller, f"Image {image_id} not found.")
    return image, cloud.members.setdefault(image_id, {})


def _may_read_members(caller: Caller, image: Image, table: dict[str, str]) -> bool:
    """ADMIN_OR_PROJECT_READER_OR_SHARED_MEMBER (get_members, get_member)."""
    project = caller.project
    return caller.is_admin or (
        caller.reader and project is not None and (image["owner"] == project or project in table)
    )


def _seen_by(caller: Caller, image: Image, table: dict[str, str]) -> dict[str, str]:
    """The member entries the caller's database query returns: all for the owner or an admin, else its own."""
    if caller.is_admin or image["owner"] == caller.project:
        return table
    return {m: s for m, s in table.items() if m == caller.project}


def _entry(caller: Caller, image: Image, table: dict[str, str], member: str, refused: str) -> str:
    """``_lookup_member``: the get_member policy (a 403 in ``refused`` words), then the entry or a 404."""
    if not _may_read_members(caller, image, table):
        raise forbidden(refused)
    if member not in _seen_by(caller, image, table):
        raise HTTPError(404, f"{member} not found in the member list of the image {image['id']}.")
    return table[member]


def _view(cloud: DemoCloud, image: Image, member: str, status: str) -> dict[str, object]:
    view = member_view(image, member, status)
    created, updated = cloud.member_times.get((image["id"], member), (None, None))
    if created is not None and updated is not None:
        view["created_at"], view["updated_at"] = isotime(created), isotime(updated)
    return view


def list_members(cloud: DemoCloud, request: httpx.Request, caller: Caller, image_id: str) -> Reply:
    image, table = _lookup(cloud, caller, image_id)
    prefix = f"Not allowed to list members for image {image_id}: "
    if image["visibility"] != "shared":
        raise forbidden(prefix + NOT_SHARED)
    if not _may_read_members(caller, image, table):
        raise forbidden(prefix + "You are not authorized to complete get_members action.")
    views = [_view(cloud, image, m, s) for m, s in _seen_by(caller, image, table).items()]
    return json_reply(200, {"members": views, "schema": "/v2/schemas/members"})


def add_member(cloud: DemoCloud, request: httpx.Request, caller: Caller, image_id: str) -> Reply:
    body = json_body(request, required=True)
    if not isinstance(body, dict) or "member" not in body:
        raise bad("Member to be added not specified")
    new = body["member"]
    if not isinstance(new, str) or not new:
        raise bad(
            "Member can't be empty" if new in ("", None) else 'Expected a member in the form: {"member": "image_id"}'
        )
    image, table = _lookup(cloud, caller, image_id)
    if image["visibility"] != "shared" or not caller.owns(image):
        raise forbidden(f"Not allowed to create members for image {image_id}.")
    if len(table) + 1 > cloud.member_quota:
        message = limit_message("members for this image", len(table) + 1, cloud.member_quota)
        raise HTTPError(413, f"Image member limit exceeded for image {image_id}: {message}:")
    if new in table:
        raise HTTPError(409, f"Member {new} is duplicated for image {image_id}")
    table[new] = "pending"
    now = cloud.now()
    cloud.member_times[(image_id, new)] = (now, now)
    return json_reply(200, _view(cloud, image, new, "pending"))


def show_member(cloud: DemoCloud, request: httpx.Request, caller: Caller, image_id: str, member: str) -> Reply:
    image, table = _lookup(cloud, caller, image_id)
    if image["visibility"] != "shared":
        raise HTTPError(404, NOT_SHARED)  # Glance turns the 403 into a 404, not to tell the image exists
    refused = f"You are not authorized to lookup the members of the image {image_id}."
    try:
        status = _entry(caller, image, table, member, refused)
    except HTTPError as error:
        raise HTTPError(404, error.explanation) from None
    return json_reply(200, _view(cloud, image, member, status))


def update_member(cloud: DemoCloud, request: httpx.Request, caller: Caller, image_id: str, member: str) -> Reply:
    body = json_body(request, required=True)
    if not isinstance(body, dict):
        raise bad('Expected a status in the form: {"status": "status"}')
    if "status" not in body:
        raise bad("Status not specified")
    image, table = _lookup(cloud, caller, image_id)
    refused = f"Not allowed to update members for image {image_id}."
    if image["visibility"] != "shared":
        raise forbidden(refused)
    _entry(caller, image, table, member, f"You are not authorized to lookup the members of the image {image_id}.")
    if not (caller.is_admin or (caller.member and caller.project == member)):  # ADMIN_OR_SHARED_MEMBER
        raise forbidden(refused)
    status = body["status"]
    if status not in STATUSES:
        raise bad('Incorrect request: Status must be "pending", "accepted" or "rejected".')
    table[member] = status
    created, _ = cloud.member_times.get((image_id, member), (image["created_at"], None))
    cloud.member_times[(image_id, member)] = (created, cloud.now())
    return json_reply(200, _view(cloud, image, member, status))


def remove_member(cloud: DemoCloud, request: httpx.Request, caller: Caller, image_id: str, member: str) -> Reply:
    image, table = _lookup(cloud, caller, image_id)
    refused = f"Not allowed to delete members for image {image_id}."
    if image["visibility"] != "shared":
        raise forbidden(refused)
    _entry(caller, image, table, member, f"You are not authorized to lookup the members of the image {image_id}.")
    if not caller.owns(image):
        raise forbidden(refused)
    del table[member]
    cloud.member_times.pop((image_id, member), None)
    return no_content()
