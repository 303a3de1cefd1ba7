"""The command line: flags parse, the environment is set before Textual is imported, and a bare run explains."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ims_tui import cli
from ims_tui.config.named_views import View
from ims_tui.config.state import StateStore


def test_cli_module_does_not_import_textual() -> None:
    code = "import sys, ims_tui.cli; print('textual' in sys.modules, 'ims_tui.ui' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["False", "False"]


def test_no_arguments_prints_a_hint(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    assert cli.main([]) == 2
    err = capsys.readouterr().err
    assert "--demo" in err and "--endpoint" in err


def test_every_reserved_flag_parses() -> None:
    args = cli.build_parser().parse_args(
        [
            "--demo", "--demo-images", "10", "--demo-latency", "0.1", "--read-only", "--page-size", "50",
            "--no-mouse", "--fps", "10", "--ansi", "--low-bandwidth", "--theme", "nord", "--config", "x.toml",
            "--os-cloud", "a", "--cloud", "b", "--where", "--debug",
            "--endpoint", "https://ims.example", "--token", "t",
        ]
    )  # fmt: skip
    assert args.demo_images == 10 and args.page_size == 50 and args.no_mouse and args.fps == 10


def test_display_flags_set_textual_environment() -> None:
    env: dict[str, str] = {}
    cli.apply_display_environment(cli.build_parser().parse_args(["--fps", "12"]), env)
    assert env == {"TEXTUAL_FPS": "12"}
    env = {}
    cli.apply_display_environment(cli.build_parser().parse_args(["--low-bandwidth"]), env)
    assert env["TEXTUAL_ANIMATIONS"] == "none" and env["TEXTUAL_FPS"] == "10"
    assert cli.pick_theme(cli.build_parser().parse_args(["--ansi"])) == "ansi-dark"


def test_token_comes_from_the_environment_and_is_never_echoed(capsys: pytest.CaptureFixture[str]) -> None:
    args = cli.build_parser().parse_args(["--endpoint", "https://ims.example"])
    assert cli.token_from(args, {"OS_TOKEN": "s3cret-token"}) == "s3cret-token"
    assert cli.token_from(cli.build_parser().parse_args([]), {"OS_TOKEN": "s3cret-token"}) is None
    options = cli.connect_options(
        cli.build_parser().parse_args(["--endpoint", "https://ims.example", "--token", "tok-3141"]), {}
    )
    from ims_tui.config import resolve

    resolved = resolve(options)
    session = resolved.sessions[resolved.default or ""]()
    assert "tok-3141" not in repr(session.info) and "tok-3141" not in repr(resolved.plans)
    assert "tok-3141" not in capsys.readouterr().out


def test_page_size_is_capped() -> None:
    with pytest.raises(SystemExit):
        cli.build_parser().parse_args(["--page-size", "5000"])


def test_an_unknown_view_is_refused_with_the_names_it_knows(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[views.golden]\nfilter = "tag=golden"\n[views.big]\nfilter = "size>10G"\n')
    monkeypatch.setenv("IMS_TUI_STATE_DIR", str(tmp_path / "state"))
    StateStore(tmp_path / "state").save_view(View("mine", filter="tag=x", source="saved"))
    for words in (["--demo"], ["pick", "--demo"]):
        assert cli.main([*words, "--config", str(config), "--view", "nope"]) == 2
        err = capsys.readouterr().err
        assert err.startswith("--view: 'nope' is not a view (views: golden, big, mine)"), err
