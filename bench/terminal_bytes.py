"""Figure 3: bytes ims-tui writes to an 80x24 terminal, per user action, in four display settings.

    .venv/bin/python -m bench.terminal_bytes [--runs 3] [--endpoint URL | --images 1000]

Settings: the default theme as over ssh (TERM=xterm-256color, no COLORTERM), ``--ansi``, ``NO_COLOR=1`` and
``--low-bandwidth`` (10 fps, no animation, 16 colours). For each setting and run, one ims-tui in an 80x24 pty
goes through these phases; before each phase the output has settled (nothing for 0.5 s), and only the bytes
written during a phase are counted:

- start-up: from the fork until the first page is shown and the output has settled;
- one cursor move: ``j``;
- one page down: PageDown;
- a burst of 40 cursor moves: ``j`` 40 times at 30 keys/s (a held key's auto-repeat), until settled;
- idle: 10 s with no input.

The settle time of the single moves (key written to last byte read) is recorded as well. Without --endpoint a
Glance with ``--images`` images is started with tools/openstack_lab.py and stopped after.
"""

from __future__ import annotations

import argparse
import re
import time
from collections import defaultdict

from bench.common import IMS_TUI, Figure, first_row_name, log, median, print_figures, save_figures, seeded_glance
from bench.ptyrun import KEYS, PtyProgram, terminal_env

QUIET = 0.5
IDLE_SECONDS = 10.0
BURST = 40
REPEAT_RATE = 30.0  # keys per second
SETTINGS: dict[str, tuple[list[str], dict[str, str | None]]] = {
    "default": ([], {}),
    "--ansi": (["--ansi"], {}),
    "NO_COLOR=1": ([], {"NO_COLOR": "1"}),
    "--low-bandwidth": (["--low-bandwidth"], {}),
}
PER_MOVE_GOAL = 2048
PHASES = ("startup", "move", "pagedown", "burst", "idle")


def one_run(
    argv: list[str], first_name: str, env_changes: dict[str, str | None], idle: float = IDLE_SECONDS
) -> dict[str, float]:
    """The phases above for one program (``argv``), in an 80x24 pty; ``idle=0`` skips the idle phase."""
    program = PtyProgram(argv, terminal_env(**env_changes)).start()
    result: dict[str, float] = {}
    try:
        if program.wait_for_text(re.escape(first_name), 60) is None:
            raise RuntimeError(f"{' '.join(argv)} never showed the first image row")
        program.settle(QUIET, 15)
        result["startup"] = len(program.output)

        sent = program.send(b"j")
        result["move"], result["move_settle_s"] = program.settle(QUIET, 10, since=sent)

        sent = program.send(KEYS["pagedown"])
        result["pagedown"], result["pagedown_settle_s"] = program.settle(QUIET, 10, since=sent)

        count = 0
        for _ in range(BURST):
            program.send(b"j")
            count += program.read_for(1 / REPEAT_RATE)
        result["burst"] = count + program.settle(QUIET, 10)[0]

        if idle > 0:
            result["idle"] = program.read_for(idle)
    finally:
        program.quit()
    return result


def measure(url: str, first_name: str, runs: int) -> tuple[list[Figure], dict[str, object]]:
    one_run([IMS_TUI, "--endpoint", url], first_name, {})  # warm-up (byte-code caches); not counted
    values: dict[str, dict[str, list[float]]] = {name: defaultdict(list) for name in SETTINGS}
    for index in range(runs):
        for name, (flags, env_changes) in SETTINGS.items():  # settings alternate within each round
            started = time.perf_counter()
            result = one_run([IMS_TUI, "--endpoint", url, *flags], first_name, env_changes)
            for key, value in result.items():
                values[name][key].append(value)
            log(
                f"run {index + 1}/{runs} {name:<10} "
                + " ".join(f"{k}={v:,.0f}" for k, v in result.items() if not k.endswith("_s"))
                + f" ({time.perf_counter() - started:.1f}s)"
            )
    figures: list[Figure] = []
    for name in SETTINGS:
        flags = " ".join(SETTINGS[name][0])
        env = " ".join(f"{k}={v}" for k, v in SETTINGS[name][1].items())
        command = f"{env + ' ' if env else ''}ims-tui --endpoint URL {flags}".strip()
        v = values[name]
        figures += [
            Figure(f"bytes.{name}.startup", f"bytes, {name}: start-up to first page", command, "B", v["startup"]),
            Figure(
                f"bytes.{name}.move",
                f"bytes, {name}: one cursor move (j)",
                command,
                "B",
                v["move"],
                goal="≤ 2 KiB",
                met=median(v["move"]) <= PER_MOVE_GOAL,
                extra={"settle_s": v["move_settle_s"]},
            ),
            Figure(
                f"bytes.{name}.pagedown",
                f"bytes, {name}: one page down",
                command,
                "B",
                v["pagedown"],
                extra={"settle_s": v["pagedown_settle_s"]},
            ),
            Figure(
                f"bytes.{name}.burst",
                f"bytes, {name}: 40 cursor moves at 30/s",
                command,
                "B",
                v["burst"],
                goal="≤ 2 KiB per move",
                met=median(v["burst"]) / BURST <= PER_MOVE_GOAL,
                ratio=f"{median(v['burst']) / BURST:,.0f} B/move",
            ),
            Figure(
                f"bytes.{name}.idle",
                f"bytes, {name}: idle 10 s",
                command,
                "B/s",
                [b / IDLE_SECONDS for b in v["idle"]],
                goal="0 B/s",
                met=median(v["idle"]) == 0,
            ),
        ]
    return figures, {"values": {name: dict(v) for name, v in values.items()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--endpoint", help="a running noauth Glance (default: start one)")
    parser.add_argument("--images", type=int, default=1000)
    args = parser.parse_args()
    if args.endpoint:
        figures, extra = measure(args.endpoint, first_row_name(args.endpoint), args.runs)
    else:
        with seeded_glance(args.images) as lab:
            figures, extra = measure(lab.url, lab.first_name, args.runs)
    save_figures("terminal_bytes", figures, extra)
    print_figures(figures)


if __name__ == "__main__":
    main()
