"""clouds.yaml + secure.yaml, read the way openstacksdk reads them, without importing openstacksdk.

A user who runs ``openstack --os-cloud prod image list`` must get the same auth URL, credentials, project, domains,
region, interface and TLS settings here. The merge order and the "magic fixes" below follow
``openstack.config.loader.OpenStackConfig.get_one`` step by step; tests/unit/test_clouds_yaml_oracle.py compares
the results against openstacksdk itself. PyYAML is imported only when a file is actually read.
"""

from __future__ import annotations

import contextlib
import copy
import errno
import json
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..logs import register_secret
from .errors import ConfigError, display_path
from .secrets import permission_warning

CLOUDS_ENV = "OS_CLIENT_CONFIG_FILE"
SECURE_ENV = "OS_CLIENT_SECURE_FILE"
SUFFIXES = (".yaml", ".yml", ".json")

# openstacksdk's defaults.json/defaults.py, reduced to the keys that change what we do.
DEFAULTS: dict[str, Any] = {"auth_type": "password", "interface": "public", "verify": True, "cacert": None}

# Vendor profiles worth shipping: the clouds this tool is for. Copied from openstacksdk's vendors/*.json.
VENDOR_PROFILES: dict[str, dict[str, Any]] = {
    "otc": {
        "auth": {"auth_url": "https://iam.{region_name}.otc.t-systems.com/v3"},
        "regions": ["eu-de", "eu-nl"],
        "identity_api_version": "3",
        "interface": "public",
    },
    "otc-swiss": {
        "auth": {"auth_url": "iam-pub.eu-ch2.sc.otc.t-systems.com/v3"},
        "regions": ["eu-ch2"],
        "identity_api_version": "3",
        "interface": "public",
    },
}

# keystoneauth plugin options per auth type: (name, deprecated names). Order matters: it is the order
# keystoneauth lists them, which decides which alias wins when several are given.
_Options = list[tuple[str, tuple[str, ...]]]
_SCOPE: _Options = [
    ("auth_url", ()),
    ("system_scope", ()),
    ("domain_id", ()),
    ("domain_name", ()),
    ("project_id", ()),
    ("project_name", ()),
    ("project_domain_id", ()),
    ("project_domain_name", ()),
    ("trust_id", ()),
]
_GENERIC_SCOPE: _Options = [
    (name, ("tenant_id",) if name == "project_id" else ("tenant_name",) if name == "project_name" else ())
    for name, _ in _SCOPE
]
_USER: _Options = [("user_id", ()), ("username", ("user_name",)), ("user_domain_id", ()), ("user_domain_name", ())]
_DEFAULT_DOMAIN: _Options = [("default_domain_id", ()), ("default_domain_name", ())]
PLUGIN_OPTIONS: dict[str, _Options] = {
    "password": _GENERIC_SCOPE + _DEFAULT_DOMAIN + _USER + [("password", ())],
    "v3password": _SCOPE + _USER + [("password", ())],
    "v3applicationcredential": _SCOPE
    + _USER
    + [("application_credential_secret", ()), ("application_credential_id", ()), ("application_credential_name", ())],
    "token": _GENERIC_SCOPE + _DEFAULT_DOMAIN + [("token", ())],
    "v3token": _SCOPE + [("token", ())],
    "none": [("endpoint", ())],
    "admin_token": [("endpoint", ("url",)), ("token", ())],
}
SECRET_AUTH_KEYS = ("password", "application_credential_secret", "token")
_BOOL_KEYS = ("insecure", "cache")


# --- where the files are -------------------------------------------------------------------------------------


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


# --- reading -------------------------------------------------------------------------------------------------


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
    return bool(keys & {"password", "application_credential_secret", "token", "auth_token"})


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


# --- one cloud, the openstacksdk way -------------------------------------------------------------------------


@dataclass
class OpenStackCloud:
    """One cloud after openstacksdk's merge rules: what ``CloudRegion.config`` would hold, reduced to our needs."""

    name: str
    auth_type: str
    auth: dict[str, Any] = field(repr=False)
    region_name: str = ""
    interface: str | None = "public"
    verify: bool | str = True
    cacert: str | None = None
    insecure: bool = False
    endpoint_override: str | None = None
    # OS_ENDPOINT / a top-level endpoint: only meaningful for token-with-endpoint (OSC's token_endpoint)
    endpoint: str | None = None
    identity_api_version: str | None = None
    source: Path | None = None
    warnings: list[str] = field(default_factory=list)

    def verify_arg(self) -> bool | str:
        """What requests/httpx get as ``verify``: openstacksdk's get_requests_verify_args() rules."""
        verify: bool | str = self.verify
        if self.insecure:
            verify = False
        if verify and self.cacert:
            return os.path.expanduser(self.cacert)
        return verify

    def secret(self, key: str) -> str | None:
        value = self.auth.get(key)
        return str(value) if value else None


