"""The IMS simulator's gate: API Gateway's AK/SK signature check and IAM's password tokens.

The signature is recomputed here from the request as it arrived, written from Huawei's signing guide
(``SDK-HMAC-SHA256``: canonical request, string to sign, HMAC-SHA256 with the secret key), not borrowed from the
client's signer: ``demo/`` does not import ``api/``, and a check that shares the client's code would pass the
client's mistakes. Refusals carry APIG's error body (``error_code``/``error_msg``/``request_id``), as the
gateway answers before IMS ever sees the request.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qsl, quote, unquote

import httpx

ALGORITHM = "SDK-HMAC-SHA256"
DATE_FORMAT = "%Y%m%dT%H%M%SZ"
MAX_SKEW = timedelta(minutes=15)  # APIG refuses a signature whose X-Sdk-Date is further off than this
TOKEN_LIFETIME = timedelta(hours=24)  # IAM tokens are valid for 24 hours


class GateRefusal(Exception):
    """The gateway (or IAM) answers before IMS: ``status`` and APIG's or IAM's own body."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(status)
        self.status = status
        self.body = body

    def response(self, request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            self.status,
            headers={"content-type": "application/json", "x-request-id": self.body.get("request_id", "")},
            content=json.dumps(self.body).encode(),
            request=request,
        )


def apig_refusal(status: int, code: str, message: str) -> GateRefusal:
    return GateRefusal(status, {"error_msg": message, "error_code": code, "request_id": uuid.uuid4().hex})


def _iam_fail(message: str) -> GateRefusal:
    return apig_refusal(401, "APIG.0301", f"Incorrect IAM authentication information: {message}")


@dataclass(frozen=True)
class Account:
    """What a signed request or a token stands for."""

    project_id: str
    project_name: str
    user: str


def _encode(text: str) -> str:
    return quote(text, safe="~")


def _canonical_uri(raw_path: str) -> str:
    path = "/".join(_encode(segment) for segment in unquote(raw_path or "/").split("/"))
    return path if path.endswith("/") else path + "/"


def _canonical_query(raw_query: str) -> str:
    pairs = sorted(parse_qsl(raw_query, keep_blank_values=True))
    return "&".join(f"{_encode(key)}={_encode(value)}" for key, value in pairs)


def _parse_authorization(value: str) -> dict[str, str]:
    algorithm, _, rest = value.partition(" ")
    if algorithm != ALGORITHM:
        raise _iam_fail("verify aksk signature fail")
    fields: dict[str, str] = {}
    for part in rest.split(","):
        key, _, item = part.strip().partition("=")
        fields[key] = item
    if not {"Access", "SignedHeaders", "Signature"} <= fields.keys():
        raise _iam_fail("verify aksk signature fail")
    return fields


def expected_signature(request: httpx.Request, signed_headers: list[str], sk: str, sdk_date: str) -> str:
    """The signature APIG computes for ``request`` from the headers it was told were signed."""
    raw_path, _, raw_query = request.url.raw_path.decode("ascii", "replace").partition("?")
    lines = [f"{name}:{request.headers.get(name, '').strip()}\n" for name in signed_headers]
    declared = request.headers.get("x-sdk-content-sha256")
    body = request.content
    payload = declared if declared else hashlib.sha256(body).hexdigest()
    canonical = "\n".join(
        [
            request.method.upper(),
            _canonical_uri(raw_path),
            _canonical_query(raw_query),
            "".join(lines),
            ";".join(signed_headers),
            payload,
        ]
    )
    to_sign = f"{ALGORITHM}\n{sdk_date}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
    return hmac.new(sk.encode(), to_sign.encode(), hashlib.sha256).hexdigest()


