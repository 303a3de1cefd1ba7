"""The TOML config file: ``[ui]`` settings and ``[clouds.NAME]`` profiles, validated with one clear error.

Unknown keys are errors, not silently ignored: a misspelt ``read_only`` on a production profile must never go
unnoticed. Every error names the file, the dotted key, the problem and the fix.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator

from .errors import ConfigError, display_path
from .secrets import SECRET_FIELDS, Secret

CONFIG_ENV = "IMS_TUI_CONFIG"
CONFIG_FILE_NAME = "config.toml"

SORT_KEYS = ("name", "status", "container_format", "disk_format", "size", "id", "created_at", "updated_at")
PROFILE_TYPES = ("openstack", "huawei", "token", "none", "demo")

# What a correct value looks like, per key: the "fix" half of every validation message.
HINTS: dict[str, str] = {
    "default": 'default must be the name of a [clouds.NAME] profile, e.g. default = "prod"',
    "theme": 'theme must be a Textual theme name, e.g. theme = "textual-dark"',
    "ansi": "ansi must be true or false, e.g. ansi = true",
    "no_mouse": "no_mouse must be true or false, e.g. no_mouse = true",
    "fps": "fps must be a whole number between 1 and 240, e.g. fps = 30",
    "low_bandwidth": "low_bandwidth must be true or false, e.g. low_bandwidth = true",
    "page_size": "page_size must be a whole number between 1 and 1000, e.g. page_size = 200",
    "read_only": "read_only must be true or false, e.g. read_only = true",
    "sort": "sort must be KEY:asc or KEY:desc, comma-separated, keys among "
    + ", ".join(SORT_KEYS)
    + ', e.g. sort = "created_at:desc"',
    "keymap": 'keymap must be a table of binding id = "keys", e.g. keymap = { delete = "ctrl+d,delete" }',
    "type": 'type must be one of "openstack", "huawei", "token", "none", "demo", e.g. type = "openstack"',
    "os_cloud": 'os_cloud must be the name of a cloud in clouds.yaml, e.g. os_cloud = "prod"',
    "endpoint": 'endpoint must be the image service URL, e.g. endpoint = "https://image.example.com:9292"',
    "auth_url": 'auth_url must be the Keystone URL, e.g. auth_url = "https://keystone.example.com:5000/v3"',
    "interface": 'interface must be "public", "internal" or "admin", e.g. interface = "public"',
    "region": 'region must be a region name, e.g. region = "RegionOne"',
    "password": "password must be a string; better: use password_command, or leave it out to be asked",
    "password_command": (
        'password_command must be a string or a list of strings, e.g. password_command = "pass show prod"'
    ),
    "verify": 'verify must be true, false, or the path of a CA bundle, e.g. verify = "/etc/ssl/my-ca.pem"',
    "cacert": 'cacert must be the path of a CA bundle file, e.g. cacert = "/etc/ssl/my-ca.pem"',
    "insecure": "insecure must be true or false, e.g. insecure = false",
    "ims": "ims must be true or false, e.g. ims = true",
    "demo_images": "demo_images must be a whole number between 0 and 1000000, e.g. demo_images = 500",
    "demo_latency": "demo_latency must be a number of seconds between 0 and 10, e.g. demo_latency = 0.2",
    "filters": 'filters must be a table, e.g. filters = { status = "active", visibility = "private" }',
    "visibility": 'visibility must be public, private, shared, community or all, e.g. visibility = "private"',
    "member_status": 'member_status must be accepted, pending, rejected or all, e.g. member_status = "pending"',
    "protected": "protected must be true or false, e.g. protected = true",
    "os_hidden": "os_hidden must be true or false, e.g. os_hidden = true",
    "size_min": "size_min must be a whole number of bytes, e.g. size_min = 1073741824",
    "size_max": "size_max must be a whole number of bytes, e.g. size_max = 10737418240",
    "created_at": (
        "created_at must be OP:ISO-8601 with OP gt, gte, lt, lte, eq or neq, "
        'e.g. created_at = "gte:2026-01-01T00:00:00Z"'
    ),
    "updated_at": (
        "updated_at must be OP:ISO-8601 with OP gt, gte, lt, lte, eq or neq, "
        'e.g. updated_at = "lt:2026-01-01T00:00:00Z"'
    ),
    "properties": 'properties must be a table of strings, e.g. properties = { __os_type = "Linux" }',
}
_STRING_HINT = '{key} must be a string in quotes, e.g. {key} = "..."'
_STRING_LIST_HINT = '{key} must be a string or a list of strings, e.g. {key} = ["a", "b"]'

_SORT_ITEM = re.compile(r"^\s*([A-Za-z_][\w]*)\s*:\s*(asc|desc)\s*$")
_DATE_FILTER = re.compile(r"^(gt|gte|lt|lte|eq|neq):\d{4}-\d{2}-\d{2}([T ][0-9:.]+)?(Z|[+-]\d{2}:?\d{2})?$")


def parse_sort(text: str) -> tuple[tuple[str, str], ...]:
    """``"name:asc,created_at:desc"`` -> pairs; a direction is required (Glance's default, desc, surprises)."""
    pairs = []
    for item in text.split(","):
        match = _SORT_ITEM.match(item)
        if match is None or match.group(1) not in SORT_KEYS:
            raise ValueError(f"{text!r} is not a valid sort")
        pairs.append((match.group(1), match.group(2)))
    return tuple(pairs)


def _sort_value(value: Any) -> Any:
    if isinstance(value, str):
        parse_sort(value)
    return value


def _secret(value: Any) -> Any:
    if isinstance(value, str):
        return Secret(value, source="config file")
    return value


SortText = Annotated[str, BeforeValidator(_sort_value)]
SecretValue = Annotated[Secret, BeforeValidator(_secret)]
StrOrList = str | list[str]


class _Strict(BaseModel):
    # strict: a TOML string "200" for page_size or "yes" for read_only is a mistake to report, not to guess.
    # defer_build: schemas are built on first use, so `import ims_tui.config` stays fast when no file exists.
    model_config = ConfigDict(extra="forbid", strict=True, arbitrary_types_allowed=True, frozen=True, defer_build=True)


class UiSettings(_Strict):
    theme: str | None = None
    ansi: bool = False
    no_mouse: bool = False
    fps: int | None = Field(default=None, ge=1, le=240)
    low_bandwidth: bool = False
    page_size: int = Field(default=200, ge=1, le=1000)
    read_only: bool = False
    sort: SortText = "created_at:desc"
    keymap: dict[str, str] = Field(default_factory=dict)

    def sort_pairs(self) -> tuple[tuple[str, str], ...]:
        return parse_sort(self.sort)


class FilterSettings(_Strict):
    """Server-side list filters applied when the profile opens; the same meaning as Glance's query string."""

    name: str | None = None
    status: StrOrList | None = None
    visibility: Literal["public", "private", "shared", "community", "all"] | None = None
    member_status: Literal["accepted", "pending", "rejected", "all"] | None = None
    owner: str | None = None
    tag: StrOrList | None = None
    protected: bool | None = None
    os_hidden: bool | None = None
    disk_format: StrOrList | None = None
    container_format: StrOrList | None = None
    size_min: int | None = Field(default=None, ge=0)
    size_max: int | None = Field(default=None, ge=0)
    created_at: StrOrList | None = None
    updated_at: StrOrList | None = None
    properties: dict[str, str] = Field(default_factory=dict)

    @field_validator("created_at", "updated_at")
    @classmethod
    def _dates(cls, value: StrOrList | None) -> StrOrList | None:
        for item in [value] if isinstance(value, str) else value or []:
            if not _DATE_FILTER.match(item):
                raise ValueError(f"{item!r} is not OP:ISO-8601")
        return value

    def query_fields(self) -> dict[str, Any]:
        """Keyword arguments for ``ims_tui.api.ListQuery`` (kept as plain data so this module stays light)."""

        def many(value: StrOrList | None) -> tuple[str, ...]:
            if value is None:
                return ()
            return (value,) if isinstance(value, str) else tuple(value)

        out: dict[str, Any] = {}
        for key in ("name", "visibility", "member_status", "owner", "protected", "os_hidden", "size_min", "size_max"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        for key, target in (
            ("status", "statuses"),
            ("tag", "tags"),
            ("disk_format", "disk_formats"),
            ("container_format", "container_formats"),
        ):
            if getattr(self, key) is not None:
                out[target] = many(getattr(self, key))
        for key in ("created_at", "updated_at"):
            items = many(getattr(self, key))
            if items:
                out[key] = tuple(dict(zip(("op", "value"), item.split(":", 1), strict=True)) for item in items)
        if self.properties:
            out["properties"] = tuple(self.properties.items())
        return out


class Profile(_Strict):
    """One ``[clouds.NAME]`` table. Which keys apply depends on ``type``; ``check_profile`` enforces that."""

    type: Literal["openstack", "huawei", "token", "none", "demo"] = "openstack"
    os_cloud: str | None = None
    endpoint: str | None = None
    auth_url: str | None = None
    interface: Literal["public", "internal", "admin"] | None = None
    region: str | None = None
    # Keystone
    username: str | None = None
    user_id: str | None = None
    password: SecretValue | None = None
    password_command: StrOrList | None = None
    user_domain_name: str | None = None
    user_domain_id: str | None = None
    project_name: str | None = None
    project_id: str | None = None
    project_domain_name: str | None = None
    project_domain_id: str | None = None
    domain_name: str | None = None
    domain_id: str | None = None
    application_credential_id: str | None = None
    application_credential_name: str | None = None
    application_credential_secret: SecretValue | None = None
    token: SecretValue | None = None
    # Huawei Cloud IAM / AK-SK
    domain: str | None = None
    project: str | None = None
    access_key: str | None = None
    secret_key: SecretValue | None = None
    security_token: SecretValue | None = None
    # TLS
    verify: bool | str | None = None
    cacert: str | None = None
    insecure: bool | None = None
    # behaviour
    read_only: bool | None = None
    page_size: int | None = Field(default=None, ge=1, le=1000)
    ims: bool | None = None
    sort: SortText | None = None
    filters: FilterSettings | None = None
    # demo
    demo_images: int | None = Field(default=None, ge=0, le=1_000_000)
    demo_latency: float | None = Field(default=None, ge=0, le=10)

    def set_keys(self) -> set[str]:
        return set(self.model_fields_set)

    def secret_keys(self) -> list[str]:
        return [key for key in SECRET_FIELDS if getattr(self, key) is not None]


class Settings(_Strict):
    default: str | None = None
    ui: UiSettings = Field(default_factory=UiSettings)
    clouds: dict[str, Profile] = Field(default_factory=dict)


# Which keys make sense for which type; anything else in the profile is reported, not ignored.
_COMMON = {"type", "read_only", "page_size", "sort", "filters", "ims"}
_TLS = {"verify", "cacert", "insecure"}
_KEYSTONE_SCOPE = {
    "project_name",
    "project_id",
    "project_domain_name",
    "project_domain_id",
    "domain_name",
    "domain_id",
}
ALLOWED_KEYS: dict[str, set[str]] = {
    "demo": _COMMON | {"demo_images", "demo_latency"},
    "none": _COMMON | _TLS | {"endpoint"},
    "token": _COMMON
    | _TLS
    | _KEYSTONE_SCOPE
    | {"endpoint", "auth_url", "interface", "region", "token", "password_command"},
    "openstack": _COMMON
    | _TLS
    | _KEYSTONE_SCOPE
    | {
        "endpoint",
        "auth_url",
        "interface",
        "region",
        "username",
        "user_id",
        "password",
        "password_command",
        "user_domain_name",
        "user_domain_id",
        "application_credential_id",
        "application_credential_name",
        "application_credential_secret",
    },  # fmt: skip
    "huawei": _COMMON
    | _TLS
    | {
        "region",
        "domain",
        "project",
        "project_id",
        "access_key",
        "secret_key",
        "security_token",
        "username",
        "password",
        "password_command",
    },  # fmt: skip
}
# A profile that borrows a clouds.yaml cloud may only add local behaviour on top of it.
OS_CLOUD_KEYS = _COMMON | _TLS | {"os_cloud", "region", "interface", "endpoint", "password", "password_command"}


def check_profile(name: str, profile: Profile, file: Path | None) -> None:
    """The rules a type-by-type schema can't express: which keys apply, which are required, which conflict."""
    key = f"clouds.{name}"
    used = profile.set_keys()
    kind = profile.type
    if profile.os_cloud is not None:
        if "type" in used and kind != "openstack":
            raise ConfigError(
                f'os_cloud takes the cloud from clouds.yaml, so type = "{kind}" does not apply',
                file=file,
                key=f"{key}.type",
                fix="remove type from this profile",
            )
        extra = sorted(used - OS_CLOUD_KEYS)
        if extra:
            raise ConfigError(
                f"{extra[0]} can't be combined with os_cloud (the cloud's credentials come from clouds.yaml)",
                file=file,
                key=f"{key}.{extra[0]}",
                fix="set it in clouds.yaml, or remove os_cloud and configure the profile fully here",
            )
    else:
        extra = sorted(used - ALLOWED_KEYS[kind])
        if extra:
            kinds = [t for t in PROFILE_TYPES if extra[0] in ALLOWED_KEYS[t]]
            fix = f'it applies to type = "{kinds[0]}"' if kinds else "remove it"
            if extra[0] == "os_cloud":
                fix = "remove it"
            raise ConfigError(
                f'{extra[0]} does not apply to type = "{kind}"', file=file, key=f"{key}.{extra[0]}", fix=fix
            )

    def need(condition: bool, problem: str, fix: str, field: str | None = None) -> None:
        if not condition:
            raise ConfigError(problem, file=file, key=f"{key}.{field}" if field else key, fix=fix)

    if "password" in used and "password_command" in used:
        raise ConfigError(
            "password and password_command are both set",
            file=file,
            key=f"{key}.password_command",
            fix="keep one: password_command is the safer",
        )
    if profile.cacert is not None and profile.verify is False:
        raise ConfigError(
            "cacert is set but verify = false turns certificate checks off",
            file=file,
            key=f"{key}.verify",
            fix="remove verify = false to check against the cacert",
        )
    if profile.os_cloud is not None:
        return
    if kind == "none":
        need(profile.endpoint is not None, 'type = "none" needs an endpoint', HINTS["endpoint"], "endpoint")
    elif kind == "token":
        need(
            profile.endpoint is not None or profile.auth_url is not None,
            'type = "token" needs an endpoint (or an auth_url to find the image service in the catalog)',
            HINTS["endpoint"],
            "endpoint",
        )
    elif kind == "openstack":
        need(
            profile.auth_url is not None,
            "an openstack profile needs auth_url (or os_cloud to take the cloud from clouds.yaml)",
            HINTS["auth_url"],
            "auth_url",
        )
        app_cred = used & {"application_credential_id", "application_credential_name", "application_credential_secret"}
        if app_cred:
            need(
                profile.application_credential_id is not None or profile.application_credential_name is not None,
                "an application credential needs application_credential_id (or _name with username)",
                'e.g. application_credential_id = "4f1b..."',
                "application_credential_id",
            )
            need(
                profile.application_credential_id is not None
                or profile.username is not None
                or profile.user_id is not None,
                "application_credential_name needs the owner's username or user_id",
                'e.g. username = "alice"',
                "username",
            )
            need(
                "password" not in used,
                "password does not apply to an application credential",
                "use application_credential_secret (or password_command) instead",
                "password",
            )
        else:
            need(
                profile.username is not None or profile.user_id is not None,
                "an openstack profile needs username (or user_id), or an application credential",
                'e.g. username = "alice" with user_domain_name = "Default"',
                "username",
            )
    elif kind == "huawei":
        need(profile.region is not None, 'type = "huawei" needs a region', 'e.g. region = "eu-west-101"', "region")
        if profile.access_key is not None or profile.secret_key is not None:
            need(
                profile.access_key is not None,
                "secret_key is set without access_key",
                'e.g. access_key = "HPUA..."',
                "access_key",
            )
            need(
                profile.username is None and "password" not in used,
                "access_key and username/password are two ways to sign in: pick one",
                "remove username/password, or access_key/secret_key",
                "username",
            )
        else:
            need(
                profile.username is not None or profile.domain is not None,
                'type = "huawei" needs access_key/secret_key, or username/password with domain',
                'e.g. access_key = "HPUA..." with secret_key, or domain = "my-account" with username',
                "access_key",
            )
            need(
                profile.domain is not None,
                "an IAM password sign-in needs domain (the account name)",
                'e.g. domain = "my-account"',
                "domain",
            )


def check_ca_files(name: str, profile: Profile, file: Path | None) -> None:
    """A missing CA bundle, checked when the profile is planned: it only makes that one profile unusable."""
    for path_key in ("cacert", "verify"):
        value = getattr(profile, path_key)
        if isinstance(value, str) and not Path(os.path.expanduser(value)).is_file():
            raise ConfigError(
                f"CA bundle {value!r} is not a file",
                file=file,
                key=f"clouds.{name}.{path_key}",
                fix="give the path of a PEM file with the CA certificates",
            )


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


def _real_path(data: Any, loc: tuple[Any, ...]) -> list[str]:
    """The part of a pydantic error location that names keys of the file (drops union tags like 'list[str]')."""
    parts: list[str] = []
    node = data
    for item in loc:
        if isinstance(node, dict) and item in node:
            parts.append(str(item))
            node = node[item]
        elif isinstance(node, list) and isinstance(item, int) and 0 <= item < len(node):
            parts[-1] = f"{parts[-1]}[{item}]" if parts else f"[{item}]"
            node = node[item]
        elif isinstance(node, dict) and isinstance(item, str):
            parts.append(item)  # a missing key: still name it
            break
        else:
            break
    return parts


def _describe(value: Any, field: str) -> str:
    if field in SECRET_FIELDS:
        return f"a {type(value).__name__}"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _known_keys(model: type[BaseModel]) -> list[str]:
    return list(model.model_fields)


def _model_at(parts: list[str]) -> type[BaseModel]:
    if not parts:
        return Settings
    if parts[0] == "ui":
        return UiSettings
    if parts[0] == "clouds" and len(parts) >= 2:
        if len(parts) >= 3 and parts[2] == "filters":
            return FilterSettings
        return Profile
    return Settings


def _translate(error: ValidationError, data: dict[str, Any], path: Path | None) -> ConfigError:
    errors = error.errors(include_url=False)
    first = errors[0]
    parts = _real_path(data, tuple(first["loc"]))
    key = ".".join(parts) or None
    field = parts[-1].split("[", 1)[0] if parts else ""
    if len(parts) >= 2 and parts[-2] in ("keymap", "properties"):
        field = parts[-2]  # the entry's name is the user's own; the table's rule is what helps
    kind = first["type"]
    value = first.get("input")
    fix: str | None
    if kind == "extra_forbidden":
        known = _known_keys(_model_at(parts[:-1]))
        close = difflib.get_close_matches(field, known, n=1)
        fix = f"did you mean {close[0]}?" if close else "remove it; known keys here: " + ", ".join(known)
        problem = "unknown key"
    else:
        if kind == "missing":
            problem = "is required"
        elif kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
            problem = f"{_describe(value, field)} is out of range"
        elif kind.endswith(("_type", "_parsing")) or kind in ("is_instance_of", "union_tag_invalid"):
            problem = f"wrong type: {_describe(value, field)}"
        elif kind == "literal_error":
            problem = f"{_describe(value, field)} is not allowed"
        else:
            problem = f"{_describe(value, field)} is not valid"
        fix = HINTS.get(field)
        if len(parts) == 2 and parts[0] == "clouds":
            fix = f"each profile is a table: [clouds.{field}] followed by its keys"
        elif len(parts) == 1 and parts[0] in ("ui", "clouds"):
            fix = f"{field} must be a table: [{field}]"
        if fix is None:
            fix = (_STRING_LIST_HINT if field in ("status", "tag", "disk_format", "container_format") else _STRING_HINT
                   ).format(key=field or "value")  # fmt: skip
    # A union type reports one error per alternative: count distinct keys, not raw errors.
    others = {tuple(_real_path(data, tuple(e["loc"]))) for e in errors} - {tuple(parts)}
    if others:
        fix += f"; {len(others)} more problem{'s' if len(others) > 1 else ''} after this one"
    return ConfigError(problem, file=path, key=key, fix=fix)


def parse_settings(data: Mapping[str, Any], path: Path | None = None) -> Settings:
    """Validate already-parsed TOML data (tests and the example use it directly)."""
    data = dict(data)
    try:
        settings = Settings.model_validate(data)
    except ValidationError as exc:
        raise _translate(exc, data, path) from None
    for name, profile in settings.clouds.items():
        check_profile(name, profile, path)
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
    from .secrets import permission_warning

    held = sorted({key for profile in settings.clouds.values() for key in profile.secret_keys()})
    if not held:
        return None
    return permission_warning(path, SECRET_FIELDS[held[0]] if len(held) == 1 else "secrets")


__all__ = [
    "CONFIG_ENV",
    "FilterSettings",
    "Profile",
    "Settings",
    "UiSettings",
    "check_profile",
    "config_path",
    "default_config_path",
    "display_path",
    "load_settings",
    "parse_settings",
    "parse_sort",
]
