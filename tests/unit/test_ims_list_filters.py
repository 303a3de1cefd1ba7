"""IMS's list filters end to end below the UI: every value ``api/ims_filters.py`` knows, sent by the app's own
cloudimages call (``list_native_page``), narrows the simulator's list to exactly the images it names (none left
out, none let through), and a query cloudimages cannot express still goes to the Glance list."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from ims_tui.api import ImageClient, ims_filters
from ims_tui.api.filter_text import parse
from ims_tui.api.huawei import AkSkAuth
from ims_tui.api.models import ListQuery
from ims_tui.demo.ims_cloud import DEMO_AK, DEMO_SK, ImsCloud
from ims_tui.demo.seed import DEMO_PROJECT_ID

Record = dict[str, Any]


@pytest.fixture
async def ims() -> Any:
    cloud = ImsCloud(image_count=300)
    auth = AkSkAuth(DEMO_AK, DEMO_SK, project_id=DEMO_PROJECT_ID, clock=cloud.now)
    client = ImageClient(cloud.url, transport=cloud.transport, auth=auth, backoff=0)
    try:
        yield cloud, client
    finally:
        await client.aclose()


async def listed(client: ImageClient, query: ListQuery) -> list[Record]:
    page = await client.list_native_page(query.with_changes(limit=500))
    assert page.next is None  # one page holds them all
    return [image.to_dict() for image in page.images]


def wanted(param: str, value: str) -> Callable[[Record], bool]:
    if param == "architecture":
        return lambda image: image.get("architecture") == {"x86": "x86_64", "arm": "aarch64"}[value]
    return lambda image: str(image.get(param, "")) == value


async def test_each_documented_value_narrows_the_list_to_the_images_it_names(ims: Any) -> None:
    cloud, client = ims
    everything = await listed(client, ListQuery())
    tried = 0
    for row in ims_filters.IMS_FILTERS:
        for value in row.choices:
            query = parse(f"{row.param}={value}" if " " not in value else f'{row.param}="{value}"')
            got = {image["id"] for image in await listed(client, query)}
            want = {image["id"] for image in everything if wanted(row.param, value)(image)}
            assert got == want, (row.param, value)
            tried += 1
    assert tried > 25
    paths = [path for _method, path in cloud.request_log]
    assert all(path.startswith("/v2/cloudimages") for path in paths)  # none fell back to Glance


async def test_every_environment_and_support_flag_lists_some_image(ims: Any) -> None:
    _, client = ims
    for value in ims_filters.VIRTUAL_ENV_TYPES:
        assert await listed(client, parse(f"virtual_env_type={value}")), value
    for flag in ims_filters.SUPPORT_FLAGS[:5]:
        assert await listed(client, parse(f"__support_{flag}=true")), flag


async def test_filters_combine_and_dates_take_ims_operators(ims: Any) -> None:
    cloud, client = ims
    everything = await listed(client, ListQuery())
    cut = sorted(image["created_at"] for image in everything)[len(everything) // 2]
    query = parse(f'__imagetype=private __os_type=Linux virtual_env_type=FusionCompute created>="{cut}"')
    got = await listed(client, query)
    assert got and {image["id"] for image in got} == {
        image["id"]
        for image in everything
        if image["__imagetype"] == "private"
        and image["__os_type"] == "Linux"
        and image["virtual_env_type"] == "FusionCompute"
        and image["created_at"] >= cut
    }
    last = cloud.request_log[-1][1]
    assert f"created_at=gte%3A{cut.replace(':', '%3A')}" in last and "__imagetype=private" in last
    small = await listed(client, parse("flavor_id=s6.small.1"))
    assert small and all(image["min_ram"] <= 1024 and image["min_disk"] <= 40 for image in small)
    assert len(small) < len(everything)


async def test_one_tag_is_listed_by_cloudimages_and_two_by_glance(ims: Any) -> None:
    cloud, client = ims
    tagged = [image for image in cloud.images.values() if image["__imagetype"] == "private"][:6]  # the caller's
    for index, image in enumerate(tagged):
        await client.add_tag(image["id"], "blue")
        if index % 2:
            await client.add_tag(image["id"], "green")
    blue = await listed(client, parse("tag=blue"))
    assert cloud.request_log[-1][1].startswith("/v2/cloudimages?") and "tag=blue" in cloud.request_log[-1][1]
    assert {image["id"] for image in blue} == {image["id"] for image in tagged}
    both = await client.list_native_page(parse("tag=blue tag=green").with_changes(limit=500))
    assert cloud.request_log[-1][1].startswith("/v2/images?")
    assert {image.id for image in both.images} == {image["id"] for image in tagged[1::2]}


async def test_a_query_cloudimages_cannot_express_goes_to_glance_with_its_ims_filters(ims: Any) -> None:
    cloud, client = ims
    query = parse("status=active,queued __os_type=Windows")  # a list of statuses: Glance's in: form
    page = await client.list_native_page(query.with_changes(limit=500))
    method, path = cloud.request_log[-1]
    assert path.startswith("/v2/images?") and "__os_type=Windows" in path
    assert page.images and all(image.properties["__os_type"] == "Windows" for image in page.images)