def _auth_update(old: dict[str, Any], new_source: dict[str, Any]) -> dict[str, Any]:
    new = copy.deepcopy(new_source)
    for key, value in new.items():
        if key == "auth":
            if key in old and isinstance(old[key], dict):
                old[key].update(value or {})
            else:
                old[key] = dict(value or {})
        else:
            old[key] = value
    return old


def normalize_keys(config: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in config.items():
        key = str(key).replace("-", "_")
        if isinstance(value, dict):
            out[key] = normalize_keys(value)
        elif isinstance(value, bool):
            out[key] = value
        elif isinstance(value, int) and key not in ("verbose_level", "api_timeout") or isinstance(value, float):
            out[key] = str(value)
        else:
            out[key] = value
    return out


def _get_boolean(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    return str(value).lower() == "true"


def _expand_regions(regions: list[Any], name: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for region in regions:
        if isinstance(region, dict):
            if "name" not in region or not {"name", "values"} >= set(region):
                raise ConfigError(
                    f"invalid region entry {sorted(region)} in cloud {name!r}",
                    key=f"clouds.{name}.regions",
                    fix="each region is a name, or a mapping with name and values",
                )
            out.append({"name": region["name"], "values": copy.deepcopy(region.get("values") or {})})
        else:
            out.append({"name": region, "values": {}})
    return out


def _known_regions(name: str, raw: dict[str, Any]) -> list[dict[str, Any]]:
    config = normalize_keys(raw)
    if "regions" in config:
        return _expand_regions(list(config["regions"] or []), name)
    if "region_name" in config:
        value = config["region_name"]
        regions = value if isinstance(value, list) else str(value).split(",")
        return _expand_regions(regions, name)
    vendor = _vendor_profile(raw)
    if vendor and vendor.get("regions"):
        return _expand_regions(list(vendor["regions"]), name)
    return []


def _vendor_profile(raw: dict[str, Any]) -> dict[str, Any] | None:
    profile = raw.get("profile", raw.get("cloud"))
    if not profile:
        return None
    return copy.deepcopy(VENDOR_PROFILES.get(str(profile), {}))


def build_cloud(
    name: str,
    raw: Any,
    *,
    region_name: str | None = None,
    source: Path | None = None,
    envvars_key: str | None = None,
) -> OpenStackCloud:
    """``OpenStackConfig.get_one(name)`` for one raw cloud mapping (from clouds.yaml or the environment)."""
    if not isinstance(raw, dict):
        raise ConfigError(
            f"cloud {name!r} is not a mapping", file=source, key=f"clouds.{name}", fix="indent its keys under it"
        )
    warnings: list[str] = []
    config: dict[str, Any] = dict(DEFAULTS)
    profile_name = raw.get("profile", raw.get("cloud"))
    if profile_name and profile_name != envvars_key:
        vendor = VENDOR_PROFILES.get(str(profile_name))
        if vendor is not None:
            _auth_update(config, vendor)
        else:
            warnings.append(
                f"cloud {name!r} uses vendor profile {profile_name!r}, which ims-tui does not ship: "
                "if sign-in fails, copy its auth_url and region_name into the cloud in "
                f"{display_path(source) or 'clouds.yaml'}"
            )
    config.setdefault("auth", {})
    _auth_update(config, raw)
    config.pop("cloud", None)

    regions = _known_regions(name, raw)
    if not regions:
        region: dict[str, Any] = {"name": region_name or "", "values": {}}
    elif not region_name:
        region = regions[0]
    else:
        matches = [r for r in regions if r["name"] == region_name]
        if not matches:
            raise ConfigError(
                f"region {region_name!r} is not a region of cloud {name!r}; regions: "
                + ", ".join(str(r["name"]) for r in regions),
                file=source,
                key=f"clouds.{name}.region_name",
                fix="region names are case sensitive",
            )
        region = matches[0]
    config.pop("regions", None)
    region_values: dict[str, Any] = {**region["values"], "region_name": region["name"]}
    for key, value in region_values.items():
        if value is None:
            continue
        if key == "auth" and config.get("auth") is not None:
            config["auth"] = _auth_update(config["auth"], value)
        else:
            config[key] = value

    config = _magic_fixes(config)
    config = normalize_keys(config)

    auth_type = config.get("auth_type")
    if auth_type in (None, "None", ""):
        auth_type = "none"
    elif auth_type == "token_endpoint":
        auth_type = "admin_token"
    config["auth_type"] = auth_type

    options = PLUGIN_OPTIONS.get(str(auth_type))
    if options is not None:
        _validate_auth(config, options)

    auth = config.get("auth") or {}
    for key in SECRET_AUTH_KEYS:
        if auth.get(key):
            register_secret(str(auth[key]))
    endpoint = config.get("image_endpoint_override") or config.get("image_endpoint")
    if not endpoint and auth_type == "none":
        endpoint = auth.get("endpoint")
    # glanceclient's OS_IMAGE_URL: openstacksdk ignores it, but openrc files from the Glance era still set it.
    endpoint = endpoint or config.get("image_url")
    return OpenStackCloud(
        name=name,
        auth_type=str(auth_type),
        auth=auth,
        region_name=str(config.get("image_region_name") or config.get("region_name") or ""),
        interface=config.get("image_interface") or config.get("interface"),
        verify=config.get("verify", True),
        cacert=config.get("cacert"),
        insecure=bool(config.get("insecure", False)),
        endpoint_override=str(endpoint) if endpoint else None,
        endpoint=str(config["endpoint"]) if config.get("endpoint") else None,
        identity_api_version=config.get("identity_api_version"),
        source=source,
        warnings=warnings,
    )


def _magic_fixes(cloud: dict[str, Any]) -> dict[str, Any]:
    # _fix_backwards_auth_plugin: the old auth_plugin name, the last one found wins
    target = None
    for key in ("auth_plugin", "auth_type"):
        if key in cloud:
            target = cloud.pop(key)
    cloud["auth_type"] = target
    # _fix_backwards_auth
    project_aliases = (
        {"tenant_id": ("project_id", "project-id", "tenant_id", "tenant-id"),
         "tenant_name": ("project_name", "project-name", "tenant_name", "tenant-name")}
        if cloud.get("auth_type") == "v2password"
        else {"project_id": ("tenant_id", "tenant-id", "project_id", "project-id"),
              "project_name": ("tenant_name", "tenant-name", "project_name", "project-name")}
    )  # fmt: skip
    mappings: dict[str, tuple[str, ...]] = {
        "domain_id": ("domain_id", "domain-id"),
        "domain_name": ("domain_name", "domain-name"),
        "user_domain_id": ("user_domain_id", "user-domain-id"),
        "user_domain_name": ("user_domain_name", "user-domain-name"),
        "project_domain_id": ("project_domain_id", "project-domain-id"),
        "project_domain_name": ("project_domain_name", "project-domain-name"),
        "token": ("auth-token", "auth_token", "token"),
        "passcode": ("passcode",),
        **project_aliases,
    }
    auth = cloud.setdefault("auth", {})
    if not isinstance(auth, dict):
        raise ConfigError("auth must be a mapping", key="auth", fix="indent auth_url, username, ... under auth:")
    for target_key, aliases in mappings.items():
        found = None
        for key in aliases:
            if key in auth:
                found = str(auth.pop(key))
            if key in cloud:
                found = str(cloud.pop(key))
        if found:
            auth[target_key] = found
    # _fix_backwards_interface: endpoint_type is the old name of interface
    cloud = {
        (k.replace("endpoint_type", "interface") if k.endswith("endpoint_type") else k): v for k, v in cloud.items()
    }
    auth = cloud["auth"]
    # _handle_domain_id: domain_* is a default for user and project domains when project-scoped
    scoped = any(k in cloud or k in auth for k in ("project_id", "project_name"))
    for target_key, keys in (
        ("domain_id", ("user_domain_id", "project_domain_id")),
        ("domain_name", ("user_domain_name", "project_domain_name")),
    ):
        if not scoped:
            if target_key in cloud and target_key not in auth:
                auth[target_key] = cloud.pop(target_key)
            continue
        for key in keys:
            if target_key in auth and key not in auth:
                auth[key] = auth[target_key]
        cloud.pop(target_key, None)
        auth.pop(target_key, None)
    for key in _BOOL_KEYS:
        if key in cloud and not isinstance(cloud[key], bool):
            cloud[key] = _get_boolean(cloud[key])
    if isinstance(auth.get("auth_url"), str) and "{" in auth["auth_url"]:
        # openstacksdk would crash on an unknown placeholder; the bad URL is shown at sign-in instead
        with contextlib.suppress(KeyError, IndexError, ValueError):
            auth["auth_url"] = auth["auth_url"].format(**cloud)
    return cloud


def _validate_auth(config: dict[str, Any], options: list[tuple[str, tuple[str, ...]]]) -> None:
    """keystoneauth's option lookup: a value in auth wins over one at the top level; falsy values vanish."""
    auth = config["auth"]

    def find(source: dict[str, Any], name: str, deprecated: tuple[str, ...]) -> Any:
        if name in source:
            return source[name]
        for old in deprecated:
            if old in source:
                return source[old]
        return None

    for name, deprecated in options:
        winner = find(auth, name, deprecated) or find(config, name, deprecated)
        for key in (name, *deprecated):
            config.pop(key, None)
            auth.pop(key, None)
        if winner:
            auth[name] = winner
