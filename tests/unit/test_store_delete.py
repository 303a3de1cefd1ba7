"""Deleting from one store when the answer is lost (api/store_delete.py): one GET decides, the words never say
"not deleted" while it may have been, and a timeout is "not so far", not "not"."""

from __future__ import annotations

import httpx

from ims_tui.api import ImageClient
from ims_tui.api.errors import NotFound, network_error
from ims_tui.api.features import ServerFeatures
from ims_tui.api.imports import StoreInfo
from ims_tui.api.models import Image
from ims_tui.api.store_delete import StoreDeleteResult, removal_problem, settle
from ims_tui.demo import DEMO_ENDPOINT, DemoCloud

REQUEST = httpx.Request("DELETE", "http://h/v2/stores/fast/x")
DROPPED = network_error(httpx.ReadError("", request=REQUEST), "http://h/", method="DELETE")
TIMEOUT = network_error(httpx.ReadTimeout("", request=REQUEST), "http://h/", method="DELETE")
TWO_STORES = ServerFeatures(version=(2, 17), stores=(StoreInfo("fs", default=True), StoreInfo("fast")))


def image(stores: str, status: str = "active") -> Image:
    return Image.model_validate({"id": "x", "name": "n", "status": status, "stores": stores})


def test_what_the_dialog_is_refused_for_in_words() -> None:
    assert removal_problem(image("fs,fast"), TWO_STORES) is None
    assert removal_problem(image("fs"), TWO_STORES) == (
        "the image is only in fs: Glance keeps its last copy; delete the image instead (d)"
    )
    assert removal_problem(image("", "queued"), TWO_STORES) == (
        "only an active image's data can be removed from a store; this one is queued"
    )
    one_store = ServerFeatures(version=(2, 17), stores=(StoreInfo("fs", default=True),))
    assert removal_problem(image("fs,fast"), one_store) == (
        "this server has one store only: deleting data from one store needs several"
    )
    old = ServerFeatures(version=(2, 9), stores=TWO_STORES.stores)
    assert "needs image API v2.10" in (removal_problem(image("fs,fast"), old) or "")


async def test_a_lost_answer_is_settled_by_the_image_s_store_list() -> None:
    cloud = DemoCloud(image_count=3, seed=42)
    image_id = next(iter(cloud.images))
    async with ImageClient(DEMO_ENDPOINT, transport=cloud.transport, backoff=0) as client:
        cloud.stores_of[image_id] = ["fs", "fast"]
        still = await settle(client, image_id, "fast", DROPPED)
        assert still.state == "not_done" and still.message().startswith("Not deleted from fast: the image still")
        later = await settle(client, image_id, "fast", TIMEOUT)
        assert later.state == "not_done" and "may still be working on it" in later.message()
        cloud.stores_of[image_id] = ["fs"]
        done = await settle(client, image_id, "fast", DROPPED)
        assert done.state == "done"
        lost = "Deleted from fast: the answer was lost, but the image is no longer there"
        assert done.message() == lost + "; its data stays in fs"
        gone = await settle(client, "00000000-0000-0000-0000-000000000000", "fast", DROPPED)
        assert gone.state == "unknown" and isinstance(gone.check_error, NotFound)


def test_unknown_says_check_before_trying_again() -> None:
    unknown = StoreDeleteResult("x", "fast", "unknown", error=DROPPED, check_error=DROPPED)
    words = unknown.message()
    assert words.startswith("Maybe deleted from fast, maybe not") and "checking failed too" in words
    assert words.endswith("check again before trying again")