class Gate:
    """The keys and users the simulated account has, and the tokens IAM has issued.

    ``keys``: access key -> (secret key, the account it belongs to); ``users``: (domain, name) -> (password,
    account). ``projects``: the project ids the account may name in ``X-Project-Id``.
    """

    def __init__(self, clock: Callable[[], datetime], region: str, project_id: str) -> None:
        self.clock = clock
        self.region = region
        self.account = Account(project_id, region, "demo-user")
        self.keys: dict[str, str] = {}
        self.users: dict[tuple[str, str], str] = {}
        self.tokens: dict[str, tuple[Account, datetime]] = {}

    def check(self, request: httpx.Request) -> Account:
        """Who the request is from, or a ``GateRefusal`` as APIG words it."""
        token = request.headers.get("x-auth-token")
        if token is not None:
            issued = self.tokens.get(token)
            if issued is None:
                raise _iam_fail("decrypt token fail")
            account, expires = issued
            if self.clock() >= expires:
                raise _iam_fail(f"token expires, expires_at: {expires.strftime('%Y-%m-%dT%H:%M:%S.%fZ')}")
            return account
        authorization = request.headers.get("authorization")
        if authorization is None:
            raise _iam_fail("x-auth-token not found")
        fields = _parse_authorization(authorization)
        ak = fields["Access"]
        sk = self.keys.get(ak)
        if sk is None:
            raise _iam_fail(f"Get secretKey failed,ak:{ak[:4]}******,err:ak not exist")
        sdk_date = request.headers.get("x-sdk-date", "")
        try:
            stamp = datetime.strptime(sdk_date, DATE_FORMAT).replace(tzinfo=timezone.utc)
        except ValueError:
            raise _iam_fail("verify aksk signature fail") from None
        now = self.clock()
        if abs(now - stamp) > MAX_SKEW:
            raise _iam_fail(f"signature expired, signature time:{sdk_date},server time:{now.strftime(DATE_FORMAT)}")
        signed = [name for name in fields["SignedHeaders"].split(";") if name]
        if "host" not in signed or "x-sdk-date" not in signed:
            raise _iam_fail("verify aksk signature fail")
        wanted = expected_signature(request, signed, sk, sdk_date)
        if not hmac.compare_digest(wanted, fields["Signature"]):
            raise _iam_fail("verify aksk signature fail")
        project = request.headers.get("x-project-id")
        if not project:
            # Regional services need the project of the signed request; not published: see tests/fixtures/ims
            raise _iam_fail("the project id is missing (X-Project-Id)")
        if project != self.account.project_id:
            raise apig_refusal(403, "APIG.0302", "The IAM user is not authorized to access the API")
        return self.account

    def issue_token(self, request: httpx.Request, ims_url: str) -> httpx.Response:
        """IAM ``POST /v3/auth/tokens`` with a password: the token in ``X-Subject-Token``, a catalog with IMS."""
        try:
            body = json.loads(request.content or b"{}")
            user = body["auth"]["identity"]["password"]["user"]
            name, password = user["name"], user["password"]
            domain = user.get("domain", {}).get("name", "")
        except (ValueError, KeyError, TypeError):
            return GateRefusal(
                400, {"error": {"code": 400, "message": "The request body is invalid.", "title": "Bad Request"}}
            ).response(request)
        if self.users.get((domain, name)) != password:
            return GateRefusal(
                401, {"error": {"code": 401, "message": "The username or password is wrong.", "title": "Unauthorized"}}
            ).response(request)
        now = self.clock()
        token = "MII" + secrets.token_urlsafe(48)
        self.tokens[token] = (self.account, now + TOKEN_LIFETIME)
        stamp = "%Y-%m-%dT%H:%M:%S.000000Z"
        payload = {
            "token": {
                "expires_at": (now + TOKEN_LIFETIME).strftime(stamp),
                "issued_at": now.strftime(stamp),
                "methods": ["password"],
                "catalog": [
                    {
                        "endpoints": [
                            {
                                "id": uuid.uuid4().hex,
                                "interface": "public",
                                "region": self.region,
                                "region_id": self.region,
                                "url": ims_url,
                            }
                        ],
                        "id": uuid.uuid4().hex,
                        "name": "ims",
                        "type": "image",
                    }
                ],
                "roles": [{"id": "0", "name": "te_admin"}],
                "project": {
                    "domain": {"id": uuid.uuid4().hex, "name": domain},
                    "id": self.account.project_id,
                    "name": self.account.project_name,
                },
                "user": {
                    "domain": {"id": uuid.uuid4().hex, "name": domain},
                    "id": uuid.uuid4().hex,
                    "name": name,
                    "password_expires_at": "",
                },
            }
        }
        return httpx.Response(
            201,
            headers={"content-type": "application/json", "x-subject-token": token},
            content=json.dumps(payload).encode(),
            request=request,
        )
