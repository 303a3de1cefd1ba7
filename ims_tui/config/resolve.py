"""From what the CLI parsed plus the environment to the sessions the app can open, and which one comes first.

Precedence for the first session: ``--demo``/``--endpoint`` > ``--cloud`` (a profile, or a clouds.yaml cloud) >
``--os-cloud``/``OS_CLOUD`` > the config's ``default`` > ``OS_*`` variables > the only cloud in clouds.yaml >
nothing (the CLI then says how to start). Every profile and clouds.yaml cloud is offered in ``sessions`` for the
in-app switcher; building a session is deferred to its factory, so a broken entry never blocks the others.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

from .clouds import CloudsFiles, OpenStackCloud, load_clouds, unknown_cloud
from .environ import env_cloud, envvars_name
from .errors import ConfigError, display_path
from .secrets import Secret
from .settings import (
    Profile,
    Settings,
    UiSettings,
    check_ca_files,
    config_path,
    load_settings,
    parse_sort,
    secrets_warning,
)

if TYPE_CHECKING:
    from ..api.models import ListQuery
    from ..api.session import CloudSession

HOW_TO_START = (
    "no cloud configured: try `ims-tui --demo`, or `ims-tui --endpoint URL [--token TOKEN]`, or source an openrc "
    "/ set OS_CLOUD, or write a config file (see `ims-tui --where` and config.example.toml)"
)
DEMO_NAME = "demo"


@dataclass
class ConnectOptions:
    """What the command line asked for, plus the environment it runs in (passed in, so tests need no monkeypatch)."""

    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    config_path: str | os.PathLike[str] | None = None
    cloud: str | None = None  # --cloud / --profile: a config profile, else a clouds.yaml cloud
    os_cloud: str | None = None  # --os-cloud: a clouds.yaml cloud (OS_CLOUD when not given)
    region: str | None = None  # --region: for the first session only
    endpoint: str | None = None  # --endpoint URL: talk to this image service directly
    token: str | None = None  # --token: with --endpoint
    read_only: bool = False  # --read-only: every session
    insecure: bool = False  # --insecure: the first session only
    demo: bool = False
    demo_images: int | None = None
    demo_latency: float | None = None
    cwd: Path | None = None  # where clouds.yaml is looked for first (the current directory by default)


@dataclass
class SessionPlan:
    """Everything needed to build one session, validated up front; no network, no imports of the API layer."""

    name: str
    kind: Literal["demo", "static", "keystone", "huawei"]
    description: str = ""
    endpoint: str | None = None
    region: str | None = None
    project: str | None = None
    user: str | None = None
    read_only: bool = False
    insecure: bool = False
    ims: bool | None = None
    verify: bool | str = True
    interface: str | None = None
    page_size: int | None = None
    sort: tuple[tuple[str, str], ...] = ()
    filters: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    # keystone: "password" | "application_credential" | "token"; fields: the credential's non-secret arguments
    method: str = ""
    fields: dict[str, Any] = field(default_factory=dict)
    # the one secret the session signs in with: its argument name, its value if known, or a command
    secret_name: str | None = None
    secret: Secret | None = field(default=None, repr=False)
    secret_command: str | list[str] | None = field(default=None, repr=False)  # may embed a secret (echo ...)
    security_token: Secret | None = field(default=None, repr=False)
    prompt: str = ""
    demo_images: int | None = None
    demo_latency: float | None = None

    def build(self) -> CloudSession:
        from .sessions import build_session

        return build_session(self)


@dataclass
class Resolved:
    sessions: dict[str, Callable[[], CloudSession]]
    default: str | None
    ui: UiSettings
    config_files_read: list[Path]
    warnings: list[str]
    config_path: Path | None = None
    plans: dict[str, SessionPlan] = field(default_factory=dict, repr=False)
    # entries that can't be opened, with the reason; their factory raises the same ConfigError
    problems: dict[str, ConfigError] = field(default_factory=dict)

    def describe(self, name: str) -> str:
        """One line for the profile switcher, e.g. "openstack · keystone.example.com · RegionOne"."""
        if name in self.problems:
            return f"unusable: {self.problems[name].problem}"
        plan = self.plans.get(name)
        return plan.description if plan else ""

    def list_query(self, name: str | None = None) -> ListQuery:
        """The first list request for a session: its page size, sort and filters over the [ui] defaults."""
        from ..api.models import DateFilter, ListQuery

        plan = self.plans.get(name or self.default or "")
        page_size = (plan.page_size if plan else None) or self.ui.page_size
        sort = (plan.sort if plan and plan.sort else None) or self.ui.sort_pairs()
        filters = dict(plan.filters) if plan else {}
        for key in ("created_at", "updated_at"):
            if key in filters:
                filters[key] = tuple(DateFilter(**item) for item in filters[key])
        return ListQuery(limit=page_size, sort=sort, **filters)


def _failing(error: ConfigError) -> Callable[[], CloudSession]:
    def factory() -> CloudSession:
        raise error

    return factory


def _host(url: str | None) -> str:
    if not url:
        return ""
    try:
        return urlsplit(url).hostname or url
    except ValueError:
        return url


# --- plans -----------------------------------------------------------------------------------------------------


def _tls(verify: bool | str | None, cacert: str | None, insecure: bool | None) -> tuple[bool | str, bool]:
    """(verify argument, insecure flag) with openstacksdk's rule: insecure wins, then a cacert path."""
    value: bool | str = True if verify is None else verify
    if insecure:
        value = False
    if value is True and cacert:
        value = os.path.expanduser(cacert)
    elif isinstance(value, str):
        value = os.path.expanduser(value)
    return value, value is False


