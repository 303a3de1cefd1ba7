"""An in-process Glance v2 image service behind an httpx transport: the demo cloud and the fast test backend.

It follows Glance 33.0.0 (glance/api/v2/images.py, glance/db/sqlalchemy/api.py, webob error bodies) closely,
including its quirks, because the same contract tests run against it and against a real Glance.
"""

from __future__ import annotations

import asyncio
import html
import json
import re
import urllib.parse
import uuid
from collections.abc import Callable, Iterator, MutableMapping
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx

from . import seed as seed_data

DEMO_ENDPOINT = "http://demo.ims-tui.invalid"

Image = dict[str, Any]

PATCH_MEDIA_TYPES = {
    "application/openstack-images-v2.0-json-patch": 4,
    "application/openstack-images-v2.1-json-patch": 10,
}
PROPERTY_QUOTA = 128
TAG_QUOTA = 128
LIMIT_DEFAULT = 25
LIMIT_MAX = 1000

# The attributes Glance serializes for every image, in its order; anything else in a record is a custom property.
SERIALIZED = (
    "name",
    "disk_format",
    "container_format",
    "visibility",
    "size",
    "virtual_size",
    "status",
    "checksum",
    "protected",
    "min_ram",
    "min_disk",
    "owner",
    "os_hidden",
    "os_hash_algo",
    "os_hash_value",
)
BASE_KEYS = frozenset((*SERIALIZED, "id", "created_at", "updated_at", "tags"))
# RequestDeserializer._base_properties: popped out of a create body as image attributes.
CREATE_BASE = (
    "checksum",
    "created_at",
    "container_format",
    "disk_format",
    "id",
    "min_disk",
    "min_ram",
    "name",
    "size",
    "virtual_size",
    "status",
    "tags",
    "owner",
    "updated_at",
    "visibility",
    "protected",
    "os_hidden",
)
READ_ONLY = (
    "created_at",
    "updated_at",
    "status",
    "checksum",
    "size",
    "virtual_size",
    "direct_url",
    "self",
    "file",
    "schema",
    "id",
    "os_hash_algo",
    "os_hash_value",
)
CREATE_DISALLOWED = ("direct_url", "self", "file", "schema", "stores")
FACTORY_READ_ONLY = (
    "created_at",
    "updated_at",
    "status",
    "checksum",
    "os_hash_algo",
    "os_hash_value",
    "size",
    "virtual_size",
)
RESERVED = ("location", "deleted", "deleted_at")
FACTORY_RESERVED = ("owner", "locations", "deleted", "deleted_at", "direct_url", "self", "file", "schema")
RESERVED_NAMESPACE = "os_glance"
# Attributes of Glance's domain Image that PATCH may set (hasattr(image, key)), so "remove" is refused on them.
PATCHABLE_BASE = frozenset(
    ("name", "visibility", "os_hidden", "min_disk", "min_ram", "protected", "owner", "disk_format", "container_format")
)
SORT_KEYS = ("name", "status", "container_format", "disk_format", "size", "id", "created_at", "updated_at")
NEVER_LISTED = frozenset(("killed", "deleted"))

DISK_FORMATS = [None, "ami", "ari", "aki", "vhd", "vhdx", "vmdk", "raw", "qcow2", "vdi", "iso", "ploop"]
CONTAINER_FORMATS = [None, "ami", "ari", "aki", "bare", "ovf", "ova", "docker", "compressed"]
STATUSES = [
    "queued",
    "saving",
    "active",
    "killed",
    "deleted",
    "uploading",
    "importing",
    "pending_delete",
    "deactivated",
]


def _image_properties() -> dict[str, Any]:
    """glance.api.v2.images.get_base_properties(), as Glance 33 serves it."""

    def ro(schema: dict[str, Any]) -> dict[str, Any]:
        return {"type": schema.pop("type"), "readOnly": True, **schema}

    return {
        "id": {
            "type": "string",
            "description": "An identifier for the image",
            "pattern": "^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){12}$",
        },
        "name": {"type": ["null", "string"], "description": "Descriptive name for the image", "maxLength": 255},
        "status": ro({"type": "string", "description": "Status of the image", "enum": STATUSES}),
        "visibility": {
            "type": "string",
            "description": "Scope of image accessibility",
            "enum": ["community", "public", "private", "shared"],
        },
        "protected": {"type": "boolean", "description": "If true, image will not be deletable."},
        "os_hidden": {
            "type": "boolean",
            "description": "If true, image will not appear in default image list response.",
        },
        "checksum": ro({"type": ["null", "string"], "description": "md5 hash of image contents.", "maxLength": 32}),
        "os_hash_algo": ro(
            {"type": ["null", "string"], "description": "Algorithm to calculate the os_hash_value", "maxLength": 64}
        ),
        "os_hash_value": ro(
            {
                "type": ["null", "string"],
                "description": "Hexdigest of the image contents using the algorithm specified by the os_hash_algo",
                "maxLength": 128,
            }
        ),
        "owner": {"type": ["null", "string"], "description": "Owner of the image", "maxLength": 255},
        "size": ro({"type": ["null", "integer"], "description": "Size of image file in bytes"}),
        "virtual_size": ro({"type": ["null", "integer"], "description": "Virtual size of image in bytes"}),
        "container_format": {
            "type": ["null", "string"],
            "description": "Format of the container",
            "enum": CONTAINER_FORMATS,
        },
        "disk_format": {"type": ["null", "string"], "description": "Format of the disk", "enum": DISK_FORMATS},
        "created_at": ro({"type": "string", "description": "Date and time of image registration"}),
        "updated_at": ro({"type": "string", "description": "Date and time of the last image modification"}),
        "tags": {
            "type": "array",
            "description": "List of strings related to the image",
            "items": {"type": "string", "maxLength": 255},
        },
        "direct_url": ro({"type": "string", "description": "URL to access the image file kept in external store"}),
        "min_ram": {"type": "integer", "description": "Amount of ram (in MB) required to boot image."},
        "min_disk": {"type": "integer", "description": "Amount of disk space (in GB) required to boot image."},
        "self": ro({"type": "string", "description": "An image self url"}),
        "file": ro({"type": "string", "description": "An image file url"}),
        "stores": ro(
            {
                "type": "string",
                "description": "Store in which image data resides.  Only present when the operator has enabled "
                "multiple stores.  May be a comma-separated list of store identifiers.",
            }
        ),
        "schema": ro({"type": "string", "description": "An image schema url"}),
        "locations": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "url": {"type": "string", "maxLength": 255},
                    "metadata": {"type": "object"},
                    "validation_data": {
                        "description": "Values to be used to populate the corresponding image properties. If the "
                        "image status is not 'queued', values must exactly match those already contained in the "
                        "image properties.",
                        "type": "object",
                        "writeOnly": True,
                        "additionalProperties": False,
                        "properties": {
                            "checksum": {"type": "string", "minLength": 32, "maxLength": 32},
                            "os_hash_algo": {"type": "string", "maxLength": 64},
                            "os_hash_value": {"type": "string", "maxLength": 128},
                        },
                        "required": ["os_hash_algo", "os_hash_value"],
                    },
                },
                "required": ["url", "metadata"],
            },
            "description": "A set of URLs to access the image file kept in external store",
        },
    }


