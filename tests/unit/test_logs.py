"""Logging: a private rotating file, never the terminal, and masked credentials."""

from __future__ import annotations

import logging
import stat
from pathlib import Path

import pytest

from ims_tui.logs import RedactionFilter, forget_secrets, redact, register_secret, setup_logging


@pytest.fixture(autouse=True)
def _clean() -> None:
    forget_secrets()


def flush() -> None:
    for handler in logging.getLogger().handlers:
        handler.flush()


def test_setup_logging_writes_a_private_file_and_not_stderr(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = setup_logging(debug=False, log_dir=tmp_path / "logs")
    assert path == tmp_path / "logs" / "ims-tui.log"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    log = logging.getLogger("ims_tui.api")
    log.debug("GET /v2/images -> 200 (hidden at INFO)")
    log.info("visible at INFO")
    logging.getLogger("some.library").warning("library warning")
    flush()
    content = path.read_text()
    assert "visible at INFO" in content and "hidden at INFO" not in content and "library warning" in content
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out == ""


def test_debug_level_and_reinstall_does_not_duplicate(tmp_path: Path) -> None:
    setup_logging(debug=False, log_dir=tmp_path)
    path = setup_logging(debug=True, log_dir=tmp_path)
    logging.getLogger("ims_tui.api").debug("GET /v2/images -> 200 in 12 ms (request id req-1)")
    flush()
    assert path.read_text().count("request id req-1") == 1


def test_default_log_dir_is_the_platform_one() -> None:
    from ims_tui.logs import default_log_dir

    assert "ims-tui" in str(default_log_dir())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("X-Auth-Token: gAAAA123", "X-Auth-Token: ***"),
        ("{'X-Subject-Token': 'abc', 'status': 201}", "{'X-Subject-Token': '***', 'status': 201}"),
        ("Authorization: SDK-HMAC-SHA256 Access=AK, Signature=ff", "Authorization: ***"),
        ('{"password": "p w", "name": "alice"}', '{"password": "***", "name": "alice"}'),
        ("password=abc&user=bob", "password=***&user=bob"),
        ("application_credential_secret: xyz", "application_credential_secret: ***"),
        ("secret_key = 'k'", "secret_key = '***'"),
        ("https://alice:pw@keystone.example.com/v3", "https://***@keystone.example.com/v3"),
        ("GET /v2/images?limit=200 -> 200 in 15 ms", "GET /v2/images?limit=200 -> 200 in 15 ms"),
        ("token expired, re-authenticating", "token expired, re-authenticating"),
    ],
)
def test_redact_patterns(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_registered_values_are_masked_anywhere_but_short_ones_are_not() -> None:
    register_secret("correct-horse")
    register_secret("correct-horse-battery")  # a longer secret containing a shorter one is masked whole
    register_secret("ab")
    assert redact("x correct-horse-battery y correct-horse z") == "x *** y *** z"
    assert redact("abc") == "abc"


def test_filter_masks_args_and_tracebacks() -> None:
    register_secret("tb-secret-1")
    try:
        raise ValueError("tb-secret-1")
    except ValueError:
        import sys

        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "value %s", ("tb-secret-1",), sys.exc_info())
    assert RedactionFilter().filter(record)
    assert record.getMessage() == "value ***"
    assert record.exc_text and "tb-secret-1" not in record.exc_text
