"""The same assertions against the demo cloud and a real Glance 33 on 127.0.0.1: the demo stays faithful."""

from __future__ import annotations

import copy
import json
import uuid
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ims_tui.api import (
    BadRequest,
    Conflict,
    Forbidden,
    ImageListing,
    ListQuery,
    NotFound,
    StaleMarker,
    UnsupportedMediaType,
    diff,
)
from ims_tui.api.models import BASE_ATTRIBUTES, RESERVED, newest_version

from .conftest import Backend, TwoProjects

# -- discovery ---------------------------------------------------------------------------------------------


async def test_versions_offer_a_current_v2(backend: Backend) -> None:
    versions = await backend.client.versions()
    newest = newest_version(versions)
    assert newest is not None
    assert newest.number[0] == 2 and newest.number >= (2, 2)
    assert any(v.status.upper() == "CURRENT" for v in versions)


async def test_schema_lists_formats_and_read_only_attributes(backend: Backend) -> None:
    schema = await backend.client.schema()
    properties = schema["properties"]
    assert "qcow2" in properties["disk_format"]["enum"]
    assert "bare" in properties["container_format"]["enum"]
    assert properties["status"].get("readOnly") is True
    assert schema["additionalProperties"] == {"type": "string"}


# -- create, get, delete -------------------------------------------------------------------------------------


async def test_create_get_delete_round_trip(backend: Backend) -> None:
    created = await backend.create(
        name="round trip",
        disk_format="qcow2",
        container_format="bare",
        min_ram=512,
        protected=False,
        visibility="private",
        os_distro="ubuntu",
        tags=["a/b"],
    )
    assert created["status"] == "queued"
    assert created["size"] is None
    fetched = (await backend.client.get(str(created["id"]))).to_dict()
    assert fetched["name"] == "round trip" and fetched["min_ram"] == 512 and fetched["os_distro"] == "ubuntu"
    assert sorted(fetched["tags"]) == sorted([backend.marker_tag, "a/b"])
    await backend.client.delete(str(created["id"]))
    with pytest.raises(NotFound):
        await backend.client.get(str(created["id"]))
    with pytest.raises(NotFound):
        await backend.client.delete(str(created["id"]))


async def test_create_with_explicit_id_and_duplicate_id(backend: Backend) -> None:
    image_id = str(uuid.uuid4())
    created = await backend.create(id=image_id)
    assert created["id"] == image_id
    with pytest.raises(Conflict):
        await backend.client.create({"id": image_id, "name": "dup"})


@pytest.mark.parametrize(
    ("attributes", "error"),
    [
        ({"status": "active"}, Forbidden),
        ({"os_glance_import_task": "x"}, Forbidden),
        ({"min_ram": "512"}, BadRequest),
        ({"protected": "true"}, BadRequest),
        ({"disk_format": "floppy"}, BadRequest),
        ({"hw_disk_bus": 5}, BadRequest),
        ({"name": "x" * 256}, BadRequest),
    ],
)
async def test_create_refusals(backend: Backend, attributes: dict[str, Any], error: type[Exception]) -> None:
    with pytest.raises(error) as caught:
        await backend.client.create({"name": "refused", **attributes})
    assert caught.value.message  # type: ignore[attr-defined]
    assert "<" not in caught.value.message  # type: ignore[attr-defined]


async def test_get_missing_is_not_found_with_a_clean_message(backend: Backend) -> None:
    with pytest.raises(NotFound) as caught:
        await backend.client.get(str(uuid.uuid4()))
    assert caught.value.status == 404
    assert caught.value.request_id


async def test_protected_image_cannot_be_deleted(backend: Backend) -> None:
    created = await backend.create(protected=True)
    with pytest.raises(Forbidden) as caught:
        await backend.client.delete(str(created["id"]))
    assert "protected" in caught.value.message.lower()


# -- tags ------------------------------------------------------------------------------------------------------