def _plan_profile(name: str, p: Profile, ui: UiSettings, file: Path | None) -> SessionPlan:
    check_ca_files(name, p, file)
    verify, insecure = _tls(p.verify, p.cacert, p.insecure)
    plan = SessionPlan(
        name=name,
        kind="static",
        read_only=ui.read_only if p.read_only is None else p.read_only,
        ims=p.ims,
        verify=verify,
        insecure=insecure,
        page_size=p.page_size,
        sort=parse_sort(p.sort) if p.sort else (),
        filters=p.filters.query_fields() if p.filters else {},
        region=p.region,
        interface=p.interface,
        endpoint=p.endpoint,
    )
    if p.type == "demo":
        plan.kind = "demo"
        plan.demo_images, plan.demo_latency = p.demo_images, p.demo_latency
        plan.description = "demo cloud (in-process)"
        return plan
    if p.type == "none":
        plan.description = f"no auth · {_host(p.endpoint)}"
        return plan
    command = p.password_command
    if p.type == "token":
        _secret(plan, "token", p.token, command, f"Token for {name}")
        plan.project = p.project_name or p.project_id
        if p.auth_url and not p.endpoint:
            plan.kind, plan.method = "keystone", "token"
            plan.fields = _scope_fields(p.auth_url, p)
            plan.description = f"token · {_host(p.auth_url)}"
        else:
            plan.description = f"token · {_host(p.endpoint)}"
        return plan
    if p.type == "huawei":
        plan.kind = "huawei"
        plan.ims = True if p.ims is None else p.ims
        plan.project = p.project or p.project_id or p.region
        plan.fields = {"region": p.region, "project_id": p.project_id}
        if p.access_key is not None:
            plan.fields["ak"] = p.access_key
            plan.security_token = p.security_token
            _secret(plan, "sk", p.secret_key, command, f"Secret key for access key {p.access_key[:4]}… ({name})")
            plan.description = f"huawei AK/SK · {p.region}"
        else:
            plan.fields.update(username=p.username or p.domain, domain=p.domain, project=p.project)
            plan.user = p.username or p.domain
            _secret(plan, "password", p.password, command, f"Huawei Cloud password for {plan.user} ({name})")
            plan.description = f"huawei IAM · {p.region}"
        return plan
    # openstack with auth_url (check_profile guarantees it)
    assert p.auth_url is not None
    plan.kind = "keystone"
    plan.project = p.project_name or p.project_id
    fields = _scope_fields(p.auth_url, p)
    if p.application_credential_id or p.application_credential_name:
        plan.method = "application_credential"
        fields.update(
            id=p.application_credential_id,
            name=p.application_credential_name,
            username=p.username,
            user_id=p.user_id,
            user_domain_name=p.user_domain_name or p.domain_name,
            user_domain_id=p.user_domain_id or p.domain_id,
        )
        # An application credential is bound to one project: scope keys would be refused by Keystone.
        for key in ("project_name", "project_id", "project_domain_name", "project_domain_id"):
            fields.pop(key, None)
        plan.user = (
            p.username
            or p.user_id
            or f"app cred {p.application_credential_name or (p.application_credential_id or '')[:8]}"
        )
        _secret(plan, "secret", p.application_credential_secret, command, f"Application credential secret for {name}")
    else:
        plan.method = "password"
        fields.update(
            username=p.username,
            user_id=p.user_id,
            user_domain_name=p.user_domain_name or p.domain_name,
            user_domain_id=p.user_domain_id or p.domain_id,
        )
        plan.user = p.username or p.user_id
        _secret(plan, "password", p.password, command, f"Password for {plan.user} on {_host(p.auth_url)} ({name})")
    plan.fields = fields
    plan.description = f"openstack · {_host(p.auth_url)}" + (f" · {p.region}" if p.region else "")
    return plan


