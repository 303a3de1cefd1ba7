"""An async client for the Glance v2 image API on one ``httpx.AsyncClient`` (one pool, keep-alive)."""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections.abc import AsyncIterable, Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import parse_qsl, quote, urlsplit

import httpx

from .cloudimages import CloudImageCalls
from .data_calls import DataCalls
from .errors import (
    SAFE_METHODS,
    SERVICE_EXTENSION,
    ApiError,
    Conflict,
    MalformedResponse,
    NetworkError,
    NotFound,
    ReadOnlyError,
    StaleMarker,
    error_from_response,
    network_error,
    request_id_of,
    timed_out,
)
from .ims_calls import ImsCopyCalls, ImsJobCalls, ImsObsCalls, ImsTagCalls
from .member_calls import MemberCalls
from .messages import describe_body
from .prefetch import PrefetchCalls, sent_tracer
from .query import ListQuery
from .request_log import RequestLog, logged_client, request_of

# imported when first used: the first page needs none of it (issue 14)
if TYPE_CHECKING:
    from .features import ServerFeatures
    from .image_rows import ImagePage
    from .models import ApiVersion, Image
    from .patch import PatchOp

log = logging.getLogger("ims_tui.api")
T = TypeVar("T")

PATCH_MEDIA_TYPE = "application/openstack-images-v2.1-json-patch"
RETRY_STATUSES = frozenset({502, 503, 504})
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=5.0)


def normalize_endpoint(endpoint: str) -> str:
    """The service root: no trailing slash and no version suffix (catalogs list both forms)."""
    root = endpoint.strip().rstrip("/")
    for suffix in ("/v2", "/v2.0", "/v1"):
        if root.endswith(suffix):
            root = root[: -len(suffix)]
    return root


