"""From what the CLI parsed plus the environment to a plan for every session the app can open, and the first.

Precedence for the first session: ``--demo``/``--endpoint`` > ``--cloud`` (a profile, or a clouds.yaml cloud) >
``--os-cloud``/``OS_CLOUD`` > the config's ``default`` > ``OS_*`` variables > the only cloud in clouds.yaml >
nothing (the CLI then says how to start). Every profile and clouds.yaml cloud is offered for the in-app switcher;
an entry that can't be planned keeps its problem, so a broken entry never blocks the others.
"""

# No `from __future__ import annotations` here: a NamedTuple (Candidate) compiles each annotation string.

import dataclasses
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, NamedTuple

from .clouds import CloudsFiles, load_clouds, plan_cloud, unknown_cloud
from .environ import env_cloud, envvars_name
from .errors import ConfigError, display_path
from .plans import DemoPlan, KeystonePlan, Plan, PlanCommon, StaticPlan, host_of
from .resolved import Resolved
from .secrets import Secret
from .settings import config_path, load_settings, secrets_warning
from .values import UiSettings

DEMO_NAME = "demo"
IMS_DEMO_NAME = "Huawei Cloud IMS demo"


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
    demo_ims: bool = False  # --demo ims: the demo cloud as Huawei Cloud IMS (signed requests, native calls)
    cwd: Path | None = None  # where clouds.yaml is looked for first (the current directory by default)


class Candidate(NamedTuple):
    """One entry, as ``resolve`` found it: its session name, where it came from, the clouds.yaml cloud it is."""

    name: str
    source: Literal["--demo", "--endpoint", "profile", "clouds.yaml", "OS_*"]
    cloud: str | None = None


def resolve(options: ConnectOptions) -> Resolved:
    """Read the config file, clouds.yaml/secure.yaml and the environment; plan every session; pick the first.

    Raises ``ConfigError`` (exit status 2) for a broken config file, an unknown ``--cloud``/``--os-cloud``, or a
    first session that can't be built; problems in other entries only mark those entries unusable.
    """
    env = options.environ
    path, explicit = config_path(options.config_path, env)
    exists = path.exists()
    if explicit and not exists:
        raise ConfigError("file not found", file=path, fix="check the path given with --config or IMS_TUI_CONFIG")
    settings = load_settings(path) if exists else None
    ui = settings.ui if settings is not None else UiSettings()
    profiles = settings.clouds if settings is not None else {}
    read_only = ui.read_only
    file_warning = secrets_warning(settings, path) if settings is not None else None
    clouds = load_clouds(env, options.cwd)
    yaml_perm = clouds.permission_warnings()
    if options.token and not options.endpoint:
        raise ConfigError(
            "--token needs --endpoint",
            key="--token",
            fix="add --endpoint https://image.example.com:9292, or put the token in a profile with auth_url",
        )

    entries: list[Candidate] = []
    plans: dict[str, Plan] = {}
    problems: dict[str, ConfigError] = {}

    def add(entry: Candidate, make: Callable[..., Plan], *args: Any, **kwargs: Any) -> None:
        entries.append(entry)
        try:
            plans[entry.name] = make(*args, **kwargs)
        except ConfigError as exc:
            problems[entry.name] = exc

    def free(name: str, suffix: str) -> str:
        return name if name not in plans and name not in problems else suffix.format(name)

    # --demo and --endpoint are plans of their own: no profile model is built for them.
    if options.demo:
        name = IMS_DEMO_NAME if options.demo_ims else DEMO_NAME
        demo = PlanCommon(name=name, read_only=read_only, ims=True if options.demo_ims else None)
        add(Candidate(name, "--demo"), DemoPlan.of, demo, images=options.demo_images, latency=options.demo_latency)
    if options.endpoint:
        # Named after the host, so the header says where we are; kept apart from a profile of the same name.
        cli_name = host_of(options.endpoint) or "endpoint"
        if cli_name in profiles:
            cli_name += " (--endpoint)"
        token = Secret(options.token, source="--token") if options.token else None
        cli = PlanCommon(name=cli_name, read_only=read_only, secret=token)
        add(Candidate(cli_name, "--endpoint"), StaticPlan.of, cli, options.endpoint, token=token is not None)

    for name, profile in profiles.items():
        warn = (file_warning,) if file_warning and profile.secret_keys() else ()
        entry = Candidate(name, "profile", profile.clouds_yaml_name())
        add(entry, _warned, warn, profile.plan, name, read_only=read_only, file=path, clouds=clouds)
    wrapped = {entry.cloud for entry in entries if entry.source == "profile"}
    for cloud_name in clouds.names():
        if cloud_name not in wrapped:
            key = free(cloud_name, "clouds.yaml:{}")
            perm = tuple(yaml_perm.get(cloud_name, []))
            common = PlanCommon(name=key, read_only=read_only)
            add(Candidate(key, "clouds.yaml", cloud_name), _warned, perm, _plan_yaml, clouds, cloud_name, common)

    try:
        from_env = env_cloud(env)
    except ConfigError as exc:
        key = free(envvars_name(env), "{} (OS_*)")
        entries.append(Candidate(key, "OS_*"))
        problems[key] = exc
    else:
        if from_env is not None:
            key = free(from_env.name, "{} (OS_*)")
            common = PlanCommon(name=key, read_only=read_only)
            add(Candidate(key, "OS_*"), plan_cloud, from_env, common, origin="OS_* environment")

    default = _choose_default(entries, options, settings.default if settings is not None else None, clouds)
    if default is not None:
        if default in problems:
            raise problems[default]
        plans[default] = _first_session(plans[default], options)
    if options.read_only:
        plans = {name: dataclasses.replace(plan, read_only=True) for name, plan in plans.items()}
    if ui.token_cache:
        from .state import token_cache_dir

        tokens = token_cache_dir(env)
        plans = {
            n: dataclasses.replace(p, token_cache=tokens) if isinstance(p, KeystonePlan) else p
            for n, p in plans.items()
        }
    warnings = [*clouds.warnings, *([file_warning] if file_warning else [])]
    warnings += dict.fromkeys(w for ws in yaml_perm.values() for w in ws)
    return Resolved(
        default=default,
        ui=ui,
        config_files_read=([path] if exists else []) + clouds.files_read,
        warnings=warnings,
        config_path=path,
        plans=plans,
        problems=problems,
        views=dict(settings.views) if settings is not None else {},
    )


