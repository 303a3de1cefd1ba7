"""Evidence for proposed app changes: the same measurements with the change applied in the process only.

    .venv/bin/python -m bench.whatif [--runs 5] [--endpoint URL | --images 1000]

bench/_probe.py applies the changes named in $IMS_TUI_BENCH_WHATIF (see its docstring) without touching the app's
code. Two experiments, variants alternating within each round, differences computed pair by pair against the
unchanged app of the same round:

1. start-up against a real Glance (80x24 pty): time to the first frame and to the first image row, for the
   unchanged app, each start-up change alone, and all of them together;
2. bytes written (80x24): start-up, one ``j``, one PageDown, 40 ``j`` at 30/s, for the unchanged app and the
   ``simplify``, ``scrollbar`` and ``nocolor`` changes (default theme; NO_COLOR=1 for ``nocolor``).

Before them, the suspected costs one by one, each as a small repeatable measurement: import times (timed inside
a fresh interpreter, fastest of 5), building an httpx client with and without TLS verification,
parsing a 200-image page into rows, and Glance's answer time per page size, alone and behind a ``GET /``.
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

from bench import terminal_bytes
from bench.common import BENCH, first_row_name, log, median, save_figures, seeded_glance
from bench.ptyrun import PtyProgram, terminal_env

PROBE = str(BENCH / "_probe.py")
START_VARIANTS = {
    "unchanged": "",
    "paint_first": "paint_first",
    "plain_http": "plain_http",
    "list_first": "list_first",
    "first_page_50": "first_page_50",
    "all four": "paint_first,plain_http,list_first,first_page_50",
}


def start_once(url: str, first_name: str, whatif: str) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="ims-tui-bench-") as tmp:
        out = Path(tmp) / "probe.json"
        env = terminal_env(IMS_TUI_BENCH_PROBE=str(out), IMS_TUI_BENCH_WHATIF=whatif)
        program = PtyProgram([sys.executable, PROBE, "--endpoint", url], env).start()
        try:
            frame = program.wait_for_text("ims-tui", 60)
            row = program.wait_for_text(re.escape(first_name), 60)
            program.settle(0.3, 5)
        finally:
            program.quit()
        data = json.loads(out.read_text())
    if frame is None or row is None:
        raise RuntimeError(f"what-if {whatif!r}: no frame or no first row")
    marks = {k: v - program.started for k, v in data["marks"].items()}
    return {
        "first_frame": frame,
        "first_row": row,
        "connect": marks["connect_end"] - marks["connect_start"],
        "list_request": marks["list_end"] - marks["list_start"],
    }


def startup(url: str, first_name: str, runs: int) -> dict[str, dict[str, float]]:
    start_once(url, first_name, "")  # warm-up
    results: dict[str, dict[str, list[float]]] = {name: defaultdict(list) for name in START_VARIANTS}
    names = list(START_VARIANTS)
    for index in range(runs):
        turn = names[index % len(names) :] + names[: index % len(names)]
        for name in turn:
            for key, value in start_once(url, first_name, START_VARIANTS[name]).items():
                results[name][key].append(value)
        log(
            f"what-if start-up {index + 1}/{runs}: "
            + "  ".join(f"{n} {results[n]['first_row'][-1]:.3f}s" for n in names)
        )
    summary: dict[str, dict[str, float]] = {}
    base = results["unchanged"]
    for name, values in results.items():
        summary[name] = {
            "first_frame_s": median(values["first_frame"]),
            "first_row_s": median(values["first_row"]),
            "first_row_min_s": min(values["first_row"]),
            "connect_s": median(values["connect"]),
            "list_request_s": median(values["list_request"]),
            # paired: this variant minus the unchanged app of the same round
            "first_frame_delta_s": statistics.median(
                a - b for a, b in zip(values["first_frame"], base["first_frame"], strict=True)
            ),
            "first_row_delta_s": statistics.median(
                a - b for a, b in zip(values["first_row"], base["first_row"], strict=True)
            ),
        }
    return summary


BYTES_VARIANTS: dict[str, tuple[str, dict[str, str | None]]] = {
    "unchanged": ("", {}),
    "simplify": ("simplify", {}),
    "scrollbar": ("scrollbar", {}),
    "simplify + scrollbar": ("simplify,scrollbar", {}),
    "NO_COLOR=1 unchanged": ("", {"NO_COLOR": "1"}),
    "NO_COLOR=1 + NoColor filter": ("nocolor", {"NO_COLOR": "1"}),
    "NO_COLOR=1 + NoColor + simplify + scrollbar": ("nocolor,simplify,scrollbar", {"NO_COLOR": "1"}),
}


def bytes_variants(url: str, first_name: str, runs: int) -> dict[str, dict[str, float]]:
    values: dict[str, dict[str, list[float]]] = {name: defaultdict(list) for name in BYTES_VARIANTS}
    names = list(BYTES_VARIANTS)
    for index in range(runs):
        for name in names if index % 2 == 0 else names[::-1]:
            whatif, env = BYTES_VARIANTS[name]
            argv = [sys.executable, PROBE, "--endpoint", url]
            result = terminal_bytes.one_run(argv, first_name, {**env, "IMS_TUI_BENCH_WHATIF": whatif}, idle=0)
            for key, value in result.items():
                values[name][key].append(value)
        log(f"what-if bytes {index + 1}/{runs}: " + "  ".join(f"{n} j={values[n]['move'][-1]:,.0f}" for n in names))
    return {
        name: {key: median(v) for key, v in phases.items() if key in terminal_bytes.PHASES}
        for name, phases in values.items()
    }


# -- component costs: small, repeatable measurements of each suspected cost (min or median of several) ------------


def python_import_cost(statement: str, runs: int = 5) -> float:
    """Seconds ``statement`` takes in a fresh interpreter, timed inside it (fastest of ``runs``: CPU-bound work)."""
    code = f"import time\nstarted = time.perf_counter()\n{statement}\nprint(time.perf_counter() - started)"
    times = []
    for _ in range(runs):
        result = subprocess.run([sys.executable, "-c", code], env=terminal_env(), capture_output=True, text=True)
        times.append(float(result.stdout.strip()))
    return min(times)


def client_construction(verify: bool, runs: int = 5) -> float:
    """Seconds to build an ``httpx.AsyncClient`` (what ImageClient does on connect), minimum of ``runs``."""
    import httpx

    times = []
    for _ in range(runs):
        started = time.perf_counter()
        httpx.AsyncClient(verify=verify)
        times.append(time.perf_counter() - started)
    return min(times)


def glance_latency(url: str, runs: int = 7) -> dict[str, float]:
    """Median seconds of GET /v2/images (as ims-tui sorts) per page size, alone and behind a GET / request."""
    import asyncio

    import httpx

    params = {"sort_key": "created_at", "sort_dir": "desc"}
    result: dict[str, float] = {}
    with httpx.Client(base_url=url, timeout=30) as client:
        for limit in (25, 50, 200):
            times = []
            for _ in range(runs):
                started = time.perf_counter()
                client.get("/v2/images", params={**params, "limit": limit}).raise_for_status()
                times.append(time.perf_counter() - started)
            result[f"list_{limit}_s"] = median(times)

    async def behind_versions() -> float:
        async with httpx.AsyncClient(base_url=url, timeout=30) as client:
            started = time.perf_counter()

            async def listed() -> float:
                await asyncio.sleep(0)  # the versions request goes out first, as in the app
                await client.get("/v2/images", params={**params, "limit": 200})
                return time.perf_counter() - started

            _, took = await asyncio.gather(client.get("/"), listed())
            return took

    result["list_200_behind_versions_s"] = median([asyncio.run(behind_versions()) for _ in range(runs)])
    return result


def page_parse(url: str, runs: int = 5) -> float:
    """Seconds to turn a 200-image Glance page into the app's rows (json, ImagePage.parse, ImageRow), minimum."""
    import json as jsonlib

    import httpx

    from ims_tui.api.image_rows import ImagePage, ImageRow

    body = httpx.get(f"{url}/v2/images", params={"limit": 200, "sort_key": "created_at", "sort_dir": "desc"}).content
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        page = ImagePage.parse(jsonlib.loads(body))
        [ImageRow(image) for image in page.images]
        times.append(time.perf_counter() - started)
    return min(times)


