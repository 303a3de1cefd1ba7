"""The IMS simulator (``ims_tui.demo.ims_cloud``): its answers have the shape of the API reference's examples
(tests/fixtures/ims), its gate refuses what APIG refuses, and its native calls page, filter and run jobs as IMS
documents. Requests are signed by the app's own signer (``api.huawei.AkSkAuth``), which test_aksk_signer checks
against Huawei's SDK, so a signature the gate accepts here is one the SDK would have made.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ims_tui.api.huawei import AkSkAuth
from ims_tui.api.models import ListQuery
from ims_tui.demo.ims_cloud import DEMO_AK, DEMO_SK, DEMO_USER, ImsCloud
from ims_tui.demo.seed import BASE_TIME, DEMO_PROJECT_ID

FIXTURES = Path(__file__).parent.parent / "fixtures" / "ims"


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def shape_problems(want: Any, got: Any, where: str = "$") -> list[str]:
    """Where ``got`` differs from ``want`` in keys or JSON types, recursively (lists: each item against the
    first of ``want``). null in the example matches null only; an int matches an int, not a float."""
    if isinstance(want, dict):
        if not isinstance(got, dict):
            return [f"{where}: want an object, got {type(got).__name__}"]
        problems = [f"{where}.{key}: missing" for key in want if key not in got]
        for key in want:
            if key in got:
                problems += shape_problems(want[key], got[key], f"{where}.{key}")
        return problems
    if isinstance(want, list):
        if not isinstance(got, list):
            return [f"{where}: want a list, got {type(got).__name__}"]
        if not want:
            return []
        return [p for index, item in enumerate(got) for p in shape_problems(want[0], item, f"{where}[{index}]")]
    if want is None:
        return [] if got is None else [f"{where}: want null, got {got!r}"]
    if type(want) is not type(got):
        return [f"{where}: want {type(want).__name__}, got {type(got).__name__} ({got!r})"]
    return []


class Clock:
    def __init__(self) -> None:
        self.now = BASE_TIME + timedelta(days=2)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def cloud(clock: Clock) -> ImsCloud:
    return ImsCloud(image_count=1200, clock=clock, job_seconds=10.0)


def client(cloud: ImsCloud, clock: Clock, *, sk: str = DEMO_SK, project: str | None = DEMO_PROJECT_ID) -> httpx.Client:
    auth = AkSkAuth(DEMO_AK, sk, project_id=project, clock=clock)
    return httpx.Client(transport=cloud.transport, base_url=cloud.url, auth=auth)


@pytest.fixture
def ims(cloud: ImsCloud, clock: Clock) -> httpx.Client:
    return client(cloud, clock)


def own_image(ims: httpx.Client, **filters: str) -> dict[str, Any]:
    images = ims.get("/v2/cloudimages", params={"__imagetype": "private", "status": "active", **filters}).json()
    return images["images"][0]


# -- shapes against the reference examples ------------------------------------------------------------------


def test_cloudimages_page_has_the_reference_shape(ims: httpx.Client) -> None:
    answer = ims.get("/v2/cloudimages", params={"limit": 50, "__imagetype": "gold", "status": "active"})
    assert answer.status_code == 200
    body = answer.json()
    want = fixture("cloudimages_list.json")
    assert set(body) == {"images"}  # no next, first or schema: IMS pages by marker only
    assert body["images"]
    example = dict(want["images"][0])
    for key in ("__image_source_type", "__lazyloading", "virtual_size", "hw_firmware_type"):
        example.pop(key)  # per-image properties the example's image happens to have
    example.pop("name")  # the demo keeps a few nameless images, to show how the app draws them
    assert all(isinstance(image["name"], str | None) for image in body["images"])
    assert shape_problems({"images": [example]}, body) == []


def test_quota_versions_and_errors_have_the_reference_shape(ims: httpx.Client) -> None:
    assert shape_problems(fixture("quota.json"), ims.get("/v1/cloudimages/quota").json()) == []
    versions = ims.get("/")
    assert shape_problems(fixture("versions.json"), versions.json()) == []
    assert [v["id"] for v in versions.json()["versions"]] == ["v2.2", "v2.1", "v2.0"]
    refused = ims.get("/v2/cloudimages", params={"__imagetype": "golden"})
    assert refused.status_code == 400
    assert refused.json() == fixture("ims_error.json")  # the reference's own example, word for word


def test_glance_calls_answer_with_ims_differences(ims: httpx.Client) -> None:
    listed = ims.get("/v2/images", params={"limit": 20}).json()["images"]
    assert any("__image_size" in image for image in listed)
    for image in listed:
        assert image["size"] is None and image["checksum"] is None
        assert image.get("__image_size", "0").isdigit()
        assert {"__imagetype", "__platform", "__os_type", "__isregistered", "__os_version", "virtual_env_type"} <= set(
            image
        )
        assert image["visibility"] != "community" and "os_hidden" not in image
    public = ims.post("/v2/images", json={"name": "mine", "visibility": "public"})
    assert public.status_code == 400 and public.json()["error"]["code"].startswith("IMG.")
    private = ims.post("/v2/images", json={"name": "mine", "disk_format": "qcow2", "container_format": "bare"})
    assert private.status_code == 201 and private.json()["visibility"] == "private"
    missing = ims.get("/v2/images/0b0b0b0b-0000-4000-8000-000000000000")
    assert missing.status_code == 404
    assert set(missing.json()["error"]) == {"code", "message"}
    for beyond in ("/v2.3/images", "/v1/images"):  # newer than IMS's v2.2, or Glance v1: IMS's versions list
        answer = ims.get(beyond)
        assert answer.status_code == 300 and answer.json() == ims.get("/").json()


def test_iam_token_has_the_reference_shape_and_opens_ims(cloud: ImsCloud, clock: Clock) -> None:
    domain, user, password = DEMO_USER
    auth_body = {
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": {"user": {"name": user, "password": password, "domain": {"name": domain}}},
            },
            "scope": {"project": {"name": cloud.region}},
        }
    }
    iam = httpx.Client(transport=cloud.transport, base_url=f"https://iam.{cloud.region}.demo.invalid")
    answer = iam.post("/v3/auth/tokens", json=auth_body)
    assert answer.status_code == 201
    assert shape_problems(fixture("iam_token.json"), answer.json()) == []
    [entry] = answer.json()["token"]["catalog"]
    assert entry["type"] == "image" and entry["endpoints"][0]["url"] == cloud.url
    token = answer.headers["x-subject-token"]
    with_token = httpx.Client(transport=cloud.transport, base_url=cloud.url, headers={"X-Auth-Token": token})
    assert with_token.get("/v2/cloudimages", params={"limit": 1}).status_code == 200
    clock.now += timedelta(hours=25)
    expired = with_token.get("/v2/cloudimages", params={"limit": 1})
    assert expired.status_code == 401 and "token expires" in expired.json()["error_msg"]
    wrong = dict(auth_body)
    wrong["auth"]["identity"]["password"]["user"]["password"] = "nope"
    assert iam.post("/v3/auth/tokens", json=wrong).status_code == 401


# -- the gate ------------------------------------------------------------------------------------------------


def test_a_wrong_secret_is_refused_as_apig_does(cloud: ImsCloud, clock: Clock) -> None:
    answer = client(cloud, clock, sk="not-the-secret").get("/v2/images")
    assert answer.status_code == 401
    assert shape_problems(fixture("apig_signature_error.json"), answer.json()) == []
    assert answer.json()["error_msg"].endswith("verify aksk signature fail")
    assert DEMO_SK not in answer.text and "not-the-secret" not in answer.text


def test_a_clock_more_than_15_minutes_off_is_refused(cloud: ImsCloud, clock: Clock) -> None:
    late = Clock()
    late.now = clock.now - timedelta(minutes=16)
    auth = AkSkAuth(DEMO_AK, DEMO_SK, project_id=DEMO_PROJECT_ID, clock=late)
    skewed = httpx.Client(transport=cloud.transport, base_url=cloud.url, auth=auth)
    answer = skewed.get("/v2/images")
    assert answer.status_code == 401
    assert shape_problems(fixture("apig_expired_error.json"), answer.json()) == []
    assert "signature expired" in answer.json()["error_msg"]
    late.now = clock.now - timedelta(minutes=14)
    assert skewed.get("/v2/images").status_code == 200


def test_a_missing_project_id_and_no_credentials_are_refused(cloud: ImsCloud, clock: Clock) -> None:
    answer = client(cloud, clock, project=None).get("/v2/images")
    assert answer.status_code == 401 and answer.json()["error_code"] == "APIG.0301"
    assert "X-Project-Id" in answer.json()["error_msg"]
    bare = httpx.Client(transport=cloud.transport, base_url=cloud.url).get("/v2/images")
    assert bare.status_code == 401 and bare.json()["error_code"] == "APIG.0301"
    token = httpx.Client(transport=cloud.transport, base_url=cloud.url, headers={"X-Auth-Token": "forged"})
    forged = token.get("/v2/images").json()
    assert forged == {**fixture("apig_token_error.json"), "request_id": forged["request_id"]}


def test_a_tampered_request_is_refused(cloud: ImsCloud, clock: Clock) -> None:
    signed = client(cloud, clock).build_request("GET", "/v2/cloudimages", params={"limit": "5"})
    auth = AkSkAuth(DEMO_AK, DEMO_SK, project_id=DEMO_PROJECT_ID, clock=clock)
    auth.sign_request(signed)
    tampered = httpx.Request("GET", str(signed.url).replace("limit=5", "limit=6"), headers=signed.headers)
    assert cloud.transport.handle_request(tampered).status_code == 401
    assert cloud.transport.handle_request(signed).status_code == 200


@settings(max_examples=40, deadline=None)
@given(
    segment=st.text(
        st.characters(codec="utf-8", categories=("L", "N", "P", "S", "Zs"), exclude_characters="/?#%"),
        min_size=1,
        max_size=12,
    ),
    params=st.lists(st.tuples(st.sampled_from(["name", "tag", "a b", "é"]), st.text(max_size=8)), max_size=3),
    body=st.none() | st.dictionaries(st.sampled_from(["name", "x"]), st.text(max_size=6), max_size=2),
)
def test_the_gate_accepts_every_signature_the_client_makes(
    segment: str, params: list[tuple[str, str]], body: Any
) -> None:
    clock = Clock()
    cloud = ImsCloud(image_count=5, clock=clock)
    ims = client(cloud, clock)
    answer = ims.request("PATCH" if body else "GET", f"/v2/images/{segment}", params=params, json=body)
    # past the gate: whatever IMS thinks of the request, it is not the gateway's refusal
    assert answer.status_code != 401, answer.text
    assert "error_code" not in answer.text


# -- native calls ---------------------------------------------------------------------------------------------


def test_cloudimages_pages_by_marker_without_a_next_link(ims: httpx.Client) -> None:
    seen: list[str] = []
    marker: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 500}
        if marker:
            params["marker"] = marker
        page = ims.get("/v2/cloudimages", params=params).json()["images"]
        seen += [image["id"] for image in page]
        if len(page) < 500:
            break
        marker = page[-1]["id"]
    assert len(seen) == len(set(seen)) > 500
    everything = ims.get("/v2/cloudimages").json()["images"]
    assert len(everything) == 500  # no limit: 500, the most a page holds
    assert ims.get("/v2/cloudimages", params={"limit": 501}).status_code == 400
    assert ims.get("/v2/cloudimages", params={"marker": "no-such-image"}).status_code == 400


def test_cloudimages_filters(ims: httpx.Client) -> None:
    def listed(**params: Any) -> list[dict[str, Any]]:
        answer = ims.get("/v2/cloudimages", params=params)
        assert answer.status_code == 200, answer.text
        return answer.json()["images"]

    for key, value in (
        ("__imagetype", "gold"),
        ("__platform", "Ubuntu"),
        ("__os_type", "Windows"),
        ("virtual_env_type", "FusionCompute"),
        ("__support_kvm", "true"),
        ("__isregistered", "true"),
    ):
        found = listed(**{key: value})
        assert found and all(image[key] == value for image in found)
    arm = listed(architecture="arm")
    assert arm and all(image["architecture"] == "aarch64" for image in arm)
    small = listed(flavor_id="s6.small.1")
    assert small and all(image["min_ram"] <= 1024 and image["min_disk"] <= 40 for image in small)
    cut = "2026-10-20T00:00:00Z"
    newer, older = listed(created_at=f"gt:{cut}"), listed(created_at=f"lte:{cut}")
    assert newer and older and all(image["created_at"] > cut for image in newer)
    assert all(image["created_at"] <= cut for image in older)
    assert ims.get("/v2/cloudimages", params={"created_at": cut}).status_code == 400  # an operator is required
    assert listed(enterprise_project_id="0")


def test_a_copy_runs_as_a_job_and_its_image_appears_when_it_succeeds(ims: httpx.Client, clock: Clock) -> None:
    source = own_image(ims, disk_format="qcow2")
    started = ims.post(f"/v1/cloudimages/{source['id']}/copy", json={"name": "copy-of-it", "description": "d"})
    assert started.status_code == 200
    assert shape_problems(fixture("job_created.json"), started.json()) == []
    job_url = f"/v1/{DEMO_PROJECT_ID}/jobs/{started.json()['job_id']}"
    init = ims.get(job_url).json()
    assert init["status"] == "INIT" and shape_problems(fixture("job_init.json"), init) == []
    clock.now += timedelta(seconds=5)
    running = ims.get(job_url).json()
    assert running["status"] == "RUNNING" and shape_problems(fixture("job_running.json"), running) == []
    progress = ims.get(f"/v1/cloudimages/job/{started.json()['job_id']}").json()
    assert 0 < progress["entities"]["process_percent"] < 1
    assert not ims.get("/v2/cloudimages", params={"name": "copy-of-it"}).json()["images"]
    clock.now += timedelta(seconds=6)
    done = ims.get(job_url).json()
    assert done["status"] == "SUCCESS" and shape_problems(fixture("job_success.json"), done) == []
    [copy] = ims.get("/v2/cloudimages", params={"name": "copy-of-it"}).json()["images"]
    assert copy["id"] == done["entities"]["image_id"] and copy["__imagetype"] == "private"


def test_a_copy_of_an_iso_image_fails_and_says_why(ims: httpx.Client, clock: Clock) -> None:
    iso = own_image(ims, disk_format="iso")
    job_id = ims.post(f"/v1/cloudimages/{iso['id']}/copy", json={"name": "iso-copy"}).json()["job_id"]
    clock.now += timedelta(seconds=11)
    failed = ims.get(f"/v1/{DEMO_PROJECT_ID}/jobs/{job_id}").json()
    assert failed["status"] == "FAIL" and shape_problems(fixture("job_fail.json"), failed) == []
    assert "ISO" in failed["fail_reason"] and failed["error_code"].startswith("IMG.")


def test_export_cross_region_copy_and_quota(cloud: ImsCloud, ims: httpx.Client) -> None:
    image = own_image(ims, disk_format="qcow2")
    exported = ims.post(
        f"/v1/cloudimages/{image['id']}/file", json={"bucket_url": "bucket:disk.qcow2", "file_format": "qcow2"}
    )
    assert exported.status_code == 200 and "job_id" in exported.json()
    assert (
        ims.post(
            f"/v1/cloudimages/{image['id']}/file", json={"bucket_url": "bucket", "file_format": "qcow2"}
        ).status_code
        == 400
    )
    assert (
        ims.post(f"/v1/cloudimages/{image['id']}/file", json={"bucket_url": "b:f", "file_format": "raw"}).status_code
        == 400
    )
    body = {
        "name": "far",
        "region": "ap-southeast-1",
        "project_name": "ap-southeast-1",
        "agency_name": "ims_admin_agency",
    }
    assert ims.post(f"/v1/cloudimages/{image['id']}/cross_region_copy", json=body).status_code == 200
    assert ims.post(f"/v1/cloudimages/{image['id']}/cross_region_copy", json={"name": "far"}).status_code == 400
    assert ims.get(f"/v1/{DEMO_PROJECT_ID}/jobs/ffffffff").status_code == 404
    used = ims.get("/v1/cloudimages/quota").json()["quotas"]["resources"][0]["used"]
    cloud.image_quota = used
    refused = ims.post(f"/v1/cloudimages/{image['id']}/copy", json={"name": "one-too-many"})
    assert refused.status_code == 400 and "quota" in refused.json()["error"]["message"]


def test_the_ims_demo_is_what_demo_ims_opens() -> None:
    from ims_tui.cli import build_parser, connect_options
    from ims_tui.config import resolve
    from ims_tui.config.sessions import open_session

    def first_session(*argv: str) -> Any:
        resolved = resolve(connect_options(build_parser().parse_args(argv), environ={}))
        assert resolved.default is not None
        return open_session(resolved.plans[resolved.default])

    session = first_session("--demo", "ims")
    assert session.info.ims and session.info.region == "cn-north-4"
    assert "Huawei Cloud IMS" in session.info.cloud
    glance = first_session("--demo")
    assert glance.info.cloud == "demo" and not glance.info.ims


async def test_the_apps_password_login_gets_an_iam_token_and_lists() -> None:
    from ims_tui.api.huawei import huawei_session
    from ims_tui.api.session import SessionInfo

    cloud = ImsCloud(image_count=50)  # the real clock: the client renews a token that looks expired by it

    domain, user, password = DEMO_USER
    session = huawei_session(
        SessionInfo(cloud="hwc"),
        region=cloud.region,
        username=user,
        password=password,
        domain=domain,
        transport=cloud.transport,
    )
    connection = await session.connect()
    try:
        page = await connection.client.list_native_page(ListQuery(limit=5))
        assert page.count == 5 and page.next is not None and "marker=" in page.next
        assert len(cloud.gate.tokens) == 1  # IAM issued the token the list was asked with
        assert any(path.startswith("/v2/cloudimages") for _, path in cloud.request_log)
    finally:
        await session.aclose()