def _scope_fields(auth_url: str, p: Profile) -> dict[str, Any]:
    return {
        "auth_url": auth_url,
        "project_name": p.project_name,
        "project_id": p.project_id,
        "project_domain_name": p.project_domain_name or p.domain_name,
        "project_domain_id": p.project_domain_id or p.domain_id,
    }


def _secret(plan: SessionPlan, arg: str, value: Secret | None, command: str | list[str] | None, prompt: str) -> None:
    plan.secret_name = arg
    plan.secret = value
    plan.secret_command = command if value is None else None
    plan.prompt = prompt


_AUTH_TYPES = {
    "password": "password",
    "v3password": "password",
    "v3applicationcredential": "application_credential",
    "token": "token",
    "v3token": "token",
}


def _plan_cloud(
    name: str,
    cloud: OpenStackCloud,
    ui: UiSettings,
    *,
    wrapper: Profile | None = None,
    origin: str = "clouds.yaml",
) -> SessionPlan:
    """A session plan for a clouds.yaml (or environment) cloud, with a wrapping profile's overrides on top."""
    where = display_path(cloud.source) or origin
    auth = dict(cloud.auth)
    auth_type = cloud.auth_type
    verify: bool | str = cloud.verify_arg()
    insecure = verify is False
    plan = SessionPlan(
        name=name,
        kind="keystone",
        region=cloud.region_name or None,
        interface=cloud.interface,
        read_only=ui.read_only,
        verify=verify,
        insecure=insecure,
        endpoint=cloud.endpoint_override,
        warnings=list(cloud.warnings),
    )
    command = None
    if wrapper is not None:
        w_verify, _ = _tls(wrapper.verify, wrapper.cacert, wrapper.insecure)
        if {"verify", "cacert", "insecure"} & wrapper.set_keys():
            plan.verify, plan.insecure = w_verify, w_verify is False
        plan.read_only = ui.read_only if wrapper.read_only is None else wrapper.read_only
        plan.ims = wrapper.ims
        plan.page_size = wrapper.page_size
        plan.sort = parse_sort(wrapper.sort) if wrapper.sort else ()
        plan.filters = wrapper.filters.query_fields() if wrapper.filters else {}
        plan.region = wrapper.region or plan.region
        plan.interface = wrapper.interface or plan.interface
        plan.endpoint = wrapper.endpoint or plan.endpoint
        command = wrapper.password_command
        if wrapper.password is not None and not auth.get("password"):
            auth["password"] = wrapper.password.reveal()
    if cloud.identity_api_version and str(cloud.identity_api_version).startswith("2"):
        plan.warnings.append(
            f"{name}: identity_api_version {cloud.identity_api_version} ignored: ims-tui speaks Keystone v3"
        )

    token = auth.get("token")
    # OSC's rule for an openrc with OS_TOKEN but no OS_AUTH_TYPE: a token and no user means token auth.
    if auth_type == "password" and token and not (auth.get("username") or auth.get("user_id")):
        auth_type = "admin_token" if cloud.endpoint or plan.endpoint else "token"
        if auth_type == "admin_token":
            auth["endpoint"] = plan.endpoint or cloud.endpoint
    if auth_type in ("none", "admin_token"):
        endpoint = auth.get("endpoint") or plan.endpoint
        if not endpoint:
            raise ConfigError(
                f"auth_type {auth_type} needs an endpoint",
                file=cloud.source,
                key=f"clouds.{cloud.name}.auth.endpoint",
                fix="add endpoint: https://image.example.com:9292 (OS_ENDPOINT in an openrc)",
            )
        plan.kind, plan.endpoint = "static", endpoint
        plan.description = f"{'no auth' if auth_type == 'none' else 'token'} · {_host(endpoint)} ({where})"
        if auth_type == "admin_token":
            _secret(plan, "token", _wrap(token, where), command, f"Token for {name}")
        return plan

    method = _AUTH_TYPES.get(auth_type)
    if method is None:
        raise ConfigError(
            f"auth_type {auth_type!r} is not supported by ims-tui",
            file=cloud.source,
            key=f"clouds.{cloud.name}.auth_type",
            fix="use password, v3applicationcredential or token (an application credential works where SSO does)",
        )
    if not auth.get("auth_url"):
        raise ConfigError(
            "has no auth_url",
            file=cloud.source,
            key=f"clouds.{cloud.name}.auth.auth_url",
            fix="add auth: {auth_url: https://keystone.example.com:5000/v3} (OS_AUTH_URL in an openrc)",
        )
    plan.method = method
    plan.project = auth.get("project_name") or auth.get("project_id")
    fields: dict[str, Any] = {"auth_url": auth["auth_url"]}
    # keystoneauth's generic plugins fall back to default_domain_* for both the user's and the project's domain.
    default_domain_id, default_domain_name = auth.get("default_domain_id"), auth.get("default_domain_name")
    scope = {
        "project_name": auth.get("project_name"),
        "project_id": auth.get("project_id"),
        "project_domain_name": auth.get("project_domain_name"),
        "project_domain_id": auth.get("project_domain_id"),
    }
    if scope["project_name"] and not (scope["project_domain_name"] or scope["project_domain_id"]):
        scope["project_domain_id"], scope["project_domain_name"] = default_domain_id, default_domain_name
    if not (scope["project_name"] or scope["project_id"]) and (auth.get("domain_name") or auth.get("domain_id")):
        scope.update(domain_name=auth.get("domain_name"), domain_id=auth.get("domain_id"))
    user = {
        "username": auth.get("username"),
        "user_id": auth.get("user_id"),
        "user_domain_name": auth.get("user_domain_name"),
        "user_domain_id": auth.get("user_domain_id"),
    }
    if user["username"] and not (user["user_domain_name"] or user["user_domain_id"]):
        user["user_domain_id"], user["user_domain_name"] = default_domain_id, default_domain_name
    if method == "password":
        fields.update(scope, **user)
        plan.user = user["username"] or user["user_id"]
        _secret(plan, "password", _wrap(auth.get("password"), where), command,
                f"Password for {plan.user} on {_host(auth['auth_url'])} ({name})")  # fmt: skip
    elif method == "application_credential":
        fields.update(id=auth.get("application_credential_id"), name=auth.get("application_credential_name"), **user)
        plan.user = user["username"] or user["user_id"] or "app cred"
        _secret(plan, "secret", _wrap(auth.get("application_credential_secret"), where), command,
                f"Application credential secret for {name}")  # fmt: skip
    else:
        fields.update(scope)
        _secret(plan, "token", _wrap(token, where), command, f"Token for {name}")
    plan.fields = fields
    plan.description = f"openstack · {_host(auth['auth_url'])}" + (f" · {plan.region}" if plan.region else "")
    plan.description += f" ({where})"
    return plan


