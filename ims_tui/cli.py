"""Command line: parse flags, set Textual's environment, then import and run the app.

Textual reads TEXTUAL_FPS, TEXTUAL_ANIMATIONS and TEXTUAL_COLOR_SYSTEM when it is imported, so nothing at module
level here may import textual or ims_tui.ui: the flags that set them must run first.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Any

TOKEN_ENV = ("IMS_TUI_TOKEN", "OS_TOKEN")
# How long Textual's import waits for the first frame. The import and the first request share one interpreter lock,
# so an answer parsed and drawn alone is on screen sooner: at 50 ms a request through Keystone's cached login,
# 0.51 s -> 0.41 s to the first row with 0.1 -> 0.25 here (bench/far_cloud.py). An answer slower than this is drawn
# while Textual is imported; the shell then comes this much later than it could.
FIRST_FRAME_WAIT = 0.25
DESCRIPTION = (
    "Keyboard-first terminal UI for OpenStack Glance v2 image services (IMS, OTC, OpenStack); "
    "'ims-tui pick --help' for the chooser."
)
PICK_DESCRIPTION = (
    "Choose an image in the browser; Enter prints its id to standard output and exits 0, Esc or q "
    'exits 1 and prints nothing: openstack server create --image "$(ims-tui pick --filter status=active)" ...'
)

USAGE_HINT = """\
ims-tui: no cloud configured, nothing to connect to.

  ims-tui --demo                          try it on the embedded demo cloud
  ims-tui --demo ims                      ... as a simulated Huawei Cloud IMS (AK/SK, cloudimages)
  ims-tui --os-cloud NAME                 a cloud of your clouds.yaml (or set OS_CLOUD, or source an openrc)
  ims-tui --endpoint https://ims.REGION.myhuaweicloud.com --token TOKEN
                                          an image endpoint with a token (or set OS_TOKEN)
  ims-tui --where                         where the config file goes (see config.example.toml)
  ims-tui --help                          every option
