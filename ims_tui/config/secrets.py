"""Secrets: a value that never prints, the password command, and the file-permission check.

A secret comes from the config file, secure.yaml/clouds.yaml, the environment or a ``password_command``; when none
of those has it, the session asks the UI for it (``needs_password``) instead of failing at startup.
"""

from __future__ import annotations

import hmac
import os
import shlex
import stat
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..logs import register_secret
from .errors import ConfigError, display_path

PASSWORD_COMMAND_TIMEOUT = 10.0
# Every key that holds a secret, in the config file or in clouds.yaml's auth, and how a message names what it holds.
# The one list: errors never echo these values, the permission check looks for them, the log filter learns them.
SECRET_FIELDS: dict[str, str] = {
    "password": "a password",
    "application_credential_secret": "an application credential secret",
    "token": "a token",
    "secret_key": "a secret key",
    "security_token": "a security token",
}


class Secret:
    """A credential: ``repr``/``str``/f-strings show ``***``; only ``reveal()`` gives the value.

    Every secret is registered with the log redaction filter when it is made, so it can't reach the log file
    even through a third-party library's debug output.
    """

    __slots__ = ("_value", "source")

    def __init__(self, value: str, source: str = "") -> None:
        if not isinstance(value, str):
            raise TypeError("a Secret holds a str")
        self._value = value
        self.source = source  # where it came from, for messages ("config.toml", "OS_PASSWORD", ...)
        register_secret(value)

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    def __str__(self) -> str:
        return "***"

    def __format__(self, spec: str) -> str:
        return "***"

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Secret):
            return hmac.compare_digest(self._value.encode(), other._value.encode())
        return NotImplemented

    def __hash__(self) -> int:
        return hash(("Secret", self._value))

    def __reduce__(self) -> str | tuple[Any, ...]:
        # Pickling would write the value somewhere we don't control (a cache, a crash dump).
        raise TypeError("a Secret can't be pickled")


class PasswordRequired(Exception):
    """``connect()`` was called on a session whose secret is still missing: prompt, ``provide_password()``, retry."""

    def __init__(self, prompt: str) -> None:
        self.prompt = prompt
        super().__init__(prompt)


def command_argv(command: str | Sequence[str]) -> list[str]:
    """The argv of a ``password_command``: a list runs as is, a string is split like a shell would (no shell)."""
    if isinstance(command, str):
        try:
            argv = shlex.split(command)
        except ValueError as exc:
            raise ConfigError(
                f"password_command can't be split into words ({exc})",
                key="password_command",
                fix='write it as a list, e.g. password_command = ["pass", "show", "cloud/prod"]',
            ) from None
    else:
        argv = [str(part) for part in command]
    if not argv:
        raise ConfigError(
            "password_command is empty", key="password_command", fix='e.g. password_command = "pass show cloud/prod"'
        )
    return argv


def run_password_command(
    command: str | Sequence[str],
    *,
    timeout: float = PASSWORD_COMMAND_TIMEOUT,
    key: str = "password_command",
    file: Path | None = None,
) -> Secret:
    """Run the command without a shell and take its stdout (minus one trailing newline) as the secret.

    Errors name the program and its exit status, never its output: a failing ``pass`` or ``vault`` may print
    part of the secret, or other secrets, to stdout or stderr.
    """
    argv = command_argv(command)
    program = argv[0]
    try:
        done = subprocess.run(
            argv,
            stdin=subprocess.DEVNULL,
            capture_output=True,  # stderr too: it must not print under the TUI
            timeout=timeout,
            check=False,
        )
    except FileNotFoundError:
        raise ConfigError(
            f"password_command program {program!r} was not found",
            file=file,
            key=key,
            fix="give the full path of the program, or install it",
        ) from None
    except PermissionError:
        raise ConfigError(
            f"password_command program {program!r} is not executable", file=file, key=key, fix="chmod +x it"
        ) from None
    except subprocess.TimeoutExpired:
        raise ConfigError(
            f"password_command {program!r} did not finish within {timeout:g} s",
            file=file,
            key=key,
            fix="make sure it doesn't wait for input (an agent or keyring must already be unlocked)",
        ) from None
    except OSError as exc:
        raise ConfigError(
            f"password_command {program!r} could not start ({exc.strerror})", file=file, key=key
        ) from None
    if done.returncode != 0:
        raise ConfigError(
            f"password_command {program!r} failed with exit status {done.returncode}",
            file=file,
            key=key,
            fix="run it in a shell to see why",
        )
    out = done.stdout.decode("utf-8", errors="replace")
    if out.endswith("\r\n"):
        out = out[:-2]
    elif out.endswith("\n"):
        out = out[:-1]
    if not out:
        raise ConfigError(
            f"password_command {program!r} printed nothing",
            file=file,
            key=key,
            fix="it must print the secret on stdout",
        )
    return Secret(out, source=f"password_command {program}")


def permission_warning(path: Path, what: str = "a password") -> str | None:
    """A warning when a file holding ``what`` can be read by group or others (POSIX only), else None."""
    if os.name != "posix":
        return None
    try:
        mode = path.stat().st_mode
    except OSError:
        return None
    if mode & (stat.S_IRGRP | stat.S_IROTH):
        who = "others" if mode & stat.S_IROTH else "its group"
        return f"{display_path(path)} holds {what} and is readable by {who}: chmod 600 it"
    return None
