"""Editing the highlighted image's tags and custom properties in $EDITOR: a scripted editor (a shell script set as
VISUAL) edits the file; the headless driver cannot suspend, so the editor runs without ``App.suspend`` here
(tests/ui/test_editor_pty.py runs the real app, suspend included, in a pty)."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest
from textual.binding import Binding
from textual.widgets import Button

from ims_tui.api import ImageClient
from ims_tui.demo import DEMO_ENDPOINT, DemoCloud
from ims_tui.ui.edit_text import editable_part
from ims_tui.ui.screens.editor_edit import EditorActions
from ims_tui.ui.screens.form_dialogs import ConflictScreen, PatchPreviewScreen
from ims_tui.ui.screens.main import MainScreen

from .helpers import main_screen, make_app, settle, told, until
from .test_ims_mode import make_ims_app

RUNS: list[str] = []


def _run_without_suspend(app: Any, argv: list[str], path: str) -> int:
    RUNS.append(path)
    return subprocess.run([*argv, path], check=False).returncode


@pytest.fixture(autouse=True)
def scripted_editor(monkeypatch: pytest.MonkeyPatch) -> None:
    RUNS.clear()
    monkeypatch.setattr(EditorActions, "editor_run", staticmethod(_run_without_suspend))


def editor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str) -> Path:
    """A fake editor: a shell script that gets the file as $1; each run's file is kept as seen-N.txt first."""
    script = tmp_path / "fake-editor"
    script.write_text(
        "#!/bin/sh\n"
        f"cd {tmp_path}\n"
        "n=$(ls seen-*.txt 2>/dev/null | wc -l)\n"
        'cp "$1" "seen-$n.txt"\n'
        'stat -c %a "$1" > "mode-$n.txt"\n' + body + "\n"
    )
    script.chmod(0o755)
    monkeypatch.setenv("VISUAL", str(script))
    return script


def seen(tmp_path: Path, n: int) -> str:
    return (tmp_path / f"seen-{n}.txt").read_text()


def patches(cloud: DemoCloud) -> int:
    return sum(1 for method, _ in cloud.request_log if method == "PATCH")


async def image_now(cloud: DemoCloud, image_id: str) -> Any:
    async with ImageClient(DEMO_ENDPOINT, transport=cloud.transport, backoff=0) as api:
        return await api.get(image_id)


async def highlighted(pilot: Any, cloud: DemoCloud, **properties: str) -> str:
    """Give the highlighted image known tags and properties, as someone else would, and reload."""
    app = pilot.app
    image_id = main_screen(app).table.current.id
    async with ImageClient(DEMO_ENDPOINT, transport=cloud.transport, backoff=0) as api:
        image = await api.get(image_id)
        ops: list[dict[str, Any]] = [{"op": "replace", "path": "/tags", "value": ["web"]}]
        ops += [{"op": "remove", "path": f"/{key}"} for key in editable_part(image.properties)]
        ops += [{"op": "add", "path": f"/{key}", "value": value} for key, value in properties.items()]
        await api.update(image_id, ops)
    await pilot.press("r")
    await settle(pilot)
    return image_id


async def test_an_edit_in_the_editor_is_previewed_then_sent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    editor(
        tmp_path,
        monkeypatch,
        "sed -i 's/^os_distro = .*/os_distro = debian/; s/^tags:.*/tags: web, db/' \"$1\"\n"
        'echo "pad = \\"  x\\"" >> "$1"',
    )
    app, cloud = make_app(count=3)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        image_id = await highlighted(pilot, cloud, os_distro="ubuntu", old="1")
        await pilot.press("ctrl+g")
        await until(pilot, lambda: isinstance(app.screen, PatchPreviewScreen), "the preview")
        text = seen(tmp_path, 0)
        assert "tags: web\n" in text and "old = 1\nos_distro = ubuntu\n" in text
        assert text.startswith("# ") and f"# image {image_id}\n" in text
        assert all(len(line) <= 80 for line in text.splitlines() if line.startswith("#"))
        assert "name =" not in text and "status" not in text  # base attributes are the form's
        assert (tmp_path / "mode-0.txt").read_text().strip() == "600"
        assert not Path(RUNS[0]).exists()  # the temp file is gone
        assert patches(cloud) == 1  # only the test's own: nothing sent before Confirm
        await pilot.press("ctrl+s")
        await until(pilot, lambda: patches(cloud) == 2, "the patch")
        await settle(pilot)
        image = await image_now(cloud, image_id)
        assert image.properties["os_distro"] == "debian" and image.properties["pad"] == "  x"
        assert sorted(image.tags) == ["db", "web"]
        assert isinstance(app.screen, MainScreen)
        assert any(message.startswith("saved ") for message in told(app))
        assert main_screen(app).detail.cached(image_id).properties["os_distro"] == "debian"


