"""Sharing an image between two projects, on the demo cloud and on a real Glance 33 in trusted mode: the owner
adds a member, the member sees it pending and answers, the owner removes it; every refusal in plain words."""

from __future__ import annotations

import contextlib
import re
import uuid
from collections.abc import AsyncIterator

import pytest

from ims_tui.api import ApiError, Conflict, Forbidden, ImageClient, ListQuery, NotFound, TooLarge
from ims_tui.api.members import Member
from tools.openstack_lab import IMAGE_MEMBER_QUOTA

from . import test_write_outcomes
from .conftest import TwoProjects
from .test_write_outcomes import Link

pytestmark = pytest.mark.asyncio


@pytest.fixture
async def shared(two_projects: TwoProjects) -> AsyncIterator[str]:
    """An image of alice's project, visibility shared, deleted afterwards."""
    image = await two_projects.alice.create({"name": f"share-{uuid.uuid4().hex[:6]}", "visibility": "shared"})
    yield image.id
    with contextlib.suppress(ApiError):
        await two_projects.alice.delete(image.id)


async def listed(client: ImageClient, **query: str) -> set[str]:
    page = await client.list_page(ListQuery(limit=1000, **query))  # type: ignore[arg-type]
    return {image.id for image in page.images}


async def test_share_see_it_pending_accept_reject_reset_remove(two_projects: TwoProjects, shared: str) -> None:
    alice, bob, bob_id = two_projects.alice, two_projects.bob, two_projects.bob_project
    assert shared not in await listed(bob, visibility="shared", member_status="all")

    added = await alice.add_member(shared, bob_id)
    assert (added.member_id, added.image_id, added.status) == (bob_id, shared, "pending")
    assert added.created_at and added.updated_at and added.schema_link == "/v2/schemas/member"
    assert shared in await listed(bob, visibility="shared", member_status="pending")
    assert shared not in await listed(bob, visibility="shared", member_status="accepted")
    assert shared not in await listed(bob)  # the default list shows accepted shares only
    assert (await bob.get(shared)).id == shared  # but the image is visible to the member already

    accepted = await bob.set_member_status(shared, bob_id, "accepted")
    assert accepted.status == "accepted" and accepted.member_id == bob_id
    assert shared in await listed(bob, visibility="shared", member_status="accepted")
    assert shared not in await listed(bob, visibility="shared", member_status="pending")
    assert shared in await listed(bob)

    assert (await bob.set_member_status(shared, bob_id, "rejected")).status == "rejected"
    assert shared in await listed(bob, visibility="shared", member_status="rejected")
    assert shared not in await listed(bob, visibility="shared", member_status="accepted")
    assert shared in await listed(bob, visibility="shared", member_status="all")
    assert (await bob.set_member_status(shared, bob_id, "pending")).status == "pending"
    assert shared in await listed(bob, visibility="shared", member_status="pending")

    assert [(m.member_id, m.status) for m in await alice.members(shared)] == [(bob_id, "pending")]
    await alice.add_member(shared, "proj-c-" + bob_id[7:])
    assert [m.member_id for m in await bob.members(shared)] == [bob_id]  # a member sees only itself
    await alice.remove_member(shared, "proj-c-" + bob_id[7:])
    assert (await alice.member(shared, bob_id)) == (await alice.members(shared))[0]

    await alice.remove_member(shared, bob_id)
    assert await alice.members(shared) == []
    assert await alice.member(shared, bob_id) is None
    assert shared not in await listed(bob, visibility="shared", member_status="all")
    with pytest.raises(NotFound):
        await bob.get(shared)


async def test_member_timestamps_are_the_members_own(two_projects: TwoProjects, shared: str) -> None:
    alice, bob, bob_id = two_projects.alice, two_projects.bob, two_projects.bob_project
    image = await alice.get(shared)
    added = await alice.add_member(shared, bob_id)
    assert added.created_at == added.updated_at
    assert added.created_at is not None and image.created_at is not None and added.created_at >= image.created_at
    answered = await bob.set_member_status(shared, bob_id, "accepted")
    assert answered.created_at == added.created_at and answered.updated_at is not None
    assert answered.updated_at >= added.updated_at  # type: ignore[operator]
    assert set(answered.to_dict()) >= {"member_id", "image_id", "status", "created_at", "updated_at", "schema"}