def _wrap(value: Any, source: str) -> Secret | None:
    return Secret(str(value), source=source) if value else None


# --- resolve ---------------------------------------------------------------------------------------------------


def resolve(options: ConnectOptions) -> Resolved:
    """Read the config file, clouds.yaml/secure.yaml and the environment; plan every session; pick the first.

    Raises ``ConfigError`` (exit status 2) for a broken config file, an unknown ``--cloud``/``--os-cloud``, or a
    first session that can't be built; problems in other entries only mark those entries unusable.
    """
    env = options.environ
    path, explicit = config_path(options.config_path, env)
    if explicit and not path.exists():
        raise ConfigError(
            "file not found",
            file=path,
            fix="check the path given with --config or IMS_TUI_CONFIG",
        )
    settings = load_settings(path) if path.exists() else Settings()
    ui = settings.ui
    files_read: list[Path] = [path] if path.exists() else []
    warnings: list[str] = []
    file_warning = secrets_warning(settings, path) if path.exists() else None

    clouds_files = load_clouds(env, options.cwd)
    files_read += clouds_files.files_read
    warnings += clouds_files.warnings
    yaml_perm = clouds_files.permission_warnings()

    plans: dict[str, SessionPlan] = {}
    problems: dict[str, ConfigError] = {}

    def add(name: str, make: Callable[[], SessionPlan]) -> None:
        try:
            plans[name] = make()
        except ConfigError as exc:
            problems[name] = exc

    if options.token and not options.endpoint:
        raise ConfigError(
            "--token needs --endpoint",
            key="--token",
            fix="add --endpoint https://image.example.com:9292, or put the token in a profile with auth_url",
        )
    if options.demo:
        add(DEMO_NAME, lambda: _plan_profile(DEMO_NAME, Profile(type="demo"), ui, None))
        plans[DEMO_NAME].demo_images, plans[DEMO_NAME].demo_latency = options.demo_images, options.demo_latency
    if options.endpoint:
        token = Secret(options.token, source="--token") if options.token else None
        cli = Profile(type="token" if token else "none", endpoint=options.endpoint, token=token)
        # Named after the host, so the header says where we are; kept apart from a profile of the same name.
        cli_name = _host(options.endpoint) or "endpoint"
        if cli_name in settings.clouds:
            cli_name += " (--endpoint)"
        add(cli_name, partial(_plan_profile, cli_name, cli, ui, None))

    wrapped: dict[str, str] = {}  # clouds.yaml name -> the profile that wraps it
    for name, profile in settings.clouds.items():
        if profile.os_cloud is not None:
            wrapped.setdefault(profile.os_cloud, name)
            add(name, partial(_plan_wrapped, name, profile, clouds_files, ui, path))
        else:
            add(name, partial(_plan_profile, name, profile, ui, path))
        if file_warning and profile.secret_keys() and name in plans:
            plans[name].warnings.append(file_warning)
    if file_warning:
        warnings.append(file_warning)

    yaml_keys: dict[str, str] = {}  # clouds.yaml name -> session key
    for cloud_name in clouds_files.names():
        if cloud_name in wrapped:
            yaml_keys[cloud_name] = wrapped[cloud_name]
            continue
        key = cloud_name if cloud_name not in plans and cloud_name not in problems else f"clouds.yaml:{cloud_name}"
        yaml_keys[cloud_name] = key
        add(key, partial(_plan_yaml_cloud, key, cloud_name, clouds_files, ui))
        if key in plans:
            plans[key].warnings.extend(yaml_perm.get(cloud_name, []))
    for message in {w for ws in yaml_perm.values() for w in ws}:
        warnings.append(message)

    env_key: str | None = None
    try:
        from_env = env_cloud(env)
    except ConfigError as exc:
        from_env, env_key = None, envvars_name(env)
        problems[env_key] = exc
    if from_env is not None:
        env_key = from_env.name if from_env.name not in plans else f"{from_env.name} (OS_*)"
        add(env_key, lambda: _plan_cloud(env_key or "", from_env, ui, origin="OS_* environment"))

    default = _choose_default(options, settings, clouds_files, plans, problems, yaml_keys, env_key, env)
    if default is not None:
        if default in problems:
            raise problems[default]
        _apply_first_overrides(plans[default], options)
    if options.read_only:
        for plan in plans.values():
            plan.read_only = True

    sessions: dict[str, Callable[[], CloudSession]] = {}
    for name in list(plans) + [n for n in problems if n not in plans]:
        sessions[name] = plans[name].build if name in plans else _failing(problems[name])
    return Resolved(
        sessions=sessions,
        default=default,
        ui=ui,
        config_files_read=files_read,
        warnings=warnings,
        config_path=path,
        plans=plans,
        problems=problems,
    )


