"""IMS's asynchronous jobs in the simulator: copy and cross-region copy start one (export and the OBS calls:
``ims_obs``); the jobs endpoints
report it (``GET /v1/{project_id}/jobs/{job_id}``, and the progress view ``GET /v1/cloudimages/job/{job_id}``).

A job is INIT for its first second, RUNNING until ``duration`` has passed on the cloud's clock, then SUCCESS or
FAIL; what a successful job makes (a copied image) appears when the job ends, as on IMS. IMS's limits on copies
(no ISO or encrypted image, at most 128 GB to another region, the private image quota) end the job in FAIL with
the reason, or refuse the request at once where IMS does.
"""

from __future__ import annotations

import copy as copying
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import httpx

from .errors import Reply, json_body, json_reply
from .ims_views import ImsError

if TYPE_CHECKING:
    from .ims_cloud import ImsCloud

GB = 1024**3
CROSS_REGION_MAX = 128 * GB
EXPORT_FORMATS = ("qcow2", "vhd", "zvhd", "vmdk")
CROSS_JOB = "imsCrossRegionCopyImageJob"
CROSS_AT_ONCE = 5
RUNNING = ("INIT", "RUNNING")
_TIME = "%d-%b-%Y %H:%M:%S"  # IMS's job times: "04-Jun-2015 18:11:06:586"


def job_time(moment: datetime) -> str:
    return f"{moment.strftime(_TIME)}:{moment.microsecond // 1000:03d}"


@dataclass
class Job:
    job_id: str
    job_type: str
    image_id: str
    begin: datetime
    duration: float
    fail: tuple[str, str] | None = None  # (error_code, fail_reason) once it ends
    result: dict[str, Any] | None = None  # the image a copy makes, stored when the job succeeds
    done: bool = False
    entities: dict[str, Any] = field(default_factory=dict)
    effect: Callable[[], None] | None = None  # what a job that makes no image does when it succeeds (sharing)

    def status(self, now: datetime) -> str:
        elapsed = (now - self.begin).total_seconds()
        if elapsed >= self.duration:
            return "FAIL" if self.fail else "SUCCESS"
        return "INIT" if elapsed < min(1.0, self.duration / 4) else "RUNNING"

    def percent(self, now: datetime) -> int:
        if self.duration <= 0:
            return 100
        return min(100, int(100 * (now - self.begin).total_seconds() / self.duration))

    def view(self, now: datetime) -> dict[str, Any]:
        status = self.status(now)
        ended = status in ("SUCCESS", "FAIL")
        return {
            "status": status,
            "entities": dict(self.entities) if status == "SUCCESS" else {},
            "job_id": self.job_id,
            "job_type": self.job_type,
            "begin_time": job_time(self.begin),
            "end_time": job_time(self.begin + timedelta(seconds=self.duration)) if ended else "",
            "error_code": self.fail[0] if self.fail and status == "FAIL" else None,
            "fail_reason": self.fail[1] if self.fail and status == "FAIL" else None,
        }


def settle(cloud: ImsCloud) -> None:
    """Store what jobs that have ended made (called before every request, as ``imports.run_due`` is)."""
    now = cloud.now()
    for job in cloud.jobs.values():
        if job.done or job.status(now) not in ("SUCCESS", "FAIL"):
            continue
        job.done = True
        if job.result is not None and job.fail is None:
            cloud.store_image(job.result)
        if job.effect is not None and job.fail is None:
            job.effect()


def start(cloud: ImsCloud, job_type: str, image_id: str, **kwargs: Any) -> Reply:
    job = Job(uuid.uuid4().hex, job_type, image_id, cloud.now(), cloud.job_seconds, **kwargs)
    cloud.jobs[job.job_id] = job
    return json_reply(200, {"job_id": job.job_id})


def own_image(cloud: ImsCloud, image_id: str) -> dict[str, Any]:
    image = cloud.images.get(image_id)
    if image is None or image["status"] == "deleted" or image["owner"] != cloud.gate.account.project_id:
        raise ImsError(404, "IMG.0027", f"The image {image_id} does not exist or is not a private image.")
    return image


def body_of(request: httpx.Request) -> dict[str, Any]:
    body = json_body(request, required=False)
    if not isinstance(body, dict):
        raise ImsError(400, "IMG.0007", "The request body is empty.")
    return body


