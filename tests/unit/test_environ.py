"""OS_* variables: which make an environment cloud, and how they map (oracle cases: test_clouds_yaml_oracle)."""

from __future__ import annotations

from pathlib import Path

from ims_tui.config import ConnectOptions, resolve
from ims_tui.config.environ import env_cloud, env_cloud_raw, envvars_name

OPENRC = {
    "OS_AUTH_URL": "https://keystone.example.com:5000/v3",
    "OS_USERNAME": "alice",
    "OS_PASSWORD": "env-password-1",
    "OS_PROJECT_NAME": "images",
    "OS_USER_DOMAIN_NAME": "Default",
    "OS_PROJECT_DOMAIN_NAME": "Default",
    "OS_REGION_NAME": "RegionOne",
    "OS_INTERFACE": "internal",
}


def test_selectors_alone_make_no_cloud() -> None:
    assert env_cloud_raw({"OS_CLOUD": "x", "OS_REGION_NAME": "r", "OS_CLIENT_CONFIG_FILE": "/f"}) is None
    assert env_cloud_raw({"OS_TEST_TIMEOUT": "5", "OS_STDOUT_CAPTURE": "1", "HOME": "/h"}) is None
    assert env_cloud({}) is None


def test_openrc_maps_like_openstacksdk() -> None:
    cloud = env_cloud(OPENRC)
    assert cloud is not None and cloud.name == "envvars"
    assert cloud.auth == {
        "auth_url": "https://keystone.example.com:5000/v3",
        "username": "alice",
        "password": "env-password-1",
        "project_name": "images",
        "user_domain_name": "Default",
        "project_domain_name": "Default",
    }
    assert (cloud.region_name, cloud.interface, cloud.verify_arg()) == ("RegionOne", "internal", True)


def test_cloud_name_and_tenant_alias() -> None:
    env = {"OS_CLOUD_NAME": "mine", "OS_AUTH_URL": "https://k/v3", "OS_TENANT_NAME": "t", "OS_USER_ID": "u1"}
    assert envvars_name(env) == "mine"
    cloud = env_cloud(env)
    assert cloud is not None and cloud.name == "mine" and cloud.auth["project_name"] == "t"


def test_insecure_only_for_the_word_true() -> None:
    base = {"OS_AUTH_URL": "https://k/v3", "OS_CACERT": "/ca.pem"}
    assert env_cloud({**base, "OS_INSECURE": "true"}).verify_arg() is False  # type: ignore[union-attr]
    cloud = env_cloud({**base, "OS_INSECURE": "1"})
    assert cloud is not None and cloud.verify_arg() == "/ca.pem"
    assert "OS_INSECURE=1 is ignored" in cloud.warnings[0]


def test_token_with_endpoint_is_a_static_token_session(tmp_path: Path) -> None:
    env = {"HOME": str(tmp_path), "OS_TOKEN": "env-token-1", "OS_ENDPOINT": "https://image.example.com"}
    resolved = resolve(ConnectOptions(environ=env, cwd=tmp_path))
    plan = resolved.plans["envvars"]
    assert plan.kind == "static" and plan.endpoint == "https://image.example.com"
    assert plan.secret is not None and plan.secret.reveal() == "env-token-1"


def test_token_with_auth_url_is_a_keystone_token_session(tmp_path: Path) -> None:
    env = {"HOME": str(tmp_path), "OS_TOKEN": "env-token-2", "OS_AUTH_URL": "https://k/v3", "OS_PROJECT_ID": "p"}
    plan = resolve(ConnectOptions(environ=env, cwd=tmp_path)).plans["envvars"]
    assert (plan.kind, plan.method, plan.fields["project_id"]) == ("keystone", "token", "p")


def test_image_url_is_an_endpoint_override(tmp_path: Path) -> None:
    env = {"HOME": str(tmp_path), **OPENRC, "OS_IMAGE_URL": "https://glance.internal:9292"}
    plan = resolve(ConnectOptions(environ=env, cwd=tmp_path)).plans["envvars"]
    assert plan.endpoint == "https://glance.internal:9292"


def test_missing_password_asks(tmp_path: Path) -> None:
    env = {"HOME": str(tmp_path), **{k: v for k, v in OPENRC.items() if k != "OS_PASSWORD"}}
    resolved = resolve(ConnectOptions(environ=env, cwd=tmp_path))
    session = resolved.sessions["envvars"]()
    assert session.needs_password  # type: ignore[attr-defined]
    assert session.prompt == "Password for alice on keystone.example.com (envvars)"  # type: ignore[attr-defined]
    assert session.info.user == "alice" and session.info.project == "images" and session.info.region == "RegionOne"
