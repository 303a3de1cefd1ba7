"""SVG snapshots at 80x24 of the image-lifecycle screens: the dialog that deletes an image's data from one store,
and the full detail of an image whose web-download failed, with its import task. Seeded demo data, a frozen
clock, fixed ids."""

from __future__ import annotations

from typing import Any

from ims_tui.api.imports import ImportRequest

from .helpers import main_screen, make_app, settle

DEAD_LINK = "http://downloads.example.invalid/missing.qcow2"
IMAGE_ID = "3f1c2d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f"


def test_delete_from_store_dialog(snap_compare: Any) -> None:
    app, cloud = make_app()

    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        row = main_screen(app).table.current
        assert row is not None
        cloud.stores_of[row.id] = ["fs", "fast"]
        await pilot.press("W")
        await settle(pilot)
        await pilot.press("down", "enter")  # fast chosen: the request it will send shows
        await settle(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_detail_with_a_failed_import_task(snap_compare: Any) -> None:
    app, cloud = make_app(empty=True)

    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        client = main_screen(app).client
        assert client is not None
        attributes = {"name": "from-a-dead-link", "disk_format": "qcow2", "container_format": "bare"}
        await client.create(attributes, image_id=IMAGE_ID)
        await client.import_image(IMAGE_ID, ImportRequest.web_download(DEAD_LINK))
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
