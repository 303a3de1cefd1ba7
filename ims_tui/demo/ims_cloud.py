"""The IMS simulator: the demo cloud as Huawei Cloud IMS answers, behind IAM and API Gateway.

Every request passes the gate first (``ims_auth``: an AK/SK signature or an IAM token; the refusals are APIG's).
Then IMS's native calls (``GET /v2/cloudimages``, jobs, quota, copy, export) are answered here and in
``ims_jobs``; everything else is the Glance-compatible API of the demo cloud with IMS's differences: versions up
to v2.2, ``visibility`` private only on create, ``size``/``checksum`` null with ``__image_size`` instead, the
``__`` properties on every image (``ims_views``), and IMS's error body ``{"error": {"code", "message"}}``.
Requests to the IAM host (``iam.{region}...``) get IAM's token call.
"""

from __future__ import annotations

import json
import urllib.parse
import uuid
from typing import Any

import httpx

from . import ims_jobs, ims_members, ims_obs, ims_tags
from .errors import HTTPError, Reply, json_body, json_reply
from .ims_auth import Gate, GateRefusal
from .ims_views import ImsError, cloudimage_view, cloudimages_filter, image_type, ims_view, page_limit, sort_spec
from .schema import Image, image_view
from .seed import DEMO_PROJECT_ID
from .service import DemoCloud, Route
from .store import Caller, ImageStore
from .transfer import DataSink

DEMO_REGION = "cn-north-4"
DEMO_AK = "DEMOIMSACCESSKEY0001"
DEMO_SK = "demo-ims-secret-key-not-a-real-one"
DEMO_USER = ("demo-account", "demo-user", "demo-password")  # (account/domain, user, password) for IAM tokens
IMS_VERSIONS = (("2.2", "CURRENT"), ("2.1", "SUPPORTED"), ("2.0", "SUPPORTED"))
_URL_VERSIONS = frozenset({"v2", *(f"v{number}" for number, _ in IMS_VERSIONS)})
_TRUSTED = ("x-identity-status", "x-roles", "x-tenant-id", "x-user-id")


def ims_url(region: str) -> str:
    """The simulator's own host (``.invalid``: never a real cloud), named like IMS's ``ims.{region}.…``."""
    return f"https://ims.{region}.demo.invalid"


class _ImsStore(ImageStore):
    """Seed images carry IMS's ``__`` properties in the record itself, so the Glance-compatible filters
    (``__imagetype=gold``) and the cloudimages list see the same values."""

    def _materialize(self, index: int) -> Image:
        image = super()._materialize(index)
        for key in ("virtual_env_type", "__support_kvm"):
            image.pop(key, None)  # the Glance seed's guesses ("KVM" is no IMS environment): ims_traits has IMS's
        view = ims_view(image, image, DEMO_PROJECT_ID, self.members)
        for key, value in view.items():
            if key.startswith("__") or key == "virtual_env_type":
                image.setdefault(key, value)
        image.setdefault("enterprise_project_id", "0")
        # the Glance seed draws __imagetype at random; on IMS it follows from who owns the image and who shares it
        image["__imagetype"] = image_type(image, DEMO_PROJECT_ID, self.members)
        return image


