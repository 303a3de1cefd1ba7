"""What uploads and downloads share: the hashes Glance records, the errors of a transfer, and reading a local
file in chunks off the event loop.

    ApiError
    ├── HashMismatch: the data the server holds is not the data sent (or received): size, hash or md5 differ
    ├── LocalFileError: the local file cannot be read or written (the OS's reason, the path)
    ├── TargetExists: a download would overwrite a file and was not told it may
    ├── NoImageData: the image has no data to download (queued, or its data is gone: Glance's 204)
    └── TransferInterrupted: a download stopped mid-way; ``partial`` keeps what arrived, to resume from

Memory stays constant: a file is read ``CHUNK_SIZE`` bytes at a time in a worker thread (a slow disk must not
freeze the screen), hashed in the same thread, and handed to httpx, which sends it before the next is read.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Literal

from .errors import ApiError
from .models import Image
from .progress import Progress, ProgressMeter

CHUNK_SIZE = 1024 * 1024  # 1 MiB: ~1,000 thread hops per GiB, and memory stays a few MiB
DEFAULT_HASH_ALGO = "sha512"  # Glance's default [DEFAULT] hashing_algorithm
ProgressCallback = Callable[[Progress], None]
Verified = Literal["os_hash_value", "checksum"]


class HashMismatch(ApiError):
    """The server's record of the data disagrees with what this client sent or received. ``field`` says which
    (size, os_hash_value, checksum); ``expected`` is the image's value, ``actual`` the client's."""

    default_message = "the image's data does not match the file"

    def __init__(self, message: str, *, field: str, expected: object, actual: object) -> None:
        super().__init__(message)
        self.field = field
        self.expected = expected
        self.actual = actual


class LocalFileError(ApiError):
    default_message = "the local file cannot be used"


class TargetExists(LocalFileError):
    default_message = "the file is there already; choose another name, or allow overwriting it"


class NoImageData(ApiError):
    default_message = "the image has no data to download"


class TransferInterrupted(ApiError):
    """A download that stopped before its end; ``partial`` is the file holding ``done`` bytes (resumable), and
    ``cause`` the failure (a ``NetworkError`` usually)."""

    default_message = "the download was interrupted"

    def __init__(self, message: str, *, partial: Path, done: int, cause: ApiError) -> None:
        super().__init__(
            message, status=cause.status, request_id=cause.request_id, method=cause.method, path=cause.path
        )
        self.partial = partial
        self.done = done
        self.cause = cause


def local_error(exc: OSError, path: Path, doing: str) -> LocalFileError:
    """``cannot read /tmp/x.qcow2: Permission denied``: the OS's reason without errno noise."""
    reason = exc.strerror or str(exc) or type(exc).__name__
    return LocalFileError(f"cannot {doing} {path}: {reason}")


class Hashes:
    """The md5 ``checksum`` and the ``os_hash_algo`` hash of a stream, as Glance computes them while it stores."""

    def __init__(self, algo: str = DEFAULT_HASH_ALGO) -> None:
        self.algo = algo
        self.size = 0
        self._md5 = hashlib.md5(usedforsecurity=False)
        self._main = hashlib.new(algo)

    @classmethod
    def supports(cls, algo: str | None) -> bool:
        return bool(algo) and algo in hashlib.algorithms_available

    def update(self, chunk: bytes) -> None:
        self._md5.update(chunk)
        self._main.update(chunk)
        self.size += len(chunk)

    @property
    def checksum(self) -> str:
        return self._md5.hexdigest()

    @property
    def hash_value(self) -> str:
        return self._main.hexdigest()


def check_image(image: Image, hashes: Hashes, *, what: str = "the file sent") -> Verified | None:
    """Compare the image's record with ``hashes``: size, ``os_hash_value`` (when the algorithms match) and the
    md5 ``checksum``, each that the image has. Raise ``HashMismatch`` on a difference; return the strongest
    field that matched, None when the image records no hash at all (Huawei IMS keeps none)."""
    if image.size is not None and image.size > 0 and image.size != hashes.size:
        raise HashMismatch(
            f"the image holds {image.size} bytes but {what} had {hashes.size}: delete the image and try again",
            field="size",
            expected=image.size,
            actual=hashes.size,
        )
    verified: Verified | None = None
    if image.checksum:
        _compare(image.checksum, hashes.checksum, "checksum", "md5 checksum", what)
        verified = "checksum"
    if image.os_hash_value and image.os_hash_algo == hashes.algo:
        _compare(image.os_hash_value, hashes.hash_value, "os_hash_value", hashes.algo, what)
        verified = "os_hash_value"
    return verified


