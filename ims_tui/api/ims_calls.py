"""IMS's calls, mixed into ``ImageClient``: jobs and quota, copies and batch sharing, OBS, key/value tags.

Only the classes live here, so that building the client costs no more than their bodies: each call's models,
checks and plans stay in its own module (``ims_jobs``, ``ims_copy``, ``ims_obs``, ``ims_tags``, which also
give these classes under their old names) and are imported by the call when it is first made.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from .data_calls import DataCalls
from .errors import ApiError

# imported when first used: the first page needs none of it (issue 14)
if TYPE_CHECKING:
    from .ims_copy import CopyRequest, MemberBatch
    from .ims_jobs import ImsJob, QuotaUse
    from .ims_obs import CreateRequest, ExportRequest, OsVersion
    from .ims_tags import TagChange, Tags


class ImsJobCalls(DataCalls):
    """Mixed into ``ImageClient``: IMS's jobs (``ims_jobs``) and its image quota."""

    async def ims_job(self, project_id: str, job_id: str, *, progress: bool = False) -> ImsJob:
        """The job's state; ``progress`` asks the progress view instead (it also gives ``percent``)."""
        from .ims_jobs import ImsJob

        if progress:
            path = f"/v1/cloudimages/job/{quote(job_id, safe='')}"
        else:
            path = f"/v1/{quote(project_id, safe='')}/jobs/{quote(job_id, safe='')}"
        response = await self._send("GET", self.url(path))
        return self._parsed(response, ImsJob.parse)

    async def ims_quota(self) -> list[QuotaUse]:
        from .ims_jobs import parse_quota

        response = await self._send("GET", self.url("/v1/cloudimages/quota"))
        return self._parsed(response, parse_quota)


class ImsCopyCalls(DataCalls):
    """Mixed into ``ImageClient``: IMS's copies and batch sharing (``ims_copy``), each answering a ``job_id``."""

    async def ims_copy(self, image_id: str, copy: CopyRequest) -> str:
        from .ims_copy import parse_job_id

        response = await self._send("POST", self.url(copy.path(image_id)), json_body=copy.body())
        return self._parsed(response, parse_job_id)

    async def ims_members(self, batch: MemberBatch) -> str:
        from .ims_copy import parse_job_id

        response = await self._send(batch.method, self.url(batch.PATH), json_body=batch.body())
        return self._parsed(response, parse_job_id)


class ImsObsCalls(DataCalls):
    """Mixed into ``ImageClient``: exports to OBS and images from it (``ims_obs``), each answering a ``job_id``."""

    async def export_to_obs(self, image_id: str, request: ExportRequest) -> str:
        from .ims_obs import job_id_of

        path = f"/v1/cloudimages/{quote(image_id, safe='')}/file"
        response = await self._send("POST", self.url(path), json_body=request.body())
        return self._parsed(response, job_id_of)

    async def create_from_obs(self, request: CreateRequest) -> str:
        from .ims_obs import job_id_of

        response = await self._send("POST", self.url(request.path), json_body=request.body())
        return self._parsed(response, job_id_of)

    async def register_from_obs(self, image_id: str, image_url: str) -> str:
        from .ims_obs import job_id_of

        path = f"/v1/cloudimages/{quote(image_id, safe='')}/upload"
        response = await self._send("PUT", self.url(path), json_body={"image_url": image_url})
        return self._parsed(response, job_id_of)

    async def os_versions(self) -> list[OsVersion]:
        from .ims_obs import parse_os_versions

        response = await self._send("GET", self.url("/v1/cloudimages/os_version"))
        return self._parsed(response, parse_os_versions)


class ImsTagCalls(DataCalls):
    """Mixed into ``ImageClient``: IMS's key/value tags (``ims_tags``)."""

    def _tags_path(self, project_id: str, image_id: str) -> str:
        return f"/v2/{quote(project_id, safe='')}/images/{quote(image_id, safe='')}/tags"

    async def kv_tags(self, project_id: str, image_id: str) -> Tags:
        from .ims_tags import parse_tags

        response = await self._send("GET", self.url(self._tags_path(project_id, image_id)))
        return self._parsed(response, parse_tags)

    async def kv_tags_action(self, project_id: str, image_id: str, body: dict[str, Any]) -> None:
        path = self._tags_path(project_id, image_id) + "/action"
        await self._send("POST", self.url(path), json_body=body, ok=(204, 200))

    async def delete_kv_tag(self, project_id: str, image_id: str, key: str) -> None:
        path = f"{self._tags_path(project_id, image_id)}/{quote(key, safe='')}"
        await self._send("DELETE", self.url(path), ok=(204, 200))

    async def change_kv_tags(self, project_id: str, image_id: str, change: TagChange) -> tuple[Tags, str | None]:
        """Send the change's batches, then read the tags back. A lost answer is settled by that read (the
        second batch is not sent after a lost first one); returns the tags read and the words for a lost answer.
        """
        from .ims_tags import settle_words

        for body in change.bodies():
            try:
                await self.kv_tags_action(project_id, image_id, body)
            except ApiError as exc:
                if not exc.outcome_unknown:
                    raise
                try:
                    found: Tags | None = await self.kv_tags(project_id, image_id)
                except ApiError:
                    found = None
                return found or {}, settle_words(change, found, exc)
        return await self.kv_tags(project_id, image_id), None
