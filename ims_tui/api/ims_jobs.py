"""IMS's asynchronous jobs and image quota, read through the same client, auth and errors as every other call.

Every heavy IMS operation (copy, cross-region copy, export, create from OBS, batch sharing) answers a
``job_id``; ``GET /v1/{project_id}/jobs/{job_id}`` says where it is (INIT, RUNNING, SUCCESS, FAIL with
``error_code`` and ``fail_reason``) and ``GET /v1/cloudimages/job/{job_id}`` adds the progress
(``entities.process_percent``, 0 to 1). ``GET /v1/cloudimages/quota`` gives the private images used and allowed.
These are the calls a jobs view and a quota panel stand on; no screen uses them yet.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Literal

from pydantic import BaseModel, ValidationError

from .errors import MalformedResponse

# its calls are in ims_calls, so that the client is built without this module (issue 14)
from .ims_calls import ImsJobCalls as ImsJobCalls

JobStatus = Literal["INIT", "RUNNING", "SUCCESS", "FAIL"]
ENDED: tuple[JobStatus, ...] = ("SUCCESS", "FAIL")


def job_time(value: str | None) -> datetime | None:
    """IMS's job times ("04-Jun-2015 18:11:06:586", UTC); None for "" or an unknown form."""
    if not value:
        return None
    try:
        return datetime.strptime(value[:20], "%d-%b-%Y %H:%M:%S").replace(tzinfo=timezone.utc)
    except ValueError:
        return None


class ImsJob(BaseModel):
    """One job as IMS reports it; ``percent`` is known only from the progress call."""

    job_id: str
    status: JobStatus
    job_type: str = ""
    begin_time: str | None = None
    end_time: str | None = None
    error_code: str | None = None
    fail_reason: str | None = None
    entities: dict[str, Any] = {}

    @property
    def ended(self) -> bool:
        return self.status in ENDED

    @property
    def image_id(self) -> str | None:
        value = self.entities.get("image_id")
        return value if isinstance(value, str) and value else None

    @property
    def percent(self) -> float | None:
        value = self.entities.get("process_percent")
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None
        return max(0.0, min(100.0, value * 100))

    @property
    def began(self) -> datetime | None:
        return job_time(self.begin_time)

    @property
    def finished(self) -> datetime | None:
        return job_time(self.end_time)

    @classmethod
    def parse(cls, data: Any) -> ImsJob:
        if not isinstance(data, dict):
            raise MalformedResponse(f"expected a job object, got {type(data).__name__}")
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise MalformedResponse(f"the server sent a job that does not parse: {exc.errors()[0]['msg']}") from None


class QuotaUse(BaseModel):
    """One resource of the quota: ``used`` of ``quota`` (``min``..``max`` is what the quota may be set to)."""

    type: str
    used: int
    quota: int
    min: int | None = None
    max: int | None = None

    @property
    def left(self) -> int:
        return max(0, self.quota - self.used)


def parse_quota(data: Any) -> list[QuotaUse]:
    try:
        resources = data["quotas"]["resources"]
        return [QuotaUse.model_validate(item) for item in resources]
    except (TypeError, KeyError, ValidationError):
        raise MalformedResponse("the server sent a quota without quotas.resources[{type, used, quota}]") from None
