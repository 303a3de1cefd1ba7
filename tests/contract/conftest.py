"""The backends the contract tests run against: the in-process demo cloud and a real Glance on loopback (every
test, ``backend``), and the IMS simulator too where a call is common to all three (``common_backend``).

What one backend does and another does not is said once, in ``CAPABILITIES`` (IMS's documented differences
from Glance); a test asks ``backend.can(...)`` to expect the difference, or ``backend.needs(...)`` to skip for
the reason named there.
"""

from __future__ import annotations

import contextlib
import sqlite3
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from ims_tui.api import ApiError, Forbidden, ImageClient, ListQuery
from ims_tui.api.huawei import AkSkAuth
from ims_tui.demo import DemoCloud
from ims_tui.demo.ims_cloud import DEMO_AK, DEMO_SK, ImsCloud
from ims_tui.demo.seed import DEMO_PROJECT_ID
from tools.openstack_lab import GlanceServer

from .identity import HeaderIdentityAuth

# capability -> why a backend without it lacks it (the IMS API reference, v2.2 of the Glance API)
DIFFERENCES = {
    "glance_sizes": "IMS gives size and checksum as null: the size is the __image_size property",
    "visibility_on_create": "IMS creates private images only: a visibility given on create must be private",
    "deactivate": "IMS (Glance API v2.2) has no deactivate or reactivate",
    "os_hidden": "IMS has no os_hidden",
    "cloudimages": "only IMS has the native list /v2/cloudimages, jobs and quota",
}
GLANCE_CAPABILITIES = frozenset(DIFFERENCES) - {"cloudimages"}
CAPABILITIES = {
    "demo": GLANCE_CAPABILITIES,
    "glance": GLANCE_CAPABILITIES,
    "ims": frozenset({"cloudimages"}),
}


@dataclass
class Backend:
    """A client plus bookkeeping so each test cleans up the images it made (the real Glance is shared)."""

    name: str
    client: ImageClient
    endpoint: str
    # the same server without the client's defaults (no Accept header, no error handling): for byte shapes
    raw: httpx.AsyncClient
    cloud: DemoCloud | None = None  # the demo's state, or
    database: Path | None = None  # the real Glance's SQLite file
    project_id: str = ""  # the caller's project where the backend's calls name it (IMS jobs)
    created: list[str] = field(default_factory=list)
    marker_tag: str = field(default_factory=lambda: "ct-" + uuid.uuid4().hex[:10])
    # state a test keeps across its hypothesis examples (they share one fixture instance)
    scratch: dict[str, Any] = field(default_factory=dict)

    def can(self, capability: str) -> bool:
        assert capability in DIFFERENCES, capability
        return capability in CAPABILITIES[self.name]

    def needs(self, capability: str) -> None:
        """Skip the test on a backend without ``capability``, saying why."""
        if not self.can(capability):
            pytest.skip(f"{self.name}: {DIFFERENCES[capability]}")

    async def create(self, **attributes: object) -> dict[str, object]:
        attributes.setdefault("name", f"contract-{uuid.uuid4().hex[:8]}")
        tags = list(attributes.pop("tags", []))  # type: ignore[call-overload]
        attributes["tags"] = [self.marker_tag, *tags]
        image = await self.client.create(dict(attributes))
        self.created.append(image.id)
        return image.to_dict()

    async def create_with_data(self, sizes: list[int]) -> list[dict[str, object]]:
        """Active images with a size, tagged with ``marker_tag``.

        Glance: create, then upload that many bytes (PUT .../file). The demo cloud has no upload call, so there the
        images are seeded ones with a size, tagged through the API; the listing cannot tell the difference.
        """
        if self.cloud is not None:
            page = await self.client.list_page(ListQuery(limit=len(sizes), size_min=1))
            assert len(page.images) == len(sizes)
            for image in page.images:
                await self.client.add_tag(image.id, self.marker_tag)
            return [(await self.client.get(image.id)).to_dict() for image in page.images]
        out = []
        for index, size in enumerate(sizes):
            created = await self.create(name=f"data-{index}", disk_format="raw", container_format="bare")
            await self.client._send(
                "PUT",
                f"/v2/images/{created['id']}/file",
                content=b"x" * size,
                headers={"Content-Type": "application/octet-stream"},
                ok=(204,),
            )
            out.append((await self.client.get(str(created["id"]))).to_dict())
        return out

    def store_name_unchecked(self, image_id: str, name: str) -> None:
        """Give an image a name the API would refuse (a 4-byte character, as images on IMS clouds have) by
        writing to the storage directly: the demo's record, or Glance's database row."""
        if self.cloud is not None:
            self.cloud.images[image_id]["name"] = name
            return
        assert self.database is not None
        with contextlib.closing(sqlite3.connect(self.database)) as db, db:
            assert db.execute("UPDATE images SET name = ? WHERE id = ?", (name, image_id)).rowcount == 1

    async def cleanup(self) -> None:
        # delete first and look only when refused: one request per image in the common case
        for image_id in self.created:
            try:
                await self.client.delete(image_id)
            except Forbidden:  # protected
                with contextlib.suppress(ApiError):
                    await self.client.update(image_id, [{"op": "replace", "path": "/protected", "value": False}])
                    await self.client.delete(image_id)
            except ApiError:
                continue  # gone already (404), or a teardown error that must not fail the test


