"""Where the demo cloud used to be more permissive than Glance 33: roles, 4-byte characters, value ranges, error
bodies, the bare /v2 and other methods, and the member and task schemas. Each expectation is what the lab's
Glance answers; the same assertions run against the demo cloud."""

from __future__ import annotations

import json
from typing import Any

import httpx

from ims_tui.api import ListQuery

from .conftest import TwoProjects

JSON = {"Accept": "application/json"}
PATCH = {"Content-Type": "application/openstack-images-v2.1-json-patch", **JSON}
ROCKET = "\U0001f680"
INT_MAX = 2**31 - 1
NOT_FOUND = "The resource could not be found."


def error_message(response: httpx.Response, status: int) -> str:
    """A webob JSON error body's message, without the "<br /><br />" webob appends (after checking the shape)."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert list(body) == ["message", "code", "title"]
    assert body["code"].split(" ", 1)[0] == str(status)
    message: str = body["message"]
    assert message.endswith("<br /><br />\n\n\n")
    return message.removesuffix("<br /><br />\n\n\n")


def not_authorized(action: str) -> str:
    return f"You are not authorized to complete {action} action."


async def patch(client: httpx.AsyncClient, image_id: str, ops: list[dict[str, Any]]) -> httpx.Response:
    return await client.patch(f"/v2/images/{image_id}", content=json.dumps(ops).encode(), headers=PATCH)


# -- 1. roles: reader reads, member writes -----------------------------------------------------------------------


async def test_a_reader_reads_but_cannot_create_edit_tag_or_delete(two_projects: TwoProjects) -> None:
    image = await two_projects.alice.create({"name": "alice-owns", "tags": ["keep"]})
    reader = two_projects.raw("reader")
    try:
        assert (await reader.get(f"/v2/images/{image.id}", headers=JSON)).json()["name"] == "alice-owns"
        listed = await reader.get("/v2/images", params={"tag": "keep", "limit": 1000}, headers=JSON)
        assert image.id in [row["id"] for row in listed.json()["images"]]

        refusals = {
            "add_image": await reader.post("/v2/images", json={"name": "reader-made"}, headers=JSON),
            "modify_image": await patch(reader, image.id, [{"op": "replace", "path": "/name", "value": "x"}]),
            "communitize_image": await patch(
                reader, image.id, [{"op": "replace", "path": "/visibility", "value": "community"}]
            ),
            "delete_image": await reader.delete(f"/v2/images/{image.id}", headers=JSON),
            "deactivate": await reader.post(f"/v2/images/{image.id}/actions/deactivate", headers=JSON),
        }
        for action, response in refusals.items():
            assert error_message(response, 403) == not_authorized(action)
        # tags: the modify_image policy is checked before the tag is even looked at
        for response in (
            await reader.put(f"/v2/images/{image.id}/tags/new", headers=JSON),
            await reader.delete(f"/v2/images/{image.id}/tags/keep", headers=JSON),
            await reader.delete(f"/v2/images/{image.id}/tags/never-there", headers=JSON),
        ):
            assert error_message(response, 403) == not_authorized("modify_image")
        # without Accept: the same refusal as webob's HTML page
        page = await reader.delete(f"/v2/images/{image.id}")
        assert page.status_code == 403 and page.headers["content-type"] == "text/html; charset=UTF-8"
        assert f"<h1>403 Forbidden</h1>\n  {not_authorized('delete_image')}<br /><br />" in page.text

        after = await two_projects.alice.get(image.id)
        assert after.name == "alice-owns" and after.tags == ["keep"] and after.visibility == "shared"
        listing = await two_projects.alice.list_page(ListQuery(name="reader-made"))
        assert listing.images == []
    finally:
        await two_projects.alice.delete(image.id)


async def test_the_member_role_writes_and_the_owner_may_deactivate(two_projects: TwoProjects) -> None:
    member = two_projects.raw("member,reader")
    created = await member.post("/v2/images", json={"name": "member-made", "tags": ["t"]}, headers=JSON)
    assert created.status_code == 201
    image_id = created.json()["id"]
    assert (await patch(member, image_id, [{"op": "replace", "path": "/name", "value": "renamed"}])).status_code == 200
    assert (await member.put(f"/v2/images/{image_id}/tags/more", headers=JSON)).status_code == 204
    assert (await member.delete(f"/v2/images/{image_id}/tags/t", headers=JSON)).status_code == 204
    # the deactivate policy lets the owner's member through; the image's status then refuses it
    refused = await member.post(f"/v2/images/{image_id}/actions/deactivate", headers=JSON)
    assert error_message(refused, 403) == "Not allowed to deactivate image in status 'queued'"
    assert (await member.delete(f"/v2/images/{image_id}", headers=JSON)).status_code == 204


async def test_member_without_reader_writes_but_cannot_read(two_projects: TwoProjects) -> None:
    # Keystone would give a member the reader role too (implied roles); taken literally, member alone can create,
    # edit and delete its images but neither list nor show them.
    writer = two_projects.raw("member")
    created = await writer.post("/v2/images", json={"name": "blind"}, headers=JSON)
    assert created.status_code == 201
    image_id = created.json()["id"]
    try:
        assert error_message(await writer.get("/v2/images", headers=JSON), 403) == not_authorized("get_images")
        assert error_message(await writer.get(f"/v2/images/{image_id}", headers=JSON), 404) == NOT_FOUND
        renamed = await patch(writer, image_id, [{"op": "replace", "path": "/name", "value": "seen"}])
        assert renamed.status_code == 200 and renamed.json()["name"] == "seen"
        assert (await writer.put(f"/v2/images/{image_id}/tags/x", headers=JSON)).status_code == 204
        assert (await writer.delete(f"/v2/images/{image_id}", headers=JSON)).status_code == 204
    finally:
        await two_projects.admin._send("DELETE", f"/v2/images/{image_id}", ok=(204, 404))


async def test_without_any_role_nothing_is_visible_or_writable(two_projects: TwoProjects) -> None:
    image = await two_projects.alice.create({"name": "alice-owns"})
    nobody = two_projects.raw("")
    try:
        assert error_message(await nobody.get("/v2/images", headers=JSON), 403) == not_authorized("get_images")
        created = await nobody.post("/v2/images", json={"name": "x"}, headers=JSON)
        assert error_message(created, 403) == not_authorized("add_image")
        # Glance hides an image the caller may not read: a bare 404 rather than a 403
        for response in (
            await nobody.get(f"/v2/images/{image.id}", headers=JSON),
            await patch(nobody, image.id, [{"op": "replace", "path": "/name", "value": "x"}]),
            await nobody.put(f"/v2/images/{image.id}/tags/x", headers=JSON),
            await nobody.delete(f"/v2/images/{image.id}", headers=JSON),
        ):
            assert error_message(response, 404) == NOT_FOUND
        # ... except for the visibility policies, checked before modify_image and never turned into a 404
        community = await patch(nobody, image.id, [{"op": "replace", "path": "/visibility", "value": "community"}])
        assert error_message(community, 403) == not_authorized("communitize_image")
        assert (await two_projects.alice.get(image.id)).name == "alice-owns"
    finally:
        await two_projects.alice.delete(image.id)
