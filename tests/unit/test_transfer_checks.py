"""The pure parts of transfers, import and features: hash checks, ranges, import bodies, what a server offers."""

from __future__ import annotations

import hashlib

import pytest

from ims_tui.api.errors import MalformedResponse
from ims_tui.api.features import IMS_MAX_UPLOAD, ServerFeatures
from ims_tui.api.imagedata import parse_content_range
from ims_tui.api.imports import ImportRequest, StoreInfo, Task, import_state, parse_import_methods
from ims_tui.api.lifecycle import hidden_ops
from ims_tui.api.models import Image
from ims_tui.api.transfer import Hashes, HashMismatch, check_image

DATA = b"image data " * 1000


def recorded(**changes: object) -> Image:
    fields: dict[str, object] = {
        "id": "i1",
        "status": "active",
        "size": len(DATA),
        "checksum": hashlib.md5(DATA).hexdigest(),
        "os_hash_algo": "sha512",
        "os_hash_value": hashlib.sha512(DATA).hexdigest(),
    }
    fields.update(changes)
    return Image.model_validate(fields)


def hashed(data: bytes = DATA, algo: str = "sha512") -> Hashes:
    hashes = Hashes(algo)
    hashes.update(data)
    return hashes


def test_matching_data_is_verified_with_the_strongest_hash() -> None:
    assert check_image(recorded(), hashed()) == "os_hash_value"
    assert check_image(recorded(os_hash_algo="sha256"), hashed()) == "checksum"  # another algorithm: md5 only
    assert check_image(recorded(os_hash_value=None, os_hash_algo=None), hashed()) == "checksum"
    assert check_image(recorded(checksum=None, os_hash_value=None, size=0), hashed()) is None  # IMS records none


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"size": len(DATA) + 1}, "size", "holds 11001 bytes but the file sent had 11000"),
        ({"checksum": "0" * 32}, "checksum", "md5 checksum is not that of the file sent"),
        ({"os_hash_value": "f" * 128}, "os_hash_value", "sha512 is not that of the file sent"),
    ],
)
def test_a_mismatch_is_its_own_error_in_plain_words(changes: dict[str, object], field: str, words: str) -> None:
    with pytest.raises(HashMismatch) as caught:
        check_image(recorded(**changes), hashed())
    assert caught.value.field == field
    assert words in caught.value.one_line()
    assert "delete the image and try again" in caught.value.one_line()
    assert caught.value.title == "hash mismatch"


def test_hashes_are_what_glance_records() -> None:
    hashes = Hashes("sha512")
    for start in range(0, len(DATA), 777):
        hashes.update(DATA[start : start + 777])
    assert (hashes.size, hashes.checksum, hashes.hash_value) == (
        len(DATA),
        hashlib.md5(DATA).hexdigest(),
        hashlib.sha512(DATA).hexdigest(),
    )
    assert Hashes.supports("sha256") and not Hashes.supports("no-such-hash") and not Hashes.supports(None)


def test_content_range() -> None:
    assert parse_content_range("bytes 100-199/1000") == (100, 199, 1000)
    assert parse_content_range("bytes 0-0/*") == (0, 0, None)
    assert parse_content_range("items 1-2/3") is None
    assert parse_content_range(None) is None


def test_import_bodies() -> None:
    assert ImportRequest.glance_direct().to_body() == {"method": {"name": "glance-direct"}}
    assert ImportRequest.web_download("http://h/x.img", ["fast"]).to_body() == {
        "method": {"name": "web-download", "uri": "http://h/x.img"},
        "stores": ["fast"],
    }
    assert ImportRequest.copy_image(["a", "b"], all_stores_must_succeed=False).to_body() == {
        "method": {"name": "copy-image"},
        "stores": ["a", "b"],
        "all_stores_must_succeed": False,
    }
    assert ImportRequest.copy_image(all_stores=True).to_body() == {"method": {"name": "copy-image"}, "all_stores": True}


def test_info_answers_parse_and_bad_ones_are_malformed() -> None:
    stores = StoreInfo.parse_all({"stores": [{"id": "fs", "default": "true"}, {"id": "web", "read-only": "true"}]})
    assert stores == (StoreInfo("fs", default=True), StoreInfo("web", read_only=True))
    methods = {"import-methods": {"type": "array", "value": ["glance-direct", "copy-image"]}}
    assert parse_import_methods(methods) == ("glance-direct", "copy-image")
    for bad in ({}, {"stores": "fs"}, {"stores": [{"default": "true"}]}):
        with pytest.raises(MalformedResponse):
            StoreInfo.parse_all(bad)
    with pytest.raises(MalformedResponse):
        parse_import_methods({"import-methods": {"value": [1]}})
    tasks = Task.parse_all({"tasks": [{"id": "t1", "type": "api_image_import", "status": "success", "message": ""}]})
    assert tasks[0].finished and tasks[0].type == "api_image_import"


def test_import_state_reads_the_image_properties() -> None:
    image = recorded(
        status="active", stores="fs", os_glance_importing_to_stores="fast,slow", os_glance_failed_import=""
    )
    state = import_state(image)
    assert state.running and state.importing_to == ("fast", "slow") and state.stores == ("fs",)
    assert state.words() == "importing to fast, slow; in fs"
    done = import_state(recorded(stores="fs,fast", os_glance_failed_import="slow"))
    assert not done.running and done.words() == "failed in slow; in fs, fast"


def test_features_follow_the_api_version() -> None:
    old = ServerFeatures(version=(2, 2))
    assert not old.deactivate and not old.hidden
    assert old.why_not("deactivate") == "deactivate and reactivate needs image API v2.3; this server offers v2.2"
    two_stores = (StoreInfo("fs", default=True), StoreInfo("fast"))
    glance = ServerFeatures(version=(2, 17), import_methods=("glance-direct", "copy-image"), stores=two_stores)
    assert glance.deactivate and glance.hidden and glance.has("tasks") and glance.has("delete_from_store")
    assert glance.offers("copy-image") and glance.offers("glance-direct") and not glance.offers("web-download")
    assert glance.default_store == "fs" and glance.why_not("copy") == ""
    single = ServerFeatures(version=(2, 17), import_methods=("copy-image",), stores=(StoreInfo("fs", default=True),))
    assert not single.offers("copy-image")
    assert (
        single.why_not("delete_from_store")
        == "this server has one store only: deleting data from one store needs several"
    )
    none = ServerFeatures(version=(2, 17))
    assert none.why_not("import") == "this server has no import method enabled"


def test_ims_offers_upload_under_128_gb_and_nothing_else() -> None:
    ims = ServerFeatures(version=(2, 2), ims=True, max_upload=IMS_MAX_UPLOAD)
    assert ims.has("upload") and not ims.deactivate and not ims.has("import")
    assert ims.upload_problem(IMS_MAX_UPLOAD - 1) is None
    assert ims.upload_problem(IMS_MAX_UPLOAD) == (
        f"this cloud takes uploads under 128 GB; the file has {IMS_MAX_UPLOAD:,} bytes"
    )
    assert ims.why_not("import").startswith("Huawei IMS has no interoperable import")


def test_hiding_adds_the_attribute_an_image_never_had() -> None:
    ims_image = Image.model_validate({"id": "i1", "status": "active"})  # IMS sends no os_hidden
    assert hidden_ops(ims_image, True) == [{"op": "add", "path": "/os_hidden", "value": True}]
    glance_image = Image.model_validate({"id": "i1", "os_hidden": False})
    assert hidden_ops(glance_image, True) == [{"op": "replace", "path": "/os_hidden", "value": True}]
    assert hidden_ops(glance_image, False) == []
