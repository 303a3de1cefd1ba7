"""One bad image does not hide the others: a list entry that does not parse becomes a row marked bad, in its place,
and the listing's paging never uses an entry without an id as its marker."""

from __future__ import annotations

import json
import math
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ims_tui.api import ImageClient, ImageListing, ListQuery, MalformedResponse, StaleMarker
from ims_tui.api.image_rows import BadImageRow, ImagePage, ImageRow
from ims_tui.api.listing import PagingError
from ims_tui.demo import DEMO_ENDPOINT, DemoCloud

GOOD = {"id": "a1", "name": "good", "status": "active", "size": 10, "tags": []}


def test_each_image_parses_on_its_own() -> None:
    page = ImagePage.parse(
        {
            "images": [
                GOOD,
                {"id": "b2", "name": "null size", "virtual_size": "null"},
                {"name": "no id", "size": "big"},
                7,
                {"id": 5},
                {"id": " "},
                {**GOOD, "id": "c3"},
            ],
            "next": "/v2/images?marker=c3",
        }
    )
    assert [image.id for image in page.images] == ["a1", "c3"] and page.count == 7
    rows = page.rows()
    assert [row.id for row in rows] == ["a1", "b2", "?bad-2", "?bad-3", "?bad-4", "?bad-5", "c3"]
    assert [row.actionable for row in rows] == [True, True, False, False, False, False, True]
    assert [row.problem is None for row in rows] == [True, False, False, False, False, False, True]
    null_size = rows[1]
    assert isinstance(null_size, BadImageRow) and null_size.name == "null size"
    assert null_size.problem is not None and null_size.problem.startswith("virtual_size: ")
    assert "'null'" in null_size.problem
    assert null_size.raw == {"id": "b2", "name": "null size", "virtual_size": "null"}
    assert rows[2].name == "no id" and rows[2].problem is not None and rows[2].problem.startswith("no id; size: ")
    assert rows[3].problem == "not an image object but int 7" and rows[3].raw == 7
    assert rows[4].problem == "the id is int 5" and rows[5].problem == "an empty id"
    assert page.rows(label="4.")[2].id == "?bad-4.2"  # a listing labels them by page: unique among its rows
    last = page.last_with_id()
    assert last is not None and last.id == "c3"


def test_good_rows_carry_nothing_more() -> None:
    row = ImagePage.parse({"images": [GOOD]}).rows()[0]
    assert type(row) is ImageRow and not hasattr(row, "__dict__")
    assert row.problem is None and row.raw is None and row.actionable
    assert "problem" not in ImageRow.__slots__  # class attributes: no per-row cost


@pytest.mark.parametrize("data", [[GOOD], {"images": None}, {"images": {"a": GOOD}}, {"images": [], "next": 1}])
def test_a_page_that_is_not_one_still_fails(data: Any) -> None:
    with pytest.raises(MalformedResponse):
        ImagePage.parse(data)


# -- the listing ---------------------------------------------------------------------------------------------

Breaker = Callable[[list[Any], int], None]  # (the page's entries, the page's number) -> edits them in place


class Corrupting(httpx.AsyncBaseTransport):
    """The demo cloud, with every list answer passed through ``breaker``; records the markers sent."""

    def __init__(self, cloud: DemoCloud, breaker: Breaker) -> None:
        self.cloud = cloud
        self.breaker = breaker
        self.markers: list[str | None] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.cloud.transport.handle_async_request(request)
        if request.method != "GET" or request.url.path != "/v2/images":
            return response
        self.markers.append(request.url.params.get("marker"))
        body = json.loads(await response.aread())
        self.breaker(body["images"], len(self.markers))
        return httpx.Response(response.status_code, json=body, headers=response.headers, request=request)


async def _listing(breaker: Breaker, images: int = 40, page_size: int = 5) -> tuple[ImageListing, Corrupting]:
    cloud = DemoCloud(image_count=images)
    transport = Corrupting(cloud, breaker)
    return ImageListing(ImageClient(DEMO_ENDPOINT, transport=transport), page_size=page_size), transport


async def _clean_ids(images: int = 40) -> list[str]:
    client = ImageClient(DEMO_ENDPOINT, transport=DemoCloud(image_count=images).transport)
    return [image.id for image in (await client.list_page(ListQuery(limit=1000))).images]


def _no_id_at(position: int, pages: set[int] | None = None) -> Breaker:
    def breaker(entries: list[Any], page: int) -> None:
        if entries and (pages is None or page in pages) and -len(entries) <= position < len(entries):
            entries[position].pop("id")

    return breaker


