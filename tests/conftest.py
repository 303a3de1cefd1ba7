"""Real OpenStack servers on 127.0.0.1 for the tests that ask for them (see tools/openstack_lab.py).

Each server starts on first use, once per session, and is stopped by PID when the session ends. When one
cannot start (no network for the first install, a timeout, ...), the tests that need it are skipped and the
terminal summary says why; with CI=true they fail instead, so CI never goes green by skipping the real cloud.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, settings

from tools.openstack_lab import GlanceServer, KeystoneLab, LabError, ServerPool, start_keystone_lab

# No hypothesis example may fail for taking long: on a busy 2-core machine a 200 ms deadline is a wall-clock
# assertion, which no test here makes (a slow example is a benchmark question, bench/).
settings.register_profile("ims-tui", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ims-tui")

T = TypeVar("T")


def lab_is_mandatory() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


class LabSession:
    """The session's servers; ``require`` turns a server that cannot start into a skip (a failure under CI)."""

    def __init__(self) -> None:
        self.pool = ServerPool()

    def require(self, name: str, start: Callable[[], T]) -> T:
        first_try = name not in self.pool.failures
        try:
            result: T = self.pool.get(name, start)
            return result
        except LabError as exc:
            message = f"openstack lab: {name} could not start: {exc}"
            if first_try:
                warnings.warn(pytest.PytestWarning(message), stacklevel=2)
            if lab_is_mandatory():
                pytest.fail(message + "\n(CI=true: a missing real server is a failure, not a skip)", pytrace=False)
            pytest.skip(message)


_lab_key = pytest.StashKey[LabSession]()


@pytest.fixture(autouse=True)
def _own_state_folder(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test its own state folder (saved views, remembered sorts): never the user's, never another test's."""
    monkeypatch.setenv("IMS_TUI_STATE_DIR", str(tmp_path_factory.mktemp("state", numbered=True)))
    # and its own cache folder: a login kept by one test (or by the user's own runs) is never another's
    monkeypatch.setenv("IMS_TUI_CACHE_DIR", str(tmp_path_factory.mktemp("cache", numbered=True)))


@pytest.fixture(autouse=True)
def _own_request_log() -> None:
    """Each test starts with an empty session request log (it is process-wide, as in the app): what the `L` screen
    shows is that test's requests, not the last 1,000 of the tests before it."""
    from ims_tui.api.request_log import SESSION_LOG

    SESSION_LOG.clear()


@pytest.fixture(scope="session")
def openstack_lab(pytestconfig: pytest.Config) -> Iterator[LabSession]:
    lab = LabSession()
    pytestconfig.stash[_lab_key] = lab
    try:
        yield lab
    finally:
        lab.pool.stop_all()


@pytest.fixture(scope="session")
def glance_noauth(openstack_lab: LabSession) -> str:
    """Endpoint URL (no /v2) of a Glance where every request is an admin without a project."""
    return openstack_lab.require("glance-noauth", GlanceServer(mode="noauth").start).url


@pytest.fixture(scope="session")
def glance_trusted(openstack_lab: LabSession) -> str:
    """Endpoint URL of a Glance that trusts X-Identity-Status/X-Project-Id/X-User-Id/X-Roles headers."""
    return openstack_lab.require("glance-trusted", GlanceServer(mode="trusted").start).url


@pytest.fixture(scope="session")
def keystone_lab(openstack_lab: LabSession) -> KeystoneLab:
    """Keystone + keystone-mode Glance: .keystone_url (ends in /v3), .glance_url, .region, and the accounts
    .admin (admin/adminpw), .service (glance/glancepw) and .demo (demo/demopw, project demo, role member)."""
    return openstack_lab.require("keystone", start_keystone_lab)


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    lab = config.stash.get(_lab_key, None)
    if lab is None or not lab.pool.failures:
        return
    outcome = "FAILED" if lab_is_mandatory() else "SKIPPED"
    terminalreporter.write_sep(
        "!", f"real OpenStack servers unavailable: the tests needing them were {outcome}", red=True
    )
    for name, reason in lab.pool.failures.items():
        terminalreporter.write_line(f"{name}: {reason}", yellow=True)