def image_schema() -> dict[str, Any]:
    return {
        "name": "image",
        "properties": _image_properties(),
        "additionalProperties": {"type": "string"},
        "links": [
            {"rel": "self", "href": "{self}"},
            {"rel": "enclosure", "href": "{file}"},
            {"rel": "describedby", "href": "{schema}"},
        ],
    }


def images_schema() -> dict[str, Any]:
    return {
        "name": "images",
        "properties": {
            "images": {"type": "array", "items": image_schema()},
            "first": {"type": "string"},
            "next": {"type": "string"},
            "schema": {"type": "string"},
        },
        "links": [
            {"rel": "first", "href": "{first}"},
            {"rel": "next", "href": "{next}"},
            {"rel": "describedby", "href": "{schema}"},
        ],
    }


_PROPERTIES = _image_properties()
_ID_PATTERN = re.compile(_PROPERTIES["id"]["pattern"])

# Glance 33 with several stores and no image cache lists exactly these, in this (odd) order.
_VERSIONS = (
    ("2.15", "SUPPORTED"),
    ("2.13", "SUPPORTED"),
    ("2.12", "SUPPORTED"),
    ("2.11", "SUPPORTED"),
    ("2.10", "SUPPORTED"),
    ("2.9", "SUPPORTED"),
    ("2.8", "SUPPORTED"),
    ("2.17", "CURRENT"),
    *((f"2.{minor}", "SUPPORTED") for minor in range(7, -1, -1)),
)


# -- errors ------------------------------------------------------------------------------------------------

_TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    413: "Request Entity Too Large",
    415: "Unsupported Media Type",
}
_EXPLANATIONS = {
    400: "The server could not comply with the request since\r\nit is either malformed or otherwise incorrect.\r\n",
    403: "Access was denied to this resource.",
    404: "The resource could not be found.",
    409: "There was a conflict when trying to complete your request.",
    413: "The body of your request was too large for this server.",
}


class HTTPError(Exception):
    """A webob-style HTTP error: ``explanation`` replaces the class default, ``detail`` follows it."""

    def __init__(
        self,
        status: int,
        explanation: str | None = None,
        *,
        detail: str = "",
        headers: dict[str, str] | None = None,
        template: str | None = None,
    ) -> None:
        super().__init__(explanation or detail)
        self.status = status
        self.explanation = explanation if explanation is not None else _EXPLANATIONS.get(status, "")
        self.detail = detail
        self.headers = headers or {}
        self.template = template

    def body_text(self, escape: Callable[[str], str]) -> str:
        if self.template is not None:
            return self.template.replace("${detail}", escape(self.detail))
        return f"{escape(self.explanation)}<br /><br />\n{escape(self.detail)}\n\n"


def _bad(message: str) -> HTTPError:
    return HTTPError(400, message)


def _forbidden(message: str) -> HTTPError:
    return HTTPError(403, message)


def _accept_q(accept: str, offer: str) -> float:
    """The quality the Accept header gives ``offer`` (most specific range wins), as webob's acceptable_offers."""
    best, best_specificity = 0.0, -1
    main = offer.split("/")[0]
    for part in accept.split(","):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        q = 1.0
        for param in fields[1:]:
            if param.lower().startswith("q="):
                try:
                    q = float(param[2:])
                except ValueError:
                    q = 0.0
        specificity = 2 if media == offer else 1 if media == f"{main}/*" else 0 if media == "*/*" else -1
        if specificity > best_specificity:
            best, best_specificity = q, specificity
    return best if best_specificity >= 0 else 0.0


_BR = re.compile(r"<br.*?>", re.I | re.S)
_TAG = re.compile(r"<.*?>", re.S)


def _error_response(error: HTTPError, request: httpx.Request) -> tuple[int, dict[str, str], bytes]:
    status = f"{error.status} {_TITLES.get(error.status, 'Error')}"
    accept = request.headers.get("accept")
    offers = ("text/html", "application/json")
    if accept is None:
        choice: str | None = "text/html"
    else:
        scored = [(_accept_q(accept, offer), -i, offer) for i, offer in enumerate(offers)]
        q, _, choice = max(scored)
        if q <= 0:
            choice = None
    if choice == "application/json":
        payload = {"message": error.body_text(lambda s: s), "code": status, "title": _TITLES.get(error.status)}
        return error.status, {"content-type": "application/json", **error.headers}, json.dumps(payload).encode()
    if choice == "text/html":
        body = error.body_text(lambda s: html.escape(s, quote=True))
        page = (
            f"<html>\n <head>\n  <title>{status}</title>\n </head>\n"
            f" <body>\n  <h1>{status}</h1>\n  {body}\n </body>\n</html>"
        )
        return error.status, {"content-type": "text/html; charset=UTF-8", **error.headers}, page.encode()
    body = error.body_text(lambda s: s).replace("\n", " ").replace("\r", "")
    body = _TAG.sub("", _BR.sub("\n", body))
    return error.status, {"content-type": "text/plain; charset=UTF-8", **error.headers}, f"{status}\n\n{body}".encode()


# -- time --------------------------------------------------------------------------------------------------


