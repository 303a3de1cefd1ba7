"""The delete dialog against the demo cloud: Cancel first, Esc never deletes, protected images explained."""

from __future__ import annotations

from typing import Any

import pytest
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Button, Checkbox, Static

from ims_tui.api import ImageClient
from ims_tui.demo import DEMO_ENDPOINT, DemoCloud
from ims_tui.ui.screens.delete import DeleteImageScreen
from ims_tui.ui.screens.image_form import ImageFormScreen

from .helpers import DroppingTransport, ScreenHost, make_app
from .helpers import settle as settle_app
from .test_form_screen import LosingTransport


async def settle(app: App[Any], pilot: Pilot[Any]) -> None:
    await app.workers.wait_for_complete()
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


def deletes(cloud: DemoCloud) -> list[tuple[str, str]]:
    return [(method, path) for method, path in cloud.request_log if method == "DELETE"]


async def test_cancel_is_focused_and_enter_on_it_sends_nothing(client: ImageClient, cloud: DemoCloud) -> None:
    image = await client.create({"name": "victim"})
    app = ScreenHost(lambda: DeleteImageScreen(client, image))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert app.focused is not None and app.focused.id == "delete-cancel"
        await pilot.press("enter")
        await settle(app, pilot)
    assert app.results == [None]
    assert deletes(cloud) == []
    assert (await client.get(image.id)).id == image.id


async def test_esc_sends_nothing(client: ImageClient, cloud: DemoCloud) -> None:
    image = await client.create({"name": "victim"})
    app = ScreenHost(lambda: DeleteImageScreen(client, image))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("escape")
        await settle(app, pilot)
    assert app.results == [None]
    assert deletes(cloud) == []


async def test_y_deletes(client: ImageClient, cloud: DemoCloud) -> None:
    image = await client.create({"name": "victim"})
    app = ScreenHost(lambda: DeleteImageScreen(client, image))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("y")
        await settle(app, pilot)
    assert app.results == [image.id]
    assert deletes(cloud) == [("DELETE", f"/v2/images/{image.id}")]


async def test_enter_on_the_delete_button_deletes(client: ImageClient, cloud: DemoCloud) -> None:
    image = await client.create({"name": "victim"})
    app = ScreenHost(lambda: DeleteImageScreen(client, image))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("tab")
        assert app.focused is not None and app.focused.id == "delete-confirm"
        await pilot.press("enter")
        await settle(app, pilot)
    assert app.results == [image.id]
    assert len(deletes(cloud)) == 1


async def test_protected_is_explained_from_a_fresh_get_and_nothing_is_sent(
    client: ImageClient, cloud: DemoCloud
) -> None:
    image = await client.create({"name": "[b]keep[/b]"})
    stale = image.model_copy(update={"protected": False})
    await client.update(image.id, [{"op": "replace", "path": "/protected", "value": True}])
    app = ScreenHost(lambda: DeleteImageScreen(client, stale, fresh=False))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        message = str(app.screen.query_one("#delete-message", Static).render())
        assert message.startswith("[b]keep[/b] is protected: Glance refuses to delete it.")
        assert "press e to edit and turn off Protected" in message
        assert not app.screen.query_one("#delete-confirm", Button).display or app.screen.query_one(
            "#delete-confirm", Button
        ).has_class("-hidden")
        assert app.focused is not None and app.focused.id == "delete-close"
        await pilot.press("y")
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
    assert app.results == [None]
    assert deletes(cloud) == []


