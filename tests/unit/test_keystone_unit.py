"""Keystone auth without a server: request bodies, catalog picking, error wording, secrets kept out of sight.

The flow is driven step by step in tests/unit/test_keystone_flow.py; Keystone's real answers (tokens,
renewal, 401 retry) are tested against a real Keystone in tests/integration/test_keystone_real.py.
"""

from __future__ import annotations

import contextlib
import dataclasses
import ipaddress
import json
import socket
import ssl
import subprocess
import sys
import threading
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest

from ims_tui.api.errors import NetworkError, network_error
from ims_tui.api.keystone import (
    ApplicationCredential,
    AuthResult,
    CredentialsError,
    EndpointNotFound,
    KeystoneAuth,
    KeystoneSession,
    PasswordCredentials,
    TokenCredentials,
    find_endpoint,
    normalize_auth_url,
    parse_time,
)
from ims_tui.api.keystone.auth import _replayable
from ims_tui.api.secret_value import SecretValue
from ims_tui.api.session import SessionInfo

PASSWORD = "Sup3r-Secret-Pw!"
SECRET = "app-cred-secret-XYZ"
TOKEN = "gAAAAABtoken-value-1234567890"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("https://keystone.example.com:5000", "https://keystone.example.com:5000/v3"),
        ("https://keystone.example.com:5000/", "https://keystone.example.com:5000/v3"),
        ("https://keystone.example.com:5000/v3", "https://keystone.example.com:5000/v3"),
        ("https://keystone.example.com:5000/v3/", "https://keystone.example.com:5000/v3"),
        ("https://keystone.example.com/identity/v2.0", "https://keystone.example.com/identity/v3"),
        (" https://iam.cn-north-4.myhuaweicloud.com/v3 ", "https://iam.cn-north-4.myhuaweicloud.com/v3"),
    ],
)
def test_auth_url_is_normalised(given: str, expected: str) -> None:
    assert normalize_auth_url(given) == expected
    assert PasswordCredentials(auth_url=given, username="u", password="p").auth_url == expected


def test_password_by_names_scoped_to_a_project() -> None:
    creds = PasswordCredentials(
        auth_url="http://ks/v3",
        username="demo",
        password=PASSWORD,
        user_domain_name="Default",
        project_name="demo",
        project_domain_id="default",
    )
    assert creds.auth_body() == {
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": {"user": {"name": "demo", "domain": {"name": "Default"}, "password": PASSWORD}},
            },
            "scope": {"project": {"name": "demo", "domain": {"id": "default"}}},
        }
    }
    assert "scope" not in creds.auth_body(unscoped=True)["auth"]


def test_password_by_ids() -> None:
    creds = PasswordCredentials(auth_url="http://ks", user_id="u-1", password=PASSWORD, project_id="p-1")
    auth = creds.auth_body()["auth"]
    assert auth["identity"]["password"]["user"] == {"id": "u-1", "password": PASSWORD}
    assert auth["scope"] == {"project": {"id": "p-1"}}


def test_project_domain_defaults_to_the_user_domain() -> None:
    creds = PasswordCredentials(
        auth_url="http://ks", username="demo", password=PASSWORD, user_domain_id="default", project_name="demo"
    )
    assert creds.auth_body()["auth"]["scope"] == {"project": {"name": "demo", "domain": {"id": "default"}}}
    assert creds.describe_scope() == "project 'demo' in domain 'default'"


def test_domain_scope_and_unscoped() -> None:
    creds = PasswordCredentials(
        auth_url="http://ks", username="admin", password=PASSWORD, user_domain_name="Default", domain_name="Default"
    )
    assert creds.auth_body()["auth"]["scope"] == {"domain": {"name": "Default"}}
    plain = PasswordCredentials(auth_url="http://ks", username="a", password=PASSWORD, user_domain_id="default")
    assert "scope" not in plain.auth_body()["auth"]
    assert not plain.scoped