def isotime(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


_ISO = re.compile(
    r"^(\d{4})-?(\d{2})-?(\d{2})"
    r"(?:[T ](\d{2}):?(\d{2})(?::?(\d{2})(?:[.,](\d+))?)?)?"
    r"\s*(Z|[+-]\d{2}(?::?\d{2})?)?$",
    re.I,
)


def parse_isotime(text: str) -> datetime:
    """oslo_utils.timeutils.parse_isotime (iso8601): naive times are UTC. ValueError when it is not ISO 8601."""
    match = _ISO.match(text.strip())
    if not match:
        raise ValueError(text)
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    tz = timezone.utc
    if zone and zone.upper() != "Z":
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        tz = timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0)))
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    return datetime(
        int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0), micro, tzinfo=tz
    )


def split_filter_op(expression: str) -> tuple[str, str]:
    """glance.common.utils.split_filter_op: "op:value", except that a whole ISO 8601 date is "eq"."""
    left, sep, right = expression.partition(":")
    if not sep:
        return "eq", left
    try:
        parse_isotime(expression)
    except ValueError:
        return left, right
    return "eq", expression


def split_in_values(value: str) -> list[str]:
    """glance.common.utils.split_filter_value_for_quotes, including its quote validation."""
    open_quotes = True
    for i, char in enumerate(value):
        if char != '"' or (i and value[i - 1] == "\\"):
            continue
        if open_quotes and i and value[i - 1] != ",":
            raise _bad(f"Invalid filter value {value}. There is no comma before opening quotation mark.")
        if not open_quotes and i + 1 != len(value) and value[i + 1] != ",":
            raise _bad(f"Invalid filter value {value}. There is no comma after closing quotation mark.")
        open_quotes = not open_quotes
    if not open_quotes:
        raise _bad(f"Invalid filter value {value}. The quote is not closed.")
    pattern = re.compile(r'"([^\"\\]*(?:\\.[^\"\\]*)*)",?|([^,]+),?|,')
    return [quoted or plain for quoted, plain in pattern.findall(value)]


# -- schema validation (the subset of jsonschema the image schema uses) -------------------------------------


def _type_ok(value: Any, kind: str) -> bool:
    if kind == "null":
        return value is None
    if kind == "string":
        return isinstance(value, str)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "integer":
        # jsonschema: booleans are not integers, but 3.0 is
        return (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, float) and value.is_integer()
        )
    if kind == "array":
        return isinstance(value, list)
    if kind == "object":
        return isinstance(value, dict)
    return True


def _schema_error(reason: str) -> HTTPError:
    return _bad(f"Provided object does not match schema 'image': {reason}")


def _validate_value(key: str, value: Any, schema: dict[str, Any]) -> None:
    kinds = schema.get("type")
    if kinds is not None:
        kinds_list = kinds if isinstance(kinds, list) else [kinds]
        if not any(_type_ok(value, kind) for kind in kinds_list):
            names = ", ".join(repr(kind) for kind in kinds_list)
            raise _schema_error(f"{value!r} is not of type {names}")
    if "enum" in schema and value not in schema["enum"]:
        raise _schema_error(f"{value!r} is not one of {schema['enum']!r}")
    if isinstance(value, str):
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            raise _schema_error(f"{value!r} is too long")
        if "pattern" in schema and not re.search(schema["pattern"], value):
            raise _schema_error(f"{value!r} does not match {schema['pattern']!r}")
    if isinstance(value, list) and "items" in schema:
        for item in value:
            _validate_value(key, item, schema["items"])


def validate_partial(obj: dict[str, Any]) -> None:
    for key, value in obj.items():
        _validate_value(key, value, _PROPERTIES.get(key, {"type": "string"}))


# -- the caller --------------------------------------------------------------------------------------------


class Caller:
    """Who is asking: Glance's "trusted" headers when present, otherwise the noauth admin (no project)."""

    __slots__ = ("project", "is_admin")

    def __init__(self, project: str | None, is_admin: bool) -> None:
        self.project = project
        self.is_admin = is_admin

    @classmethod
    def from_request(cls, request: httpx.Request) -> Caller:
        if request.headers.get("x-identity-status", "").lower() != "confirmed":
            return cls(None, True)
        project = request.headers.get("x-project-id") or request.headers.get("x-tenant-id") or None
        roles = {role.strip().lower() for role in request.headers.get("x-roles", "").split(",")}
        # the lab's policy: context_is_admin = role:admin or project_id:None
        return cls(project, "admin" in roles or project is None)


# -- the store ---------------------------------------------------------------------------------------------


class ImageStore(MutableMapping[str, Image]):
    """id -> image record (API shape, datetimes for timestamps). Seed images are built on first access only,
    so a 100,000-image cloud starts in a fraction of a second."""

    def __init__(self, factory: Callable[[int], Image]) -> None:
        self._data: dict[str, Image | int] = {}
        self._factory = factory

    def add_lazy(self, image_id: str, index: int) -> None:
        self._data[image_id] = index

    def __getitem__(self, image_id: str) -> Image:
        value = self._data[image_id]
        if type(value) is int:
            value = self._data[image_id] = self._factory(value)
        return value  # type: ignore[return-value]

    def __setitem__(self, image_id: str, image: Image) -> None:
        self._data[image_id] = image

    def __delitem__(self, image_id: str) -> None:
        del self._data[image_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, image_id: object) -> bool:
        return image_id in self._data


def _sort_value(key: str) -> Callable[[Image], Any]:
    # NULLs compare as the column default, like the marker criteria of Glance's _paginate_query.
    if key == "size":
        return lambda image: image["size"] or 0
    if key in ("created_at", "updated_at", "id"):
        return lambda image: image[key]
    return lambda image: image[key] or ""


def _compare(a: Image, b: Image, spec: list[tuple[str, str]]) -> int:
    for key, direction in spec:
        va, vb = _sort_value(key)(a), _sort_value(key)(b)
        if va != vb:
            result = -1 if va < vb else 1
            return -result if direction == "desc" else result
    return 0


# -- the service -------------------------------------------------------------------------------------------