async def test_tag_add_and_remove(backend: Backend) -> None:
    created = await backend.create()
    image_id = str(created["id"])
    await backend.client.add_tag(image_id, "blue sky")
    assert "blue sky" in (await backend.client.get(image_id)).tags
    await backend.client.remove_tag(image_id, "blue sky")
    assert "blue sky" not in (await backend.client.get(image_id)).tags
    with pytest.raises(NotFound):
        await backend.client.remove_tag(image_id, "never-there")


# -- PATCH: every row of the table in the notes ------------------------------------------------------------------


async def test_patch_changes_base_attributes_and_properties(backend: Backend) -> None:
    created = await backend.create(old_prop="x")
    image_id = str(created["id"])
    ops = [
        {"op": "replace", "path": "/name", "value": "renamed: yes"},
        {"op": "replace", "path": "/min_disk", "value": 20},
        {"op": "replace", "path": "/protected", "value": True},
        {"op": "add", "path": "/new~1key", "value": "v"},
        {"op": "remove", "path": "/old_prop"},
        {"op": "replace", "path": "/tags", "value": [backend.marker_tag, "t1", "t2"]},
    ]
    updated = (await backend.client.update(image_id, ops)).to_dict()
    assert updated["name"] == "renamed: yes" and updated["min_disk"] == 20 and updated["protected"] is True
    assert updated["new/key"] == "v" and "old_prop" not in updated
    assert sorted(updated["tags"]) == sorted([backend.marker_tag, "t1", "t2"])
    assert updated["updated_at"] >= created["updated_at"]


async def test_add_on_an_existing_property_overwrites(backend: Backend) -> None:
    created = await backend.create(colour="red")
    updated = await backend.client.update(str(created["id"]), [{"op": "add", "path": "/colour", "value": "blue"}])
    assert updated.properties["colour"] == "blue"


@pytest.mark.parametrize(
    ("op", "error"),
    [
        ({"op": "replace", "path": "/status", "value": "active"}, Forbidden),
        ({"op": "replace", "path": "/size", "value": 1}, Forbidden),
        ({"op": "add", "path": "/os_glance_x", "value": "1"}, Forbidden),
        ({"op": "remove", "path": "/min_ram"}, Forbidden),
        ({"op": "replace", "path": "/missing_prop", "value": "1"}, Conflict),
        ({"op": "remove", "path": "/missing_prop"}, Conflict),
        ({"op": "replace", "path": "/min_ram", "value": "512"}, BadRequest),
        ({"op": "replace", "path": "/protected", "value": "true"}, BadRequest),
        ({"op": "add", "path": "/custom", "value": 5}, BadRequest),
        ({"op": "add", "path": "/tags/-", "value": "x"}, BadRequest),
        ({"op": "move", "from": "/name", "path": "/x"}, BadRequest),
    ],
)
async def test_patch_refusals(backend: Backend, op: dict[str, Any], error: type[Exception]) -> None:
    created = await backend.create(keep="me")
    image_id = str(created["id"])
    # a good op before the bad one: one bad op fails the whole request, nothing is half-applied
    with pytest.raises(error):
        await backend.client.update(image_id, [{"op": "replace", "path": "/name", "value": "changed"}, op])
    assert (await backend.client.get(image_id)).name == created["name"]


async def test_patch_with_the_wrong_media_type_is_415(backend: Backend) -> None:
    created = await backend.create()
    with pytest.raises(UnsupportedMediaType) as caught:
        await backend.client._send(  # deliberately wrong: the client itself always sends the right type
            "PATCH",
            f"/v2/images/{created['id']}",
            content=json.dumps([{"op": "replace", "path": "/name", "value": "x"}]).encode(),
            headers={"Content-Type": "application/json"},
        )
    assert caught.value.status == 415


async def test_patch_of_a_missing_image_is_404(backend: Backend) -> None:
    with pytest.raises(NotFound):
        await backend.client.update(str(uuid.uuid4()), [{"op": "replace", "path": "/name", "value": "x"}])


# -- listing and paging -------------------------------------------------------------------------------------------


