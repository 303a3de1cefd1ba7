"""What one session will be, decided before any network call or API import: one small frozen value per way in.

``resolve`` plans every entry; ``sessions.open_session`` matches on the plan's type to build it. Plans are values:
what changes later (``--read-only``, the first session's ``--insecure`` and ``--region``, a warning) makes a new plan
with ``dataclasses.replace``, never writes into one. No httpx and no ``ims_tui.api`` here.
"""

# No `from __future__ import annotations` here: a NamedTuple compiles each annotation string it is given.

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal, NamedTuple, TypeVar
from urllib.parse import urlsplit

from .secrets import Secret
from .values import Sort

if TYPE_CHECKING:
    from .tables import FilterSettings  # a profile's [filters]: only a config file makes one

Command = str | tuple[str, ...]
P = TypeVar("P", bound="PlanCommon")


def host_of(url: str | None) -> str:
    """The host of a URL for a description ("keystone.example.com"), or the text itself if it is not a URL."""
    if not url:
        return ""
    try:
        return urlsplit(url).hostname or url
    except ValueError:
        return url


def as_command(value: str | list[str] | None) -> Command | None:
    """A ``password_command`` as a plan holds it: a string, or a tuple so the plan stays a value."""
    return tuple(value) if isinstance(value, list) else value


# eq=False: nothing compares plans, and a generated __eq__ and __hash__ per plan type cost ~1 ms of start-up.
@dataclass(frozen=True, kw_only=True, eq=False)
class PlanCommon:
    """What every plan holds: the entry, what the header shows before connecting, the first list's defaults and
    the one secret it signs in with (a value already known, else a command run at connect, else a prompt)."""

    kind: ClassVar[str] = ""  # the plan's type as one word, for tests and logs
    regional: ClassVar[bool] = False  # whether --region applies (it picks the catalog's or the cloud's region)

    name: str
    description: str = ""
    endpoint: str | None = None  # the image service URL: the one to use, or an override of the catalog's
    region: str | None = None
    project: str | None = None
    user: str | None = None
    read_only: bool = False
    production: bool = False  # a red PROD badge; a bulk delete asks for the number of images typed
    verify: bool | str = True  # httpx's verify: True, False, or a CA bundle path
    ims: bool | None = None
    page_size: int | None = None
    sort: Sort = ()
    columns: tuple[str, ...] | None = None  # the list's columns; None: [ui] columns, else the default set
    filters: "FilterSettings | None" = None
    filter_text: str | None = None  # the profile's filter = "..." (the --filter grammar), in place of filters
    warnings: tuple[str, ...] = ()
    secret: Secret | None = field(default=None, repr=False)
    secret_command: Command | None = field(default=None, repr=False)  # may embed a secret (echo ...)

    @property
    def insecure(self) -> bool:
        return self.verify is False

    @property
    def secret_name(self) -> str | None:
        """The argument the secret is passed as, or None when this plan signs in without one."""
        return None

    @property
    def prompt(self) -> str:
        """What the masked prompt asks for when no value or command supplies the secret."""
        return ""

    def warned(self: P, *warnings: str) -> P:
        return dataclasses.replace(self, warnings=self.warnings + warnings) if warnings else self

    def become(self, cls: type[P], **fields: Any) -> P:
        """A plan of type ``cls`` with these common fields, ``fields`` on top."""
        common = {f.name: getattr(self, f.name) for f in dataclasses.fields(PlanCommon)}
        return cls(**{**common, **fields})


@dataclass(frozen=True, kw_only=True, eq=False)
class DemoPlan(PlanCommon):
    kind: ClassVar[str] = "demo"

    images: int | None = None
    latency: float | None = None

    @classmethod
    def of(cls, common: PlanCommon, *, images: int | None, latency: float | None) -> "DemoPlan":
        description = "simulated Huawei Cloud IMS (in-process)" if common.ims else "demo cloud (in-process)"
        return common.become(cls, description=description, images=images, latency=latency)


