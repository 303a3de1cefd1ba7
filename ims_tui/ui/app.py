"""The Textual application: draws the shell at once, then connects and loads in workers (see screens/main.py)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

from textual.app import App, SystemCommand
from textual.binding import BindingType
from textual.markup import escape
from textual.screen import Screen
from textual.theme import Theme

from ims_tui.api.models import ListQuery
from ims_tui.api.request_log import SESSION_LOG
from ims_tui.api.session import CloudSession
from ims_tui.config.named_views import View
from ims_tui.config.state import StateStore
from ims_tui.startup import initial_query, page_size_of
from ims_tui.ui import keys
from ims_tui.ui.text import safe, safe_lines
from ims_tui.ui.view_state import ViewMemory

if TYPE_CHECKING:
    from textual.driver import Driver

    from ims_tui.config import Resolved
    from ims_tui.ui.first_frame import EarlyScreen
    from ims_tui.ui.screens.error import ErrorReport, ErrorReported
    from ims_tui.ui.screens.main import MainScreen

# Textual 8.2.8 names its terminal-palette themes "ansi-dark"/"ansi-light" (there is no "textual-ansi").
ANSI_THEME = "ansi-dark"
DEFAULT_THEME = "textual-dark"
MONOCHROME_THEME = "ims-monochrome"


def monochrome_theme() -> Theme:
    """Greys only, for NO_COLOR: Textual strips colour from the output anyway; this keeps contrast where it did.

    Status, errors and badges must then read by their words and reverse video alone, which the screens do.
    """
    return Theme(
        name=MONOCHROME_THEME,
        primary="#c0c0c0",
        secondary="#a0a0a0",
        accent="#ffffff",
        foreground="#d0d0d0",
        background="#000000",
        surface="#000000",
        panel="#303030",
        boost="#202020",
        warning="#ffffff",
        error="#ffffff",
        success="#d0d0d0",
        dark=True,
    )


def keymap_of(app: App[object]) -> keys.Keymap:
    """The keys in effect for ``app`` (the registry's own under an app that is not ims-tui's, as in tests)."""
    return app.keymap if isinstance(app, ImsApp) else keys.Keymap()


class ImsApp(App[None]):
    """ims-tui: browse and fix the images of one Glance v2 / IMS endpoint at a time."""

    CSS_PATH = "app.tcss"
    TITLE = "ims-tui"
    ENABLE_COMMAND_PALETTE = True

    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("app")

    def __init__(
        self,
        session: CloudSession,
        *,
        page_size: int | None = None,
        now: Callable[[], datetime] | None = None,
        theme: str | None = None,
        resolved: Resolved | None = None,
        profile: str | None = None,
        keymap: dict[str, str] | None = None,
        query: ListQuery | None = None,
        view: View | None = None,
        state: StateStore | None = None,
        first_page: int | None = None,
        early_screen: EarlyScreen | None = None,
    ) -> None:
        self.early_screen = early_screen  # the first frame the command line drew, if any: read by the driver class
        super().__init__()
        self.first_page = first_page  # the first request of a listing; None: a whole page
        self.session = session
        self.start_filter = query  # --filter: in place of the profile's [filters], with its sort
        self.start_view = view  # --view (ui/view_state.py has the precedence)
        self.memory = ViewMemory(state, resolved)  # saved views and remembered sorts: the state folder
        self.page_size_override = page_size
        self.now = now
        self.resolved = resolved
        self.profile = profile
        self.keymap = keys.Keymap()  # the keys in effect, which the main screen's key guards read
        self.keymap_warnings: list[str] = []
        self.last_error: ErrorReport | None = None  # what E shows: the last failure any screen reported
        self.request_log = SESSION_LOG  # what L shows: every client of the API layer records into it
        if keymap:
            checked, self.keymap_warnings = keys.check_keymap(keymap)
            self.set_keymap(checked)
        self.register_theme(monochrome_theme())
        if theme:
            self.theme = theme
        elif self.no_color:
            self.theme = MONOCHROME_THEME
        elif self.theme == "textual-dark":
            self.theme = DEFAULT_THEME

    def get_driver_class(self) -> type[Driver]:
        # Same screen, fewer bytes: only the changes of colour and style go to the terminal (compact_output.py).
        from ims_tui.ui.compact_output import compact_driver

        driver = compact_driver(super().get_driver_class())
        early = self.early_screen
        if early is not None and early.drawn:
            from ims_tui.ui.first_frame import handover_driver

            driver = handover_driver(driver, early)
        return driver

    def set_keymap(self, keymap: Mapping[str, str]) -> None:
        super().set_keymap(keymap)
        self.keymap = keys.Keymap(keymap)

    def update_keymap(self, keymap: Mapping[str, str]) -> None:
        super().update_keymap(keymap)
        self.keymap = keys.Keymap({**self.keymap.overrides, **keymap})

    @property
    def page_size(self) -> int:
        return page_size_of(self.page_size_override, self.session, self.resolved)

    @property
    def _start_view(self) -> View | None:
        """--view, on the profiles it is for (after a switch to another, that one's own list)."""
        view = self.start_view
        return view if view is not None and view.for_profile(self.profile) else None

    def _main_screen_class(self) -> type[MainScreen]:
        from ims_tui.ui.screens.main import MainScreen

        return MainScreen

    def _main_screen(self) -> Screen[None]:
        remembered = self.memory.remembered(self.profile)  # one read of the state folder for the query and the columns
        query = initial_query(self.resolved, self.profile, self.start_filter, self._start_view, remembered)
        screen = self._main_screen_class()(
            self.session,
            page_size=self.page_size,
            now=self.now,
            query=query,
            can_switch=self.can_switch,
            columns=self.resolved.columns(self.profile) if self.resolved is not None else None,
            first_page=self.first_page,
        )
        screen.started(self._start_view, query, remembered)
        return screen

    def on_mount(self) -> None:
        self.push_screen(self._main_screen())
        warnings = list(self.keymap_warnings)
        if self.resolved is not None:
            warnings += self.resolved.warnings
        warnings += self.memory.notices()
        for warning in dict.fromkeys([*warnings, *self.session.info.warnings]):
            self.notify(safe_lines(warning), title="warning", severity="warning", timeout=20, markup=False)

    async def on_unmount(self) -> None:
        # Closing a broken connection must not mask the exit.
        with contextlib.suppress(Exception):
            await self.session.aclose()

    @property
    def read_only(self) -> bool:
        """Decided once, by the config (``--read-only``, the profile, ``[ui]``); the client refuses writes too."""
        return self.session.info.read_only

    @property
    def can_switch(self) -> bool:
        return self.resolved is not None and len(self.resolved.sessions) > 1

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "switch_cloud":
            return self.can_switch
        if action == "last_error":
            return self.last_error is not None
        return True

    def running_transfers(self) -> int:
        from ims_tui.ui.transfers import TransferPanel

        return sum(len(panel.running) for screen in self.screen_stack for panel in screen.query(TransferPanel))

    async def action_quit(self) -> None:
        """Quit, but ask first while a transfer runs: quitting stops it."""
        running = self.running_transfers()
        if not running:
            self.exit()
            return
        from ims_tui.ui.screens.confirm import ConfirmScreen

        body = (
            f"{running} transfer{'s are' if running > 1 else ' is'} running; quitting stops "
            f"{'them' if running > 1 else 'it'}. An upload leaves its image queued; a download keeps what "
            "arrived, and the next download to the same file resumes from it."
        )
        question = ConfirmScreen("Quit?", body, confirm="Quit", cancel="Go on", tone="warning")
        self.push_screen(question, lambda quit_now: self.exit() if quit_now else None)

    def on_error_reported(self, message: ErrorReported) -> None:
        self.last_error = message.report

    def action_last_error(self) -> None:
        from ims_tui.ui.screens.error import ErrorScreen

        if self.last_error is not None and not isinstance(self.screen, ErrorScreen):
            self.push_screen(ErrorScreen(self.last_error))

    def action_switch_cloud(self) -> None:
        if self.resolved is None or not self.can_switch:
            return
        from ims_tui.ui.screens.clouds import CloudPickerScreen

        names = list(self.resolved.sessions)
        self.push_screen(CloudPickerScreen(names, self.profile, self.resolved.describe), self._cloud_chosen)

    def _cloud_chosen(self, name: str | None) -> None:
        if name is not None:
            self.switch_to(name)

    def switch_to(self, name: str) -> None:
        """Open another cloud in place of the current one; a broken entry leaves the current one open."""
        assert self.resolved is not None
        from ims_tui.config import ConfigError

        try:
            session = self.resolved.sessions[name]()
        except ConfigError as exc:
            title = f"cannot open {safe(name)}"
            self.notify(safe_lines(exc.format()), title=title, severity="error", timeout=20, markup=False)
            return
        old, self.session, self.profile = self.session, session, name
        while len(self.screen_stack) > 2:
            self.pop_screen()
        self.switch_screen(self._main_screen())
        for warning in session.info.warnings:
            self.notify(safe_lines(warning), title="warning", severity="warning", timeout=20, markup=False)
        self.run_worker(self._close(old), group="close-session")

    @staticmethod
    async def _close(session: CloudSession) -> None:
        with contextlib.suppress(Exception):
            await session.aclose()

    def action_request_log(self) -> None:
        from ims_tui.ui.screens.request_log import RequestLogScreen

        if not isinstance(self.screen, RequestLogScreen):
            self.push_screen(RequestLogScreen(self.request_log))

    def action_help(self) -> None:
        from ims_tui.ui.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss()
            return
        self.push_screen(HelpScreen(self.screen))

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        from ims_tui.ui.screens.main import MainScreen

        # The main screen's actions first: the palette is the way to find what a key does.
        if isinstance(screen, MainScreen):
            yield from screen.palette_commands()
        if self.resolved is not None and self.can_switch:
            for name in self.resolved.sessions:
                if name != self.profile:
                    # The palette parses its text as markup: a cloud named "[b]x" must read as it is.
                    yield SystemCommand(
                        f"Switch cloud: {escape(safe(name))}",
                        escape(safe(self.resolved.describe(name))),
                        lambda n=name: self.switch_to(n),
                    )
        yield from keys.commands(self, self.keymap, {"app": self})
        yield from super().get_system_commands(screen)
