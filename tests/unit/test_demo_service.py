"""The demo cloud answers like Glance 33: paging, sorting, filters, PATCH rules, errors, policy."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

from ims_tui.demo import DEMO_ENDPOINT, DEMO_PROJECT_ID, DemoCloud

PATCH = {"Content-Type": "application/openstack-images-v2.1-json-patch"}
JSON = {"Accept": "application/json"}


class Ticking:
    """A clock that moves one second per call, so writes get distinct, predictable timestamps."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


@pytest.fixture
def cloud() -> DemoCloud:
    return DemoCloud(image_count=300, clock=Ticking())


@pytest.fixture
async def client(cloud: DemoCloud) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=cloud.transport, base_url=DEMO_ENDPOINT, headers=JSON) as client:
        yield client


def project(name: str, roles: str = "member,reader") -> dict[str, str]:
    return {"X-Identity-Status": "Confirmed", "X-Project-Id": name, "X-Roles": roles}


async def create(client: httpx.AsyncClient, headers: dict[str, str] | None = None, **body: Any) -> dict[str, Any]:
    response = await client.post("/v2/images", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def patch(client: httpx.AsyncClient, image_id: str, ops: Any, **headers: str) -> httpx.Response:
    return await client.patch(f"/v2/images/{image_id}", content=json.dumps(ops), headers={**PATCH, **headers})


def message(response: httpx.Response) -> str:
    return str(response.json()["message"]).removesuffix("<br /><br />\n\n\n")


async def all_pages(
    client: httpx.AsyncClient, params: list[tuple[str, Any]], headers: dict[str, str] | None = None
) -> tuple[list[str], int]:
    """Every page, by resending the original query plus ``marker``: Glance's ``next`` link keeps only the last
    value of a repeated parameter (see test_next_link_collapses_repeated_parameters)."""
    ids: list[str] = []
    requests, marker = 0, []
    while True:
        response = await client.get("/v2/images", params=[*params, *marker], headers=headers)
        assert response.status_code == 200, response.text
        requests += 1
        body = response.json()
        ids += [image["id"] for image in body["images"]]
        if "next" not in body:
            return ids, requests
        marker = [("marker", body["images"][-1]["id"])]


# -- discovery -------------------------------------------------------------------------------------------------


async def test_versions(client: httpx.AsyncClient) -> None:
    root = await client.get("/")
    explicit = await client.get("/versions")
    assert root.status_code == 300 and explicit.status_code == 200  # Glance: only /versions is a 200
    versions = explicit.json()["versions"]
    assert {v["id"] for v in versions} >= {"v2.0", "v2.1", "v2.9", "v2.15", "v2.17"}
    assert [v["id"] for v in versions if v["status"] == "CURRENT"] == ["v2.17"]
    assert versions[0]["links"] == [{"rel": "self", "href": f"{DEMO_ENDPOINT}/v2/"}]


async def test_schemas(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/v2/schemas/image")).json()
    props = schema["properties"]
    assert props["disk_format"]["enum"] == [
        None,
        *["ami", "ari", "aki", "vhd", "vhdx", "vmdk", "raw", "qcow2", "vdi", "iso", "ploop"],
    ]
    assert props["container_format"]["enum"] == [
        None,
        *["ami", "ari", "aki", "bare", "ovf", "ova", "docker", "compressed"],
    ]
    assert props["visibility"]["enum"] == ["community", "public", "private", "shared"]
    for key in ("status", "size", "virtual_size", "checksum", "os_hash_value", "created_at", "self", "file"):
        assert props[key]["readOnly"] is True, key
    assert schema["additionalProperties"] == {"type": "string"}
    collection = (await client.get("/v2/schemas/images")).json()
    assert collection["properties"]["images"]["items"]["name"] == "image"


# -- listing ---------------------------------------------------------------------------------------------------


async def test_default_page_and_links(client: httpx.AsyncClient, cloud: DemoCloud) -> None:
    response = await client.get("/v2/images")
    body = response.json()
    assert len(body["images"]) == 25
    assert body["first"] == "/v2/images" and body["schema"] == "/v2/schemas/images"
    assert body["next"] == f"/v2/images?marker={body['images'][-1]['id']}"
    created = [image["created_at"] for image in body["images"]]
    assert created == sorted(created, reverse=True)
    assert response.headers["x-openstack-request-id"].startswith("req-")
    uuid.UUID(response.headers["x-openstack-request-id"][4:])
    assert cloud.request_log == [("GET", "/v2/images")]
    image = body["images"][0]
    for key in ("name", "disk_format", "container_format", "visibility", "size", "virtual_size", "status"):
        assert key in image
    assert image["self"] == f"/v2/images/{image['id']}" and image["file"] == f"/v2/images/{image['id']}/file"
    assert image["created_at"].endswith("Z") and len(image["created_at"]) == 20


async def test_limit_rules(client: httpx.AsyncClient) -> None:
    big = await client.get("/v2/images", params={"limit": 5000})
    assert len(big.json()["images"]) <= 1000 and big.status_code == 200
    for bad in ("x", "-1"):
        assert (await client.get("/v2/images", params={"limit": bad})).status_code == 400
    zero = (await client.get("/v2/images", params={"limit": 0})).json()
    assert zero["images"] == [] and "next" not in zero


@pytest.mark.parametrize(
    "sort",
    [
        [("sort", "name:asc")],
        [("sort_key", "name"), ("sort_dir", "asc")],
        [("sort", "status:asc,name")],
        [("sort_key", "status"), ("sort_key", "size"), ("sort_dir", "asc"), ("sort_dir", "desc")],
        [("sort_key", "updated_at")],
        [],
    ],
)
async def test_paging_visits_everything_once(client: httpx.AsyncClient, sort: list[tuple[str, str]]) -> None:
    everything, _ = await all_pages(client, [("limit", 1000), *sort])
    paged, requests = await all_pages(client, [("limit", 7), *sort])
    assert paged == everything and len(set(paged)) == len(paged)
    assert requests == len(everything) // 7 + 1


async def test_paging_with_filters(client: httpx.AsyncClient, cloud: DemoCloud) -> None:
    params = [("status", "in:active,queued"), ("disk_format", "qcow2"), ("sort", "name:desc")]
    everything, _ = await all_pages(client, [("limit", 1000), *params])
    paged, _ = await all_pages(client, [("limit", 3), *params])
    assert paged == everything and everything
    for image_id in paged:
        image = cloud.images[image_id]
        assert image["status"] in ("active", "queued") and image["disk_format"] == "qcow2"
    names = [cloud.images[i]["name"] or "" for i in paged]
    assert names == sorted(names, reverse=True)


async def test_a_full_last_page_is_followed_by_an_empty_one(client: httpx.AsyncClient) -> None:
    tag = "only-four"
    for index in range(4):
        await create(client, name=f"n{index}", tags=[tag])
    page = (await client.get("/v2/images", params={"tag": tag, "limit": 2})).json()
    page = (await client.get(page["next"])).json()
    assert len(page["images"]) == 2 and "next" in page
    last = (await client.get(page["next"])).json()
    assert last["images"] == [] and "next" not in last


async def test_next_link_collapses_repeated_parameters(client: httpx.AsyncClient) -> None:
    # Glance builds links from dict(request.params): a repeated key keeps its last value only (seen on Glance 33)
    params = [("limit", 2), ("tag", "a"), ("tag", "b"), ("sort_key", "name"), ("sort_key", "status")]
    await create(client, tags=["a", "b"])
    await create(client, tags=["a", "b"])
    body = (await client.get("/v2/images", params=params)).json()
    assert body["first"] == "/v2/images?limit=2&tag=b&sort_key=status"
    assert body["next"] == f"/v2/images?limit=2&tag=b&sort_key=status&marker={body['images'][-1]['id']}"


async def test_sort_errors(client: httpx.AsyncClient) -> None:
    for params in (
        [("sort", "colour:asc")],
        [("sort_key", "colour")],
        [("sort", "name:up")],
        [("sort", "name"), ("sort_key", "name")],
        [("sort_key", "name"), ("sort_key", "size"), ("sort_dir", "asc"), ("sort_dir", "desc"), ("sort_dir", "asc")],
    ):
        assert (await client.get("/v2/images", params=params)).status_code == 400, params


async def test_never_listed_and_hidden(client: httpx.AsyncClient, cloud: DemoCloud) -> None:
    listed, _ = await all_pages(client, [("limit", 1000), ("visibility", "all")])
    statuses = {cloud.images[i]["status"] for i in listed}
    assert "killed" not in statuses and "deleted" not in statuses
    assert not any(cloud.images[i]["os_hidden"] for i in listed)
    hidden, _ = await all_pages(client, [("limit", 1000), ("os_hidden", "true"), ("visibility", "all")])
    assert hidden and all(cloud.images[i]["os_hidden"] for i in hidden)
    default, _ = await all_pages(client, [("limit", 1000)])
    assert not any(cloud.images[i]["visibility"] == "community" for i in default)
    community, _ = await all_pages(client, [("limit", 1000), ("visibility", "community")])
    assert community and all(cloud.images[i]["visibility"] == "community" for i in community)
    killed = next(i for i in cloud.images if cloud.images[i]["status"] == "killed")
    assert (await client.get(f"/v2/images/{killed}")).status_code == 200  # listed never, but GET works
    deleted = next(i for i in cloud.images if cloud.images[i]["status"] == "deleted")
    assert (await client.get(f"/v2/images/{deleted}")).status_code == 404


async def test_filters(client: httpx.AsyncClient, cloud: DemoCloud) -> None:
    first = await create(client, name="fam:1", tags=["fam", "x"], colour="red", min_ram=512, protected=True)
    second = await create(client, name="fam-2", tags=["fam"], colour="blue", disk_format="raw")

    async def ids(**params: Any) -> set[str]:
        found, _ = await all_pages(client, [("tag", "fam"), *params.items()])
        return set(found)

    both = {first["id"], second["id"]}
    assert await ids() == both
    assert await ids(name="eq:fam:1") == {first["id"]}
    assert await ids(name="fam-2") == {second["id"]}
    assert await ids(name='in:"fam:1",fam-2') == both
    assert await ids(colour="red") == {first["id"]}
    assert await ids(protected="true") == {first["id"]}
    assert await ids(min_ram="512") == {first["id"]}
    assert await ids(disk_format="in:raw,iso") == {second["id"]}
    assert await ids(created_at=f"gt:{first['created_at']}") == {second["id"]}
    assert await ids(created_at=f"gte:{first['created_at']}") == both
    assert await ids(updated_at="lt:2000-01-01T00:00:00Z") == set()
    assert await ids(id=f"in:{first['id']}") == {first["id"]}
    found, _ = await all_pages(client, [("tag", "fam"), ("tag", "x")])
    assert set(found) == {first["id"]}
    for bad in (
        {"name": "fam:1"},
        {"protected": "yes"},
        {"os_hidden": "maybe"},
        {"created_at": "gte:yesterday"},
        {"created_at": "about:2026-01-01T00:00:00Z"},
        {"size_min": "big"},
        {"visibility": "everyone"},
        {"member_status": "maybe"},
        {"marker": str(uuid.uuid4())},
        {"status": 'in:"active'},
    ):
        assert (await client.get("/v2/images", params=bad)).status_code == 400, bad
    sized, _ = await all_pages(client, [("limit", 1000), ("size_min", 1024**3), ("size_max", 2 * 1024**3)])
    assert sized and all(1024**3 <= (cloud.images[i]["size"] or 0) <= 2 * 1024**3 for i in sized)


async def test_deleted_marker_admin_continues_project_gets_400(client: httpx.AsyncClient) -> None:
    owner = project("p-marker")
    for index in range(4):
        await create(client, owner, name=f"m{index}", tags=["mk"])
    page = (await client.get("/v2/images", params={"tag": "mk", "limit": 2}, headers=owner)).json()
    assert (await client.delete(f"/v2/images/{page['images'][-1]['id']}", headers=owner)).status_code == 204
    # Glance's admins can read soft-deleted rows, so only a project-scoped caller sees the stale marker
    assert (await client.get(page["next"])).status_code == 200
    stale = await client.get(page["next"], headers=owner)
    assert stale.status_code == 400 and "No image found" in stale.json()["message"]


# -- create ----------------------------------------------------------------------------------------------------


async def test_create_and_get(client: httpx.AsyncClient, cloud: DemoCloud) -> None:
    response = await client.post("/v2/images", json={"name": "new", "disk_format": "qcow2", "os_distro": "x"})
    assert response.status_code == 201
    image = response.json()
    assert response.headers["location"].endswith(f"/v2/images/{image['id']}")
    assert image["status"] == "queued" and image["size"] is None and image["visibility"] == "shared"
    assert image["owner"] is None and image["os_distro"] == "x" and image["tags"] == []
    assert image["created_at"] == "2026-11-20T12:00:01Z" == image["updated_at"]
    assert (await client.get(f"/v2/images/{image['id']}")).json() == image
    assert cloud.images[image["id"]]["name"] == "new"
    newest = (await client.get("/v2/images", params={"limit": 1})).json()["images"][0]
    assert newest["id"] == image["id"]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"status": "active"}, 403),
        ({"size": 5}, 403),
        ({"created_at": "2026-01-01T00:00:00Z"}, 403),
        ({"self": "/x"}, 403),
        ({"location": "http://x"}, 403),
        ({"deleted": "1"}, 403),
        ({"os_glance_import_task": "x"}, 403),
        ({"locations": []}, 403),
        ({"min_ram": "512"}, 400),
        ({"min_ram": -1}, 400),
        ({"protected": "true"}, 400),
        ({"disk_format": "floppy"}, 400),
        ({"visibility": "everyone"}, 400),
        ({"name": "x" * 256}, 400),
        ({"id": "not-a-uuid"}, 400),
        ({"hw_disk_bus": 5}, 400),
        ({"k" * 256: "v"}, 400),
        ({"tags": "a,b"}, 400),
        ({"tags": [str(i) for i in range(129)]}, 413),
        ({f"p{i}": "v" for i in range(129)}, 413),
    ],
)
async def test_create_refusals(client: httpx.AsyncClient, body: dict[str, Any], status: int) -> None:
    response = await client.post("/v2/images", json=body)
    assert response.status_code == status, response.text
    error = response.json()
    assert set(error) == {"code", "title", "message"} and error["code"].startswith(str(status))


