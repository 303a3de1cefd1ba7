"""Figure 2: where ims-tui's time to the first page goes.

    .venv/bin/python -m bench.startup_profile [--runs 7] [--endpoint URL | --images 1000]

Three measurements:

1. ``python -c pass`` with the venv's interpreter: the floor any Python program pays; and a minimal Textual
   app (one ``Static``) in the same pty, fork to its first frame: the floor any Textual program pays.
2. ``bench/_probe.py --endpoint URL`` (ims-tui's own ``cli.main`` steps, with timestamps) in an 80x24 pty
   against a real Glance: interpreter ready, cli imported, session made (config + auth objects), Textual and
   the app imported, app mounted, main screen mounted, connect (auth) start/end, first list request start/end,
   first page handled; and from the pty side: first byte, first frame (the header's "ims-tui" visible), first
   image row visible.
3. ``python -X importtime`` over exactly the modules the probe had loaded when the first page was shown, in
   the order they were loaded: self time per module, summed per package, median over runs. (importtime itself
   adds some overhead: the shares matter more than the absolute sum.)

Without --endpoint a Glance with ``--images`` images is started (tools/openstack_lab.py) and stopped after.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from bench.common import BENCH, Figure, first_row_name, log, median, print_figures, save_figures, seeded_glance
from bench.ptyrun import PtyProgram, terminal_env

PROBE = str(BENCH / "_probe.py")

# (figure key, label, start mark, end mark): each a duration, medians over runs. Marks from the pty side are
# "first_byte", "first_frame", "first_row"; "fork" is 0.
STAGES = (
    ("interpreter", "interpreter start (fork to first line of Python)", "fork", "python_ready"),
    ("import_cli", "import ims_tui.cli", "python_ready", "cli_imported"),
    (
        "config_import",
        "import ims_tui.config (no pydantic unless a config file is read)",
        "import ims_tui.config start",
        "import ims_tui.config end",
    ),
    ("config_resolve", "config: resolve flags, files, env", "resolve_start", "resolve_end"),
    ("session", "make the session (imports httpx, ims_tui.api)", "resolve_end", "session_made"),
    ("import_app", "import Textual and ims_tui.ui.app", "import ims_tui.ui.app start", "import ims_tui.ui.app end"),
    ("app_start", "construct the app, start Textual (driver, CSS)", "app_construct_start", "app_on_mount"),
    ("main_screen", "main screen import, compose, mount", "app_on_mount", "main_screen_mounted"),
    ("early", "config read to connect started (the head start, before Textual)", "resolve_end", "early_start"),
    ("connect", "connect: build the HTTP client (no auth: noauth)", "connect_start", "connect_end"),
    ("to_request", "connected to first list request sent", "connect_end", "request_start"),
    (
        "request",
        "first list request, sent to answered (GET /v2/images?limit=48; the page models load meanwhile)",
        "request_start",
        "request_end",
    ),
    ("app_asks", "main screen asks for the first page (takes the early answer)", "list_start", "list_end"),
    ("page_to_row", "first page in to first row visible (the first frame draws it)", "request_end", "first_row"),
    ("first_frame", "fork to first frame (the shell painted)", "fork", "first_frame"),
    ("first_row", "fork to first image row visible", "fork", "first_row"),
)


def interpreter_floor(runs: int) -> list[float]:
    times = []
    env = terminal_env()
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], env=env, check=True)
        times.append(time.perf_counter() - started)
    return times


HELLO = (
    "from textual.app import App\n"
    "from textual.widgets import Static\n"
    "class Hello(App):\n"
    "    def compose(self):\n"
    "        yield Static('hello-bench')\n"
    "Hello().run()\n"
)


def textual_floor(runs: int) -> list[float]:
    """Seconds from fork to the first frame of a minimal Textual app (one Static): the framework's own floor."""
    times = []
    for _ in range(runs + 1):  # the first is a warm-up
        program = PtyProgram([sys.executable, "-c", HELLO], terminal_env()).start()
        try:
            seen = program.wait_for_text("hello-bench", 30)
        finally:
            program.quit(b"\x11")  # ctrl+q
        if seen is None:
            raise RuntimeError("the minimal Textual app never drew its text")
        times.append(seen)
    return times[1:]


