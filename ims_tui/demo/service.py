"""An in-process Glance v2 image service behind an httpx transport: the demo cloud and the fast test backend.

It follows Glance 33.0.0 (glance/api/v2/images.py, glance/db/sqlalchemy/api.py, webob error bodies) closely,
including its quirks, because the same contract tests run against it and against a real Glance. This module holds
the service, its route table and the request handlers; the rules they apply live in the modules next to it.
"""

from __future__ import annotations

import urllib.parse
import uuid
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any, NamedTuple

import httpx

from . import members
from . import seed as seed_data
from .data import BlobStore
from .errors import (
    HTTPError,
    Reply,
    bad,
    error_reply,
    forbidden,
    json_body,
    json_reply,
    limit_message,
    no_content,
    not_allowed,
)
from .imports import delete_from_store, image_tasks, info_import, info_stores, run_due, start_import
from .other_schemas import member_schema, members_schema, task_schema, tasks_schema
from .query import Orders, parse_list, predicate
from .schema import (
    MEMBER_QUOTA,
    TAG_QUOTA,
    URL_VERSIONS,
    VERSIONS,
    Image,
    image_schema,
    image_view,
    images_schema,
    validate_partial,
)
from .store import Caller, ImageStore
from .transfer import DataSink, begin_stage, begin_upload, download
from .transport import DemoStream, DemoTransport
from .writes import check_stored, check_stored_tags, new_image, parse_changes, patch_draft, patched

DEMO_ENDPOINT = "http://demo.ims-tui.invalid"
STORES = {"fs": "the default store", "fast": "a second file store"}  # as the lab's Glance has them
IMPORT_METHODS = ("glance-direct", "web-download", "copy-image")


