"""What a Keystone v3 login says: a password, an application credential or a token, and the scope asked for.

Each credential builds its ``POST /v3/auth/tokens`` body and describes itself for messages; secrets live in
``SecretValue`` (shown as stars) and a refused construction never echoes them. Frozen dataclasses, built by
keyword only, not pydantic models: a login is built before the first request is sent, which must not wait for
pydantic's import.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import CredentialsError
from ..secret_value import SecretField


def normalize_auth_url(url: str) -> str:
    """The identity v3 root, whether the user wrote ``https://host:5000``, ``.../v3/`` or the old ``.../v2.0``."""
    root = url.strip().rstrip("/")
    if not root:
        raise ValueError("auth_url is empty")
    for suffix in ("/v3", "/v2.0"):
        if root.endswith(suffix):
            root = root[: -len(suffix)]
            break
    return root + "/v3"


def _named(name: str | None, id_: str | None) -> dict[str, str] | None:
    if id_:
        return {"id": id_}
    if name:
        return {"name": name}
    return None


@dataclass(frozen=True, kw_only=True)
class _Credentials:
    """What every identity shares: where Keystone is, and the token request built from the identity and scope.

    An unknown or missing field is refused with ``TypeError``, an empty ``auth_url`` with ``ValueError``; neither
    message carries a value given.
    """

    auth_url: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "auth_url", normalize_auth_url(self.auth_url))

    @property
    def scoped(self) -> bool:
        return self.describe_scope() is not None

    def describe_scope(self) -> str | None:
        return None

    def scope_body(self) -> dict[str, Any] | None:
        return None

    def secrets(self) -> list[str]:
        return []

    def describe_identity(self) -> str:
        raise NotImplementedError

    def identity_body(self) -> dict[str, Any]:
        """The ``identity`` object of the token request; raises ``CredentialsError`` if something is missing."""
        raise NotImplementedError

    def auth_body(self, *, unscoped: bool = False) -> dict[str, Any]:
        """The whole token request; ``unscoped`` leaves the scope out (to tell a bad scope from a bad login)."""
        auth: dict[str, Any] = {"identity": self.identity_body()}
        scope = None if unscoped else self.scope_body()
        if scope is not None:
            auth["scope"] = scope
        return {"auth": auth}


@dataclass(frozen=True, kw_only=True)
class _User(_Credentials):
    """A user, by id or by name within a domain: who logs in with a password, or owns an application credential."""

    username: str | None = None
    user_id: str | None = None
    user_domain_name: str | None = None
    user_domain_id: str | None = None

    def _user_domain(self) -> dict[str, str] | None:
        return _named(self.user_domain_name, self.user_domain_id)

    def _user_body(self, *, no_user: str, no_domain: str) -> dict[str, Any]:
        """The ``user`` object; the messages say what is missing for this kind of login."""
        if self.user_id:
            return {"id": self.user_id}
        if not self.username:
            raise CredentialsError(no_user)
        domain = self._user_domain()
        if domain is None:
            raise CredentialsError(no_domain)
        return {"name": self.username, "domain": domain}


@dataclass(frozen=True, kw_only=True)
class _Scoped(_Credentials):
    """Where a token is scoped: a project (by id, or by name within a domain), a domain, or nothing."""

    project_name: str | None = None
    project_id: str | None = None
    project_domain_name: str | None = None
    project_domain_id: str | None = None
    domain_name: str | None = None
    domain_id: str | None = None

    def _default_project_domain(self) -> dict[str, str] | None:
        return None

    def scope_body(self) -> dict[str, Any] | None:
        if self.project_id:
            return {"project": {"id": self.project_id}}
        if self.project_name:
            domain = _named(self.project_domain_name, self.project_domain_id)
            domain = domain or self._default_project_domain()
            if domain is None:
                raise CredentialsError(
                    f"project '{self.project_name}' is given by name but without a domain: "
                    "set project_domain_name (often 'Default') or project_domain_id"
                )
            return {"project": {"name": self.project_name, "domain": domain}}
        domain = _named(self.domain_name, self.domain_id)
        if domain is not None:
            return {"domain": domain}
        return None

    def describe_scope(self) -> str | None:
        if self.project_id:
            return f"project id '{self.project_id}'"
        if self.project_name:
            domain = self.project_domain_name or self.project_domain_id
            default = self._default_project_domain()
            if domain is None and default is not None:
                domain = next(iter(default.values()))
            return f"project '{self.project_name}'" + (f" in domain '{domain}'" if domain else "")
        if self.domain_name or self.domain_id:
            return f"domain '{self.domain_name or self.domain_id}'"
        return None