class DemoCloud:
    """A Glance 33 (API v2.17) image service in memory; ``transport`` plugs it into an httpx client."""

    def __init__(
        self,
        image_count: int = 2000,
        latency: float = 0.0,
        seed: int = 42,
        empty: bool = False,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.latency = latency
        self.seed = seed
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        self.request_log: list[tuple[str, str]] = []
        # image id -> {project: "pending"|"accepted"|"rejected"}; seed memberships arrive with their image
        self.members: dict[str, dict[str, str]] = {}
        self._skeleton = [] if empty else seed_data.skeleton(image_count, seed)
        self.images = ImageStore(self._materialize)
        for index, (image_id, _created) in enumerate(self._skeleton):
            self.images.add_lazy(image_id, index)
        # ids by (created_at desc, id desc): the seed is generated in that order; kept up to date on create
        self._default_order: list[str] = [image_id for image_id, _ in self._skeleton]
        self._orders: dict[tuple[tuple[str, str], ...], list[str]] = {}
        self.transport = DemoTransport(self)

    def _materialize(self, index: int) -> Image:
        image_id, created_ts = self._skeleton[index]
        image, members = seed_data.materialize(self.seed, index, image_id, created_ts)
        if members:
            self.members[image_id] = members
        return image

    def _now(self) -> datetime:
        moment = self.clock()
        return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)

    # -- dispatch ------------------------------------------------------------------------------------------

    def handle(self, request: httpx.Request) -> httpx.Response:
        raw_path = request.url.raw_path.decode("ascii", "replace")
        self.request_log.append((request.method, raw_path))
        headers = {"x-openstack-request-id": f"req-{uuid.uuid4()}"}
        try:
            status, extra, body = self._route(request)
        except HTTPError as error:
            status, extra, body = _error_response(error, request)
        headers.update(extra)
        return httpx.Response(status, headers=headers, content=body, request=request)

    def _route(self, request: httpx.Request) -> tuple[int, dict[str, str], bytes]:
        path = urllib.parse.unquote(request.url.raw_path.decode("ascii", "replace").split("?", 1)[0])
        parts = [p for p in path.split("/") if p]
        method = request.method.upper()
        if parts and parts[0] == "versions":
            return self._versions(request, 200)
        if not parts or not re.fullmatch(r"v2(\.\d+)?", parts[0]):
            return self._versions(request, 300)
        rest = parts[1:]
        caller = Caller.from_request(request)
        if rest == ["schemas", "image"] and method == "GET":
            return _json(200, image_schema())
        if rest == ["schemas", "images"] and method == "GET":
            return _json(200, images_schema())
        if rest == ["images"]:
            if method == "GET":
                return self._list(request, caller)
            if method == "POST":
                return self._create(request, caller)
            raise _not_allowed(method, "GET, POST")
        if len(rest) == 2 and rest[0] == "images":
            if method == "GET":
                return _json(200, self._view(self._get_visible(rest[1], caller)))
            if method == "PATCH":
                return self._update(request, caller, rest[1])
            if method == "DELETE":
                return self._delete(caller, rest[1])
            raise _not_allowed(method, "GET, PATCH, DELETE")
        if len(rest) == 4 and rest[0] == "images" and rest[2] == "tags":
            if method == "PUT":
                return self._add_tag(caller, rest[1], rest[3])
            if method == "DELETE":
                return self._remove_tag(caller, rest[1], rest[3])
            raise _not_allowed(method, "PUT, DELETE")
        is_action = len(rest) == 4 and rest[0] == "images" and rest[2] == "actions" and method == "POST"
        if is_action and rest[3] in ("deactivate", "reactivate"):
            return self._action(caller, rest[1], rest[3])
        if len(rest) in (3, 4) and rest[0] == "images" and rest[2] == "members":
            return self._members(request, caller, rest[1], rest[3] if len(rest) == 4 else None)
        raise HTTPError(404)

    def _versions(self, request: httpx.Request, status: int) -> tuple[int, dict[str, str], bytes]:
        href = f"{request.url.scheme}://{request.url.netloc.decode('ascii')}/v2/"
        versions = [
            {"id": f"v{number}", "status": state, "links": [{"rel": "self", "href": href}]}
            for number, state in _VERSIONS
        ]
        return _json(status, {"versions": versions})

    # -- visibility and policy -----------------------------------------------------------------------------

    def _lookup(self, image_id: str) -> Image | None:
        image = self.images.get(image_id)
        if image is None or image["status"] == "deleted":
            return None
        return image

    def _visible(self, image: Image, caller: Caller) -> bool:
        """glance.db.utils.is_image_visible: GET sees shared images of any membership status."""
        if caller.is_admin or image["owner"] is None or image["visibility"] in ("public", "community"):
            return True
        if caller.project is None:
            return False
        if image["owner"] == caller.project:
            return True
        return image["visibility"] == "shared" and caller.project in self.members.get(image["id"], {})

    def _get_visible(self, image_id: str, caller: Caller, message: str | None = None) -> Image:
        image = self._lookup(image_id)
        if image is None or not self._visible(image, caller):
            raise HTTPError(404, message or f"No image found with ID {image_id}")
        return image

    @staticmethod
    def _check_mutable(image: Image, caller: Caller, action: str = "modify_image") -> None:
        if caller.is_admin:
            return
        if image["owner"] is None or caller.project is None or image["owner"] != caller.project:
            raise _forbidden(f"You are not authorized to complete {action} action.")

    @staticmethod
    def _check_visibility_policy(visibility: Any, caller: Caller) -> None:
        if visibility == "public" and not caller.is_admin:
            raise _forbidden("You are not authorized to complete publicize_image action.")

    # -- serialization -------------------------------------------------------------------------------------

    @staticmethod
    def _view(image: Image) -> Image:
        view = {key: value for key, value in image.items() if key not in BASE_KEYS}
        for key in SERIALIZED:
            view[key] = image[key]
        image_id = image["id"]
        view["id"] = image_id
        view["created_at"] = isotime(image["created_at"])
        view["updated_at"] = isotime(image["updated_at"])
        view["tags"] = list(image["tags"])
        view["self"] = f"/v2/images/{image_id}"
        view["file"] = f"/v2/images/{image_id}/file"
        view["schema"] = "/v2/schemas/image"
        if image["status"] == "active" and image["checksum"]:
            view["stores"] = "fs"
        return view

    # -- list ----------------------------------------------------------------------------------------------

    def _list(self, request: httpx.Request, caller: Caller) -> tuple[int, dict[str, str], bytes]:
        pairs = urllib.parse.parse_qsl(request.url.query.decode("ascii", "replace"), keep_blank_values=True)
        params: dict[str, str] = {}
        for key, value in pairs:
            params[key] = value  # webob's MultiDict as a dict: the last value of a repeated key wins
        filters = {k: v for k, v in params.items() if k not in ("limit", "marker", "member_status", "tag")}
        filters.pop("sort", None)
        filters.pop("sort_key", None)
        filters.pop("sort_dir", None)
        tags = [value.strip() for key, value in pairs if key == "tag"]

        member_status = params.get("member_status", "accepted")
        if member_status not in ("pending", "accepted", "rejected", "all"):
            raise _bad(f"Invalid status: {member_status}")
        visibility = filters.pop("visibility", None)
        if visibility and visibility not in ("community", "public", "private", "shared", "all"):
            raise _bad(f"Invalid visibility value: {visibility}")
        if filters.get("changes-since"):
            raise _bad('The "changes-since" filter is no longer available on v2.')
        limit = LIMIT_DEFAULT
        if "limit" in params:
            try:
                limit = int(params["limit"])
            except ValueError:
                raise _bad("limit param must be an integer") from None
            if limit < 0:
                raise _bad("limit param must be positive")
        spec = self._sort_spec(pairs)

        os_hidden = filters.pop("os_hidden", "false").lower()
        if os_hidden not in ("true", "false"):
            raise _bad(f"Invalid value '{os_hidden}' for 'os_hidden' filter. Valid values are 'true' or 'false'.")
        protected = filters.pop("protected", None)
        if protected is not None and protected not in ("true", "false"):
            raise _bad(f"Invalid value '{protected}' for 'protected' filter. Valid values are 'true' or 'false'.")
        limit = min(LIMIT_MAX, limit)
        predicate = self._predicate(caller, filters, tags, visibility, member_status, os_hidden, protected)

        order = self._order(spec)
        start = 0
        if "marker" in params:
            start = self._after_marker(order, spec, params["marker"], caller)
        page: list[Image] = []
        images = self.images
        if limit:
            for index in range(start, len(order)):
                image = images[order[index]]
                if predicate(image):
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
        return _json(200, body)

    @staticmethod
    def _sort_spec(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
        """RequestDeserializer._get_sorting_params plus the created_at/id tie-breaks of _image_get_all."""
        names = {key for key, _ in pairs}
        keys: list[str] = []
        dirs: list[str] = []

        def check_key(key: str) -> str:
            if key not in SORT_KEYS:
                raise _bad(f"Invalid sort key: {key}. It must be one of the following: {', '.join(SORT_KEYS)}.")
            return key

        def check_dir(direction: str) -> str:
            if direction not in ("asc", "desc"):
                raise _bad(f"Invalid sort direction: {direction}")
            return direction

        if "sort" in names:
            if "sort_key" in names or "sort_dir" in names:
                raise _bad("Old and new sorting syntax cannot be combined")
            sort_value = [value for key, value in pairs if key == "sort"][-1]
            for item in sort_value.strip().split(","):
                key, _, direction = item.partition(":")
                keys.append(check_key(key.strip()))
                dirs.append(check_dir((direction or "desc").strip()))
        else:
            keys = [check_key(value.strip()) for key, value in pairs if key == "sort_key"]
            dirs = [check_dir(value.strip()) for key, value in pairs if key == "sort_dir"]
            if len(dirs) > 1 and len(dirs) != len(keys):
                raise _bad("Number of sort dirs does not match the number of sort keys")
        keys = keys or ["created_at"]
        dirs = dirs or ["desc"]
        default_dir = "desc"
        if len(dirs) == 1:
            default_dir = dirs[0]
            dirs = dirs * len(keys)
        for key in ("created_at", "id"):
            if key not in keys:
                keys.append(key)
                dirs.append(default_dir)
        return list(zip(keys, dirs, strict=False))

    def _order(self, spec: list[tuple[str, str]]) -> list[str]:
        if spec == [("created_at", "desc"), ("id", "desc")]:
            return self._default_order
        cache_key = tuple(spec)
        order = self._orders.get(cache_key)
        if order is None:
            images = self.images
            records = [images[image_id] for image_id in self._default_order]
            # stable multi-pass sort, least significant key first; reverse=True keeps stability
            for key, direction in reversed(spec):
                records.sort(key=_sort_value(key), reverse=direction == "desc")
            order = self._orders[cache_key] = [image["id"] for image in records]
        return order

    def _after_marker(self, order: list[str], spec: list[tuple[str, str]], marker: str, caller: Caller) -> int:
        image = self.images.get(marker)
        if image is None or (image["status"] == "deleted" and not caller.is_admin):
            # Glance's admins can see soft-deleted rows, so a deleted marker only fails for other callers
            raise _bad(f"No image found with ID {marker}")
        if not self._visible(image, caller):
            raise _forbidden(f"Forbidding request, image {marker} not visible")
        images = self.images
        low, high = 0, len(order)
        while low < high:  # first position strictly after the marker in this order
            middle = (low + high) // 2
            if _compare(images[order[middle]], image, spec) <= 0:
                low = middle + 1
            else:
                high = middle
        return low

    def _predicate(
        self,
        caller: Caller,
        filters: dict[str, str],
        tags: list[str],
        visibility: str | None,
        member_status: str,
        os_hidden: str,
        protected: str | None,
    ) -> Callable[[Image], bool]:
        checks: list[Callable[[Image], bool]] = []
        hidden = os_hidden == "true"
        checks.append(lambda image: image["status"] not in NEVER_LISTED and image["os_hidden"] is hidden)
        if protected is not None:
            want = protected == "true"
            checks.append(lambda image: image["protected"] is want)
        if not caller.is_admin:
            project, members = caller.project, self.members

            def may_list(image: Image) -> bool:
                if image["visibility"] in ("public", "community") or image["owner"] == project:
                    return True
                if image["visibility"] != "shared" or project is None:
                    return False
                status = members.get(image["id"], {}).get(project)
                return status is not None and (member_status == "all" or status == member_status)

            checks.append(may_list)
        if visibility is not None:
            if visibility != "all":
                checks.append(lambda image: image["visibility"] == visibility)
        elif caller.project is None:
            checks.append(lambda image: image["visibility"] != "community")
        else:
            project = caller.project
            checks.append(lambda image: image["owner"] == project or image["visibility"] != "community")
        if tags:
            wanted = list(tags)
            checks.append(lambda image: all(tag in image["tags"] for tag in wanted))
        for key, value in filters.items():
            checks.append(self._filter_check(key, value))

        def predicate(image: Image) -> bool:
            return all(check(image) for check in checks)

        return predicate

    @staticmethod
    def _filter_check(key: str, value: str) -> Callable[[Image], bool]:
        if key.endswith(("_min", "_max")) and key[:-4] in ("size", "virtual_size", "min_ram", "min_disk"):
            column = key[:-4]
            try:
                bound = int(value)
            except ValueError:
                raise _bad("Unable to filter on a range with a non-numeric value.") from None
            if key.endswith("_min"):
                return lambda image: image[column] is not None and image[column] >= bound
            return lambda image: image[column] is not None and image[column] <= bound
        if key in ("created_at", "updated_at"):
            op, text = split_filter_op(value)
            try:
                threshold = parse_isotime(text)
            except ValueError:
                raise _bad(f'Bad "{key}" query filter format. Use ISO 8601 DateTime notation.') from None
            compare = {
                "gt": lambda a: a > threshold,
                "gte": lambda a: a >= threshold,
                "lt": lambda a: a < threshold,
                "lte": lambda a: a <= threshold,
                "neq": lambda a: a != threshold,
                "eq": lambda a: a == threshold,
            }.get(op)
            if compare is None:
                raise _bad("Unable to filter on a unknown operator.")
            return lambda image: compare(image[key])
        if key in ("name", "id", "status", "container_format", "disk_format"):
            op, text = split_filter_op(value)
            if op == "in":
                allowed = set(split_in_values(text))
                return lambda image: image[key] in allowed
            if op == "eq":
                return lambda image: image[key] == text
            raise _bad(f"Unable to filter by unknown operator '{op}'.")
        if key in ("size", "virtual_size", "min_ram", "min_disk"):
            # SQLite's integer affinity compares "512" with 512 as equal
            return lambda image: image[key] is not None and str(image[key]) == value.strip()
        if key in ("owner", "checksum", "os_hash_algo", "os_hash_value", "visibility"):
            return lambda image: image[key] == value
        return lambda image: key not in BASE_KEYS and image.get(key) == value

    # -- create --------------------------------------------------------------------------------------------

    def _create(self, request: httpx.Request, caller: Caller) -> tuple[int, dict[str, str], bytes]:
        # Glance's JSON deserializer ignores Content-Type on create: any type with a JSON body is accepted.
        body = _json_body(request, required=True)
        if not isinstance(body, dict):
            raise _bad("Request body must be a JSON object.")  # Glance answers a list with a 500
        for key in CREATE_DISALLOWED:
            if key in body:
                raise _forbidden(f"Attribute '{key}' is read-only.")
        validate_partial(body)
        attributes = {key: body.pop(key) for key in CREATE_BASE if key in body}
        tags = attributes.pop("tags", [])
        # Glance takes these as extra properties and then serializes its own (null) attributes over them
        body.pop("os_hash_algo", None)
        body.pop("os_hash_value", None)
        extra = body
        for key in extra:
            if len(key) > 255:
                raise _bad("Custom property should not be greater than 255 characters.")
            if key in RESERVED or key.startswith(RESERVED_NAMESPACE):
                raise _forbidden(f"Attribute '{key}' is reserved.")

        owner = attributes.get("owner", caller.project)
        if not caller.is_admin and owner != caller.project:
            raise HTTPError(403, detail=f"You are not permitted to create images owned by '{owner}'")
        self._check_visibility_policy(attributes.get("visibility"), caller)
        for key in FACTORY_READ_ONLY:
            if key in attributes or key in extra:
                raise _forbidden(f"Attribute '{key}' is read-only.")
        for key in FACTORY_RESERVED:
            if key in extra:
                raise _forbidden(f"Attribute '{key}' is reserved.")
        for key in ("min_disk", "min_ram"):
            if attributes.get(key) is not None and attributes[key] < 0:
                raise _bad(f"Invalid value '{attributes[key]}' for parameter '{key}': Cannot be a negative value")
        if len(tags) > TAG_QUOTA:
            raise HTTPError(413, _limit_message("tags", len(tags), TAG_QUOTA))
        counted = [key for key in extra if not key.startswith(RESERVED_NAMESPACE)]
        if len(counted) > PROPERTY_QUOTA:
            raise HTTPError(413, _limit_message("properties", len(counted), PROPERTY_QUOTA))
        image_id = attributes.get("id") or str(uuid.uuid4())
        if image_id in self.images:
            raise HTTPError(409, f"Image ID {image_id} already exists!")

        now = self._now()
        image: Image = {
            "id": image_id,
            "name": attributes.get("name"),
            "disk_format": attributes.get("disk_format"),
            "container_format": attributes.get("container_format"),
            "visibility": attributes.get("visibility", "shared"),
            "size": None,
            "virtual_size": None,
            "status": "queued",
            "checksum": None,
            "protected": attributes.get("protected", False),
            "min_ram": int(attributes.get("min_ram") or 0),
            "min_disk": int(attributes.get("min_disk") or 0),
            "owner": owner,
            "os_hidden": attributes.get("os_hidden", False),
            "os_hash_algo": None,
            "os_hash_value": None,
            "created_at": now,
            "updated_at": now,
            "tags": list(dict.fromkeys(tags)),
            **extra,
        }
        self.images[image_id] = image
        self._insert_default(image)
        self._orders.clear()
        status, headers, content = _json(201, self._view(image))
        headers["location"] = f"{DEMO_ENDPOINT}/v2/images/{image_id}"
        headers["openstack-image-import-methods"] = "glance-direct,web-download,copy-image"
        headers["openstack-image-store-ids"] = "fs"
        return status, headers, content

    def _insert_default(self, image: Image) -> None:
        order, images = self._default_order, self.images
        spec = [("created_at", "desc"), ("id", "desc")]
        low, high = 0, len(order)
        while low < high:
            middle = (low + high) // 2
            if _compare(images[order[middle]], image, spec) < 0:
                low = middle + 1
            else:
                high = middle
        order.insert(low, image["id"])

    # -- update (JSON patch) -------------------------------------------------------------------------------

    def _update(self, request: httpx.Request, caller: Caller, image_id: str) -> tuple[int, dict[str, str], bytes]:
        content_type = request.headers.get("content-type", "")
        media_type = content_type.split(";")[0].strip().lower()
        if media_type not in PATCH_MEDIA_TYPES:
            allowed = ", ".join(sorted(PATCH_MEDIA_TYPES))
            raise HTTPError(
                415,
                detail=f"Image PATCH expects Content-Type one of: {allowed}",
                headers={"accept-patch": allowed},
                template=f"The request media type {content_type} is not supported by this server.\n"
                "<br /><br />\n${detail}",
            )
        draft = PATCH_MEDIA_TYPES[media_type]
        body = _json_body(request, required=True)
        if not isinstance(body, list):
            raise _bad("Request body must be a JSON array of operation objects.")
        changes = [self._parse_change(raw, draft) for raw in body]

        image = self._get_visible(image_id, caller)
        working = dict(image)
        working["tags"] = list(image["tags"])
        for op, key, value in changes:
            self._apply(working, caller, op, key, value, draft)
        if changes:
            before = {key for key in image if key not in BASE_KEYS}
            after = [key for key in working if key not in BASE_KEYS]
            if set(after) - before:
                counted = [key for key in after if not key.startswith(RESERVED_NAMESPACE)]
                if len(counted) > PROPERTY_QUOTA:
                    raise HTTPError(413, _limit_message("properties", len(counted), PROPERTY_QUOTA))
            working["updated_at"] = self._now()
            image.clear()
            image.update(working)
            self._orders.clear()
        return _json(200, self._view(image))

    @staticmethod
    def _parse_change(raw: Any, draft: int) -> tuple[str, str, Any]:
        """RequestDeserializer.update for one operation: every check that needs no image."""
        ops = ("add", "remove", "replace")
        if not isinstance(raw, dict):
            raise _bad("Operations must be JSON objects.")
        if draft == 10:
            op = raw.get("op")
            if op is None:
                raise _bad(
                    f"Unable to find `op` in JSON Schema change. It must be one of the following: {', '.join(ops)}."
                )
            if op not in ops:
                raise _bad(f"Invalid operation: `{op}`. It must be one of the following: {', '.join(ops)}.")
            if "path" not in raw:
                raise _bad("Unable to find 'path' in JSON Schema change")
            pointer = raw["path"]
        else:
            present = [name for name in ops if name in raw]
            if len(present) != 1:
                raise _bad('Operation objects must contain exactly one member named "add", "remove", or "replace".')
            op = present[0]
            pointer = raw[op]
        if not isinstance(pointer, str):
            raise _bad(f'Pointer `{pointer}` does not start with "/".')
        if not pointer.startswith("/"):
            raise _bad(f'Pointer `{pointer}` does not start with "/".')
        if re.search(r"/\s*?/", pointer[1:]):
            raise _bad(f'Pointer `{pointer}` contains adjacent "/".')
        if len(pointer) > 1 and pointer.endswith("/"):
            raise _bad(f'Pointer `{pointer}` end with "/".')
        if re.search("~[^01]", pointer) or pointer.endswith("~"):
            raise _bad(f'Pointer `{pointer}` contains "~" not part of a recognized escape sequence.')
        path = [part.replace("~1", "/").replace("~0", "~").strip() for part in pointer.lstrip("/").split("/")]
        root = path[0]
        depth = {"add": 2, "remove": 2, "replace": 1}[op] if root == "locations" else 1
        if len(path) != depth:
            raise _bad(f"Invalid JSON pointer for this resource: '/{'/'.join(path)}'")
        value = None
        if op != "remove":
            if "value" not in raw:
                raise _bad(f'Operation "{op}" requires a member named "value".')
            value = raw["value"]
        if root in READ_ONLY:
            raise _forbidden(f"Attribute '{root}' is read-only.")
        if root in RESERVED or root.startswith(RESERVED_NAMESPACE):
            raise _forbidden(f"Attribute '{root}' is reserved.")
        if op != "remove" and len(path) == 1:
            validate_partial({root: value})
        return op, root, value

    def _apply(self, image: Image, caller: Caller, op: str, key: str, value: Any, draft: int) -> None:
        if key == "locations":
            if op == "replace" and not value:
                raise HTTPError(403, detail="Cannot set locations to empty list.")
            raise _forbidden("You are not authorized to complete set_image_location action.")
        if op == "replace" and key == "owner" and not caller.is_admin:
            raise HTTPError(403, detail="Owner can't be updated by non admin.")
        if op != "remove" and key == "visibility":
            self._check_visibility_policy(value, caller)
        self._check_mutable(image, caller)
        is_base = key in PATCHABLE_BASE or key == "tags"
        if op == "remove":
            if is_base:
                raise HTTPError(403, detail=f"Property {key} may not be removed.")
            if key not in image:
                raise HTTPError(409, detail=f"Property {key} does not exist.")
            del image[key]
            return
        if op == "replace" and not is_base and key not in image:
            raise HTTPError(409, detail=f"Property {key} does not exist.")
        if op == "add" and draft == 4 and (is_base or key in image):
            raise HTTPError(409, detail=f"Property {key} already present.")
        if not is_base and len(key) > 255:
            raise _bad("Custom property should not be greater than 255 characters.")
        if key in ("disk_format", "container_format") and image["status"] not in ("queued", "importing"):
            raise _forbidden(f"Attribute {key} can be only replaced for a queued image.")
        if key in ("min_ram", "min_disk"):
            if value < 0:
                raise _bad(f"Invalid value '{value}' for parameter '{key}': Cannot be a negative value")
            value = int(value)
        if key == "tags":
            if len(value) > TAG_QUOTA:
                raise HTTPError(413, _limit_message("tags", len(value), TAG_QUOTA))
            value = list(dict.fromkeys(value))
        image[key] = value

    # -- delete, tags, actions -----------------------------------------------------------------------------

    def _delete(self, caller: Caller, image_id: str) -> tuple[int, dict[str, str], bytes]:
        image = self._get_visible(image_id, caller, f"Failed to find image {image_id} to delete")
        self._check_mutable(image, caller, "delete_image")
        if image["protected"]:
            raise _forbidden(f"Image {image_id} is protected and cannot be deleted.")
        # soft delete, as Glance: the row stays (ids cannot be reused; admins may still page from it)
        image["status"] = "deleted"
        image["updated_at"] = self._now()
        self._orders.clear()
        return 204, {}, b""

    def _add_tag(self, caller: Caller, image_id: str, tag: str) -> tuple[int, dict[str, str], bytes]:
        validate_partial({"tags": [tag]})
        image = self._get_visible(image_id, caller, f"Image {image_id} not found.")
        self._check_mutable(image, caller)
        if tag not in image["tags"]:
            if len(image["tags"]) + 1 > TAG_QUOTA:
                message = _limit_message("tags", len(image["tags"]) + 1, TAG_QUOTA)
                raise HTTPError(413, f"Image tag limit exceeded for image {image_id}: {message}:")
            image["tags"].append(tag)
        image["updated_at"] = self._now()
        self._orders.clear()
        return 204, {}, b""

    def _remove_tag(self, caller: Caller, image_id: str, tag: str) -> tuple[int, dict[str, str], bytes]:
        image = self._get_visible(image_id, caller, f"Image {image_id} not found.")
        self._check_mutable(image, caller)
        if tag not in image["tags"]:
            raise HTTPError(404)
        image["tags"].remove(tag)
        image["updated_at"] = self._now()
        self._orders.clear()
        return 204, {}, b""

    def _action(self, caller: Caller, image_id: str, action: str) -> tuple[int, dict[str, str], bytes]:
        image = self._get_visible(image_id, caller, f"Image {image_id} not found.")
        if not caller.is_admin:
            raise _forbidden(f"You are not authorized to complete {action} action.")
        current = image["status"]
        source, target = ("active", "deactivated") if action == "deactivate" else ("deactivated", "active")
        if current == source:
            image["status"] = target
            image["updated_at"] = self._now()
            self._orders.clear()
        elif current != target:
            raise _forbidden(f"Not allowed to {action} image in status '{current}'")
        return 204, {}, b""

    # -- members -------------------------------------------------------------------------------------------

    def _member_view(self, image: Image, member: str, status: str) -> dict[str, Any]:
        stamp = isotime(image["created_at"])
        return {
            "created_at": stamp,
            "updated_at": stamp,
            "image_id": image["id"],
            "member_id": member,
            "status": status,
            "schema": "/v2/schemas/member",
        }

    def _members(
        self, request: httpx.Request, caller: Caller, image_id: str, member: str | None
    ) -> tuple[int, dict[str, str], bytes]:
        image = self._get_visible(image_id, caller, f"Image {image_id} not found.")
        method = request.method.upper()
        table = self.members.setdefault(image_id, {})
        if member is None:
            if method == "GET":
                visible = table if caller.is_admin or image["owner"] == caller.project else {}
                if caller.project in table and not visible:
                    visible = {caller.project: table[caller.project]}
                views = [self._member_view(image, m, s) for m, s in visible.items()]
                return _json(200, {"members": views, "schema": "/v2/schemas/members"})
            if method == "POST":
                self._check_mutable(image, caller, "add_member")
                if image["visibility"] != "shared":
                    raise _forbidden(f"Image {image_id} is not shared. Only shared images may have members.")
                body = _json_body(request, required=True)
                if not isinstance(body, dict) or not isinstance(body.get("member"), str):
                    raise _bad("Member to be added not specified")
                new = body["member"]
                if new in table:
                    raise HTTPError(409, f"Member {new} already exists.")
                table[new] = "pending"
                return _json(200, self._member_view(image, new, "pending"))
            raise _not_allowed(method, "GET, POST")
        if member not in table:
            raise HTTPError(404, f"{member} is not a member of image {image_id}.")
        if method == "GET":
            return _json(200, self._member_view(image, member, table[member]))
        if method == "PUT":
            if caller.project != member and not caller.is_admin:
                raise _forbidden("You are not authorized to complete modify_member action.")
            body = _json_body(request, required=True)
            status = body.get("status") if isinstance(body, dict) else None
            if status not in ("pending", "accepted", "rejected"):
                raise _bad(f"Invalid status: {status}")
            table[member] = status
            return _json(200, self._member_view(image, member, status))
        if method == "DELETE":
            self._check_mutable(image, caller, "delete_member")
            del table[member]
            return 204, {}, b""
        raise _not_allowed(method, "GET, PUT, DELETE")


def _limit_message(what: str, attempted: int, maximum: int) -> str:
    return (
        f"The limit has been exceeded on the number of allowed image {what}. Attempted: {attempted}, Maximum: {maximum}"
    )


def _not_allowed(method: str, allowed: str) -> HTTPError:
    return HTTPError(
        405,
        headers={"allow": allowed},
        template=f"The method {method} is not allowed for this resource. <br /><br />\n${{detail}}",
    )


def _json(status: int, payload: Any) -> tuple[int, dict[str, str], bytes]:
    return status, {"content-type": "application/json"}, json.dumps(payload, ensure_ascii=False).encode()


def _json_body(request: httpx.Request, *, required: bool) -> Any:
    content = request.content
    if not content:
        if required:
            raise _bad("Body expected in request.")
        return None
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        raise _bad(
            "Error decoding your request. Either the URL or the request body contained characters that could not "
            "be decoded by Glance"
        ) from None
    try:
        data = json.loads(text)
    except ValueError:
        raise _bad("Malformed JSON in request body.") from None
    if not isinstance(data, (dict, list)):
        raise _bad("Unexpected body type. Expected list/dict.")
    return data


class DemoTransport(httpx.AsyncBaseTransport, httpx.BaseTransport):
    """Both transport flavours, so sync and async httpx clients can talk to the same demo cloud."""

    def __init__(self, cloud: DemoCloud) -> None:
        self.cloud = cloud

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()
        return self.cloud.handle(request)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        if self.cloud.latency > 0:
            await asyncio.sleep(self.cloud.latency)
        return self.cloud.handle(request)