def probe_run(
    url: str, first_name: str, *, args: list[str] | None = None, env: dict[str, str] | None = None
) -> tuple[dict[str, float], dict[str, object]]:
    """One probed start: marks in seconds since the fork (``args`` in place of ``--endpoint URL``, ``env`` in
    place of the plain terminal's)."""
    with tempfile.TemporaryDirectory(prefix="ims-tui-bench-") as tmp:
        out = Path(tmp) / "probe.json"
        env = {**(env or terminal_env()), "IMS_TUI_BENCH_PROBE": str(out)}
        program = PtyProgram([sys.executable, PROBE, *(args or ["--endpoint", url])], env).start()
        try:
            first_byte = program.read_until(lambda o: len(o) > 0, 60)[0]
            first_frame = program.wait_for_text("ims-tui", 60)
            first_row = program.wait_for_text(re.escape(first_name), 60)
            program.settle(0.3, 5)
        finally:
            program.quit()
        data = json.loads(out.read_text())
    marks = {name: value - program.started for name, value in data["marks"].items()}
    marks.update(fork=0.0, first_byte=first_byte or float("nan"))
    marks.update(first_frame=first_frame or float("nan"), first_row=first_row or float("nan"))
    return marks, data["extra"]


IMPORTTIME = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)")


def import_profile(modules: list[str], runs: int) -> dict[str, object]:
    """Median self/cumulative import time (µs) per module over ``runs`` fresh interpreters."""
    wanted = [m for m in modules if m not in ("__main__", "sys", "builtins") and not m.startswith("__editable__")]
    code = (
        "import importlib, sys\n"
        f"for name in {wanted!r}:\n"
        "    if name in sys.modules: continue\n"
        "    try: importlib.import_module(name)\n"
        "    except Exception: pass\n"
    )
    selfs: dict[str, list[int]] = defaultdict(list)
    cumulative: dict[str, list[int]] = defaultdict(list)
    parents: dict[str, str] = {}
    totals: list[int] = []
    for _ in range(runs):
        result = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", code], env=terminal_env(), capture_output=True, text=True
        )
        stack: list[tuple[int, str]] = []
        top_total = 0
        # importtime prints children before their parent; build parents from the indentation.
        lines = [m for m in (IMPORTTIME.match(line) for line in result.stderr.splitlines()) if m]
        for match in reversed(lines):
            self_us, cum_us, indent, name = int(match[1]), int(match[2]), len(match[3]), match[4]
            depth = indent // 2
            while stack and stack[-1][0] >= depth:
                stack.pop()
            if stack:
                parents.setdefault(name, stack[-1][1])
            else:
                top_total += cum_us
            stack.append((depth, name))
            selfs[name].append(self_us)
            cumulative[name].append(cum_us)
        totals.append(top_total)
    self_median = {name: statistics.median(v) for name, v in selfs.items()}
    cum_median = {name: statistics.median(v) for name, v in cumulative.items()}
    groups: dict[str, float] = defaultdict(float)
    for name, value in self_median.items():
        groups[group_of(name)] += value
    return {
        "total_us": statistics.median(totals),
        "groups_us": dict(sorted(groups.items(), key=lambda kv: -kv[1])),
        "top_self_us": sorted(self_median.items(), key=lambda kv: -kv[1])[:25],
        "cumulative_us": {k: cum_median[k] for k in sorted(cum_median, key=lambda k: -cum_median[k])[:40]},
        "ims_tui_cumulative_us": {k: v for k, v in sorted(cum_median.items(), key=lambda kv: -kv[1]) if "ims_tui" in k},
        "parents": parents,
        "modules": len(self_median),
    }


