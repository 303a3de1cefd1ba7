"""Interoperable import in the demo cloud, as Glance 33 runs it (glance/api/v2/images.py import_image,
glance/async_/flows/api_image_import.py): the info calls, the import POST with its checks in Glance's order,
the background task, the image's tasks, and deleting data from one store.

The task runs "in the background" by time: it is due ``import_delay`` seconds after the POST on the cloud's
clock and is finished by the first request that comes after (``run_due``), so a watch sees ``importing`` when
there is a delay and the demo needs no thread. web-download fetches from ``web_files`` (URL -> bytes), which the
demo can reach without a network; another URL fails the task as Glance does for a 404.
"""

from __future__ import annotations

import ipaddress
import urllib.parse
import uuid
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import httpx

from .data import HASH_ALGO, sniff, virtual_size
from .errors import HTTPError, Reply, bad, forbidden, json_body, json_reply, no_content
from .schema import Image, isotime
from .store import Caller
from .transfer import staging_key

if TYPE_CHECKING:
    from .service import DemoCloud

IMPORTING = "os_glance_importing_to_stores"
FAILED = "os_glance_failed_import"
LOCK = "os_glance_import_task"
TASK_LIFETIME = timedelta(hours=48)  # Glance's task_time_to_live


def info_import(cloud: DemoCloud, request: httpx.Request, caller: Caller) -> Reply:
    methods = {"description": "Import methods available.", "type": "array", "value": list(cloud.import_methods)}
    return json_reply(200, {"import-methods": methods})


def info_stores(cloud: DemoCloud, request: httpx.Request, caller: Caller) -> Reply:
    stores: list[dict[str, str]] = []
    for store, description in cloud.store_descriptions.items():
        entry = {"id": store, "description": description}
        if store == cloud.default_store:
            entry["default"] = "true"
        stores.append(entry)
    return json_reply(200, {"stores": stores})


def _body(request: httpx.Request, cloud: DemoCloud) -> dict[str, Any]:
    """ImagesController._validate_import_body, in its order."""
    body = json_body(request, required=True)
    if not isinstance(body, dict) or "method" not in body:
        raise bad("Import request requires a 'method' field.")
    method = body["method"]
    if not isinstance(method, dict) or "name" not in method:
        raise bad("Import request requires a 'name' field.")
    if method["name"] not in cloud.import_methods:
        raise bad(f"Unknown import method name '{method['name']}'.")
    for key, default in (("all_stores_must_succeed", True), ("all_stores", False)):
        if not isinstance(body.get(key, default), bool):
            raise bad(f"'{key}' must be boolean value only")
    return body


def start_import(cloud: DemoCloud, request: httpx.Request, caller: Caller, image_id: str) -> Reply:
    body = _body(request, cloud)
    method = body["method"]["name"]
    uri = body["method"].get("uri")
    image = cloud.images.visible(image_id, caller)
    status = image["status"]
    if status == "active" and method != "copy-image":
        raise HTTPError(409, "Image with status active cannot be target for import")
    if status != "active" and method == "copy-image":
        raise HTTPError(409, "Only images with status active can be targeted for copying")
    if status != "queued" and method == "web-download":
        raise HTTPError(409, f"Image needs to be in 'queued' state to use '{method}' method")
    if status != "uploading" and method == "glance-direct":
        raise HTTPError(409, "Image needs to be staged before 'glance-direct' method can be used")
    for key in ("container_format", "disk_format"):
        if not image[key]:
            raise HTTPError(409, f"'{key}' needs to be set before import")
    if method == "copy-image":
        caller.check_readable(image)
        if not caller.is_admin:
            raise forbidden("You are not authorized to complete copy_image action.")
    else:
        caller.check_mutable(image)
    if image.get(LOCK) and cloud.tasks.get(image[LOCK], {}).get("status") in ("pending", "processing"):
        raise HTTPError(409, "Image has active task")
    stores = _stores(cloud, body, image, method)
    if not stores:
        return json_reply(202, image_id)  # copying to every store, and it is in all of them already
    if method == "web-download" and not _passes_filter(cloud, uri):
        raise bad(f"URI for web-download does not pass filtering: {uri}")
    task = _new_task(cloud, caller, image, body, stores, request)
    image[LOCK] = task["id"]
    image[IMPORTING] = ",".join(stores)
    image[FAILED] = image.get(FAILED, "") if method == "copy-image" else ""
    if method != "copy-image":
        image["status"] = "importing"
    cloud.touch(image)
    if cloud.import_delay <= 0:
        finish_task(cloud, task)
    return json_reply(202, image_id)


def _stores(cloud: DemoCloud, body: dict[str, Any], image: Image, method: str) -> list[str]:
    """utils.get_stores_from_request, then copy-image's checks against the stores the image is in."""
    if body.get("all_stores"):
        if "stores" in body:
            raise bad("All_stores parameter can't be used with x-image-meta-store header or stores parameter")
        stores = list(cloud.store_ids)
    else:
        stores = list(body.get("stores") or [cloud.default_store])
    for store in stores:
        if store not in cloud.store_ids:
            raise HTTPError(409, f"Store for identifier {store} not found")
    if method == "copy-image":
        present = cloud.stores_of.get(image["id"], [cloud.default_store])
        if body.get("all_stores"):
            return [store for store in stores if store not in present]
        for store in present:
            if store in stores:
                raise bad(f"Image is already present at store '{store}'")
    return stores


