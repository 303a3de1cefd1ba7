"""A proxy on 127.0.0.1 that adds a fixed delay to every request: a WAN link's round trip in front of a lab Glance.

    with delayed("http://127.0.0.1:9292", 0.05) as url:     # every answer through ``url`` comes 50 ms later
        ...
    .venv/bin/python -m bench.delay_proxy http://127.0.0.1:9292 --delay 0.05    # prints its URL, Ctrl-C stops

It is tools/fault_proxy.py's ``FaultProxy`` with no faults and its ``delay`` (an asyncio server on its own
thread, HTTP/1.1 keep-alive, one request at a time per connection, the delay after each forwarded answer), so
a client that sends requests in parallel pays the delay once per round of them, as it would on a real link.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import threading
from collections.abc import Iterator

from tools.fault_proxy import FaultProxy


@contextlib.contextmanager
def delayed(upstream: str, delay: float = 0.05) -> Iterator[str]:
    """The URL of a proxy to ``upstream`` (http://127.0.0.1:PORT) that answers every request ``delay`` s later."""
    with FaultProxy(upstream, delay=delay) as proxy:
        yield proxy.url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("upstream", help="http://127.0.0.1:PORT of the server to delay")
    parser.add_argument("--delay", type=float, default=0.05, help="seconds added to every request (0.05)")
    args = parser.parse_args()
    with delayed(args.upstream, args.delay) as url:
        print(url, flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()
    sys.exit(0)


if __name__ == "__main__":
    main()