def _plan_yaml_cloud(key: str, cloud_name: str, clouds_files: CloudsFiles, ui: UiSettings) -> SessionPlan:
    return _plan_cloud(key, clouds_files.get(cloud_name), ui)


def _plan_wrapped(name: str, profile: Profile, clouds_files: CloudsFiles, ui: UiSettings, path: Path) -> SessionPlan:
    assert profile.os_cloud is not None
    check_ca_files(name, profile, path)
    if profile.os_cloud not in clouds_files.clouds:
        error = unknown_cloud(profile.os_cloud, clouds_files)
        raise ConfigError(error.problem, file=path, key=f"clouds.{name}.os_cloud", fix=error.fix)
    cloud = clouds_files.get(profile.os_cloud, region_name=profile.region)
    return _plan_cloud(name, cloud, ui, wrapper=profile)


def _choose_default(
    options: ConnectOptions,
    settings: Settings,
    clouds_files: CloudsFiles,
    plans: dict[str, SessionPlan],
    problems: dict[str, ConfigError],
    yaml_keys: dict[str, str],
    env_key: str | None,
    env: Mapping[str, str],
) -> str | None:
    if options.demo:
        return DEMO_NAME
    if options.endpoint:
        name = _host(options.endpoint) or "endpoint"
        return name if name not in settings.clouds else name + " (--endpoint)"
    if options.cloud:
        if options.cloud in settings.clouds:
            return options.cloud
        if options.cloud in yaml_keys:
            return yaml_keys[options.cloud]
        profiles = ", ".join(settings.clouds) or "none"
        clouds = ", ".join(clouds_files.names()) or "none"
        read = ", ".join(display_path(p) for p in clouds_files.files_read) or "no clouds.yaml found"
        raise ConfigError(
            f"{options.cloud!r} is neither a profile nor a clouds.yaml cloud "
            f"(profiles: {profiles}; clouds.yaml clouds: {clouds}; read: {read})",
            key="--cloud",
            fix="check the name; `ims-tui --where` lists the files read",
        )
    os_cloud = options.os_cloud or env.get("OS_CLOUD")
    if os_cloud:
        if os_cloud in yaml_keys:
            return yaml_keys[os_cloud]
        if os_cloud in settings.clouds:
            return os_cloud
        error = unknown_cloud(os_cloud, clouds_files)
        source = "--os-cloud" if options.os_cloud else "OS_CLOUD"
        raise ConfigError(error.problem, key=source, fix=error.fix)
    if settings.default is not None:
        return settings.default
    if env_key is not None:
        return env_key
    if len(clouds_files.names()) == 1:
        return yaml_keys[clouds_files.names()[0]]
    return None


