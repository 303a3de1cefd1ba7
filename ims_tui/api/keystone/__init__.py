"""Keystone v3: credentials, the token flow as an ``httpx.Auth``, the catalog, and a session built on them.

A token is fetched on first use (``POST {auth_url}/auth/tokens``), sent as ``X-Auth-Token``, renewed shortly
before it expires, and renewed once more when a service answers 401 (revoked, or the clocks disagree).
Passwords, secrets and tokens live in ``SecretValue`` (api/secret_value.py) or private attributes and are
scrubbed from every message.

    credentials.py  what a login says: PasswordCredentials, ApplicationCredential, TokenCredentials, the scope
    catalog.py      what Keystone says about a token (AuthResult) and the endpoint picked from its catalog
    failures.py     what a refused token request means, worded as the setting to check
    auth.py         KeystoneAuth: the one auth flow
    token_cache.py  TokenCache: logins kept between runs (the token and its AuthResult), never a password
    session.py      KeystoneSession: log in, find the image endpoint, hand back a client
"""

from ..errors import AuthError, CredentialsError, EndpointNotFound
from .auth import RENEW_BEFORE, TOKEN_PATH, Clock, KeystoneAuth
from .catalog import AuthResult, CatalogEndpoint, find_endpoint, parse_time
from .credentials import (
    ApplicationCredential,
    Credentials,
    PasswordCredentials,
    TokenCredentials,
    normalize_auth_url,
)
from .session import KeystoneSession
from .token_cache import TokenCache

__all__ = [
    "RENEW_BEFORE",
    "TOKEN_PATH",
    "ApplicationCredential",
    "AuthError",
    "AuthResult",
    "CatalogEndpoint",
    "Clock",
    "Credentials",
    "CredentialsError",
    "EndpointNotFound",
    "KeystoneAuth",
    "KeystoneSession",
    "PasswordCredentials",
    "TokenCache",
    "TokenCredentials",
    "find_endpoint",
    "normalize_auth_url",
    "parse_time",
]