async def test_create_body_errors(client: httpx.AsyncClient) -> None:
    assert (await client.post("/v2/images", content=b"[]")).status_code == 400
    assert (await client.post("/v2/images", content=b"{nope")).status_code == 400
    assert (await client.post("/v2/images", content=b'"text"')).status_code == 400
    assert (await client.post("/v2/images")).status_code == 400


async def test_duplicate_id_is_409(client: httpx.AsyncClient) -> None:
    image_id = str(uuid.uuid4())
    await create(client, id=image_id)
    assert (await client.post("/v2/images", json={"id": image_id})).status_code == 409
    await client.delete(f"/v2/images/{image_id}")
    # the soft-deleted row still owns the id
    assert (await client.post("/v2/images", json={"id": image_id})).status_code == 409


async def test_os_hash_attributes_are_ignored_on_create(client: httpx.AsyncClient) -> None:
    image = await create(client, os_hash_algo="md5", os_hash_value="abc")
    assert image["os_hash_algo"] is None and image["os_hash_value"] is None


# -- PATCH -----------------------------------------------------------------------------------------------------


async def test_patch_applies_in_order_and_saves_once(client: httpx.AsyncClient) -> None:
    image = await create(client, name="p", keep="1", drop="2")
    ops = [
        {"op": "replace", "path": "/name", "value": "renamed"},
        {"op": "add", "path": "/a~1b~0c", "value": "slash and tilde"},
        {"op": "add", "path": "/keep", "value": "overwritten"},
        {"op": "remove", "path": "/drop"},
        {"op": "replace", "path": "/tags", "value": ["t1", "t2", "t1"]},
        {"op": "replace", "path": "/min_ram", "value": 1024},
        {"op": "replace", "path": "/protected", "value": True},
        {"op": "replace", "path": "/name", "value": "renamed twice"},
    ]
    response = await patch(client, image["id"], ops)
    assert response.status_code == 200, response.text
    updated = response.json()
    assert updated["name"] == "renamed twice" and updated["a/b~c"] == "slash and tilde"
    assert updated["keep"] == "overwritten" and "drop" not in updated
    assert updated["tags"] == ["t1", "t2"] and updated["min_ram"] == 1024 and updated["protected"] is True
    assert updated["updated_at"] > image["updated_at"]
    unchanged = await patch(client, image["id"], [])
    assert unchanged.status_code == 200 and unchanged.json()["updated_at"] == updated["updated_at"]


