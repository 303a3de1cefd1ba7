"""Connecting one session, and asking for its password when no file, variable or command supplied one."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on, work
from textual.message import Message
from textual.widget import Widget

from ims_tui.api.errors import Unauthorized
from ims_tui.api.session import CloudSession, Connection
from ims_tui.config.secrets import PasswordRequired
from ims_tui.ui.screens.password import PasswordScreen
from ims_tui.ui.text import error_line


class SessionGate(Widget):
    """Runs ``session.connect()`` in its worker (group "connect") and posts what came of it; shows nothing.

    A session that ``needs_password`` gets the masked prompt first; a password typed there and refused by the
    cloud asks again, saying why, rather than ending in an error. Esc at the prompt fails with
    ``PasswordRequired``, and ``open()`` (the screen's r) starts over.
    """

    DEFAULT_CSS = "SessionGate { display: none; }"

    @dataclass
    class Asking(Message):
        """The password prompt is up."""

    @dataclass
    class Answered(Message):
        """A password was typed; connecting with it."""

    @dataclass
    class Connected(Message):
        connection: Connection

    @dataclass
    class Failed(Message):
        """Not connected: ``error`` says why (``PasswordRequired`` when the prompt was left with Esc)."""

        error: BaseException

    @dataclass
    class _Prompt(Message, bubble=False):
        prompt: str
        error: str | None = None

    def __init__(self, session: CloudSession) -> None:
        super().__init__()
        self.session = session

    def open(self) -> None:
        """Connect, or ask for the password first."""
        if self.session.needs_password:
            self._ask(self.session.prompt)
        else:
            self._connect()

    @work(exclusive=True, group="connect")
    async def _connect(self) -> None:
        session = self.session
        try:
            early = session.take_early()  # started by the command line while Textual was imported
            connection = await (early if early is not None else session.connect())
        except PasswordRequired as exc:
            self.post_message(self._Prompt(exc.prompt))
            return
        except Unauthorized as exc:
            if session.prompted:
                # A typed password that the cloud refused: ask again, saying why, rather than a dead end.
                self.post_message(self._Prompt(session.prompt, error_line(exc)))
            else:
                self.post_message(self.Failed(exc))
            return
        except Exception as exc:  # noqa: BLE001 - config and auth errors of any kind end up on the status line
            self.post_message(self.Failed(exc))
            return
        self.post_message(self.Connected(connection))

    @on(_Prompt)
    def _prompted(self, message: _Prompt) -> None:
        self._ask(message.prompt, message.error)

    def _ask(self, prompt: str, error: str | None = None) -> None:
        self.post_message(self.Asking())
        self.app.push_screen(PasswordScreen(prompt, error), self._answered)

    def _answered(self, password: str | None) -> None:
        if password is None:
            self.post_message(self.Failed(PasswordRequired("not signed in: no password given")))
            return
        self.session.provide_password(password)
        self.post_message(self.Answered())
        self._connect()
