"""IMS's quota as a small panel: per type, used of allowed, what is left, and a gauge (``GET /v1/cloudimages/quota``).

Read when the panel opens and on ``r``; nothing is polled. A failure shows in the panel in one line.
"""

from __future__ import annotations

from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from ims_tui.api.client import ImageClient
from ims_tui.api.errors import ApiError
from ims_tui.api.ims_jobs import QuotaUse
from ims_tui.ui import keys
from ims_tui.ui.text import error_line, safe

GAUGE = 20  # cells: a 5 % step, enough to see "nearly full" at a glance
FULL_AT = 0.9  # from 90 % used the line turns to a warning


def quota_lines(uses: list[QuotaUse]) -> Content:
    """One line per type: "image   41 of 1000 used   959 left  [####      ]"; a full or nearly full one warns."""
    if not uses:
        return Content("IMS reported no quota for this account.")
    parts: list[str | tuple[str, str]] = [(f"{'type':<10}{'used':>7}{'allowed':>9}{'left':>7}", "bold"), "\n"]
    for use in uses:
        share = use.used / use.quota if use.quota > 0 else 1.0
        filled = min(GAUGE, round(share * GAUGE))
        gauge = "[" + "#" * filled + " " * (GAUGE - filled) + "]"
        line = f"{safe(use.type)[:10]:<10}{use.used:>7}{use.quota:>9}{use.left:>7}  {gauge}"
        parts += [(line, "$text-warning") if share >= FULL_AT else line, "\n"]
        if use.left == 0:
            parts += [(f"  full: a new {safe(use.type)} is refused until one is deleted\n", "$text-error")]
    limits = [f"{safe(use.type)} {use.min}-{use.max}" for use in uses if use.min is not None and use.max is not None]
    if limits:
        parts.append((f"\nThe quota may be set within: {', '.join(limits)}", "$text-muted"))
    return Content.assemble(*parts).rstrip()


class QuotaScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("quota")
    DEFAULT_CSS = """
    QuotaScreen { align: center middle; }
    #quota-dialog {
        width: 62; max-width: 100%; height: auto; max-height: 100%;
        border: round $accent; padding: 0 1; background: $surface;
    }
    #quota-body { height: auto; }
    #quota-hint { height: 1; margin-top: 1; color: $text-muted; }
    """

    def __init__(self, client: ImageClient) -> None:
        super().__init__()
        self.client = client
        self.uses: list[QuotaUse] | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="quota-dialog") as dialog:
            dialog.border_title = "Quota (IMS)"
            yield Static("reading the quota…", id="quota-body")
            yield Static("r reloads · esc closes", id="quota-hint")

    def on_mount(self) -> None:
        self.action_reload()

    @work(exclusive=True, group="quota")
    async def action_reload(self) -> None:
        body = self.query_one("#quota-body", Static)
        try:
            self.uses = await self.client.ims_quota()
        except ApiError as exc:
            body.update(Content(f"The quota could not be read:\n{error_line(exc)}"))
            return
        body.update(quota_lines(self.uses))

    def action_close(self) -> None:
        self.dismiss(None)