@pytest.mark.parametrize(
    ("op", "status"),
    [
        ({"op": "replace", "path": "/status", "value": "active"}, 403),
        ({"op": "replace", "path": "/id", "value": str(uuid.uuid4())}, 403),
        ({"op": "replace", "path": "/size", "value": 1}, 403),
        ({"op": "replace", "path": "/checksum", "value": "x"}, 403),
        ({"op": "add", "path": "/os_glance_x", "value": "1"}, 403),
        ({"op": "add", "path": "/deleted", "value": "1"}, 403),
        ({"op": "add", "path": "/location", "value": "1"}, 403),
        ({"op": "remove", "path": "/min_ram"}, 403),
        ({"op": "remove", "path": "/name"}, 403),
        ({"op": "remove", "path": "/tags"}, 403),
        ({"op": "replace", "path": "/missing", "value": "1"}, 409),
        ({"op": "remove", "path": "/missing"}, 409),
        ({"op": "replace", "path": "/min_ram", "value": "512"}, 400),
        ({"op": "replace", "path": "/min_ram", "value": -1}, 400),
        ({"op": "replace", "path": "/protected", "value": "true"}, 400),
        ({"op": "replace", "path": "/visibility", "value": "everyone"}, 400),
        ({"op": "add", "path": "/custom", "value": 5}, 400),
        ({"op": "add", "path": "/custom", "value": None}, 400),
        ({"op": "add", "path": "/tags/-", "value": "x"}, 400),
        ({"op": "add", "path": "/tags/0", "value": "x"}, 400),
        ({"op": "move", "from": "/name", "path": "/x"}, 400),
        ({"op": "copy", "from": "/name", "path": "/x"}, 400),
        ({"op": "test", "path": "/name", "value": "p"}, 400),
        ({"op": "add", "path": "/novalue"}, 400),
        ({"op": "replace", "path": "/name"}, 400),
        ({"path": "/name", "value": "x"}, 400),
        ({"op": "add", "value": "x"}, 400),
        ({"op": "add", "path": "name", "value": "x"}, 400),
        ({"op": "add", "path": "/a~2", "value": "x"}, 400),
        ({"op": "add", "path": "/a//b", "value": "x"}, 400),
        ("not an object", 400),
        ({"op": "replace", "path": "/tags", "value": [str(i) for i in range(129)]}, 413),
        ({"op": "replace", "path": "/disk_format", "value": "raw"}, None),  # allowed: the image is queued
    ],
)
async def test_patch_rules(client: httpx.AsyncClient, op: Any, status: int | None) -> None:
    image = await create(client, name="p", keep="me")
    response = await patch(client, image["id"], [{"op": "replace", "path": "/name", "value": "changed"}, op])
    if status is None:
        assert response.status_code == 200
        return
    assert response.status_code == status, response.text
    assert (await client.get(f"/v2/images/{image['id']}")).json()["name"] == "p", "nothing half-applied"


