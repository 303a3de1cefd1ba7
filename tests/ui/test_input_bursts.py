"""Editing keys typed in one burst with the text around them, as one read over SSH delivers them.

``pilot.press`` waits after every key, which hides the bug these tests pin: Textual runs a widget's own bindings
(backspace, ctrl+u, home...) only after the key has bubbled up to the app, so the letters after it were typed
first. Here the keys are posted all at once, as the driver posts what one read held."""

from __future__ import annotations

from typing import Any

from textual import events
from textual.widgets import Input

from ims_tui.ui.screens.image_form import ImageFormScreen

from .helpers import main_screen, make_app, settle

CHARACTERS = {"backspace": "\x7f", "ctrl+u": "\x15", "home": None, "end": None, "left": None}


def burst(app: Any, *keys: str) -> None:
    for key in keys:
        for name in [key] if key in CHARACTERS else list(key):
            app.post_message(events.Key(name, CHARACTERS.get(name, name)))


async def test_ctrl_u_then_a_new_name_in_one_read_keeps_the_new_name() -> None:
    app, _ = make_app(count=5)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        for _ in range(40):
            if isinstance(app.screen, ImageFormScreen) and app.screen.loaded:
                break
            await settle(pilot)
        name = app.screen.query_one("#name", Input)
        name.focus()
        await settle(pilot)
        burst(app, "end", "ctrl+u", "newname")
        await settle(pilot)
        assert name.value == "newname"
        burst(app, "backspace", "backspace", "X", "home", ">")
        await settle(pilot)
        assert name.value == ">newnaX"


async def test_a_backspace_in_the_quick_filter_deletes_the_letter_before_it() -> None:
    app, _ = make_app(count=5)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        await settle(pilot)
        burst(app, "abcd", "backspace", "e")
        await settle(pilot)
        assert main_screen(app).query_one("#quick", Input).value == "abce"