"""


def build_parser(*, pick: bool = False) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ims-tui pick" if pick else "ims-tui",
        description=PICK_DESCRIPTION if pick else DESCRIPTION,
    )
    source = parser.add_argument_group("what to connect to")
    source.add_argument(
        "--demo",
        nargs="?",
        const="glance",
        choices=("glance", "ims"),
        help="use the embedded demo cloud (no network): Glance, or 'ims' for a simulated Huawei Cloud IMS",
    )
    source.add_argument("--demo-images", type=_positive, default=2000, metavar="N", help="images in the demo cloud")
    source.add_argument(
        "--demo-latency", type=_non_negative_float, default=0.0, metavar="SECONDS", help="simulated demo latency"
    )
    source.add_argument(
        "--cloud", "--profile", metavar="NAME", help="a profile from the config file (or a clouds.yaml cloud)"
    )
    source.add_argument("--os-cloud", metavar="NAME", help="a cloud from clouds.yaml (default: $OS_CLOUD)")
    source.add_argument("--region", metavar="NAME", help="the region of the first cloud (overrides the profile)")
    source.add_argument("--endpoint", metavar="URL", help="the image service endpoint (e.g. https://ims.../)")
    source.add_argument("--token", metavar="TOKEN", help="an auth token (also $IMS_TUI_TOKEN or $OS_TOKEN)")
    source.add_argument(
        "--config", metavar="PATH", help="the config file to read (default: see --where; $IMS_TUI_CONFIG)"
    )
    source.add_argument("--where", action="store_true", help="print where config, logs and cache live, and exit")

    behaviour = parser.add_argument_group("behaviour")
    behaviour.add_argument("--read-only", "--readonly", action="store_true", help="never send a change")
    behaviour.add_argument("--page-size", type=_page_size, metavar="N", help="images per request (default 200)")
    behaviour.add_argument("--insecure", action="store_true", help="do not verify TLS certificates (first cloud only)")

    display = parser.add_argument_group("display (for slow links and odd terminals)")
    display.add_argument("--no-mouse", action="store_true", help="do not capture the mouse")
    display.add_argument("--fps", type=_positive, metavar="N", help="at most N screen updates per second")
    display.add_argument("--ansi", action="store_true", help="use the terminal's own 16-colour palette")
    display.add_argument(
        "--low-bandwidth", action="store_true", help="fewer bytes over SSH: 10 fps, no animation, 16 colours"
    )
    display.add_argument("--theme", metavar="NAME", help="a Textual theme name (e.g. textual-light, ansi-dark)")
    parser.add_argument(
        "--filter",
        action="append",
        metavar="EXPR",
        help="start with this server filter, in place of the profile's: 'status=active,queued tag=golden "
        "size>10G created>2026-01-01 os_distro=ubuntu' (see the README; the filter panel, f, shows it)",
    )
    parser.add_argument(
        "--view",
        metavar="NAME",
        help="open a named view: a [views.NAME] of the config file, or one saved in the app (o lists them)",
    )
    parser.add_argument("--debug", action="store_true", help="log every request (never a secret) to the log file")
    if pick:
        from ims_tui.pick import add_arguments

        add_arguments(parser)
    return parser


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _page_size(text: str) -> int:
    value = _positive(text)
    if value > 1000:
        raise argparse.ArgumentTypeError("at most 1000 (Glance caps a page there)")
    return value


def _non_negative_float(text: str) -> float:
    value = float(text)
    if value < 0:
        raise argparse.ArgumentTypeError("cannot be negative")
    return value


def apply_display_environment(args: argparse.Namespace, environ: dict[str, str] | Any = os.environ) -> None:
    """Set what Textual reads at import time; must run before the first ``import textual``."""
    if args.low_bandwidth:
        environ.setdefault("TEXTUAL_FPS", "10")
        environ["TEXTUAL_ANIMATIONS"] = "none"
        environ.setdefault("TEXTUAL_COLOR_SYSTEM", "standard")
    if args.fps:
        environ["TEXTUAL_FPS"] = str(args.fps)
    if args.ansi:
        environ.setdefault("TEXTUAL_COLOR_SYSTEM", "standard")


def pick_theme(args: argparse.Namespace) -> str | None:
    if args.theme:
        return str(args.theme)
    if args.ansi or args.low_bandwidth:
        from ims_tui.ui.app import ANSI_THEME

        return ANSI_THEME
    return None


def token_from(args: argparse.Namespace, environ: Any = os.environ) -> str | None:
    """The token for ``--endpoint``: the flag, else $IMS_TUI_TOKEN or $OS_TOKEN (openrc's OS_TOKEN+OS_ENDPOINT
    without --endpoint is read by the config resolver instead)."""
    if args.token:
        return str(args.token)
    if not args.endpoint:
        return None
    for name in TOKEN_ENV:
        if environ.get(name):
            return str(environ[name])
    return None


def display_settings(args: argparse.Namespace, ui: Any) -> argparse.Namespace:
    """The display flags in effect: the command line, else the config file's [ui] table."""
    return argparse.Namespace(
        low_bandwidth=args.low_bandwidth or ui.low_bandwidth,
        fps=args.fps or ui.fps,
        ansi=args.ansi or ui.ansi,
        no_mouse=args.no_mouse or ui.no_mouse,
        theme=args.theme or ui.theme,
    )


def connect_options(args: argparse.Namespace, environ: Any = os.environ) -> Any:
    from ims_tui.config import ConnectOptions

    return ConnectOptions(
        environ=dict(environ),
        config_path=args.config,
        cloud=args.cloud,
        os_cloud=args.os_cloud,
        region=args.region,
        endpoint=args.endpoint,
        token=token_from(args, environ),
        read_only=args.read_only,
        insecure=args.insecure,
        demo=bool(args.demo),
        demo_ims=args.demo == "ims",
        demo_images=args.demo_images if args.demo else None,
        demo_latency=args.demo_latency if args.demo else None,
    )


def filter_query(expressions: Sequence[str] | None) -> Any:
    """The ``--filter`` expressions (several are joined by spaces) as a ``ListQuery``; None when there are none.
    A mistake is a ValueError whose text is the whole message, with a caret under the part at fault."""
    if not expressions:
        return None
    from ims_tui.api.filter_text import FilterTextError, parse

    try:
        return parse(" ".join(expressions))
    except FilterTextError as exc:
        raise ValueError(exc.report()) from None