async def test_patch_property_quota(client: httpx.AsyncClient) -> None:
    image = await create(client)
    ops = [{"op": "add", "path": f"/k{i}", "value": "v"} for i in range(129)]
    assert (await patch(client, image["id"], ops)).status_code == 413
    assert (await patch(client, image["id"], ops[:128])).status_code == 200


async def test_patch_formats_only_while_queued(client: httpx.AsyncClient, cloud: DemoCloud) -> None:
    active = next(i for i in cloud.images if cloud.images[i]["status"] == "active")
    response = await patch(client, active, [{"op": "replace", "path": "/disk_format", "value": "raw"}])
    assert response.status_code == 403


async def test_patch_media_types(client: httpx.AsyncClient) -> None:
    image = await create(client, colour="red")
    ops = [{"op": "replace", "path": "/name", "value": "x"}]
    wrong = await client.patch(f"/v2/images/{image['id']}", json=ops)
    assert wrong.status_code == 415
    assert "application/openstack-images-v2.1-json-patch" in wrong.headers["accept-patch"]
    # the old draft-4 form: {"add": path}; adding an existing key is a conflict there
    old = {"Content-Type": "application/openstack-images-v2.0-json-patch"}
    response = await client.patch(
        f"/v2/images/{image['id']}", content=json.dumps([{"replace": "/name", "value": "d4"}]), headers=old
    )
    assert response.status_code == 200 and response.json()["name"] == "d4"
    response = await client.patch(
        f"/v2/images/{image['id']}", content=json.dumps([{"add": "/colour", "value": "blue"}]), headers=old
    )
    assert response.status_code == 409
    missing = await patch(client, str(uuid.uuid4()), ops)
    assert missing.status_code == 404
    assert (await patch(client, image["id"], {"op": "add"})).status_code == 400


