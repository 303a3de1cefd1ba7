"""Our clouds.yaml/secure.yaml/OS_* reader against openstacksdk itself (the oracle, installed for tests only).

Each case writes files to a temporary directory, sets the environment, and compares what
``OpenStackConfig().get_one(cloud)`` yields with what ``ims_tui.config`` yields: auth type, auth URL, credentials,
project, domains, region, interface, TLS verification and the image endpoint override.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("openstack.config.loader")
# openstacksdk's own deprecation chatter (InfluxDB, comma-separated regions) is not what these tests check.
pytestmark = pytest.mark.filterwarnings("ignore::Warning")

from openstack.config import loader  # noqa: E402

from ims_tui.config.clouds import candidates, load_clouds  # noqa: E402
from ims_tui.config.environ import env_cloud  # noqa: E402
from ims_tui.config.resolve import ConnectOptions, resolve  # noqa: E402

AUTH_KEYS = (
    "auth_url",
    "username",
    "user_id",
    "password",
    "user_domain_name",
    "user_domain_id",
    "project_name",
    "project_id",
    "project_domain_name",
    "project_domain_id",
    "domain_name",
    "domain_id",
    "default_domain_id",
    "default_domain_name",
    "application_credential_id",
    "application_credential_name",
    "application_credential_secret",
    "token",
    "endpoint",
)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for key in list(os.environ):
        if key.startswith("OS_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "home" / ".config"))
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return tmp_path


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    path.chmod(0o600)
    return path


def _oracle(cloud: str | None) -> dict[str, Any]:
    # Empty default lists: only OS_CLIENT_CONFIG_FILE / OS_CLIENT_SECURE_FILE (set by each case) are read, so
    # the machine's own ~/.config/openstack can't leak into the comparison.
    config = loader.OpenStackConfig(config_files=[], secure_files=[], vendor_files=[])
    region = config.get_one(cloud)
    auth = region.config["auth"]
    return {
        "name": region.name,
        "auth_type": region.config["auth_type"],
        "auth": {k: str(v) for k, v in auth.items() if k in AUTH_KEYS and v},
        "region": region.get_region_name("image") or "",
        "interface": region.get_interface("image"),
        "verify": region.get_requests_verify_args()[0],
        "endpoint": region.get_endpoint("image"),
    }


def _ours(cloud: str | None) -> dict[str, Any]:
    environ = dict(os.environ)
    files = load_clouds(environ)
    name = cloud or environ.get("OS_CLOUD")
    if name:
        ours = files.get(name)
    else:
        ours = env_cloud(environ)
        if ours is None:
            assert len(files.names()) == 1
            ours = files.get(files.names()[0])
    return {
        "name": ours.name,
        "auth_type": ours.auth_type,
        "auth": {k: str(v) for k, v in ours.auth.items() if k in AUTH_KEYS and v},
        "region": ours.region_name,
        "interface": ours.interface,
        "verify": ours.verify_arg(),
        "endpoint": ours.endpoint_override,
    }


CASES: dict[str, dict[str, Any]] = {
    "password with domains, region and interface": {
        "clouds": """
            clouds:
              prod:
                auth:
                  auth_url: https://keystone.example.com:5000/v3
                  username: alice
                  password: pw-alice-1
                  project_name: images
                  user_domain_name: Default
                  project_domain_id: default
                region_name: RegionOne
                interface: internal
                identity_api_version: 3
        """,
        "cloud": "prod",
    },
    "secure.yaml supplies the password": {
        "clouds": """
            clouds:
              prod:
                auth:
                  auth_url: https://keystone.example.com/v3
                  username: alice
                  project_id: 0123abcd
                  user_domain_id: default
                region_name: RegionTwo
        """,
        "secure": """
            clouds:
              prod:
                auth:
                  password: from-secure-yaml
        """,
        "cloud": "prod",
    },
    "application credential by id": {
        "clouds": """
            clouds:
              ac:
                auth_type: v3applicationcredential
                auth:
                  auth_url: https://keystone.example.com/v3
                  application_credential_id: 4f1b9c
                  application_credential_secret: ac-secret-xyz
                region_name: RegionOne
        """,
        "cloud": "ac",
    },
    "application credential by name with its user": {
        "clouds": """
            clouds:
              ac:
                auth_type: v3applicationcredential
                auth:
                  auth_url: https://keystone.example.com/v3
                  application_credential_name: ci
                  username: bot
                  user_domain_name: Default
                  application_credential_secret: ac-secret-2
        """,
        "cloud": "ac",
    },
    "v3token scoped by project id": {
        "clouds": """
            clouds:
              tok:
                auth_type: v3token
                auth:
                  auth_url: https://keystone.example.com/v3
                  token: gAAAAtoken123
                  project_id: p-42
        """,
        "cloud": "tok",
    },
    "domain_name fills user and project domains when project-scoped": {
        "clouds": """
            clouds:
              d:
                auth:
                  auth_url: https://keystone.example.com/v3
                  username: alice
                  password: pw-d-1
                  project_name: images
                  domain_name: Acme
                  user_domain_name: Users
        """,
        "cloud": "d",
    },
    "domain_name without a project is a domain scope": {
        "clouds": """
            clouds:
              d:
                auth:
                  auth_url: https://keystone.example.com/v3
                  username: admin
                  password: pw-d-2
                  user_domain_name: Default
                domain_name: Acme
        """,
        "cloud": "d",
    },
    "tenant_name alias and top-level auth keys": {
        "clouds": """
            clouds:
              old:
                auth_url: https://keystone.example.com/v3
                username: carol
                password: pw-carol-1
                tenant_name: legacy
                user_domain_name: Default
                project_domain_name: Default
        """,
        "cloud": "old",
    },
    "regions list: the first wins, its values apply": {
        "clouds": """
            clouds:
              multi:
                auth:
                  auth_url: https://keystone.example.com/v3
                  username: alice
                  password: pw-m-1
                  project_name: images
                  user_domain_name: Default
                  project_domain_name: Default
                regions:
                  - name: North
                    values:
                      interface: admin
                  - South
        """,
        "cloud": "multi",
    },
    "region_name as a YAML list": {
        "clouds": """
            clouds:
              r:
                auth:
                  auth_url: https://keystone.example.com/v3
                  username: alice
                  password: pw-r-1
                  project_name: images
                  user_domain_name: Default
                  project_domain_name: Default
                region_name: [East, West]
        """,
        "cloud": "r",
    },
    "verify false and a cacert": {
        "clouds": """
            clouds:
              tls:
                auth:
                  auth_url: https://keystone.example.com/v3
                  username: alice
                  password: pw-t-1
                  project_name: images
                  user_domain_name: Default
                  project_domain_name: Default
                verify: false
                cacert: /etc/ssl/ca.pem
        """,
        "cloud": "tls",
    },
    "cacert used when verify stays on": {
        "clouds": """
            clouds:
              tls:
                auth:
                  auth_url: https://keystone.example.com/v3
                  username: alice
                  password: pw-t-2
                  project_name: images
                  user_domain_name: Default
                  project_domain_name: Default
                cacert: ~/ca.pem
        """,
        "cloud": "tls",
    },
    "insecure as a string, auth_plugin and endpoint_type aliases": {
        "clouds": """
            clouds:
              legacy:
                auth_plugin: v3password
                auth:
                  auth-url: https://keystone.example.com/v3
                  user-name: dave
                  password: pw-dave-1
                  project-id: 12345
                  user-domain-id: default
                endpoint_type: internal
                insecure: "True"
        """,
        "cloud": "legacy",
    },
    "vendor profile otc with auth_url template": {
        "clouds": """
            clouds:
              otc:
                profile: otc
                auth:
                  username: erin
                  password: pw-otc-1
                  project_name: eu-de_images
                  user_domain_name: OTC00000000001000000001
        """,
        "cloud": "otc",
    },
    "auth_type none with an endpoint": {
        "clouds": """
            clouds:
              noauth:
                auth_type: none
                auth:
                  endpoint: http://127.0.0.1:9292
        """,
        "cloud": "noauth",
    },
    "token_endpoint is admin_token": {
        "clouds": """
            clouds:
              te:
                auth_type: token_endpoint
                auth:
                  endpoint: https://image.example.com
                  token: static-token-1
        """,
        "cloud": "te",
    },
    "image endpoint override": {
        "clouds": """
            clouds:
              ov:
                auth:
                  auth_url: https://keystone.example.com/v3
                  username: alice
                  password: pw-o-1
                  project_name: images
                  user_domain_name: Default
                  project_domain_name: Default
                image_endpoint_override: https://glance.internal:9292
        """,
        "cloud": "ov",
    },
    "generic password with default domain": {
        "clouds": """
            clouds:
              dd:
                auth:
                  auth_url: https://keystone.example.com/v3
                  username: alice
                  password: pw-dd-1
                  project_name: images
                  default_domain_id: default
        """,
        "cloud": "dd",
    },
    "OS_CLOUD picks the cloud; OS_* variables don't override it": {
        "clouds": """
            clouds:
              a:
                auth:
                  auth_url: https://a.example.com/v3
                  username: alice
                  password: pw-a-1
                  project_name: pa
                  user_domain_name: Default
                  project_domain_name: Default
              b:
                auth:
                  auth_url: https://b.example.com/v3
                  username: bob
                  password: pw-b-1
                  project_name: pb
                  user_domain_name: Default
                  project_domain_name: Default
        """,
        "env": {"OS_CLOUD": "b", "OS_PASSWORD": "env-pass-ignored", "OS_REGION_NAME": "Nowhere"},
        "cloud": None,
    },
    "the only cloud is the default": {
        "clouds": """
            clouds:
              solo:
                auth:
                  auth_url: https://solo.example.com/v3
                  username: sam
                  password: pw-solo-1
                  project_name: p
                  user_domain_name: Default
                  project_domain_name: Default
        """,
        "cloud": None,
    },
    "openrc: password, domains, region, interface, cacert": {
        "env": {
            "OS_AUTH_URL": "https://keystone.example.com:5000/v3",
            "OS_USERNAME": "alice",
            "OS_PASSWORD": "openrc-pass-1",
            "OS_PROJECT_NAME": "images",
            "OS_USER_DOMAIN_NAME": "Default",
            "OS_PROJECT_DOMAIN_ID": "default",
            "OS_REGION_NAME": "RegionOne",
            "OS_INTERFACE": "internal",
            "OS_CACERT": "/etc/ssl/cloud-ca.pem",
            "OS_IDENTITY_API_VERSION": "3",
        },
        "cloud": None,
    },
    "openrc: tenant name, domain name, insecure": {
        "env": {
            "OS_AUTH_URL": "https://keystone.example.com/v3",
            "OS_USER_ID": "u-123",
            "OS_PASSWORD": "openrc-pass-2",
            "OS_TENANT_NAME": "legacy",
            "OS_DOMAIN_NAME": "Acme",
            "OS_INSECURE": "true",
        },
        "cloud": None,
    },
    "openrc: application credential": {
        "env": {
            "OS_AUTH_TYPE": "v3applicationcredential",
            "OS_AUTH_URL": "https://keystone.example.com/v3",
            "OS_APPLICATION_CREDENTIAL_ID": "ac-1",
            "OS_APPLICATION_CREDENTIAL_SECRET": "ac-env-secret",
            "OS_REGION_NAME": "RegionOne",
        },
        "cloud": None,
    },
    "openrc: token": {
        "env": {
            "OS_AUTH_TYPE": "v3token",
            "OS_AUTH_URL": "https://keystone.example.com/v3",
            "OS_TOKEN": "gAAAA-env-token",
            "OS_PROJECT_ID": "p-9",
        },
        "cloud": None,
    },
    "openrc: OS_CLOUD_NAME renames the environment cloud": {
        "env": {
            "OS_CLOUD_NAME": "mine",
            "OS_AUTH_URL": "https://keystone.example.com/v3",
            "OS_USERNAME": "alice",
            "OS_PASSWORD": "openrc-pass-3",
            "OS_PROJECT_NAME": "p",
            "OS_USER_DOMAIN_ID": "default",
            "OS_PROJECT_DOMAIN_ID": "default",
        },
        "cloud": None,
    },
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_matches_openstacksdk(case: str, home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = CASES[case]
    files = home / "files"
    if "clouds" in spec:
        monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(_write(files / "clouds.yaml", spec["clouds"])))
    if "secure" in spec:
        monkeypatch.setenv("OS_CLIENT_SECURE_FILE", str(_write(files / "secure.yaml", spec["secure"])))
    for key, value in spec.get("env", {}).items():
        monkeypatch.setenv(key, value)
    expected = _oracle(spec["cloud"])
    assert _ours(spec["cloud"]) == expected


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_resolver_picks_the_same_cloud(case: str, home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = CASES[case]
    files = home / "files"
    if "clouds" in spec:
        monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(_write(files / "clouds.yaml", spec["clouds"])))
    if "secure" in spec:
        monkeypatch.setenv("OS_CLIENT_SECURE_FILE", str(_write(files / "secure.yaml", spec["secure"])))
    for key, value in spec.get("env", {}).items():
        monkeypatch.setenv(key, value)
    expected = _oracle(spec["cloud"])
    resolved = resolve(ConnectOptions(environ=dict(os.environ), config_path=None, cloud=spec["cloud"]))
    assert resolved.default == expected["name"]
    plan = resolved.plans[expected["name"]]
    assert plan.region == (expected["region"] or None)
    assert plan.verify == expected["verify"]
    assert plan.insecure == (expected["verify"] is False)
    if plan.kind == "keystone":
        auth = expected["auth"]
        assert plan.fields["auth_url"] == auth["auth_url"]
        assert plan.interface == expected["interface"]
        assert plan.secret is not None
        secret_key = {"password": "password", "secret": "application_credential_secret", "token": "token"}
        assert plan.secret.reveal() == auth[secret_key[plan.secret_name or ""]]
        for key in ("username", "user_id", "project_name", "project_id", "application_credential_id"):
            mapped = {"application_credential_id": "id"}.get(key, key)
            assert plan.fields.get(mapped) == auth.get(key)
    else:
        # admin_token: keystoneauth's plugin itself carries the endpoint, so CloudRegion.get_endpoint() is None
        assert plan.endpoint == (expected["endpoint"] or expected["auth"]["endpoint"])


def test_cwd_clouds_yaml_is_found_like_openstacksdk(home: Path) -> None:
    path = _write(
        Path.cwd() / "clouds.yaml",
        """
        clouds:
          here:
            auth:
              auth_url: https://here.example.com/v3
              username: u
              password: pw-here-1
              project_name: p
              user_domain_name: Default
              project_domain_name: Default
        """,
    )
    files = load_clouds(dict(os.environ))
    assert files.clouds_file == path
    expected = loader.OpenStackConfig(config_files=[str(path)], secure_files=[], vendor_files=[]).get_one("here")
    assert files.get("here").auth["auth_url"] == expected.config["auth"]["auth_url"]


def test_search_path_matches_openstacksdk(home: Path) -> None:
    # openstacksdk computes its search path at import time: ask a fresh interpreter with this environment.
    env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
    env["OS_CLIENT_CONFIG_FILE"] = str(home / "explicit.yaml")
    env["OS_CLIENT_SECURE_FILE"] = str(home / "explicit-secure.yaml")
    code = (
        "import json, openstack.config.loader as l; c = l.OpenStackConfig(); "
        "print(json.dumps([c._config_files, c._secure_files]))"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=Path.cwd(), capture_output=True, check=True)
    sdk_clouds, sdk_secure = json.loads(out.stdout.decode().strip().splitlines()[-1])

    def dedupe(paths: list[str]) -> list[str]:
        return list(dict.fromkeys(paths))

    assert [str(p) for p in candidates("clouds", env)] == dedupe(sdk_clouds)
    assert [str(p) for p in candidates("secure", env)] == dedupe(sdk_secure)
