"""Figure 1: time to the first page, ims-tui vs ``openstack image list``, on the same real Glance.

    .venv/bin/python -m bench.first_page [--runs 7] [--images 1000]

Starts a real Glance 33 (noauth) on 127.0.0.1 with tools/openstack_lab.py, seeds ``--images`` images, installs
python-openstackclient (pinned) into ~/.cache/ims-tui/bench/osc-venv once, then runs in rounds, the order of
the three programs rotating each round:

- ``ims-tui --endpoint URL`` in an 80x24 pty: time from fork to the moment the name of the first image row (the
  newest image, as ims-tui sorts) is visible in what it wrote; then ``q``.
- ``openstack --os-auth-type none --os-endpoint URL image list --limit 25`` in an 80x24 pty: time from fork to
  the moment its table shows the first image row (``| <uuid> | ...``).
- the same without ``--limit`` (it pages through every image before printing).

One untimed warm-up run of each first (byte-code caches, page cache), which also checks that each really lists:
25 rows, all rows, and the expected first name. Ratios are ims-tui / openstack per round, then the median.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable

from bench.common import (
    IMS_TUI,
    OSC_VERSION,
    Figure,
    Lab,
    ensure_osc,
    log,
    median,
    osc_argv,
    print_figures,
    save_figures,
    seeded_glance,
)
from bench.ptyrun import PtyProgram, terminal_env, visible_text

OSC_ROW = re.compile(r"\| [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12} \| ")
GOAL_RATIO = 0.35


def run_ims(lab: Lab) -> tuple[float, int, float]:
    """(seconds to the first image row, bytes written by then, CPU seconds used by then)."""
    program = PtyProgram([IMS_TUI, "--endpoint", lab.url], terminal_env()).start()
    try:
        seen = program.wait_for_text(re.escape(lab.first_name), timeout=60)
        cpu = program.cpu_seconds()
        if seen is None:
            raise RuntimeError(
                f"ims-tui never showed {lab.first_name!r}:\n{visible_text(bytes(program.output))[-2000:]}"
            )
        return seen, len(program.output), cpu
    finally:
        program.quit()


def run_osc(openstack: str, lab: Lab, *args: str) -> tuple[float, int, float | None, float]:
    """(seconds to the first table row, rows printed, seconds to exit, CPU seconds used by the first row)."""
    program = PtyProgram(osc_argv(openstack, lab.url, "image", "list", *args), terminal_env()).start()
    try:
        seen = program.wait_for_text(OSC_ROW, timeout=120)
        cpu = program.cpu_seconds()
        ended = program.wait_exit(120)
        text = visible_text(bytes(program.output))
        if seen is None:
            raise RuntimeError(f"openstack image list {' '.join(args)} printed no row:\n{text[-2000:]}")
        return seen, len(OSC_ROW.findall(text)), ended, cpu
    finally:
        program.stop()


def measure(lab: Lab, runs: int) -> tuple[list[Figure], dict[str, object]]:
    openstack = ensure_osc()
    programs: dict[str, Callable[[], tuple[float, ...]]] = {
        "ims": lambda: run_ims(lab),
        "osc25": lambda: run_osc(openstack, lab, "--limit", "25"),
        "osc": lambda: run_osc(openstack, lab),
    }
    # Warm-up and the proof that each program really lists what it should.
    ims_bytes = run_ims(lab)[1]
    rows25 = run_osc(openstack, lab, "--limit", "25")[1]
    rows_all = run_osc(openstack, lab)[1]
    log(f"warm-up: ims-tui showed {lab.first_name!r}; openstack printed {rows25} and {rows_all} rows")
    if rows25 != 25 or rows_all != lab.images:
        raise RuntimeError(f"openstack listed {rows25} (want 25) and {rows_all} (want {lab.images}) rows")

    times: dict[str, list[float]] = {name: [] for name in programs}
    exits: dict[str, list[float]] = {"osc25": [], "osc": []}
    cpu: dict[str, list[float]] = {name: [] for name in programs}
    order = list(programs)
    for round_ in range(runs):
        turn = order[round_ % len(order) :] + order[: round_ % len(order)]
        for name in turn:
            result = programs[name]()
            times[name].append(result[0])
            cpu[name].append(float(result[-1]))
            if name in exits and result[2] is not None:
                exits[name].append(float(result[2]))
        log(f"round {round_ + 1}/{runs} ({' '.join(turn)}): " + "  ".join(f"{n} {times[n][-1]:.3f}s" for n in order))

    vs25 = [a / b for a, b in zip(times["ims"], times["osc25"], strict=True)]
    vs_all = [a / b for a, b in zip(times["ims"], times["osc"], strict=True)]
    cpu_vs25 = [a / b for a, b in zip(cpu["ims"], cpu["osc25"], strict=True)]
    command = f"ims-tui --endpoint URL  (Glance 33 noauth, {lab.images:,} images, pty 80x24)"
    figures = [
        Figure(
            "first_page.ims",
            "Time to first image row: ims-tui",
            command,
            "s",
            times["ims"],
            goal=f"≤ {GOAL_RATIO}× openstack --limit 25",
            met=median(vs25) <= GOAL_RATIO,
            ratio=f"{median(vs25):.2f}× (limit 25); {median(vs_all):.2f}× (all)",
            extra={"ratios_vs_limit25": vs25, "ratios_vs_all": vs_all, "bytes_to_first_row": ims_bytes},
        ),
        Figure(
            "first_page.osc25",
            "Time to first image row: openstack image list --limit 25",
            f"openstack ({OSC_VERSION}) --os-auth-type none --os-endpoint URL image list --limit 25",
            "s",
            times["osc25"],
            extra={"exit_s": exits["osc25"]},
        ),
        Figure(
            "first_page.osc",
            "Time to first image row: openstack image list (all)",
            f"openstack ({OSC_VERSION}) --os-auth-type none --os-endpoint URL image list",
            "s",
            times["osc"],
            extra={"exit_s": exits["osc"]},
        ),
        Figure(
            "first_page.ims_cpu",
            "CPU time used by the first image row: ims-tui",
            command,
            "s",
            cpu["ims"],
            ratio=f"{median(cpu_vs25):.2f}× (limit 25)",
            note="user+system CPU of the process when its first row shows (/proc, 10 ms ticks)",
            extra={"ratios_vs_limit25": cpu_vs25},
        ),
        Figure(
            "first_page.osc25_cpu",
            "CPU time used by the first image row: openstack --limit 25",
            f"openstack ({OSC_VERSION}) ... image list --limit 25",
            "s",
            cpu["osc25"],
        ),
    ]
    return figures, {"first_name": lab.first_name, "runs": runs, "times": times, "cpu": cpu, "order": order}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--images", type=int, default=1000)
    args = parser.parse_args()
    with seeded_glance(args.images) as lab:
        figures, extra = measure(lab, args.runs)
    save_figures("first_page", figures, extra)
    print_figures(figures)


if __name__ == "__main__":
    main()
