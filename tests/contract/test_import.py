"""Interoperable import and stores against the demo cloud and a real Glance 33 (its trusted pipeline: Glance
needs an owner for a task, so imports cannot run in its noauth mode): glance-direct, web-download from a
server on 127.0.0.1, copy-image to the second store, deleting from one store, tasks, and the refusals."""

from __future__ import annotations

import hashlib
import http.server
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from ims_tui.api import ApiError, BadRequest, Conflict, Forbidden, Image, ImageClient
from ims_tui.api.imports import ImportRequest, import_problem, import_state
from ims_tui.api.transfer import Hashes, check_image
from ims_tui.api.upload import upload_file
from ims_tui.demo.transport import DemoTransport

from .conftest import TwoProjects
from .transfer_helpers import data_file, eventually

WEB_DATA = os.urandom(300_000)


class _Source(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        found = self.path == "/disk.raw"
        self.send_response(200 if found else 404)
        self.send_header("Content-Length", str(len(WEB_DATA) if found else 0))
        self.end_headers()
        if found:
            self.wfile.write(WEB_DATA)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def web_source() -> Iterator[str]:
    """A small HTTP server on 127.0.0.1 that web-download fetches from (the lab's Glance allows this host)."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Source)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def reachable(projects: TwoProjects, url: str, data: bytes) -> None:
    """The demo has no network: hand it the data the URL serves."""
    if isinstance(projects.transport, DemoTransport):
        projects.transport.cloud.web_files[url] = data


async def new_image(client: ImageClient, name: str = "import") -> Image:
    return await client.create({"name": name, "disk_format": "raw", "container_format": "bare"})


async def settled(client: ImageClient, image_id: str) -> Image:
    def done(image: Image) -> bool:
        return image.status in ("active", "queued") and not import_state(image).running

    return await eventually(lambda: client.get(image_id), done, f"the import of {image_id} finishing")


async def test_the_server_lists_its_methods_and_stores(two_projects: TwoProjects) -> None:
    client = two_projects.alice
    assert await client.import_methods() == ("glance-direct", "web-download", "copy-image")
    stores = await client.stores()
    assert [store.id for store in stores] == ["fs", "fast"]
    assert [store.default for store in stores] == [True, False]
    features = await client.features()
    assert features.offers("glance-direct") and features.offers("web-download") and features.offers("copy-image")
    assert features.has("delete_from_store") and features.default_store == "fs"


async def test_glance_direct_stages_then_imports(two_projects: TwoProjects, tmp_path: Path) -> None:
    alice = two_projects.alice
    image = await new_image(alice)
    try:
        source = data_file(tmp_path, 200_000)
        staged = await upload_file(alice, image.id, source, stage=True)
        assert staged.staged and staged.verified is None
        assert staged.image.status == "uploading" and staged.image.size == 200_000
        await alice.import_image(image.id, ImportRequest.glance_direct())
        done = await settled(alice, image.id)
        assert done.status == "active"
        assert check_image(done, Hashes_of(source)) == "os_hash_value"
        state = import_state(done)
        assert state.stores == ("fs",) and not state.failed and not state.running
        # Glance marks the task done a moment after the image is active
        tasks = await eventually(lambda: alice.image_tasks(image.id), lambda t: t[0].finished, "the task ending")
        assert [(task.type, task.status) for task in tasks] == [("api_image_import", "success")]
        assert tasks[0].raw["input"]["backend"] == ["fs"]
    finally:
        await two_projects.admin.delete(image.id)


def Hashes_of(path: Path) -> Hashes:  # noqa: N802 (reads as the value it builds)
    hashes = Hashes("sha512")
    hashes.update(path.read_bytes())
    return hashes


async def test_web_download_from_a_local_server(two_projects: TwoProjects, web_source: str) -> None:
    alice = two_projects.alice
    url = f"{web_source}/disk.raw"
    reachable(two_projects, url, WEB_DATA)
    image = await new_image(alice, "web")
    try:
        await alice.import_image(image.id, ImportRequest.web_download(url))
        done = await settled(alice, image.id)
        assert done.status == "active" and done.size == len(WEB_DATA)
        assert done.os_hash_value == hashlib.sha512(WEB_DATA).hexdigest()
        assert import_state(done).stores == ("fs",)
    finally:
        await two_projects.admin.delete(image.id)


async def test_a_failed_web_download_leaves_the_image_queued(two_projects: TwoProjects, web_source: str) -> None:
    alice = two_projects.alice
    image = await new_image(alice, "web-missing")
    try:
        await alice.import_image(image.id, ImportRequest.web_download(f"{web_source}/missing.raw"))
        done = await settled(alice, image.id)
        assert done.status == "queued" and import_state(done).failed == ("fs",)
        tasks = await eventually(lambda: alice.image_tasks(image.id), lambda t: t[0].finished, "the task failing")
        assert tasks[0].status == "failure" and tasks[0].message == "Task failed due to Internal Error"
    finally:
        await two_projects.admin.delete(image.id)


async def test_import_filtering_refuses_loopback_names(two_projects: TwoProjects) -> None:
    alice = two_projects.alice
    image = await new_image(alice, "filtered")
    request = ImportRequest.web_download("http://localhost:1/x")
    try:
        with pytest.raises(BadRequest) as caught:
            await alice.import_image(image.id, request)
        assert "URI for web-download does not pass filtering: http://localhost:1/x" in caught.value.message
        assert import_problem(caught.value, request).startswith("the image service will not download from")
        assert (await alice.get(image.id)).status == "queued"
    finally:
        await two_projects.admin.delete(image.id)


async def test_copy_to_the_second_store_then_delete_from_it(two_projects: TwoProjects, tmp_path: Path) -> None:
    alice, admin = two_projects.alice, two_projects.admin
    image = await new_image(alice, "copy")
    try:
        await upload_file(alice, image.id, data_file(tmp_path, 50_000))
        copy = ImportRequest.copy_image(["fast"], all_stores_must_succeed=False)
        with pytest.raises(Forbidden) as refused:
            await alice.import_image(image.id, copy)
        assert import_problem(refused.value, copy).startswith("copying to other stores is for admins")
        await admin.import_image(image.id, copy)
        copied = await eventually(
            lambda: alice.get(image.id), lambda i: import_state(i).stores == ("fs", "fast"), "the copy to fast"
        )
        assert copied.status == "active"
        await settled(alice, image.id)
        with pytest.raises(BadRequest) as again:
            await admin.import_image(image.id, ImportRequest.copy_image(["fast"]))
        assert "Image is already present at store 'fast'" in again.value.message
        with pytest.raises(Forbidden):
            await alice.delete_from_store("fast", image.id)
        await admin.delete_from_store("fast", image.id)
        assert import_state(await alice.get(image.id)).stores == ("fs",)
        with pytest.raises(Forbidden) as last:
            await admin.delete_from_store("fs", image.id)
        assert "Cannot delete image data from the only store containing it" in last.value.message
        with pytest.raises(Conflict) as unknown:
            await admin.delete_from_store("nowhere", image.id)
        assert unknown.value.message == "The selected store nowhere is not available on this node."
    finally:
        await admin.delete(image.id)


@pytest.mark.parametrize(
    ("request_", "status", "words"),
    [
        (ImportRequest.glance_direct(), 409, "Image needs to be staged before 'glance-direct' method can be used"),
        (ImportRequest.copy_image(["fast"]), 409, "Only images with status active can be targeted for copying"),
        (ImportRequest("glance-download"), 400, "Unknown import method name 'glance-download'."),
        (ImportRequest.web_download("http://127.0.0.1:1/x", ["nowhere"]), 409, "Store for identifier nowhere not"),
    ],
    ids=["not-staged", "copy-queued", "method-not-enabled", "unknown-store"],
)
async def test_refusals_in_plain_words(
    two_projects: TwoProjects, request_: ImportRequest, status: int, words: str
) -> None:
    admin = two_projects.admin
    image = await new_image(admin, "refused")
    try:
        with pytest.raises(ApiError) as caught:
            await admin.import_image(image.id, request_)
        assert caught.value.status == status and words in caught.value.message
        assert import_problem(caught.value, request_)
        assert (await admin.get(image.id)).status == "queued"
    finally:
        await admin.delete(image.id)