async def test_a_bad_image_in_the_middle_is_a_row_in_its_place() -> None:
    def breaker(entries: list[Any], page: int) -> None:
        if page == 2:
            entries[1]["virtual_size"] = "null"
            entries[2] = "junk"

    listing, transport = await _listing(breaker)
    clean = await _clean_ids()
    await listing.ensure_loaded(10_000)
    assert len(listing) == len(clean)
    assert listing.rows[6].id == clean[6] and listing.rows[6].problem and listing.rows[6].actionable
    assert listing.rows[7].id.startswith("?bad-") and not listing.rows[7].actionable
    assert [row.id for row in listing.rows if row.actionable] == [id_ for i, id_ in enumerate(clean) if i != 7]
    assert listing.position_of(clean[6]) == 6 and listing.position_of(listing.rows[7].id) == 7
    assert listing.requests == len(transport.markers) == math.ceil(len(clean) / 5) + (len(clean) % 5 == 0)


async def test_a_page_ending_without_an_id_goes_on_from_the_last_id_it_has() -> None:
    listing, transport = await _listing(_no_id_at(-1, pages={1}))  # the first page's last image, once
    clean = await _clean_ids()
    await listing.ensure_loaded(10_000)
    assert [row.id for row in listing.rows] == clean  # shown once, with its id, at the head of page 2
    assert transport.markers[1] == clean[3]
    for marker in transport.markers[1:]:
        assert marker is not None and marker in {row.id for row in listing.rows}


async def test_every_page_ending_without_an_id_still_lists_everything() -> None:
    listing, transport = await _listing(_no_id_at(-1))  # a hostile cloud: always the last one
    clean = await _clean_ids()
    await listing.ensure_loaded(10_000)
    # each page's last image comes again, not last, on the next page; the list's very last one stays bad
    assert [row.id for row in listing.rows[:-1]] == clean[:-1]
    assert not listing.rows[-1].actionable and listing.rows[-1].name is not None
    assert all(marker in clean for marker in transport.markers[1:])


async def test_a_page_with_no_id_at_all_fails_clearly_and_can_be_retried() -> None:
    broken = [True]

    def breaker(entries: list[Any], page: int) -> None:
        if page == 2 and broken[0]:
            for entry in entries:
                entry.pop("id")

    listing, _ = await _listing(breaker)
    await listing.ensure_loaded(0)
    with pytest.raises(PagingError) as caught:
        await listing.load_next_page()
    assert caught.value.needs_reload is False and "none has an id" in caught.value.message
    assert len(listing) == 5 and listing.pages_loaded == 1  # nothing half-applied
    broken[0] = False
    assert len(await listing.load_next_page()) == 5


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sets(st.integers(0, 23), max_size=8), st.sets(st.integers(0, 23), max_size=4), st.integers(3, 7))
async def test_paging_invariants_hold_whatever_breaks(no_id: set[int], bad_field: set[int], size: int) -> None:
    clean = await _clean_ids(24)
    broken_ids = {clean[i]: "no_id" for i in no_id if i < len(clean)}
    broken_ids |= {clean[i]: "field" for i in bad_field if i < len(clean) and clean[i] not in broken_ids}

    def breaker(entries: list[Any], page: int) -> None:
        for entry in entries:
            how = broken_ids.get(entry["id"])
            if how == "no_id":
                entry["was"] = entry.pop("id")
            elif how == "field":
                entry["size"] = "not a number"

    listing, transport = await _listing(breaker, images=24, page_size=size)
    try:
        await listing.ensure_loaded(10_000)
    except PagingError as exc:  # only when a whole page has no id
        assert "none has an id" in exc.message
        return
    ids = [row.id for row in listing.rows]
    assert len(ids) == len(set(ids))
    assert [row.raw.get("was") if not row.actionable else row.id for row in listing.rows] == clean
    assert all(row.problem for row in listing.rows if row.id in broken_ids or not row.actionable)
    assert all(marker is None or marker in ids for marker in transport.markers)
    assert all(listing.position_of(row.id) == i for i, row in enumerate(listing.rows))


# -- paging failures that need a reload -------------------------------------------------------------------------


class BogusNext(httpx.AsyncBaseTransport):
    """The demo cloud, but the first list answer's ``next`` link names ``marker`` (an image that is not there)."""

    def __init__(self, marker: str) -> None:
        self.cloud = DemoCloud(image_count=40)
        self.marker = marker
        self.lists = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.cloud.transport.handle_async_request(request)
        if request.url.path != "/v2/images" or request.method != "GET":
            return response
        self.lists += 1
        body = json.loads(await response.aread())
        if self.lists == 1:
            body["next"] = f"/v2/images?limit=5&marker={self.marker}"
        return httpx.Response(response.status_code, json=body, headers=response.headers, request=request)


@pytest.mark.parametrize("marker", [str(uuid.uuid4()), "not-an-id"])
async def test_a_next_link_to_a_missing_marker_needs_a_reload(marker: str) -> None:
    listing = ImageListing(ImageClient(DEMO_ENDPOINT, transport=BogusNext(marker)), page_size=5)
    await listing.ensure_loaded(0)
    assert listing.next_marker == marker
    with pytest.raises(StaleMarker) as caught:
        await listing.load_next_page()
    assert caught.value.needs_reload is True