class ImageClient(
    PrefetchCalls, CloudImageCalls, ImsJobCalls, ImsCopyCalls, ImsObsCalls, ImsTagCalls, DataCalls, MemberCalls
):
    """Every call of the image API the app makes; raises only ``ApiError`` subclasses."""

    def __init__(
        self,
        endpoint: str,
        *,
        auth: httpx.Auth | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        verify: bool | str = True,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        read_only: bool = False,
        retries: int = 3,
        backoff: float = 0.25,
        headers: dict[str, str] | None = None,
        auth_url: str | None = None,
        request_log: RequestLog | None = None,
    ) -> None:
        """``auth_url``: where ``auth`` sends requests of its own over this client (Keystone's token POST), so
        TLS to it is verified even when the endpoint itself is plain http. ``request_log``: where every request
        is recorded (the process's ``SESSION_LOG`` unless given)."""
        self.endpoint = normalize_endpoint(endpoint)
        self.read_only = read_only
        self.retries = retries
        self.backoff = backoff
        self.request_count = 0
        self._features: ServerFeatures | None = None
        base_headers = {"Accept": "application/json", "User-Agent": "ims-tui"}
        base_headers.update(headers or {})
        plain = self.endpoint.startswith("http://") and (auth_url is None or auth_url.startswith("http://"))
        if plain or transport is not None:
            # No TLS will be spoken, and httpx would still load the CA bundle into an SSL context: 50-100 ms of
            # start-up for nothing (bench/RESULTS.md, what-if "plain_http").
            verify = False
        self._http = logged_client(
            request_log,
            auth=auth,
            transport=transport,
            verify=verify,
            timeout=timeout,
            headers=base_headers,
            follow_redirects=False,
        )

    async def aclose(self) -> None:
        self._drop_prefetched()
        await self._http.aclose()

    async def __aenter__(self) -> ImageClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # -- plumbing ---------------------------------------------------------------------------------------

    def url(self, path: str) -> str:
        return self.endpoint + path

    def resolve_link(self, link: str) -> str:
        """Resolve a server link (Glance sends ``next`` relative to the host) against the endpoint.

        An absolute link keeps only its path and query: behind a proxy, servers often name an inner host.
        """
        parts = urlsplit(link)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        endpoint_path = urlsplit(self.endpoint).path
        if endpoint_path and path.startswith(endpoint_path + "/"):
            path = path[len(endpoint_path) :]
        return self.url(path)

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
        sent: asyncio.Event | None = None,
    ) -> httpx.Response:
        """``sent`` is set once the request is on the wire (the headers and body written)."""
        if self.read_only and method != "GET":
            raise ReadOnlyError(
                f"read-only mode: refusing to send {method} {urlsplit(path_or_url).path or path_or_url}",
                method=method,
                path=urlsplit(path_or_url).path,
            )
        url = path_or_url if path_or_url.startswith(("http://", "https://")) else self.url(path_or_url)
        attempts = 1 + (self.retries if method == "GET" else 0)
        display_path = urlsplit(url).path
        if self._http.is_closed:
            # httpx raises a bare RuntimeError for a closed client; a worker still running after its cloud was
            # switched away from must get an ApiError it knows how to report (nothing was sent).
            raise NetworkError("the connection was closed (another cloud was opened)", method=method, path=display_path)
        for attempt in range(attempts):
            last = attempt == attempts - 1
            started = time.monotonic()
            try:
                self.request_count += 1
                response = await self._http.request(
                    method,
                    url,
                    params=list(params) if params else None,
                    json=json_body,
                    content=content,
                    headers=headers,
                    extensions={"trace": sent_tracer(sent)} if sent is not None else None,
                )
            except httpx.HTTPError as exc:
                failed = request_of(exc)
                if failed is not None and SERVICE_EXTENSION in failed.extensions:
                    # the auth flow's own request (Keystone's token POST) failed: worded for it, never retried
                    service = failed.extensions[SERVICE_EXTENSION]
                    raise network_error(
                        exc, str(failed.url), service, method=failed.method, path=failed.url.path
                    ) from None
                if isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout)) and not last:
                    await asyncio.sleep(self._delay(attempt))
                    continue
                raise network_error(exc, url, method=method, path=display_path) from None
            log.debug(
                "%s %s -> %s in %.0f ms (request id %s)",
                method,
                display_path,
                response.status_code,
                (time.monotonic() - started) * 1000,
                request_id_of(response),
            )
            if response.status_code in RETRY_STATUSES and not last:
                await asyncio.sleep(self._delay(attempt))
                continue
            if response.status_code not in ok:
                raise error_from_response(response, path=display_path)
            return response
        raise AssertionError("unreachable: the loop returns or raises")

    def _delay(self, attempt: int) -> float:
        return float(min(self.backoff * (2**attempt), 4.0))

    @staticmethod
    def _json(response: httpx.Response) -> Any:
        try:
            return response.json()
        except (ValueError, UnicodeDecodeError):
            what = describe_body(response.content, response.headers.get("content-type", ""))
            raise MalformedResponse(
                f"the answer was not JSON: it was {what}",
                status=response.status_code,
                request_id=request_id_of(response),
                method=response.request.method,
                path=response.request.url.path,
                outcome_unknown=response.request.method not in SAFE_METHODS,
            ) from None

    # -- the calls --------------------------------------------------------------------------------------

    async def list_page(
        self, query: ListQuery | None = None, *, next_link: str | None = None, marker: str | None = None
    ) -> ImagePage:
        """One page: the first for ``query``, the one after image ``marker`` for the same query, or the one
        ``next_link`` (from the previous page) points at.

        Prefer ``query`` + ``marker`` to ``next_link``: Glance builds ``next`` from the request's parameters as a
        dict, so a repeated parameter (several ``tag``, several ``sort_key``) keeps only its last value there.
        """
        early = self._take_prefetched(query, exact=next_link is None and marker is None)
        if early is not None:
            return await early
        return await self._list_page(query, next_link=next_link, marker=marker)

    async def _list_page(
        self,
        query: ListQuery | None = None,
        *,
        next_link: str | None = None,
        marker: str | None = None,
        sent: asyncio.Event | None = None,
    ) -> ImagePage:
        if next_link is not None:
            url, params = self.resolve_link(next_link), None
            marker = marker_of(next_link)
        else:
            url, params = self.url("/v2/images"), (query or ListQuery()).to_params()
            if marker is not None:
                params.append(("marker", marker))
        try:
            response = await self._send("GET", url, params=params, sent=sent)
        except ApiError as exc:
            if marker is not None and _is_stale_marker(exc, marker):
                raise StaleMarker(
                    "the list changed while paging (the last image seen is gone); reload from the start. "
                    f"Server said: {exc.message}",
                    status=exc.status,
                    request_id=exc.request_id,
                    method=exc.method,
                    path=exc.path,
                ) from None
            raise
        return self._parsed(response, _page)

    async def get(self, image_id: str) -> Image:
        response = await self._send("GET", self._image_path(image_id))
        return self._parsed(response, _image)

    async def get_text(self, image_id: str) -> str:
        """The image's body exactly as the server sent it, unparsed: for the raw view of a row marked bad
        (``ImageRow.problem``), whose image ``get`` and ``get_raw`` would refuse as MalformedResponse."""
        return (await self._send("GET", self._image_path(image_id))).text

    async def get_raw(self, image_id: str) -> tuple[Image, str]:
        """The image and the body exactly as the server sent it, for the raw view."""
        response = await self._send("GET", self._image_path(image_id))
        return self._parsed(response, _image), response.text

    async def find(self, image_id: str) -> Image | None:
        """The image, or None when the server says there is none (404); any other failure raises."""
        try:
            return await self.get(image_id)
        except NotFound:
            return None

    async def create(self, attributes: dict[str, Any], *, image_id: str | None = None, choose_id: bool = True) -> Image:
        """Create an image, safe to repeat: the request names the image's id, the same on every attempt.

        ``choose_id=False`` sends no id (Huawei IMS lists none among the attributes of a create): such a create
        cannot be settled, so an unknown outcome stays unknown (``outcome_unknown`` set) for the caller to say so.

        The id is ``attributes["id"]``, else ``image_id``, else a new one; a form that lets the user try again
        calls ``new_image_id()`` once when it opens and passes it every time. A 409 for that id, or a failure
        whose outcome is unknown (``outcome_unknown``: the answer was lost), is settled with a GET of the id:
        an image there with the name sent is the one created and is returned. A GET that finds nothing means it
        was not created: the original error is raised with ``outcome_unknown`` cleared. A GET that fails too
        leaves ``outcome_unknown`` set (``outcome.settle_create`` can check again later).
        """
        body = dict(attributes)
        if not choose_id and image_id is None and "id" not in body:
            response = await self._send("POST", "/v2/images", json_body=body, ok=(201, 200))
            return self._parsed(response, _image)
        if image_id is not None and body.get("id") not in (None, image_id):
            raise ValueError(f"two ids for one image: attributes say {body['id']!r}, image_id {image_id!r}")
        chosen = body["id"] = body.get("id") or image_id or new_image_id()
        try:
            response = await self._send("POST", "/v2/images", json_body=body, ok=(201, 200))
            return self._parsed(response, _image)
        except ApiError as exc:
            if not (exc.outcome_unknown or isinstance(exc, Conflict)):
                raise
            try:
                found = await self.find(str(chosen))
            except ApiError:
                exc.outcome_unknown = True  # a 409 for our id we could not check: it may well be ours
                raise exc from None
            if found is not None and found.name == body.get("name"):
                log.info("create %s: the answer was lost (%s), but the image is there", chosen, exc.one_line())
                return found
            # Nothing with our id: not created, unless the request timed out, when the service may still be
            # making it (a retry is safe all the same: it names the same id). A 409 for another image's id: no.
            exc.outcome_unknown = found is None and timed_out(exc)
            raise

    async def update(self, image_id: str, ops: list[PatchOp]) -> Image:
        response = await self._send(
            "PATCH",
            self._image_path(image_id),
            content=json.dumps(ops).encode(),
            headers={"Content-Type": PATCH_MEDIA_TYPE},
        )
        return self._parsed(response, _image)

    async def delete(self, image_id: str) -> None:
        """An answer that is not Glance's empty 204 is settled by the caller (``outcome.settle_delete``)."""
        response = await self._send("DELETE", self._image_path(image_id), ok=(204, 200))
        self._check_empty(response, "the delete")

    async def add_tag(self, image_id: str, tag: str) -> None:
        """Add one tag. Glance 33 reads the tag from the URL path as Latin-1, so a non-ASCII tag is stored
        garbled ("café" becomes "cafÃ©"): change such tags with ``update`` and ``replace /tags`` instead."""
        await self._send("PUT", f"{self._image_path(image_id)}/tags/{quote(tag, safe='')}", ok=(204, 200))

    async def remove_tag(self, image_id: str, tag: str) -> None:
        await self._send("DELETE", f"{self._image_path(image_id)}/tags/{quote(tag, safe='')}", ok=(204, 200))

    async def schema(self) -> dict[str, Any]:
        response = await self._send("GET", "/v2/schemas/image")
        data = self._json(response)
        if not isinstance(data, dict):
            raise MalformedResponse("the image schema is not a JSON object", status=response.status_code)
        return data

    async def versions(self) -> list[ApiVersion]:
        """The API versions the server offers (``GET /`` answers 300 Multiple Choices on Glance)."""
        response = await self._send("GET", "/", ok=(200, 300))
        data = self._json(response)
        items = data.get("versions") if isinstance(data, dict) else None
        if isinstance(items, dict):  # some deployments wrap it: {"versions": {"values": [...]}}
            items = items.get("values")
        if not isinstance(items, list):
            raise MalformedResponse("the version list has no 'versions'", status=response.status_code)
        from .models import ApiVersion

        out = []
        for item in items:
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                out.append(ApiVersion.model_validate(item))
        return out

    async def features(self, *, ims: bool | None = False) -> ServerFeatures:
        """What this server can do (``features.ServerFeatures``), asked once and kept for the session."""
        if self._features is None:
            from .features import discover

            self._features = await discover(self, ims=ims)
        return self._features

    def _image_path(self, image_id: str) -> str:
        return "/v2/images/" + quote(image_id, safe="")

    def _parsed(self, response: httpx.Response, parse: Callable[[Any], T]) -> T:
        try:
            return parse(self._json(response))
        except MalformedResponse as exc:
            exc.status = exc.status or response.status_code
            exc.request_id = exc.request_id or request_id_of(response)
            exc.method = exc.method or response.request.method
            exc.path = exc.path or response.request.url.path
            # a write's success answer we cannot read: it was most likely applied, but nobody can say
            exc.outcome_unknown = response.request.method not in SAFE_METHODS
            raise


