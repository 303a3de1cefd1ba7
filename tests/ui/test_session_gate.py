"""Connecting with a secret nobody supplied: the prompt, Esc, r to ask again, a refused password, then the list."""

from __future__ import annotations

from typing import Any

from ims_tui.api.errors import Unauthorized
from ims_tui.api.session import CloudSession, Connection, StaticSession
from ims_tui.ui.screens.main import MainScreen
from ims_tui.ui.screens.password import PasswordScreen
from ims_tui.ui.widgets.status import StatusLine

from .helpers import make_app, screen_text, settle

GOOD = "s3cret-pass"


class PromptingSession(CloudSession):
    """A session with no password anywhere (like a clouds.yaml entry without one): the UI must ask."""

    prompt = "Password for operator@demo"

    def __init__(self, inner: StaticSession) -> None:
        super().__init__(inner.info)
        self.inner = inner
        self.secret: str | None = None
        self.attempts = 0

    @property
    def needs_password(self) -> bool:
        return self.secret is None

    @property
    def prompted(self) -> bool:
        return self.secret is not None

    def provide_password(self, secret: str) -> None:
        self.secret = secret

    async def connect(self) -> Connection:
        self.attempts += 1
        if self.secret != GOOD:
            raise Unauthorized("The request you have made requires authentication.", status=401, request_id="req-pw")
        self.connection = await self.inner.connect()
        return self.connection


def status_text(app: Any) -> str:
    return str(app.screen.query_one(StatusLine).render())


async def test_password_prompt_esc_retry_refused_then_signed_in() -> None:
    sessions: list[PromptingSession] = []

    def wrap(inner: StaticSession) -> CloudSession:
        sessions.append(PromptingSession(inner))
        return sessions[0]

    app, _cloud = make_app(session_wrap=wrap)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, PasswordScreen)
        assert "Password for operator@demo" in screen_text(app) and "Sign in" in screen_text(app)
        assert sessions[0].attempts == 0  # nothing was sent without a password
        main = app.screen_stack[-2]
        assert isinstance(main, MainScreen) and main.table.empty_text == "waiting for the password…"

        # Esc: no password, the list stays empty and says how to ask again.
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert "not signed in: no password given" in status_text(app) and "r to retry" in status_text(app)
        assert main.table.empty_text == "not signed in: r asks for the password again"

        # r asks again; a refused password asks once more, saying why.
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, PasswordScreen)
        await pilot.press(*"wrong", "enter")
        await settle(pilot)
        assert isinstance(app.screen, PasswordScreen) and sessions[0].attempts == 1
        assert "requires authentication" in " ".join(screen_text(app).replace("│", " ").split())  # may wrap

        await pilot.press(*GOOD, "enter")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen) and sessions[0].attempts == 2
        assert main.table.row_count == 200 and "200 loaded, more below" in status_text(app)
        assert "error" not in status_text(app)