# -- delete and tags -------------------------------------------------------------------------------------------


async def test_delete(client: httpx.AsyncClient) -> None:
    image = await create(client, protected=True)
    refused = await client.delete(f"/v2/images/{image['id']}")
    assert refused.status_code == 403
    assert f"Image {image['id']} is protected and cannot be deleted." in refused.json()["message"]
    await patch(client, image["id"], [{"op": "replace", "path": "/protected", "value": False}])
    assert (await client.delete(f"/v2/images/{image['id']}")).status_code == 204
    assert (await client.get(f"/v2/images/{image['id']}")).status_code == 404
    assert (await client.delete(f"/v2/images/{image['id']}")).status_code == 404


async def test_tags(client: httpx.AsyncClient) -> None:
    image = await create(client, tags=["a"])
    assert (await client.put(f"/v2/images/{image['id']}/tags/blue sky")).status_code == 204
    assert (await client.put(f"/v2/images/{image['id']}/tags/a")).status_code == 204
    assert (await client.get(f"/v2/images/{image['id']}")).json()["tags"] == ["a", "blue sky"]
    assert (await client.delete(f"/v2/images/{image['id']}/tags/a")).status_code == 204
    assert (await client.delete(f"/v2/images/{image['id']}/tags/a")).status_code == 404
    assert (await client.put(f"/v2/images/{image['id']}/tags/{'t' * 256}")).status_code == 400
    assert (await client.put(f"/v2/images/{uuid.uuid4()}/tags/x")).status_code == 404


