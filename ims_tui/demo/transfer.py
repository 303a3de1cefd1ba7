"""Image data in and out of the demo cloud, as Glance 33's ImageDataController does it.

Upload (``PUT .../file``) and stage (``PUT .../stage``) check the request first, without reading the body, then
return a ``DataSink``: the transport feeds it the body chunk by chunk (an in-process client cancelled half-way
aborts it), then ``finish()`` answers. Meanwhile the image is ``saving`` (``uploading`` for a stage); an aborted
upload goes back to ``queued`` with nothing stored, as Glance's ``_restore`` does.

Download (``GET .../file``) streams from the blob store and honours one ``Range`` (206 + Content-Range), answers
204 for an image without data, and refuses a deactivated image to non-admins (403), as Glance does.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import httpx

from .data import HASH_ALGO, INSPECTABLE, BlobWriter, sniff, virtual_size
from .errors import HTTPError, Reply, bad, forbidden
from .schema import Image
from .store import Caller

if TYPE_CHECKING:
    from .service import DemoCloud

OCTET = "application/octet-stream"
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def unsupported_media_type(detail: str) -> HTTPError:
    return HTTPError(
        415,
        detail=detail,
        template=f"The request media type {OCTET} is not supported by this server.\n<br /><br />\n${{detail}}",
    )


def _check_content_type(request: httpx.Request) -> None:
    """RequestDeserializer.upload/stage: only application/octet-stream (webob's 415 names the type sent)."""
    content_type = request.headers.get("content-type", "")
    if content_type.split(";")[0].strip().lower() != OCTET:
        raise HTTPError(
            415,
            detail=f"Invalid content type {content_type}",
            template=f"The request media type {content_type} is not supported by this server.\n<br /><br />\n"
            "${detail}",
        )


class DataSink:
    """An accepted upload or stage waiting for its body; ``on_done`` builds the answer from a ``Reply``."""

    def __init__(self, cloud: DemoCloud, image: Image, writer: BlobWriter, stage: bool, store: str) -> None:
        self.cloud = cloud
        self.image = image
        self.writer = writer
        self.stage = stage
        self.store = store
        # set by DemoCloud.handle: the request and the headers its answer carries (the request id)
        self.request: httpx.Request
        self.headers: dict[str, str] = {}

    def write(self, chunk: bytes) -> None:
        self.writer.write(chunk)

    def abort(self) -> None:
        """The body never arrived whole: nothing is stored and the image is queued again."""
        self.writer.abort()
        if self.image["status"] in ("saving", "uploading"):
            self.image["status"] = "queued"
            self.cloud.touch(self.image)

    def finish(self) -> Reply:
        writer, image = self.writer, self.image
        if self.stage:
            writer.commit()
            image["size"] = writer.size
            self.cloud.touch(image)
            return Reply(204, {"content-type": "text/html; charset=UTF-8"}, b"")
        found = sniff(writer.head)
        disk_format = image["disk_format"]
        if image["container_format"] == "bare" and found != disk_format:
            allowed = (found == "raw" and disk_format not in INSPECTABLE) or disk_format == "raw"
            if not allowed:
                # Glance has hashed the data by then and keeps the hashes on the queued image, not the size
                writer.abort()
                image.update(status="queued", checksum=writer.checksum, os_hash_algo=HASH_ALGO)
                image["os_hash_value"] = writer.hash_value
                self.cloud.touch(image)
                raise unsupported_media_type(f"Image disk_format {disk_format} does not match stream data {found}")
        writer.commit()
        size = writer.size
        image.update(size=size, checksum=writer.checksum, os_hash_algo=HASH_ALGO, os_hash_value=writer.hash_value)
        image["virtual_size"] = virtual_size(found if found == disk_format else "raw", writer.head, size)
        image["status"] = "active"
        self.cloud.stores_of[image["id"]] = [self.store]
        self.cloud.touch(image)
        return Reply(204, {"content-type": "text/html; charset=UTF-8"}, b"")


def begin_upload(cloud: DemoCloud, request: httpx.Request, caller: Caller, image_id: str) -> DataSink:
    _check_content_type(request)
    store = request.headers.get("x-image-meta-store", cloud.default_store)
    if store not in cloud.store_ids:
        raise HTTPError(400, f"Store for identifier {store} not found")
    image = cloud.images.visible(image_id, caller)
    if not caller.owns(image):
        caller.check_readable(image)
        raise forbidden(f"Not allowed to upload image data for image {image_id}")
    _to(image, "saving")
    if not (image["disk_format"] and image["container_format"]):
        image["status"] = "queued"
        raise bad("Properties disk_format, container_format must be set prior to saving data.")
    cloud.touch(image)
    return DataSink(cloud, image, cloud.blobs.writer(image_id), False, store)


def begin_stage(cloud: DemoCloud, request: httpx.Request, caller: Caller, image_id: str) -> DataSink:
    if "glance-direct" not in cloud.import_methods:
        raise HTTPError(404, "'glance-direct' method is not available at this site.")
    _check_content_type(request)
    image = cloud.images.visible(image_id, caller)
    caller.check_mutable(image)
    _to(image, "uploading")
    cloud.touch(image)
    return DataSink(cloud, image, cloud.blobs.writer(staging_key(image_id)), True, "os_glance_staging_store")


def staging_key(image_id: str) -> str:
    return f"staging/{image_id}"


def _to(image: Image, status: str) -> None:
    if image["status"] != "queued":
        raise HTTPError(409, f"Image status transition from {image['status']} to {status} is not allowed")
    image["status"] = status


def download(cloud: DemoCloud, request: httpx.Request, caller: Caller, image_id: str) -> Reply:
    image = cloud.images.visible(image_id, caller)
    if image["status"] == "deactivated" and not caller.is_admin:
        raise forbidden("The requested image has been deactivated. Image data download is forbidden.")
    caller.check_readable(image)
    if image_id not in cloud.blobs or not cloud.stores_of.get(image_id):
        return Reply(204, {}, b"")
    size = cloud.blobs.size(image_id)
    start, stop = _range(request.headers.get("range"), size)
    headers = {"content-type": OCTET, "content-md5": image["checksum"] or "", "content-length": str(stop - start)}
    status = 200
    if request.headers.get("range"):
        status = 206
        headers["content-range"] = f"bytes {start}-{stop - 1}/{size}"
    return Reply(status, headers, b"", cloud.blobs.read(image_id, start, stop))


def _range(header: str | None, size: int) -> tuple[int, int]:
    """webob's Range parsing as Glance uses it: one ``bytes=a-b``, ``bytes=a-`` or ``bytes=-n``."""
    if not header:
        return 0, size
    found = _RANGE.match(header.strip())
    if found is None or found.groups() == ("", ""):
        return 0, size  # webob ignores a Range it cannot parse
    first, last = found.groups()
    if first == "":
        return max(0, size - int(last)), size
    start = int(first)
    if start >= size:
        raise HTTPError(
            416,
            "The Range requested is not available.",
            detail=f"Invalid start position in Range header. Start position MUST be in the inclusive range "
            f"[0, {size - 1}].",
        )
    stop = size if last == "" else min(size, int(last) + 1)
    return start, stop