async def test_only_the_owner_shares_and_only_the_member_answers(two_projects: TwoProjects, shared: str) -> None:
    alice, bob, bob_id = two_projects.alice, two_projects.bob, two_projects.bob_project
    carol = "proj-c-" + uuid.uuid4().hex[:6]
    await alice.add_member(shared, bob_id)

    with pytest.raises(Forbidden) as not_owner:
        await bob.add_member(shared, carol)
    assert not_owner.value.one_line().startswith("HTTP 403 Forbidden: not allowed to share this image: only its owner")
    with pytest.raises(Forbidden) as not_member:
        await alice.set_member_status(shared, bob_id, "accepted")
    assert "only the member project itself can accept" in not_member.value.one_line()
    with pytest.raises(Forbidden) as bob_removes:
        await bob.remove_member(shared, bob_id)
    assert bob_removes.value.one_line().startswith("HTTP 403 Forbidden: not allowed to remove a member")
    with pytest.raises(NotFound) as nobody:
        await alice.remove_member(shared, carol)
    assert nobody.value.one_line().startswith(f"HTTP 404 Not Found: project {carol} is not a member")
    with pytest.raises(NotFound) as stranger:  # carol's project cannot see alice's image at all
        await bob.set_member_status(shared, carol, "accepted")
    assert f"not shared with project {carol}" in stranger.value.one_line()
    assert [(m.member_id, m.status) for m in await alice.members(shared)] == [(bob_id, "pending")]


async def test_a_second_add_of_the_same_project_is_a_conflict(two_projects: TwoProjects, shared: str) -> None:
    alice, bob_id = two_projects.alice, two_projects.bob_project
    await alice.add_member(shared, bob_id)
    with pytest.raises(Conflict) as twice:
        await alice.add_member(shared, bob_id)
    line = twice.value.one_line()
    assert line.startswith(f"HTTP 409 Conflict: project {bob_id} is already a member of this image")
    assert "the server said: Member" in line
    assert len(await alice.members(shared)) == 1


async def test_members_only_while_the_image_is_shared(two_projects: TwoProjects) -> None:
    alice, bob_id = two_projects.alice, two_projects.bob_project
    image = await alice.create({"name": f"private-{uuid.uuid4().hex[:6]}", "visibility": "private"})
    try:
        with pytest.raises(Forbidden) as private:
            await alice.add_member(image.id, bob_id)
        assert "only while its visibility is 'shared'" in private.value.one_line()
        with pytest.raises(Forbidden) as listing:
            await alice.members(image.id)
        assert listing.value.one_line().startswith("HTTP 403 Forbidden: the members cannot be listed")
        assert "Only shared images have members" in listing.value.message
        assert await alice.member(image.id, bob_id) is None  # Glance hides it as a 404

        # switched to shared, the same add works; switched back, the member stays but cannot see the image
        await alice.update(image.id, [{"op": "replace", "path": "/visibility", "value": "shared"}])
        assert (await alice.add_member(image.id, bob_id)).status == "pending"
        await alice.update(image.id, [{"op": "replace", "path": "/visibility", "value": "private"}])
        with pytest.raises(NotFound):
            await two_projects.bob.set_member_status(image.id, bob_id, "accepted")
        with pytest.raises(Forbidden):
            await alice.remove_member(image.id, bob_id)
    finally:
        await alice.delete(image.id)


async def test_an_image_one_cannot_see_is_not_found(two_projects: TwoProjects, shared: str) -> None:
    with pytest.raises(NotFound) as unseen:
        await two_projects.bob.add_member(shared, two_projects.bob_project)
    assert unseen.value.one_line().startswith("HTTP 404 Not Found: no such image")
    with pytest.raises(NotFound):
        await two_projects.bob.members(shared)


