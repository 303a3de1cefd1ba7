"""Client behaviour a user notices: retries only where safe, clean errors from bad answers, read-only refusal,
and a listing that never asks twice for the same page."""

from __future__ import annotations

import asyncio
import json
import math
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

from ims_tui.api import (
    Conflict,
    ImageClient,
    ImageListing,
    ListQuery,
    MalformedResponse,
    NetworkError,
    ReadOnlyError,
    ServerError,
)
from ims_tui.api.client import marker_of, new_image_id, normalize_endpoint
from ims_tui.api.listing import PagingError
from ims_tui.demo import DEMO_ENDPOINT, DemoCloud

Fault = Callable[[httpx.Request], httpx.Response | None]


class FaultyTransport(httpx.AsyncBaseTransport):
    """Wraps the demo cloud and lets a test decide, request by request, to break the answer."""

    def __init__(self, inner: httpx.AsyncBaseTransport, fault: Fault) -> None:
        self.inner = inner
        self.fault = fault
        self.seen: list[str] = []
        self.requests: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(f"{request.method} {request.url.path}")
        self.requests.append(request)
        broken = self.fault(request)
        if broken is not None:
            return broken
        return await self.inner.handle_async_request(request)


def _client(fault: Fault, **kwargs: object) -> tuple[ImageClient, FaultyTransport]:
    transport = FaultyTransport(DemoCloud(image_count=30).transport, fault)
    return ImageClient(DEMO_ENDPOINT, transport=transport, backoff=0, **kwargs), transport  # type: ignore[arg-type]


def _fail_times(n: int, make: Callable[[httpx.Request], httpx.Response]) -> Fault:
    left = [n]

    def fault(request: httpx.Request) -> httpx.Response | None:
        if left[0] > 0:
            left[0] -= 1
            return make(request)
        return None

    return fault


