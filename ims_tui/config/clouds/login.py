"""A clouds.yaml (or ``OS_*``) cloud's auth as a session plan: which auth types we speak, keystoneauth's
``default_domain_*`` fallbacks, and OSC's rules for a token with or without an endpoint."""

from __future__ import annotations

import dataclasses
from typing import Any

from ..errors import ConfigError, display_path
from ..plans import Command, KeystoneMethod, KeystonePlan, PlanCommon, Scope, StaticPlan, UserRef, host_of
from .cloud import OpenStackCloud

AUTH_METHODS: dict[str, KeystoneMethod] = {
    "password": "password",
    "v3password": "password",
    "v3applicationcredential": "application_credential",
    "token": "token",
    "v3token": "token",
}


def plan_cloud(
    cloud: OpenStackCloud, common: PlanCommon, *, command: Command | None = None, origin: str = "clouds.yaml"
) -> KeystonePlan | StaticPlan:
    """The plan for ``cloud``, over ``common`` (what the entry, or the profile wrapping the cloud, decided).

    ``command`` is a wrapping profile's ``password_command``; ``origin`` names where a cloud without a file came
    from. Raises ``ConfigError`` for an auth type we don't speak or a cloud that says too little to sign in.
    """
    name, auth = common.name, cloud.auth
    where = display_path(cloud.source) or origin
    warnings = tuple(cloud.warnings)
    if cloud.identity_api_version and str(cloud.identity_api_version).startswith("2"):
        warnings += (f"{name}: identity_api_version {cloud.identity_api_version} ignored: ims-tui speaks Keystone v3",)
    base = dataclasses.replace(
        common,
        region=cloud.region_name or None,
        verify=cloud.verify_arg(),
        endpoint=cloud.endpoint_override,
        warnings=common.warnings + warnings,
        secret_command=command,
    )

    auth_type, endpoint = cloud.auth_type, auth.get("endpoint")
    # OSC's rule for an openrc with OS_TOKEN but no OS_AUTH_TYPE: a token and no user means token auth.
    if auth_type == "password" and auth.get("token") and not (auth.get("username") or auth.get("user_id")):
        auth_type = "admin_token" if cloud.endpoint or base.endpoint else "token"
        endpoint = base.endpoint or cloud.endpoint
    if auth_type in ("none", "admin_token"):
        endpoint = endpoint or base.endpoint
        if not endpoint:
            raise ConfigError(
                f"auth_type {auth_type} needs an endpoint",
                file=cloud.source,
                key=f"clouds.{cloud.name}.auth.endpoint",
                fix="add endpoint: https://image.example.com:9292 (OS_ENDPOINT in an openrc)",
            )
        if auth_type == "admin_token":
            base = dataclasses.replace(base, secret=cloud.secret("token", where))
        return StaticPlan.of(base, endpoint, token=auth_type == "admin_token", where=where)

    method = AUTH_METHODS.get(auth_type)
    if method is None:
        raise ConfigError(
            f"auth_type {auth_type!r} is not supported by ims-tui",
            file=cloud.source,
            key=f"clouds.{cloud.name}.auth_type",
            fix="use password, v3applicationcredential or token (an application credential works where SSO does)",
        )
    auth_url = auth.get("auth_url")
    if not auth_url:
        raise ConfigError(
            "has no auth_url",
            file=cloud.source,
            key=f"clouds.{cloud.name}.auth.auth_url",
            fix="add auth: {auth_url: https://keystone.example.com:5000/v3} (OS_AUTH_URL in an openrc)",
        )
    region = f" · {base.region}" if base.region else ""
    keystone: dict[str, Any] = {
        "method": method,
        "auth_url": auth_url,
        "interface": cloud.interface,
        "project": auth.get("project_name") or auth.get("project_id"),
        "description": f"openstack · {host_of(auth_url)}{region} ({where})",
    }
    identity = _identity(auth)
    user = identity.username or identity.user_id
    if method == "password":
        return base.become(
            KeystonePlan,
            **keystone,
            scope=_scope(auth),
            identity=identity,
            user=user,
            secret=cloud.secret("password", where),
        )
    if method == "application_credential":
        return base.become(
            KeystonePlan,
            **keystone,
            identity=identity,
            credential_id=auth.get("application_credential_id"),
            credential_name=auth.get("application_credential_name"),
            user=user or "app cred",
            secret=cloud.secret("application_credential_secret", where),
        )
    return base.become(KeystonePlan, **keystone, scope=_scope(auth), secret=cloud.secret("token", where))


def _domain(auth: dict[str, Any], named: str, prefix: str) -> tuple[Any, Any]:
    """(name, id) of the domain ``named`` (project_name or username) lives in, as given; keystoneauth's generic
    plugins fall back to default_domain_* for both the user's and the project's domain."""
    name, id_ = auth.get(f"{prefix}_domain_name"), auth.get(f"{prefix}_domain_id")
    if auth.get(named) and not (name or id_):
        return auth.get("default_domain_name"), auth.get("default_domain_id")
    return name, id_


def _scope(auth: dict[str, Any]) -> Scope:
    domain_name, domain_id = _domain(auth, "project_name", "project")
    scope = Scope(
        project_name=auth.get("project_name"),
        project_id=auth.get("project_id"),
        project_domain_name=domain_name,
        project_domain_id=domain_id,
    )
    if not (scope.project_name or scope.project_id) and (auth.get("domain_name") or auth.get("domain_id")):
        scope = scope._replace(domain_name=auth.get("domain_name"), domain_id=auth.get("domain_id"))
    return scope


def _identity(auth: dict[str, Any]) -> UserRef:
    domain_name, domain_id = _domain(auth, "username", "user")
    return UserRef(auth.get("username"), auth.get("user_id"), user_domain_name=domain_name, user_domain_id=domain_id)