def _passes_filter(cloud: DemoCloud, uri: Any) -> bool:
    """import_filtering_opts as the lab sets them: http(s) only; loopback and link-local hosts refused unless
    listed in ``web_allowed_hosts`` (the demo's own host is always reachable: it is in-process)."""
    if not isinstance(uri, str):
        return False
    parts = urllib.parse.urlsplit(uri)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return False
    host = parts.hostname
    if host in cloud.web_allowed_hosts or uri in cloud.web_files:
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host != "localhost"
    return not (address.is_loopback or address.is_link_local)


def _new_task(
    cloud: DemoCloud, caller: Caller, image: Image, body: dict[str, Any], stores: list[str], request: httpx.Request
) -> dict[str, Any]:
    now = cloud.now()
    task = {
        "id": str(uuid.uuid4()),
        "type": "api_image_import",
        "status": "processing",
        "owner": caller.project or image["owner"],
        "expires_at": None,
        "created_at": now,
        "updated_at": now,
        "deleted_at": None,
        "deleted": False,
        "image_id": image["id"],
        "request_id": request.headers.get("x-openstack-request-id") or f"req-{uuid.uuid4()}",
        "user_id": request.headers.get("x-user-id"),
        "input": {"image_id": image["id"], "import_req": body, "backend": stores},
        "result": None,
        "message": "",
        "due": now + timedelta(seconds=cloud.import_delay),
    }
    cloud.tasks[task["id"]] = task
    return task


def run_due(cloud: DemoCloud) -> None:
    """Finish every task whose time has come (called before each request is answered)."""
    if not cloud.tasks:
        return
    now = cloud.now()
    for task in list(cloud.tasks.values()):
        if task["status"] == "processing" and task["due"] <= now:
            finish_task(cloud, task)


def finish_task(cloud: DemoCloud, task: dict[str, Any]) -> None:
    image = cloud.images[task["image_id"]]
    method = task["input"]["import_req"]["method"]
    stores: list[str] = task["input"]["backend"]
    image_id = image["id"]
    source = None
    if method["name"] == "glance-direct":
        source = staging_key(image_id)
    elif method["name"] == "web-download":
        data = cloud.web_files.get(method.get("uri", ""))
        if data is None:
            _fail(cloud, task, image, stores, "Task failed due to Internal Error")  # a 404, as Glance words it
            return
        writer = cloud.blobs.writer(staging_key(image_id))
        writer.write(data)
        writer.commit()
        source = staging_key(image_id)
    if source is not None:
        cloud.blobs.move(source, image_id)
        record_data(cloud, image)
        cloud.stores_of[image_id] = list(stores)
        image["status"] = "active"
    else:  # copy-image: the data is there; it is now in more stores
        cloud.stores_of[image_id] = [*cloud.stores_of.get(image_id, [cloud.default_store]), *stores]
    image[IMPORTING] = ""
    image.pop(LOCK, None)
    _done(cloud, task, "success", f"Copied {cloud.blobs.size(image_id) // 2**20} MiB")
    cloud.touch(image)


def record_data(cloud: DemoCloud, image: Image) -> None:
    """What Glance records once data is stored: size, hashes, virtual size."""
    digest = cloud.blobs.digest(image["id"])
    found = sniff(digest.head)
    image.update(size=digest.size, checksum=digest.checksum, os_hash_algo=HASH_ALGO, os_hash_value=digest.hash_value)
    image["virtual_size"] = virtual_size(found if found == image["disk_format"] else "raw", digest.head, digest.size)


def _fail(cloud: DemoCloud, task: dict[str, Any], image: Image, stores: list[str], message: str) -> None:
    image["status"] = "queued"
    image[IMPORTING] = ""
    image[FAILED] = ",".join(stores)
    image.pop(LOCK, None)
    _done(cloud, task, "failure", message)
    cloud.touch(image)


def _done(cloud: DemoCloud, task: dict[str, Any], status: str, message: str) -> None:
    now = cloud.now()
    task.update(status=status, message=message, updated_at=now, expires_at=now + TASK_LIFETIME)
    task["result"] = {"image_id": task["image_id"]} if status == "success" else None


def task_view(task: dict[str, Any]) -> dict[str, Any]:
    view = {key: value for key, value in task.items() if key != "due"}
    for key in ("created_at", "updated_at", "expires_at"):
        if view[key] is not None:
            view[key] = isotime(view[key])
    return view


def image_tasks(cloud: DemoCloud, request: httpx.Request, caller: Caller, image_id: str) -> Reply:
    image = cloud.images.visible(image_id, caller)
    caller.check_readable(image)
    tasks = [task for task in cloud.tasks.values() if task["image_id"] == image_id]
    tasks.sort(key=lambda task: task["created_at"], reverse=True)
    return json_reply(200, {"tasks": [task_view(task) for task in tasks]})


def delete_from_store(cloud: DemoCloud, request: httpx.Request, caller: Caller, store: str, image_id: str) -> Reply:
    """ImagesController.delete_from_store, its checks in Glance's order."""
    if store not in cloud.store_ids:
        raise HTTPError(409, f"The selected store {store} is not available on this node.")
    image = cloud.images.visible(image_id, caller, f"Failed to find image {image_id}")
    caller.check_readable(image)
    if not caller.is_admin:
        raise forbidden("You are not authorized to complete delete_image_location action.")
    if image["status"] != "active":
        raise HTTPError(409, "It's not allowed to remove image data from store if image status is not 'active'")
    present = cloud.stores_of.get(image_id, [cloud.default_store])
    if len(present) == 1:
        raise forbidden(
            "Cannot delete image data from the only store containing it. Consider deleting the image instead."
        )
    if store not in present:
        raise HTTPError(404, f"Image {image_id} is not stored in store {store}.")
    cloud.stores_of[image_id] = [name for name in present if name != store]
    cloud.touch(image)
    return no_content()