# -- 4-byte characters (tests/contract/test_strictness.py has what the lab's Glance agrees with) ---------------

ROCKET = "\U0001f680"


async def test_the_seeded_emoji_name_stays_listable_readable_renamable_and_deletable(
    client: httpx.AsyncClient, cloud: DemoCloud
) -> None:
    image_id = cloud.images.skeleton[8][0]
    name = cloud.images[image_id]["name"]
    assert ROCKET in name
    first_page = (await client.get("/v2/images", params={"limit": 25})).json()["images"]
    assert name in [image["name"] for image in first_page]
    assert (await client.get(f"/v2/images/{image_id}")).json()["name"] == name
    edit = await patch(client, image_id, [{"op": "replace", "path": "/min_ram", "value": 1}])
    assert edit.status_code == 400 and message(edit) == "Name can't contain 4 byte unicode characters."
    tagged = await client.put(f"/v2/images/{image_id}/tags/new")
    assert message(tagged) == "Could not update image: Name can't contain 4 byte unicode characters."
    # Glance answers 500 when removing a tag saves such a record; the demo gives PUT's 400 instead
    cloud.images[image_id]["tags"] = ["old"]
    untagged = await client.delete(f"/v2/images/{image_id}/tags/old")
    assert untagged.status_code == 400 and cloud.images[image_id]["tags"] == ["old"]
    assert (await client.delete(f"/v2/images/{image_id}")).status_code == 204


