"""IMS's batch sharing in the simulator: ``POST /v1/cloudimages/members`` shares every image of ``images`` with
every project of ``projects``, ``DELETE`` stops it; each answers a ``job_id`` (shapes: IMS API reference,
"Adding Image Members in Batches" and "Deleting Image Members in Batches"; tests/fixtures/ims/README.md).

The body is checked at once (IMS answers a missing list or an image that is not the caller's private image with
an error); the members change when the job succeeds, as on IMS. A new member is ``pending`` until its project
accepts, and a private image becomes shared, as the Glance-compatible member calls would leave it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx

from .errors import Reply
from .ims_jobs import body_of, own_image, start
from .ims_views import ImsError, image_type

if TYPE_CHECKING:
    from .ims_cloud import ImsCloud

ADD_JOB = "imsBatchAddMembersJob"  # IMS names no job type for these on its reference pages: ours
DELETE_JOB = "imsBatchDeleteMembersJob"


def _ids(body: dict[str, Any], key: str) -> list[str]:
    value = body.get(key)
    if not isinstance(value, list) or not value or not all(isinstance(item, str) and item for item in value):
        raise ImsError(400, "IMG.0001", f"The {key} parameter is mandatory: a list of ids.")
    return list(dict.fromkeys(value))


def _batch(cloud: ImsCloud, request: httpx.Request) -> tuple[list[dict[str, Any]], list[str]]:
    body = body_of(request)
    images = [own_image(cloud, image_id) for image_id in _ids(body, "images")]
    projects = _ids(body, "projects")
    for image in images:
        if image["visibility"] not in ("private", "shared"):
            why = f"The image {image['id']} is {image['visibility']}: only private images are shared."
            raise ImsError(400, "IMG.0049", why)
    owner = cloud.gate.account.project_id
    if owner in projects:
        raise ImsError(400, "IMG.0001", f"The project {owner} owns the images: an image is not shared with its owner.")
    return images, projects


def add_members(cloud: ImsCloud, request: httpx.Request) -> Reply:
    """``POST /v1/cloudimages/members``: members already there are kept as they are."""
    images, projects = _batch(cloud, request)

    def share() -> None:
        now = cloud.now()
        for image in images:
            table = cloud.members.setdefault(image["id"], {})
            for project in projects:
                if project not in table:
                    table[project] = "pending"
                    cloud.member_times[(image["id"], project)] = (now, now)
            if image["visibility"] == "private":
                image["visibility"] = "shared"
            _retype(cloud, image)

    return start(cloud, ADD_JOB, images[0]["id"], effect=share)


def remove_members(cloud: ImsCloud, request: httpx.Request) -> Reply:
    """``DELETE /v1/cloudimages/members``: a project that was no member is no error."""
    images, projects = _batch(cloud, request)

    def unshare() -> None:
        for image in images:
            table = cloud.members.setdefault(image["id"], {})
            for project in projects:
                table.pop(project, None)
                cloud.member_times.pop((image["id"], project), None)
            _retype(cloud, image)

    return start(cloud, DELETE_JOB, images[0]["id"], effect=unshare)


def _retype(cloud: ImsCloud, image: dict[str, Any]) -> None:
    image["__imagetype"] = image_type(image, cloud.gate.account.project_id, cloud.members)