def test_application_credential_by_id_and_by_name() -> None:
    by_id = ApplicationCredential(auth_url="http://ks", id="ac-1", secret=SECRET)
    assert by_id.auth_body() == {
        "auth": {
            "identity": {
                "methods": ["application_credential"],
                "application_credential": {"id": "ac-1", "secret": SECRET},
            }
        }
    }
    by_name = ApplicationCredential(
        auth_url="http://ks", name="ci", secret=SECRET, username="demo", user_domain_name="Default"
    )
    cred = by_name.auth_body()["auth"]["identity"]["application_credential"]
    assert cred == {"name": "ci", "user": {"name": "demo", "domain": {"name": "Default"}}, "secret": SECRET}
    by_user_id = ApplicationCredential(auth_url="http://ks", name="ci", secret=SECRET, user_id="u-1")
    assert by_user_id.auth_body()["auth"]["identity"]["application_credential"]["user"] == {"id": "u-1"}
    with pytest.raises(TypeError, match="project_name"):
        ApplicationCredential(auth_url="http://ks", id="x", secret=SECRET, project_name="p")  # type: ignore[call-arg]


def test_token_rescoping() -> None:
    creds = TokenCredentials(auth_url="http://ks", token=TOKEN, project_id="p-2")
    assert creds.auth_body() == {
        "auth": {"identity": {"methods": ["token"], "token": {"id": TOKEN}}, "scope": {"project": {"id": "p-2"}}}
    }


@pytest.mark.parametrize(
    ("creds", "fragment"),
    [
        (PasswordCredentials(auth_url="http://ks", password=PASSWORD), "set username"),
        (PasswordCredentials(auth_url="http://ks", username="demo", password=PASSWORD), "user_domain_name"),
        (
            PasswordCredentials(auth_url="http://ks", user_id="u", password=PASSWORD, project_name="demo"),
            "project_domain_name",
        ),
        (PasswordCredentials(auth_url="http://ks", user_id="u", password=""), "no password"),
        (ApplicationCredential(auth_url="http://ks", secret=SECRET), "set its id"),
        (ApplicationCredential(auth_url="http://ks", name="ci", secret=SECRET), "also set its user"),
        (ApplicationCredential(auth_url="http://ks", id="x", secret=""), "no secret"),
    ],
)
def test_incomplete_credentials_say_what_to_set(creds: Any, fragment: str) -> None:
    with pytest.raises(CredentialsError, match=fragment) as caught:
        creds.auth_body()
    assert PASSWORD not in str(caught.value) and SECRET not in str(caught.value)


def test_secrets_never_in_repr_str_dumps_or_construction_errors() -> None:
    objects: list[object] = [
        PasswordCredentials(auth_url="http://ks", username="demo", password=PASSWORD, user_domain_id="default"),
        ApplicationCredential(auth_url="http://ks", id="ac", secret=SECRET),
        TokenCredentials(auth_url="http://ks", token=TOKEN),
    ]
    auths = [KeystoneAuth(c) for c in objects]  # type: ignore[arg-type]
    session = KeystoneSession(SessionInfo(cloud="c"), objects[0])  # type: ignore[arg-type]
    for obj in [*objects, *auths, session]:
        for text in (repr(obj), str(obj), f"{obj}"):
            assert PASSWORD not in text and SECRET not in text and TOKEN not in text
    for obj in objects:
        dump = dataclasses.asdict(obj)  # type: ignore[call-overload]
        dumped = str(dump) + json.dumps(dump, default=str) + str(vars(obj))
        assert PASSWORD not in dumped and SECRET not in dumped and TOKEN not in dumped
    # every way a construction is refused: an unknown field (another kind's secret field too), a missing secret,
    # an empty auth_url, a secret that is not a str
    refused: list[tuple[type[Exception], dict[str, Any]]] = [
        (TypeError, {"password": PASSWORD, "bogus": PASSWORD}),
        (TypeError, {"secret": PASSWORD}),
        (TypeError, {"username": PASSWORD}),
        (ValueError, {"auth_url": "  ", "password": PASSWORD, "username": PASSWORD}),
        (TypeError, {"password": [PASSWORD]}),
        (TypeError, {"password": PASSWORD.encode()}),
    ]
    for error, given in refused:
        with pytest.raises(error) as caught:
            PasswordCredentials(**{"auth_url": "http://ks", **given})
        text = str(caught.value) + repr(caught.value)
        assert PASSWORD not in text, text
    with pytest.raises(ValueError, match="^auth_url is empty$"):
        TokenCredentials(auth_url="", token=TOKEN)
    with pytest.raises(dataclasses.FrozenInstanceError):
        objects[0].password = SecretValue(PASSWORD)  # type: ignore[attr-defined]