def components(url: str) -> dict[str, float]:
    result = {
        "import_pydantic_s": python_import_cost("import pydantic"),
        "import_pydantic_basemodel_s": python_import_cost("from pydantic import BaseModel"),
        "import_ims_tui_config_s": python_import_cost("import ims_tui.config"),
        "import_httpx_s": python_import_cost("import httpx"),
        "import_textual_app_s": python_import_cost("import textual.app"),
        "import_ims_tui_ui_app_s": python_import_cost("import ims_tui.ui.app"),
        "import_startup_path_s": python_import_cost(
            "import ims_tui.cli, ims_tui.config, ims_tui.api.client, ims_tui.ui.app, ims_tui.ui.screens.main"
        ),
        "httpx_client_verify_s": client_construction(True),
        "httpx_client_no_verify_s": client_construction(False),
        "parse_200_rows_s": page_parse(url),
    }
    result.update(glance_latency(url))
    return result


def measure(url: str, first_name: str, runs: int) -> dict[str, object]:
    return {
        "components": components(url),
        "startup": startup(url, first_name, runs),
        "bytes": bytes_variants(url, first_name, 2),  # bytes barely vary between runs
    }


def print_report(result: dict[str, object]) -> None:
    print(
        f"{'start-up what-if':<16} {'first frame':>12} {'Δ (paired)':>11} {'first row':>10} {'Δ (paired)':>11}"
        f" {'min row':>9} {'connect':>9} {'list req':>9}"
    )
    for name, row in result["startup"].items():  # type: ignore[attr-defined]
        print(
            f"{name:<16} {row['first_frame_s']:>10.3f} s {row['first_frame_delta_s']:>+9.3f} s "
            f"{row['first_row_s']:>8.3f} s {row['first_row_delta_s']:>+9.3f} s {row['first_row_min_s']:>7.3f} s"
            f" {row['connect_s']:>7.3f} s {row['list_request_s']:>7.3f} s"
        )
    phases = terminal_bytes.PHASES[:-1]
    print(f"\n{'bytes what-if':<42}" + "".join(f"{p:>10}" for p in phases))
    for name, row in result["bytes"].items():  # type: ignore[attr-defined]
        print(f"{name:<42}" + "".join(f"{row.get(p, float('nan')):>10,.0f}" for p in phases))
    print("\ncomponent costs:")
    for name, value in result["components"].items():  # type: ignore[attr-defined]
        print(f"  {value * 1000:8.1f} ms  {name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--endpoint", help="a running noauth Glance (default: start one)")
    parser.add_argument("--images", type=int, default=1000)
    args = parser.parse_args()
    if args.endpoint:
        result = measure(args.endpoint, first_row_name(args.endpoint), args.runs)
    else:
        with seeded_glance(args.images) as lab:
            result = measure(lab.url, lab.first_name, args.runs)
    save_figures("whatif", [], result)
    print_report(result)


if __name__ == "__main__":
    main()
