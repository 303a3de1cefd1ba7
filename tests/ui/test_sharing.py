"""Sharing from the list, with real keys, on the demo cloud signed in as a member of the demo project (as Glance's
trusted pipeline sees a caller): the members panel on an image this project owns, and the answers to images
other projects share with it."""

from __future__ import annotations

import re
from typing import Any

from ims_tui.api import ImageClient, ListQuery
from ims_tui.api.session import CloudSession, StaticSession
from ims_tui.demo import DEMO_ENDPOINT, DEMO_PROJECT_ID, DemoCloud
from ims_tui.ui.app import ImsApp
from ims_tui.ui.screens.confirm import ConfirmScreen
from ims_tui.ui.screens.members import MembersScreen
from tests.contract.identity import HeaderIdentityAuth

from .helpers import main_screen, make_app, screen_text, settle, told, until

GOLDEN = "0e1d2c3b-4a59-4687-8796-a5b4c3d2e1f0"  # the ids of the images the tests make, fixed for the snapshots


def sharing_app(
    *, project_id: str | None = DEMO_PROJECT_ID, read_only: bool = False, empty: bool = False, count: int = 200
) -> tuple[ImsApp, DemoCloud]:
    """The demo as its own project's member (not the noauth admin): the receiving side's lists filter as Glance's."""

    def as_member(session: StaticSession) -> CloudSession:
        auth = HeaderIdentityAuth(DEMO_PROJECT_ID, "member,reader")
        info = session.info.with_changes(project_id=project_id)
        return StaticSession(info, DEMO_ENDPOINT, transport=session.transport, auth=auth)

    return make_app(count=count, empty=empty, read_only=read_only, session_wrap=as_member)


def owner_client(cloud: DemoCloud) -> ImageClient:
    """The demo project's member beside the app (for a read-only app, which sends no writes)."""
    return ImageClient(
        DEMO_ENDPOINT, transport=cloud.transport, auth=HeaderIdentityAuth(DEMO_PROJECT_ID, "member,reader")
    )


def dialog_text(app: ImsApp) -> str:
    return "\n".join(str(static.render()) for static in app.screen.query("Static"))


async def open_panel(pilot: Any, app: ImsApp, image_id: str) -> MembersScreen:
    """Find the image with the quick filter (its id), then m."""
    await pilot.press("slash", *image_id, "enter")
    await settle(pilot)
    assert main_screen(app).table.current is not None and main_screen(app).table.current.id == image_id
    await pilot.press("m")
    await until(pilot, lambda: isinstance(app.screen, MembersScreen) and app.screen.image is not None, "the panel")
    assert isinstance(app.screen, MembersScreen)
    return app.screen


async def panel_on_a_new_image(pilot: Any, app: ImsApp, visibility: str = "shared", *members: str) -> MembersScreen:
    """An image of the demo project made now (id ``GOLDEN``, with ``members``), then its panel."""
    await settle(pilot)
    client = main_screen(app).client
    assert client is not None
    await client.create({"name": "golden", "visibility": visibility}, image_id=GOLDEN)
    for member in members:
        await client.add_member(GOLDEN, member)
    await pilot.press("r")
    await settle(pilot)
    return await open_panel(pilot, app, GOLDEN)


async def test_the_owner_adds_several_projects_at_once_and_removes_one_after_a_confirm() -> None:
    app, cloud = sharing_app(empty=True)
    async with app.run_test(size=(80, 24)) as pilot:
        panel = await panel_on_a_new_image(pilot, app)
        await pilot.press("a", *"proj-one, proj-two bad/id proj-one", "enter")  # in one burst
        await until(pilot, lambda: len(cloud.members.get(GOLDEN, {})) == 2 and not panel.busy, "the adds")
        await settle(pilot)
        assert cloud.members[GOLDEN] == {"proj-one": "pending", "proj-two": "pending"}
        text = screen_text(app)
        assert "not sent: 'bad/id' is not a project id" in text and "not sent: proj-one is given twice" in text
        assert "proj-one: added, pending" in text and "proj-two: added, pending" in text
        assert [m.member_id for m in panel.members] == ["proj-one", "proj-two"]

        await pilot.press("escape")  # out of the field, onto the members
        await pilot.press("x")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the confirm")
        await settle(pilot)
        assert "Stop sharing with proj-one" in dialog_text(app)
        assert app.focused is app.screen.cancel_button  # the safe answer first
        await pilot.press("enter")
        await until(pilot, lambda: app.screen is panel, "back to the panel")
        assert set(cloud.members[GOLDEN]) == {"proj-one", "proj-two"}  # Enter on Cancel removed nothing

        await pilot.press("x")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the confirm")
        await pilot.press("y")
        await until(pilot, lambda: cloud.members[GOLDEN] == {"proj-two": "pending"} and not panel.busy, "removal")
        await settle(pilot)
        assert "proj-one: removed" in screen_text(app)
        assert [m.member_id for m in panel.members] == ["proj-two"]


