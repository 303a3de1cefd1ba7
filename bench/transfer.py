"""Transfers (issue 10): ims_tui.api vs python-openstackclient, memory, and terminal bytes during an upload.

    .venv/bin/python -m bench.transfer [--mib 1024] [--rounds 5] [--memory-mib 2048] [--no-tui]

One fresh noauth Glance 33 on 127.0.0.1 (tools/openstack_lab.py), files of random bytes (random: Glance's format
inspector must see raw data), everything made removed afterwards. In order:

1. Throughput, ``--rounds`` rounds on one ``--mib`` file, the programs alternating (the order flips each round,
   ``sync`` before each timed step):
   - upload: ``upload_file`` (streamed, md5 + sha512 while sending, checked against the image after) into an
     image created just before (not timed), vs ``openstack image create --file FILE --disk-format raw
     --container-format bare NAME`` timed whole (fork to exit: start-up, the create request and the upload);
   - download: ``download_image`` (to a partial file, verified, renamed) vs ``openstack image save --file OUT
     ID``, both of the image ims-tui uploaded that round;
   - the CLI's bare start-up, ``openstack --version`` and ``openstack image list --limit 1`` (start-up plus one
     request to Glance); the "net" CLI throughput subtracts the latter's median from each command's time.
   Ratios are taken per round (ims-tui ÷ openstack), then their median.
2. Memory: a 2 GiB (``--memory-mib``) upload and download through the API in a fresh process
   (bench/transfer_memory.py): peak RSS growth over the level before each transfer.
3. Terminal bytes: ims-tui in an 80x24 pty uploads the same big file through its UI (``u``, the path, Enter);
   bytes per second while the progress line runs (bench/transfer_tui.py).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import httpx

from bench.common import ROOT, Figure, ensure_osc, log, median, osc_argv, print_figures, save_figures
from bench.transfer_tui import upload_through_ui
from ims_tui.api import ImageClient
from ims_tui.api.download import download_image
from ims_tui.api.upload import upload_file

MIB = 1 << 20
STARTUP = "image list --limit 1"  # the start-up subtracted for the CLI's net throughput
RATIO_GOAL = 0.95
MEMORY_GOAL_MB = 50.0
TERMINAL_GOAL = 1024.0  # bytes per second


def write_random(path: Path, size: int) -> None:
    with open(path, "wb") as handle:
        for _ in range(size // MIB):
            handle.write(os.urandom(MIB))
        handle.write(os.urandom(size % MIB))


def timed_command(argv: list[str]) -> tuple[float, str]:
    """Seconds from fork to exit, and what it printed; a failing command stops the benchmark."""
    started = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=1800)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv[-6:])} failed ({done.returncode}): {done.stderr.strip()[-400:]}")
    return seconds, done.stdout


class Rounds:
    """The throughput rounds: one ImageClient, one ``openstack``, the images made (all deleted in ``cleanup``)."""

    def __init__(self, url: str, openstack: str, source: Path, folder: Path) -> None:
        self.url, self.openstack, self.source, self.folder = url, openstack, source, folder
        self.size = source.stat().st_size
        self.values: dict[str, list[float]] = defaultdict(list)
        self.made: list[str] = []

    def osc(self, *args: str) -> tuple[float, str]:
        return timed_command(osc_argv(self.openstack, self.url, *args))

    async def api_upload(self, client: ImageClient, name: str) -> str:
        image = await client.create({"name": name, "disk_format": "raw", "container_format": "bare"})
        self.made.append(image.id)
        os.sync()
        started = time.perf_counter()
        await upload_file(client, image.id, self.source)
        self.values["up.api"].append(time.perf_counter() - started)
        return image.id

    async def osc_upload(self, client: ImageClient, name: str) -> None:
        os.sync()
        seconds, out = self.osc(
            "image", "create", "--file", str(self.source), "--disk-format", "raw", "--container-format", "bare",
            "-f", "value", "-c", "id", name,
        )  # fmt: skip
        image_id = out.strip()
        self.made.append(image_id)
        image = await client.get(image_id)
        if image.status != "active" or image.size != self.size:
            raise RuntimeError(f"openstack image create left {image_id} {image.status}, size {image.size}")
        self.values["up.osc"].append(seconds)

    async def api_download(self, client: ImageClient, image_id: str) -> None:
        target = self.folder / "saved-api.raw"
        os.sync()
        started = time.perf_counter()
        await download_image(client, image_id, target)
        self.values["down.api"].append(time.perf_counter() - started)
        target.unlink()

    async def osc_download(self, client: ImageClient, image_id: str) -> None:
        target = self.folder / "saved-osc.raw"
        os.sync()
        seconds, _ = self.osc("image", "save", "--file", str(target), image_id)
        if target.stat().st_size != self.size:
            raise RuntimeError(f"openstack image save wrote {target.stat().st_size} bytes, not {self.size}")
        self.values["down.osc"].append(seconds)
        target.unlink()

    def startup(self) -> None:
        self.values["start.version"].append(self.osc("--version")[0])
        self.values["start.list"].append(self.osc(*STARTUP.split())[0])

    async def run(self, rounds: int) -> None:
        self.osc("--version")  # warm-up: byte-code and page caches; not counted
        self.osc(*STARTUP.split())
        async with ImageClient(self.url) as client:
            for index in range(rounds):
                started = time.perf_counter()
                api_first = index % 2 == 0
                if api_first:
                    image_id = await self.api_upload(client, f"bench-up-api-{index}")
                    await self.osc_upload(client, f"bench-up-osc-{index}")
                    self.startup()
                    await self.api_download(client, image_id)
                    await self.osc_download(client, image_id)
                else:
                    await self.osc_upload(client, f"bench-up-osc-{index}")
                    image_id = await self.api_upload(client, f"bench-up-api-{index}")
                    self.startup()
                    await self.osc_download(client, image_id)
                    await self.api_download(client, image_id)
                for image in self.made:
                    await client.delete(image)
                self.made.clear()
                log(
                    f"round {index + 1}/{rounds} ({'api' if api_first else 'openstack'} first): "
                    + " ".join(f"{k}={v[-1]:.2f}s" for k, v in self.values.items())
                    + f" ({time.perf_counter() - started:.0f} s)"
                )

    def cleanup(self) -> None:
        with httpx.Client(base_url=self.url, timeout=60) as api:
            for image_id in self.made:
                api.delete(f"/v2/images/{image_id}")

    def figures(self) -> list[Figure]:
        v, mib = self.values, self.size / MIB
        start = median(v["start.list"])
        out: list[Figure] = []
        for way, api_cmd, osc_cmd in (
            ("up", "upload_file (ims_tui.api)", "openstack image create --file FILE --disk-format raw ..."),
            ("down", "download_image (ims_tui.api)", "openstack image save --file OUT ID"),
        ):
            api = [mib / s for s in v[f"{way}.api"]]
            osc = [mib / s for s in v[f"{way}.osc"]]
            net = [mib / max(s - start, 1e-3) for s in v[f"{way}.osc"]]
            ratio = median([a / o for a, o in zip(api, osc, strict=True)])
            ratio_net = median([a / n for a, n in zip(api, net, strict=True)])
            word = "upload" if way == "up" else "download"
            out += [
                Figure(
                    f"transfer.{way}.api", f"{word} {mib:.0f} MiB, ims-tui API", api_cmd, "MiB/s", api,
                    goal=f"≥ {RATIO_GOAL}x openstack", met=ratio >= RATIO_GOAL, ratio=f"{ratio:.2f}x",
                    note=f"{ratio_net:.2f}x of the net CLI figure",
                ),
                Figure(f"transfer.{way}.osc", f"{word} {mib:.0f} MiB, openstack (whole)", osc_cmd, "MiB/s", osc),
                Figure(
                    f"transfer.{way}.osc_net", f"{word} {mib:.0f} MiB, openstack less `{STARTUP}`", osc_cmd,
                    "MiB/s", net, ratio=f"{ratio_net:.2f}x",
                ),
            ]  # fmt: skip
        out += [
            Figure("transfer.osc.version", "openstack --version", "openstack --version", "s", v["start.version"]),
            Figure("transfer.osc.list", f"openstack {STARTUP}", f"openstack {STARTUP}", "s", v["start.list"]),
        ]
        return out


def memory_figures(url: str, source: Path) -> tuple[list[Figure], dict[str, object]]:
    done = subprocess.run(
        [sys.executable, "-m", "bench.transfer_memory", url, str(source)],
        cwd=ROOT, capture_output=True, text=True, check=True, timeout=1800,
    )  # fmt: skip
    result = json.loads(done.stdout.strip().splitlines()[-1])
    mib = result["size"] / MIB
    figures = []
    for way in ("upload", "download"):
        part = result[way]
        figures.append(
            Figure(
                f"transfer.memory.{way}", f"peak RSS growth, {way} of {mib:.0f} MiB (API)", "bench.transfer_memory",
                "MiB", [part["growth_mib"]], goal=f"< {MEMORY_GOAL_MB:.0f} MB",
                met=part["growth_mib"] * MIB / 1e6 < MEMORY_GOAL_MB,
                note=f"from {part['start_mib']:.0f} MiB; {mib / part['seconds']:.0f} MiB/s",
            )
        )  # fmt: skip
    return figures, result


def tui_figures(url: str, source: Path) -> tuple[list[Figure], dict[str, float]]:
    result = upload_through_ui(url, source)
    mib = source.stat().st_size / MIB
    return [
        Figure(
            "transfer.terminal", f"bytes to an 80x24 terminal while uploading {mib:.0f} MiB", "ims-tui --endpoint URL",
            "B/s", [result["progress_bytes_per_s"]], goal="< 1 KiB/s",
            met=result["progress_bytes_per_s"] < TERMINAL_GOAL,
            note=(
                f"{result['progress_writes_per_s']:.1f} writes/s over {result['progress_seconds']:.1f} s; "
                f"{result['whole_bytes'] / 1024:.1f} KiB from Enter to quiet; upload {result['upload_seconds']:.1f} s"
            ),
        )
    ], result  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mib", type=int, default=1024, help="file size of the throughput rounds (default 1024)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--memory-mib", type=int, default=2048, help="file size of the memory run and the UI run")
    parser.add_argument("--no-memory", action="store_true")
    parser.add_argument("--no-tui", action="store_true")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from tools.openstack_lab import GlanceServer

    openstack = ensure_osc()
    folder = Path(tempfile.mkdtemp(prefix="ims-tui-bench-transfer-"))
    load = {"before": os.getloadavg()}
    figures: list[Figure] = []
    extra: dict[str, object] = {}
    try:
        small, big = folder / "small.raw", folder / "big.raw"
        write_random(small, args.mib * MIB)
        with GlanceServer(mode="noauth") as glance:
            log(f"Glance on {glance.url} (pid {glance.pid}); {args.rounds} rounds of {args.mib} MiB")
            rounds = Rounds(glance.url, openstack, small, folder)
            try:
                asyncio.run(rounds.run(args.rounds))
            finally:
                rounds.cleanup()
            figures += rounds.figures()
            extra["rounds"] = dict(rounds.values)
            small.unlink()
            if not (args.no_memory and args.no_tui):
                write_random(big, args.memory_mib * MIB)
            if not args.no_memory:
                log(f"memory: {args.memory_mib} MiB up and down in a fresh process")
                more, extra["memory"] = memory_figures(glance.url, big)
                figures += more
            if not args.no_tui:
                log(f"terminal bytes: ims-tui uploads {args.memory_mib} MiB through its UI")
                more, extra["tui"] = tui_figures(glance.url, big)
                figures += more
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    load["after"] = os.getloadavg()
    extra["load"] = load
    save_figures("transfer", figures, extra)
    print_figures(figures)
    for f in figures:
        if f.note:
            print(f"  {f.key}: {f.note}")
    print("load average before/after: " + " / ".join(" ".join(f"{x:.2f}" for x in v) for v in load.values()))


if __name__ == "__main__":
    main()