class DemoCloud:
    """A Glance 33 (API v2.17) image service in memory; ``transport`` plugs it into an httpx client."""

    def __init__(
        self,
        image_count: int = 2000,
        latency: float = 0.0,
        seed: int = 42,
        empty: bool = False,
        clock: Callable[[], datetime] | None = None,
        data_limit: int | None = None,
        data_folder: str | None = None,
        data_rate: float | None = None,
        import_delay: float = 0.0,
    ) -> None:
        """``data_limit``: bytes of image data kept in memory before the rest goes to ``data_folder`` (a private
        temporary folder by default); ``data_rate``: bytes per second an upload is taken at (None: at once),
        so a transfer's progress can be watched in the demo; ``import_delay``: seconds an import task takes (0:
        done by the time the import POST is answered)."""
        self.latency = latency
        self.data_rate = data_rate
        self.blobs = BlobStore(**({} if data_limit is None else {"limit": data_limit}), folder=data_folder)
        self.store_ids: tuple[str, ...] = tuple(STORES)
        self.default_store = self.store_ids[0]
        self.import_methods: tuple[str, ...] = IMPORT_METHODS
        self.store_descriptions = dict(STORES)
        self.tasks: dict[str, dict[str, Any]] = {}
        self.import_delay = import_delay
        # what web-download can fetch (no network: URL -> data), and the hosts import filtering lets through
        # besides (the lab's [import_filtering_opts] allowed_hosts)
        self.web_files: dict[str, bytes] = {f"{DEMO_ENDPOINT}/downloads/tiny.raw": seed_data.tiny_disk()}
        self.web_allowed_hosts: tuple[str, ...] = ("127.0.0.1",)
        # image id -> the stores holding its data (seed images are absent: see image_view)
        self.stores_of: dict[str, list[str]] = {}
        self.seed = seed
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        self.request_log: list[tuple[str, str]] = []
        # image id -> {project: "pending"|"accepted"|"rejected"}; seed memberships arrive with their image
        self.members: dict[str, dict[str, str]] = {}
        # (image id, project) -> (created, updated) of the memberships made here; seeded ones date from their image
        self.member_times: dict[tuple[str, str], tuple[datetime, datetime]] = {}
        self.member_quota = MEMBER_QUOTA
        self.images = ImageStore([] if empty else seed_data.skeleton(image_count, seed), seed, self.members)
        self._orders = Orders(self.images)
        self.transport = DemoTransport(self)

    def _now(self) -> datetime:
        moment = self.clock()
        return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)

    def _touch(self, image: Image) -> None:
        """After a write: stamp the image and forget the sort orders, which may no longer hold."""
        image["updated_at"] = self._now()
        self._orders.changed()

    touch = _touch
    now = _now

    def _view(self, image: Image) -> Image:
        return image_view(image, self.stores_of.get(image["id"]))

    def close(self) -> None:
        """Free the image data (and its temporary folder, if one was made)."""
        self.blobs.close()

    # -- dispatch ------------------------------------------------------------------------------------------

    @staticmethod
    def takes_data(request: httpx.Request) -> bool:
        """A request whose body is image data, to be fed in chunks (``handle`` then answers a ``DataSink``)."""
        return request.method.upper() == "PUT" and request.url.path.rstrip("/").endswith(("/file", "/stage"))

    def handle(self, request: httpx.Request) -> httpx.Response | DataSink:
        raw_path = request.url.raw_path.decode("ascii", "replace")
        self.request_log.append((request.method, raw_path))
        method = request.method.upper()
        if method == "OPTIONS":
            # oslo.middleware's CORS filter, first in Glance's pipeline, answers every OPTIONS itself: with no
            # allowed origin configured, a bare 200 whatever the path
            return httpx.Response(200, headers={"content-length": "0"}, request=request)
        # WSGI hands Glance the path as Latin-1 (PEP 3333) and nothing decodes it again as UTF-8: a tag or an id
        # with non-ASCII characters in the URL reaches Glance garbled ("café" is "cafÃ©"), and so it does here.
        path = urllib.parse.unquote(raw_path.split("?", 1)[0], encoding="latin-1")
        headers: dict[str, str] = {}
        reply = _negotiate_version(request, path)
        run_due(self)
        if reply is None:
            # past the version filter: Glance's context middleware stamps a request id on everything
            headers["x-openstack-request-id"] = f"req-{uuid.uuid4()}"
            try:
                routed = self._route(request, method, path)
                if isinstance(routed, DataSink):
                    routed.headers = headers
                    routed.request = request
                    return routed
                reply = routed
            except HTTPError as error:
                reply = error_reply(error, request)
                if method == "HEAD":
                    reply.headers["content-type"] = "text/html; charset=UTF-8"
        return self._response(request, headers, reply)

    def finish_data(self, sink: DataSink) -> httpx.Response:
        """The answer to an upload or stage once its whole body has been fed to ``sink``."""
        try:
            reply = sink.finish()
        except HTTPError as error:
            reply = error_reply(error, sink.request)
        return self._response(sink.request, sink.headers, reply)

    @staticmethod
    def _response(request: httpx.Request, headers: dict[str, str], reply: Reply) -> httpx.Response:
        headers.update(reply.headers)
        if request.method.upper() == "HEAD":
            return httpx.Response(reply.status, headers=headers, content=b"", request=request)
        if reply.stream is not None:
            return httpx.Response(reply.status, headers=headers, stream=DemoStream(reply.stream), request=request)
        return httpx.Response(reply.status, headers=headers, content=reply.body, request=request)

    def _route(self, request: httpx.Request, method: str, path: str) -> Reply | DataSink:
        _, below_version, rest = path.lstrip("/").partition("/")
        caller = Caller.from_request(request)
        if not below_version:
            # "/v2" alone: the v2 router's mapper.redirect("", "/"), for any method; the query string is dropped
            location = f"{request.url.scheme}://{request.url.netloc.decode('ascii')}/v2/"
            return Reply(302, {"content-type": "text/plain; charset=utf8", "location": location}, b"")
        if not rest or rest.endswith("/"):
            raise HTTPError(404)  # routes matches no trailing slash ("/v2/" included)
        parts = [p for p in rest.split("/") if p]
        allowed: list[str] = []  # the path's other methods, in ROUTES order (Glance's order in Allow)
        for route in ROUTES:
            params = route.match(parts)
            if params is None:
                continue
            if route.method == method:
                return route.handler(self, request, caller, **params)
            allowed.append(route.method)
        if allowed:
            raise not_allowed(method, ", ".join(allowed))
        raise HTTPError(404)

    # -- images --------------------------------------------------------------------------------------------

    def _list(self, request: httpx.Request, caller: Caller) -> Reply:
        query = parse_list(request.url.query.decode("ascii", "replace"))
        caller.check_list()
        matches = predicate(query, caller, self.members)
        order = self._orders.get(query.spec)
        params, limit = query.params, query.limit
        start = 0
        if "marker" in params:
            start = self._orders.after_marker(order, query.spec, params["marker"], caller)
        page: list[Image] = []
        images = self.images
        if limit:
            for index in range(start, len(order)):
                image = images[order[index]]
                if matches(image):
                    page.append(image)
                    if len(page) == limit:
                        break
        body: dict[str, Any] = {"images": [self._view(image) for image in page], "first": "/v2/images"}
        link_params = {k: v for k, v in params.items() if k != "marker"}
        if link_params:
            body["first"] = f"/v2/images?{urllib.parse.urlencode(link_params)}"
        body["schema"] = "/v2/schemas/images"
        if page and len(page) == limit:
            link_params["marker"] = page[-1]["id"]
            body["next"] = f"/v2/images?{urllib.parse.urlencode(link_params)}"
        return json_reply(200, body)

    def _create(self, request: httpx.Request, caller: Caller) -> Reply:
        # Glance's JSON deserializer ignores Content-Type on create: any type with a JSON body is accepted.
        image = new_image(json_body(request, required=True), caller, self.images, self._now)
        image_id = image["id"]
        self.images[image_id] = image
        self._orders.insert(image)
        reply = json_reply(201, self._view(image))
        reply.headers["location"] = f"{DEMO_ENDPOINT}/v2/images/{image_id}"
        reply.headers["openstack-image-import-methods"] = ",".join(self.import_methods)
        reply.headers["openstack-image-store-ids"] = ",".join(self.store_ids)
        return reply

    def _show(self, request: httpx.Request, caller: Caller, image_id: str) -> Reply:
        image = self.images.visible(image_id, caller)
        caller.check_readable(image)
        return json_reply(200, self._view(image))

    def _update(self, request: httpx.Request, caller: Caller, image_id: str) -> Reply:
        draft = patch_draft(request)
        changes = parse_changes(json_body(request, required=True), draft)
        image = self.images.visible(image_id, caller)
        working = patched(image, caller, changes, draft)
        if changes:
            image.clear()
            image.update(working)
            self._touch(image)
        return json_reply(200, self._view(image))

    def _delete(self, request: httpx.Request, caller: Caller, image_id: str) -> Reply:
        image = self.images.visible(image_id, caller, f"Failed to find image {image_id} to delete")
        caller.check_mutable(image, "delete_image")
        if image["protected"]:
            raise forbidden(f"Image {image_id} is protected and cannot be deleted.")
        # soft delete, as Glance: the row stays (ids cannot be reused; admins may still page from it)
        image["status"] = "deleted"
        self._touch(image)
        return no_content()

    def _add_tag(self, request: httpx.Request, caller: Caller, image_id: str, tag: str) -> Reply:
        validate_partial({"tags": [tag]})
        image = self.images.visible(image_id, caller, f"Image {image_id} not found.")
        caller.check_mutable(image)
        if tag not in image["tags"] and len(image["tags"]) + 1 > TAG_QUOTA:
            message = limit_message("tags", len(image["tags"]) + 1, TAG_QUOTA)
            raise HTTPError(413, f"Image tag limit exceeded for image {image_id}: {message}:")
        _save_for_tags(image, [*image["tags"], tag])
        if tag not in image["tags"]:
            image["tags"].append(tag)
        self._touch(image)
        return no_content()

    def _remove_tag(self, request: httpx.Request, caller: Caller, image_id: str, tag: str) -> Reply:
        image = self.images.visible(image_id, caller, f"Image {image_id} not found.")
        caller.check_mutable(image)
        if tag not in image["tags"]:
            raise HTTPError(404)
        # Glance answers a 500 here when the saved record fails its checks (the tag controller does not catch
        # Invalid on delete); the demo answers the 400 that PUT gives instead of copying that bug.
        _save_for_tags(image, [t for t in image["tags"] if t != tag])
        image["tags"].remove(tag)
        self._touch(image)
        return no_content()

    def _deactivate(self, request: httpx.Request, caller: Caller, image_id: str) -> Reply:
        return self._action(caller, image_id, "deactivate", "active", "deactivated")

    def _reactivate(self, request: httpx.Request, caller: Caller, image_id: str) -> Reply:
        return self._action(caller, image_id, "reactivate", "deactivated", "active")

    def _action(self, caller: Caller, image_id: str, action: str, source: str, target: str) -> Reply:
        image = self.images.visible(image_id, caller, f"Image {image_id} not found.")
        caller.check_mutable(image, action)  # the deactivate/reactivate policies: admin or the owner's member
        current = image["status"]
        if current == source:
            image["status"] = target
            self._touch(image)
        elif current != target:
            raise forbidden(f"Not allowed to {action} image in status '{current}'")
        return no_content()