def new_image_id() -> str:
    """A fresh image id (a random UUID, as Glance makes them) for ``ImageClient.create(image_id=...)``."""
    return str(uuid.uuid4())


def marker_of(link: str) -> str | None:
    """The ``marker`` parameter of a paging link (the last one, as the server reads it), if any."""
    found = [value for key, value in parse_qsl(urlsplit(link).query, keep_blank_values=True) if key == "marker"]
    return found[-1] if found and found[-1] else None


def _is_stale_marker(exc: ApiError, marker: str) -> bool:
    """Whether a list error means the marker image is gone or no longer visible to the caller.

    Glance answers 400 "No image found with ID <marker>" for a deleted or unknown marker (the word "marker" does
    not appear) and 403 "Forbidding request, image <marker> not visible" for one the caller may no longer see;
    a server that answers 404 naming the marker means the same.
    """
    if exc.status not in (400, 403, 404):
        return False
    message = exc.message.lower()
    return marker.lower() in message or (exc.status == 400 and "marker" in message)


# The models are pydantic's (~50 ms to import): the first request is sent before they are needed, and they load
# while it is answered (CloudSession.early_request_sent), issue 14.
def _page(data: Any) -> ImagePage:
    from .image_rows import ImagePage

    return ImagePage.parse(data)


def _image(data: Any) -> Image:
    from .models import Image

    return Image.parse(data)
