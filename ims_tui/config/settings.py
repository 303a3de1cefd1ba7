"""The TOML config file: where it is, reading it, and validating it into ``Settings`` with one clear error.

Unknown keys are errors, not silently ignored: a misspelt ``read_only`` on a production profile must never go
unnoticed. Every error names the file, the dotted key, the problem and the fix (explain.py). What a file may say
is declared in profiles.py and tables.py, imported only when there is a file to check: with no config file,
pydantic is not imported and none of those models is built (clouds.yaml, openrc, --endpoint and --demo users
don't pay for them).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import ConfigError, display_path
from .secrets import SECRET_FIELDS, permission_warning
from .values import UiSettings, parse_sort

if TYPE_CHECKING:
    from .profiles import Settings

CONFIG_ENV = "IMS_TUI_CONFIG"
CONFIG_FILE_NAME = "config.toml"


def config_path(cli_path: str | os.PathLike[str] | None, environ: Mapping[str, str]) -> tuple[Path, bool]:
    """Which config file to read, and whether the user named it (a named file that's missing is an error)."""
    if cli_path:
        return Path(os.path.expanduser(os.fspath(cli_path))), True
    if environ.get(CONFIG_ENV):
        return Path(os.path.expanduser(environ[CONFIG_ENV])), True
    return default_config_path(), False


def default_config_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_config_dir("ims-tui", appauthor=False)) / CONFIG_FILE_NAME


def _toml_loads(text: str, path: Path) -> dict[str, Any]:
    try:
        import tomllib  # type: ignore[import-not-found,unused-ignore]
    except ModuleNotFoundError:  # Python 3.10
        try:
            import tomli as tomllib  # type: ignore[import-not-found,no-redef,unused-ignore]
        except ModuleNotFoundError:
            raise ConfigError(
                "reading a TOML config needs Python 3.11 or newer (or the tomli package)",
                file=path,
                fix="run ims-tui with Python 3.11+, or pip install tomli",
            ) from None
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        match = re.search(r"\(at line (\d+), column (\d+)\)", message)
        line = int(match.group(1)) if match else None
        problem = re.sub(r"\s*\(at line \d+, column \d+\)", "", message) or "invalid TOML"
        if match:
            problem += f" at column {match.group(2)}"
        raise ConfigError(
            f"TOML syntax error: {problem}",
            file=path,
            line=line,
            fix='check quotes and brackets; strings need quotes, e.g. name = "value"',
        ) from None
    return data


def parse_settings(data: Mapping[str, Any], path: Path | None = None) -> Settings:
    """Validate already-parsed TOML data (tests and the example use it directly)."""
    from pydantic import ValidationError

    from .profiles import Settings

    data = dict(data)
    try:
        settings = Settings.model_validate(data)
    except ValidationError as exc:
        from .explain import explain

        raise explain(exc, data, path) from None
    if settings.default is not None and settings.default not in settings.clouds:
        names = ", ".join(settings.clouds) or "none defined"
        raise ConfigError(
            f"{settings.default!r} is not a profile in this file; profiles: {names}",
            file=path,
            key="default",
            fix=f"add a [clouds.{settings.default}] table, or set default to one of the profiles",
        )
    return settings


def load_settings(path: Path) -> Settings:
    """Read and validate one config file; a missing file is an empty configuration."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        from .profiles import Settings

        return Settings()
    except IsADirectoryError:
        raise ConfigError("is a directory, not a file", file=path, fix="point --config at a config.toml") from None
    except PermissionError:
        raise ConfigError("can't be read (permission denied)", file=path, fix="check its owner and mode") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError("is not UTF-8 text", file=path, fix="save it as UTF-8") from None
    return parse_settings(_toml_loads(text, path), path)


def secrets_warning(settings: Settings, path: Path) -> str | None:
    """The permission warning for a config file that holds a secret, if it is readable by others."""
    held = sorted({key for profile in settings.clouds.values() for key in profile.secret_keys()})
    if not held:
        return None
    return permission_warning(path, SECRET_FIELDS[held[0]] if len(held) == 1 else "secrets")


__all__ = [
    "CONFIG_ENV",
    "UiSettings",
    "config_path",
    "default_config_path",
    "display_path",
    "load_settings",
    "parse_settings",
    "parse_sort",
]