async def test_a_mistake_reopens_the_editor_with_the_text_and_the_error_on_top(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # first run: a line without "="; second run (the error is shown): fix it
    editor(
        tmp_path,
        monkeypatch,
        'if grep -q "^# ERROR" "$1"; then sed -i "s/^oops$/fixed = yes/" "$1"; else echo oops >> "$1"; fi',
    )
    app, cloud = make_app(count=3)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await highlighted(pilot, cloud, os_distro="ubuntu")
        await pilot.press("ctrl+g")
        await until(pilot, lambda: isinstance(app.screen, PatchPreviewScreen), "the preview")
        second = seen(tmp_path, 1).splitlines()
        errors = [line for line in second if line.startswith("# ERROR ")]
        assert len(errors) == 1 and "expected 'key = value'" in errors[0]
        number = int(errors[0].split()[3].rstrip(":"))
        assert second[number - 1] == "oops"  # the error names the line of the file the user sees
        assert "os_distro = ubuntu" in second
        assert any("fixed" in op["path"] for op in app.screen.ops)  # type: ignore[attr-defined]


async def test_back_from_the_preview_reopens_the_editor_with_the_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    editor(tmp_path, monkeypatch, 'grep -q "^x = 1" "$1" || echo "x = 1" >> "$1"')
    app, cloud = make_app(count=3)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await highlighted(pilot, cloud)
        await pilot.press("ctrl+g")
        await until(pilot, lambda: isinstance(app.screen, PatchPreviewScreen), "the preview")
        assert "Back to the editor" in str(app.screen.cancel_button.label)  # type: ignore[attr-defined]
        await pilot.press("escape")
        await until(pilot, lambda: len(RUNS) == 2, "the second editor run")
        assert "x = 1" in seen(tmp_path, 1)
        await until(pilot, lambda: isinstance(app.screen, PatchPreviewScreen), "the preview again")
        assert patches(cloud) == 1


@pytest.mark.parametrize(
    ("body", "said"),
    [
        ("true", "no change: nothing sent"),
        (': > "$1"', "no change: the file was empty, nothing sent"),
        ('echo "x = 1" >> "$1"; exit 3', "the editor exited with status 3: nothing changed"),
    ],
    ids=["unchanged", "emptied", "non-zero exit"],
)
async def test_nothing_changes_when_the_text_does_not_or_the_editor_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str, said: str
) -> None:
    editor(tmp_path, monkeypatch, body)
    app, cloud = make_app(count=3)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+g")
        await until(pilot, lambda: said in told(app), said)
        assert len(RUNS) == 1 and isinstance(app.screen, MainScreen)
        assert patches(cloud) == 0


async def test_no_editor_on_the_machine_says_so_and_opens_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VISUAL", "no-such-editor-here --wait")
    app, cloud = make_app(count=3)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+g")
        await settle(pilot)
        assert any("no editor: 'no-such-editor-here' is not on PATH" in message for message in told(app))
        assert RUNS == [] and patches(cloud) == 0


