"""Image members in the demo cloud, as Glance 33's image_members controller: who may list, add, accept and
remove them (the image must be shared; the member changes only its own status)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx

from .errors import HTTPError, Reply, bad, forbidden, json_body, json_reply, no_content
from .schema import Image, member_view
from .store import Caller

if TYPE_CHECKING:
    from .service import DemoCloud


def _member_table(cloud: DemoCloud, caller: Caller, image_id: str) -> tuple[Image, dict[str, str]]:
    image = cloud.images.visible(image_id, caller, f"Image {image_id} not found.")
    return image, cloud.members.setdefault(image_id, {})


def _member_entry(cloud: DemoCloud, caller: Caller, image_id: str, member: str) -> tuple[Image, dict[str, str]]:
    image, table = _member_table(cloud, caller, image_id)
    if member not in table:
        raise HTTPError(404, f"{member} is not a member of image {image_id}.")
    return image, table


def list_members(cloud: DemoCloud, request: httpx.Request, caller: Caller, image_id: str) -> Reply:
    image, table = _member_table(cloud, caller, image_id)
    visible = table if caller.is_admin or image["owner"] == caller.project else {}
    if caller.project in table and not visible:
        visible = {caller.project: table[caller.project]}
    views = [member_view(image, m, s) for m, s in visible.items()]
    return json_reply(200, {"members": views, "schema": "/v2/schemas/members"})


def add_member(cloud: DemoCloud, request: httpx.Request, caller: Caller, image_id: str) -> Reply:
    image, table = _member_table(cloud, caller, image_id)
    caller.check_mutable(image, "add_member")
    if image["visibility"] != "shared":
        raise forbidden(f"Image {image_id} is not shared. Only shared images may have members.")
    body = json_body(request, required=True)
    if not isinstance(body, dict) or not isinstance(body.get("member"), str):
        raise bad("Member to be added not specified")
    new = body["member"]
    if new in table:
        raise HTTPError(409, f"Member {new} already exists.")
    table[new] = "pending"
    return json_reply(200, member_view(image, new, "pending"))


def show_member(cloud: DemoCloud, request: httpx.Request, caller: Caller, image_id: str, member: str) -> Reply:
    image, table = _member_entry(cloud, caller, image_id, member)
    return json_reply(200, member_view(image, member, table[member]))


def update_member(cloud: DemoCloud, request: httpx.Request, caller: Caller, image_id: str, member: str) -> Reply:
    image, table = _member_entry(cloud, caller, image_id, member)
    if caller.project != member and not caller.is_admin:
        raise forbidden("You are not authorized to complete modify_member action.")
    body = json_body(request, required=True)
    status = body.get("status") if isinstance(body, dict) else None
    if status not in ("pending", "accepted", "rejected"):
        raise bad(f"Invalid status: {status}")
    table[member] = status
    return json_reply(200, member_view(image, member, status))


def remove_member(cloud: DemoCloud, request: httpx.Request, caller: Caller, image_id: str, member: str) -> Reply:
    image, table = _member_entry(cloud, caller, image_id, member)
    caller.check_mutable(image, "delete_member")
    del table[member]
    return no_content()