def _compare(recorded: str, computed: str, field: str, name: str, what: str) -> None:
    if recorded.lower() != computed:
        raise HashMismatch(
            f"the image's {name} is not that of {what}: the data changed on the way; delete the image and try again",
            field=field,
            expected=recorded,
            actual=computed,
        )


async def read_chunks(
    handle: BinaryIO,
    size: int,
    hashes: Hashes,
    meter: ProgressMeter,
    on_progress: ProgressCallback | None,
    clock: Callable[[], float],
    chunk_size: int = CHUNK_SIZE,
) -> AsyncIterator[bytes]:
    """``size`` bytes of ``handle`` in chunks, each read and hashed in a worker thread, progress reported once
    the chunk is taken (sent). Exactly ``size``: a file that grows while it is sent is cut there, and one that
    shrinks raises ``LocalFileError``, so a body never disagrees with its Content-Length.

    The next chunk is read and hashed while the one before is being sent (one read ahead, so memory stays two
    chunks): hashing md5 and sha512 costs ~3 CPU-seconds a GiB, which one after the other made uploads slower
    than the CLI's, which hashes nothing."""
    left = size
    name = Path(getattr(handle, "name", "?"))

    def read(count: int) -> bytes:
        chunk = handle.read(count)
        hashes.update(chunk)  # in file order: only one read is ever outstanding
        return chunk

    def start(count: int) -> asyncio.Future[bytes] | None:
        return asyncio.ensure_future(asyncio.to_thread(read, count)) if count > 0 else None

    pending = start(min(chunk_size, left))
    try:
        while pending is not None:
            try:
                chunk = await pending
            except OSError as exc:
                raise local_error(exc, name, "read") from None
            if not chunk:
                raise LocalFileError(f"{name} shrank while it was being sent ({size - left} of {size} bytes)")
            left -= len(chunk)
            pending = start(min(chunk_size, left))
            yield chunk
            report = meter.advance(len(chunk), clock())
            if report is not None and on_progress is not None:
                on_progress(report)
    finally:
        if pending is not None:  # the upload stopped (cancelled, failed): the read ahead is not wanted
            pending.cancel()


async def hash_file(
    path: Path,
    algo: str,
    *,
    limit: int | None = None,
    meter: ProgressMeter | None = None,
    on_progress: ProgressCallback | None = None,
    clock: Callable[[], float] | None = None,
) -> Hashes:
    """The hashes of the first ``limit`` bytes of ``path`` (all of it by default), read in chunks."""
    hashes = Hashes(algo)
    try:
        with open(path, "rb") as handle:
            left = os.fstat(handle.fileno()).st_size if limit is None else limit

            def read() -> bytes:
                chunk = handle.read(min(CHUNK_SIZE, left))
                hashes.update(chunk)
                return chunk

            while left > 0:
                chunk = await asyncio.to_thread(read)
                if not chunk:
                    break
                left -= len(chunk)
                if meter is not None and clock is not None:
                    report = meter.advance(len(chunk), clock())
                    if report is not None and on_progress is not None:
                        on_progress(report)
    except OSError as exc:
        raise local_error(exc, path, "read") from None
    return hashes


@dataclass(frozen=True)
class TransferResult:
    """A finished transfer: the image as the server shows it after, the bytes moved, the client's hashes, and
    which of the image's fields confirmed the data (None: the image records no hash to compare with)."""

    image: Image
    size: int
    checksum: str
    hash_algo: str
    hash_value: str
    verified: Verified | None

    @property
    def verified_words(self) -> str:
        """ "verified with sha512", "verified with md5 (the server recorded no sha512)", "not verified: ..."."""
        if self.verified == "os_hash_value":
            return f"verified with {self.hash_algo}"
        if self.verified == "checksum":
            return "verified with md5 checksum"
        return "not verified: the image records no checksum"