async def test_adding_to_a_private_image_offers_the_switch_to_shared_showing_the_patch() -> None:
    app, cloud = sharing_app(empty=True)
    async with app.run_test(size=(80, 24)) as pilot:
        panel = await panel_on_a_new_image(pilot, app, "private")
        assert "Only a shared image has members" in screen_text(app)
        await pilot.press("a", *"proj-late", "enter")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the offer")
        await settle(pilot)
        offer = dialog_text(app)
        assert '"op": "replace", "path": "/visibility", "value": "shared"' in offer.replace("\n", "")
        assert app.focused is app.screen.cancel_button
        assert cloud.images[GOLDEN]["visibility"] == "private"  # nothing sent yet
        await pilot.press("tab", "enter")  # to "Make shared"
        await until(pilot, lambda: cloud.members.get(GOLDEN) == {"proj-late": "pending"} and not panel.busy, "adds")
        await settle(pilot)
        assert cloud.images[GOLDEN]["visibility"] == "shared"
        assert "visibility is now shared" in screen_text(app) and "proj-late: added, pending" in screen_text(app)
        await pilot.press("escape", "escape")
        await until(pilot, lambda: app.screen is main_screen(app), "the list")
        row = main_screen(app).table.current
        assert row is not None and row.visibility == "shared"  # the row follows without a reload


async def test_refusals_show_per_project_in_plain_words() -> None:
    app, cloud = sharing_app(empty=True)
    async with app.run_test(size=(80, 24)) as pilot:
        cloud.member_quota = 2
        panel = await panel_on_a_new_image(pilot, app, "shared", "proj-there")
        await pilot.press("a", *"proj-there proj-new proj-over", "enter")
        await until(pilot, lambda: any("proj-over" in line for line in panel.results) and not panel.busy, "results")
        await settle(pilot)
        text = screen_text(app)
        assert "not sent: proj-there is already a member" in text  # checked before sending
        assert "proj-new: added, pending" in text
        assert "proj-over: not added: HTTP 413 Request Entity Too Large: the image has" in text  # one line each
        assert "E shows" not in text and app.last_error is not None and "Maximum: 2" in app.last_error.text


async def test_read_only_lists_the_members_and_changes_nothing() -> None:
    app, cloud = sharing_app(empty=True, read_only=True)
    async with owner_client(cloud) as owner, app.run_test(size=(80, 24)) as pilot:
        await owner.create({"name": "golden", "visibility": "shared"}, image_id=GOLDEN)
        await owner.add_member(GOLDEN, "proj-seen")
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        panel = await open_panel(pilot, app, GOLDEN)
        text = screen_text(app)
        assert "proj-seen" in text and "pending" in text
        assert "read-only: the members are shown, not changed" in text
        assert not panel.query_one("#members-add").display
        await pilot.press("a", "x", "s")
        await settle(pilot)
        assert app.screen is panel and not panel.query_one("#members-add").display
        assert told(app)[-3:] == ["read-only: the members are shown, not changed"] * 3  # said, not silently ignored
        assert cloud.members[GOLDEN] == {"proj-seen": "pending"}
        assert "Remove" not in text and "Add projects" not in text  # not offered in the footer


