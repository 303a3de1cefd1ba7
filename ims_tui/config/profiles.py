"""What a config file may say: one model per ``[clouds.NAME]`` profile type, and ``Settings``, the whole file.

The model is chosen by ``type`` (default "openstack"), or is ``CloudsYamlProfile`` when the table has ``os_cloud``.
Each forbids the keys it doesn't declare, so "does not apply to type" comes from the schema itself; the rules
across keys (password vs password_command, cacert vs verify, what each type needs) are model validators that
raise ``rule()``, which explain.py turns into the one-line error. Each model also makes its own plan.

Over 400 lines on purpose: a type's keys, rules and plan sit side by side, so a type is read and changed in one
place; the shared keys are declared once, in the bases. Imported only when a config file is read: building
these models costs ~10 ms of start-up (CPU), which clouds.yaml, openrc, --demo and --endpoint users don't pay.
"""

# No `from __future__ import annotations` here: pydantic would compile each annotation string of each model,
# bases included, when the class is made (~1/3 of what building these models costs in a fresh interpreter).

import dataclasses
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, NoReturn, Union

from pydantic import Discriminator, Field, Tag, model_validator
from pydantic_core import PydanticCustomError

from .clouds import CloudsFiles, plan_cloud, unknown_cloud
from .errors import ConfigError
from .plans import (
    AkSk,
    DemoPlan,
    HuaweiPlan,
    IamPassword,
    KeystonePlan,
    Plan,
    PlanCommon,
    Scope,
    StaticPlan,
    UserRef,
    as_command,
    host_of,
)
from .secrets import SECRET_FIELDS
from .tables import ColumnsList, FilterSettings, SecretValue, SortText, Strict, UiField
from .values import PROFILE_TYPES, StrOrList, UiSettings, columns_of, parse_sort
from .views import ViewSettings, check_filter

RULE = "profile_rule"


def rule(field: str, problem: str, fix: str | None = None) -> NoReturn:
    """Report a broken rule at ``clouds.NAME.field``; with no ``fix``, the key's own hint is the fix."""
    raise PydanticCustomError(RULE, "{problem}", {"field": field, "problem": problem, "fix": fix})


def need(condition: bool, field: str, problem: str, fix: str | None = None) -> None:
    if not condition:
        rule(field, problem, fix)


class ProfileBase(Strict):
    """What every profile may say: how its image list opens and whether it may change anything."""

    type: str
    read_only: bool | None = None
    production: bool = False
    page_size: int | None = Field(default=None, ge=1, le=1000)
    ims: bool | None = None
    sort: SortText | None = None
    columns: ColumnsList | None = None
    filters: FilterSettings | None = None
    filter: str | None = None  # the same filters as one --filter text (views.py checks it)

    @model_validator(mode="after")
    def _rules(self) -> "ProfileBase":
        need(
            self.filter is None or self.filters is None,
            "filter",
            "filter and filters are both set",
            'keep one: filter = "status=active tag=golden" says the same as the filters table',
        )
        check_filter("filter", self.filter)
        self.check()
        return self

    def check(self) -> None:
        """The rules across keys, in the order they are reported; each breaks with ``rule()``."""

    def clouds_yaml_name(self) -> str | None:
        """The clouds.yaml cloud this profile stands for, if it borrows one."""
        return None

    def secret_keys(self) -> list[str]:
        fields = type(self).model_fields
        return [key for key in SECRET_FIELDS if key in fields and getattr(self, key) is not None]

    def common(self, name: str, read_only: bool) -> PlanCommon:
        """The plan's shared part; ``read_only`` is the [ui] default this profile may override."""
        return PlanCommon(
            name=name,
            read_only=read_only if self.read_only is None else self.read_only,
            production=self.production,
            ims=self.ims,
            page_size=self.page_size,
            sort=parse_sort(self.sort) if self.sort else (),
            columns=columns_of(self.columns),
            filters=self.filters,
            filter_text=self.filter,
        )

    def plan(self, name: str, *, read_only: bool, file: Path | None, clouds: CloudsFiles) -> Plan:
        raise NotImplementedError