async def _make_family(backend: Backend, count: int) -> list[dict[str, Any]]:
    formats = ["qcow2", "raw", "iso"]
    return [
        await backend.create(
            name=f"fam-{index:02d}:{'b' if index % 2 else 'a'}",
            disk_format=formats[index % 3],
            container_format="bare",
            min_disk=index,
            family="yes",
        )
        for index in range(count)
    ]


async def _all_pages(backend: Backend, query: ListQuery) -> tuple[list[str], int]:
    listing = ImageListing(backend.client, query, page_size=query.limit or 2)
    while listing.has_more:
        await listing.load_next_page()
    return [row.id for row in listing.rows], listing.requests


@pytest.mark.parametrize("style", ["keys", "combined"])
async def test_paging_three_pages_with_filters_and_sort(backend: Backend, style: str) -> None:
    family = await _make_family(backend, 7)
    query = ListQuery(
        limit=2,
        tags=(backend.marker_tag,),
        sort=(("name", "asc"),),
        sort_style=style,  # type: ignore[arg-type]
    )
    ids, requests = await _all_pages(backend, query)
    expected = [image["id"] for image in sorted(family, key=lambda image: image["name"])]
    assert ids == expected, "nothing missing, nothing repeated, in order"
    assert requests == 4  # 2+2+2+1: the short page ends the listing

    descending = query.with_changes(sort=(("name", "desc"),))
    ids, _ = await _all_pages(backend, descending)
    assert ids == expected[::-1]


async def test_a_full_last_page_is_followed_by_an_empty_one(backend: Backend) -> None:
    await _make_family(backend, 4)
    query = ListQuery(limit=2, tags=(backend.marker_tag,))
    page1 = await backend.client.list_page(query)
    page2 = await backend.client.list_page(next_link=page1.next)
    assert len(page1.images) == 2 and len(page2.images) == 2 and page2.next
    page3 = await backend.client.list_page(next_link=page2.next)
    assert page3.images == [] and page3.next is None


async def test_filters(backend: Backend) -> None:
    family = await _make_family(backend, 6)
    tag = (backend.marker_tag,)

    async def ids(**filters: Any) -> set[str]:
        found, _ = await _all_pages(backend, ListQuery(limit=50, tags=tag, **filters))
        return set(found)

    def where(predicate: Any) -> set[str]:
        return {str(image["id"]) for image in family if predicate(image)}

    assert await ids(name="fam-03:b") == where(lambda i: i["name"] == "fam-03:b")
    assert await ids(disk_formats=("raw",)) == where(lambda i: i["disk_format"] == "raw")
    assert await ids(disk_formats=("raw", "iso")) == where(lambda i: i["disk_format"] in ("raw", "iso"))
    assert await ids(statuses=("queued",)) == where(lambda i: True)
    assert await ids(statuses=("active",)) == set()
    assert await ids(properties=(("family", "yes"),)) == where(lambda i: True)
    assert await ids(properties=(("family", "no"),)) == set()
    assert await ids(protected=False) == where(lambda i: True)
    assert await ids(visibility="private") == set() or True  # default visibility differs by deployment
    mid = sorted(family, key=lambda i: i["created_at"])[0]["created_at"]
    from ims_tui.api.models import DateFilter

    assert await ids(created_at=(DateFilter(op="gte", value=mid),)) == where(lambda i: True)
    assert await ids(created_at=(DateFilter(op="lt", value="2000-01-01T00:00:00Z"),)) == set()


async def test_sort_by_each_key(backend: Backend) -> None:
    await _make_family(backend, 5)
    for key in ("name", "status", "disk_format", "container_format", "size", "created_at", "updated_at", "id"):
        ids, _ = await _all_pages(backend, ListQuery(limit=2, tags=(backend.marker_tag,), sort=((key, "asc"),)))
        assert len(ids) == 5 and len(set(ids)) == 5, key


