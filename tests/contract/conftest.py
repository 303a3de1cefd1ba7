"""The two backends every contract test runs against: the in-process demo cloud and a real Glance on loopback."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest

from ims_tui.api import HeaderIdentityAuth, ImageClient


@dataclass
class Backend:
    """A client plus bookkeeping so each test cleans up the images it made (the real Glance is shared)."""

    name: str
    client: ImageClient
    endpoint: str
    created: list[str] = field(default_factory=list)
    marker_tag: str = field(default_factory=lambda: "ct-" + uuid.uuid4().hex[:10])

    async def create(self, **attributes: object) -> dict[str, object]:
        attributes.setdefault("name", f"contract-{uuid.uuid4().hex[:8]}")
        tags = list(attributes.pop("tags", []))  # type: ignore[call-overload]
        attributes["tags"] = [self.marker_tag, *tags]
        image = await self.client.create(dict(attributes))
        self.created.append(image.id)
        return image.to_dict()

    async def cleanup(self) -> None:
        for image_id in self.created:
            try:
                image = await self.client.get(image_id)
            except Exception:
                continue
            if image.protected:
                await self.client.update(image_id, [{"op": "replace", "path": "/protected", "value": False}])
            with contextlib.suppress(Exception):
                await self.client.delete(image_id)


@pytest.fixture(params=["demo", "glance"])
async def backend(request: pytest.FixtureRequest) -> AsyncIterator[Backend]:
    if request.param == "demo":
        from ims_tui.demo import DEMO_ENDPOINT, DemoCloud

        cloud = DemoCloud(image_count=50)
        client = ImageClient(DEMO_ENDPOINT, transport=cloud.transport, backoff=0)
        endpoint = DEMO_ENDPOINT
    else:
        endpoint = request.getfixturevalue("glance_noauth")
        client = ImageClient(endpoint, backoff=0)
    backend = Backend(request.param, client, endpoint)
    try:
        yield backend
    finally:
        await backend.cleanup()
        await client.aclose()


@dataclass
class TwoProjects:
    name: str
    alice: ImageClient
    bob: ImageClient
    admin: ImageClient


@pytest.fixture(params=["demo", "glance"])
async def two_projects(request: pytest.FixtureRequest) -> AsyncIterator[TwoProjects]:
    """Two ordinary projects and an admin, as Glance's trusted pipeline or the demo cloud sees them."""
    if request.param == "demo":
        from ims_tui.demo import DEMO_ENDPOINT, DemoCloud

        cloud = DemoCloud(image_count=10)
        endpoint, transport = DEMO_ENDPOINT, cloud.transport
    else:
        endpoint, transport = request.getfixturevalue("glance_trusted"), None
    project_a, project_b = "proj-a-" + uuid.uuid4().hex[:6], "proj-b-" + uuid.uuid4().hex[:6]
    clients = [
        ImageClient(endpoint, transport=transport, auth=HeaderIdentityAuth(project, roles), backoff=0)
        for project, roles in (
            (project_a, "member,reader"),
            (project_b, "member,reader"),
            ("admin-proj", "admin,member,reader"),
        )
    ]
    try:
        yield TwoProjects(request.param, *clients)
    finally:
        for client in clients:
            await client.aclose()