@dataclass(frozen=True, kw_only=True, eq=False)
class StaticPlan(PlanCommon):
    """A known image endpoint, with a fixed token or no authentication."""

    kind: ClassVar[str] = "static"

    endpoint: str
    auth: Literal["none", "token"] = "none"

    @classmethod
    def of(cls, common: PlanCommon, endpoint: str, *, token: bool, where: str | None = None) -> "StaticPlan":
        """The plan for ``endpoint``, described for the switcher ("token · HOST", then where it came from)."""
        description = f"{'token' if token else 'no auth'} · {host_of(endpoint)}" + (f" ({where})" if where else "")
        return common.become(cls, endpoint=endpoint, auth="token" if token else "none", description=description)

    @property
    def secret_name(self) -> str | None:
        return "token" if self.auth == "token" else None

    @property
    def prompt(self) -> str:
        return f"Token for {self.name}" if self.auth == "token" else ""


# The small parts of a plan are NamedTuples: immutable values like the plans, without a dataclass's generated
# methods (a frozen dataclass costs ~0.6 ms of `import ims_tui.config` each; a NamedTuple ~0.07 ms).


class Scope(NamedTuple):
    """Where a Keystone token is scoped: a project (by id, or by name in a domain), a domain, or nothing."""

    project_name: str | None = None
    project_id: str | None = None
    project_domain_name: str | None = None
    project_domain_id: str | None = None
    domain_name: str | None = None
    domain_id: str | None = None


class UserRef(NamedTuple):
    """A Keystone user, by id or by name in a domain."""

    username: str | None = None
    user_id: str | None = None
    user_domain_name: str | None = None
    user_domain_id: str | None = None


KeystoneMethod = Literal["password", "application_credential", "token"]
_KEYSTONE_SECRET: dict[str, str] = {"password": "password", "application_credential": "secret", "token": "token"}


@dataclass(frozen=True, kw_only=True, eq=False)
class KeystonePlan(PlanCommon):
    """Sign in to Keystone, then find the image service in the catalog (unless ``endpoint`` overrides it)."""

    kind: ClassVar[str] = "keystone"
    regional: ClassVar[bool] = True

    method: KeystoneMethod
    auth_url: str
    interface: str | None = None
    scope: Scope = Scope()  # not used by an application credential: its scope is fixed when it is made
    identity: UserRef = UserRef()  # not used by a token
    credential_id: str | None = None  # an application credential's id, or
    credential_name: str | None = None  # its name (with the owner's identity)
    token_cache: Path | None = None  # the folder logins are kept in between runs; None: not kept ([ui] token_cache)

    @property
    def secret_name(self) -> str | None:
        return _KEYSTONE_SECRET[self.method]

    @property
    def prompt(self) -> str:
        if self.method == "password":
            return f"Password for {self.user} on {host_of(self.auth_url)} ({self.name})"
        if self.method == "application_credential":
            return f"Application credential secret for {self.name}"
        return f"Token for {self.name}"

    @property
    def fields(self) -> dict[str, str]:
        """The credential's arguments except its secret, unset ones left out (``ims_tui.api.keystone``'s names)."""
        parts: dict[str, str | None] = {"auth_url": self.auth_url}
        if self.method != "application_credential":
            parts.update(self.scope._asdict())
        else:
            parts.update(id=self.credential_id, name=self.credential_name)
        if self.method != "token":
            parts.update(self.identity._asdict())
        return {key: value for key, value in parts.items() if value is not None}


class AkSk(NamedTuple):
    """Huawei Cloud request signing with an access key; the secret key is the plan's secret."""

    access_key: str
    security_token: Secret | None = None  # only for temporary keys (a Secret: its repr is ***)


class IamPassword(NamedTuple):
    """Huawei Cloud IAM sign-in; the password is the plan's secret. ``domain`` is the account name."""

    username: str
    domain: str | None = None
    project: str | None = None  # a sub-project; by default the region's own project


@dataclass(frozen=True, kw_only=True, eq=False)
class HuaweiPlan(PlanCommon):
    kind: ClassVar[str] = "huawei"
    regional: ClassVar[bool] = True

    region: str
    login: AkSk | IamPassword
    project_id: str | None = None

    @property
    def secret_name(self) -> str | None:
        return "sk" if isinstance(self.login, AkSk) else "password"

    @property
    def prompt(self) -> str:
        if isinstance(self.login, AkSk):
            return f"Secret key for access key {self.login.access_key[:4]}… ({self.name})"
        return f"Huawei Cloud password for {self.user} ({self.name})"


Plan = DemoPlan | StaticPlan | KeystonePlan | HuaweiPlan
