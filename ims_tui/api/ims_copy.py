"""IMS's copy calls, its batch sharing, and the quota check that goes before a create or a copy. No Textual here.

    copy = CopyRequest("region", name="web-copy")              # or CopyRequest("cross", ..., region=, ...)
    copy.problems()                     # {"name": "…"}: what to fix before anything is sent
    copy_refusal(image, copy)           # why IMS would refuse this image (ISO, encrypted, > 128 GB), or None
    job_id = await client.ims_copy(image_id, copy)              # POST /v1/cloudimages/{id}/copy -> job_id

    batch = MemberBatch(images, projects, remove=False)        # POST (or DELETE) /v1/cloudimages/members
    job_id = await client.ims_members(batch)

Every call is one ``ImageClient._send``: the same AK/SK or token auth, error hierarchy, request log and read-only
guard as any other. None is ever repeated: a lost answer (``outcome_unknown``) may have started the job, and only
the jobs view or the list can tell, so the caller says so instead of sending again.

The limits are IMS's, from its API reference: a cross-region copy takes at most 128 GB, no encrypted and no ISO
image, and at most five run at a time; an in-region copy takes no ISO image and counts against the image quota.
"""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import quote

from .bulk import LeftOut, Plan
from .errors import ApiError, MalformedResponse

# its calls are in ims_calls, so that the client is built without this module (issue 14)
from .ims_calls import ImsCopyCalls as ImsCopyCalls
from .ims_jobs import ImsJobCalls, QuotaUse
from .models import Image

Mode = Literal["region", "cross"]
GB = 1024**3
CROSS_REGION_MAX = 128 * GB
CROSS_REGION_AT_ONCE = 5
COPY_JOB = {"region": "imsCopyImageJob", "cross": "imsCrossRegionCopyImageJob"}
MEMBERS_JOB = {False: "imsBatchAddMembersJob", True: "imsBatchDeleteMembersJob"}  # the kind the jobs view shows
# IMS's rule for an image name: 1-128 letters, digits, spaces, _ - . (not starting or ending with a space)
_NAME = re.compile(r"[\w.\- ]{1,128}")
_REGION = re.compile(r"[a-z]{2,}(-[a-z0-9]+)+")
_PROJECT_NAME = re.compile(r"[A-Za-z0-9_.\-]{1,64}")
_EPS = re.compile(r"0|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")

LIMITS: dict[Mode, str] = {
    "region": "A private copy in this region, made by one IMS job; ISO images cannot be copied; the copy counts "
    "against the image quota.",
    "cross": "IMS copies to another region at most 128 GB, no encrypted and no ISO image, five copies at a time; "
    "the agency must let IMS write into the target project.",
}


@dataclass(frozen=True)
class CopyRequest:
    """A copy as the form has it: ``region`` (in this region: name, description, cmk_id, enterprise project) or
    ``cross`` (to another region: name, description, region, project_name, agency_name). "" is not given."""

    mode: Mode
    name: str = ""
    description: str = ""
    cmk_id: str = ""
    enterprise_project_id: str = ""
    region: str = ""
    project_name: str = ""
    agency_name: str = ""

    @property
    def job_type(self) -> str:
        return COPY_JOB[self.mode]

    def path(self, image_id: str) -> str:
        action = "copy" if self.mode == "region" else "cross_region_copy"
        return f"/v1/cloudimages/{quote(image_id, safe='')}/{action}"

    def body(self) -> dict[str, str]:
        """The JSON body, with only the fields IMS takes for this mode and only those given."""
        keys = ("name", "description") + (
            ("cmk_id", "enterprise_project_id") if self.mode == "region" else ("region", "project_name", "agency_name")
        )
        return {key: getattr(self, key).strip() for key in keys if getattr(self, key).strip()}

    def problems(self, here: str | None = None) -> dict[str, str]:
        """Field -> what is wrong, checked before sending; ``here``: the session's own region, if known."""
        found: dict[str, str] = {}
        name = self.name
        if not name.strip():
            found["name"] = "the copy needs a name"
        elif name != name.strip() or not _NAME.fullmatch(name):
            found["name"] = "1 to 128 letters, digits, spaces, _ - or . (no space first or last)"
        if len(self.description) > 1024 or any(c in self.description for c in "<>\r\n"):
            found["description"] = "at most 1024 characters, without < > or line breaks"
        if self.mode == "region":
            eps = self.enterprise_project_id.strip()
            if eps and not _EPS.fullmatch(eps):
                found["enterprise_project_id"] = "0 (the default project) or a project's UUID"
            return found
        region = self.region.strip()
        if not region:
            found["region"] = "name the target region, e.g. cn-north-1"
        elif not _REGION.fullmatch(region):
            found["region"] = "a region id such as cn-north-1 or eu-west-101"
        elif here is not None and region == here:
            found["region"] = f"{here} is this region: choose 'in this region' for a copy here"
        if not _PROJECT_NAME.fullmatch(self.project_name.strip()):
            found["project_name"] = "the target project's name (often the region id, e.g. cn-north-1)"
        if not self.agency_name.strip():
            found["agency_name"] = "an IAM agency that lets IMS write into the target project"
        return found

    def preview(self, image_id: str) -> str:
        """The request as it will be sent: method and path, then the JSON body."""
        return f"POST {self.path(image_id)}\n{json.dumps(self.body(), indent=2, ensure_ascii=False)}"


