"""Save an image's data to a local file: streamed into a partial file beside the target, verified against the
image's ``os_hash_value`` (else its md5 ``checksum``), and renamed to the target only then.

    result = await download_image(client, image_id, Path("~/disk.qcow2").expanduser(), on_progress=show)
    result.words()     # "saved 1.0 GiB, verified with sha512 (resumed at 412.0 MiB)"

- The target is never overwritten unless ``overwrite=True``: ``TargetExists`` before anything is sent, and
  again (atomically, by a hard link) if a file of that name appeared during the download.
- The partial file is ``.<name>.<image id>.part`` in the target's folder. When a download stops (the network,
  a cancel, a full disk) it stays; the next ``download_image`` of the same image to the same target reads it
  back (hashing it: the hashes cover the whole file) and asks only for the rest with ``Range: bytes=N-``.
  A server that ignores ranges sends everything again: the partial is then started over and the result says
  ``resume_refused``. ``discard_partial`` removes it when the user gives up.
- A 204 (the image has no data: queued, or its data gone) raises ``NoImageData``; a deactivated image is the
  server's 403 (``Forbidden``: "The requested image has been deactivated...").
- A mismatch raises ``HashMismatch`` and deletes the partial file: resuming corrupt data would not help.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from .client import ImageClient
from .errors import ApiError, MalformedResponse
from .imagedata import ImageData
from .models import Image
from .progress import ProgressMeter
from .transfer import (
    CHUNK_SIZE,
    DEFAULT_HASH_ALGO,
    Hashes,
    LocalFileError,
    NoImageData,
    ProgressCallback,
    TargetExists,
    TransferInterrupted,
    TransferResult,
    check_image,
    hash_file,
    local_error,
)


@dataclass(frozen=True)
class DownloadResult(TransferResult):
    """``path``: where the data is now; ``resumed_from``: bytes taken from an earlier partial file;
    ``resume_refused``: a partial file was there, but the server sent the whole image (it ignores ranges)."""

    path: Path = Path()
    resumed_from: int = 0
    resume_refused: bool = False

    def words(self) -> str:
        text = f"saved {_size(self.size)}, {self.verified_words}"
        if self.resumed_from:
            text += f" (resumed at {_size(self.resumed_from)})"
        elif self.resume_refused:
            text += " (the server does not resume downloads: it sent the whole image again)"
        return text


def _size(count: int) -> str:
    value = float(count)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def partial_path(target: Path, image_id: str) -> Path:
    """The partial file of a download of ``image_id`` to ``target``: hidden, beside it, named for the image."""
    return target.with_name(f".{target.name}.{image_id}.part")


def discard_partial(target: Path, image_id: str) -> bool:
    """Remove what an interrupted download left; True if there was something."""
    try:
        partial_path(target, image_id).unlink()
    except FileNotFoundError:
        return False
    return True


async def download_image(
    client: ImageClient,
    image_id: str,
    target: str | os.PathLike[str],
    *,
    overwrite: bool = False,
    resume: bool = True,
    on_progress: ProgressCallback | None = None,
    clock: Callable[[], float] = time.monotonic,
    chunk_size: int = CHUNK_SIZE,
) -> DownloadResult:
    """Download the image's data to ``target``; see the module doc."""
    target = Path(target)
    if target.is_dir():
        raise LocalFileError(f"{target} is a folder: name the file to save to")
    if target.exists() and not overwrite:
        raise TargetExists(f"{target} is there already: choose another name, or allow overwriting it")
    if not target.parent.is_dir():
        raise LocalFileError(f"cannot save to {target}: the folder {target.parent} does not exist")
    image = await client.get(image_id)
    algo = image.os_hash_algo if Hashes.supports(image.os_hash_algo) else DEFAULT_HASH_ALGO
    assert algo is not None
    partial = partial_path(target, image_id)
    meter = ProgressMeter(image.size, clock(), phase="receiving")
    hashes, offset = await _resume_point(partial, image, algo, resume, meter, on_progress, clock)
    refused = False
    if image.size is None or offset < image.size:
        hashes, refused = await _receive(client, image, partial, hashes, offset, meter, on_progress, clock, chunk_size)
    try:
        verified = check_image(image, hashes, what="the data received")
    except ApiError:
        partial.unlink(missing_ok=True)
        raise
    _place(partial, target, overwrite)
    if on_progress is not None:
        on_progress(meter.finish(clock()))
    resumed = 0 if refused else offset
    return DownloadResult(
        image, hashes.size, hashes.checksum, hashes.algo, hashes.hash_value, verified, target, resumed, refused
    )