def _copy_limits(image: dict[str, Any], *, cross: bool) -> tuple[str, str] | None:
    if image.get("disk_format") == "iso":
        return ("IMG.0094", "ISO images cannot be replicated.")
    if cross and str(image.get("__system_encrypted", "0")) == "1":  # in the region, an encrypted copy keeps its key
        return ("IMG.0095", "Encrypted images cannot be replicated to another region.")
    if image["status"] != "active":
        return ("IMG.0096", f"The image is {image['status']}: only active images can be replicated.")
    return None


def copy_image(cloud: ImsCloud, request: httpx.Request, image_id: str) -> Reply:
    """``POST /v1/cloudimages/{image_id}/copy``: a private copy in the same region."""
    image = own_image(cloud, image_id)
    body = body_of(request)
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ImsError(400, "IMG.0001", "The name of the image copy is mandatory.")
    if len(name) > 128:
        raise ImsError(400, "IMG.0002", "The image name contains more than 128 characters.")
    used, quota = cloud.quota_use()
    if used >= quota:
        raise ImsError(400, "IMG.0133", f"The private image quota ({quota}) is used up.")
    fail = _copy_limits(image, cross=False)
    result = None
    new_id = str(uuid.uuid4())
    if fail is None:
        result = copying.deepcopy(image)
        now = cloud.now()
        result.update(id=new_id, name=name, visibility="private", protected=False, created_at=now, updated_at=now)
        result["__imagetype"] = "private"
        if isinstance(body.get("description"), str):
            result["description"] = body["description"]
    return start(cloud, "imsCopyImageJob", image_id, fail=fail, result=result, entities={"image_id": new_id})


def cross_region_copy(cloud: ImsCloud, request: httpx.Request, image_id: str) -> Reply:
    """``POST /v1/cloudimages/{image_id}/cross_region_copy``: the copy lands in another region (not here)."""
    image = own_image(cloud, image_id)
    body = body_of(request)
    for key in ("name", "region", "project_name", "agency_name"):
        if not isinstance(body.get(key), str) or not body[key].strip():
            raise ImsError(400, "IMG.0001", f"The {key} of a cross-region copy is mandatory.")
    if body["region"] == cloud.region:
        raise ImsError(400, "IMG.0001", "The target region is the image's own region: use a copy instead.")
    running = [j for j in cloud.jobs.values() if j.job_type == CROSS_JOB and j.status(cloud.now()) in RUNNING]
    if len(running) >= CROSS_AT_ONCE:
        raise ImsError(400, "IMG.0099", f"At most {CROSS_AT_ONCE} cross-region replications can run at a time.")
    fail = _copy_limits(image, cross=True)
    size = int(image.get("__image_size") or image.get("size") or 0)
    if fail is None and size > CROSS_REGION_MAX:
        fail = ("IMG.0097", "Images larger than 128 GB cannot be replicated to another region.")
    if fail is None and body["agency_name"] not in cloud.agencies:
        # IMS learns that the agency grants nothing only once the job reaches the other region
        fail = ("IMG.0216", f"The agency {body['agency_name']} does not allow IMS to write into the target project.")
    return start(cloud, CROSS_JOB, image_id, fail=fail, entities={"image_id": image_id})


def show_job(cloud: ImsCloud, request: httpx.Request, project_id: str, job_id: str) -> Reply:
    """``GET /v1/{project_id}/jobs/{job_id}``."""
    job = cloud.jobs.get(job_id)
    if project_id != cloud.gate.account.project_id or job is None:
        raise ImsError(404, "IMG.0093", f"The job {job_id} does not exist.")
    return json_reply(200, job.view(cloud.now()))


def job_progress(cloud: ImsCloud, request: httpx.Request, job_id: str) -> Reply:
    """``GET /v1/cloudimages/job/{job_id}``: the same job with its progress in ``entities.process_percent``."""
    job = cloud.jobs.get(job_id)
    if job is None:
        raise ImsError(404, "IMG.0093", f"The job {job_id} does not exist.")
    now = cloud.now()
    view = job.view(now)
    view["entities"] = {**view["entities"], "process_percent": job.percent(now) / 100}
    return json_reply(200, view)


def quota(cloud: ImsCloud, request: httpx.Request) -> Reply:
    """``GET /v1/cloudimages/quota``."""
    used, allowed = cloud.quota_use()
    return json_reply(
        200, {"quotas": {"resources": [{"type": "image", "used": used, "quota": allowed, "min": 1, "max": 1000}]}}
    )