@pytest.fixture(params=["demo", "glance"])
async def backend(request: pytest.FixtureRequest) -> AsyncIterator[Backend]:
    async with _backend(request) as made:
        yield made


@pytest.fixture(params=["demo", "glance", "ims"])
async def common_backend(request: pytest.FixtureRequest) -> AsyncIterator[Backend]:
    """``backend`` and the IMS simulator: for the calls IMS has too (list, show, create, patch, delete, tags)."""
    async with _backend(request) as made:
        yield made


@contextlib.asynccontextmanager
async def _backend(request: pytest.FixtureRequest) -> AsyncIterator[Backend]:
    cloud: DemoCloud | None = None
    database: Path | None = None
    auth: httpx.Auth | None = None
    if request.param == "ims":
        cloud = ImsCloud(image_count=50)
        auth = AkSkAuth(DEMO_AK, DEMO_SK, project_id=DEMO_PROJECT_ID, clock=cloud.now)
        endpoint, transport = cloud.url, cloud.transport
    elif request.param == "demo":
        from ims_tui.demo import DEMO_ENDPOINT

        cloud = DemoCloud(image_count=50)
        endpoint, transport = DEMO_ENDPOINT, cloud.transport
    else:
        endpoint, transport = request.getfixturevalue("glance_noauth"), None
        lab = request.getfixturevalue("openstack_lab")
        server = lab.require("glance-noauth", GlanceServer(mode="noauth").start)  # the one glance_noauth started
        database = Path(server.state_dir) / "glance.sqlite"
    client = ImageClient(endpoint, transport=transport, backoff=0, auth=auth)
    raw = httpx.AsyncClient(base_url=endpoint, transport=transport, auth=auth)
    backend = Backend(request.param, client, endpoint, raw, cloud, database, DEMO_PROJECT_ID if auth else "")
    try:
        yield backend
    finally:
        await backend.cleanup()
        await client.aclose()
        await raw.aclose()


@dataclass
class TwoProjects:
    name: str
    alice: ImageClient
    bob: ImageClient
    admin: ImageClient
    # more callers in alice's project: roles are taken literally from the headers, as Glance's trusted pipeline
    # does (Keystone would expand "member" to "member,reader")
    alice_reader: ImageClient
    alice_member_only: ImageClient
    alice_no_role: ImageClient
    endpoint: str
    transport: httpx.AsyncBaseTransport | None
    alice_project: str
    bob_project: str = ""
    _raw: list[httpx.AsyncClient] = field(default_factory=list)

    def raw(self, roles: str, project: str | None = None) -> httpx.AsyncClient:
        """A bare client (no Accept header) for a caller of ``project`` (alice's by default) with ``roles``."""
        auth = HeaderIdentityAuth(project or self.alice_project, roles)
        client = httpx.AsyncClient(base_url=self.endpoint, transport=self.transport, auth=auth)
        self._raw.append(client)
        return client


@pytest.fixture(params=["demo", "glance"])
async def two_projects(request: pytest.FixtureRequest) -> AsyncIterator[TwoProjects]:
    """Two ordinary projects and an admin, as Glance's trusted pipeline or the demo cloud sees them."""
    transport: httpx.AsyncBaseTransport | None = None
    if request.param == "demo":
        from ims_tui.demo import DEMO_ENDPOINT

        cloud = DemoCloud(image_count=10)
        endpoint, transport = DEMO_ENDPOINT, cloud.transport
    else:
        endpoint = request.getfixturevalue("glance_trusted")
    project_a, project_b = "proj-a-" + uuid.uuid4().hex[:6], "proj-b-" + uuid.uuid4().hex[:6]
    clients = [
        ImageClient(endpoint, transport=transport, auth=HeaderIdentityAuth(project, roles), backoff=0)
        for project, roles in (
            (project_a, "member,reader"),
            (project_b, "member,reader"),
            ("admin-proj", "admin,member,reader"),
            (project_a, "reader"),
            (project_a, "member"),
            (project_a, ""),
        )
    ]
    projects = TwoProjects(
        request.param, *clients, endpoint=endpoint, transport=transport, alice_project=project_a, bob_project=project_b
    )
    try:
        yield projects
    finally:
        for client in clients:
            await client.aclose()
        for raw in projects._raw:
            await raw.aclose()