async def test_the_member_quota_is_a_413_in_plain_words(two_projects: TwoProjects, shared: str) -> None:
    if two_projects.name == "demo":
        two_projects.transport.cloud.member_quota = IMAGE_MEMBER_QUOTA  # type: ignore[union-attr]
    alice = two_projects.alice
    projects = [f"proj-q{index}-{uuid.uuid4().hex[:6]}" for index in range(IMAGE_MEMBER_QUOTA + 1)]
    for project in projects[:-1]:
        await alice.add_member(shared, project)
    with pytest.raises(TooLarge) as over:
        await alice.add_member(shared, projects[-1])
    line = over.value.one_line()
    assert line.startswith("HTTP 413 Request Entity Too Large: the image has as many members as this cloud allows")
    assert re.search(r"limit exceeded", line, re.IGNORECASE)
    assert len(await alice.members(shared)) == IMAGE_MEMBER_QUOTA


async def test_a_status_outside_the_three_is_refused_before_sending(two_projects: TwoProjects, shared: str) -> None:
    before = two_projects.bob.request_count
    with pytest.raises(ValueError, match="pending, accepted, rejected"):
        await two_projects.bob.set_member_status(shared, two_projects.bob_project, "maybe")
    assert two_projects.bob.request_count == before


# -- lost answers, on the noauth backends (an admin may add and answer for any project) -------------------------

MEMBERS = re.compile(r"^/v2/images/[^/]+/members")
link = test_write_outcomes.link  # the faulty link fixture, demo and Glance


async def shared_image(link: Link) -> str:
    return await link.create(visibility="shared")


async def test_an_add_whose_answer_is_lost_is_settled_by_a_get(link: Link) -> None:
    image_id = await shared_image(link)
    link.lose_answer("POST", MEMBERS)
    member = await link.client.add_member(image_id, "proj-lost-1")
    assert isinstance(member, Member) and member.status == "pending"
    assert [m.member_id for m in await link.direct.members(image_id)] == ["proj-lost-1"]


async def test_an_add_answered_by_a_portal_is_settled_as_not_added(link: Link) -> None:
    from tools import fault_proxy

    image_id = await shared_image(link)
    link.answer("POST", MEMBERS, fault_proxy.html_page(200, "Welcome to the hotel wifi"))
    with pytest.raises(ApiError) as portal:
        await link.client.add_member(image_id, "proj-portal")
    assert not portal.value.outcome_unknown  # the GET shows no such member: not added, safe to try again
    assert await link.direct.members(image_id) == []


async def test_a_status_whose_answer_is_lost_is_settled_by_a_get(link: Link) -> None:
    image_id = await shared_image(link)
    await link.direct.add_member(image_id, "proj-answer")
    link.lose_answer("PUT", MEMBERS)
    answered = await link.client.set_member_status(image_id, "proj-answer", "accepted")
    assert answered.status == "accepted"


async def test_a_remove_whose_answer_is_lost_is_settled_by_a_get(link: Link) -> None:
    from tools import fault_proxy

    image_id = await shared_image(link)
    await link.direct.add_member(image_id, "proj-gone")
    link.lose_answer("DELETE", MEMBERS)
    assert await link.client.remove_member(image_id, "proj-gone") is None
    assert await link.direct.members(image_id) == []

    await link.direct.add_member(image_id, "proj-stays")
    link.answer("DELETE", MEMBERS, fault_proxy.html_page(200, "Session expired"))
    with pytest.raises(ApiError) as portal:
        await link.client.remove_member(image_id, "proj-stays")
    assert not portal.value.outcome_unknown  # the member is still there: not removed, safe to try again
    assert [m.member_id for m in await link.direct.members(image_id)] == ["proj-stays"]


async def test_a_lost_answer_whose_check_fails_too_stays_unknown(link: Link) -> None:
    from tools import fault_proxy

    image_id = await shared_image(link)
    link.lose_answer("POST", MEMBERS)
    link.answer("GET", MEMBERS, fault_proxy.html_page(500, "500 Internal Server Error"))
    with pytest.raises(ApiError) as unknown:
        await link.client.add_member(image_id, "proj-unknown")
    assert unknown.value.outcome_unknown
    assert "may have reached the image service" in unknown.value.describe()
