"""IMS and OBS: export an image to a bucket, create an image from a file in one, register a file into a queued
image, and the list of OS versions a new image may name. Every call answers a ``job_id`` (``ims_jobs``).

    POST /v1/cloudimages/{id}/file          {"bucket_url": "bucket:object", "file_format": "qcow2", ...}
    POST /v2/cloudimages/action             {"name", "image_url", "os_version", "min_disk", ...}
    POST /v2/cloudimages/quickimport/action the same, for RAW and ZVHD2 files
    PUT  /v1/cloudimages/{id}/upload        {"image_url": "bucket:object"}
    GET  /v1/cloudimages/os_version         [{"platform", "version_list": [{"os_version", ...}]}]

The checks here are IMS's and OBS's published rules, applied before anything is sent (the API reference's
"Exporting an Image", "Creating an Image", "Importing an Image File Quickly", and OBS's bucket naming rules):
a refusal in words beats a 400 after a round trip. None of these calls is repeated: a job-starting POST whose
answer was lost may have started the job, so ``lost_answer`` says what can be known and what to check.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ValidationError

from .errors import ApiError, MalformedResponse

# its calls are in ims_calls, so that the client is built without this module (issue 14)
from .ims_calls import ImsObsCalls as ImsObsCalls
from .models import Image

GB = 1024**3
EXPORT_FORMATS = ("qcow2", "vhd", "zvhd", "vmdk")
EXPORT_MAX = 1024 * GB  # "The image size must be less than 1 TB."
STANDARD_EXPORT_MAX = 128 * GB  # "Images larger than 128 GB support only fast export."
QUICK_FORMATS = ("raw", "zvhd2")  # quick import takes these only (their bitmap or optimisation done beforehand)
REGISTER_FORMATS = ("zvhd", "qcow2", "vhd", "raw", "vhdx", "qed", "vdi", "qcow", "zvhd2", "vmdk", "iso")
IMAGE_TYPES = ("ECS", "BMS", "IsoImage")  # /v2/cloudimages/action; DataImage only through quick import here
QUICK_TYPES = ("ECS", "BMS", "DataImage")
MIN_DISK_RANGE = (1, 1024)  # GB
NAME_MAX = 128
DESCRIPTION_MAX = 1024
OBJECT_MAX = 1024  # an OBS object key is a UTF-8 string of up to 1,024 characters
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_NAME = re.compile(r"[\w\u4e00-\u9fa5 .-]+")  # IMS image names: letters, digits, spaces, _ - . (and CJK)

ExportFormat = Literal["qcow2", "vhd", "zvhd", "vmdk"]


def bucket_problem(name: str) -> str | None:
    """Why ``name`` is no OBS bucket name, or None: 3-63 characters of lowercase letters, digits, - and .,
    starting and ending with a letter or digit, no "..", no ".-" or "-.", and not an IP address."""
    if not name:
        return "type the bucket's name"
    if not 3 <= len(name) <= 63:
        return f"a bucket name has 3 to 63 characters (this one has {len(name)})"
    if re.search(r"[^a-z0-9.-]", name):
        return "a bucket name has only lowercase letters, digits, - and ."
    if not _BUCKET.fullmatch(name):
        return "a bucket name starts and ends with a letter or a digit"
    if ".." in name or ".-" in name or "-." in name:
        return "a bucket name has no '..', '.-' or '-.'"
    try:
        ipaddress.IPv4Address(name)
    except ValueError:
        return None
    return "a bucket name cannot be an IP address"


def object_problem(name: str) -> str | None:
    """Why ``name`` is no OBS object name (the file in the bucket), or None."""
    if not name:
        return "type the file's name in the bucket"
    if len(name) > OBJECT_MAX:
        return f"an object name has at most {OBJECT_MAX} characters"
    if name.startswith("/"):
        return "an object name does not start with /"
    if _CONTROL.search(name):
        return "an object name has no control characters"
    return None


def obs_url(bucket: str, name: str) -> str:
    """IMS's way to name a file in OBS: ``bucket:object``."""
    return f"{bucket}:{name}"


def extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


@dataclass(frozen=True)
class ExportRequest:
    """An export of one image to ``bucket:object``; ``quick`` exports as ZVHD2 and names no format (IMS refuses
    ``file_format`` with a quick export)."""

    bucket: str
    object: str
    file_format: str = "qcow2"
    quick: bool = False

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"bucket_url": obs_url(self.bucket, self.object)}
        if self.quick:
            body["is_quick_export"] = True
        else:
            body["file_format"] = self.file_format
            body["is_quick_export"] = False
        return body

    def problems(self, image: Image | None = None) -> dict[str, str]:
        """Field -> why it cannot be sent ("bucket", "object", "format", "quick", "image")."""
        found: dict[str, str] = {}
        for key, problem in (("bucket", bucket_problem(self.bucket)), ("object", object_problem(self.object))):
            if problem is not None:
                found[key] = problem
        if not self.quick and self.file_format not in EXPORT_FORMATS:
            found["format"] = f"the format is one of {', '.join(EXPORT_FORMATS)}"
        if image is not None:
            why = export_refusal(image, quick=self.quick)
            if why is not None:
                found["quick" if "quick" in why or "fast" in why else "image"] = why
        return found


