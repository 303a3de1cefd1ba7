"""IMS and OBS in the simulator: export to a bucket, create an image from a file in one (and quick import),
register a file into a queued image, and the OS versions IMS supports. Each starts a job of ``ims_jobs``.

OBS here is a few buckets holding a few files (``Obs``). What IMS checks at once is refused at once (a malformed
``bucket_url``, an OS version it does not list, a register into an image that is not queued); what IMS finds out
only while the job runs ends the job in FAIL with the reason (a bucket or a file that does not exist). What a job
does shows when it ends, as on IMS: the new image appears, the queued image turns active, the exported file is in
its bucket. The error codes of these failures are not published; ours are marked in tests/fixtures/ims/README.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx

from . import ims_jobs
from .errors import Reply, json_reply
from .ims_views import ImsError

if TYPE_CHECKING:
    from .ims_cloud import ImsCloud

GB = 1024**3
# (platform, os_version, os_bit, os_type): the reference example's, and a few more of a region's usual list
OS_VERSIONS = (
    ("SUSE", "SUSE Linux Enterprise Server 15 64bit", 64, "Linux"),
    ("SUSE", "SUSE Linux Enterprise Server 12 SP3 64bit", 64, "Linux"),
    ("CentOS", "CentOS 7.0 64bit", 64, "Linux"),
    ("CentOS", "CentOS 7.9 64bit", 64, "Linux"),
    ("Ubuntu", "Ubuntu 20.04 server 64bit", 64, "Linux"),
    ("Ubuntu", "Ubuntu 22.04 server 64bit", 64, "Linux"),
    ("Debian", "Debian GNU/Linux 11.0.0 64bit", 64, "Linux"),
    ("EulerOS", "EulerOS 2.5 64bit", 64, "Linux"),
    ("EulerOS", "Huawei Cloud EulerOS 2.0 64bit", 64, "Linux"),
    ("Windows", "Windows Server 2019 Standard 64bit", 64, "Windows"),
    ("Other", "Other(32 bit)", 32, "Linux"),
    ("Other", "Other(64 bit)", 64, "Linux"),
)
_KNOWN_VERSIONS = {version for _platform, version, _bit, _type in OS_VERSIONS}
DISK_FORMATS = {"qcow2": "qcow2", "vhd": "vhd", "zvhd": "zvhd", "zvhd2": "zvhd2", "vmdk": "vmdk", "raw": "raw"}


def seed_buckets() -> dict[str, dict[str, int]]:
    """bucket -> object -> size in bytes."""
    return {
        "ims-image": {
            "centos70.qcow2": 2 * GB,
            "centos70.zvhd2": 2 * GB,
            "ubuntu22.raw": 3 * GB,
            "data-disk.vmdk": 10 * GB,
            "debian11.iso": GB // 2,
        },
        "ims-export": {},
    }


@dataclass
class Obs:
    """The account's buckets, and what each job of ours does when it succeeds (run once, by ``settle``)."""

    buckets: dict[str, dict[str, int]] = field(default_factory=seed_buckets)
    on_success: dict[str, Callable[[], None]] = field(default_factory=dict)


def obs_of(cloud: ImsCloud) -> Obs:
    return cloud.obs


def settle(cloud: ImsCloud) -> None:
    """Run what the jobs that succeeded since the last request do (called before every request)."""
    obs = obs_of(cloud)
    if not obs.on_success:
        return
    now = cloud.now()
    for job_id in list(obs.on_success):
        job = cloud.jobs.get(job_id)
        if job is None or job.status(now) not in ("SUCCESS", "FAIL"):
            continue
        done = obs.on_success.pop(job_id)
        if job.fail is None:
            done()


def _split_url(value: Any, what: str) -> tuple[str, str]:
    if not isinstance(value, str) or ":" not in value:
        raise ImsError(400, "IMG.0001", f"The {what} is invalid: use bucket:file.")
    bucket, _, name = value.partition(":")
    if not bucket or not name:
        raise ImsError(400, "IMG.0001", f"The {what} is invalid: use bucket:file.")
    return bucket, name


