"""Uploads and downloads in the background, one line each above the status line while they run.

The transfer itself is ``api.upload.upload_file`` / ``api.download.download_image`` in a worker of this panel
(group ``transfer-N``), so the rest of the app stays usable and a screen change does not stop it. Progress comes
from the API at most four times a second (``api.progress``); the panel repaints only its own line then, so a
running transfer costs the terminal a few hundred bytes a second at 80x24.

A cancelled upload stops sending: Glance then puts the image back to ``queued`` (nothing half-written becomes
active), and the user chose beforehand whether the image is deleted as well. A cancelled download leaves its
partial file, so the next download of the same image to the same place resumes from it.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from textual.content import Content
from textual.message import Message
from textual.widget import Widget
from textual.worker import Worker

from ims_tui.api.client import ImageClient
from ims_tui.api.download import DownloadResult, download_image
from ims_tui.api.errors import ApiError
from ims_tui.api.progress import Progress
from ims_tui.api.transfer import TransferInterrupted
from ims_tui.api.upload import UploadResult, upload_file
from ims_tui.ui.format import crop_cells, transfer_line
from ims_tui.ui.text import error_line, safe

Kind = Literal["upload", "stage", "download"]
State = Literal["running", "done", "failed", "cancelled"]
ARROW = {"upload": "↑", "stage": "↑", "download": "↓"}
VERB = {"upload": "uploading", "stage": "staging", "download": "downloading"}
SHOWN = 2  # lines at most: the list keeps the rest of an 80x24 screen
Result = UploadResult | DownloadResult
Run = Callable[[Callable[[Progress], None]], Awaitable[Result]]


@dataclass(frozen=True)
class Transfer:
    """One transfer as the panel shows it. ``image_name`` is what the list showed (safe-drawn at paint)."""

    number: int
    kind: Kind
    image_id: str
    image_name: str
    path: Path
    progress: Progress = field(default_factory=lambda: Progress(0, None))
    state: State = "running"
    delete_on_cancel: bool = False

    @property
    def label(self) -> str:
        return safe(self.image_name or self.image_id)

    def line(self, width: int) -> str:
        phase = self.progress.phase
        verb = VERB[self.kind] if phase in ("sending", "receiving") else phase
        head = f"{ARROW[self.kind]} {verb} "
        tail = "  " + transfer_line(
            self.progress.done, self.progress.total, self.progress.rate, self.progress.seconds_left
        )
        room = max(8, width - len(head) - len(tail))
        return crop_cells(head + crop_cells(self.label, room) + tail, width)


class TransferPanel(Widget):
    """The transfers of this session that are still running (``running``), and the workers that run them."""

    DEFAULT_CSS = """
    TransferPanel { height: auto; max-height: 3; padding: 0 1; background: $panel; color: $text-accent; }
    TransferPanel.-idle { display: none; }
    """

    class Finished(Message):
        """A transfer ended: ``result`` when it worked, ``error`` when not (None for both: cancelled)."""

        def __init__(self, transfer: Transfer, result: Result | None, error: ApiError | None) -> None:
            super().__init__()
            self.transfer, self.result, self.error = transfer, result, error

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, classes="-idle")
        self.transfers: dict[int, Transfer] = {}
        # The last failure stays on its line until the next transfer or Esc: a toast is gone before a user who
        # looked away reads it. Status first (``error_line``), as every error of the app.
        self.failure = ""
        self._workers: dict[int, Worker[None]] = {}
        self._numbers = itertools.count(1)

    @property
    def running(self) -> list[Transfer]:
        return [transfer for transfer in self.transfers.values() if transfer.state == "running"]

    def render(self) -> Content:
        width = max(20, self.size.width)
        lines = [transfer.line(width) for transfer in self.running[:SHOWN]]
        more = len(self.running) - SHOWN
        if more > 0:
            lines[-1] = crop_cells(lines[-1], width - 12) + f"  (+{more} more)"
        if self.failure and len(lines) < SHOWN + 1:
            lines.append(crop_cells(self.failure, width))
        return Content("\n".join(lines))

    def _changed(self) -> None:
        self.set_class(not self.running and not self.failure, "-idle")
        self.refresh(layout=True)

    def clear_failure(self) -> bool:
        """Forget the last failure's line (Esc on the list); True if there was one."""
        had, self.failure = bool(self.failure), ""
        if had:
            self._changed()
        return had

    def upload(self, client: ImageClient, image_id: str, name: str, path: Path, *, stage: bool = False) -> Transfer:
        transfer = Transfer(next(self._numbers), "stage" if stage else "upload", image_id, name, path)
        return self._start(
            transfer, lambda report: upload_file(client, image_id, path, on_progress=report, stage=stage)
        )

    def download(
        self, client: ImageClient, image_id: str, name: str, path: Path, *, overwrite: bool = False
    ) -> Transfer:
        transfer = Transfer(next(self._numbers), "download", image_id, name, path)
        return self._start(
            transfer, lambda report: download_image(client, image_id, path, overwrite=overwrite, on_progress=report)
        )

    def _start(self, transfer: Transfer, run: Run) -> Transfer:
        self.failure = ""
        self.transfers[transfer.number] = transfer
        self._workers[transfer.number] = self.run_worker(
            self._run(transfer.number, run), group=f"transfer-{transfer.number}", exit_on_error=False
        )
        self._changed()
        return transfer

    async def _run(self, number: int, run: Run) -> None:
        def report(progress: Progress) -> None:
            current = self.transfers.get(number)
            if current is not None and current.state == "running":
                self.transfers[number] = replace(current, progress=progress)
                self.refresh()

        result: Result | None = None
        error: ApiError | None = None
        try:
            result = await run(report)
        except ApiError as exc:
            error = exc
        except asyncio.CancelledError:
            if self.is_attached:  # not while the app shuts down: there is no one left to tell
                self._end(number, "cancelled", None, None)
            raise
        self._end(number, "done" if error is None else "failed", result, error)

    def _end(self, number: int, state: State, result: Result | None, error: ApiError | None) -> None:
        transfer = self.transfers.get(number)
        if transfer is None or transfer.state != "running":
            return
        transfer = self.transfers[number] = replace(transfer, state=state)
        self._workers.pop(number, None)
        if isinstance(error, TransferInterrupted):  # the cause first: at 80 columns the byte counts can wait
            self.failure = f"✗ download of {transfer.label} stopped: {error_line(error.cause)} · D resumes"
        elif error is not None and error.outcome_unknown:
            self.failure = f"? upload of {transfer.label}: {error_line(error)}; it may still be saving · Esc hides"
        elif error is not None:
            verb = "upload" if transfer.kind != "download" else "download"
            self.failure = f"✗ {verb} of {transfer.label} failed: {error_line(error)} · E details · Esc hides"
        self._changed()
        self.post_message(self.Finished(transfer, result, error))

    def cancel(self, number: int, *, delete_image: bool = False) -> None:
        transfer = self.transfers.get(number)
        worker = self._workers.get(number)
        if transfer is None or worker is None:
            return
        self.transfers[number] = replace(transfer, delete_on_cancel=delete_image)
        worker.cancel()
