"""One cloud of clouds.yaml (or of the ``OS_*`` variables) after openstacksdk's merge rules.

``build_cloud`` follows ``openstack.config.loader.OpenStackConfig.get_one`` step by step: defaults, vendor profile,
the cloud's keys, its region, the "magic fixes" and keystoneauth's option lookup. tests/unit/test_clouds_yaml_oracle.py
compares the result with openstacksdk itself.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...logs import register_secret
from ..errors import ConfigError, display_path
from ..secrets import SECRET_FIELDS, Secret

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
# The secret keys of a cloud's auth: the secret fields keystoneauth's plugins take.
_PLUGIN_KEYS = {name for options in PLUGIN_OPTIONS.values() for name, _ in options}
SECRET_AUTH_KEYS = tuple(key for key in SECRET_FIELDS if key in _PLUGIN_KEYS)
_BOOL_KEYS = ("insecure", "cache")


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

    def secret(self, key: str, source: str) -> Secret | None:
        """A secret of the cloud's auth as a ``Secret`` saying where it came from, or None when it has none."""
        value = self.auth.get(key)
        return Secret(str(value), source=source) if value else None

    def overridden(
        self,
        *,
        region: str | None,
        interface: str | None,
        endpoint: str | None,
        verify: bool | str | None,
        password: Secret | None,
    ) -> OpenStackCloud:
        """This cloud with a wrapping profile's settings on top; a password only where clouds.yaml has none."""
        auth = dict(self.auth)
        if password is not None and not auth.get("password"):
            auth["password"] = password.reveal()
        tls: dict[str, Any] = {} if verify is None else {"verify": verify, "cacert": None, "insecure": False}
        return dataclasses.replace(
            self,
            auth=auth,
            region_name=region or self.region_name,
            interface=interface or self.interface,
            endpoint_override=endpoint or self.endpoint_override,
            **tls,
        )


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
