"""Faults on the form's writes: create (n, type, ctrl+s) and edit of the name and of the tags (e, change, ctrl+s,
confirm the preview), against the real Glance behind the proxy.

The fault is on the write only (POST, or the PATCH: an edit may read the image before its preview, and that read
goes through). Either the proxy answers for the server (nothing reached Glance) or it forwards the write and spoils
the answer (Glance applied it). Each case checks: the write was sent once and never again unasked, the form says
what is true ("saved" only when it is, "not saved" only when it surely is not), the error is readable at 80
columns, nothing typed is lost, the app answers a key, and once the fault is gone ctrl+s finishes the job.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from textual.widgets import Input, Static

from ims_tui.api import ImageClient
from ims_tui.ui.app import ImsApp
from ims_tui.ui.screens.image_form import ImageFormScreen, PatchPreviewScreen
from ims_tui.ui.screens.main import MainScreen
from tools.fault_proxy import FaultProxy, glance_error, reset_mid

from .conftest import (
    APPLIED,
    ONE_IMAGE,
    UNSURE,
    Case,
    Target,
    assert_responsive,
    every_image,
    fault_params,
    faulty_app,
    fresh_name,
    list_loaded,
    main_screen,
    sent,
    shows,
    wait_until,
)

pytestmark = pytest.mark.glance
# Said only when the write surely did not happen (a plain "not", not "not ... yet")
SURELY_NOT = r"\bnot (saved|created)\b(?! yet| so far)"
MAYBE = r"\bmay (have been|still)|\bmaybe\b"
# After a timeout (UNSURE) the service may still apply the write; the form says it surely did not.


def form(app: ImsApp) -> ImageFormScreen:
    screen = app.screen
    assert isinstance(screen, ImageFormScreen), screen
    return screen


def field(app: ImsApp, key: str) -> str:
    return form(app).query_one(f"#{key}", Input).value


def panel_shown(app: ImsApp) -> bool:
    return isinstance(app.screen, ImageFormScreen) and app.screen.query_one("#server-error", Static).has_class("-shown")


async def answered(pilot: Any) -> bool:
    """Wait until the write is settled either way: True when the form closed (the app says it is done)."""
    app = pilot.app
    await wait_until(pilot, lambda: isinstance(app.screen, MainScreen) or panel_shown(app), "the write's outcome")
    return isinstance(app.screen, MainScreen)


def check_wording(app: ImsApp, case: Case) -> None:
    """The form says what failed (status or reason at 80 columns) and only what it knows of the outcome."""
    assert shows(app, case.sign), f"{case} not readable at 80 columns"
    surely_not = shows(app, SURELY_NOT, columns=200)
    if case.name in UNSURE:
        assert not surely_not and shows(app, MAYBE, columns=200), "a timeout said 'not saved'"
    else:
        assert surely_not and not shows(app, MAYBE, columns=200), "a write surely not applied must say so"


async def form_open(pilot: Any, key: str) -> ImageFormScreen:
    app = pilot.app
    await pilot.press(key)
    await wait_until(pilot, lambda: isinstance(app.screen, ImageFormScreen) and app.screen.loaded, "the form")
    return form(app)


async def named(truth: ImageClient, name: str) -> list[str]:
    return [image.id for image in await every_image(truth) if image.name == name]


@pytest.mark.parametrize("case", fault_params())
async def test_create(proxy: FaultProxy, truth: ImageClient, clean: None, case: Case) -> None:
    name = fresh_name("created")
    proxy.inject(case.make(), method="POST", path="/v2/images", times=None)
    app = faulty_app(proxy)
    async with app.run_test(size=(80, 24)) as pilot:
        await list_loaded(pilot)
        await form_open(pilot, "n")
        await pilot.press(*name, "ctrl+s")
        done = await answered(pilot)
        assert len(sent(proxy, "POST")) == 1  # never repeated unasked
        if case.name in APPLIED:
            assert done, "Glance created it: the form must say so"
        else:
            assert not done and await named(truth, name) == []  # the server has nothing, as the form says
            check_wording(app, case)
            assert field(app, "name") == name  # nothing typed is lost
            await assert_responsive(pilot, "f1")
            assert field(app, "name") == name
            proxy.clear()
            await pilot.press("ctrl+s")
            await wait_until(pilot, lambda: isinstance(app.screen, MainScreen), "the form closing on ctrl+s")
        held = await named(truth, name)
        assert len(held) == 1  # exactly one image, whatever happened on the way
        current = main_screen(app).table.current
        assert current is not None and current.id == held[0]  # listed, and highlighted
        ids = {json.loads(request.body).get("id") for request in sent(proxy, "POST")}
        assert ids == {held[0]}  # every attempt named the same id: a retry can never make a second image


async def test_create_retried_after_an_unknown_outcome_makes_one_image(
    proxy: FaultProxy, truth: ImageClient, clean: None
) -> None:
    """The answer is lost and so is the check after it: the form says "maybe", and ctrl+s once the link is good
    makes no second image (the same id: Glance's 409 is settled by a GET)."""
    name = fresh_name("twice")
    proxy.inject(reset_mid(), method="POST", path="/v2/images", times=1)
    app = faulty_app(proxy)
    async with app.run_test(size=(80, 24)) as pilot:
        await list_loaded(pilot)
        await form_open(pilot, "n")
        proxy.inject(glance_error(500, "checking failed"), method="GET", path=ONE_IMAGE, times=None)
        await pilot.press(*name, "ctrl+s")
        assert not await answered(pilot)
        assert shows(app, r"maybe created|may have been", columns=200) and not shows(app, SURELY_NOT, columns=200)
        assert len(await named(truth, name)) == 1  # Glance has it; the form could not tell
        proxy.clear()
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, MainScreen), "the form closing on ctrl+s")
        assert len(sent(proxy, "POST")) == 2 and len(await named(truth, name)) == 1


