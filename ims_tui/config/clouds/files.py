"""Where clouds.yaml and secure.yaml are, reading them, and merging secure.yaml over clouds.yaml (openstacksdk's rules).

PyYAML is imported only when a file is actually read.
"""

from __future__ import annotations

import errno
import json
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ConfigError, display_path
from ..secrets import permission_warning
from .cloud import SECRET_AUTH_KEYS, OpenStackCloud, build_cloud

CLOUDS_ENV = "OS_CLIENT_CONFIG_FILE"
SECURE_ENV = "OS_CLIENT_SECURE_FILE"
SUFFIXES = (".yaml", ".yml", ".json")


def _home(environ: Mapping[str, str]) -> str:
    return environ.get("HOME") or os.path.expanduser("~")


def search_dirs(environ: Mapping[str, str], cwd: Path | None = None) -> list[Path]:
    """openstacksdk's CONFIG_SEARCH_PATH: cwd, the user config dir(s), the site config dir(s), /etc/openstack."""
    here = str(cwd) if cwd is not None else os.getcwd()
    home = _home(environ)
    if sys.platform.startswith(("win", "darwin")):
        import platformdirs

        dirs = platformdirs.PlatformDirs("openstack", "OpenStack", multipath=True)
        user_dir, site_dir = dirs.user_config_dir, dirs.site_config_dir
    else:
        # platformdirs' XDG rules, computed from the given environment so tests can point them anywhere.
        xdg_home = environ.get("XDG_CONFIG_HOME", "").strip() or os.path.join(home, ".config")
        user_dir = os.path.join(xdg_home, "openstack")
        xdg_dirs = environ.get("XDG_CONFIG_DIRS", "").strip() or "/etc/xdg"
        site_dir = os.pathsep.join(os.path.join(d, "openstack") for d in xdg_dirs.split(os.pathsep))
    real_home = environ.get("SNAP_REAL_HOME") or home
    unix_dir = os.path.join(real_home, ".config", "openstack")
    out: list[Path] = []
    for d in (here, user_dir, unix_dir, site_dir, "/etc/openstack"):
        if Path(d) not in out:
            out.append(Path(d))
    return out


def candidates(kind: str, environ: Mapping[str, str], cwd: Path | None = None) -> list[Path]:
    """Every path openstacksdk would try for ``kind`` ("clouds" or "secure"), first match wins."""
    override = environ.get(CLOUDS_ENV if kind == "clouds" else SECURE_ENV)
    out = [Path(override)] if override else []
    out += [d / f"{kind}{suffix}" for d in search_dirs(environ, cwd) for suffix in SUFFIXES]
    return out


@dataclass
class _Loaded:
    path: Path | None = None
    data: dict[str, Any] | None = None


def _load_first(paths: list[Path], warnings: list[str]) -> _Loaded:
    for path in paths:
        if not path.exists():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            if exc.errno == errno.EACCES:  # openstacksdk skips unreadable files silently; we say so
                warnings.append(f"skipped {display_path(path)}: permission denied")
                continue
            if exc.errno == errno.EISDIR:
                continue
            raise
        except UnicodeDecodeError:
            warnings.append(f"skipped {display_path(path)}: not UTF-8 text")
            continue
        try:
            data = _parse(text, path)
        except ValueError as exc:
            warnings.append(f"skipped {display_path(path)}: {exc}")
            continue
        if data is not None and not isinstance(data, dict):
            warnings.append(f"skipped {display_path(path)}: not a mapping with a 'clouds' key")
            continue
        return _Loaded(path, data or {})
    return _Loaded()


