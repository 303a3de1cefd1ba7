"""What create and PATCH accept, as Glance 33 checks it: the create body (deserializer, then the image factory),
and JSON-patch operations (deserializer checks first, then each change against the image and the policy).

Every check runs in Glance's order, because when a request breaks several rules the first one decides the error.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Container, Iterable
from datetime import datetime
from typing import Any

import httpx

from .errors import HTTPError, bad, forbidden, limit_message
from .schema import (
    BASE_KEYS,
    CREATE_BASE,
    CREATE_DISALLOWED,
    FACTORY_READ_ONLY,
    FACTORY_RESERVED,
    PATCH_MEDIA_TYPES,
    PATCHABLE_BASE,
    PROPERTY_QUOTA,
    READ_ONLY,
    RESERVED,
    RESERVED_NAMESPACE,
    TAG_QUOTA,
    Image,
    validate_partial,
)
from .store import Caller

Change = tuple[str, str, Any]

# -- create ------------------------------------------------------------------------------------------------


def new_image(body: Any, caller: Caller, existing: Container[str], now: Callable[[], datetime]) -> Image:
    """The record POST /v2/images makes of ``body``; ``now`` is only asked once every check has passed."""
    if not isinstance(body, dict):
        raise bad("Request body must be a JSON object.")  # Glance answers a list with a 500
    for key in CREATE_DISALLOWED:
        if key in body:
            raise forbidden(f"Attribute '{key}' is read-only.")
    validate_partial(body)
    attributes = {key: body.pop(key) for key in CREATE_BASE if key in body}
    tags = attributes.pop("tags", [])
    # Glance takes these as extra properties and then serializes its own (null) attributes over them
    body.pop("os_hash_algo", None)
    body.pop("os_hash_value", None)
    extra = body
    for key in extra:
        if len(key) > 255:
            raise bad("Custom property should not be greater than 255 characters.")
        if key in RESERVED or key.startswith(RESERVED_NAMESPACE):
            raise forbidden(f"Attribute '{key}' is reserved.")

    owner = attributes.get("owner", caller.project)
    caller.check_create(owner)
    caller.check_visibility(attributes.get("visibility"), owner)
    for key in FACTORY_READ_ONLY:
        if key in attributes or key in extra:
            raise forbidden(f"Attribute '{key}' is read-only.")
    for key in FACTORY_RESERVED:
        if key in extra:
            raise forbidden(f"Attribute '{key}' is reserved.")
    for key in ("min_disk", "min_ram"):
        if attributes.get(key) is not None and attributes[key] < 0:
            raise bad(f"Invalid value '{attributes[key]}' for parameter '{key}': Cannot be a negative value")
    if len(tags) > TAG_QUOTA:
        raise HTTPError(413, limit_message("tags", len(tags), TAG_QUOTA))
    _check_property_quota(extra)
    image_id = attributes.get("id") or str(uuid.uuid4())
    record = {
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
        "created_at": None,
        "updated_at": None,
        "tags": list(dict.fromkeys(tags)),
        **extra,
    }
    check_stored(record)
    if image_id in existing:
        raise HTTPError(409, f"Image ID {image_id} already exists!")
    # Glance has saved the image by now and fails on a 4-byte tag only afterwards, leaving the image behind
    # without any of its tags; the demo refuses the whole request instead (see check_stored).
    check_stored_tags(record["tags"], ())
    record["created_at"] = record["updated_at"] = now()
    return record


def _check_property_quota(keys: Iterable[str]) -> None:
    counted = [key for key in keys if not key.startswith(RESERVED_NAMESPACE)]
    if len(counted) > PROPERTY_QUOTA:
        raise HTTPError(413, limit_message("properties", len(counted), PROPERTY_QUOTA))


# -- PATCH -------------------------------------------------------------------------------------------------


def patch_draft(request: httpx.Request) -> int:
    """The JSON-patch draft (4 or 10) the Content-Type asks for; 415 for anything else."""
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
    return PATCH_MEDIA_TYPES[media_type]


def parse_changes(body: Any, draft: int) -> list[Change]:
    if not isinstance(body, list):
        raise bad("Request body must be a JSON array of operation objects.")
    return [_parse_change(raw, draft) for raw in body]


def _parse_change(raw: Any, draft: int) -> Change:
    """RequestDeserializer.update for one operation: every check that needs no image."""
    ops = ("add", "remove", "replace")
    if not isinstance(raw, dict):
        raise bad("Operations must be JSON objects.")
    if draft == 10:
        op = raw.get("op")
        if op is None:
            raise bad(f"Unable to find `op` in JSON Schema change. It must be one of the following: {', '.join(ops)}.")
        if op not in ops:
            raise bad(f"Invalid operation: `{op}`. It must be one of the following: {', '.join(ops)}.")
        if "path" not in raw:
            raise bad("Unable to find 'path' in JSON Schema change")
        pointer = raw["path"]
    else:
        present = [name for name in ops if name in raw]
        if len(present) != 1:
            raise bad('Operation objects must contain exactly one member named "add", "remove", or "replace".')
        op = present[0]
        pointer = raw[op]
    if not isinstance(pointer, str):
        raise bad(f'Pointer `{pointer}` does not start with "/".')
    if not pointer.startswith("/"):
        raise bad(f'Pointer `{pointer}` does not start with "/".')
    if re.search(r"/\s*?/", pointer[1:]):
        raise bad(f'Pointer `{pointer}` contains adjacent "/".')
    if len(pointer) > 1 and pointer.endswith("/"):
        raise bad(f'Pointer `{pointer}` end with "/".')
    if re.search("~[^01]", pointer) or pointer.endswith("~"):
        raise bad(f'Pointer `{pointer}` contains "~" not part of a recognized escape sequence.')
    path = [part.replace("~1", "/").replace("~0", "~").strip() for part in pointer.lstrip("/").split("/")]
    root = path[0]
    depth = {"add": 2, "remove": 2, "replace": 1}[op] if root == "locations" else 1
    if len(path) != depth:
        raise bad(f"Invalid JSON pointer for this resource: '/{'/'.join(path)}'")
    value = None
    if op != "remove":
        if "value" not in raw:
            raise bad(f'Operation "{op}" requires a member named "value".')
        value = raw["value"]
    if root in READ_ONLY:
        raise forbidden(f"Attribute '{root}' is read-only.")
    if root in RESERVED or root.startswith(RESERVED_NAMESPACE):
        raise forbidden(f"Attribute '{root}' is reserved.")
    if op != "remove" and len(path) == 1:
        validate_partial({root: value})
    return op, root, value


def patched(image: Image, caller: Caller, changes: list[Change], draft: int) -> Image:
    """A copy of ``image`` with every change applied (the image itself is untouched if any change fails)."""
    working = dict(image)
    working["tags"] = list(image["tags"])
    for op, key, value in changes:
        _apply(working, caller, op, key, value, draft)
    if changes:
        before = {key for key in image if key not in BASE_KEYS}
        after = [key for key in working if key not in BASE_KEYS]
        if set(after) - before:
            _check_property_quota(after)
        # image_repo.save: the whole record is written (and checked) again, then the new tags
        check_stored(working)
        check_stored_tags(working["tags"], image["tags"])
    return working


# -- saving: what Glance's database layer refuses ---------------------------------------------------------

_FOUR_BYTE = re.compile("[\U00010000-\U0010ffff]")
DB_INT_MAX = 2**31 - 1


def check_stored(image: Image) -> None:
    """glance.db.sqlalchemy.api._image_update's checks, run on every save of the *whole* record.

    utils.no_4byte_params walks the values Glance writes (ImageRepo._format_image_to_db: name and owner among
    the strings a user can set, then the properties, each key before its value), then _validate_db_int checks
    min_disk and min_ram. Because the whole record is checked, an image stored with a 4-byte name (IMS clouds
    have them, and so does the demo's seed) can be listed, read, renamed and deleted, but any other edit,
    tags included, is refused until the name is changed: that is what the lab's Glance answers.
    """
    for key in ("name", "owner"):
        value = image[key]
        if isinstance(value, str) and _FOUR_BYTE.search(value):
            raise bad(f"{key.title()} can't contain 4 byte unicode characters.")
    for key, value in image.items():
        if key in BASE_KEYS:
            continue
        if _FOUR_BYTE.search(key):
            raise bad("Property names can't contain 4 byte unicode.")
        if isinstance(value, str) and _FOUR_BYTE.search(value):
            raise bad(f"{key.title()} can't contain 4 byte unicode characters.")
    for key in ("min_disk", "min_ram"):
        if image[key] and image[key] > DB_INT_MAX:
            raise bad(f"'{key}' value out of range, must not exceed {DB_INT_MAX}.")


def check_stored_tags(tags: Iterable[str], existing: Container[str]) -> None:
    """image_tag_set_all: each tag the image did not have yet goes through no_4byte_params on its own.

    Glance writes the tags after the image and in another transaction, so there a refused tag leaves the rest
    of the request applied (or, on create, the image created without tags): a bug the demo does not copy.
    """
    for tag in tags:
        if tag not in existing and _FOUR_BYTE.search(tag):
            raise bad("Param values can't contain 4 byte unicode.")


def _apply(image: Image, caller: Caller, op: str, key: str, value: Any, draft: int) -> None:
    if key == "locations":
        if op == "replace" and not value:
            raise HTTPError(403, detail="Cannot set locations to empty list.")
        raise forbidden("You are not authorized to complete set_image_location action.")
    if op == "replace" and key == "owner" and not caller.is_admin:
        raise HTTPError(403, detail="Owner can't be updated by non admin.")
    if op != "remove" and key == "visibility":
        caller.check_visibility(value, image["owner"])
    caller.check_mutable(image)
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
        raise bad("Custom property should not be greater than 255 characters.")
    if key in ("disk_format", "container_format") and image["status"] not in ("queued", "importing"):
        raise forbidden(f"Attribute {key} can be only replaced for a queued image.")
    if key in ("min_ram", "min_disk"):
        if value < 0:
            raise bad(f"Invalid value '{value}' for parameter '{key}': Cannot be a negative value")
        value = int(value)
    if key == "tags":
        if len(value) > TAG_QUOTA:
            raise HTTPError(413, limit_message("tags", len(value), TAG_QUOTA))
        value = list(dict.fromkeys(value))
    image[key] = value