async def test_opened_by_id_reads_the_image_and_explains_protection(client: ImageClient, cloud: DemoCloud) -> None:
    """The main screen opens the dialog at once with the row's id and name; the dialog reads the rest itself."""
    image = await client.create({"name": "row name", "protected": True})
    app = ScreenHost(lambda: DeleteImageScreen(client, image_id=image.id, name="row name"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        message = str(app.screen.query_one("#delete-message", Static).render())
        assert message.startswith("row name is protected")
        await pilot.press("y")
        await settle(app, pilot)
    assert deletes(cloud) == []


async def test_opened_by_id_deletes_once_checked(client: ImageClient, cloud: DemoCloud) -> None:
    image = await client.create({"name": "victim"})
    app = ScreenHost(lambda: DeleteImageScreen(client, image_id=image.id, name="victim"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("y")
        await settle(app, pilot)
    assert app.results == [image.id]
    assert deletes(cloud) == [("DELETE", f"/v2/images/{image.id}")]


async def test_failure_is_shown_and_the_dialog_stays(
    client: ImageClient, cloud: DemoCloud, transport: DroppingTransport
) -> None:
    image = await client.create({"name": "victim"})
    app = ScreenHost(lambda: DeleteImageScreen(client, image))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        transport.drop_writes = True
        await pilot.press("y")
        await settle(app, pilot)
        error = app.screen.query_one("#delete-error", Static)
        assert error.has_class("-shown") and "dropped" in str(error.render())
        assert app.results == []
        assert app.focused is not None and app.focused.id == "delete-cancel"
        transport.drop_writes = False
        await pilot.press("y")
        await settle(app, pilot)
    assert app.results == [image.id]


async def test_already_gone_dismisses_with_the_id(client: ImageClient, cloud: DemoCloud) -> None:
    image = await client.create({"name": "victim"})
    await client.delete(image.id)
    app = ScreenHost(lambda: DeleteImageScreen(client, image, fresh=False))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
    assert app.results == [image.id]


def test_every_binding_has_an_id() -> None:
    assert all(getattr(binding, "id", None) for binding in DeleteImageScreen.BINDINGS)


def image_reads(cloud: DemoCloud, image_id: str) -> int:
    return sum(1 for method, path in cloud.request_log if method == "GET" and path == f"/v2/images/{image_id}")


async def test_the_image_it_is_handed_is_not_read_again(client: ImageClient, cloud: DemoCloud) -> None:
    image = await client.create({"name": "victim"})
    app = ScreenHost(lambda: DeleteImageScreen(client, image))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert image_reads(cloud, image.id) == 0
        assert "y or the Delete button deletes" in str(app.screen.query_one("#delete-status", Static).render())
        await pilot.press("y")
        await settle(app, pilot)
    assert app.results == [image.id]
    assert image_reads(cloud, image.id) == 0


async def test_a_protected_image_it_is_handed_is_explained_without_a_read(
    client: ImageClient, cloud: DemoCloud
) -> None:
    image = await client.create({"name": "keep", "protected": True})
    app = ScreenHost(lambda: DeleteImageScreen(client, image))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        message = str(app.screen.query_one("#delete-message", Static).render())
        assert message.startswith("keep is protected: Glance refuses to delete it.")
        assert app.focused is not None and app.focused.id == "delete-close"
        await pilot.press("y", "enter")
        await settle(app, pilot)
    assert app.results == [None]
    assert deletes(cloud) == [] and image_reads(cloud, image.id) == 0


async def test_a_hostile_name_is_shown_escaped(client: ImageClient) -> None:
    # a right-to-left override that would show "exe.png" as "gnp.exe", a zero-width joiner and a screen clear
    image = await client.create({"name": "bidi-\u202egnp.exe\u200d\x1b[2J"})
    app = ScreenHost(lambda: DeleteImageScreen(client, image))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        message = str(app.screen.query_one("#delete-message", Static).render())
        assert "Delete bidi-\\u202egnp.exe\\u200d\\x1b[2J?" in message
        assert not {"\u202e", "\u200d", "\x1b"} & set(message)


async def test_e_and_d_on_the_list_each_read_the_image_once_and_show_it_as_it_is_now() -> None:
    app, cloud = make_app(count=40)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle_app(pilot)
        app.screen.flush_detail()  # type: ignore[attr-defined]  # the detail pane's own read, now, not mid-test
        await settle_app(pilot)
        row = app.screen.table.current  # type: ignore[attr-defined]
        assert row is not None and not row.protected
        async with ImageClient(DEMO_ENDPOINT, transport=cloud.transport) as other:  # someone else, meanwhile
            await other.update(row.id, [{"op": "replace", "path": "/protected", "value": True}])
        before = image_reads(cloud, row.id)
        await pilot.press("e")
        await settle_app(pilot)
        assert isinstance(app.screen, ImageFormScreen) and app.screen.loaded
        assert app.screen.query_one("#protected", Checkbox).value is True
        assert image_reads(cloud, row.id) == before + 1
        await pilot.press("escape")
        await settle_app(pilot)
        await pilot.press("d")
        await settle_app(pilot)
        assert isinstance(app.screen, DeleteImageScreen)
        assert image_reads(cloud, row.id) == before + 2
        assert "is protected: Glance refuses to delete it." in str(app.screen.query_one("#delete-message").render())
        await pilot.press("y", "escape")
        await settle_app(pilot)
    assert deletes(cloud) == []


# -- a delete whose answer was lost: settled with one look, never reported wrongly ---------------------------


@pytest.mark.parametrize("reads_fail", [False, True])
async def test_a_lost_answer_to_a_delete_that_was_applied(cloud: DemoCloud, reads_fail: bool) -> None:
    lossy = LosingTransport(cloud.transport)
    async with ImageClient(DEMO_ENDPOINT, transport=lossy, backoff=0) as client:
        image = await client.create({"name": "victim"})
        app = ScreenHost(lambda: DeleteImageScreen(client, image))
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(app, pilot)
            lossy.mode, lossy.reads_fail = "applied", reads_fail
            await pilot.press("y")
            await settle(app, pilot)
            if reads_fail:  # the check failed too: it may be gone, so say so and look again on r
                error = str(app.screen.query_one("#delete-error", Static).render())
                assert error.startswith("Maybe deleted: ") and "not deleted" not in error.lower()
                assert app.results == [] and app.screen.query_one("#delete-confirm", Button).disabled
                lossy.mode, lossy.reads_fail = None, False
                await pilot.press("r")
                await settle(app, pilot)
    assert app.results == [image.id]
    assert deletes(cloud) == [("DELETE", f"/v2/images/{image.id}")]


async def test_a_lost_answer_to_a_delete_that_was_not_applied_says_not_deleted(cloud: DemoCloud) -> None:
    lossy = LosingTransport(cloud.transport)
    async with ImageClient(DEMO_ENDPOINT, transport=lossy, backoff=0) as client:
        image = await client.create({"name": "victim"})
        app = ScreenHost(lambda: DeleteImageScreen(client, image))
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(app, pilot)
            lossy.mode = "not_applied"
            await pilot.press("y")
            await settle(app, pilot)
            error = str(app.screen.query_one("#delete-error", Static).render())
            assert error.startswith("Not deleted: ") and "safe to try again" in error
            assert app.results == []
            lossy.mode = None
            await pilot.press("y")
            await settle(app, pilot)
    assert app.results == [image.id]
