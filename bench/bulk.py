"""Bulk actions (issue 11): ims-tui's runner vs the openstack CLI, deleting and tagging 100 images through a delay.

    .venv/bin/python -m bench.bulk [--images 100] [--rounds 2] [--delay 0.05] [--concurrency 4]

One fresh noauth Glance 33 on 127.0.0.1 (tools/openstack_lab.py) behind bench/delay_proxy.py (every request
``--delay`` s later). Each round makes ``--images`` images around the proxy (not timed), then times, through it:

- delete: ims-tui's ``BulkRunner`` on the plan of a bulk delete, from confirm to the last result (the reads that
  make the plan come before the plan screen, as in the app, and are not timed), vs ``openstack image delete
  <ids>`` timed whole (fork to exit);
- tag: the runner on the plan of "add tags bench" (one PATCH per image), vs a shell-style loop of ``openstack
  image set --tag bench ID``, one process per image, timed whole.

Ratios are ims-tui ÷ openstack per round, then their median; the goal is ≤ 0.3×. Everything made is deleted.
"""

from __future__ import annotations

import argparse
import asyncio
import time

import httpx

from bench.common import Figure, ensure_osc, log, median, osc_argv, print_figures, save_figures, seeded_glance
from bench.delay_proxy import delayed
from bench.transfer import timed_command
from ims_tui.api import ImageClient
from ims_tui.api.bulk import BulkAction, build_plan
from ims_tui.api.bulk_run import BulkRunner, read_targets
from ims_tui.api.bulk_run import bounded as bounded_calls

GOAL = 0.3


def make_images(url: str, count: int, tag: str) -> list[str]:
    """``count`` queued images, made around the proxy (their making is not what is measured)."""

    async def make() -> list[str]:
        async with ImageClient(url) as client:

            async def one(index: int) -> str:
                image = await client.create({"name": f"bulk-{tag}-{index:03d}", "disk_format": "raw"})
                return image.id

            return await bounded_calls(list(range(count)), 8, one)

    return asyncio.run(make())


def remove_images(url: str, ids: list[str]) -> None:
    with httpx.Client(base_url=url, timeout=30) as http:
        for image_id in ids:
            http.delete(f"/v2/images/{image_id}")


def run_ims(url: str, ids: list[str], action: BulkAction, concurrency: int) -> float:
    """Seconds from confirm to the last result; every image must be done."""

    async def go() -> float:
        async with ImageClient(url) as client:
            plan = build_plan(action, await read_targets(client, ids, concurrency=concurrency))
            assert len(plan.steps) == len(ids), plan.left_out[:3]
            started = time.perf_counter()
            result = await BulkRunner(client, plan, concurrency=concurrency).run()
            seconds = time.perf_counter() - started
            assert result.count("done") == len(ids), [r.error for r in result.results if r.error][:3]
            return seconds

    return asyncio.run(go())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--delay", type=float, default=0.05)
    parser.add_argument("--concurrency", type=int, default=4, help="bulk_concurrency (its default: 4)")
    args = parser.parse_args()
    openstack = ensure_osc()
    values: dict[str, list[float]] = {key: [] for key in ("ims_delete", "osc_delete", "ims_tag", "osc_tag")}
    with seeded_glance(1) as lab, delayed(lab.url, args.delay) as url:  # one: the lab names its first row
        for round_number in range(1, args.rounds + 1):
            log(f"round {round_number}: delete")
            ids = make_images(lab.url, args.images, f"d{round_number}")
            values["ims_delete"].append(run_ims(url, ids, BulkAction("delete"), args.concurrency))
            ids = make_images(lab.url, args.images, f"o{round_number}")
            values["osc_delete"].append(timed_command(osc_argv(openstack, url, "image", "delete", *ids))[0])
            log(f"round {round_number}: tag")
            ids = make_images(lab.url, args.images, f"t{round_number}")
            try:
                values["ims_tag"].append(run_ims(url, ids, BulkAction("add_tags", ("bench",)), args.concurrency))
                started = time.perf_counter()
                for image_id in ids:
                    timed_command(osc_argv(openstack, url, "image", "set", "--tag", "bench-osc", image_id))
                values["osc_tag"].append(time.perf_counter() - started)
            finally:
                remove_images(lab.url, ids)
    figures = []
    for what, ims, osc, command in (
        ("delete", "ims_delete", "osc_delete", f"openstack image delete <{args.images} ids>"),
        ("tag", "ims_tag", "osc_tag", f"{args.images} × openstack image set --tag"),
    ):
        ratios = [a / b for a, b in zip(values[ims], values[osc], strict=True)]
        ratio = median(ratios)
        note = f"{args.images} images, {args.delay * 1000:.0f} ms per request, bulk_concurrency {args.concurrency}"
        figures.append(Figure(f"bulk_{what}_ims", f"bulk {what}, ims-tui runner", "BulkRunner", "s", values[ims]))
        figures.append(
            Figure(
                f"bulk_{what}_osc",
                f"bulk {what}, {command}",
                command,
                "s",
                values[osc],
                goal=f"ims-tui ≤ {GOAL}×",
                met=ratio <= GOAL,
                ratio=f"{ratio:.3f}×",
                note=note,
            )
        )
    print_figures(figures)
    log(f"raw values in {save_figures('bulk', figures)}")


if __name__ == "__main__":
    main()