def _parse(text: str, path: Path) -> Any:
    if path.name.endswith("json"):
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"JSON syntax error at line {exc.lineno}: {exc.msg}") from None
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return yaml.load(text, Loader=loader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or "invalid YAML"
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise ValueError(f"YAML syntax error{where}: {problem}") from None


def merge_clouds(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """openstacksdk's deep merge: secure.yaml values win, nested mappings merge."""
    out = old.copy()
    for key, value in new.items():
        if isinstance(value, dict):
            out[key] = merge_clouds(out[key], value) if isinstance(out.get(key), dict) else value.copy()
        else:
            out[key] = value
    return out


@dataclass
class CloudsFiles:
    """The merged content of the clouds.yaml and secure.yaml in effect, and where it came from."""

    clouds_file: Path | None = None
    secure_file: Path | None = None
    clouds: dict[str, Any] = field(default_factory=dict, repr=False)
    clouds_candidates: list[Path] = field(default_factory=list)
    secure_candidates: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    _raw_clouds: dict[str, Any] = field(default_factory=dict, repr=False)
    _secure_clouds: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def files_read(self) -> list[Path]:
        return [p for p in (self.clouds_file, self.secure_file) if p is not None]

    def names(self) -> list[str]:
        return list(self.clouds)

    def permission_warnings(self) -> dict[str, list[str]]:
        """Per cloud name, the warnings about world/group-readable files that hold its secrets."""
        out: dict[str, list[str]] = {}
        for name in self.clouds:
            found = []
            raw = self._raw_clouds.get(name)
            if self.clouds_file is not None and _holds_secret(raw):
                found.append(permission_warning(self.clouds_file, _what(raw)))
            if self.secure_file is not None and name in self._secure_clouds:
                found.append(permission_warning(self.secure_file, "secrets"))
            out[name] = [w for w in found if w]
        return out

    def get(self, name: str, *, region_name: str | None = None) -> OpenStackCloud:
        if name not in self.clouds:
            raise unknown_cloud(name, self)
        return build_cloud(name, self.clouds[name], region_name=region_name, source=self.clouds_file)


def _holds_secret(raw: Any) -> bool:
    if not isinstance(raw, dict):
        return False
    auth = raw["auth"] if isinstance(raw.get("auth"), dict) else {}
    keys = {str(k).replace("-", "_") for k in list(raw) + list(auth)}
    return bool(keys & {*SECRET_AUTH_KEYS, "auth_token"})  # auth_token: the old name of token


def _what(raw: Any) -> str:
    auth: dict[str, Any] = raw["auth"] if isinstance(raw, dict) and isinstance(raw.get("auth"), dict) else {}
    return "a password" if "password" in auth or "password" in raw else "a secret"


def unknown_cloud(name: str, files: CloudsFiles) -> ConfigError:
    read = ", ".join(display_path(p) for p in files.files_read) or "no clouds.yaml found"
    names = ", ".join(files.names()) or "none"
    extra = f"; {files.warnings[0]}" if files.warnings else ""
    return ConfigError(
        f"cloud {name!r} is not in clouds.yaml (clouds found: {names}; files read: {read}{extra})",
        key="os_cloud",
        fix="check the name, or set OS_CLIENT_CONFIG_FILE to the clouds.yaml that defines it",
    )


def load_clouds(environ: Mapping[str, str], cwd: Path | None = None) -> CloudsFiles:
    """Find and merge clouds.yaml and secure.yaml like openstacksdk; syntax errors become warnings, as there."""
    warnings: list[str] = []
    clouds_paths = candidates("clouds", environ, cwd)
    secure_paths = candidates("secure", environ, cwd)
    main = _load_first(clouds_paths, warnings)
    secure = _load_first(secure_paths, warnings)
    for loaded in (main, secure):
        if loaded.path is not None and loaded.data and "clouds" not in loaded.data:
            warnings.append(f"{display_path(loaded.path)} has no 'clouds' key")
    data = main.data or {}
    if secure.data:
        data = merge_clouds(data, secure.data)
    clouds = data.get("clouds") or {}
    if not isinstance(clouds, dict):
        warnings.append(f"{display_path(main.path)}: 'clouds' is not a mapping")
        clouds = {}
    return CloudsFiles(
        clouds_file=main.path,
        secure_file=secure.path,
        clouds={str(k): v for k, v in clouds.items()},
        clouds_candidates=clouds_paths,
        secure_candidates=secure_paths,
        warnings=warnings,
        _raw_clouds=_clouds_of(main.data),
        _secure_clouds=_clouds_of(secure.data),
    )


def _clouds_of(data: dict[str, Any] | None) -> dict[str, Any]:
    clouds = (data or {}).get("clouds")
    return clouds if isinstance(clouds, dict) else {}
