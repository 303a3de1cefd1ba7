"""Figure 4: ims-tui at scale on the demo cloud (100,000 images).

    .venv/bin/python -m bench.scale [--runs 5] [--images 100000] [--load 50000]

A. Time to the first image row, ``ims-tui --demo --demo-images 100000`` vs ``--demo-images 1000``, in an 80x24
   pty, alternating, ``--runs`` each. (The demo cloud is built inside the app's process: the difference between
   the two is mostly the demo building its 100,000-entry index, not the app.)
B. Cursor-move cost with 1,000 vs 50,000 rows loaded: bench/_probe.py ``--demo --demo-images 100000
   --page-size 1000`` in an 80x24 pty. Ten ``j`` at the top of the list with the first page loaded; then ``G``
   pressed until ``--load`` rows are loaded (each ``G`` goes to the last loaded row, which loads one more page);
   then ``g`` and the same ten ``j`` at the top, and ten ``k`` at the bottom. Per move: bytes written and the
   time from the key to the last byte of the repaint. At the end, the list requests the app sent (the demo's
   request log) against ceil(rows loaded / page size).
C. Detail requests while a key is held: bench/_probe.py ``--demo --demo-images 100000`` in a 120x30 pty (wide
   enough for the detail pane). After the first row's detail has loaded, ``j`` 300 times at 30 keys/s, then
   rest; the demo's log gives the detail GETs sent from the first ``j`` until 1.5 s after the last.
D. Memory per loaded image and list requests at the API layer: bench/listing_scale.py (tracemalloc).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from bench import listing_scale
from bench.common import BENCH, IMS_TUI, Figure, log, median, print_figures, save_figures
from bench.ptyrun import PtyProgram, terminal_env, visible_text

PROBE = str(BENCH / "_probe.py")
LOADED = re.compile(r"([\d,]+) (?:loaded, more below|images, all loaded)")
DETAIL_GET = re.compile(r"^/v2/images/[0-9a-f-]{36}$")
QUIET = 0.3
MOVES = 10
HOLD_KEYS = 300
REPEAT_RATE = 30.0


def demo_rows(images: int, count: int) -> list[tuple[str, str]]:
    """(id, name as the list shows it) of the first ``count`` rows the app lists on a demo of ``images``."""
    from ims_tui.api import ImageClient, ImageListing, ListQuery
    from ims_tui.demo import DEMO_ENDPOINT, DemoCloud
    from ims_tui.ui.text import safe

    async def rows() -> list[tuple[str, str]]:
        async with ImageClient(DEMO_ENDPOINT, transport=DemoCloud(image_count=images).transport) as client:
            listing = ImageListing(client, ListQuery(sort=(("created_at", "desc"),)), 200)
            await listing.ensure_loaded(count - 1)
            return [(row.id, safe(row.name) if row.name else "(no name)") for row in listing.rows[:count]]

    return asyncio.run(rows())


def shown(name: str) -> str:
    """A regex for the start of a name as an 80-column row shows it (long names are cut)."""
    return re.escape(name[:20])


# -- A ----------------------------------------------------------------------------------------------------------


def first_row_time(images: int, name: str) -> float:
    program = PtyProgram([IMS_TUI, "--demo", "--demo-images", str(images)], terminal_env()).start()
    try:
        seen = program.wait_for_text(shown(name), 60)
        if seen is None:
            raise RuntimeError(f"--demo-images {images}: never showed {name!r}")
        return seen
    finally:
        program.quit()


def first_paint(images: int, runs: int) -> list[Figure]:
    names = {n: demo_rows(n, 1)[0][1] for n in (1000, images)}
    first_row_time(images, names[images])  # warm-up
    times: dict[int, list[float]] = {1000: [], images: []}
    for index in range(runs):
        for n in (images, 1000) if index % 2 == 0 else (1000, images):
            times[n].append(first_row_time(n, names[n]))
        log(f"first paint {index + 1}/{runs}: {images:,} {times[images][-1]:.3f}s  1,000 {times[1000][-1]:.3f}s")
    ratios = [a / b for a, b in zip(times[images], times[1000], strict=True)]
    return [
        Figure(
            "scale.first_row_big",
            f"demo {images:,} images: time to first image row",
            f"ims-tui --demo --demo-images {images}",
            "s",
            times[images],
            ratio=f"{median(ratios):.2f}× the 1k demo",
            extra={"ratios": ratios},
        ),
        Figure(
            "scale.first_row_1k",
            "demo 1,000 images: time to first image row",
            "ims-tui --demo --demo-images 1000",
            "s",
            times[1000],
        ),
    ]


# -- B ----------------------------------------------------------------------------------------------------------


def moves(program: PtyProgram, key: bytes, count: int) -> tuple[list[float], list[float]]:
    sizes, settles = [], []
    for _ in range(count):
        sent = program.send(key)
        size, settle = program.settle(QUIET, 10, since=sent)
        sizes.append(size)
        settles.append(settle * 1000)
    return sizes, settles


def is_page_request(path: str) -> bool:
    """A page of the list: ``GET /v2/images?...`` without an ``id`` filter (that is a round of the live watch)."""
    return path.startswith("/v2/images?") and all(key != "id" for key, _ in parse_qsl(urlsplit(path).query))


def loaded_now(program: PtyProgram) -> int:
    found = LOADED.findall(visible_text(bytes(program.output[-20000:])))
    return int(found[-1].replace(",", "")) if found else 0


def cursor_cost(images: int, load: int, page_size: int) -> tuple[list[Figure], dict[str, Any]]:
    name = demo_rows(images, 1)[0][1]
    with tempfile.TemporaryDirectory(prefix="ims-tui-bench-") as tmp:
        out = Path(tmp) / "probe.json"
        argv = [sys.executable, PROBE, "--demo", "--demo-images", str(images), "--page-size", str(page_size)]
        program = PtyProgram(argv, terminal_env(IMS_TUI_BENCH_PROBE=str(out))).start()
        try:
            if program.wait_for_text(shown(name), 60) is None:
                raise RuntimeError("the demo never showed its first row")
            program.settle(0.5, 10)
            rss_small = program.rss_kib()
            top_small = moves(program, b"j", MOVES)
            started = time.perf_counter()
            loaded = loaded_now(program)
            while loaded < load:
                program.send(b"G")
                target = loaded + 1

                def grown(_: bytearray, target: int = target) -> bool:
                    return loaded_now(program) >= target

                if program.read_until(grown, 30)[0] is None:
                    raise RuntimeError(f"G did not load more than {loaded:,} rows")
                loaded = loaded_now(program)
            program.settle(0.5, 10)
            load_s = time.perf_counter() - started
            loaded = loaded_now(program)
            rss_big = program.rss_kib()
            log(f"loaded {loaded:,} rows with G in {load_s:.1f}s; RSS {rss_small:,} -> {rss_big:,} KiB")
            program.send(b"g")
            program.settle(0.5, 10)
            top_big = moves(program, b"j", MOVES)
            program.send(b"G")
            program.settle(0.5, 10)
            bottom_big = moves(program, b"k", MOVES)
        finally:
            program.quit()
        data = json.loads(out.read_text())
    # The list's pages, not the live watch's rounds (a list of images by id: ui/image_watch.py).
    pages = [path for _, method, path in data["requests"] if method == "GET" and is_page_request(path)]
    list_requests = len(pages)
    rows = int(data["extra"].get("rows_loaded", loaded))
    # The first request asks for a screenful (api/listing.py first_page_size), the later ones for a page.
    first = int(dict(parse_qsl(urlsplit(pages[0]).query)).get("limit", page_size)) if pages else page_size
    expected = 1 + math.ceil(max(0, rows - first) / page_size)
    command = f"bench/_probe.py --demo --demo-images {images} --page-size {page_size} (pty 80x24)"
    bytes_ratio = median(top_big[0]) / median(top_small[0]) if median(top_small[0]) else float("nan")
    time_ratio = median(top_big[1]) / median(top_small[1]) if median(top_small[1]) else float("nan")
    figures = [
        Figure(
            "scale.move_bytes_1k",
            f"cursor move (j) with {page_size:,} rows loaded: bytes",
            command,
            "B",
            top_small[0],
        ),
        Figure(
            "scale.move_bytes_big",
            f"cursor move (j) with {loaded:,} rows loaded: bytes",
            command,
            "B",
            top_big[0],
            ratio=f"{bytes_ratio:.2f}× the 1k case",
            goal="same as with 1k",
            met=abs(bytes_ratio - 1) <= 0.1,
            extra={"bottom_k_bytes": bottom_big[0]},
        ),
        Figure(
            "scale.move_ms_1k",
            f"cursor move (j) with {page_size:,} rows loaded: key to last byte",
            command,
            "ms",
            top_small[1],
        ),
        Figure(
            "scale.move_ms_big",
            f"cursor move (j) with {loaded:,} rows loaded: key to last byte",
            command,
            "ms",
            top_big[1],
            ratio=f"{time_ratio:.2f}× the 1k case",
            goal="same as with 1k (±5 ms)",
            met=median(top_big[1]) <= median(top_small[1]) + 5,
            extra={"bottom_k_ms": bottom_big[1]},
        ),
        Figure(
            "scale.list_requests_app",
            f"list requests to load {rows:,} rows (app, G)",
            command,
            "requests",
            [list_requests],
            ratio=f"1 + ceil(({rows:,} - {first})/{page_size:,}) = {expected}",
            goal="≤ 1 + ceil((loaded - first page) / page size)",
            met=list_requests <= expected,
        ),
    ]
    extra = {"loaded": loaded, "load_with_G_s": load_s, "rss_kib": {"first_page": rss_small, "loaded": rss_big}}
    return figures, extra


# -- C ----------------------------------------------------------------------------------------------------------


def held_key(images: int) -> tuple[list[Figure], dict[str, Any]]:
    rows = demo_rows(images, HOLD_KEYS + 1)
    with tempfile.TemporaryDirectory(prefix="ims-tui-bench-") as tmp:
        out = Path(tmp) / "probe.json"
        argv = [sys.executable, PROBE, "--demo", "--demo-images", str(images)]
        program = PtyProgram(argv, terminal_env(IMS_TUI_BENCH_PROBE=str(out)), cols=120, rows=30).start()
        try:
            if program.wait_for_text(shown(rows[0][1]), 60) is None:
                raise RuntimeError("the demo never showed its first row")
            program.settle(0.8, 10)  # the first row's detail GET happens within the debounce
            begin = program.now
            held = 0
            for _ in range(HOLD_KEYS):
                program.send(b"j")
                held += program.read_for(1 / REPEAT_RATE)
            end = program.now
            program.settle(1.5, 10)
        finally:
            program.quit()
        data = json.loads(out.read_text())
    start_abs, end_abs = program.started + begin, program.started + end + 1.5
    gets = [path for t, method, path in data["requests"] if method == "GET" and DETAIL_GET.match(path)]
    during = [p for t, m, p in data["requests"] if start_abs <= t <= end_abs and m == "GET" and DETAIL_GET.match(p)]
    lists = [p for t, m, p in data["requests"] if start_abs <= t <= end_abs and m == "GET" and is_page_request(p)]
    expected_id = rows[HOLD_KEYS][0]
    last_ok = bool(during) and during[-1].endswith(expected_id)
    # A held key that meets the end of the loaded rows before the next page is in stops there (a busy machine):
    # which row the one GET was for says whether it was where the cursor came to rest.
    ids = [row_id for row_id, _ in rows]
    last_row = ids.index(during[-1].rsplit("/", 1)[1]) + 1 if during and during[-1].rsplit("/", 1)[1] in ids else 0
    figure = Figure(
        "scale.detail_gets",
        f"detail GETs while j is held over {HOLD_KEYS} rows (30 keys/s)",
        f"bench/_probe.py --demo --demo-images {images} (pty 120x30)",
        "GETs",
        [len(during)],
        ratio="last = row 301" if last_ok else f"last = row {last_row or '?'} (not 301)",
        goal="1, for the last row",
        met=len(during) == 1 and last_ok,
        extra={"detail_gets_total": len(gets), "list_requests_during": len(lists), "bytes_during_hold": held},
    )
    return [figure], {"detail_paths": during, "expected_last": expected_id}


# -- D ----------------------------------------------------------------------------------------------------------


def memory(images: int, load: int, page_size: int) -> tuple[list[Figure], dict[str, Any]]:
    result = asyncio.run(listing_scale.measure(images, load, page_size, 0))
    command = f"bench/listing_scale.py --images {images} --load {load} --page-size {page_size}"
    figures = [
        Figure(
            "scale.memory",
            f"memory per loaded image ({int(result['loaded']):,} rows, tracemalloc)",
            command,
            "B",
            [result["bytes_per_image"]],
            goal="≤ 2 KB",
            met=result["bytes_per_image"] <= 2000,
        ),
        Figure(
            "scale.list_requests_api",
            f"list requests to load {int(result['loaded']):,} rows (ImageListing)",
            command,
            "requests",
            [result["list_requests"]],
            ratio=f"ceil(loaded/page) = {int(result['expected_requests'])}",
            goal="= ceil(loaded / page size)",
            met=result["list_requests"] == result["expected_requests"],
        ),
    ]
    return figures, {"listing_scale": result}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--images", type=int, default=100_000)
    parser.add_argument("--load", type=int, default=50_000)
    parser.add_argument("--page-size", type=int, default=1000)
    parser.add_argument("--only", choices=("paint", "cursor", "held", "memory"), action="append")
    args = parser.parse_args()
    parts = args.only or ["paint", "cursor", "held", "memory"]
    figures: list[Figure] = []
    extra: dict[str, Any] = {}
    if "paint" in parts:
        figures += first_paint(args.images, args.runs)
    if "cursor" in parts:
        found, more = cursor_cost(args.images, args.load, args.page_size)
        figures += found
        extra.update(more)
    if "held" in parts:
        found, more = held_key(args.images)
        figures += found
        extra.update(more)
    if "memory" in parts:
        found, more = memory(args.images, args.load, args.page_size)
        figures += found
        extra.update(more)
    save_figures("scale" if not args.only else "scale-" + "-".join(parts), figures, extra)
    print_figures(figures)


if __name__ == "__main__":
    main()