def _warned(warnings: tuple[str, ...], make: Callable[..., Plan], *args: Any, **kwargs: Any) -> Plan:
    return make(*args, **kwargs).warned(*warnings)


def _plan_yaml(clouds: CloudsFiles, cloud_name: str, common: PlanCommon) -> Plan:
    return plan_cloud(clouds.get(cloud_name), common)


def _choose_default(
    entries: list[Candidate], options: ConnectOptions, default: str | None, clouds: CloudsFiles
) -> str | None:
    """The first session's name, by the precedence in the module docstring; an unknown name is an error."""

    def first(source: str) -> str | None:
        return next((entry.name for entry in entries if entry.source == source), None)

    def profile(name: str) -> str | None:
        return name if any(e.source == "profile" and e.name == name for e in entries) else None

    def for_cloud(name: str) -> str | None:  # a profile wrapping the cloud comes before the cloud itself
        if name not in clouds.clouds:
            return None
        return next((entry.name for entry in entries if entry.cloud == name), None)

    if options.demo:
        return first("--demo")
    if options.endpoint:
        return first("--endpoint")
    if options.cloud:
        found = profile(options.cloud) or for_cloud(options.cloud)
        if found is not None:
            return found
        profiles = ", ".join(e.name for e in entries if e.source == "profile") or "none"
        names = ", ".join(clouds.names()) or "none"
        read = ", ".join(display_path(p) for p in clouds.files_read) or "no clouds.yaml found"
        raise ConfigError(
            f"{options.cloud!r} is neither a profile nor a clouds.yaml cloud "
            f"(profiles: {profiles}; clouds.yaml clouds: {names}; read: {read})",
            key="--cloud",
            fix="check the name; `ims-tui --where` lists the files read",
        )
    os_cloud = options.os_cloud or options.environ.get("OS_CLOUD")
    if os_cloud:
        found = for_cloud(os_cloud) or profile(os_cloud)
        if found is not None:
            return found
        error = unknown_cloud(os_cloud, clouds)
        raise ConfigError(error.problem, key="--os-cloud" if options.os_cloud else "OS_CLOUD", fix=error.fix)
    if default is not None:
        return default
    only = clouds.names()[0] if len(clouds.names()) == 1 else None
    return first("OS_*") or (for_cloud(only) if only else None)


def _first_session(plan: Plan, options: ConnectOptions) -> Plan:
    """The first session's own overrides: ``--insecure`` and ``--region``."""
    changes: dict[str, Any] = {}
    if options.insecure:
        changes["verify"] = False
    if options.region and plan.regional:
        changes["region"] = options.region
    return dataclasses.replace(plan, **changes)


def where(options: ConnectOptions | None = None) -> str:
    """Every place ims-tui looks, and what exists there: for ``ims-tui --where``."""
    from ..logs import log_file_path
    from .clouds import candidates
    from .state import CACHE_ENV, STATE_ENV, default_state_dir, token_cache_dir

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
    lines.append(f"saved views and remembered sorts (override: {STATE_ENV}):")
    lines.append(f"  {_mark(default_state_dir(env))} {display_path(default_state_dir(env))}")
    lines.append(f"kept Keystone logins (override: {CACHE_ENV}; off: [ui] token_cache = false):")
    lines.append(f"  {_mark(token_cache_dir(env))} {display_path(token_cache_dir(env))}")
    lines.append("(* = in use, + = exists, - = not found)")
    return "\n".join(lines)


def _mark(path: Path) -> str:
    return "+" if path.exists() else "-"