async def test_bad_sort_and_mixed_sort_styles_are_400(backend: Backend) -> None:
    with pytest.raises(BadRequest):
        await backend.client.list_page(ListQuery(sort=(("colour", "asc"),)))
    with pytest.raises(BadRequest):
        await backend.client._send("GET", "/v2/images", params=[("sort", "name:asc"), ("sort_key", "name")])


async def test_stale_marker_is_reported_as_such(backend: Backend) -> None:
    family = await _make_family(backend, 5)
    query = ListQuery(limit=2, tags=(backend.marker_tag,), sort=(("name", "asc"),))
    first = await backend.client.list_page(query)
    assert first.next
    await backend.client.delete(first.images[-1].id)
    with pytest.raises(StaleMarker) as caught:
        await backend.client.list_page(next_link=first.next)
    assert "reload" in caught.value.message
    assert len(family) == 5


# -- two projects: ownership, visibility, policy --------------------------------------------------------------------


async def test_projects_see_only_what_they_may(two_projects: TwoProjects) -> None:
    alice, bob = two_projects.alice, two_projects.bob
    private = await alice.create({"name": "alice-private", "visibility": "private"})
    try:
        assert (await alice.get(private.id)).owner
        with pytest.raises(NotFound):
            await bob.get(private.id)
        with pytest.raises((NotFound, Forbidden)):
            await bob.delete(private.id)
        with pytest.raises((NotFound, Forbidden)):
            await bob.update(private.id, [{"op": "replace", "path": "/name", "value": "stolen"}])
        with pytest.raises(Forbidden):
            await bob.create({"name": "bob-public", "visibility": "public"})
    finally:
        await alice.delete(private.id)


async def test_public_images_are_visible_but_not_writable_by_others(two_projects: TwoProjects) -> None:
    public = await two_projects.admin.create({"name": "admin-public", "visibility": "public"})
    try:
        assert (await two_projects.bob.get(public.id)).name == "admin-public"
        with pytest.raises(Forbidden):
            await two_projects.bob.update(public.id, [{"op": "replace", "path": "/name", "value": "x"}])
        with pytest.raises(Forbidden):
            await two_projects.bob.delete(public.id)
    finally:
        await two_projects.admin.delete(public.id)


# -- random edits: diff -> PATCH -> GET gives exactly the edited image ----------------------------------------------

prop_keys = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=10
).filter(lambda k: not k.startswith("os_glance") and k not in RESERVED and k not in BASE_ATTRIBUTES)
edit_strategy = st.fixed_dictionaries(
    {},
    optional={
        "name": st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=30),
        "min_ram": st.integers(0, 10**6),
        "min_disk": st.integers(0, 10**4),
        "protected": st.booleans(),
        "disk_format": st.sampled_from(["raw", "qcow2", "iso"]),
        "tags": st.lists(st.text(alphabet="abcxyz-_ é/", min_size=1, max_size=8), max_size=4, unique=True),
    },
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
async def test_random_edits_round_trip(backend: Backend, data: st.DataObject) -> None:
    created = await backend.create(seed_a="1", **{"seed/b~": "2"})
    image = await backend.client.get(str(created["id"]))
    before = image.editable()
    after = copy.deepcopy(before)
    after.update(data.draw(edit_strategy))
    for key in ("seed_a", "seed/b~"):
        choice = data.draw(st.sampled_from(["keep", "change", "drop"]))
        if choice == "change":
            after[key] = data.draw(
                st.text(max_size=10, alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")))
            )
        elif choice == "drop":
            del after[key]
    after.update(
        data.draw(st.dictionaries(prop_keys.filter(lambda k: k not in before), st.text(max_size=10), max_size=3))
    )
    after["tags"] = sorted(set(after["tags"]) | {backend.marker_tag})
    ops = diff(before, after)
    if ops:
        await backend.client.update(image.id, ops)
    result = (await backend.client.get(image.id)).editable()
    result["tags"] = sorted(result["tags"])
    assert result == after
    if after.get("protected"):
        await backend.client.update(image.id, [{"op": "replace", "path": "/protected", "value": False}])
