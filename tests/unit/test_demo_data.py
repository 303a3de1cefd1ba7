"""The demo cloud's image data: memory up to a limit, then files; ranges; and imports that take their time."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone

import httpx

from ims_tui.demo import DEMO_ENDPOINT, DemoCloud
from ims_tui.demo.data import BlobStore, sniff, virtual_size


def test_blobs_go_to_a_folder_once_memory_is_full() -> None:
    store = BlobStore(limit=1000)
    small = store.writer("a")
    small.write(b"x" * 600)
    small.commit()
    big = store.writer("b")
    for _ in range(10):
        big.write(b"y" * 100)
    big.commit()
    assert store.in_memory == 600 and store.size("b") == 1000
    assert b"".join(store.read("b", 995)) == b"yyyyy"
    assert b"".join(store.read("a", 10, 20)) == b"x" * 10
    folder = store.folder()
    assert any(folder.iterdir())
    store.close()
    assert not folder.exists()


def test_an_aborted_write_leaves_nothing() -> None:
    store = BlobStore(limit=10)
    writer = store.writer("c")
    writer.write(b"z" * 50)  # spilled to a file already
    writer.abort()
    assert "c" not in store and not any(store.folder().iterdir())
    store.close()


def test_the_inspector_and_virtual_size() -> None:
    qcow2 = b"QFI\xfb" + (3).to_bytes(4, "big") + bytes(16) + (5 * 2**30).to_bytes(8, "big")
    assert sniff(qcow2) == "qcow2" and virtual_size("qcow2", qcow2, 100) == 5 * 2**30
    assert sniff(b"plain") == "raw" and virtual_size("raw", b"plain", 5) == 5
    assert virtual_size("vmdk", b"KDMV", 10) is None


def test_an_import_with_a_delay_is_seen_importing_then_active() -> None:
    moment = [datetime(2026, 1, 1, tzinfo=timezone.utc)]
    cloud = DemoCloud(image_count=0, empty=True, clock=lambda: moment[0], import_delay=2.0)
    with httpx.Client(base_url=DEMO_ENDPOINT, transport=cloud.transport) as http:
        image_id = http.post("/v2/images", json={"name": "w", "disk_format": "raw", "container_format": "bare"}).json()[
            "id"
        ]
        url = f"{DEMO_ENDPOINT}/downloads/tiny.raw"
        assert (
            http.post(
                f"/v2/images/{image_id}/import", json={"method": {"name": "web-download", "uri": url}}
            ).status_code
            == 202
        )
        during = http.get(f"/v2/images/{image_id}").json()
        assert during["status"] == "importing" and during["os_glance_importing_to_stores"] == "fs"
        assert http.get(f"/v2/images/{image_id}/tasks").json()["tasks"][0]["status"] == "processing"
        moment[0] += timedelta(seconds=2)
        after = http.get(f"/v2/images/{image_id}").json()
        data = cloud.web_files[url]
        assert after["status"] == "active" and after["checksum"] == hashlib.md5(data).hexdigest()
        assert after["os_glance_importing_to_stores"] == "" and "os_glance_import_task" not in after
        assert http.get(f"/v2/images/{image_id}/file").content == data


def test_a_sync_client_uploads_in_one_piece() -> None:
    cloud = DemoCloud(image_count=0, empty=True)
    with httpx.Client(base_url=DEMO_ENDPOINT, transport=cloud.transport) as http:
        image_id = http.post("/v2/images", json={"name": "s", "disk_format": "raw", "container_format": "bare"}).json()[
            "id"
        ]
        put = http.put(
            f"/v2/images/{image_id}/file", content=b"abc" * 100, headers={"Content-Type": "application/octet-stream"}
        )
        assert put.status_code == 204
        assert http.get(f"/v2/images/{image_id}").json()["size"] == 300