async def test_a_refused_four_byte_write_leaves_nothing_behind(client: httpx.AsyncClient, cloud: DemoCloud) -> None:
    # Glance writes tags after the image, in another transaction: it keeps the image (create) or the other
    # changes (PATCH) when a tag is refused. The demo refuses the whole request.
    count = len(cloud.images)
    refused = await client.post("/v2/images", json={"name": "orphan?", "tags": ["ok", ROCKET]})
    assert refused.status_code == 400 and len(cloud.images) == count
    image = await create(client, name="before", tags=["t"])
    ops = [{"op": "replace", "path": "/name", "value": "after"}, {"op": "replace", "path": "/tags", "value": [ROCKET]}]
    assert (await patch(client, image["id"], ops)).status_code == 400
    after = (await client.get(f"/v2/images/{image['id']}")).json()
    assert after["name"] == "before" and after["tags"] == ["t"]


async def test_a_patched_property_key_over_255_characters_is_refused(client: httpx.AsyncClient) -> None:
    # The lab's Glance accepts it on PATCH (only create checks the length) because SQLite ignores VARCHAR(255);
    # on MySQL, as real clouds run it, the write fails. The demo keeps create's 400.
    image = await create(client)
    response = await patch(client, image["id"], [{"op": "add", "path": "/" + "k" * 256, "value": "v"}])
    assert response.status_code == 400
    assert message(response) == "Custom property should not be greater than 255 characters."


# -- roles -----------------------------------------------------------------------------------------------------


async def test_the_owners_member_deactivates_and_a_reader_may_not(client: httpx.AsyncClient, cloud: DemoCloud) -> None:
    image_id = next(
        image_id
        for image_id, _ in cloud.images.skeleton
        if cloud.images[image_id]["owner"] == DEMO_PROJECT_ID and cloud.images[image_id]["status"] == "active"
    )
    reader = project(DEMO_PROJECT_ID, "reader")
    refused = await client.post(f"/v2/images/{image_id}/actions/deactivate", headers=reader)
    assert refused.status_code == 403 and message(refused) == "You are not authorized to complete deactivate action."
    other = await client.post(f"/v2/images/{image_id}/actions/deactivate", headers=project("someone-else"))
    assert other.status_code in (403, 404)
    member = project(DEMO_PROJECT_ID)
    assert (await client.post(f"/v2/images/{image_id}/actions/deactivate", headers=member)).status_code == 204
    assert cloud.images[image_id]["status"] == "deactivated"
    assert (await client.post(f"/v2/images/{image_id}/actions/reactivate", headers=member)).status_code == 204
    assert cloud.images[image_id]["status"] == "active"


async def test_roles_are_case_insensitive_and_trimmed(client: httpx.AsyncClient) -> None:
    shouting = project("loud", " Member , READER ")
    image = await create(client, shouting, name="loud")
    assert (await client.get(f"/v2/images/{image['id']}", headers=shouting)).status_code == 200


# -- errors ----------------------------------------------------------------------------------------------------


async def test_error_bodies_follow_accept(cloud: DemoCloud) -> None:
    missing = f"/v2/images/{uuid.uuid4()}"
    async with httpx.AsyncClient(transport=cloud.transport, base_url=DEMO_ENDPOINT) as plain_client:
        as_json = await plain_client.get(missing, headers=JSON)
        as_html = await plain_client.get(missing)
        as_text = await plain_client.get(missing, headers={"Accept": "text/plain"})
    assert as_json.json() == {
        "message": f"No image found with ID {missing.rsplit('/', 1)[1]}<br /><br />\n\n\n",
        "code": "404 Not Found",
        "title": "Not Found",
    }
    assert as_html.headers["content-type"].startswith("text/html") and "<h1>404 Not Found</h1>" in as_html.text
    assert as_text.text.startswith("404 Not Found\n\nNo image found")
    for response in (as_json, as_html, as_text):
        assert response.headers["x-openstack-request-id"].startswith("req-")