def _apply_first_overrides(plan: SessionPlan, options: ConnectOptions) -> None:
    if options.insecure:
        plan.verify, plan.insecure = False, True
    if options.region and plan.kind in ("keystone", "huawei"):
        plan.region = options.region
        if plan.kind == "huawei":
            plan.fields["region"] = options.region


# --- where -----------------------------------------------------------------------------------------------------


def where(options: ConnectOptions | None = None) -> str:
    """Every place ims-tui looks, and what exists there: for ``ims-tui --where``."""
    from ..logs import log_file_path
    from .clouds import candidates

    options = options or ConnectOptions()
    env = options.environ
    path, explicit = config_path(options.config_path, env)
    how = "--config" if options.config_path else ("IMS_TUI_CONFIG" if explicit else "default")
    lines = [f"config file ({how}):", f"  {'*' if path.exists() else '-'} {display_path(path)}"]
    for kind, env_name in (("clouds", "OS_CLIENT_CONFIG_FILE"), ("secure", "OS_CLIENT_SECURE_FILE")):
        lines.append(f"{kind}.yaml, first found wins (override: {env_name}):")
        seen: set[Path] = set()
        first = True
        for candidate in candidates(kind, env, options.cwd):
            if candidate in seen:
                continue
            seen.add(candidate)
            exists = candidate.exists()
            mark = "*" if exists and first else _mark(candidate)
            first = first and not exists
            lines.append(f"  {mark} {display_path(candidate)}")
    if env.get("OS_CLOUD"):
        lines.append(f"OS_CLOUD={env['OS_CLOUD']}")
    os_vars = sorted(k for k in env if k.startswith("OS_") and k != "OS_CLOUD")
    if os_vars:
        lines.append("OS_* variables set: " + ", ".join(os_vars))
    lines.append("log file:")
    lines.append(f"  {display_path(log_file_path())}")
    lines.append("(* = in use, + = exists, - = not found)")
    return "\n".join(lines)


def _mark(path: Path) -> str:
    return "+" if path.exists() else "-"
