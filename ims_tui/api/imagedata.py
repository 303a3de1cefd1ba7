"""An image's data as it streams in (``GET /v2/images/{id}/file``): where it starts, how long it is, its chunks.

``ImageClient.open_data`` yields an ``ImageData``; its ``chunks()`` raises only ``NetworkError`` (a connection
that drops mid-way, a body shorter than announced), never an httpx exception.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx

from .errors import MalformedResponse, network_error, request_id_of

_CONTENT_RANGE = re.compile(r"^\s*bytes\s+(\d+)-(\d+)/(\d+|\*)\s*$", re.I)


def parse_content_range(value: str | None) -> tuple[int, int, int | None] | None:
    """``bytes 100-199/1000`` -> (100, 199, 1000); ``/*`` gives None for the total; anything else None."""
    found = _CONTENT_RANGE.match(value or "")
    if not found:
        return None
    first, last, total = found.groups()
    return int(first), int(last), None if total == "*" else int(total)


def _int_header(response: httpx.Response, name: str) -> int | None:
    value = response.headers.get(name, "")
    return int(value) if value.strip().isdigit() else None


@dataclass
class ImageData:
    """One answer to a data GET. ``offset``: the image byte the body starts at (0 when the server sent it all,
    even if a range was asked for: check ``ranged``); ``length``: bytes in this body; ``total``: the image's
    full size when the server said it; ``content_md5``: Glance's ``Content-MD5`` (the image's md5 checksum)."""

    response: httpx.Response
    offset: int
    length: int | None
    total: int | None
    ranged: bool
    content_md5: str | None

    @classmethod
    def of(cls, response: httpx.Response) -> ImageData:
        length = _int_header(response, "content-length")
        md5 = response.headers.get("content-md5") or None
        if response.status_code == 206:
            parsed = parse_content_range(response.headers.get("content-range"))
            if parsed is None:
                raise MalformedResponse(
                    "the server answered a range request (206) without a usable Content-Range",
                    status=206,
                    request_id=request_id_of(response),
                    method="GET",
                    path=response.request.url.path,
                )
            first, last, total = parsed
            return cls(response, first, last - first + 1, total, True, md5)
        return cls(response, 0, length, length, False, md5)

    @property
    def empty(self) -> bool:
        """A 204: the image has no data (Glance answers so for a queued image, or one whose data is gone)."""
        return self.response.status_code == 204

    async def chunks(self, size: int = 1024 * 1024) -> AsyncIterator[bytes]:
        """The body in pieces of up to ``size`` bytes; a dropped connection is a ``NetworkError``."""
        request = self.response.request
        try:
            async for chunk in self.response.aiter_bytes(size):
                yield chunk
        except httpx.HTTPError as exc:
            raise network_error(exc, str(request.url), method="GET", path=request.url.path) from None
