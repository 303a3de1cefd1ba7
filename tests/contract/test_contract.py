"""The same assertions against the demo cloud and a real Glance 33 on 127.0.0.1: the demo stays faithful."""

from __future__ import annotations

import contextlib
import copy
import json
import uuid
from typing import Any
from urllib.parse import parse_qsl, urlsplit

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
from ims_tui.api.listing import PagingError
from ims_tui.api.models import BASE_ATTRIBUTES, SORT_KEYS, Image, newest_version
from ims_tui.api.patch import PatchError, check_patchable_key, check_property_key

from .conftest import Backend, TwoProjects

# -- discovery ---------------------------------------------------------------------------------------------


async def test_versions_offer_a_current_v2(common_backend: Backend) -> None:
    versions = await common_backend.client.versions()
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


async def test_create_get_delete_round_trip(common_backend: Backend) -> None:
    created = await common_backend.create(
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
    fetched = (await common_backend.client.get(str(created["id"]))).to_dict()
    assert fetched["name"] == "round trip" and fetched["min_ram"] == 512 and fetched["os_distro"] == "ubuntu"
    assert sorted(fetched["tags"]) == sorted([common_backend.marker_tag, "a/b"])
    await common_backend.client.delete(str(created["id"]))
    with pytest.raises(NotFound):
        await common_backend.client.get(str(created["id"]))
    with pytest.raises(NotFound):
        await common_backend.client.delete(str(created["id"]))


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
async def test_create_refusals(common_backend: Backend, attributes: dict[str, Any], error: type[Exception]) -> None:
    with pytest.raises(error) as caught:
        await common_backend.client.create({"name": "refused", **attributes})
    assert caught.value.message  # type: ignore[attr-defined]
    assert "<" not in caught.value.message  # type: ignore[attr-defined]


async def test_get_missing_is_not_found_with_a_clean_message(common_backend: Backend) -> None:
    with pytest.raises(NotFound) as caught:
        await common_backend.client.get(str(uuid.uuid4()))
    assert caught.value.status == 404
    assert caught.value.request_id


async def test_protected_image_cannot_be_deleted(common_backend: Backend) -> None:
    created = await common_backend.create(protected=True)
    with pytest.raises(Forbidden) as caught:
        await common_backend.client.delete(str(created["id"]))
    assert "protected" in caught.value.message.lower()


# -- tags ------------------------------------------------------------------------------------------------------


async def test_tag_add_and_remove(common_backend: Backend) -> None:
    created = await common_backend.create()
    image_id = str(created["id"])
    await common_backend.client.add_tag(image_id, "blue sky")
    assert "blue sky" in (await common_backend.client.get(image_id)).tags
    await common_backend.client.remove_tag(image_id, "blue sky")
    assert "blue sky" not in (await common_backend.client.get(image_id)).tags
    with pytest.raises(NotFound):
        await common_backend.client.remove_tag(image_id, "never-there")


# -- PATCH: every row of the table in the notes ------------------------------------------------------------------


async def test_patch_changes_base_attributes_and_properties(common_backend: Backend) -> None:
    created = await common_backend.create(old_prop="x")
    image_id = str(created["id"])
    ops = [
        {"op": "replace", "path": "/name", "value": "renamed: yes"},
        {"op": "replace", "path": "/min_disk", "value": 20},
        {"op": "replace", "path": "/protected", "value": True},
        {"op": "add", "path": "/new~1key", "value": "v"},
        {"op": "remove", "path": "/old_prop"},
        {"op": "replace", "path": "/tags", "value": [common_backend.marker_tag, "t1", "t2"]},
    ]
    updated = (await common_backend.client.update(image_id, ops)).to_dict()
    assert updated["name"] == "renamed: yes" and updated["min_disk"] == 20 and updated["protected"] is True
    assert updated["new/key"] == "v" and "old_prop" not in updated
    assert sorted(updated["tags"]) == sorted([common_backend.marker_tag, "t1", "t2"])
    assert updated["updated_at"] >= created["updated_at"]


async def test_add_on_an_existing_property_overwrites(common_backend: Backend) -> None:
    created = await common_backend.create(colour="red")
    updated = await common_backend.client.update(
        str(created["id"]), [{"op": "add", "path": "/colour", "value": "blue"}]
    )
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
async def test_patch_refusals(common_backend: Backend, op: dict[str, Any], error: type[Exception]) -> None:
    created = await common_backend.create(keep="me")
    image_id = str(created["id"])
    # a good op before the bad one: one bad op fails the whole request, nothing is half-applied
    with pytest.raises(error):
        await common_backend.client.update(image_id, [{"op": "replace", "path": "/name", "value": "changed"}, op])
    assert (await common_backend.client.get(image_id)).name == created["name"]


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


async def test_patch_of_a_missing_image_is_404(common_backend: Backend) -> None:
    with pytest.raises(NotFound):
        await common_backend.client.update(str(uuid.uuid4()), [{"op": "replace", "path": "/name", "value": "x"}])


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
async def test_paging_three_pages_with_filters_and_sort(common_backend: Backend, style: str) -> None:
    family = await _make_family(common_backend, 7)
    query = ListQuery(
        limit=2,
        tags=(common_backend.marker_tag,),
        sort=(("name", "asc"),),
        sort_style=style,  # type: ignore[arg-type]
    )
    ids, requests = await _all_pages(common_backend, query)
    expected = [image["id"] for image in sorted(family, key=lambda image: image["name"])]
    assert ids == expected, "nothing missing, nothing repeated, in order"
    assert requests == 4  # 2+2+2+1: the short page ends the listing

    descending = query.with_changes(sort=(("name", "desc"),))
    ids, _ = await _all_pages(common_backend, descending)
    assert ids == expected[::-1]


async def test_a_full_last_page_is_followed_by_an_empty_one(common_backend: Backend) -> None:
    await _make_family(common_backend, 4)
    query = ListQuery(limit=2, tags=(common_backend.marker_tag,))
    page1 = await common_backend.client.list_page(query)
    page2 = await common_backend.client.list_page(next_link=page1.next)
    assert len(page1.images) == 2 and len(page2.images) == 2 and page2.next
    page3 = await common_backend.client.list_page(next_link=page2.next)
    assert page3.images == [] and page3.next is None


async def test_filters(common_backend: Backend) -> None:
    family = await _make_family(common_backend, 6)
    tag = (common_backend.marker_tag,)

    async def ids(**filters: Any) -> set[str]:
        found, _ = await _all_pages(common_backend, ListQuery(limit=50, tags=tag, **filters))
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


async def test_sort_by_each_key_lists_every_image_once_in_order(common_backend: Backend) -> None:
    # Five images without data (size null) and three with: sorting by size must still list all eight. Glance
    # cannot page on from an image whose size is null (see NULLABLE_SORT_KEYS in ims_tui/api/listing.py: on
    # SQLite the next page is empty ascending and starts over descending); the listing grows the page instead.
    family = await _make_family(common_backend, 5)
    family += await common_backend.create_with_data([30, 10, 20])
    everyone = sorted(str(image["id"]) for image in family)
    for key in SORT_KEYS:
        for direction in ("asc", "desc"):
            query = ListQuery(limit=3, tags=(common_backend.marker_tag,), sort=((key, direction),))
            ids, _ = await _all_pages(common_backend, query)
            assert sorted(ids) == everyone, f"{key} {direction}: every image exactly once"
            # in order: the same order as one request for everything (no marker involved) ...
            one_shot = (await common_backend.client.list_page(query.with_changes(limit=1000))).images
            assert ids == [image.id for image in one_shot], f"{key} {direction}"
            # ... which is sorted by the key, wherever a server puts the images without a value
            values = [getattr(image, key) for image in one_shot if getattr(image, key) is not None]
            assert values == sorted(values, reverse=direction == "desc"), f"{key} {direction}"


async def test_a_size_sort_cannot_page_past_more_images_without_size_than_one_page_holds(backend: Backend) -> None:
    await _make_family(backend, 5)
    listing = ImageListing(backend.client, ListQuery(tags=(backend.marker_tag,), sort=(("size", "asc"),)), 2)
    listing.max_page_size = 4  # stands in for Glance's api_limit_max (1000) with fewer images to create
    with pytest.raises(PagingError, match="no size"):
        while listing.has_more:
            await listing.load_next_page()
    assert listing.rows == []


async def test_paging_keeps_every_repeated_filter_and_sort_key(common_backend: Backend) -> None:
    # Glance's "next" link keeps only the last tag and the last sort key: following it from page 2 on would
    # list the decoy with only the second tag, and sort by id instead of name.
    second = common_backend.marker_tag + "-2"
    both = [await common_backend.create(name=f"both-{index}", tags=[second]) for index in range(5)]
    await common_backend.create(name="both-3-first-tag-only")
    decoy = await common_backend.client.create({"name": "both-3-second-tag-only", "tags": [second]})
    common_backend.created.append(decoy.id)
    query = ListQuery(limit=2, tags=(common_backend.marker_tag, second), sort=(("name", "desc"), ("id", "asc")))
    first = await common_backend.client.list_page(query)
    link = parse_qsl(urlsplit(first.next or "").query)
    assert [value for key, value in link if key == "tag"] == [second]
    assert [value for key, value in link if key == "sort_key"] == ["id"]
    ids, requests = await _all_pages(common_backend, query)
    assert ids == [image["id"] for image in sorted(both, key=lambda image: image["name"], reverse=True)]
    assert requests == 3


async def test_bad_sort_and_mixed_sort_styles_are_400(common_backend: Backend) -> None:
    with pytest.raises(BadRequest):
        await common_backend.client.list_page(ListQuery(sort=(("colour", "asc"),)))
    with pytest.raises(BadRequest):
        await common_backend.client._send("GET", "/v2/images", params=[("sort", "name:asc"), ("sort_key", "name")])


async def test_stale_marker_is_reported_as_such(two_projects: TwoProjects) -> None:
    # A project's own user, not the noauth admin: Glance lets an admin read soft-deleted rows, so an admin pages
    # on from a deleted marker (asserted at the end), while everyone else gets a 400 that names the image.
    alice, tag = two_projects.alice, "stale-" + uuid.uuid4().hex[:8]
    created = [await alice.create({"name": f"stale-{index}", "tags": [tag]}) for index in range(5)]
    try:
        query = ListQuery(limit=2, tags=(tag,), sort=(("name", "asc"),))
        listing = ImageListing(alice, query)
        await listing.load_next_page()
        assert listing.next_link is not None
        gone = listing.rows[-1].id
        await alice.delete(gone)
        with pytest.raises(StaleMarker) as caught:
            await listing.load_next_page()
        assert "reload" in caught.value.message
        with pytest.raises(StaleMarker):
            await alice.list_page(next_link=listing.next_link)
        page = await two_projects.admin.list_page(query, marker=gone)
        assert [image.name for image in page.images] == ["stale-2", "stale-3"]
    finally:
        for image in created:
            with contextlib.suppress(NotFound):
                await alice.delete(image.id)


async def test_a_marker_no_longer_visible_is_stale_too(two_projects: TwoProjects) -> None:
    admin, bob, tag = two_projects.admin, two_projects.bob, "vis-" + uuid.uuid4().hex[:8]
    created = [await admin.create({"name": f"vis-{i}", "visibility": "public", "tags": [tag]}) for i in range(3)]
    try:
        listing = ImageListing(bob, ListQuery(limit=2, tags=(tag,), sort=(("name", "asc"),)))
        await listing.load_next_page()
        hidden = listing.rows[-1].id
        await admin.update(hidden, [{"op": "replace", "path": "/visibility", "value": "private"}])
        with pytest.raises(StaleMarker) as caught:
            await listing.load_next_page()
        assert caught.value.status == 403 and hidden in caught.value.message
    finally:
        for image in created:
            await admin.delete(image.id)


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


def _is_property_key(key: str) -> bool:
    """A key the client lets a user add as a custom property (no base attribute, reserved name, padding, ...)."""
    if key in BASE_ATTRIBUTES:
        return False
    try:
        check_property_key(key)
        check_patchable_key(key)
    except PatchError:
        return False
    return True


# Glance refuses characters beyond U+FFFF (see test_four_byte_characters_are_refused): none in the edits.
printable = st.characters(max_codepoint=0xFFFF, exclude_categories=("Cs", "Cc"))
any_bmp = st.characters(max_codepoint=0xFFFF, exclude_categories=("Cs",))
prop_keys = st.one_of(
    st.text(alphabet=printable, min_size=1, max_size=10),
    st.sampled_from(["a/b", "~", "~1", "/", "a~/b", "a b", "ключ", "键/值"]),
).filter(_is_property_key)
edit_strategy = st.fixed_dictionaries(
    {},
    optional={
        "name": st.text(alphabet=printable, max_size=30),
        "min_ram": st.integers(0, 10**6),
        "min_disk": st.integers(0, 10**4),
        "protected": st.booleans(),
        "disk_format": st.sampled_from(["raw", "qcow2", "iso"]),
        "tags": st.lists(st.text(alphabet="abcxyz-_ é/", min_size=1, max_size=8), max_size=4, unique=True),
    },
)
SEED_PROPERTIES = {"seed_a": "1", "seed/b~": "2"}


async def _edit_subject(backend: Backend) -> Image:
    """The test's one image, put back to how it was created: one image per test rather than one per example
    (a create, and a delete at teardown, per example made this the slowest test on the real Glance)."""
    scratch = backend.scratch
    if "id" not in scratch:
        created = await backend.create(disk_format="qcow2", container_format="bare", **SEED_PROPERTIES)
        scratch["id"] = str(created["id"])
        scratch["start"] = (await backend.client.get(scratch["id"])).editable()
    # the state the previous example saw last, or a fresh GET if it failed before seeing it
    current = scratch.pop("now", None) or await backend.client.get(scratch["id"])
    ops = diff(current.editable(), scratch["start"])
    image = await backend.client.update(current.id, ops) if ops else current
    assert image.editable() == scratch["start"]
    return image


async def _random_edit_round_trip(backend: Backend, data: st.DataObject) -> None:
    image = await _edit_subject(backend)
    before = image.editable()
    after = copy.deepcopy(before)
    after.update(data.draw(edit_strategy))
    for key in SEED_PROPERTIES:
        choice = data.draw(st.sampled_from(["keep", "change", "drop"]))
        if choice == "change":
            after[key] = data.draw(st.text(max_size=10, alphabet=printable))
        elif choice == "drop":
            del after[key]
    after.update(
        data.draw(
            st.dictionaries(prop_keys.filter(lambda k: k not in before), st.text(any_bmp, max_size=10), max_size=3)
        )
    )
    after["tags"] = sorted(set(after["tags"]) | {backend.marker_tag})
    ops = diff(before, after)
    if ops:
        await backend.client.update(image.id, ops)
    fetched = await backend.client.get(image.id)
    backend.scratch["now"] = fetched
    result = fetched.editable()
    result["tags"] = sorted(result["tags"])
    assert result == after


# The same property on both backends, with fewer examples on the real Glance: an example there is 3 requests to
# a single-worker Glance on SQLite, two of them multi-op PATCHes of 0.1-0.6 s each (~0.4 s an example); the
# in-process demo runs five times as many for breadth, and tests/unit/test_patch.py 600 against jsonpatch.
@pytest.mark.parametrize("backend", ["demo"], indirect=True)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
async def test_random_edits_round_trip(backend: Backend, data: st.DataObject) -> None:
    await _random_edit_round_trip(backend, data)


@pytest.mark.parametrize("backend", ["glance"], indirect=True)
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
async def test_random_edits_round_trip_on_glance(backend: Backend, data: st.DataObject) -> None:
    await _random_edit_round_trip(backend, data)


async def test_whitespace_around_a_patch_path_segment_is_stripped(backend: Backend) -> None:
    # Why check_patchable_key refuses keys with leading or trailing whitespace: "/ colour " reaches "colour".
    created = await backend.create(colour="red")
    updated = await backend.client.update(
        str(created["id"]), [{"op": "replace", "path": "/ colour\t", "value": "blue"}]
    )
    assert updated.properties["colour"] == "blue"
    assert set(updated.properties) == {"colour"}


@pytest.mark.parametrize(
    ("op", "message"),
    [
        (
            {"op": "replace", "path": "/name", "value": "rocket \U0001f680"},
            "Name can't contain 4 byte unicode characters.",
        ),
        ({"op": "add", "path": "/colour", "value": "\U0001f427"}, "Colour can't contain 4 byte unicode characters."),
        ({"op": "add", "path": "/\U0001f427", "value": "penguin"}, "Property names can't contain 4 byte unicode."),
        ({"op": "replace", "path": "/tags", "value": ["\U0001f427"]}, "Param values can't contain 4 byte unicode."),
    ],
)
async def test_four_byte_characters_are_refused(backend: Backend, op: dict[str, Any], message: str) -> None:
    # Why diff refuses them before sending (glance.common.utils.no_4byte_params guards every image write).
    created = await backend.create(colour="red")
    with pytest.raises(BadRequest, match="4 byte") as caught:
        await backend.client.update(str(created["id"]), [op])
    assert caught.value.message == message
    after = (await backend.client.get(str(created["id"]))).to_dict()
    assert {key: after[key] for key in ("name", "colour", "tags")} == {
        key: created[key] for key in ("name", "colour", "tags")
    }
