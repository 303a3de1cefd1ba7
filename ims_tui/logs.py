"""Logging to a rotating file, never to the terminal, with every secret masked before it is written.

Textual owns stdout and stderr while the app runs, so a stray handler there would corrupt the screen. Debug
logs end up in bug reports, so the redaction runs on every record, whatever logger produced it.
"""

from __future__ import annotations

import contextlib
import logging
import logging.handlers
import os
import re
import threading
from pathlib import Path

LOG_FILE_NAME = "ims-tui.log"
MASK = "***"

# Secrets shorter than this are not replaced by value: masking every "ab" in a log would destroy it, and
# short values are still caught by the key-based patterns below.
_MIN_SECRET_LENGTH = 4

_secrets: set[str] = set()
_secrets_lock = threading.Lock()
_secrets_pattern: re.Pattern[str] | None = None

# A header whose whole value is a credential, up to the end of the line or a closing quote (dict reprs).
_HEADER = re.compile(
    r"(?P<key>\b(?:X-Auth-Token|X-Subject-Token|X-Security-Token|Authorization|Proxy-Authorization)"
    r"[\"']?\s*[:=]\s*[\"']?)(?P<value>[^\"'\r\n]+)",
    re.IGNORECASE,
)
# key=value, key: value, "key": "value" where the key names a credential (password, secret_key, token, ...).
_KEY_VALUE = re.compile(
    r"(?P<key>[\"']?\b[\w-]*(?:password|passwd|secret|token|access_key|credential)[\w-]*[\"']?\s*[:=]\s*)"
    r"(?P<quote>[\"'])?(?P<value>(?(quote)[^\"'\r\n]*|[^\s,;&\"'}\])]+))",
    re.IGNORECASE,
)
# scheme://user:password@host -> scheme://***@host
_USERINFO = re.compile(r"(?P<scheme>\b[a-zA-Z][a-zA-Z0-9+.-]*://)[^/\s@]+@")


def register_secret(value: str | None) -> None:
    """Mask this exact value in every later log line (the resolver calls it for every secret it reads)."""
    global _secrets_pattern
    if not value or len(value) < _MIN_SECRET_LENGTH:
        return
    with _secrets_lock:
        if value in _secrets:
            return
        _secrets.add(value)
        # Longest first, so a secret that contains another is masked whole.
        ordered = sorted(_secrets, key=len, reverse=True)
        _secrets_pattern = re.compile("|".join(re.escape(s) for s in ordered))


def forget_secrets() -> None:
    """Drop every registered value (tests; a long-lived process never needs it)."""
    global _secrets_pattern
    with _secrets_lock:
        _secrets.clear()
        _secrets_pattern = None


def redact(text: str) -> str:
    """The text with registered secrets, credential headers and fields, and URL userinfo masked."""
    pattern = _secrets_pattern
    if pattern is not None:
        text = pattern.sub(MASK, text)
    text = _HEADER.sub(lambda m: m.group("key") + MASK, text)
    text = _KEY_VALUE.sub(lambda m: m.group("key") + (m.group("quote") or "") + MASK, text)
    return _USERINFO.sub(lambda m: m.group("scheme") + MASK + "@", text)


class RedactionFilter(logging.Filter):
    """Rewrites each record in place so every handler after it only ever sees masked text."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not lose the record, nor leak its arguments
            message = str(record.msg)
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class _RedactingFormatter(logging.Formatter):
    """A second pass over the final line: covers anything a formatter adds after the filter ran."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


_installed: list[logging.Handler] = []


def default_log_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_log_dir("ims-tui", appauthor=False))


def log_file_path(log_dir: Path | str | None = None) -> Path:
    return Path(log_dir or default_log_dir()) / LOG_FILE_NAME


def setup_logging(debug: bool = False, log_dir: Path | str | None = None) -> Path:
    """Send logs to ``<user log dir>/ims-tui.log`` (1 MiB x 4 files) and return the file's path.

    INFO by default, DEBUG with ``--debug`` (request lines from "ims_tui.api"). Calling it again replaces the
    handler it installed before, so tests and a re-exec never double every line.
    """
    path = log_file_path(log_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(OSError):  # a shared or read-only parent: keep going, the file itself is 0600
        os.chmod(path.parent, 0o700)
    if not path.exists():
        # Create it private before the handler opens it: image names and project ids are not for everyone.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.close(fd)

    handler = logging.handlers.RotatingFileHandler(path, maxBytes=1 << 20, backupCount=3, encoding="utf-8")
    handler.addFilter(RedactionFilter())
    handler.setFormatter(_RedactingFormatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s"))
    handler.setLevel(logging.DEBUG)

    root = logging.getLogger()
    for old in _installed:
        root.removeHandler(old)
        old.close()
    _installed[:] = [handler]
    # Third-party libraries stay at WARNING even in debug: httpcore's DEBUG dumps every socket event.
    root.setLevel(logging.WARNING)
    root.addHandler(handler)
    logging.getLogger("ims_tui").setLevel(logging.DEBUG if debug else logging.INFO)
    logging.getLogger("httpx").setLevel(logging.INFO if debug else logging.WARNING)
    # Python warnings would otherwise print to stderr, under Textual's screen.
    logging.captureWarnings(True)
    return path
