"""The calls on an image's data and life: upload and download streams, deactivate/reactivate, interoperable
import, stores and tasks. A mixin of ``ImageClient`` (client.py keeps the connection, the retry rules and the
metadata calls); each method is one request through ``ImageClient._send`` or, for the download stream, its pool.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterable, AsyncIterator, Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote

import httpx

from .errors import MalformedResponse, error_from_response, network_error, request_id_of
from .messages import describe_body

# imported when first used: the first page needs none of it (issue 14)
if TYPE_CHECKING:
    from .imagedata import ImageData
    from .imports import ImportRequest, StoreInfo, Task

T = TypeVar("T")
OCTET_STREAM = "application/octet-stream"


class ClientParts:
    """The parts of ``ImageClient`` its mixins of calls (``DataCalls``, ``member_calls.MemberCalls``) use."""

    _http: httpx.AsyncClient
    request_count: int

    if TYPE_CHECKING:

        async def _send(
            self,
            method: str,
            path_or_url: str,
            *,
            params: Sequence[tuple[str, str]] | None = None,
            json_body: Any = None,
            content: bytes | AsyncIterable[bytes] | None = None,
            headers: dict[str, str] | None = None,
            ok: Sequence[int] = (200,),
        ) -> httpx.Response: ...
        def _image_path(self, image_id: str) -> str: ...
        def _parsed(self, response: httpx.Response, parse: Callable[[Any], T]) -> T: ...
        def url(self, path: str) -> str: ...


class DataCalls(ClientParts):
    """Mixed into ``ImageClient``: the calls on an image's data and life."""

    async def put_data(
        self,
        image_id: str,
        body: AsyncIterable[bytes],
        *,
        size: int | None,
        stage: bool = False,
        store: str | None = None,
    ) -> None:
        """Stream ``body`` into the image (``PUT .../file``), or into its staging area for a later glance-direct
        import (``PUT .../stage``). Never repeated: a lost answer leaves ``outcome_unknown`` set for the caller
        to settle (``upload.settle_upload``). ``store``: the store to write to on a multi-store server."""
        headers = {"Content-Type": OCTET_STREAM}
        if size is not None:
            headers["Content-Length"] = str(size)  # httpx then sends no chunked encoding: Glance learns the size
        if store is not None:
            headers["X-Image-Meta-Store"] = store
        path = f"{self._image_path(image_id)}/{'stage' if stage else 'file'}"
        response = await self._send("PUT", path, content=body, headers=headers, ok=(204, 201, 200))
        self._check_empty(response, "the upload")

    def _check_empty(self, response: httpx.Response, what: str) -> None:
        """Glance answers a delete or an upload with an empty 204. A 200 with a body is someone else's answer (a
        captive portal's page, a proxy's): whether the write reached the service is unknown, so it is an unknown
        outcome for the caller to settle with a GET, never a success taken at its word."""
        if response.status_code == 200 and response.content.strip():
            body = describe_body(response.content, response.headers.get("content-type", ""))
            raise MalformedResponse(
                f"{body} answered {what}, not the image service's empty 204",
                status=200,
                request_id=request_id_of(response),
                method=response.request.method,
                path=response.request.url.path,
                outcome_unknown=True,
            )

    @contextlib.asynccontextmanager
    async def open_data(self, image_id: str, *, offset: int = 0) -> AsyncIterator[ImageData]:
        """The image's data as a stream (``GET .../file``); from byte ``offset`` with a ``Range`` request when
        ``offset`` > 0 (the server may ignore it and send everything: see ``ImageData.ranged``). A 204 (no
        data) comes back as an ``ImageData`` with ``empty`` set; any other failure raises."""
        from .imagedata import ImageData

        headers = {"Accept": OCTET_STREAM + ", application/json;q=0.9"}  # errors still in JSON
        if offset > 0:
            headers["Range"] = f"bytes={offset}-"
        path = f"{self._image_path(image_id)}/file"
        url = self.url(path)
        request = self._http.build_request("GET", url, headers=headers)
        self.request_count += 1
        try:
            response = await self._http.send(request, stream=True)
        except httpx.HTTPError as exc:
            raise network_error(exc, url, method="GET", path=path) from None
        try:
            kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
            if response.status_code in (200, 206) and kind in ("text/html", "application/json", "text/plain"):
                # Glance sends data as application/octet-stream: a page here is a portal's or a proxy's answer,
                # and must never be written to disk as the image
                await response.aread()
                body = describe_body(response.content, kind)
                raise MalformedResponse(
                    f"{body} instead of the image's data",
                    status=response.status_code,
                    request_id=request_id_of(response),
                    method="GET",
                    path=path,
                )
            if response.status_code not in (200, 204, 206):
                try:
                    await response.aread()
                except httpx.HTTPError as exc:
                    raise network_error(exc, url, method="GET", path=path) from None
                raise error_from_response(response, path=path)
            yield ImageData.of(response)
        finally:
            await response.aclose()

    # -- lifecycle, import and stores -------------------------------------------------------------------

    async def deactivate(self, image_id: str) -> None:
        """``POST .../actions/deactivate`` (API v2.3+): no more downloads or boots; repeating it is harmless."""
        await self._send("POST", f"{self._image_path(image_id)}/actions/deactivate", ok=(204, 200))

    async def reactivate(self, image_id: str) -> None:
        await self._send("POST", f"{self._image_path(image_id)}/actions/reactivate", ok=(204, 200))

    async def import_methods(self) -> tuple[str, ...]:
        """The import methods the server enables (``GET /v2/info/import``)."""
        from .imports import parse_import_methods

        return self._parsed(await self._send("GET", "/v2/info/import"), parse_import_methods)

    async def stores(self) -> tuple[StoreInfo, ...]:
        """The stores of a multi-store server (``GET /v2/info/stores``); 404 (NotFound) on a single-store one."""
        from .imports import StoreInfo

        return self._parsed(await self._send("GET", "/v2/info/stores"), StoreInfo.parse_all)

    async def import_image(self, image_id: str, request: ImportRequest) -> None:
        """Start an import (``POST .../import``, 202): the server works on in the background."""
        await self._send("POST", f"{self._image_path(image_id)}/import", json_body=request.to_body(), ok=(202, 200))

    async def delete_from_store(self, store: str, image_id: str) -> None:
        """Delete the image's data from one store only (``DELETE /v2/stores/{store}/{id}``, API v2.10+)."""
        path = f"/v2/stores/{quote(store, safe='')}/{quote(image_id, safe='')}"
        await self._send("DELETE", path, ok=(204, 200))

    async def image_tasks(self, image_id: str) -> tuple[Task, ...]:
        """The image's import tasks, newest first as Glance lists them (``GET .../tasks``, API v2.12+)."""
        from .imports import Task

        return self._parsed(await self._send("GET", f"{self._image_path(image_id)}/tasks"), Task.parse_all)
