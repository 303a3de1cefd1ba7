"""Memory and speed of one upload and one download through ims_tui.api against the lab Glance.

    .venv/bin/python -m bench.transfer [--mib 1024]

Writes a file of random bytes (random: Glance's format inspector must see raw data), uploads it with
``upload_file`` (streamed, md5 + sha512 while sending, checked against the image after), downloads it with
``download_image`` (streamed to a partial file, verified, renamed), and prints per direction: seconds, MiB/s and
the growth of this process's resident memory over its level before the transfer (sampled every 20 ms, and
the kernel's VmHWM). The Glance is a fresh noauth one on 127.0.0.1; everything is removed afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

from ims_tui.api import ImageClient
from ims_tui.api.download import download_image
from ims_tui.api.upload import upload_file
from tools.openstack_lab import GlanceServer

MIB = 1 << 20
T = TypeVar("T")


def rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS in /proc/self/status")


class PeakRss:
    """The highest resident size seen while the block runs, sampled from a thread."""

    def __init__(self, every: float = 0.02) -> None:
        self.every = every
        self.start = self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self.peak = max(self.peak, rss_kib())

    def __enter__(self) -> PeakRss:
        self.start = self.peak = rss_kib()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_kib())

    @property
    def growth_mib(self) -> float:
        return (self.peak - self.start) / 1024


def write_random(path: Path, size: int) -> None:
    with open(path, "wb") as handle:
        for _ in range(size // MIB):
            handle.write(os.urandom(MIB))


async def measured(label: str, size: int, work: Callable[[], Awaitable[T]]) -> T:
    with PeakRss() as rss:
        started = time.monotonic()
        result = await work()
        seconds = time.monotonic() - started
    print(
        f"{label}: {size / MIB:.0f} MiB in {seconds:.1f} s = {size / MIB / seconds:.0f} MiB/s; "
        f"peak RSS growth {rss.growth_mib:.1f} MiB (from {rss.start / 1024:.0f} MiB)",
        flush=True,
    )
    return result


async def run(url: str, folder: Path, size: int) -> None:
    source, target = folder / "source.raw", folder / "saved.raw"
    write_random(source, size)
    async with ImageClient(url) as client:
        image = await client.create({"name": "bench-transfer", "disk_format": "raw", "container_format": "bare"})
        try:
            uploaded = await measured("upload", size, lambda: upload_file(client, image.id, source))
            print(f"  {uploaded.verified_words}", flush=True)
            saved = await measured("download", size, lambda: download_image(client, image.id, target))
            print(f"  {saved.words()}", flush=True)
        finally:
            await client.delete(image.id)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mib", type=int, default=1024, help="size of the file in MiB (default 1024)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="ims-tui-bench-transfer-"))
    try:
        with GlanceServer(mode="noauth") as glance:
            asyncio.run(run(glance.url, folder, args.mib * MIB))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