async def test_method_not_allowed_and_unknown_paths(client: httpx.AsyncClient) -> None:
    response = await client.put("/v2/images")
    assert response.status_code == 405 and response.headers["allow"] == "GET, POST"
    assert (await client.get("/v2/nothing")).status_code == 404
    assert (await client.get("/v1/images")).status_code == 300
    # the versions this (cache-less) Glance lists are the URL prefixes it accepts, and no others
    assert (await client.get("/v2.17/images", params={"limit": 1})).status_code == 200
    assert (await client.get("/v2.18/images", params={"limit": 1})).status_code == 300
    # a missing image does not turn another method on a member path into a 404
    missing = await client.post(f"/v2/images/{uuid.uuid4()}/members/someone")
    assert missing.status_code == 405 and missing.headers["allow"] == "GET, PUT, DELETE"


# -- identity and policy ---------------------------------------------------------------------------------------


async def test_projects_and_policy(client: httpx.AsyncClient) -> None:
    alice, bob, admin = project("alice"), project("bob"), project("ops", "admin,member")
    private = await create(client, alice, name="alice-private", visibility="private")
    assert private["owner"] == "alice"
    assert (await client.get(f"/v2/images/{private['id']}", headers=bob)).status_code == 404
    assert (await client.delete(f"/v2/images/{private['id']}", headers=bob)).status_code == 404
    renamed = [{"op": "replace", "path": "/name", "value": "stolen"}]
    assert (await patch(client, private["id"], renamed, **bob)).status_code == 404
    assert (await client.post("/v2/images", json={"visibility": "public"}, headers=bob)).status_code == 403
    assert (await client.post("/v2/images", json={"owner": "alice"}, headers=bob)).status_code == 403
    public = await create(client, admin, name="admin-public", visibility="public")
    assert (await client.get(f"/v2/images/{public['id']}", headers=bob)).status_code == 200
    assert (await patch(client, public["id"], renamed, **bob)).status_code == 403
    assert (await client.delete(f"/v2/images/{public['id']}", headers=bob)).status_code == 403
    to_public = [{"op": "replace", "path": "/visibility", "value": "public"}]
    assert (await patch(client, private["id"], to_public, **alice)).status_code == 403
    to_owner = [{"op": "replace", "path": "/owner", "value": "bob"}]
    assert (await patch(client, private["id"], to_owner, **alice)).status_code == 403
    assert (await patch(client, private["id"], to_owner, **admin)).status_code == 200


async def test_a_project_lists_only_what_it_may(client: httpx.AsyncClient, cloud: DemoCloud) -> None:
    me = project(DEMO_PROJECT_ID)
    seen, _ = await all_pages(client, [("limit", 1000), ("visibility", "all"), ("member_status", "all")])
    listed, _ = await all_pages(client, [("limit", 1000)], me)
    for image_id in listed:
        image = cloud.images[image_id]
        member = cloud.members.get(image_id, {}).get(DEMO_PROJECT_ID)
        assert (
            image["visibility"] == "public"
            or image["owner"] == DEMO_PROJECT_ID
            or (image["visibility"] == "shared" and member == "accepted")
        )
    assert any(cloud.images[i]["owner"] != DEMO_PROJECT_ID for i in listed)
    assert len(listed) < len(seen)
    shared, _ = await all_pages(client, [("limit", 1000), ("visibility", "shared")], me)
    assert any(cloud.images[i]["owner"] != DEMO_PROJECT_ID for i in shared)
    for image_id in shared:
        image = cloud.images[image_id]
        accepted = cloud.members.get(image_id, {}).get(DEMO_PROJECT_ID) == "accepted"
        assert image["visibility"] == "shared" and (image["owner"] == DEMO_PROJECT_ID or accepted)


# -- transport -------------------------------------------------------------------------------------------------


def test_sync_client_and_request_log() -> None:
    cloud = DemoCloud(image_count=5)
    with httpx.Client(transport=cloud.transport, base_url=DEMO_ENDPOINT) as client:
        assert len(client.get("/v2/images", params={"limit": 2}).json()["images"]) == 2
        assert client.get("/versions").status_code == 200
    assert cloud.request_log == [("GET", "/v2/images?limit=2"), ("GET", "/versions")]


async def test_empty_cloud(cloud: DemoCloud) -> None:
    empty = DemoCloud(empty=True)
    async with httpx.AsyncClient(transport=empty.transport, base_url=DEMO_ENDPOINT) as client:
        body = (await client.get("/v2/images")).json()
    assert body["images"] == [] and "next" not in body
