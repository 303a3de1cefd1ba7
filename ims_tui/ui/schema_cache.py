"""The server's image schema, asked for once per connection and only as long as a hint is worth waiting for.

The create and edit forms check values against it before sending (formats, lengths, ranges), but a form never
waits for it: it opens at once and applies the schema when (if) it comes. A server that hangs on
``GET /v2/schemas/image`` costs a few seconds once, not the form; one that refuses it is remembered as "no schema".
"""

from __future__ import annotations

import asyncio
from typing import Any

from ims_tui.api.client import ImageClient
from ims_tui.api.errors import ApiError

SCHEMA_WAIT = 5.0  # seconds: a hint, not worth the 30 s a data request may take


class SchemaCache:
    """One connection's image schema: unknown until asked, then the schema or None (the server would not say)."""

    def __init__(self, client: ImageClient, wait: float = SCHEMA_WAIT) -> None:
        self.client = client
        self.wait = wait
        self.known = False
        self.schema: dict[str, Any] | None = None
        self._lock = asyncio.Lock()

    async def get(self) -> dict[str, Any] | None:
        """The schema, asking the server the first time only (concurrent callers share that one request)."""
        async with self._lock:
            if not self.known:
                try:
                    self.schema = await asyncio.wait_for(self.client.schema(), self.wait)
                except (ApiError, asyncio.TimeoutError):
                    self.schema = None
                self.known = True
        return self.schema
