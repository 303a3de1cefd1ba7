"""ims-tui with timestamps: run in a pty by the benchmarks instead of the ``ims-tui`` script, same arguments.

    IMS_TUI_BENCH_PROBE=/path/out.json python bench/_probe.py --endpoint URL

It calls ``ims_tui.cli.main`` unchanged. An import hook notes when a few modules start and finish importing, and
once a module is loaded a few of its functions are wrapped (never changing what they do) to note when each
start-up stage begins and ends. Times are ``time.perf_counter()``, which on Linux is CLOCK_MONOTONIC and so
comparable with the parent's clock. The demo cloud's requests are noted with their time, and so are the detail
fetches the main screen starts. When the app exits, everything is written as JSON to $IMS_TUI_BENCH_PROBE.
Only the benchmarks use it.

What-if experiments (bench/whatif.py): $IMS_TUI_BENCH_WHATIF, comma-separated, changes the app in this process
only, to measure what a proposed change to the app would gain:

- ``paint_first``: the session gate starts connecting one refresh later than it does (the app already waits for
  the first frame: this measures whether waiting longer would still gain anything);
- ``plain_http``: an ``http://`` endpoint's client is built with ``verify=False`` (no TLS is used, so no CA
  bundle is loaded: httpx builds an SSL context for every client otherwise, ~50-100 ms);
- ``list_first``: the API-version request waits until the first list page is back (on a one-worker server
  the two are served one after the other);
- ``first_page_50``: the first list request asks for 50 images instead of the page size (an 80x24 screen shows
  20); only the time to the first row is meaningful with it, as the listing then thinks it is complete;
- ``simplify``: each rendered list row is passed through ``Strip.simplify()`` (adjacent segments of the same
  style joined), so a row is written with one SGR sequence per style change instead of one per cell;
- ``scrollbar``: the list always shows its scrollbar (``overflow-y: scroll``), so the scrollbar appearing with
  the first page does not make Textual draw every row of the list a second time (``scrollbar-gutter: stable``
  does not avoid that repaint: measured, no change);
- ``nocolor``: with NO_COLOR set, Textual's ``NoColor`` filter (no colour at all) replaces ``Monochrome``
  (which still sends 256-colour greys: Textual picks it because the theme is not an ANSI one when the app is
  constructed).
"""

from __future__ import annotations

import time

T_READY = time.perf_counter()  # the interpreter, site and the compile of this file are done

# Only modules the interpreter has already loaded at start-up (or tiny ones): anything heavier imported here
# would move its cost out of the stage that really pays it.
import functools  # noqa: E402
import importlib.abc  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
from collections.abc import Callable  # noqa: E402
from types import ModuleType  # noqa: E402
from typing import Any  # noqa: E402

WHATIF = {name.strip() for name in os.environ.get("IMS_TUI_BENCH_WHATIF", "").split(",") if name.strip()}
marks: dict[str, float] = {"python_ready": T_READY}
requests: list[tuple[float, str, str]] = []
extra: dict[str, Any] = {}
_done: set[str] = set()
CO_COROUTINE = 0x80  # inspect.CO_COROUTINE, without importing inspect


def mark(name: str) -> None:
    marks.setdefault(name, time.perf_counter())


def wrap(owner: Any, name: str, before: str | None, after: str | None = None) -> None:
    """Note the first call of ``owner.name`` (``before``) and its first return (``after``)."""
    original = getattr(owner, name, None)
    if original is None or getattr(original, "_bench_wrapped", False):
        return
    if getattr(getattr(original, "__code__", None), "co_flags", 0) & CO_COROUTINE:

        @functools.wraps(original)
        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            if before:
                mark(before)
            try:
                return await original(*args, **kwargs)
            finally:
                if after:
                    mark(after)

    else:

        @functools.wraps(original)
        def wrapper(*args: Any, **kwargs: Any) -> Any:  # type: ignore[misc]
            if before:
                mark(before)
            try:
                return original(*args, **kwargs)
            finally:
                if after:
                    mark(after)

    wrapper._bench_wrapped = True  # type: ignore[attr-defined]
    setattr(owner, name, wrapper)


# -- what to do once a module is loaded ------------------------------------------------------------------------


def _config(module: ModuleType) -> None:
    wrap(module, "resolve", "resolve_start", "resolve_end")


def _logs(module: ModuleType) -> None:
    wrap(module, "setup_logging", "logging_start", "logging_end")


def _session(module: ModuleType) -> None:
    base = module.CloudSession
    original_init = base.__init__

    @functools.wraps(original_init)
    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        mark("session_made")
        wrap(self, "connect", "connect_start", "connect_end")  # on the instance: whatever the subclass is

    base.__init__ = init
    wrap(base, "connect_early", "early_start")