async def test_read_only_hides_the_editor_edit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    editor(tmp_path, monkeypatch, 'echo "x = 1" >> "$1"')
    app, cloud = make_app(count=3, read_only=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        assert screen.check_action("edit_in_editor", ()) is False
        titles = {command.title for command in app.get_system_commands(screen)}
        assert "Edit tags and properties in $EDITOR" not in titles
        await pilot.press("ctrl+g")
        await settle(pilot)
        assert RUNS == [] and patches(cloud) == 0


async def test_the_palette_offers_it_with_its_key() -> None:
    app, _cloud = make_app(count=3)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        commands = {c.title: c.help for c in app.get_system_commands(app.screen)}
        key = app.get_key_display(Binding("ctrl+g", ""))
        assert commands["Edit tags and properties in $EDITOR"].endswith(f"({key})")


async def test_on_ims_the_read_only_properties_stay_out_and_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    editor(tmp_path, monkeypatch, 'echo "x = 1" >> "$1"')
    app, cloud = make_ims_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        image_id = await highlighted(pilot, cloud, __os_type="Linux", os_distro="ubuntu")
        await pilot.press("ctrl+g")
        await until(pilot, lambda: isinstance(app.screen, PatchPreviewScreen), "the preview")
        assert "__os_type" not in seen(tmp_path, 0) and "os_distro = ubuntu" in seen(tmp_path, 0)
        assert [op["path"] for op in app.screen.ops] == ["/x"]  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await until(pilot, lambda: patches(cloud) == 2, "the patch")
        assert (await image_now(cloud, image_id)).properties["__os_type"] == "Linux"


async def test_a_text_left_with_its_mistakes_sends_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the second run quits without saving: the way out
    editor(tmp_path, monkeypatch, 'grep -q "^# ERROR" "$1" || echo "oops" >> "$1"')
    app, cloud = make_app(count=3)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+g")
        said = "not sent: the text was left with its mistakes"
        await until(pilot, lambda: said in told(app), said)
        assert len(RUNS) == 2 and patches(cloud) == 0


async def test_a_change_made_meanwhile_is_kept_and_a_clash_is_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    editor(tmp_path, monkeypatch, "sed -i 's/^old = .*/old = mine/; s/^clash = .*/clash = mine/' \"$1\"")
    app, cloud = make_app(count=3)

    def someone_else_meanwhile(app_: Any, argv: list[str], path: str) -> int:
        status = _run_without_suspend(app_, argv, path)
        cloud.images[image_id].update({"os_distro": "arch", "clash": "theirs"})
        return status

    monkeypatch.setattr(EditorActions, "editor_run", staticmethod(someone_else_meanwhile))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        image_id = await highlighted(pilot, cloud, os_distro="ubuntu", old="1", clash="0")
        await pilot.press("ctrl+g")
        await until(pilot, lambda: isinstance(app.screen, ConflictScreen), "the conflict")
        await pilot.press("escape")  # back: the editor again, on the text as the user left it
        await until(pilot, lambda: len(RUNS) == 2, "the second editor run")
        assert "clash = mine" in seen(tmp_path, 1) and "old = mine" in seen(tmp_path, 1)
        await until(pilot, lambda: isinstance(app.screen, ConflictScreen), "the conflict again")
        app.screen.query_one("#conflict-theirs", Button).press()
        await until(pilot, lambda: isinstance(app.screen, PatchPreviewScreen), "the preview")
        assert [op["path"] for op in app.screen.ops] == ["/old"]  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await until(pilot, lambda: patches(cloud) == 2, "the patch")
        image = await image_now(cloud, image_id)
        assert (image.properties["os_distro"], image.properties["clash"], image.properties["old"]) == (
            "arch",
            "theirs",
            "mine",
        )


class FirstPatchGoesWrong(httpx.AsyncBaseTransport):
    """The demo cloud, except for the first PATCH: refused with a 403, or (``applied``) applied and then its
    answer lost to a reset."""

    def __init__(self, inner: httpx.AsyncBaseTransport, *, applied: bool = False) -> None:
        self.inner = inner
        self.applied = applied
        self.broken = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        first = request.method == "PATCH" and not self.broken
        self.broken += first
        if first and not self.applied:
            return httpx.Response(403, json={"message": "policy says no"}, request=request)
        response = await self.inner.handle_async_request(request)
        if first:
            raise httpx.ReadError("connection reset by peer", request=request)
        return response


async def send_from_the_editor(pilot: Any, until_told: str, what: str) -> str:
    """ctrl+g on the highlighted image, ctrl+s on the preview, until a notice holds ``until_told``; its id."""
    app = pilot.app
    await settle(pilot)
    image_id = main_screen(app).table.current.id
    await pilot.press("ctrl+g")
    await until(pilot, lambda: isinstance(app.screen, PatchPreviewScreen), "the preview")
    await pilot.press("ctrl+s")
    await until(pilot, lambda: any(until_told in message for message in told(app)), what)
    return str(image_id)


async def test_a_refused_change_keeps_the_text_for_the_next_try(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    editor(tmp_path, monkeypatch, 'grep -q "^x = 1" "$1" || echo "x = 1" >> "$1"')
    app, cloud = make_app(count=3, wrap=FirstPatchGoesWrong)
    async with app.run_test(size=(80, 24)) as pilot:
        image_id = await send_from_the_editor(pilot, "not saved", "the refusal")
        await pilot.press("ctrl+g")
        await until(pilot, lambda: isinstance(app.screen, PatchPreviewScreen), "the preview again")
        again = seen(tmp_path, 1)
        assert "x = 1" in again and "# NOTE not saved last time: HTTP 403 Forbidden: policy says no" in again
        await pilot.press("ctrl+s")
        await until(pilot, lambda: any(m.startswith("saved ") for m in told(app)), "the save")
        assert (await image_now(cloud, image_id)).properties["x"] == "1"


async def test_a_change_whose_answer_is_lost_is_checked_not_sent_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    editor(tmp_path, monkeypatch, 'echo "lost = answer" >> "$1"')
    app, cloud = make_app(count=3, wrap=lambda inner: FirstPatchGoesWrong(inner, applied=True))
    async with app.run_test(size=(80, 24)) as pilot:
        image_id = await send_from_the_editor(pilot, "the answer was lost", "the check")
        assert patches(cloud) == 1  # settled by reading the image, never by sending again
        assert (await image_now(cloud, image_id)).properties["lost"] == "answer"
        assert not any("not saved" in message for message in told(app))
