"""Bytes ims-tui writes to an 80x24 terminal while an upload runs, driven through its UI in a real pty.

Used by ``bench.transfer``. A raw/bare queued image is created through the API (the newest image: ims-tui's
first row, highlighted at start); ``ims-tui --endpoint URL`` starts in a pty as after ssh (bench/ptyrun.py);
once the first page has settled the user presses ``u``, types the file's path into the upload dialog and
presses Enter. Counted:

- the progress window: from 1 s after the progress line (``↑ uploading NAME ... %``) first shows until the
  last write that still draws it (the row turning active and the "uploaded: verified" notification come after);
  every byte written in that window ÷ its length is the figure;
- everything from Enter until the output is quiet again after the notification (dialog closing, the panel
  appearing and going, the row turning active, the notification): for context.
"""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from bench.common import IMS_TUI
from bench.ptyrun import PtyProgram, terminal_env

QUIET = 0.5
NAME = "bench-tui-upload"
SKIP = 1.0  # seconds after the progress line appears: the panel's first layout is not the steady cost


def upload_through_ui(url: str, source: Path, timeout: float = 600.0) -> dict[str, float]:
    with httpx.Client(base_url=url, timeout=30) as api:
        created = api.post("/v2/images", json={"name": NAME, "disk_format": "raw", "container_format": "bare"})
        created.raise_for_status()
        image_id = created.json()["id"]
        try:
            return _drive(url, source, timeout)
        finally:
            api.delete(f"/v2/images/{image_id}")


def _drive(url: str, source: Path, timeout: float) -> dict[str, float]:
    program = PtyProgram([IMS_TUI, "--endpoint", url], terminal_env()).start()
    try:
        if program.wait_for_text(re.escape(NAME), 60) is None:
            raise RuntimeError("ims-tui never showed the image to upload into")
        program.settle(QUIET, 15)
        program.send(b"u")
        if program.wait_for_text("Upload image data", 15, since=len(program.output)) is None:
            raise RuntimeError("u did not open the upload dialog")
        program.settle(QUIET, 10)
        program.send(str(source).encode())
        program.settle(QUIET, 10)  # the field shows the size and the detected format
        mark = len(program.output)
        entered = program.send(b"\r")
        shown = program.wait_for_text(rf"uploading {NAME}.*%", 30, since=mark)
        if shown is None:
            raise RuntimeError("Enter did not start the upload (no progress line)")
        done = program.wait_for_text(r"verified with", timeout, since=mark)
        if done is None:
            raise RuntimeError("the upload did not finish with a verified notification")
        program.settle(QUIET, 15)
        writes, offset = [], 0
        for at, size in program.chunks:
            writes.append((at, bytes(program.output[offset : offset + size])))
            offset += size
        last = max(at for at, data in writes if f"uploading {NAME}".encode() in data)
        window = [len(data) for at, data in writes if shown + SKIP <= at <= last]
        whole = [len(data) for at, data in writes if at >= entered]
        seconds = last - (shown + SKIP)
        return {
            "progress_bytes_per_s": sum(window) / seconds,
            "progress_writes_per_s": len(window) / seconds,
            "progress_seconds": seconds,
            "upload_seconds": done - entered,
            "whole_bytes": float(sum(whole)),
        }
    finally:
        program.quit()