def _versions(request: httpx.Request, status: int) -> Reply:
    href = f"{request.url.scheme}://{request.url.netloc.decode('ascii')}/v2/"
    versions = [
        {"id": f"v{number}", "status": state, "links": [{"rel": "self", "href": href}]} for number, state in VERSIONS
    ]
    return json_reply(status, {"versions": versions})


def _negotiate_version(request: httpx.Request, path: str) -> Reply | None:
    """Glance's VersionNegotiationFilter: /versions is a 200 list, an unknown first segment a 300 list (neither
    carries a request id), and a known version passes the request on (None)."""
    first = path.lstrip("/").partition("/")[0]
    if first == "versions":
        return _versions(request, 200)
    if first not in URL_VERSIONS:
        return _versions(request, 300)
    return None


def _save_for_tags(image: Image, tags: list[str]) -> None:
    """The tag controllers save the whole image: its stored record is checked again (see check_stored)."""
    try:
        check_stored(image)
        check_stored_tags(tags, image["tags"])
    except HTTPError as error:
        raise bad(f"Could not update image: {error.explanation}") from None


# -- the route table ---------------------------------------------------------------------------------------

Handler = Callable[..., Reply | DataSink]


class Route(NamedTuple):
    """``method`` on ``pattern`` (the path after /v2): a ``{name}`` segment matches any one segment and is passed
    to the handler as a keyword; the handler is called as ``handler(cloud, request, caller, **those)``."""

    method: str
    pattern: str
    handler: Handler

    def match(self, parts: list[str]) -> dict[str, str] | None:
        segments = self.pattern.split("/")
        if len(segments) != len(parts):
            return None
        params: dict[str, str] = {}
        for want, got in zip(segments, parts, strict=True):
            if want.startswith("{"):
                params[want[1:-1]] = got
            elif want != got:
                return None
        return params