def main(argv: Sequence[str] | None = None) -> int:
    # ims-tui uses no pydantic plugin, and looking for them reads every installed package's entry points when the
    # first model is built: ~3 ms of start-up (issue 14). A user's own setting stands.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    words = list(sys.argv[1:] if argv is None else argv)
    pick = words[:1] == ["pick"]
    args = build_parser(pick=pick).parse_args(words[1:] if pick else words)
    try:
        start_filter = filter_query(args.filter)
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    # The config layer imports neither Textual nor httpx: the file's [ui] settings can still act before Textual.
    from ims_tui.config import ConfigError, resolve, where

    options = connect_options(args)
    if args.where:
        print(where(options))
        return 0
    try:
        resolved = resolve(options)
    except ConfigError as exc:
        print(exc.format(), file=sys.stderr)
        return exc.exit_code
    from ims_tui.config.state import StateStore, start_view

    state = StateStore.from_environ(os.environ)  # saved views, each profile's last sort: never the config file
    try:
        view, resolved = start_view(args.view, options, resolved, state)
    except ConfigError as exc:
        print(exc.format(), file=sys.stderr)
        return exc.exit_code
    display = display_settings(args, resolved.ui)
    apply_display_environment(display)
    if resolved.default is None:
        print(USAGE_HINT, end="", file=sys.stderr)
        return 2
    try:
        session = resolved.sessions[resolved.default]()
    except ConfigError as exc:
        print(exc.format(), file=sys.stderr)
        return exc.exit_code

    from ims_tui.logs import setup_logging

    try:
        setup_logging(debug=args.debug)
    except OSError as exc:
        print(f"ims-tui: cannot write the log file ({exc.strerror}); going on without a log", file=sys.stderr)

    options = {"page_size": args.page_size, "theme": pick_theme(display), "resolved": resolved}
    options |= {"profile": resolved.default, "keymap": dict(resolved.ui.keymap), "query": start_filter}
    options |= {"view": view, "state": state}
    if pick:
        from ims_tui import pick as picker

        return picker.run(args, session, options, mouse=not display.no_mouse)
    import asyncio

    return asyncio.run(run_app(session, options, mouse=not display.no_mouse))


async def run_app(session: Any, options: dict[str, Any], *, mouse: bool = True) -> int:
    """Start connecting and ask for the first page, then import Textual and the app in a thread meanwhile: the
    network and the imports overlap. The shell is still drawn before any answer is awaited, and a failure shows
    in the app as ever (the app's first connect takes this attempt, see ``CloudSession.connect_early``)."""
    import asyncio
    import importlib

    from ims_tui.startup import (
        first_request,
        initial_query,
        opened_columns,
        page_size_of,
        remembered_of,
        screen_first_page,
    )

    page_size = page_size_of(options["page_size"], session, options["resolved"])
    first_page = options["first_page"] = screen_first_page(page_size)
    resolved, profile, view = options["resolved"], options["profile"], options.get("view")
    view = view if view is not None and view.for_profile(profile) else None
    remembered = remembered_of(options.get("state"), resolved, profile)
    query = initial_query(resolved, profile, options["query"], view, remembered)
    session.connect_early(first_request(query, page_size, first_page))
    loop = asyncio.get_running_loop()
    deadline = loop.time() + FIRST_FRAME_WAIT
    # The first frame's own imports (~10 ms) then run while the server answers, not before the request is sent.
    await session.early_request_sent(FIRST_FRAME_WAIT)
    chosen = opened_columns(view, remembered) or (resolved.columns(profile) if resolved is not None else None)
    early = None if chosen else first_frame_screen(session, query, view.name if view is not None else None)
    try:
        if early is not None:
            await early.settled(max(0.0, deadline - loop.time()))
        app_module = await asyncio.to_thread(importlib.import_module, "ims_tui.ui.app")
        if early is not None:
            early.close()  # from here on only Textual draws
        app = app_module.ImsApp(session, **options, early_screen=early)
        await app.run_async(mouse=mouse)
    finally:
        if early is not None:
            early.restore()
    return int(app.return_code or 0)


def first_frame_screen(session: Any, query: Any, view: str | None) -> Any:
    """Draw the first rows before Textual is up, when they come before it (``ui/first_frame.py``)."""
    from ims_tui.ui.first_frame import EarlyScreen

    early = EarlyScreen()
    if not early.usable():
        return None
    early.start(early.draw_when_ready(session, query, view))
    return early


if __name__ == "__main__":
    sys.exit(main())