class DemoProfile(ProfileBase):
    type: Literal["demo"] = "demo"
    demo_images: int | None = Field(default=None, ge=0, le=1_000_000)
    demo_latency: float | None = Field(default=None, ge=0, le=10)

    def plan(self, name: str, *, read_only: bool, file: Path | None, clouds: CloudsFiles) -> Plan:
        return DemoPlan.of(self.common(name, read_only), images=self.demo_images, latency=self.demo_latency)


class _Tls(ProfileBase):
    verify: bool | str | None = None
    cacert: str | None = None
    insecure: bool | None = None

    def check_tls(self) -> None:
        need(
            self.cacert is None or self.verify is not False,
            "verify",
            "cacert is set but verify = false turns certificate checks off",
            "remove verify = false to check against the cacert",
        )

    def verify_arg(self) -> bool | str:
        """httpx's ``verify`` with openstacksdk's rule: insecure wins, then a cacert path."""
        value: bool | str = True if self.verify is None else self.verify
        if self.insecure:
            value = False
        if value is True and self.cacert:
            value = os.path.expanduser(self.cacert)
        elif isinstance(value, str):
            value = os.path.expanduser(value)
        return value

    def check_ca_files(self, name: str, file: Path | None) -> None:
        """A missing CA bundle, checked when the profile is planned: it only makes that one profile unusable."""
        for key, value in (("cacert", self.cacert), ("verify", self.verify)):
            if isinstance(value, str) and not Path(os.path.expanduser(value)).is_file():
                raise ConfigError(
                    f"CA bundle {value!r} is not a file",
                    file=file,
                    key=f"clouds.{name}.{key}",
                    fix="give the path of a PEM file with the CA certificates",
                )

    def common(self, name: str, read_only: bool) -> PlanCommon:
        return dataclasses.replace(super().common(name, read_only), verify=self.verify_arg())


def _one_secret(password: object, command: object) -> None:
    need(
        password is None or command is None,
        "password_command",
        "password and password_command are both set",
        "keep one: password_command is the safer",
    )


class NoneProfile(_Tls):
    type: Literal["none"] = "none"
    endpoint: str | None = None

    def check(self) -> None:
        self.check_tls()
        need(self.endpoint is not None, "endpoint", 'type = "none" needs an endpoint')

    def plan(self, name: str, *, read_only: bool, file: Path | None, clouds: CloudsFiles) -> Plan:
        self.check_ca_files(name, file)
        assert self.endpoint is not None
        return StaticPlan.of(self.common(name, read_only), self.endpoint, token=False)


class _Keystone(_Tls):
    """What token and openstack profiles share: where Keystone and the image service are, and the scope."""

    endpoint: str | None = None
    auth_url: str | None = None
    interface: Literal["public", "internal", "admin"] | None = None
    region: str | None = None
    password_command: StrOrList | None = None
    project_name: str | None = None
    project_id: str | None = None
    project_domain_name: str | None = None
    project_domain_id: str | None = None
    # defaults for both the project's and the user's domain (like OS_DOMAIN_NAME)
    domain_name: str | None = None
    domain_id: str | None = None

    def scope(self) -> Scope:
        return Scope(
            project_name=self.project_name,
            project_id=self.project_id,
            project_domain_name=self.project_domain_name or self.domain_name,
            project_domain_id=self.project_domain_id or self.domain_id,
        )

    def common(self, name: str, read_only: bool) -> PlanCommon:
        project = self.project_name or self.project_id
        return dataclasses.replace(
            super().common(name, read_only), region=self.region, endpoint=self.endpoint, project=project
        )


class TokenProfile(_Keystone):
    type: Literal["token"] = "token"
    token: SecretValue | None = None

    def check(self) -> None:
        self.check_tls()
        need(
            self.endpoint is not None or self.auth_url is not None,
            "endpoint",
            'type = "token" needs an endpoint (or an auth_url to find the image service in the catalog)',
        )

    def plan(self, name: str, *, read_only: bool, file: Path | None, clouds: CloudsFiles) -> Plan:
        self.check_ca_files(name, file)
        command = as_command(self.password_command)
        common = dataclasses.replace(self.common(name, read_only), secret=self.token, secret_command=command)
        if self.auth_url and not self.endpoint:
            return common.become(
                KeystonePlan,
                method="token",
                auth_url=self.auth_url,
                interface=self.interface,
                scope=self.scope(),
                description=f"token · {host_of(self.auth_url)}",
            )
        assert self.endpoint is not None
        return StaticPlan.of(common, self.endpoint, token=True)