def test_a_secret_is_held_wrapped_and_compares_by_value() -> None:
    given = SecretValue(PASSWORD)
    assert (repr(given), str(given), f"{given}") == ("SecretValue('**********')", "**********", "**********")
    assert (repr(SecretValue("")), str(SecretValue(""))) == ("SecretValue('')", "")
    plain = PasswordCredentials(auth_url="http://ks", user_id="u", password=PASSWORD)
    wrapped = PasswordCredentials(auth_url="http://ks/v3", user_id="u", password=given)
    assert isinstance(plain.password, SecretValue) and plain.password.get_secret_value() == PASSWORD
    assert wrapped.password is given  # an already wrapped secret is kept as it is, not wrapped twice
    assert plain == wrapped and hash(plain) == hash(wrapped) and len({plain, wrapped}) == 1
    assert plain != dataclasses.replace(plain, password="another")
    assert dataclasses.replace(plain, project_id="p").password == given
    assert SecretValue(PASSWORD) != PASSWORD  # a secret is not equal to its plain text


def test_a_login_and_its_token_request_need_no_pydantic() -> None:
    """The login is built, its token request written and its cache file named before the first request is sent:
    none of it may wait for pydantic's import (issue 14). A fresh interpreter, so nothing an earlier test imported
    hides it. What ``import ims_tui.api`` loads by itself is the package's own business (its models); from there
    on pydantic can't be imported, so anything the keystone modules pulled in would fail here."""
    code = """if True:
        import json, pathlib, sys
        import ims_tui.api
        by_the_package = sorted(name for name in sys.modules if name.split(".")[0] == "pydantic")
        sys.modules["pydantic"] = None  # from here on, importing pydantic raises ImportError
        from ims_tui.api.keystone import PasswordCredentials, TokenCache
        creds = PasswordCredentials(auth_url="http://ks", username="u", user_domain_name="D", password="p")
        assert creds.auth_body()["auth"]["identity"]["password"]["user"]["password"] == "p"
        assert TokenCache(pathlib.Path("cache")).path_for(creds) is not None
        loaded = {name for name, module in sys.modules.items() if name.split(".")[0] == "pydantic" and module}
        print(json.dumps(sorted(loaded - set(by_the_package))))
    """
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == []


# --------------------------------------------------------------------------------------------- catalog

CATALOG: list[dict[str, Any]] = [
    {
        "type": "identity",
        "name": "keystone",
        "endpoints": [{"interface": "public", "region_id": "RegionOne", "url": "http://ks:5000/v3/"}],
    },
    {
        "type": "image",
        "name": "glance",
        "endpoints": [
            {"interface": "internal", "region_id": "RegionOne", "region": "RegionOne", "url": "http://glance-int:9292"},
            {"interface": "public", "region_id": "RegionOne", "region": "RegionOne", "url": "https://glance-one"},
            {"interface": "public", "region_id": "RegionTwo", "region": "RegionTwo", "url": "https://glance-two"},
        ],
    },
]


def pick_endpoint(catalog: list[dict[str, Any]], **where: Any) -> str:
    """The URL of the endpoint ``find_endpoint`` picks."""
    return find_endpoint(catalog, **where).url


def test_pick_endpoint() -> None:
    assert pick_endpoint(CATALOG) == "https://glance-one"
    assert pick_endpoint(CATALOG, region="RegionTwo") == "https://glance-two"
    assert pick_endpoint(CATALOG, interface="internal") == "http://glance-int:9292"
    assert pick_endpoint(CATALOG, interface="publicURL", region="RegionTwo") == "https://glance-two"
    found = find_endpoint(CATALOG, region="RegionTwo")
    assert (found.region, found.service_name, found.interface) == ("RegionTwo", "glance", "public")


def test_pick_endpoint_errors_list_what_exists() -> None:
    with pytest.raises(EndpointNotFound, match=r"no 'image' service \(it lists: identity\)"):
        pick_endpoint(CATALOG[:1])
    with pytest.raises(EndpointNotFound, match=r"is the token scoped to a project\?"):
        pick_endpoint([])
    with pytest.raises(EndpointNotFound, match=r"no admin endpoint \(it has: internal, public\)"):
        pick_endpoint(CATALOG, interface="admin")
    with pytest.raises(EndpointNotFound, match="region 'Mars'; regions that have one: RegionOne, RegionTwo"):
        pick_endpoint(CATALOG, region="Mars")


