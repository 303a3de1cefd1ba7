"""IMS's key/value image tags in the simulator (``GET/POST .../tags[/action]``, ``DELETE .../tags/{key}``).

Kept apart from the Glance string tags (``cloud.kv_tags``: image id -> key -> value), checked as the API reference
says: on create a key of 1-36 characters and a value of 0-43 without = * < > \\ , | / or edge spaces, unique keys
in one request, at most 10 tags an image; on delete only lengths (127 and 255) are checked and a missing key is
no error (the call is idempotent). Only the caller's own images carry tags.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import httpx

from . import ims_jobs
from .errors import Reply, json_reply
from .ims_views import ImsError

if TYPE_CHECKING:
    from .ims_cloud import ImsCloud

MAX_TAGS = 10
_FORBIDDEN = re.compile(r"[=*<>\\,|/]")


def _image_tags(cloud: ImsCloud, project_id: str, image_id: str) -> dict[str, str]:
    if project_id != cloud.gate.account.project_id:
        raise ImsError(403, "IMG.0030", f"The project {project_id} is not the caller's project.")
    ims_jobs.own_image(cloud, image_id)
    return cloud.kv_tags.setdefault(image_id, {})


def list_tags(cloud: ImsCloud, request: httpx.Request, project_id: str, image_id: str) -> Reply:
    tags = _image_tags(cloud, project_id, image_id)
    return json_reply(200, {"tags": [{"key": key, "value": value} for key, value in tags.items()]})


def _pairs(body: dict[str, Any]) -> list[tuple[str, str]]:
    tags = body.get("tags")
    if not isinstance(tags, list) or not tags:
        raise ImsError(400, "IMG.0001", "The tags are mandatory: a list of {key, value}.")
    pairs = []
    for tag in tags:
        if not isinstance(tag, dict) or not isinstance(tag.get("key"), str) or not tag["key"].strip():
            raise ImsError(400, "IMG.0001", "A tag key cannot be empty.")
        value = tag.get("value", "")
        if not isinstance(value, str):
            raise ImsError(400, "IMG.0001", f"The value of the tag {tag['key']} must be a string.")
        pairs.append((tag["key"], value))
    keys = [key for key, _value in pairs]
    if len(set(keys)) != len(keys):
        raise ImsError(400, "IMG.0001", "The keys of the tags in one request must be unique.")
    return pairs


def _check_create(key: str, value: str) -> None:
    if len(key) > 36 or len(value) > 43:
        raise ImsError(400, "IMG.0001", f"The tag {key[:40]}: a key has at most 36 characters, a value 43.")
    for text in (key, value):
        if _FORBIDDEN.search(text) or text != text.strip():
            raise ImsError(400, "IMG.0001", f"The tag {key[:40]} has a character IMS does not take.")


def tags_action(cloud: ImsCloud, request: httpx.Request, project_id: str, image_id: str) -> Reply:
    tags = _image_tags(cloud, project_id, image_id)
    body = ims_jobs.body_of(request)
    action = body.get("action")
    pairs = _pairs(body)
    if action == "create":
        for key, value in pairs:
            _check_create(key, value)
        if len(set(tags) | {key for key, _value in pairs}) > MAX_TAGS:
            raise ImsError(400, "IMG.0001", f"An image can have at most {MAX_TAGS} tags.")
        tags.update(pairs)
    elif action == "delete":
        for key, value in pairs:
            if len(key) > 127 or len(value) > 255:
                raise ImsError(400, "IMG.0001", "A tag key has at most 127 characters, a value 255.")
        for key, _value in pairs:
            tags.pop(key, None)
    else:
        raise ImsError(400, "IMG.0001", "The action is create or delete (case sensitive).")
    return Reply(204, {}, b"")


def delete_tag(cloud: ImsCloud, request: httpx.Request, project_id: str, image_id: str, key: str) -> Reply:
    tags = _image_tags(cloud, project_id, image_id)
    if key not in tags:
        raise ImsError(404, "IMG.0027", f"The image has no tag {key[:40]}.")
    del tags[key]
    return Reply(204, {}, b"")