async def _resume_point(
    partial: Path,
    image: Image,
    algo: str,
    resume: bool,
    meter: ProgressMeter,
    on_progress: ProgressCallback | None,
    clock: Callable[[], float],
) -> tuple[Hashes, int]:
    """The hashes of what the partial file already holds and where to go on from (0: from the start)."""
    try:
        have = partial.stat().st_size
    except FileNotFoundError:
        have = 0
    if not resume or image.size is None or have == 0 or have > image.size:
        partial.unlink(missing_ok=True)
        return Hashes(algo), 0
    if on_progress is not None:
        on_progress(meter.set_phase("hashing", clock()))
    hashes = await hash_file(partial, algo, limit=have, meter=meter, on_progress=on_progress, clock=clock)
    meter.set_phase("receiving", clock())
    return hashes, have


async def _receive(
    client: ImageClient,
    image: Image,
    partial: Path,
    hashes: Hashes,
    offset: int,
    meter: ProgressMeter,
    on_progress: ProgressCallback | None,
    clock: Callable[[], float],
    chunk_size: int,
) -> tuple[Hashes, bool]:
    """Stream the image's data from ``offset`` into ``partial``; the final hashes, and whether the server
    refused the range (and sent everything, so the partial file was started over)."""
    refused = False
    async with client.open_data(image.id, offset=offset) as data:
        if data.empty:
            partial.unlink(missing_ok=True)
            status = image.status or "unknown"
            why = "nothing was uploaded to it yet" if status == "queued" else "its data is not in any store"
            raise NoImageData(f"the image has no data to download (status {status}): {why}", status=204)
        if offset and not data.ranged:
            refused, offset, hashes = True, 0, Hashes(hashes.algo)
            meter.restart(0, clock())
        elif data.offset != offset:
            raise MalformedResponse(f"asked for the data from byte {offset}, the server sent it from {data.offset}")
        if meter.total is None:
            meter.total = data.total
        try:
            handle = open(partial, "ab" if offset else "wb")  # noqa: SIM115 (closed in the finally below)
        except OSError as exc:
            raise local_error(exc, partial, "write") from None
        try:
            await _copy(data, handle, hashes, meter, on_progress, clock, chunk_size, partial)
            await asyncio.to_thread(_flush, handle)
        except ApiError as exc:
            if isinstance(exc, LocalFileError):
                raise
            done = meter.done
            total = f" of {meter.total}" if meter.total is not None else ""
            raise TransferInterrupted(
                f"the download stopped after {done}{total} bytes ({exc.one_line()}); the file is not saved "
                "yet: download again to resume",
                partial=partial,
                done=done,
                cause=exc,
            ) from None
        finally:
            handle.close()
    return hashes, refused


async def _copy(
    data: ImageData,
    handle: BinaryIO,
    hashes: Hashes,
    meter: ProgressMeter,
    on_progress: ProgressCallback | None,
    clock: Callable[[], float],
    chunk_size: int,
    partial: Path,
) -> None:
    def write(chunk: bytes) -> None:
        handle.write(chunk)
        hashes.update(chunk)

    async for chunk in data.chunks(chunk_size):
        try:
            await asyncio.to_thread(write, chunk)
        except OSError as exc:
            raise local_error(exc, partial, "write") from None
        report = meter.advance(len(chunk), clock())
        if report is not None and on_progress is not None:
            on_progress(report)


def _flush(handle: BinaryIO) -> None:
    handle.flush()
    os.fsync(handle.fileno())


def _place(partial: Path, target: Path, overwrite: bool) -> None:
    """Give the verified partial file the target's name; without ``overwrite`` never replace a file there."""
    try:
        if overwrite:
            os.replace(partial, target)
            return
        try:
            os.link(partial, target)  # atomic and fails if the target exists
        except FileExistsError:
            raise TargetExists(
                f"{target} appeared while downloading: the data is kept in {partial.name}; "
                "choose another name, or allow overwriting"
            ) from None
        except OSError:  # a file system without hard links
            if target.exists():
                raise TargetExists(f"{target} appeared while downloading; choose another name") from None
            os.replace(partial, target)
            return
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
    except OSError as exc:
        raise local_error(exc, target, "write") from None