async def test_an_image_of_another_project_lists_its_members_only_to_its_owner() -> None:
    app, cloud = sharing_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        foreign = next(
            image_id
            for image_id, table in cloud.members.items()
            if table.get(DEMO_PROJECT_ID) == "accepted" and cloud.images[image_id]["status"] == "active"
        )
        panel = await open_panel(pilot, app, foreign)
        text = screen_text(app)
        assert "(another project)" in text and "only its owner adds or removes members" in text
        assert [m.member_id for m in panel.members] == [DEMO_PROJECT_ID]  # a member sees only itself
        assert f"{DEMO_PROJECT_ID} (you)" in text and not panel.query_one("#members-add").display


def foreign_pending(cloud: DemoCloud) -> list[str]:
    return [
        image_id
        for image_id, table in cloud.members.items()
        if table.get(DEMO_PROJECT_ID) == "pending" and cloud.images[image_id]["owner"] != DEMO_PROJECT_ID
    ]


async def test_shared_with_me_views_and_the_answers_to_a_share() -> None:
    app, cloud = sharing_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        await pilot.press("M")
        await settle(pilot)
        assert (screen.list_query.visibility, screen.list_query.member_status) == ("shared", "pending")
        assert "member_status=pending" in screen_text(app)  # the --filter words
        rows = screen.table.rows
        theirs = [row for row in rows if row.owner != DEMO_PROJECT_ID]
        assert theirs and {row.id for row in theirs} == set(foreign_pending(cloud)) & {row.id for row in rows}
        assert all(row.visibility == "shared" for row in rows)

        target = theirs[0]
        await pilot.press(*["j"] * rows.index(target))
        assert screen.table.current is target
        screen.flush_detail()
        await settle(pilot)
        assert re.search(r"member status +pending", screen_text(app))  # read once, shown in the detail pane
        await pilot.press("j", "k")
        screen.flush_detail()
        await settle(pilot)
        member_reads = [path for method, path in cloud.request_log if method == "GET" and "/members/" in path]
        assert member_reads == [f"/v2/images/{target.id}/members/{DEMO_PROJECT_ID}"]

        await pilot.press("A")
        await until(pilot, lambda: cloud.members[target.id][DEMO_PROJECT_ID] == "accepted", "the answer")
        await settle(pilot)
        assert any("share accepted; it now lists with the other images" in said for said in told(app))
        assert re.search(r"member status +accepted", screen_text(app))
        await pilot.press("R")
        await until(pilot, lambda: cloud.members[target.id][DEMO_PROJECT_ID] == "rejected", "the rejection")
        await pilot.press("N")
        await until(pilot, lambda: cloud.members[target.id][DEMO_PROJECT_ID] == "pending", "back to pending")

        await pilot.press("M", "M")  # accepted, then rejected
        await settle(pilot)
        assert screen.list_query.member_status == "rejected"
        assert all(
            cloud.members[row.id][DEMO_PROJECT_ID] == "rejected"
            for row in screen.table.rows
            if row.owner != DEMO_PROJECT_ID
        )


async def test_the_answers_are_hidden_without_a_project_id_and_on_an_own_image() -> None:
    app, cloud = sharing_app(project_id=None)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        screen.apply_query(ListQuery(visibility="shared", member_status="pending"))
        await settle(pilot)
        target = next(row for row in screen.table.rows if row.owner != DEMO_PROJECT_ID)
        await pilot.press(*["j"] * screen.table.rows.index(target))
        assert screen.check_action("accept_share", ()) is False
        await pilot.press("A")
        await settle(pilot)
        assert cloud.members[target.id][DEMO_PROJECT_ID] == "pending"

    app, cloud = sharing_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        screen.apply_query(ListQuery(visibility="shared", owner=DEMO_PROJECT_ID))
        await settle(pilot)
        assert screen.table.current is not None and screen.table.current.owner == DEMO_PROJECT_ID
        assert screen.check_action("accept_share", ()) is False
        assert screen.check_action("members", ()) is True
        titles = [command.title for command in screen.palette_commands()]
        assert "Accept share" not in titles and "Members (sharing)" in titles
        assert "Shared with this project: rejected" in titles