class OpenStackProfile(_Keystone):
    type: Literal["openstack"] = "openstack"
    username: str | None = None
    user_id: str | None = None
    password: SecretValue | None = None
    user_domain_name: str | None = None
    user_domain_id: str | None = None
    application_credential_id: str | None = None
    application_credential_name: str | None = None
    application_credential_secret: SecretValue | None = None

    def app_credential(self) -> bool:
        return bool(self.application_credential_id or self.application_credential_name)

    def check(self) -> None:
        _one_secret(self.password, self.password_command)
        self.check_tls()
        need(
            self.auth_url is not None,
            "auth_url",
            "an openstack profile needs auth_url (or os_cloud to take the cloud from clouds.yaml)",
        )
        user = self.username is not None or self.user_id is not None
        if self.app_credential() or self.application_credential_secret is not None:
            need(
                self.app_credential(),
                "application_credential_id",
                "an application credential needs application_credential_id (or _name with username)",
                'e.g. application_credential_id = "4f1b..."',
            )
            need(
                self.application_credential_id is not None or user,
                "username",
                "application_credential_name needs the owner's username or user_id",
                'e.g. username = "alice"',
            )
            need(
                self.password is None,
                "password",
                "password does not apply to an application credential",
                "use application_credential_secret (or password_command) instead",
            )
        else:
            need(
                user,
                "username",
                "an openstack profile needs username (or user_id), or an application credential",
                'e.g. username = "alice" with user_domain_name = "Default"',
            )

    def plan(self, name: str, *, read_only: bool, file: Path | None, clouds: CloudsFiles) -> Plan:
        self.check_ca_files(name, file)
        assert self.auth_url is not None
        identity = UserRef(
            username=self.username,
            user_id=self.user_id,
            user_domain_name=self.user_domain_name or self.domain_name,
            user_domain_id=self.user_domain_id or self.domain_id,
        )
        common = dataclasses.replace(
            self.common(name, read_only),
            secret_command=as_command(self.password_command),
            description=f"openstack · {host_of(self.auth_url)}" + (f" · {self.region}" if self.region else ""),
        )
        keystone: dict[str, Any] = {"auth_url": self.auth_url, "interface": self.interface, "identity": identity}
        if self.app_credential():
            short = self.application_credential_name or (self.application_credential_id or "")[:8]
            return common.become(
                KeystonePlan,
                **keystone,
                method="application_credential",
                credential_id=self.application_credential_id,
                credential_name=self.application_credential_name,
                user=self.username or self.user_id or f"app cred {short}",
                secret=self.application_credential_secret,
            )
        user = self.username or self.user_id
        return common.become(
            KeystonePlan,
            **keystone,
            method="password",
            scope=self.scope(),
            user=user,
            secret=self.password,
        )


class HuaweiProfile(_Tls):
    type: Literal["huawei"] = "huawei"
    region: str | None = None
    domain: str | None = None
    project: str | None = None
    project_id: str | None = None
    access_key: str | None = None
    secret_key: SecretValue | None = None
    security_token: SecretValue | None = None
    username: str | None = None
    password: SecretValue | None = None
    password_command: StrOrList | None = None

    def check(self) -> None:
        _one_secret(self.password, self.password_command)
        self.check_tls()
        need(self.region is not None, "region", 'type = "huawei" needs a region', 'e.g. region = "eu-west-101"')
        if self.access_key is not None or self.secret_key is not None:
            need(
                self.access_key is not None,
                "access_key",
                "secret_key is set without access_key",
                'e.g. access_key = "HPUA..."',
            )
            need(
                self.username is None and self.password is None,
                "username",
                "access_key and username/password are two ways to sign in: pick one",
                "remove username/password, or access_key/secret_key",
            )
            return
        need(
            self.username is not None or self.domain is not None,
            "access_key",
            'type = "huawei" needs access_key/secret_key, or username/password with domain',
            'e.g. access_key = "HPUA..." with secret_key, or domain = "my-account" with username',
        )
        need(
            self.domain is not None,
            "domain",
            "an IAM password sign-in needs domain (the account name)",
            'e.g. domain = "my-account"',
        )

    def plan(self, name: str, *, read_only: bool, file: Path | None, clouds: CloudsFiles) -> Plan:
        self.check_ca_files(name, file)
        assert self.region is not None
        common = dataclasses.replace(
            self.common(name, read_only),
            ims=True if self.ims is None else self.ims,
            project=self.project or self.project_id or self.region,
            secret_command=as_command(self.password_command),
        )
        huawei: dict[str, Any] = {"region": self.region, "project_id": self.project_id}
        if self.access_key is not None:
            return common.become(
                HuaweiPlan,
                **huawei,
                login=AkSk(self.access_key, security_token=self.security_token),
                secret=self.secret_key,
                description=f"huawei AK/SK · {self.region}",
            )
        user = self.username or self.domain
        assert user is not None
        return common.become(
            HuaweiPlan,
            **huawei,
            login=IamPassword(user, domain=self.domain, project=self.project),
            user=user,
            secret=self.password,
            description=f"huawei IAM · {self.region}",
        )


