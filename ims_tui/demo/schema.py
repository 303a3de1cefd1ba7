"""Glance 33's image schema as the demo cloud serves and enforces it: the attribute lists that drive create and
PATCH, ``/v2/schemas/image(s)``, the serialized view of an image, and the jsonschema subset used to validate."""

from __future__ import annotations

import pprint
import re
import textwrap
from collections.abc import Iterable, Iterator
from datetime import datetime, timezone
from typing import Any, NamedTuple

from .errors import bad

Image = dict[str, Any]

PATCH_MEDIA_TYPES = {
    "application/openstack-images-v2.0-json-patch": 4,
    "application/openstack-images-v2.1-json-patch": 10,
}
PROPERTY_QUOTA = 128
TAG_QUOTA = 128
MEMBER_QUOTA = 128  # image_member_quota
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
# The id pattern of every Glance schema (image, member, task).
UUID_PATTERN = "^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){12}$"
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
            "pattern": UUID_PATTERN,
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


ADDITIONAL_PROPERTIES: dict[str, Any] = {"type": "string"}


def image_schema() -> dict[str, Any]:
    return {
        "name": "image",
        "properties": _image_properties(),
        "additionalProperties": dict(ADDITIONAL_PROPERTIES),
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


PROPERTIES = _image_properties()

# Glance 33 with several stores and no image cache lists exactly these, in this (odd) order. (The lab's Glance
# has an image cache directory configured, so it lists 2.18 as CURRENT and 2.14 and 2.16 as well.)
VERSIONS = (
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
# The URL prefixes Glance's version negotiation filter accepts; any other first segment gets the list (300).
URL_VERSIONS = frozenset(("v2", *(f"v{number}" for number, _ in VERSIONS)))


def isotime(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def image_view(image: Image, stores: list[str] | None = None) -> Image:
    """What GET /v2/images/{id} shows of a stored record: custom properties, then the base attributes in order.

    ``stores``: the stores holding its data (Glance lists them from its locations); None for a seed image,
    whose data is taken to be in the default store once it is active."""
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
    if stores:
        view["stores"] = ",".join(stores)
    elif stores is None and image["status"] == "active" and image["checksum"]:
        view["stores"] = "fs"
    return view


def member_view(image: Image, member: str, status: str) -> dict[str, Any]:
    stamp = isotime(image["created_at"])
    return {
        "created_at": stamp,
        "updated_at": stamp,
        "image_id": image["id"],
        "member_id": member,
        "status": status,
        "schema": "/v2/schemas/member",
    }


# -- schema validation (the subset of jsonschema the image schema uses) -------------------------------------
#
# Glance validates with jsonschema.validate and puts str(error) in the message: the reason, then the failing
# subschema and the instance, pretty-printed. When several values fail, jsonschema's best_match reports one:
# the shallowest, and among siblings the greatest path (so {"tags": [1, 2]} names 2, and "zz" beats "hw").


class _Failure(NamedTuple):
    path: tuple[str | int, ...]
    schema_path: tuple[str | int, ...]
    validator: str
    schema: dict[str, Any]
    instance: Any
    message: str

    def __str__(self) -> str:
        """jsonschema.exceptions._Error.__str__ (jsonschema 4.x, the version Glance 33 runs with)."""

        def index(container: str, indices: Iterable[str | int]) -> str:
            return container + "".join(f"[{item!r}]" for item in indices)

        def pretty(thing: Any) -> str:
            return textwrap.indent(pprint.pformat(thing, width=72, sort_dicts=False), "    ").lstrip()

        return (
            f"{self.message}\n\n"
            f"Failed validating {self.validator!r} in {index('schema', self.schema_path)}:\n"
            f"    {pretty(self.schema)}\n\n"
            f"On {index('instance', self.path)}:\n"
            f"    {pretty(self.instance)}"
        )


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


def _failures(
    value: Any, schema: dict[str, Any], path: tuple[str | int, ...], schema_path: tuple[str | int, ...]
) -> Iterator[_Failure]:
    """Every failure of ``value`` against ``schema``, in jsonschema's order (the schema's keyword order)."""
    for keyword, expected in schema.items():
        where = (*schema_path, keyword)
        if keyword == "type":
            kinds = expected if isinstance(expected, list) else [expected]
            if not any(_type_ok(value, kind) for kind in kinds):
                names = ", ".join(repr(kind) for kind in kinds)
                yield _Failure(path, schema_path, keyword, schema, value, f"{value!r} is not of type {names}")
        elif keyword == "enum":
            if not any(_json_equal(value, option) for option in expected):
                yield _Failure(path, schema_path, keyword, schema, value, f"{value!r} is not one of {expected!r}")
        elif keyword == "maxLength":
            if isinstance(value, str) and len(value) > expected:
                yield _Failure(path, schema_path, keyword, schema, value, f"{value!r} is too long")
        elif keyword == "pattern":
            if isinstance(value, str) and not re.search(expected, value):
                message = f"{value!r} does not match {expected!r}"
                yield _Failure(path, schema_path, keyword, schema, value, message)
        elif keyword == "items" and isinstance(value, list):
            for position, item in enumerate(value):
                yield from _failures(item, expected, (*path, position), where)


def _json_equal(a: Any, b: Any) -> bool:
    # jsonschema's equality: True is not 1, 1.0 is 1
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return bool(a == b)


def _relevance(failure: _Failure) -> tuple[int, tuple[str | int, ...]]:
    return -len(failure.path), failure.path


def validate_partial(obj: dict[str, Any]) -> None:
    """jsonschema.validate(obj, image_schema()) as Glance runs it (properties first, then additionalProperties),
    raising Glance's 400 with the best match's full text."""
    found = [
        failure
        for key, schema in PROPERTIES.items()
        if key in obj
        for failure in _failures(obj[key], schema, (key,), ("properties", key))
    ]
    found += [
        failure
        for key, value in obj.items()
        if key not in PROPERTIES
        for failure in _failures(value, ADDITIONAL_PROPERTIES, (key,), ("additionalProperties",))
    ]
    if found:
        best = max(found, key=_relevance)  # max keeps the first of equals, as best_match does
        raise bad(f"Provided object does not match schema 'image': {best}")
