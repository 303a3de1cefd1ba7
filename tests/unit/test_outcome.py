"""Settling a write whose answer was lost: one GET, then "done", "not done" or "unknown", and words that never
say "not saved" when it may have been."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ims_tui.api import ImageClient
from ims_tui.api.errors import ApiError, NetworkError, ServerError, network_error
from ims_tui.api.outcome import Outcome, apply_ops, settle_create, settle_delete, settle_update, update_state
from ims_tui.api.patch import diff
from ims_tui.demo import DEMO_ENDPOINT, DemoCloud

# -- the pure decision -----------------------------------------------------------------------------------------

texts = st.text(alphabet="abc xyz", max_size=5)
images = st.fixed_dictionaries(
    {
        "name": st.one_of(st.none(), texts),
        "min_ram": st.integers(0, 4),
        "protected": st.booleans(),
        "tags": st.lists(texts, max_size=3, unique=True),
        "updated_at": st.just("2026-01-01T00:00:00Z"),
    },
    optional={"colour": texts, "a/b~c": texts},
)


@st.composite
def edits(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any]]:
    before = draw(images)
    after = dict(before)
    for key, value in draw(images).items():
        if key != "updated_at" and draw(st.booleans()):
            after[key] = value
    for key in ("colour", "a/b~c"):
        if key in after and draw(st.booleans()):
            del after[key]
    return before, after


@given(edits())
def test_the_change_applied_is_done_and_nothing_applied_is_not_done(
    pair: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    before, edited = pair
    ops = diff(before, edited)
    applied = apply_ops(ops, before)
    assert applied == edited  # diff and apply agree
    assert update_state(ops, before, applied) == "done"
    assert update_state(ops, before, {**applied, "updated_at": "2026-02-02T00:00:00Z"}) == "done"
    if ops:
        assert update_state(ops, before, before) == "not_done"
    else:
        assert update_state(ops, before, before) == "done"  # nothing to apply is trivially applied


@given(edits(), st.data())
def test_a_change_applied_in_part_is_unknown(pair: tuple[dict[str, Any], dict[str, Any]], data: st.DataObject) -> None:
    before, edited = pair
    ops = diff(before, edited)
    if len(ops) < 2:
        return
    cut = data.draw(st.integers(1, len(ops) - 1))
    half = apply_ops(ops[:cut], before)
    assert update_state(ops, before, half) == "unknown"


def test_tags_compare_as_a_set_and_types_matter() -> None:
    before = {"tags": ["a"], "min_ram": 0}
    ops = [{"op": "replace", "path": "/tags", "value": ["b", "a", "b"]}]
    assert update_state(ops, before, {"tags": ["a", "b"]}) == "done"
    flag = [{"op": "replace", "path": "/min_ram", "value": 1}]
    assert update_state(flag, before, {"min_ram": True}) == "unknown"
    assert update_state([{"op": "remove", "path": "/nope"}], before, before) == "unknown"  # does not apply


# -- the words -------------------------------------------------------------------------------------------------

TIMEOUT = network_error(httpx.ReadTimeout("", request=httpx.Request("PATCH", "http://h/")), "http://h/", method="PATCH")
DROPPED = network_error(httpx.ReadError("", request=httpx.Request("PATCH", "http://h/")), "http://h/", method="PATCH")


@given(
    st.sampled_from(["done", "not_done", "unknown"]),
    st.sampled_from(["create", "update", "delete"]),
    st.sampled_from([None, TIMEOUT, DROPPED, ServerError("Bad Gateway", status=502)]),
    st.sampled_from([None, NetworkError("no route")]),
    st.booleans(),
)
def test_the_words_never_say_not_done_when_it_may_have_been(
    state: Any, action: Any, error: ApiError | None, check: ApiError | None, partly: bool
) -> None:
    outcome = Outcome(state, error=error, check_error=check, action=action, partly=partly)
    text = outcome.message().casefold()
    word = {"create": "created", "update": "saved", "delete": "deleted"}[action]
    if f"not {word}" in text:
        assert state == "not_done" and error is not TIMEOUT
    if state != "done":
        assert not text.startswith(word)


def test_the_words_for_each_state() -> None:
    assert Outcome("done", error=DROPPED).message().startswith("Saved: the answer was lost")
    assert Outcome("not_done", error=DROPPED).message().startswith("Not saved: the image shows nothing of it (")
    assert "may still be working" in Outcome("not_done", error=TIMEOUT, action="delete").message()
    unknown = Outcome("unknown", error=DROPPED, check_error=NetworkError("no route"), action="create")
    assert unknown.message().startswith("Maybe created, maybe not") and "checking failed too" in unknown.message()
    assert Outcome("unknown", partly=True).message().startswith("Maybe saved in part")


# -- against the demo cloud ------------------------------------------------------------------------------------


class Cloud(httpx.AsyncBaseTransport):
    """The demo cloud; ``lose`` makes the next write's answer vanish after the cloud applied it; ``down`` makes
    every request fail to connect (the check as well)."""

    def __init__(self) -> None:
        self.demo = DemoCloud(image_count=5)
        self.lose = False
        self.down = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            raise httpx.ConnectError("connection refused", request=request)
        response = await self.demo.transport.handle_async_request(request)
        if self.lose and request.method != "GET":
            self.lose = False
            raise httpx.ReadError("", request=request)
        return response


@pytest.fixture
async def cloud() -> Any:
    transport = Cloud()
    client = ImageClient(DEMO_ENDPOINT, transport=transport, backoff=0, retries=0)
    yield transport, client
    await client.aclose()


async def test_settle_update_reads_the_image(cloud: Any) -> None:
    transport, client = cloud
    before = await client.create({"name": "before", "colour": "red"})
    ops = diff(before.editable(), {**before.editable(), "name": "after", "colour": "blue"})
    assert (await settle_update(client, before.id, ops, before, DROPPED)).state == "not_done"
    transport.lose = True
    with pytest.raises(NetworkError) as caught:
        await client.update(before.id, ops)
    assert caught.value.outcome_unknown
    done = await settle_update(client, before.id, ops, before, caught.value)
    assert done.state == "done" and done.image is not None and done.image.name == "after"
    half = await settle_update(client, before.id, ops + [{"op": "add", "path": "/size_note", "value": "x"}], before)
    assert half.state == "unknown" and half.partly
    transport.down = True
    blind = await settle_update(client, before.id, ops, before, caught.value)
    assert blind.state == "unknown" and isinstance(blind.check_error, NetworkError) and not blind.partly
    transport.down = False
    await client.delete(before.id)
    assert (await settle_update(client, before.id, ops, before)).state == "unknown"  # gone: cannot tell


async def test_settle_delete_and_create(cloud: Any) -> None:
    transport, client = cloud
    image = await client.create({"name": "doomed"})
    assert (await settle_delete(client, image.id)).state == "not_done"
    assert (await settle_create(client, image.id, name="doomed")).state == "done"
    assert (await settle_create(client, image.id, name="someone else's")).state == "unknown"
    transport.lose = True
    with pytest.raises(NetworkError) as caught:
        await client.delete(image.id)
    assert caught.value.outcome_unknown
    assert (await settle_delete(client, image.id, caught.value)).state == "done"
    assert (await settle_create(client, image.id)).state == "not_done"
    transport.down = True
    assert (await settle_delete(client, image.id)).state == "unknown"