@pytest.mark.parametrize("case", fault_params())
@pytest.mark.parametrize("what", ["name", "tags"])
async def test_edit(proxy: FaultProxy, truth: ImageClient, target: Target, case: Case, what: str) -> None:
    new = fresh_name("renamed") if what == "name" else "t0, t1"

    async def changed() -> bool:
        image = await truth.get(target.id)
        return image.name == new if what == "name" else sorted(image.tags) == ["t0", "t1"]

    proxy.inject(case.make(), method="PATCH", path=f"/v2/images/{target.id}", times=None)
    app = faulty_app(proxy)
    async with app.run_test(size=(80, 24)) as pilot:
        await list_loaded(pilot)
        assert main_screen(app).table.current is not None and main_screen(app).table.current.id == target.id
        screen = await form_open(pilot, "e")
        for _ in range(20):  # Tab to the field, as a user would
            if screen.focused is not None and screen.focused.id == what:
                break
            await pilot.press("tab")
        await pilot.press("end", "ctrl+u", *new)
        await save_and_confirm(pilot)
        done = await answered(pilot)
        assert len(sent(proxy, "PATCH")) == 1  # never repeated unasked
        assert done == (case.name in APPLIED)  # the form closes (saved) exactly when Glance applied it
        assert await changed() == done
        if not done:
            check_wording(app, case)
            assert field(app, what) == new  # nothing typed is lost
            await assert_responsive(pilot, "f1")
            proxy.clear()
            await save_and_confirm(pilot)
            await wait_until(pilot, lambda: isinstance(app.screen, MainScreen), "the form closing on ctrl+s")
            assert len(sent(proxy, "PATCH")) == 2 and await changed()
        if what == "name":
            current = main_screen(app).table.current
            assert current is not None and current.name == new  # the list shows what the server holds
        await pilot.press("e")  # the next edit starts from what the server holds
        await wait_until(pilot, lambda: isinstance(app.screen, ImageFormScreen) and app.screen.loaded, "the form")
        assert words(field(app, what)) == words(new)


def words(text: str) -> set[str]:
    return {word.strip() for word in text.split(",")}


async def save_and_confirm(pilot: Any) -> None:
    """ctrl+s, then confirm the patch preview (the form may read the image first: wait for the preview)."""
    app = pilot.app
    await pilot.press("ctrl+s")
    await wait_until(pilot, lambda: isinstance(app.screen, PatchPreviewScreen), "the patch preview")
    await pilot.press("enter")
    await wait_until(pilot, lambda: not isinstance(app.screen, PatchPreviewScreen), "the preview closing")