def test_auth_result_from_keystone_body() -> None:
    body = {
        "token": {
            "expires_at": "2030-01-02T03:04:05.000000Z",
            "issued_at": "2030-01-01T03:04:05.000000Z",
            "methods": ["password"],
            "user": {"id": "u1", "name": "demo", "domain": {"id": "default", "name": "Default"}},
            "project": {"id": "p1", "name": "demo", "domain": {"id": "default", "name": "Default"}},
            "roles": [{"id": "r", "name": "member"}],
            "catalog": CATALOG,
        }
    }
    result = AuthResult.from_body(body)
    assert result.token_expires_at == datetime(2030, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    assert (result.user_name, result.project_name, result.project_id) == ("demo", "demo", "p1")
    assert result.roles == ("member",) and result.catalog == CATALOG
    assert "glance-one" not in repr(result)  # the catalog is long: kept out of reprs and logs


def test_parse_time_variants() -> None:
    assert parse_time("2030-01-02T03:04:05Z") == datetime(2030, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    assert parse_time("2030-01-02T03:04:05.123000+01:00") == datetime(2030, 1, 2, 2, 4, 5, 123000, tzinfo=timezone.utc)
    assert parse_time("2030-01-02T03:04:05") == datetime(2030, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    assert parse_time("soon") is None and parse_time(None) is None


# ------------------------------------------------------------------------------------- network wording


def _connect_error(text: str, cause: BaseException | None = None) -> httpx.ConnectError:
    exc = httpx.ConnectError(text)
    exc.__cause__ = cause
    return exc


def test_network_errors_name_the_host_and_what_to_check() -> None:
    refused = network_error(
        _connect_error("[Errno 111] Connection refused"), "https://u:pw@ks.example:5000/v3", "Keystone"
    )
    assert isinstance(refused, NetworkError)
    assert "cannot reach Keystone at ks.example:5000" in refused.message and "check auth_url" in refused.message
    assert "pw" not in refused.message.replace("password", "")
    tls_cause = ssl.SSLCertVerificationError(1, "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed")
    tls = network_error(_connect_error("boom", tls_cause), "https://ks.example/v3", "Keystone")
    assert "certificate verify failed" in tls.message and "set cacert" in tls.message and "verify=false" in tls.message
    timeout = network_error(httpx.ConnectTimeout("t"), "https://ks.example/v3", "Keystone")
    assert "timed out connecting to Keystone at ks.example" in timeout.message


# ------------------------------------------------------------------- real sockets: refused, untrusted TLS


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def test_unreachable_keystone_names_the_auth_url_host() -> None:
    port = _free_port()  # bound then released: nothing listens there
    auth = KeystoneAuth(PasswordCredentials(auth_url=f"http://127.0.0.1:{port}", user_id="u", password=PASSWORD))
    with pytest.raises(NetworkError) as caught:
        await auth.authenticate()
    assert f"cannot reach Keystone at 127.0.0.1:{port}" in caught.value.message
    assert PASSWORD not in caught.value.describe()


@pytest.fixture
def untrusted_tls_server(tmp_path: Path) -> Iterator[int]:
    """A TLS listener with a self-signed certificate no client trusts; it only completes (or fails) handshakes."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(10)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with contextlib.suppress(OSError), context.wrap_socket(conn, server_side=True):
                pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        with contextlib.suppress(OSError), socket.create_connection(listener.getsockname(), timeout=2):
            pass  # wakes the blocked accept() so the thread sees the stop flag
        thread.join(timeout=10)
        listener.close()


async def test_untrusted_certificate_says_set_cacert(untrusted_tls_server: int) -> None:
    creds = PasswordCredentials(auth_url=f"https://127.0.0.1:{untrusted_tls_server}", user_id="u", password=PASSWORD)
    with pytest.raises(NetworkError) as caught:
        await KeystoneAuth(creds).authenticate()
    message = caught.value.message
    assert f"TLS certificate of Keystone at 127.0.0.1:{untrusted_tls_server} could not be verified" in message
    assert "set cacert" in message and "verify=false" in message


def test_only_replayable_requests_are_retried_after_a_401() -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b"image data"

    assert _replayable(httpx.Request("PUT", "http://glance/v2/images/x/file", content=b"bytes"))
    assert _replayable(httpx.Request("GET", "http://glance/v2/images"))
    assert not _replayable(httpx.Request("PUT", "http://glance/v2/images/x/file", content=chunks()))