def _file_problem(obs: Obs, bucket: str, name: str) -> tuple[str, str] | None:
    """Why the job cannot read ``bucket:name`` (found only when the job runs, as IMS finds it)."""
    if bucket not in obs.buckets:
        return ("IMG.0161", f"The OBS bucket {bucket} does not exist or is not in this region.")
    if name not in obs.buckets[bucket]:
        return ("IMG.0162", f"The file {name} does not exist in the OBS bucket {bucket}.")
    return None


# -- export ---------------------------------------------------------------------------------------------------


def export_image(cloud: ImsCloud, request: httpx.Request, image_id: str) -> Reply:
    """``POST /v1/cloudimages/{image_id}/file``: the file lands in the bucket when the job ends."""
    image = ims_jobs.own_image(cloud, image_id)
    body = ims_jobs.body_of(request)
    bucket, name = _split_url(body.get("bucket_url"), "bucket_url")
    quick = body.get("is_quick_export") is True
    file_format = body.get("file_format")
    if quick and file_format is not None:
        raise ImsError(400, "IMG.0001", "The file_format cannot be specified with a quick export.")
    if not quick and file_format not in ims_jobs.EXPORT_FORMATS:
        raise ImsError(400, "IMG.0001", f"The file_format is invalid: one of {', '.join(ims_jobs.EXPORT_FORMATS)}.")
    size = int(image.get("__image_size") or image.get("size") or 0)
    fail: tuple[str, str] | None = None
    if image.get("disk_format") == "iso":
        fail = ("IMG.0098", "ISO images cannot be exported.")
    elif not quick and size > 128 * GB:
        fail = ("IMG.0099", "Images larger than 128 GB can only be exported with a quick export.")
    obs = obs_of(cloud)
    fail = fail or (("IMG.0161", f"The OBS bucket {bucket} does not exist.") if bucket not in obs.buckets else None)
    reply = ims_jobs.start(cloud, "imsExportImageJob", image_id, fail=fail, entities={"image_id": image_id})
    obs.on_success[_job_of(reply)] = lambda: obs.buckets[bucket].__setitem__(name, size)
    return reply


def _job_of(reply: Reply) -> str:
    return str(json.loads(reply.body)["job_id"])


# -- create from a file, quick import, register ------------------------------------------------------------


def _check_create(cloud: ImsCloud, body: dict[str, Any], quick: bool) -> tuple[str, str, str]:
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ImsError(400, "IMG.0001", "The name of the image is mandatory.")
    if len(name) > 128:
        raise ImsError(400, "IMG.0002", "The image name contains more than 128 characters.")
    bucket, file = _split_url(body.get("image_url"), "image_url")
    kind = body.get("type", "ECS")
    allowed = ("ECS", "BMS", "DataImage") if quick else ("ECS", "BMS", "FusionCompute", "IsoImage", "Ironic")
    if kind not in allowed:
        raise ImsError(400, "IMG.0001", f"The type {kind} is invalid here: one of {', '.join(allowed)}.")
    if kind != "DataImage" and body.get("os_version") not in _KNOWN_VERSIONS:
        raise ImsError(400, "IMG.0068", f"The os_version {body.get('os_version')} is not supported.")
    min_disk = body.get("min_disk")
    if isinstance(min_disk, bool) or not isinstance(min_disk, int) or not 1 <= min_disk <= 1024:
        raise ImsError(400, "IMG.0001", "The min_disk must be an integer from 1 to 1024.")
    if quick and file.rsplit(".", 1)[-1].lower() not in ("raw", "zvhd2"):
        raise ImsError(400, "IMG.0001", "Only RAW and ZVHD2 files can be imported quickly.")
    used, allowed_count = cloud.quota_use()
    if used >= allowed_count:
        raise ImsError(400, "IMG.0133", f"The private image quota ({allowed_count}) is used up.")
    return bucket, file, str(kind)


