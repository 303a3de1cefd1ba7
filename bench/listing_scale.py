"""Listing at scale on the demo cloud: list requests per loaded row, and memory per loaded image.

    .venv/bin/python -m bench.listing_scale [--images 100000] [--load 50000] [--page-size 1000] [--traced N]

The listing is the app's own (``ImageListing`` with the main screen's query, created_at desc), so what it holds
is what the app holds for its rows. The demo cloud lives in the same process and builds its images lazily on
first access: a first, unmeasured pass builds them, and the measured pass then counts the client side only.

Memory per image: the Python allocations (tracemalloc) still alive after ``gc.collect()``, over the last
``--traced`` rows loaded (default: all of them; tracing slows loading about 3x), divided by those rows. It
includes the rows, their strings and datetimes, the id index and the list's own growth.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import math
import time
import tracemalloc

from ims_tui.api import ImageClient, ImageListing, ListQuery
from ims_tui.demo import DEMO_ENDPOINT, DemoCloud

QUERY = ListQuery(sort=(("created_at", "desc"),))  # what the main screen asks for first


async def measure(images: int, load: int, page_size: int, traced: int) -> dict[str, float]:
    started = time.perf_counter()
    cloud = DemoCloud(image_count=images)
    build = time.perf_counter() - started
    client = ImageClient(DEMO_ENDPOINT, transport=cloud.transport)
    # A first, unmeasured pass builds every demo image the listing touches (the demo also skips images the
    # caller may not see, so it touches more than it returns): the measured pass then allocates client-side only.
    started = time.perf_counter()
    await ImageListing(client, QUERY, page_size=page_size).ensure_loaded(load - 1)
    first_pass = time.perf_counter() - started
    listing = ImageListing(client, QUERY, page_size=page_size)
    cloud.request_log.clear()
    traced = load if traced <= 0 else min(traced, load)
    gc.collect()
    started = time.perf_counter()
    await listing.ensure_loaded(load - traced - 1)
    untraced_s = time.perf_counter() - started
    gc.collect()
    tracemalloc.start()
    rows_before = len(listing)
    before, _ = tracemalloc.get_traced_memory()
    started = time.perf_counter()
    await listing.ensure_loaded(load - 1)
    traced_s = time.perf_counter() - started
    gc.collect()
    after, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    loaded = len(listing)
    list_requests = sum(1 for method, path in cloud.request_log if method == "GET" and path.startswith("/v2/images?"))
    await client.aclose()
    return {
        "demo_build_s": build,
        "first_pass_s": first_pass,
        "loaded": loaded,
        "load_untraced_s": untraced_s,
        "load_traced_s": traced_s,
        "list_requests": list_requests,
        "expected_requests": math.ceil(loaded / page_size),
        "bytes_per_image": (after - before) / max(loaded - rows_before, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--images", type=int, default=100_000)
    parser.add_argument("--load", type=int, default=50_000)
    parser.add_argument("--page-size", type=int, default=1000)
    parser.add_argument("--traced", type=int, default=0, help="rows loaded under tracemalloc, at the end (0: all)")
    args = parser.parse_args()
    result = asyncio.run(measure(args.images, args.load, args.page_size, args.traced))
    for key, value in result.items():
        print(f"{key:>20}: {value:,.3f}" if isinstance(value, float) else f"{key:>20}: {value:,}")


if __name__ == "__main__":
    main()