def group_of(module: str) -> str:
    top = module.split(".")[0]
    if top == "ims_tui":
        return ".".join(module.split(".")[:2])
    if top in ("httpx", "httpcore", "h11", "h2", "anyio", "sniffio", "certifi", "idna"):
        return "httpx (+httpcore, anyio, certifi, idna)"
    if top in ("pydantic", "pydantic_core", "annotated_types", "typing_inspection"):
        return "pydantic"
    if top in ("textual",):
        return "textual"
    if top in ("rich", "markdown_it", "mdurl", "pygments", "linkify_it", "mdit_py_plugins", "uc_micro"):
        return "rich (+markdown-it, pygments)"
    if top in sys.stdlib_module_names or top.startswith("_"):
        return "stdlib"
    return top


def chain(module: str, parents: dict[str, str]) -> str:
    """Who imported ``module``: 'a <- b <- c'."""
    names = [module]
    while names[-1] in parents and len(names) < 8:
        names.append(parents[names[-1]])
    return " <- ".join(names)


def measure(url: str, first_name: str, runs: int) -> tuple[list[Figure], dict[str, object]]:
    floor = interpreter_floor(runs)
    probe_run(url, first_name)  # warm-up: byte-code caches
    runs_marks: list[dict[str, float]] = []
    extra: dict[str, object] = {}
    for index in range(runs):
        marks, extra = probe_run(url, first_name)
        runs_marks.append(marks)
        log(f"probe {index + 1}/{runs}: first frame {marks['first_frame']:.3f}s, first row {marks['first_row']:.3f}s")
    modules = list(extra.get("modules_at_first_page") or [])
    imports = import_profile(modules, max(3, runs // 2 + 1))
    command = f"bench/_probe.py --endpoint URL (pty 80x24, {runs} runs)"
    hello = textual_floor(runs)
    figures = [
        Figure("startup.python", "start-up: `python -c pass` (the floor)", "python -c pass", "s", floor),
        Figure(
            "startup.textual",
            "start-up: minimal Textual app (one Static), fork to first frame",
            "python -c 'App with one Static' (pty 80x24)",
            "s",
            hello,
        ),
    ]
    for key, label, start, end in STAGES:
        values = [m[end] - m[start] for m in runs_marks if start in m and end in m]
        figures.append(Figure(f"startup.{key}", f"start-up: {label}", command, "s", values))
    figures.append(
        Figure(
            "startup.imports",
            "start-up: import time of every module loaded by the first page (importtime)",
            "python -X importtime (modules at first page)",
            "s",
            [imports["total_us"] / 1e6],  # type: ignore[operator]
            note=f"{imports['modules']} modules",
        )
    )
    timeline = {k: median([m[k] for m in runs_marks if k in m]) for k in sorted(runs_marks[0], key=runs_marks[0].get)}
    return figures, {"timeline_median_s": timeline, "imports": imports, "runs": runs_marks}


def print_report(figures: list[Figure], extra: dict[str, object]) -> None:
    print_figures(figures)
    print("\nmedian timeline (s since fork):")
    for name, value in extra["timeline_median_s"].items():  # type: ignore[union-attr]
        print(f"  {value:7.3f}  {name}")
    imports = extra["imports"]
    print(f"\nimport time by package (median self time, {imports['modules']} modules):")  # type: ignore[index]
    for name, value in imports["groups_us"].items():  # type: ignore[index]
        print(f"  {value / 1000:7.1f} ms  {name}")
    print("\nslowest modules by self time:")
    for name, value in imports["top_self_us"][:15]:  # type: ignore[index]
        print(f"  {value / 1000:7.1f} ms  {chain(name, imports['parents'])}")  # type: ignore[index]
    print("\nims_tui modules by cumulative time:")
    for name, value in list(imports["ims_tui_cumulative_us"].items())[:20]:  # type: ignore[index]
        print(f"  {value / 1000:7.1f} ms  {chain(name, imports['parents'])}")  # type: ignore[index]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--endpoint", help="a running noauth Glance (default: start one)")
    parser.add_argument("--images", type=int, default=1000)
    args = parser.parse_args()
    if args.endpoint:
        figures, extra = measure(args.endpoint, first_row_name(args.endpoint), args.runs)
    else:
        with seeded_glance(args.images) as lab:
            figures, extra = measure(lab.url, lab.first_name, args.runs)
    save_figures("startup_profile", figures, extra)
    print_report(figures, extra)


if __name__ == "__main__":
    main()