def _client(module: ModuleType) -> None:
    client = module.ImageClient
    if "first_page_50" in WHATIF:
        original_list = client.list_page

        async def list_page(self: Any, *args: Any, **kwargs: Any) -> Any:
            # The first call asks for the first page: its query (positional or keyword) gets a limit of 50.
            if "first_page_50" not in _done:
                _done.add("first_page_50")
                if args and args[0] is not None:
                    args = (args[0].with_changes(limit=min(50, args[0].limit or 50)), *args[1:])
                elif kwargs.get("query") is not None:
                    kwargs["query"] = kwargs["query"].with_changes(limit=min(50, kwargs["query"].limit or 50))
            return await original_list(self, *args, **kwargs)

        client.list_page = list_page
    if "list_first" in WHATIF:
        original_versions = client.versions

        async def versions(self: Any) -> Any:
            import asyncio

            while "list_end" not in marks:
                await asyncio.sleep(0.005)
            return await original_versions(self)

        client.versions = versions
    if "plain_http" in WHATIF:
        original_init = client.__init__

        def init(self: Any, endpoint: str, **kwargs: Any) -> None:
            if endpoint.startswith("http://") and kwargs.get("verify", True) is True:
                kwargs["verify"] = False
            original_init(self, endpoint, **kwargs)

        client.__init__ = init
    wrap(client, "list_page", "list_start", "list_end")  # the app asks (it may take the early answer)
    wrap(client, "_list_page", "request_start", "request_end")  # the request on the wire, early or not
    wrap(client, "versions", "versions_start", "versions_end")


def _image_table(module: ModuleType) -> None:
    if "scrollbar" in WHATIF:
        module.ImageTable.DEFAULT_CSS += "\nImageTable { overflow-y: scroll; }\n"
    if "simplify" in WHATIF:
        table = module.ImageTable
        original = table._finish

        def finish(self: Any, *args: Any, **kwargs: Any) -> Any:
            return original(self, *args, **kwargs).simplify()

        table._finish = finish


def _demo(module: ModuleType) -> None:
    cloud = module.DemoCloud
    original = cloud.handle

    def handle(self: Any, request: Any) -> Any:
        requests.append((time.perf_counter(), request.method, request.url.raw_path.decode("ascii", "replace")))
        return original(self, request)

    cloud.handle = handle


def _app(module: ModuleType) -> None:
    if "nocolor" in WHATIF:
        original_init = module.ImsApp.__init__

        def init(self: Any, *args: Any, **kwargs: Any) -> None:
            original_init(self, *args, **kwargs)
            from textual.filter import Monochrome, NoColor

            self._filters = [NoColor() if isinstance(f, Monochrome) else f for f in self._filters]

        module.ImsApp.__init__ = init
    wrap(module.ImsApp, "__init__", "app_construct_start", "app_constructed")
    wrap(module.ImsApp, "on_mount", "app_on_mount", "main_screen_pushed")


def _main_screen(module: ModuleType) -> None:
    screen = module.MainScreen
    wrap(screen, "on_mount", "main_screen_mounted")
    original = screen.on_main_screen_page_loaded

    @functools.wraps(original)
    def on_page_loaded(self: Any, message: Any) -> None:
        mark("page_handled_start")
        original(self, message)
        if "page_handled_end" not in marks:
            mark("page_handled_end")
            extra["modules_at_first_page"] = list(sys.modules)
        extra["rows_loaded"] = len(self.listing.rows) if self.listing is not None else 0

    screen.on_main_screen_page_loaded = on_page_loaded


def _detail(module: ModuleType) -> None:
    pane = module.DetailPane
    original_fetch = pane._fetch  # a @work method: note each time one is started

    @functools.wraps(original_fetch)
    def fetch_detail(self: Any, image_id: str) -> Any:
        extra.setdefault("detail_fetches", []).append((time.perf_counter(), image_id))
        return original_fetch(self, image_id)

    pane._fetch = fetch_detail


def _session_gate(module: ModuleType) -> None:
    if "paint_first" in WHATIF:
        gate = module.SessionGate
        original_open = gate.open

        def open_later(self: Any) -> Any:
            if not getattr(self, "_bench_painted", False):
                self._bench_painted = True
                self.call_after_refresh(original_open, self)
                return None
            return original_open(self)

        gate.open = open_later


LOADED: dict[str, Callable[[ModuleType], None]] = {
    "ims_tui.config": _config,
    "ims_tui.logs": _logs,
    "ims_tui.api.session": _session,
    "ims_tui.api.client": _client,
    "ims_tui.demo.service": _demo,
    "ims_tui.ui.app": _app,
    "ims_tui.ui.widgets.image_table": _image_table,
    "ims_tui.ui.screens.main": _main_screen,
    "ims_tui.ui.widgets.detail": _detail,
    "ims_tui.ui.session_gate": _session_gate,
}
TIMED = ("ims_tui.config", "httpx", "textual", "ims_tui.ui.app", "ims_tui.ui.screens.main")


class Hook(importlib.abc.MetaPathFinder):
    """Time the import of TIMED modules and instrument LOADED ones, by wrapping their loader's exec_module."""

    def find_spec(self, name: str, path: Any, target: Any = None) -> Any:
        if name not in TIMED and name not in LOADED:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None:
                break
        else:
            return None
        loader = spec.loader
        if loader is None or not hasattr(loader, "exec_module"):
            return spec
        original = loader.exec_module
        started = time.perf_counter()

        def exec_module(module: ModuleType) -> None:
            original(module)
            if name in TIMED:
                marks.setdefault(f"import {name} start", started)
                mark(f"import {name} end")
            if name in LOADED:
                LOADED[name](module)

        loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


def dump() -> None:
    out = os.environ.get("IMS_TUI_BENCH_PROBE")
    if out:
        import json

        with open(out, "w") as fh:
            json.dump({"marks": marks, "requests": requests, "extra": extra, "whatif": sorted(WHATIF)}, fh)


def main() -> int:
    sys.meta_path.insert(0, Hook())
    from ims_tui import cli

    mark("cli_imported")
    try:
        return cli.main(sys.argv[1:])
    finally:
        mark("app_exited")
        dump()


if __name__ == "__main__":
    sys.exit(main())