def _refuse(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("connection refused", request=request)


async def test_gets_are_retried_on_gateway_errors_then_succeed() -> None:
    client, transport = _client(_fail_times(2, lambda r: httpx.Response(503, text="busy", request=r)))
    page = await client.list_page(ListQuery(limit=5))
    assert len(page.images) == 5
    assert len(transport.seen) == 3


async def test_gets_are_retried_on_connect_errors_but_bounded() -> None:
    client, transport = _client(_refuse, retries=2)
    with pytest.raises(NetworkError) as caught:
        await client.get("x")
    assert len(transport.seen) == 3
    assert "cannot connect" in caught.value.message


async def test_writes_are_never_retried() -> None:
    client, transport = _client(_fail_times(1, lambda r: httpx.Response(503, text="busy", request=r)))
    with pytest.raises(ServerError):
        await client.create({"name": "once"})
    assert transport.seen == ["POST /v2/images"]


async def test_500_is_not_retried() -> None:
    client, transport = _client(_fail_times(5, lambda r: httpx.Response(500, text="boom", request=r)))
    with pytest.raises(ServerError) as caught:
        await client.get("x")
    assert len(transport.seen) == 1
    assert caught.value.message == "boom"


@pytest.mark.parametrize(
    "body",
    [
        b"<html><body>Proxy error</body></html>",
        b"not json at all",
        b'{"images": "nope"}',
        b'{"images": [], "next": 5}',
        b"",
    ],
)
async def test_malformed_list_answers_become_typed_errors(body: bytes) -> None:
    client, _ = _client(lambda r: httpx.Response(200, content=body, request=r, headers={"x-request-id": "rq"}))
    with pytest.raises(MalformedResponse) as caught:
        await client.list_page()
    assert caught.value.message
    assert caught.value.request_id == "rq"


async def test_dropped_connection_mid_answer_is_a_network_error() -> None:
    def drop(request: httpx.Request) -> httpx.Response:
        raise httpx.RemoteProtocolError("peer closed connection", request=request)

    client, _ = _client(drop)
    with pytest.raises(NetworkError, match="dropped"):
        await client.update("x", [])


async def test_a_closed_client_answers_with_an_api_error_and_sends_nothing() -> None:
    # A worker of a cloud switched away from (the live watch, the detail pane) may still ask after the close:
    # httpx's bare RuntimeError took the app down.
    client, transport = _client(lambda request: None)
    await client.aclose()
    with pytest.raises(NetworkError, match="another cloud was opened"):
        await client.list_page(ListQuery())
    assert transport.requests == []


async def test_read_only_client_refuses_every_write_before_sending() -> None:
    client, transport = _client(lambda r: None, read_only=True)
    for call in (
        client.create({"name": "x"}),
        client.update("x", []),
        client.delete("x"),
        client.add_tag("x", "t"),
        client.remove_tag("x", "t"),
    ):
        with pytest.raises(ReadOnlyError):
            await call
    assert transport.seen == []
    assert (await client.list_page(ListQuery(limit=1))).images


def test_endpoint_forms_are_normalised() -> None:
    for form in ("http://h:9292", "http://h:9292/", "http://h:9292/v2", "http://h:9292/v2/"):
        assert normalize_endpoint(form) == "http://h:9292"
    client = ImageClient("https://cloud/image/v2")
    assert client.resolve_link("/v2/images?marker=a") == "https://cloud/image/v2/images?marker=a"
    assert client.resolve_link("/image/v2/images?marker=a") == "https://cloud/image/v2/images?marker=a"
    assert client.resolve_link("http://inner:9292/v2/images?x=1") == "https://cloud/image/v2/images?x=1"


async def test_listing_loads_only_the_pages_needed_one_at_a_time() -> None:
    cloud = DemoCloud(image_count=100)
    client = ImageClient(DEMO_ENDPOINT, transport=cloud.transport)
    # Not every seeded image lists (hidden, community, killed, deleted, other projects' ...): ask the cloud, in
    # one request, which ones a default listing shows and in what order.
    everything = await client.list_page(ListQuery(limit=1000))
    listable = [image.id for image in everything.images]
    assert 30 < len(listable) < 1000 and everything.next is None
    listing = ImageListing(client, page_size=10)
    # many concurrent callers wanting rows in the first three pages: exactly three requests
    results = await asyncio.gather(*(listing.ensure_loaded(i) for i in (5, 25, 25, 0, 29, 12)))
    assert all(results)
    assert listing.requests == 3 and len(listing) == 30
    assert len({row.id for row in listing.rows}) == 30
    assert not await listing.ensure_loaded(10_000)
    assert listing.complete and [row.id for row in listing.rows] == listable
    # Glance sends "next" after every full page, so a full last page is followed by an empty one.
    empty_last_page = 1 if len(listable) % 10 == 0 else 0
    assert listing.requests == math.ceil(len(listable) / 10) + empty_last_page


async def test_reset_drops_a_page_in_flight_for_the_old_query() -> None:
    cloud = DemoCloud(image_count=50)
    client = ImageClient(DEMO_ENDPOINT, transport=cloud.transport)
    listing = ImageListing(client, page_size=10)
    old = asyncio.create_task(listing.load_next_page())
    await asyncio.sleep(0)  # let the old request start
    listing.reset(ListQuery(sort=(("name", "asc"),)))
    assert await old == [] or listing.rows == []
    await listing.ensure_loaded(0)
    assert len(listing.rows) == 10


async def test_listing_remove_and_replace_in_place() -> None:
    cloud = DemoCloud(image_count=20)
    client = ImageClient(DEMO_ENDPOINT, transport=cloud.transport)
    listing = ImageListing(client, page_size=10)
    await listing.ensure_loaded(0)
    target = listing.rows[3]
    assert listing.remove(target.id) == 3
    assert listing.position_of(target.id) is None and len(listing) == 9


class RewritingTransport(httpx.AsyncBaseTransport):
    """The demo cloud behind a server that differs in one paging detail, chosen by the test."""

    def __init__(self, inner: httpx.AsyncBaseTransport, *, opaque_links: bool = False, ignore_marker: bool = False):
        self.inner = inner
        self.opaque_links = opaque_links
        self.ignore_marker = ignore_marker
        self.cursors: dict[str, str] = {}
        self.seen: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(str(request.url))
        params = list(request.url.params.multi_items())
        if self.opaque_links and request.url.params.get("cursor"):
            params = [(k, v) for k, v in parse_qsl(self.cursors[request.url.params["cursor"]])]
        if self.ignore_marker:
            params = [(k, v) for k, v in params if k != "marker"]
        inner_request = httpx.Request(request.method, request.url.copy_with(params=params), headers=request.headers)
        response = await self.inner.handle_async_request(inner_request)
        body = json.loads(await response.aread())
        if self.opaque_links and "next" in body:
            token = f"c{len(self.cursors)}"
            self.cursors[token] = urlsplit(body["next"]).query
            body["next"] = f"/v2/images?cursor={token}"
        return httpx.Response(response.status_code, json=body, request=request)


async def test_a_next_link_without_a_marker_is_followed_as_it_is() -> None:
    cloud = DemoCloud(image_count=60)
    transport = RewritingTransport(cloud.transport, opaque_links=True)
    client = ImageClient(DEMO_ENDPOINT, transport=transport)
    expected = [image.id for image in (await client.list_page(ListQuery(limit=1000))).images]
    listing = ImageListing(client, page_size=7)
    assert not await listing.ensure_loaded(10_000)
    assert [row.id for row in listing.rows] == expected
    pages = transport.seen[1:]
    assert len(pages) == listing.requests and all("cursor=" in url for url in pages[1:])


async def test_a_server_that_ignores_the_marker_stops_with_an_error_not_a_loop() -> None:
    cloud = DemoCloud(image_count=60)
    client = ImageClient(DEMO_ENDPOINT, transport=RewritingTransport(cloud.transport, ignore_marker=True))
    listing = ImageListing(client, page_size=5)
    with pytest.raises(PagingError, match="circle") as caught:
        for _ in range(10):
            await listing.load_next_page()
    assert caught.value.needs_reload is True  # retrying the same link would loop again: start over
    assert listing.requests == 2 and len(listing) == 5


def test_marker_of_reads_the_last_marker_of_a_link() -> None:
    assert marker_of("/v2/images?limit=2&tag=b&marker=abc") == "abc"
    assert marker_of("http://h/v2/images?marker=a&marker=b") == "b"
    assert marker_of("/v2/images?limit=2") is None


# -- writes whose answer is lost --------------------------------------------------------------------------------


class LosingTransport(httpx.AsyncBaseTransport):
    """The demo cloud, but the answer to the first ``times`` requests matching ``method`` is lost: forwarded (and
    applied) when ``applied``, then the connection resets; or reset before the cloud sees it."""

    def __init__(self, method: str, *, applied: bool = True, times: int = 1, fail_gets: bool = False) -> None:
        self.cloud = DemoCloud(image_count=5)
        self.method, self.applied, self.left, self.fail_gets = method, applied, times, fail_gets
        self.seen: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request.method)
        if request.method == "GET" and self.fail_gets:
            raise httpx.ConnectError("connection refused", request=request)
        if request.method == self.method and self.left > 0:
            self.left -= 1
            if self.applied:
                await self.cloud.transport.handle_async_request(request)
            raise httpx.ReadError("", request=request)
        return await self.cloud.transport.handle_async_request(request)


