# ruff: noqa: F811
"""Bulk actions on 50 images, against the demo cloud and a real Glance 33, with faults on the link in the middle
(tools/fault_proxy.py on the real one): the plan leaves out what it must, the runner reports every image, a stop
sends nothing new, a retry plans the failed ones only, and the server ends in exactly the state reported."""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator

from ims_tui.api import ApiError, ImageClient
from ims_tui.api.bulk import BulkAction, build_plan
from ims_tui.api.bulk_run import BulkRunner, Progress, RunResult, bounded, read_targets
from tools import fault_proxy

from .conftest import TwoProjects
from .test_write_outcomes import Link, link, one_image  # noqa: F401  (the fixture, and its parameter below)

COUNT = 50


async def made(link: Link, count: int = COUNT, **special: set[int]) -> list[str]:
    """``count`` images; those at the indexes in ``protected`` are protected, those in ``tagged`` carry "bulk"."""

    async def one(index: int) -> str:
        tags = [link.tag] + (["bulk"] if index in special.get("tagged", set()) else [])
        image = await link.direct.create({"name": f"bulk-{index:02d}", "tags": tags})
        if index in special.get("protected", set()):
            await link.direct.update(image.id, [{"op": "replace", "path": "/protected", "value": True}])
        return image.id

    ids = await bounded(list(range(count)), 8, one)
    link.created.extend(ids)
    return ids


async def unprotect(link: Link, ids: list[str]) -> None:
    for image_id in ids:
        with contextlib.suppress(ApiError):
            await link.direct.update(image_id, [{"op": "replace", "path": "/protected", "value": False}])


async def plan_and_run(link: Link, action: BulkAction, ids: list[str], **kwargs: object) -> RunResult:
    targets = await read_targets(link.client, ids, concurrency=4)
    plan = build_plan(action, targets)
    return await BulkRunner(link.client, plan, concurrency=4, **kwargs).run()  # type: ignore[arg-type]


async def test_tagging_50_images_with_a_fault_in_the_middle_then_retrying_the_failed_ones(link: Link) -> None:
    ids = await made(link, tagged={3, 4, 5})
    lost, refused = ids[10], ids[20]
    link.lose_answer("PATCH", one_image(lost))  # applied, its answer reset: settled by a GET
    link.answer("PATCH", one_image(refused), fault_proxy.glance_error(500, "database went away", "req-bulk-500"))
    targets = await read_targets(link.client, ids)
    plan = build_plan(BulkAction("add_tags", ("bulk",)), targets)
    assert plan.title == "Add tags to 47 images: add tags bulk"
    assert [(item.image_id, item.reason) for item in plan.left_out] == [
        (ids[i], "already tagged bulk") for i in (3, 4, 5)
    ]

    seen: list[Progress] = []
    result = await BulkRunner(link.client, plan, concurrency=4, progress=seen.append).run()

    assert result.count("done") == 46 and result.ids("failed") == (refused,)
    (failure,) = [r for r in result.results if r.state == "failed"]
    assert failure.error is not None and failure.error.status == 500 and failure.error.request_id == "req-bulk-500"
    (settled,) = [r for r in result.results if r.image_id == lost]
    assert settled.state == "done" and settled.note.startswith("Saved: the answer was lost")
    assert seen[-1] == Progress(47, done=46, failed=1) and len(seen) == 47
    if link.proxy is not None:  # nothing was sent twice: one PATCH per planned image
        assert len(link.proxy.requests("PATCH")) == 47
    tagged = {image_id: "bulk" in (await link.direct.get(image_id)).tags for image_id in ids}
    assert {i for i, has in tagged.items() if not has} == {refused}  # the server is what the results say

    again = await plan_and_run(link, BulkAction("add_tags", ("bulk",)), list(result.retry_ids()))
    assert again.plan.title == "Add tags to 1 image: add tags bulk" and again.ids("done") == (refused,)
    assert "bulk" in (await link.direct.get(refused)).tags


async def test_deleting_50_images_stopped_half_way_leaves_the_rest_untouched(link: Link) -> None:
    ids = await made(link, protected={0, 7, 33})
    gateway, refused = ids[5], ids[9]
    # a gateway's 502 may come after the server deleted it: settled by a GET, which finds it still there
    link.answer("DELETE", one_image(gateway), fault_proxy.html_page(502, "502 Bad Gateway"))
    link.answer("DELETE", one_image(refused), fault_proxy.html_page(503, "503 Service Unavailable"))
    try:
        targets = await read_targets(link.client, ids)
        plan = build_plan(BulkAction("delete"), targets)
        assert plan.title == "Delete 47 images"
        assert {item.image_id: item.reason for item in plan.left_out} == {
            ids[i]: "protected: unprotect it first" for i in (0, 7, 33)
        }
        runner: BulkRunner

        def halfway(progress: Progress) -> None:
            if progress.done + progress.failed >= 20:
                runner.stop()

        runner = BulkRunner(link.client, plan, concurrency=4, progress=halfway)
        result = await runner.run()

        assert result.stopped
        done, failed, skipped = result.ids("done"), result.ids("failed"), result.ids("not_attempted")
        assert len(done) + len(failed) + len(skipped) == 47 and not result.ids("unknown")
        assert 20 <= len(done) + len(failed) <= 23  # those in flight when it stopped finished, nothing new began
        assert set(failed) == {gateway, refused}
        by_id = {r.image_id: r for r in result.results}
        assert by_id[gateway].note.startswith("Not deleted: the image shows nothing of it")
        assert [by_id[i].error.status for i in (gateway, refused)] == [502, 503]  # type: ignore[union-attr]
        if link.proxy is not None:
            deletes = {re.sub("^/v2/images/", "", r.target) for r in link.proxy.requests("DELETE")}
            assert deletes == set(done) | {gateway, refused}  # not one request for an image not attempted
        present = {image_id for image_id in ids if await link.direct.find(image_id) is not None}
        assert present == set(skipped) | {gateway, refused} | {ids[i] for i in (0, 7, 33)}

        again = await plan_and_run(link, BulkAction("delete"), list(result.retry_ids()))
        assert again.ids("done") == (gateway, refused)
        assert [await link.direct.find(i) for i in (gateway, refused)] == [None, None]
    finally:
        await unprotect(link, [ids[i] for i in (0, 7, 33)])


