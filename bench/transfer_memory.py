"""Peak memory growth of one upload and one download through ims_tui.api, in a fresh process of its own.

    .venv/bin/python -m bench.transfer_memory URL FILE      # prints one JSON line

A fresh process, so that nothing an earlier transfer allocated (and the allocator kept) hides what this one
needs. It creates a raw/bare image, uploads FILE with ``upload_file``, downloads it with ``download_image``
beside FILE, deletes the image and the downloaded file, and prints, per direction, seconds and the growth of its
resident memory over the level just before that transfer (sampled every 20 ms from a thread, plus the last
value; ``start_mib`` is that level).
"""

from __future__ import annotations

import asyncio
import json
import sys
import threading
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from ims_tui.api import ImageClient
from ims_tui.api.download import download_image
from ims_tui.api.upload import upload_file


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


async def measured(work: Callable[[], Awaitable[object]]) -> dict[str, float]:
    with PeakRss() as rss:
        started = time.perf_counter()
        await work()
        seconds = time.perf_counter() - started
    return {"seconds": seconds, "growth_mib": rss.growth_mib, "start_mib": rss.start / 1024}


async def run(url: str, source: Path) -> dict[str, object]:
    target = source.with_name(source.name + ".saved")
    async with ImageClient(url) as client:
        image = await client.create({"name": "bench-memory", "disk_format": "raw", "container_format": "bare"})
        try:
            upload = await measured(lambda: upload_file(client, image.id, source))
            download = await measured(lambda: download_image(client, image.id, target))
        finally:
            await client.delete(image.id)
            target.unlink(missing_ok=True)
    return {"size": source.stat().st_size, "upload": upload, "download": download}


def main() -> None:
    url, source = sys.argv[1], Path(sys.argv[2])
    print(json.dumps(asyncio.run(run(url, source))), flush=True)


if __name__ == "__main__":
    main()