def _losing(method: str, **kwargs: Any) -> tuple[ImageClient, LosingTransport]:
    transport = LosingTransport(method, **kwargs)
    return ImageClient(DEMO_ENDPOINT, transport=transport, backoff=0, retries=0), transport


async def test_a_create_whose_answer_is_lost_is_found_by_its_id() -> None:
    client, transport = _losing("POST")
    image_id = new_image_id()
    image = await client.create({"name": "lost answer"}, image_id=image_id)
    assert image.id == image_id and image.name == "lost answer"
    assert transport.seen == ["POST", "GET"]  # sent once, then checked: never repeated blindly


async def test_a_create_without_a_chosen_id_sends_none_and_leaves_a_lost_answer_unknown() -> None:
    """IMS: no id in the body, so the server picks it; a lost answer cannot be looked up and stays unknown."""
    client, transport = _losing("POST")
    bodies: list[dict[str, Any]] = []
    inner = transport.handle_async_request

    async def recording(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            bodies.append(json.loads(request.content))
        return await inner(request)

    transport.handle_async_request = recording  # type: ignore[method-assign]
    with pytest.raises(NetworkError) as caught:
        await client.create({"name": "ims"}, choose_id=False)
    assert caught.value.outcome_unknown  # the UI must say "may have been created", never "not created"
    image = await client.create({"name": "ims again"}, choose_id=False)
    assert image.name == "ims again"
    assert bodies == [{"name": "ims"}, {"name": "ims again"}]
    assert transport.seen == ["POST", "POST"]  # nothing to look up by: no GET


async def test_a_create_that_never_arrived_says_so_and_a_retry_with_the_same_id_is_safe() -> None:
    client, transport = _losing("POST", applied=False)
    image_id = new_image_id()
    with pytest.raises(NetworkError) as caught:
        await client.create({"name": "n"}, image_id=image_id)
    assert "dropped" in caught.value.message
    assert caught.value.outcome_unknown is False  # checked: there is no such image
    image = await client.create({"name": "n"}, image_id=image_id)
    assert image.id == image_id
    assert transport.seen == ["POST", "GET", "POST"]


async def test_a_retried_create_that_meets_its_own_image_returns_it() -> None:
    client, transport = _losing("POST", fail_gets=True)
    image_id = new_image_id()
    with pytest.raises(NetworkError) as caught:
        await client.create({"name": "twice"}, image_id=image_id)
    assert caught.value.outcome_unknown is True  # the check failed as well: nobody knows
    transport.fail_gets = False
    image = await client.create({"name": "twice", "id": image_id})  # the user's retry: 409, then a GET
    assert image.id == image_id
    assert transport.seen == ["POST", "GET", "POST", "GET"]
    listed = [i.id for i in (await client.list_page(ListQuery(limit=100))).images]
    assert listed.count(image_id) == 1


async def test_a_duplicate_id_of_another_image_is_still_a_conflict() -> None:
    client, _ = _losing("none")
    first = await client.create({"name": "first"})
    with pytest.raises(Conflict) as caught:
        await client.create({"name": "other"}, image_id=first.id)
    assert caught.value.outcome_unknown is False


async def test_every_create_names_its_id() -> None:
    client, transport = _client(lambda r: None)
    ids = []
    for _ in range(2):
        ids.append((await client.create({"name": "x"})).id)
    sent = [json.loads(r.content)["id"] for r in transport.requests if r.method == "POST"]
    assert sent == ids and ids[0] != ids[1]
    with pytest.raises(ValueError):
        await client.create({"id": ids[0]}, image_id=ids[1])


async def test_a_write_answered_with_something_not_json_has_an_unknown_outcome() -> None:
    def portal(request: httpx.Request) -> httpx.Response | None:
        if request.method == "PATCH":
            return httpx.Response(200, content=b"<html><body>Welcome</body></html>", request=request)
        return None

    client, _ = _client(portal)
    with pytest.raises(MalformedResponse) as caught:
        await client.update("x", [])
    assert caught.value.message == "the answer was not JSON: it was an HTML page: 'Welcome'"
    assert caught.value.outcome_unknown is True
    assert caught.value.one_line().startswith("HTTP 200 OK, but the answer was not JSON")


async def test_the_raw_text_of_an_image_that_does_not_parse_can_still_be_read() -> None:
    def broken(request: httpx.Request) -> httpx.Response | None:
        return httpx.Response(200, content=b'{"id": "x", "size": "lots"}', request=request)

    client, _ = _client(broken)
    with pytest.raises(MalformedResponse):
        await client.get_raw("x")
    assert await client.get_text("x") == '{"id": "x", "size": "lots"}'
