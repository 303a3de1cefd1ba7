"""ctrl+g in the real app on a real pseudo-terminal: the app suspends (``App.suspend``), the editor gets the
terminal, and once it exits the app comes back and goes on to the preview (bench/ptyrun.py starts it)."""

from __future__ import annotations

import sys
from pathlib import Path

from bench.ptyrun import PtyProgram, terminal_env

IMS_TUI = str(Path(sys.executable).parent / "ims-tui")


def expect(program: PtyProgram, pattern: str, since: int = 0) -> None:
    if program.wait_for_text(pattern, 30, since) is None:
        raise AssertionError(f"{pattern!r} never showed")


def test_the_editor_gets_the_terminal_and_the_app_comes_back_to_the_preview(tmp_path: Path) -> None:
    script = tmp_path / "fake-editor"
    script.write_text(
        "#!/bin/sh\n"
        f'if [ -t 0 ] && [ -t 1 ]; then echo terminal > "{tmp_path}/ran"; else echo none > "{tmp_path}/ran"; fi\n'
        'echo "pty_edit = yes" >> "$1"\n'
    )
    script.chmod(0o755)
    env = terminal_env(HOME=str(tmp_path), XDG_STATE_HOME=str(tmp_path / "state"), VISUAL=str(script))
    with PtyProgram([IMS_TUI, "--demo", "--demo-images", "20"], env).start() as program:
        expect(program, r"\d+ images")
        program.settle()
        since = len(program.output)
        program.send(b"\x07")  # ctrl+g
        expect(program, "Review 1 change", since)
        assert (tmp_path / "ran").read_text().strip() == "terminal"
        expect(program, "pty_edit", since)
        since = len(program.output)
        program.send(b"\x13")  # ctrl+s confirms
        expect(program, "saved ", since)
