"""The live watch on the main screen: a row in transition changes in place when its image settles, with a word
to the user; nothing is sent while nothing is in transition; a user who walked away stops the rounds."""

from __future__ import annotations

from typing import Any

from ims_tui.api.models import Image
from ims_tui.ui.image_watch import IDLE_PAUSE, ImageWatch

from .helpers import is_watch_request, main_screen, make_app, screen_text, settle, told


def watch_of(app: Any) -> ImageWatch:
    return main_screen(app).image_watch


def watch_requests(cloud: Any) -> list[str]:
    return [path for method, path in cloud.request_log if method == "GET" and is_watch_request(path)]


async def queued_image(app: Any, name: str) -> Image:
    client = main_screen(app).client
    assert client is not None
    return await client.create({"name": name, "disk_format": "raw", "container_format": "bare"})


async def test_a_queued_row_turns_active_in_place_and_the_user_is_told() -> None:
    app, cloud = make_app(empty=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        image = await queued_image(app, "fresh-upload")
        await pilot.press("ctrl+r")  # the list comes back with the queued image: the watch follows it
        await settle(pilot)
        watch = watch_of(app)
        assert watch.following == 1
        cloud.images[image.id]["status"] = "active"
        watch.run_round()
        await settle(pilot)
        row = main_screen(app).table.current
        assert row is not None and row.id == image.id and row.status == "active"
        assert "fresh-upload: queued → active" in told(app)
        assert "queued" not in screen_text(app)
        assert watch.following == 0 and not watch.timer.pending  # nothing left: no timer, no request


async def test_nothing_in_transition_sends_nothing() -> None:
    app, cloud = make_app(empty=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        image = await queued_image(app, "to be active")
        cloud.images[image.id]["status"] = "active"
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert watch_of(app).following == 0 and not watch_of(app).timer.pending
        assert watch_requests(cloud) == []


async def test_an_image_deleted_elsewhere_leaves_the_list() -> None:
    app, cloud = make_app(empty=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        image = await queued_image(app, "doomed")
        await pilot.press("ctrl+r")
        await settle(pilot)
        client = main_screen(app).client
        assert client is not None
        await client.delete(image.id)  # by someone else, as far as this screen knows
        watch_of(app).run_round()
        await settle(pilot)
        assert main_screen(app).table.row_count == 0
        assert any("no longer exists" in message for message in told(app))


async def test_rounds_stop_while_the_user_is_away_and_start_again_on_a_key() -> None:
    app, cloud = make_app(empty=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await queued_image(app, "waiting")
        await pilot.press("ctrl+r")
        await settle(pilot)
        watch = watch_of(app)
        now = [watch.clock()]
        watch.clock = lambda: now[0]
        watch.last_input = now[0]
        now[0] += IDLE_PAUSE + 1
        before = len(watch_requests(cloud))
        watch._tick()  # the timer fires while the user is away
        await settle(pilot)
        assert watch.paused and len(watch_requests(cloud)) == before
        await pilot.press("j")  # back at the keyboard
        await settle(pilot)
        await settle(pilot)
        assert not watch.paused and len(watch_requests(cloud)) == before + 1
