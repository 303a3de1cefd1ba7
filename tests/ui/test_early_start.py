"""Start-up: the first page sized to the screen, and the head start the command line gives the network.

``ims-tui`` (cli.run_app) starts connecting and asks for the first page before Textual is imported
(``CloudSession.connect_early``); the app's first connect takes that attempt. It must change nothing a user sees
but the time: the same rows from one request, and the same failure, said the same way, when it goes wrong.
"""

from __future__ import annotations

import math
import socket
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from bench.ptyrun import PtyProgram, terminal_env
from ims_tui.api.errors import Unauthorized
from ims_tui.api.listing import first_page_size
from ims_tui.api.session import CloudSession, Connection, SessionInfo, StaticSession
from ims_tui.startup import first_request, initial_query
from ims_tui.ui.app import ImsApp

from .helpers import frozen_now, list_requests, main_screen, make_app, screen_text, settle, status_text

FIRST = first_page_size(20, 200)  # what a 20-line terminal asks for first: 40 rows


def limits(cloud: Any) -> list[int]:
    return [int(parse_qs(urlsplit(path).query)["limit"][0]) for path in list_requests(cloud)]


def head_start(app: ImsApp) -> None:
    """What cli.run_app does before it imports the app."""
    query = first_request(initial_query(None, None, None), app.page_size, FIRST)
    app.session.connect_early(query)


async def test_the_first_page_fits_the_screen_and_later_pages_are_whole() -> None:
    app, cloud = make_app(count=1000, page_size=200)
    app.first_page = FIRST
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = main_screen(app).table
        assert table.row_count == FIRST and limits(cloud) == [FIRST]
        assert f"{FIRST} loaded, more below" in status_text(app)
        for _ in range(3):
            await pilot.press("G")
            await settle(pilot)
        loaded = table.row_count
        assert loaded == FIRST + 3 * 200
        # The rule: at most 1 + ceil((loaded - first page) / page size) list requests, the later ones whole pages.
        assert len(list_requests(cloud)) <= 1 + math.ceil((loaded - FIRST) / 200)
        assert limits(cloud) == [FIRST, 200, 200, 200]
        # A reload starts with a screenful again (then pages on, looking for the highlighted image).
        sent = len(list_requests(cloud))
        await pilot.press("r")
        await settle(pilot)
        assert limits(cloud)[sent] == FIRST


async def test_the_head_start_is_the_first_page_the_app_shows() -> None:
    app, cloud = make_app(count=1000, page_size=200)
    app.first_page = FIRST
    head_start(app)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = main_screen(app).table
        assert table.row_count == FIRST and limits(cloud) == [FIRST]  # the early request, not a second one
        first_name = (table.rows[0].name or "(no name)")[:20]
        assert first_name in screen_text(app)
        await pilot.press("G")
        await settle(pilot)
        assert limits(cloud) == [FIRST, 200]


class RefusedSession(CloudSession):
    """Keystone said no to the password of the config (not one typed at the prompt)."""

    async def connect(self) -> Connection:
        raise Unauthorized("The request you have made requires authentication.", status=401, request_id="req-kst")


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def refused() -> Callable[[], CloudSession]:
    return lambda: RefusedSession(SessionInfo(cloud="demo", user="operator"))


def dead_endpoint() -> Callable[[], CloudSession]:
    endpoint = f"http://127.0.0.1:{closed_port()}"  # nothing listens there: the connection is refused
    return lambda: StaticSession(SessionInfo(cloud="dead"), endpoint)


async def shown(session: CloudSession, *, early: bool) -> tuple[str, str]:
    app = ImsApp(session, page_size=200, now=frozen_now, first_page=FIRST)
    if early:
        head_start(app)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        return screen_text(app), status_text(app)


@pytest.mark.parametrize("make", [refused, dead_endpoint], ids=["wrong password", "dead endpoint"])
async def test_a_failure_reads_the_same_with_the_head_start(make: Any) -> None:
    session = make()
    text, status = await shown(session(), early=True)
    assert (text, status) == await shown(session(), early=False)
    assert "could not" in text
    if make is refused:
        assert "401" in text and "req-kst" in text


class HeldAnswer:
    """A server on 127.0.0.1 that reads one request and answers only when told to."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.request_seen = threading.Event()
        self.release = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.listener.getsockname()[1]}"

    def _serve(self) -> None:
        conn, _ = self.listener.accept()
        with conn:
            data = b""
            while b"\r\n\r\n" not in data:
                data += conn.recv(65536)
            self.request_seen.set()
            self.release.wait(30)
            body = b'{"images": []}'
            head = f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
            conn.sendall(head.encode() + body)

    def close(self) -> None:
        self.release.set()
        self.thread.join(10)
        self.listener.close()


async def test_the_head_start_waits_for_its_request_to_be_sent_not_answered() -> None:
    """cli.run_app imports the first frame's modules once the first page's request is on the wire: they load
    while the server works, and nothing waits for the answer itself."""
    server = HeldAnswer()
    try:
        session = StaticSession(SessionInfo(cloud="held"), server.url)
        session.connect_early(first_request(initial_query(None, None, None), 200, FIRST))
        await session.early_request_sent(10.0)
        # Blocking the loop here: the server can only get the request if it was already written.
        assert server.request_seen.wait(10)  # sent ...
        page = session.early_attempt
        assert page is not None and page.done()  # ... connected ...
        prefetched = page.result().client.prefetched_page
        assert prefetched is not None and not prefetched.done()  # ... but not answered: nobody waited for that
        server.release.set()
        assert (await prefetched).count == 0
    finally:
        server.close()
        await session.aclose()


# -- the real command line on a real pseudo-terminal (bench/ptyrun.py starts it) ----------------------------------

IMS_TUI = str(Path(sys.executable).parent / "ims-tui")


def test_the_command_line_shows_a_screenful_first(tmp_path: Path) -> None:
    env = terminal_env(HOME=str(tmp_path), XDG_STATE_HOME=str(tmp_path / "state"))
    with PtyProgram([IMS_TUI, "--demo", "--demo-images", "1000"], env).start() as program:  # 80x24
        assert program.wait_for_text(rf"{first_page_size(24, 200)} loaded, more below", 30) is not None
        program.quit()
        assert program.exit_status == 0


def test_the_command_line_shows_a_dead_endpoint_in_the_app(tmp_path: Path) -> None:
    env = terminal_env(HOME=str(tmp_path), XDG_STATE_HOME=str(tmp_path / "state"))
    argv = [IMS_TUI, "--endpoint", f"http://127.0.0.1:{closed_port()}"]
    with PtyProgram(argv, env).start() as program:
        assert program.wait_for_text("could not list images: network error", 30) is not None
        assert program.wait_for_text("All connection attempts failed", 10) is not None
        program.quit()
        assert program.exit_status == 0
