"""The local path field: Tab completes, lists the choices, then moves on; the size or the problem shows under it."""

from __future__ import annotations

from pathlib import Path

from textual.app import App, ComposeResult
from textual.widgets import Input, Static

from ims_tui.ui.widgets.path_field import PathField


class FieldHost(App[None]):
    def __init__(self, cwd: Path, kind: str = "source") -> None:
        super().__init__()
        self.cwd, self.kind = cwd, kind

    def compose(self) -> ComposeResult:
        yield PathField(kind=self.kind, cwd=self.cwd, id="path")  # type: ignore[arg-type]
        yield Input(id="after")

    def on_mount(self) -> None:
        self.query_one(PathField).input.focus()


def shown(app: App[None], selector: str) -> str:
    return str(app.query_one(selector, Static).render())


async def test_tab_completes_lists_then_moves_on(tmp_path: Path) -> None:
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "jammy.qcow2").write_bytes(b"x" * 2048)
    (tmp_path / "images" / "jammy.raw").write_bytes(b"x")
    app = FieldHost(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        field = app.query_one(PathField)
        await pilot.press(*"ima", "tab")
        assert field.value == "images/"
        await pilot.press("tab")
        assert field.value == "images/jammy."
        await pilot.press("tab")  # two choices: listed under the field
        assert "jammy.qcow2  jammy.raw" in shown(app, ".path-choices")
        await pilot.press("q", "tab")  # typed in one burst with the Tab after it
        assert field.value == "images/jammy.qcow2"
        assert "2.0 KiB (2,048 bytes)" in shown(app, ".path-about")
        assert app.focused is app.query_one(PathField).input
        await pilot.press("tab")  # nothing left to complete: on to the next field
        assert app.focused is not None and app.focused.id == "after"
        assert field.problem is None and field.path == tmp_path / "images" / "jammy.qcow2"


async def test_a_source_that_is_not_a_file_is_said_plainly(tmp_path: Path) -> None:
    app = FieldHost(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"nope.iso")
        assert "No such file or directory: nope.iso" in shown(app, ".path-about")
        assert app.query_one(PathField).problem is not None


async def test_a_target_says_when_it_would_replace_a_file(tmp_path: Path) -> None:
    (tmp_path / "old.img").write_bytes(b"x" * 10)
    app = FieldHost(tmp_path, kind="target")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"new.img")
        assert shown(app, ".path-about") == "a new file"
        field = app.query_one(PathField)
        field.input.value = "old.img"
        await pilot.pause()
        assert "10 B" in shown(app, ".path-about") and field.problem is None
        field.input.value = "missing/new.img"
        await pilot.pause()
        assert "no such folder" in shown(app, ".path-about")