def _record(cloud: ImsCloud, body: dict[str, Any], bucket: str, file: str, kind: str) -> dict[str, Any]:
    now = cloud.now()
    size = obs_of(cloud).buckets.get(bucket, {}).get(file, 0)
    extension = file.rsplit(".", 1)[-1].lower()
    version = str(body.get("os_version") or "")
    platform = next((p for p, v, _b, _t in OS_VERSIONS if v == version), "Other")
    os_type = next((t for _p, v, _b, t in OS_VERSIONS if v == version), str(body.get("os_type") or "Linux"))
    record: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "name": body["name"].strip(),
        "disk_format": "iso" if kind == "IsoImage" else DISK_FORMATS.get(extension, "zvhd2"),
        "container_format": "bare",
        "visibility": "private",
        "size": size,
        "virtual_size": None,
        "status": "active",
        "checksum": None,
        "protected": False,
        "min_ram": 0,
        "min_disk": int(body["min_disk"]),
        "owner": cloud.gate.account.project_id,
        "os_hidden": False,
        "os_hash_algo": None,
        "os_hash_value": None,
        "created_at": now,
        "updated_at": now,
        "tags": [],
        "__imagetype": "private",
        "__isregistered": "true",
        "__image_size": str(size),
        "__os_type": os_type,
        "__platform": platform,
        "__image_source_type": "uds",
        "__description": str(body.get("description") or ""),
        "virtual_env_type": "DataImage" if kind == "DataImage" else ("Ironic" if kind == "BMS" else "FusionCompute"),
        "enterprise_project_id": "0",
    }
    if version:
        record["__os_version"] = version
    return record


def create_image(cloud: ImsCloud, request: httpx.Request, *, quick: bool = False) -> Reply:
    """``POST /v2/cloudimages/action`` with ``image_url`` (the ECS and volume forms are not simulated)."""
    body = ims_jobs.body_of(request)
    if "image_url" not in body:
        raise ImsError(400, "IMG.0001", "The simulator creates images from OBS files only (image_url).")
    bucket, file, kind = _check_create(cloud, body, quick)
    record = _record(cloud, body, bucket, file, kind)
    fail = _file_problem(obs_of(cloud), bucket, file)
    job_type = "imsQuickImportImageJob" if quick else "imsCreateImageByFileJob"
    reply = ims_jobs.start(cloud, job_type, "", fail=fail, result=record, entities={"image_id": record["id"]})
    tags = body.get("image_tags")
    if isinstance(tags, list):
        pairs = {str(t.get("key")): str(t.get("value") or "") for t in tags if isinstance(t, dict) and t.get("key")}
        obs_of(cloud).on_success[_job_of(reply)] = lambda: cloud.kv_tags.setdefault(record["id"], {}).update(pairs)
    return reply


def quick_import(cloud: ImsCloud, request: httpx.Request) -> Reply:
    """``POST /v2/cloudimages/quickimport/action``: RAW and ZVHD2 files only."""
    return create_image(cloud, request, quick=True)


def register_image(cloud: ImsCloud, request: httpx.Request, image_id: str) -> Reply:
    """``PUT /v1/cloudimages/{image_id}/upload``: the queued image turns active with the file when the job ends."""
    image = ims_jobs.own_image(cloud, image_id)
    body = ims_jobs.body_of(request)
    bucket, file = _split_url(body.get("image_url"), "image_url")
    if image["status"] != "queued":
        raise ImsError(400, "IMG.0001", f"The image is {image['status']}: only a queued image can be registered.")
    obs = obs_of(cloud)
    fail = _file_problem(obs, bucket, file)
    reply = ims_jobs.start(cloud, "imsRegisterImageJob", image_id, fail=fail, entities={"image_id": image_id})

    def fill() -> None:
        size = obs.buckets[bucket][file]
        extension = file.rsplit(".", 1)[-1].lower()
        image.update(status="active", size=size, updated_at=cloud.now(), container_format="bare")
        image["disk_format"] = image.get("disk_format") or DISK_FORMATS.get(extension, "zvhd2")
        image["__image_size"] = str(size)
        image["__isregistered"] = "true"

    obs.on_success[_job_of(reply)] = fill
    return reply


def os_versions(cloud: ImsCloud, request: httpx.Request) -> Reply:
    """``GET /v1/cloudimages/os_version``: grouped by platform, as the reference's example."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for platform, version, bits, os_type in OS_VERSIONS:
        groups.setdefault(platform, []).append(
            {"platform": platform, "os_version_key": version, "os_version": version, "os_bit": bits, "os_type": os_type}
        )
    return json_reply(200, [{"platform": platform, "version_list": items} for platform, items in groups.items()])