async def test_a_lost_answer_whose_check_fails_too_is_unknown_and_never_retried(link: Link) -> None:
    ids = await made(link, 3)
    targets = await read_targets(link.client, ids)
    link.lose_answer("PATCH", one_image(ids[1]))
    link.lose_answer("GET", one_image(ids[1]))  # the GET that settles it
    plan = build_plan(BulkAction("protect"), targets)
    try:
        result = await BulkRunner(link.client, plan).run()
        assert result.ids("unknown") == (ids[1],) and result.retry_ids() == ()
        (unknown,) = [r for r in result.results if r.state == "unknown"]
        assert "maybe" in unknown.note.lower()
    finally:
        await unprotect(link, ids)


async def test_deactivate_and_reactivate_in_bulk(link: Link) -> None:
    ids = await made(link, 4)
    queued = ids[3]  # never got data: cannot be deactivated
    for image_id in ids[:3]:
        formats = [{"op": "replace", "path": f"/{key}", "value": value} for key, value in FORMATS]
        await link.direct.update(image_id, formats)
        await link.direct.put_data(image_id, one_chunk(), size=1)
    result = await plan_and_run(link, BulkAction("deactivate"), ids)
    assert [(item.image_id, item.reason) for item in result.plan.left_out] == [
        (queued, "it is queued: only an active image can be deactivated")
    ]
    assert result.ids("done") == tuple(ids[:3])
    assert all(r.image is not None and r.image.status == "deactivated" for r in result.results)
    back = await plan_and_run(link, BulkAction("reactivate"), ids)
    assert back.ids("done") == tuple(ids[:3]) and len(back.plan.left_out) == 1
    assert {(await link.direct.get(image_id)).status for image_id in ids[:3]} == {"active"}


async def test_hide_and_unhide_in_bulk(link: Link) -> None:
    ids = await made(link, 4)
    await link.direct.update(ids[2], [{"op": "replace", "path": "/os_hidden", "value": True}])
    result = await plan_and_run(link, BulkAction("hide"), ids)
    assert [(item.image_id, item.reason) for item in result.plan.left_out] == [(ids[2], "already hidden")]
    assert result.ids("done") == (ids[0], ids[1], ids[3])
    assert all(r.image is not None and r.image.os_hidden is True for r in result.results)
    assert {(await link.direct.get(image_id)).os_hidden for image_id in ids} == {True}
    back = await plan_and_run(link, BulkAction("unhide"), ids)
    assert back.ids("done") == tuple(ids) and back.plan.left_out == ()
    assert {(await link.direct.get(image_id)).os_hidden for image_id in ids} == {False}


FORMATS = (("disk_format", "raw"), ("container_format", "bare"))


async def one_chunk() -> AsyncIterator[bytes]:
    yield b"x"


async def test_share_accept_reject_and_unshare_in_bulk(two_projects: TwoProjects) -> None:
    alice, bob = two_projects.alice, two_projects.bob
    mine, theirs = two_projects.alice_project, two_projects.bob_project
    ids: list[str] = []
    try:
        for index in range(10):
            visibility = "shared" if index % 2 else "private"
            ids.append((await alice.create({"name": f"share-{index}", "visibility": visibility})).id)

        async def run(client: ImageClient, action: BulkAction, project: str) -> RunResult:
            plan = build_plan(action, await read_targets(client, ids), project_id=project)
            return await BulkRunner(client, plan).run()

        shared = await run(alice, BulkAction("share", (theirs,)), mine)
        assert shared.plan.request_count == 15  # the five private ones switch to shared first
        assert shared.ids("done") == tuple(ids)
        assert all(r.image is not None and r.image.visibility == "shared" for r in shared.results)
        refused = await run(bob, BulkAction("protect"), theirs)  # bob sees them now, and owns none
        assert refused.plan.steps == ()
        assert {item.reason for item in refused.plan.left_out} == {f"not the owner: project {mine} owns it"}
        accepted = await run(bob, BulkAction("accept"), theirs)
        assert accepted.ids("done") == tuple(ids)
        assert {(await alice.members(i))[0].status for i in ids} == {"accepted"}
        own = await run(alice, BulkAction("reject"), mine)
        assert own.plan.steps == () and len(own.plan.left_out) == 10  # an owner does not answer its own share
        rejected = await run(bob, BulkAction("reject"), theirs)
        assert rejected.ids("done") == tuple(ids)
        assert {(await alice.members(i))[0].status for i in ids} == {"rejected"}
        again = await run(alice, BulkAction("share", (theirs,)), mine)  # 409 for each: what was asked is so
        assert again.ids("done") == tuple(ids) and {r.note for r in again.results} == {
            f"project {theirs} was a member already"
        }
        removed = await run(alice, BulkAction("unshare", (theirs,)), mine)
        assert removed.ids("done") == tuple(ids) and {len(await alice.members(i)) for i in ids} == {0}
    finally:
        for image_id in ids:
            with contextlib.suppress(ApiError):
                await alice.delete(image_id)