def copy_refusal(image: Image, mode: Mode, project_id: str | None = None) -> str | None:
    """Why IMS refuses to copy this image (``mode``), in plain words; None when it may. ``project_id``: the
    session's own project, when known (IMS copies only the project's own images)."""
    where = "to another region" if mode == "cross" else "here"
    if project_id is not None and image.owner not in (None, project_id):
        return f"IMS copies only this project's own images: project {image.owner} owns this one"
    if image.disk_format == "iso":
        return f"an ISO image cannot be copied {where} (IMS refuses ISO images)"
    if mode == "cross" and str(image.properties.get("__system_encrypted", "0")) == "1":
        return "an encrypted image cannot be copied to another region"
    if image.status != "active":
        return f"the image is {image.status or 'of unknown status'}: IMS copies only active images"
    size = image.effective_size
    if mode == "cross" and size is not None and size > CROSS_REGION_MAX:
        return f"the image is {size / GB:.1f} GB: IMS copies at most 128 GB to another region"
    return None


def at_once_refusal(running: int) -> str | None:
    """A cross-region copy while ``running`` of this session's are still running."""
    if running >= CROSS_REGION_AT_ONCE:
        return f"IMS runs at most {CROSS_REGION_AT_ONCE} cross-region copies at a time: {running} are running"
    return None


def quota_refusal(uses: list[QuotaUse], adding: int = 1, what: str = "image") -> str | None:
    """Why ``adding`` more private images would go over the image quota, with the numbers; None when they fit."""
    use = next((use for use in uses if use.type == what), None)
    if use is None or use.used + adding <= use.quota:
        return None
    return (
        f"the image quota is full: {use.used} of {use.quota} private images are used, "
        f"so {adding} more would make {use.used + adding}; delete images or ask for a higher quota"
    )


async def quota_check(client: ImsJobCalls, adding: int = 1) -> str | None:
    """``quota_refusal`` on the quota as IMS has it now; None when it cannot be read (IMS then refuses itself)."""
    try:
        uses = await client.ims_quota()
    except ApiError:
        return None
    return quota_refusal(uses, adding)


@dataclass(frozen=True)
class MemberBatch:
    """Share ``images`` with ``projects`` (every pair), or stop sharing them (``remove``), as one IMS job."""

    images: tuple[str, ...]
    projects: tuple[str, ...]
    remove: bool = False

    PATH = "/v1/cloudimages/members"

    @property
    def method(self) -> str:
        return "DELETE" if self.remove else "POST"

    @property
    def job_type(self) -> str:
        return MEMBERS_JOB[self.remove]

    def body(self) -> dict[str, list[str]]:
        return {"images": list(self.images), "projects": list(self.projects)}

    def line(self) -> str:
        return f"{self.method} {self.PATH} {json.dumps(self.body())}"


def batch_plan(plan: Plan) -> Plan:
    """A share or unshare on IMS: one request (one job) for every image and project, in place of the requests
    per image; an image IMS does not share (only private ones) is left out. Other kinds pass unchanged."""
    kind = plan.action.kind
    if kind not in ("share", "unshare"):
        return plan
    steps, left = [], list(plan.left_out)
    for step in plan.steps:
        image = step.before
        if kind == "share" and image is not None and image.visibility not in ("private", "shared"):
            left.append(LeftOut(step.image_id, step.name, f"{image.visibility}: IMS shares only private images"))
            continue
        steps.append(dataclasses.replace(step, requests=()))
    ids = tuple(step.image_id for step in steps)
    batch = MemberBatch(ids, plan.action.argument, remove=kind == "unshare") if ids else None
    return dataclasses.replace(plan, steps=tuple(steps), left_out=tuple(left), batch=batch)


def parse_job_id(data: Any) -> str:
    job_id = data.get("job_id") if isinstance(data, dict) else None
    if not isinstance(job_id, str) or not job_id:
        raise MalformedResponse("the server answered without a job_id")
    return job_id