class CloudsYamlProfile(_Tls):
    """A clouds.yaml cloud with local settings on top: only behaviour, TLS, where to connect, and a password
    when clouds.yaml holds none; its credentials come from clouds.yaml."""

    type: Literal["openstack"] = "openstack"
    os_cloud: str
    region: str | None = None
    interface: Literal["public", "internal", "admin"] | None = None
    endpoint: str | None = None
    password: SecretValue | None = None
    password_command: StrOrList | None = None

    def check(self) -> None:
        _one_secret(self.password, self.password_command)
        self.check_tls()

    def clouds_yaml_name(self) -> str | None:
        return self.os_cloud

    def plan(self, name: str, *, read_only: bool, file: Path | None, clouds: CloudsFiles) -> Plan:
        self.check_ca_files(name, file)
        if self.os_cloud not in clouds.clouds:
            error = unknown_cloud(self.os_cloud, clouds)
            raise ConfigError(error.problem, file=file, key=f"clouds.{name}.os_cloud", fix=error.fix)
        tls_set = bool({"verify", "cacert", "insecure"} & self.model_fields_set)
        cloud = clouds.get(self.os_cloud, region_name=self.region).overridden(
            region=self.region,
            interface=self.interface,
            endpoint=self.endpoint,
            verify=self.verify_arg() if tls_set else None,
            password=self.password,
        )
        return plan_cloud(cloud, self.common(name, read_only), command=as_command(self.password_command))


# The model of each tag: a profile type (values.PROFILE_TYPES, in its order), or "os_cloud" for a table that
# borrows a clouds.yaml cloud.
_TYPED: tuple[type[ProfileBase], ...] = (OpenStackProfile, HuaweiProfile, TokenProfile, NoneProfile, DemoProfile)
BY_TAG: dict[str, type[ProfileBase]] = {**dict(zip(PROFILE_TYPES, _TYPED, strict=True)), "os_cloud": CloudsYamlProfile}
# Every key any profile may have, for "did you mean" and "does not apply to type".
PROFILE_KEYS: tuple[str, ...] = tuple(dict.fromkeys(key for model in BY_TAG.values() for key in model.model_fields))


def _tag(value: Any) -> str:
    if isinstance(value, dict):
        return "os_cloud" if "os_cloud" in value else value.get("type", PROFILE_TYPES[0])
    if isinstance(value, CloudsYamlProfile):
        return "os_cloud"
    if isinstance(value, ProfileBase):
        return value.type
    return PROFILE_TYPES[0]  # not a table: the default type's model says "wrong type"


if TYPE_CHECKING:
    Profile = OpenStackProfile | HuaweiProfile | TokenProfile | NoneProfile | DemoProfile | CloudsYamlProfile
else:
    Profile = Annotated[Union[tuple(Annotated[m, Tag(t)] for t, m in BY_TAG.items())], Discriminator(_tag)]  # noqa: UP007


class Settings(Strict):
    """The whole file: the default profile, ``[ui]``, the ``[clouds.NAME]`` profiles and the ``[views.NAME]``."""

    default: str | None = None
    ui: UiField = Field(default_factory=UiSettings)
    clouds: dict[str, Profile] = Field(default_factory=dict)
    views: dict[str, ViewSettings] = Field(default_factory=dict)