@dataclass(frozen=True, kw_only=True)
class PasswordCredentials(_Scoped, _User):
    """A user (by id, or by name within a domain) and a password."""

    password: SecretField = SecretField()

    def _default_project_domain(self) -> dict[str, str] | None:
        # clouds.yaml files often name only the user's domain; the project usually lives in the same one.
        return self._user_domain()

    def identity_body(self) -> dict[str, Any]:
        secret = self.password.get_secret_value()
        if not secret:
            raise CredentialsError(f"no password given for {self.describe_identity()}")
        user = self._user_body(
            no_user="no user given: set username (with user_domain_name) or user_id",
            no_domain=f"user '{self.username}' is given by name but without a domain: "
            "set user_domain_name (often 'Default') or user_domain_id",
        )
        user["password"] = secret
        return {"methods": ["password"], "password": {"user": user}}

    def describe_identity(self) -> str:
        if self.user_id and not self.username:
            return f"user id '{self.user_id}'"
        domain = self.user_domain_name or self.user_domain_id
        return f"user '{self.username or self.user_id}'" + (f" in domain '{domain}'" if domain else "")

    def secrets(self) -> list[str]:
        return [self.password.get_secret_value()]


@dataclass(frozen=True, kw_only=True)
class ApplicationCredential(_User):
    """An application credential: its id and secret, or its name, secret and owning user.

    Its scope is fixed when it is created, so it has no project fields and its token request no scope.
    """

    secret: SecretField = SecretField()
    id: str | None = None
    name: str | None = None

    def identity_body(self) -> dict[str, Any]:
        secret = self.secret.get_secret_value()
        if not secret:
            raise CredentialsError(f"no secret given for {self.describe_identity()}")
        cred: dict[str, Any]
        if self.id:
            cred = {"id": self.id}
        elif self.name:
            owner = self._user_body(
                no_user=f"application credential '{self.name}' is given by name: also set its user "
                "(username with user_domain_name, or user_id), or use its id",
                no_domain=f"application credential '{self.name}' names user '{self.username}' without a domain: "
                "set user_domain_name or user_domain_id",
            )
            cred = {"name": self.name, "user": owner}
        else:
            raise CredentialsError("application credential: set its id (or its name and user)")
        cred["secret"] = secret
        return {"methods": ["application_credential"], "application_credential": cred}

    def describe_identity(self) -> str:
        return f"application credential '{self.id or self.name}'"

    def secrets(self) -> list[str]:
        return [self.secret.get_secret_value()]


@dataclass(frozen=True, kw_only=True)
class TokenCredentials(_Scoped):
    """An existing token, exchanged for a new one (usually to re-scope it to a project)."""

    token: SecretField = SecretField()

    def identity_body(self) -> dict[str, Any]:
        token = self.token.get_secret_value()
        if not token:
            raise CredentialsError("no token given")
        return {"methods": ["token"], "token": {"id": token}}

    def describe_identity(self) -> str:
        return "the given token"

    def secrets(self) -> list[str]:
        return [self.token.get_secret_value()]


Credentials = PasswordCredentials | ApplicationCredential | TokenCredentials
