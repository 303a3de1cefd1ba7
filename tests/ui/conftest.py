"""Fixtures for the UI tests; the helpers themselves live in helpers.py so test modules can import them."""

from __future__ import annotations

from datetime import datetime

import pytest

from .helpers import NOW


@pytest.fixture
def now() -> datetime:
    return NOW
