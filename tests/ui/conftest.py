"""Fixtures for the UI tests; the helpers themselves live in helpers.py so test modules can import them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime

import pytest

from ims_tui.api import ImageClient
from ims_tui.demo import DEMO_ENDPOINT, DemoCloud

from .helpers import NOW, DroppingTransport


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture
def cloud() -> DemoCloud:
    return DemoCloud(image_count=5, latency=0.0, seed=42)


@pytest.fixture
def transport(cloud: DemoCloud) -> DroppingTransport:
    return DroppingTransport(cloud.transport)


@pytest.fixture
async def client(transport: DroppingTransport) -> AsyncIterator[ImageClient]:
    async with ImageClient(DEMO_ENDPOINT, transport=transport, backoff=0) as api:
        yield api