def _schema_route(name: str, build: Callable[[], dict[str, Any]]) -> Route:
    return Route("GET", f"schemas/{name}", lambda cloud, request, caller: json_reply(200, build()))


# Another method on a path of this table is a 405 whose Allow lists the path's methods in this order; a path that
# is not here at all (a trailing slash, an unknown action, schemas/nothing) is a 404.
ROUTES: tuple[Route, ...] = (
    _schema_route("image", image_schema),
    _schema_route("images", images_schema),
    _schema_route("member", member_schema),
    _schema_route("members", members_schema),
    _schema_route("task", task_schema),
    _schema_route("tasks", tasks_schema),
    Route("GET", "images", DemoCloud._list),
    Route("POST", "images", DemoCloud._create),
    Route("GET", "images/{image_id}", DemoCloud._show),
    Route("PATCH", "images/{image_id}", DemoCloud._update),
    Route("DELETE", "images/{image_id}", DemoCloud._delete),
    Route("PUT", "images/{image_id}/tags/{tag}", DemoCloud._add_tag),
    Route("DELETE", "images/{image_id}/tags/{tag}", DemoCloud._remove_tag),
    Route("PUT", "images/{image_id}/file", begin_upload),
    Route("GET", "images/{image_id}/file", download),
    Route("PUT", "images/{image_id}/stage", begin_stage),
    Route("POST", "images/{image_id}/import", start_import),
    Route("GET", "images/{image_id}/tasks", image_tasks),
    Route("DELETE", "stores/{store}/{image_id}", delete_from_store),
    Route("GET", "info/import", info_import),
    Route("GET", "info/stores", info_stores),
    Route("POST", "images/{image_id}/actions/deactivate", DemoCloud._deactivate),
    Route("POST", "images/{image_id}/actions/reactivate", DemoCloud._reactivate),
    Route("GET", "images/{image_id}/members", members.list_members),
    Route("POST", "images/{image_id}/members", members.add_member),
    Route("GET", "images/{image_id}/members/{member}", members.show_member),
    Route("PUT", "images/{image_id}/members/{member}", members.update_member),
    Route("DELETE", "images/{image_id}/members/{member}", members.remove_member),
)
