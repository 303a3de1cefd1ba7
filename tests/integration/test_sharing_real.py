"""Sharing through the UI against a real Glance 33 in trusted mode, two projects, real keys: the owner shares from
the members panel (switching the image to shared on the way), the other project finds it pending, accepts and
rejects it, the owner removes it. Every change is read back from Glance with a client of its own."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

from ims_tui.api import ImageClient, ListQuery
from ims_tui.api.session import SessionInfo, StaticSession
from ims_tui.ui.app import ImsApp
from ims_tui.ui.screens.confirm import ConfirmScreen
from ims_tui.ui.screens.members import MembersScreen
from tests.contract.identity import HeaderIdentityAuth
from tests.ui.helpers import screen_text, settle

from .test_ui_real import main_screen, wait_until


def project_app(endpoint: str, project: str) -> ImsApp:
    """The UI as a member of ``project``, its id known to the session (as a Keystone token would say it)."""
    info = SessionInfo(cloud="lab", project=project, project_id=project)
    session = StaticSession(info, endpoint, auth=HeaderIdentityAuth(project, "member,reader"))
    return ImsApp(session, page_size=50)


@pytest.fixture
async def projects(glance_trusted: str) -> AsyncIterator[tuple[str, str, ImageClient, ImageClient]]:
    alice, bob = "proj-a-" + uuid.uuid4().hex[:8], "proj-b-" + uuid.uuid4().hex[:8]
    async with (
        ImageClient(glance_trusted, auth=HeaderIdentityAuth(alice, "member,reader")) as alice_client,
        ImageClient(glance_trusted, auth=HeaderIdentityAuth(bob, "member,reader")) as bob_client,
    ):
        yield alice, bob, alice_client, bob_client


async def find(pilot: Any, app: ImsApp, image_id: str) -> None:
    await wait_until(pilot, lambda: main_screen(app).listing is not None and main_screen(app).listing.rows, "rows")
    await pilot.press("slash", *image_id, "enter")
    await settle(pilot)
    assert main_screen(app).table.current is not None and main_screen(app).table.current.id == image_id


async def test_share_from_the_panel_then_accept_reject_and_remove(
    glance_trusted: str, projects: tuple[str, str, ImageClient, ImageClient]
) -> None:
    alice, bob, alice_client, bob_client = projects
    image = await alice_client.create({"name": f"share-ui-{uuid.uuid4().hex[:6]}", "visibility": "private"})
    try:
        owner = project_app(glance_trusted, alice)
        async with owner.run_test(size=(80, 24)) as pilot:
            await find(pilot, owner, image.id)
            await pilot.press("m")
            await wait_until(pilot, lambda: isinstance(owner.screen, MembersScreen) and owner.screen.image, "panel")
            panel = owner.screen
            assert isinstance(panel, MembersScreen)
            await pilot.press("a", *f"{bob} bad/id {bob}", "enter")
            await wait_until(pilot, lambda: isinstance(owner.screen, ConfirmScreen), "the offer to share")
            await pilot.press("tab", "enter")
            await wait_until(pilot, lambda: panel.members and not panel.busy, "the add")
            text = screen_text(owner)
            assert "not sent: 'bad/id' is not a project id" in text and f"not sent: {bob} is given twice" in text
            assert f"{bob}: added, pending" in text
        assert (await alice_client.get(image.id)).visibility == "shared"
        assert [(m.member_id, m.status) for m in await alice_client.members(image.id)] == [(bob, "pending")]

        member = project_app(glance_trusted, bob)
        async with member.run_test(size=(80, 24)) as pilot:
            await wait_until(pilot, lambda: main_screen(member).listing is not None, "connected")
            screen = main_screen(member)
            await pilot.press("M")
            await wait_until(pilot, lambda: bool(screen.table.rows) and not screen.pages.reloading, "pending list")
            assert [row.id for row in screen.table.rows] == [image.id]  # bob's project sees only this share
            await pilot.press("A")
            await wait_until(pilot, lambda: screen.member_statuses.get(image.id) == "accepted", "the acceptance")
            assert (await bob_client.member(image.id, bob)).status == "accepted"  # type: ignore[union-attr]
            page = await bob_client.list_page(ListQuery(visibility="shared", member_status="accepted"))
            assert [i.id for i in page.images] == [image.id]
            await pilot.press("R")
            await wait_until(pilot, lambda: screen.member_statuses.get(image.id) == "rejected", "the rejection")
            assert (await bob_client.member(image.id, bob)).status == "rejected"  # type: ignore[union-attr]

            await pilot.press("m")  # bob's side of the panel: his own entry, nothing to change
            await wait_until(pilot, lambda: isinstance(member.screen, MembersScreen) and member.screen.image, "panel")
            await wait_until(pilot, lambda: bool(member.screen.members), "his entry")  # type: ignore[attr-defined]
            text = screen_text(member)
            assert f"{bob} (you)" in text and "rejected" in text and "only its owner adds or removes" in text

        owner = project_app(glance_trusted, alice)
        async with owner.run_test(size=(80, 24)) as pilot:
            await find(pilot, owner, image.id)
            await pilot.press("m")
            await wait_until(pilot, lambda: isinstance(owner.screen, MembersScreen) and owner.screen.members, "panel")
            panel = owner.screen
            await pilot.press("x")
            await wait_until(pilot, lambda: isinstance(owner.screen, ConfirmScreen), "the confirm")
            await pilot.press("y")
            await wait_until(pilot, lambda: owner.screen is panel and not panel.members and not panel.busy, "removal")
        assert await alice_client.members(image.id) == []
        assert await bob_client.find(image.id) is None
    finally:
        await alice_client.delete(image.id)
