"""The delete dialog against the demo cloud: Cancel first, Esc never deletes, protected images explained."""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Button, Static

from ims_tui.api import ImageClient
from ims_tui.demo import DemoCloud
from ims_tui.ui.screens.delete import DeleteImageScreen

from .helpers import DroppingTransport, ScreenHost


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
    app = ScreenHost(lambda: DeleteImageScreen(client, stale))
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
    app = ScreenHost(lambda: DeleteImageScreen(client, image))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
    assert app.results == [image.id]


def test_every_binding_has_an_id() -> None:
    assert all(getattr(binding, "id", None) for binding in DeleteImageScreen.BINDINGS)
