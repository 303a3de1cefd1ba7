"""Keystone logins kept between runs: the token, its expiry and what Keystone said about it (``AuthResult``).

A start that finds a still valid token of the same cloud and user sends no request to Keystone at all: on a far
cloud the token POST (and Keystone's own slow token issuing) is the largest part of the time to the first row.

One JSON file per login, named by a hash of what identifies it: the normalized auth_url, the kind of credential
and every field of it that is not a secret (user, domains, project or domain scope, an application credential's
id or name). Region and interface are not in it: the whole catalog is kept and the endpoint picked from it at
each start. The file holds the token (the one secret it must hold) and never a password or credential secret;
a token credential is not cached at all, since its identity is itself a secret.

The folder is made with mode 0700 and each file written whole with mode 0600 and renamed over the old one. A
file that is missing, unreadable, not ours, readable by group or others, or not what this module writes is
treated as absent: the next login replaces it. Nothing here is ever an error for the user.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import stat
from dataclasses import asdict, fields
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

from ...private_files import write_private
from ..secret_value import SecretValue
from .catalog import AuthResult, parse_time
from .credentials import Credentials, TokenCredentials

log = logging.getLogger("ims_tui.api.keystone")

FORMAT = 1  # bumped when the file's shape changes: an older file then reads as absent
_TUPLES = {"roles", "methods"}
_TIMES = {"token_expires_at", "issued_at"}


def cache_key(credentials: Credentials) -> dict[str, Any] | None:
    """What identifies a login, secrets left out by type; None for a credential that must not be cached."""
    if isinstance(credentials, TokenCredentials):
        return None
    public = {
        name: value
        for name, value in ((f.name, getattr(credentials, f.name)) for f in fields(credentials))
        if value is not None and not isinstance(value, SecretValue)
    }
    return {"kind": type(credentials).__name__, **public}


def file_name(key: dict[str, Any]) -> str:
    text = json.dumps(key, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:32] + ".json"


class CachedLogin(NamedTuple):
    token: str
    result: AuthResult


class TokenCache:
    """The logins kept in ``folder``: ``load`` what a credential's file holds, ``save`` a new login, ``drop`` one
    the service refused. Freshness is the caller's to judge (with its own clock and margin)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def __repr__(self) -> str:
        return f"TokenCache({str(self.folder)!r})"

    def path_for(self, credentials: Credentials) -> Path | None:
        key = cache_key(credentials)
        return self.folder / file_name(key) if key is not None else None

    def load(self, credentials: Credentials) -> CachedLogin | None:
        key = cache_key(credentials)
        if key is None:
            return None
        path = self.folder / file_name(key)
        data = _read_private(path)
        if data is None:
            return None
        token, result = data.get("token"), data.get("result")
        if data.get("format") != FORMAT or data.get("key") != key or not isinstance(token, str) or not token:
            log.debug("ignored the token cache file %s: not a login of this credential", path)
            return None
        parsed = _result_from_json(result)
        if parsed is None or parsed.token_expires_at is None:
            log.debug("ignored the token cache file %s: its login does not read", path)
            return None
        log.debug("read a cached login from %s", path)
        return CachedLogin(token, parsed)

    def save(self, credentials: Credentials, token: str, result: AuthResult) -> None:
        """Keep this login; a token without an expiry is not kept. A write that fails is logged and forgotten."""
        key = cache_key(credentials)
        if key is None or result.token_expires_at is None:
            return
        data = {"format": FORMAT, "key": key, "token": token, "result": _result_to_json(result)}
        path = self.folder / file_name(key)
        try:
            self._write(path, json.dumps(data, sort_keys=True))
        except OSError as exc:
            log.debug("could not write the token cache file %s: %s", path, exc.strerror or exc)
        else:
            log.debug("kept the login in %s", path)

    def drop(self, credentials: Credentials) -> None:
        path = self.path_for(credentials)
        if path is None:
            return
        try:
            path.unlink(missing_ok=True)
        except OSError as exc:
            log.debug("could not remove the token cache file %s: %s", path, exc.strerror or exc)
        else:
            log.debug("dropped the cached login %s", path)

    def _write(self, path: Path, text: str) -> None:
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(self.folder, 0o700)  # also a folder made before, or by someone's looser umask
        write_private(path, text, durable=False)  # a file torn by a crash reads as absent


def _read_private(path: Path) -> dict[str, Any] | None:
    """The file's JSON object, if it is a regular file of this user that nobody else may read."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except FileNotFoundError:
        return None
    except OSError as exc:
        log.debug("ignored the token cache file %s: %s", path, exc.strerror or exc)
        return None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        owner_ok = not hasattr(os, "getuid") or info.st_uid == os.getuid()
        if not stat.S_ISREG(info.st_mode) or not owner_ok or info.st_mode & 0o077:
            log.debug("ignored the token cache file %s: others may read it (mode %o)", path, info.st_mode & 0o777)
            return None
        try:
            data = json.loads(handle.read().decode("utf-8"))
        except (OSError, UnicodeDecodeError, ValueError):
            log.debug("ignored the token cache file %s: it is not valid JSON", path)
            return None
    return data if isinstance(data, dict) else None


def _result_to_json(result: AuthResult) -> dict[str, Any]:
    data = asdict(result)
    for name in _TIMES:
        when: datetime | None = data[name]
        data[name] = when.isoformat() if when is not None else None
    for name in _TUPLES:
        data[name] = list(data[name])
    return data


def _result_from_json(data: Any) -> AuthResult | None:
    """The ``AuthResult`` written by ``_result_to_json``, or None for anything else (hand-edited, another version)."""
    if not isinstance(data, dict) or set(data) != {f.name for f in fields(AuthResult)}:
        return None
    values: dict[str, Any] = {}
    for name, value in data.items():
        if name in _TIMES:
            if value is not None and parse_time(value) is None:
                return None
            values[name] = parse_time(value)
        elif name in _TUPLES:
            if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
                return None
            values[name] = tuple(value)
        elif name == "catalog":
            if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
                return None
            values[name] = value
        elif value is not None and not isinstance(value, str):
            return None
        else:
            values[name] = value
    return AuthResult(**values)
