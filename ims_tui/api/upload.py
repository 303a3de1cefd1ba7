"""Upload a local file into a queued image, streamed, hashed on the way, and checked against what the server
recorded; or stage it for a glance-direct import.

    result = await upload_file(client, image_id, "/data/disk.qcow2", on_progress=post_progress)
    result.verified_words          # "verified with sha512"

``on_progress`` receives a ``Progress`` at most four times a second (and once at the start and the end), on the
caller's event loop. A mismatch between the image's ``size``/``os_hash_value``/``checksum`` and the file raises
``HashMismatch``; the image is then active with wrong data, and the UI should offer to delete it.

Cancelling (the UI cancels the worker running this) stops sending at once: httpx closes the connection before
``Content-Length`` bytes have gone. Glance's upload then fails reading the body, puts the image back to
``queued`` and discards the partial data (``ImageDataController._restore``): the image can be uploaded again or
deleted. It may show ``saving`` for a moment first, until the server notices the closed connection.

A lost answer (the connection dropped after the last byte, a gateway's 502/504) is settled by reading the
image, never by sending again (``settle_upload``): ``active`` with the file's hashes is success; ``queued`` means
nothing was stored (the error is raised with ``outcome_unknown`` cleared: safe to upload again); ``saving`` or
an unreadable image leaves ``outcome_unknown`` set (check later: the watch will see it settle).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .client import ImageClient
from .errors import ApiError
from .models import Image
from .progress import ProgressMeter
from .transfer import (
    CHUNK_SIZE,
    DEFAULT_HASH_ALGO,
    Hashes,
    ProgressCallback,
    TransferResult,
    Verified,
    check_image,
    hash_file,
    local_error,
    read_chunks,
)


@dataclass(frozen=True)
class UploadResult(TransferResult):
    """``staged``: the data went to the staging area (import it next); ``settled``: the answer was lost and the
    image was read to find out that the upload had worked."""

    staged: bool = False
    settled: bool = False


async def upload_file(
    client: ImageClient,
    image_id: str,
    path: str | os.PathLike[str],
    *,
    on_progress: ProgressCallback | None = None,
    hash_algo: str = DEFAULT_HASH_ALGO,
    stage: bool = False,
    store: str | None = None,
    clock: Callable[[], float] = time.monotonic,
    chunk_size: int = CHUNK_SIZE,
) -> UploadResult:
    """Send the file at ``path`` as the image's data (``stage``: to its staging area); see the module doc."""
    source = Path(path)
    try:
        handle = open(source, "rb")  # noqa: SIM115 (closed below, after the request is done)
    except OSError as exc:
        raise local_error(exc, source, "read") from None
    with handle:
        size = os.fstat(handle.fileno()).st_size
        hashes = Hashes(hash_algo)
        meter = ProgressMeter(size, clock(), phase="sending")
        if on_progress is not None:
            on_progress(meter.snapshot())
        body = read_chunks(handle, size, hashes, meter, on_progress, clock, chunk_size)
        try:
            await client.put_data(image_id, body, size=size, stage=stage, store=store)
        except ApiError as exc:
            if not exc.outcome_unknown:
                raise
            return await settle_upload(client, image_id, hashes, exc, stage=stage, sent_all=hashes.size == size)
    try:
        image = await client.get(image_id)
    except ApiError as exc:
        exc.outcome_unknown = True  # the data was taken (a 204): only the look to verify it could not be had
        raise
    verified = None if stage else await _verify(image, hashes, source, meter, on_progress, clock)
    if on_progress is not None:
        on_progress(meter.finish(clock()))
    return _result(image, hashes, verified, staged=stage)


async def _verify(
    image: Image,
    hashes: Hashes,
    source: Path,
    meter: ProgressMeter,
    on_progress: ProgressCallback | None,
    clock: Callable[[], float],
) -> Verified | None:
    """Compare with the image; when the server hashes with another algorithm than the one computed while
    sending, read the file once more with the server's (the only way to compare ``os_hash_value``)."""
    algo = image.os_hash_algo
    if image.os_hash_value and algo and algo != hashes.algo and Hashes.supports(algo):
        if on_progress is not None:
            on_progress(meter.set_phase("verifying", clock()))
        return check_image(image, await hash_file(source, algo, limit=hashes.size))
    return check_image(image, hashes)


def _result(image: Image, hashes: Hashes, verified: Verified | None, **flags: bool) -> UploadResult:
    return UploadResult(image, hashes.size, hashes.checksum, hashes.algo, hashes.hash_value, verified, **flags)


async def settle_upload(
    client: ImageClient, image_id: str, hashes: Hashes, error: ApiError, *, stage: bool = False, sent_all: bool = False
) -> UploadResult:
    """After an upload whose answer was lost (``error.outcome_unknown``): one GET decides, nothing is resent."""
    try:
        image = await client.find(image_id)
    except ApiError:
        error.outcome_unknown = True
        raise error from None
    if image is None:
        error.outcome_unknown = False  # the image is gone: nothing of this upload can be there
        raise error
    if stage:
        if image.status == "uploading":
            return _result(image, hashes, None, staged=True, settled=True)
    elif image.status in ("active", "deactivated"):
        return _result(image, hashes, check_image(image, hashes), settled=True)
    if image.status == "queued" and not sent_all:
        error.outcome_unknown = False  # cut while sending: Glance put it back, no data stored, safe to upload again
        raise error
    # Saving; or queued although every byte went out: through a proxy the request may still be on its way to
    # the service, which may yet store it. Nobody can say: the caller says so and watches the image.
    error.outcome_unknown = True
    raise error