class ImsCloud(DemoCloud):
    """Huawei Cloud IMS in one region, for one account (project ``DEMO_PROJECT_ID``).

    ``job_seconds``: how long a job runs on the cloud's clock (0: done by its first poll); ``image_quota``: the
    private images the account may have (settable: a test puts the account near it); ``agencies``: the IAM
    agencies a cross-region copy may name (another fails its job, as IMS finds out only in the other region).
    """

    def __init__(
        self, *, region: str = DEMO_REGION, job_seconds: float = 0.0, image_quota: int = 1000, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.images = _ImsStore(self.images.skeleton, self.images.seed, self.members)
        self._orders = type(self._orders)(self.images)
        self.region = region
        self.url = ims_url(region)
        self.gate = Gate(self.now, region, DEMO_PROJECT_ID)
        self.gate.keys[DEMO_AK] = DEMO_SK
        domain, user, password = DEMO_USER
        self.gate.users[(domain, user)] = password
        self.job_seconds = job_seconds
        self.image_quota = image_quota
        self.agencies = {"ims_admin_agency"}
        self.jobs: dict[str, ims_jobs.Job] = {}
        self.obs = ims_obs.Obs()  # the account's OBS buckets, for export and create from a file
        self.kv_tags: dict[str, dict[str, str]] = {}  # image id -> key/value tags (not Glance's string tags)

    # -- what ims_jobs asks of the cloud -------------------------------------------------------------------

    def store_image(self, image: Image) -> None:
        self.images[image["id"]] = image
        self._orders.insert(image)

    def quota_use(self) -> tuple[int, int]:
        """(private images the account has, how many it may have)."""
        project = self.gate.account.project_id
        used = sum(1 for image in self.images.values() if image["owner"] == project and image["status"] != "deleted")
        return used, self.image_quota

    def _view(self, image: Image) -> Image:
        return ims_view(
            image_view(image, self.stores_of.get(image["id"])), image, self.gate.account.project_id, self.members
        )

    # -- dispatch ------------------------------------------------------------------------------------------

    def handle(self, request: httpx.Request) -> httpx.Response | DataSink:
        host = request.url.host
        if host.startswith("iam."):
            return self._iam(request)
        try:
            account = self.gate.check(request)
        except GateRefusal as refusal:
            self.request_log.append((request.method, request.url.raw_path.decode("ascii", "replace")))
            return refusal.response(request)
        for name in _TRUSTED:
            request.headers.pop(name, None)
        # past the gate, IMS knows the caller: the demo cloud's policy reads it from these trusted headers
        request.headers.update(
            {"x-identity-status": "Confirmed", "x-project-id": account.project_id, "x-roles": "reader,member"}
        )
        ims_jobs.settle(self)
        ims_obs.settle(self)
        path = urllib.parse.unquote(request.url.raw_path.decode("ascii", "replace").split("?", 1)[0])
        parts = [part for part in path.split("/") if part]
        first = parts[0] if parts else ""
        try:
            for route in NATIVE:
                params = route.match(parts)
                if params is not None and route.method == request.method.upper():
                    self.request_log.append((request.method, request.url.raw_path.decode("ascii", "replace")))
                    reply = route.handler(self, request, **params)
                    assert isinstance(reply, Reply)
                    return self._send(request, reply)
            if first not in _URL_VERSIONS:  # "/", "/versions", "/v1/images", "/v2.3/...": IMS's own versions
                return self._versions(request, 200 if first == "versions" else 300)
            creating = request.method.upper() == "POST" and parts[1:] == ["images"] and self._check_create(request)
        except ImsError as error:
            return self._send(request, json_reply(error.status, error.body()))
        except HTTPError as error:
            return self._send(request, json_reply(error.status, _ims_body(error.status, error.explanation)))
        request.headers["accept"] = "application/json"  # webob answers JSON, which becomes IMS's body below
        answer = super().handle(request)
        if isinstance(answer, DataSink):
            return answer
        if creating and answer.status_code == 201:
            return self._made_private(answer)
        return _as_ims_error(answer)

    def _send(self, request: httpx.Request, reply: Reply) -> httpx.Response:
        headers = {"x-request-id": uuid.uuid4().hex, **reply.headers}
        return httpx.Response(reply.status, headers=headers, content=reply.body, request=request)

    def _iam(self, request: httpx.Request) -> httpx.Response:
        if request.method.upper() == "POST" and request.url.path.rstrip("/") == "/v3/auth/tokens":
            return self.gate.issue_token(request, self.url)
        body = {"error": {"code": 404, "message": "The resource could not be found.", "title": "Not Found"}}
        return httpx.Response(404, json=body, request=request)

    def _versions(self, request: httpx.Request, status: int) -> httpx.Response:
        href = f"{request.url.scheme}://{request.url.netloc.decode('ascii')}/v2/"
        versions = [
            {"status": state, "id": f"v{number}", "links": [{"href": href, "rel": "self"}]}
            for number, state in IMS_VERSIONS
        ]
        return self._send(request, json_reply(status, {"versions": versions}))

    def _check_create(self, request: httpx.Request) -> bool:
        """Refuse a visibility other than private; True when none was given (Glance would make it shared)."""
        body = json_body(request, required=False)
        if isinstance(body, dict) and body.get("visibility", "private") != "private":
            raise ImsError(400, "IMG.0001", "The visibility of a new image can only be private.")
        used, quota = self.quota_use()
        if used >= quota:
            raise ImsError(400, "IMG.0133", f"The private image quota ({quota}) is used up.")
        return isinstance(body, dict) and "visibility" not in body

    def _made_private(self, answer: httpx.Response) -> httpx.Response:
        """A new image is private on IMS, and carries the properties IMS gives its own images."""
        image = self.images[answer.json()["id"]]
        image["visibility"] = "private"
        for key, value in (("__imagetype", "private"), ("__isregistered", "true"), ("__os_type", "Other")):
            image.setdefault(key, value)
        headers = {k: v for k, v in answer.headers.items() if k.lower() != "content-length"}
        content = json.dumps(self._view(image), ensure_ascii=False).encode()
        return httpx.Response(201, headers=headers, content=content, request=answer.request)

    # -- GET /v2/cloudimages -------------------------------------------------------------------------------

    def _cloudimages(self, request: httpx.Request) -> Reply:
        params = dict(urllib.parse.parse_qsl(request.url.query.decode("ascii", "replace"), keep_blank_values=True))
        limit = page_limit(params)
        key, descending = sort_spec(params)
        matches = cloudimages_filter(params)
        caller = Caller.from_request(request)
        member_status = params.get("member_status", "accepted")
        candidates = [
            image
            for image in self.images.values()
            if image["status"] not in ("deleted", "killed") and caller.may_list(image, self.members, member_status)
        ]
        candidates.sort(key=lambda image: (_sortable(image.get(key)), image["id"]), reverse=descending)
        start = 0
        marker = params.get("marker")
        if marker is not None:
            ids = [image["id"] for image in candidates]
            if marker not in ids:
                raise ImsError(400, "IMG.0001", f"The marker {marker} is not an image of this list.")
            start = ids.index(marker) + 1
        page: list[Image] = []
        for image in candidates[start:]:
            view = self._view(image)
            if matches(image, view):
                page.append(cloudimage_view(view))
                if len(page) == limit:
                    break
        return json_reply(200, {"images": page})  # no "next" link: a client pages by marker until a short page


def _sortable(value: Any) -> tuple[int, Any]:
    return (0, "") if value is None else (1, value)


def _ims_body(status: int, message: str) -> dict[str, Any]:
    code = {400: "IMG.0001", 403: "IMG.0030", 404: "IMG.0027", 409: "IMG.0040", 413: "IMG.0041"}.get(status, "IMG.0500")
    return {"error": {"message": message or httpx.codes.get_reason_phrase(status), "code": code}}


def _as_ims_error(response: httpx.Response) -> httpx.Response:
    """A Glance-compatible call's refusal in IMS's body; successes and redirects pass unchanged."""
    if response.status_code < 400 or response.request.method.upper() == "HEAD":
        return response
    try:
        message = str(json.loads(response.content).get("message", ""))
    except (ValueError, AttributeError):
        message = ""
    headers = {k: v for k, v in response.headers.items() if k.lower() not in ("content-type", "content-length")}
    message = message.replace("<br />", " ").strip()  # webob's HTML line breaks, which IMS does not send
    body = json.dumps(_ims_body(response.status_code, message)).encode()
    headers["content-type"] = "application/json"
    return httpx.Response(response.status_code, headers=headers, content=body, request=response.request)


NATIVE: tuple[Route, ...] = (  # each handler answers a Reply (none takes image data)
    Route("GET", "v2/cloudimages", ImsCloud._cloudimages),
    Route("GET", "v1/cloudimages/quota", ims_jobs.quota),
    Route("GET", "v1/cloudimages/job/{job_id}", ims_jobs.job_progress),
    Route("GET", "v1/{project_id}/jobs/{job_id}", ims_jobs.show_job),
    Route("POST", "v1/cloudimages/{image_id}/copy", ims_jobs.copy_image),
    Route("POST", "v1/cloudimages/{image_id}/cross_region_copy", ims_jobs.cross_region_copy),
    Route("POST", "v1/cloudimages/{image_id}/file", ims_obs.export_image),
    Route("POST", "v2/cloudimages/action", ims_obs.create_image),
    Route("POST", "v2/cloudimages/quickimport/action", ims_obs.quick_import),
    Route("PUT", "v1/cloudimages/{image_id}/upload", ims_obs.register_image),
    Route("GET", "v1/cloudimages/os_version", ims_obs.os_versions),
    Route("GET", "v2/{project_id}/images/{image_id}/tags", ims_tags.list_tags),
    Route("POST", "v2/{project_id}/images/{image_id}/tags/action", ims_tags.tags_action),
    Route("DELETE", "v2/{project_id}/images/{image_id}/tags/{key}", ims_tags.delete_tag),
    Route("POST", "v1/cloudimages/members", ims_members.add_members),
    Route("DELETE", "v1/cloudimages/members", ims_members.remove_members),
)

__all__ = ["DEMO_AK", "DEMO_REGION", "DEMO_SK", "DEMO_USER", "ImsCloud", "ims_url"]