def export_refusal(image: Image, *, quick: bool) -> str | None:
    """IMS's constraints on the image itself, in words; None when it may be exported this way."""
    if image.disk_format == "iso":
        return "ISO images cannot be exported"
    if str(image.properties.get("__whole_image", "")).lower() == "true":
        return "full-ECS images cannot be exported"
    size = image.effective_size or 0
    if size >= EXPORT_MAX:
        return "IMS exports images smaller than 1 TB only"
    encrypted = str(image.properties.get("__system_encrypted", "0")) == "1"
    if quick and encrypted:
        return "fast export is not available for an encrypted image: decrypt it first"
    if not quick and size > STANDARD_EXPORT_MAX:
        return "over 128 GB: IMS exports it only with fast (quick) export"
    return None


QUICK_EXPORT_RULE = (
    "quick export writes ZVHD2 (no format chosen) and is the only way for images over 128 GB; not for encrypted images"
)
QUICK_IMPORT_RULE = "quick import takes only RAW (with its bitmap) and ZVHD2 files, up to 1 TB"


@dataclass(frozen=True)
class CreateRequest:
    """A new image from a file in OBS (``quick``: the quick import call, for RAW and ZVHD2 files)."""

    name: str
    bucket: str
    object: str
    os_version: str = ""
    min_disk: int | None = None
    description: str = ""
    is_config: bool = False
    type: str = "ECS"
    quick: bool = False

    @property
    def path(self) -> str:
        return "/v2/cloudimages/quickimport/action" if self.quick else "/v2/cloudimages/action"

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"name": self.name.strip(), "image_url": obs_url(self.bucket, self.object)}
        if self.type == "DataImage":
            body["os_type"] = "Linux"  # a data disk image names its OS type, not a version
        else:
            body["os_version"] = self.os_version
        body["min_disk"] = self.min_disk
        if self.description:
            body["description"] = self.description
        if self.is_config and not self.quick:  # quick import has no automatic configuration
            body["is_config"] = True
        body["type"] = self.type
        return body

    def problems(self, os_versions: set[str] | None = None) -> dict[str, str]:
        found: dict[str, str] = {}
        name = self.name.strip()
        if not name:
            found["name"] = "a new image needs a name"
        elif len(name) > NAME_MAX:
            found["name"] = f"an image name has at most {NAME_MAX} characters"
        elif not _NAME.fullmatch(name):
            found["name"] = "an image name has letters, digits, spaces, _ - and . only"
        for key, problem in (("bucket", bucket_problem(self.bucket)), ("object", object_problem(self.object))):
            if problem is not None:
                found[key] = problem
        if "object" not in found and self.quick and extension(self.object) not in QUICK_FORMATS:
            found["object"] = "quick import takes a .raw or .zvhd2 file only"
        if self.type != "DataImage":
            if not self.os_version:
                found["os_version"] = "choose the OS version from IMS's list"
            elif os_versions is not None and self.os_version not in os_versions:
                found["os_version"] = "not an OS version IMS lists: choose one from the list"
        low, high = MIN_DISK_RANGE
        if self.min_disk is None:
            found["min_disk"] = f"the system disk size in GB, {low} to {high}"
        elif not low <= self.min_disk <= high:
            found["min_disk"] = f"min disk is {low} to {high} GB"
        if len(self.description) > DESCRIPTION_MAX:
            found["description"] = f"a description has at most {DESCRIPTION_MAX} characters"
        elif re.search(r"[<>\r\n]", self.description):
            found["description"] = "a description has no < > or line breaks"
        allowed = QUICK_TYPES if self.quick else IMAGE_TYPES
        if self.type not in allowed:
            found["type"] = f"{'quick import' if self.quick else 'a create'} takes type {', '.join(allowed)}"
        return found


def register_problems(image: Image, bucket: str, name: str) -> dict[str, str]:
    found: dict[str, str] = {}
    if image.status != "queued":
        found["image"] = f"IMS registers a file into a queued image only; this one is {image.status}"
    for key, problem in (("bucket", bucket_problem(bucket)), ("object", object_problem(name))):
        if problem is not None:
            found[key] = problem
    if "object" not in found and extension(name) not in REGISTER_FORMATS:
        found["object"] = f"IMS registers files of {', '.join(REGISTER_FORMATS)}"
    return found


class OsVersion(BaseModel):
    """One OS IMS supports in the region (``GET /v1/cloudimages/os_version``)."""

    platform: str = ""
    os_version: str
    os_version_key: str = ""
    os_bit: int | None = None
    os_type: str = ""


def parse_os_versions(data: Any) -> list[OsVersion]:
    """The flat list of versions from IMS's ``[{platform, version_list: [...]}]``."""
    if not isinstance(data, list):
        raise MalformedResponse("the server sent an OS version list that is not a list")
    try:
        return [OsVersion.model_validate(item) for group in data for item in group.get("version_list") or []]
    except (AttributeError, TypeError, ValidationError):
        raise MalformedResponse("the server sent OS versions without version_list[{os_version}]") from None


def job_id_of(data: Any) -> str:
    value = data.get("job_id") if isinstance(data, dict) else None
    if not isinstance(value, str) or not value.strip():
        raise MalformedResponse("the server accepted the request but sent no job_id")
    return value.strip()


def lost_answer(what: str, error: ApiError, check: str) -> str:
    """What to say when a job-starting request's answer was lost: it may have started; it is not sent again."""
    return (
        f"{what}: the answer was lost ({error.one_line()}), so IMS may have started the job. "
        f"Not sent again: {check} before trying again"
    )
