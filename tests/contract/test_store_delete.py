"""Deleting an image's data from one store (``api.store_delete``) against the demo cloud and a real Glance 33 with
two file stores: what the dialog offers is decided from the image's ``stores``, the delete is checked by reading
the image, and the last copy is refused by both in the same words."""

from __future__ import annotations

from pathlib import Path

import pytest

from ims_tui.api import Forbidden
from ims_tui.api.imports import ImportRequest, import_state
from ims_tui.api.store_delete import delete_from_store, removal_problem, stores_of
from ims_tui.api.upload import upload_file

from .conftest import TwoProjects
from .test_import import new_image, settled
from .transfer_helpers import data_file, eventually


async def test_delete_from_one_store_keeps_the_image_active_in_the_other(
    two_projects: TwoProjects, tmp_path: Path
) -> None:
    alice, admin = two_projects.alice, two_projects.admin
    features = await admin.features()
    image = await new_image(alice, "two-stores")
    try:
        await upload_file(alice, image.id, data_file(tmp_path, 40_000))
        one = await alice.get(image.id)
        assert stores_of(one) == ("fs",)
        assert removal_problem(one, features) == (
            "the image is only in fs: Glance keeps its last copy; delete the image instead (d)"
        )
        await admin.import_image(image.id, ImportRequest.copy_image(["fast"]))
        await eventually(lambda: alice.get(image.id), lambda i: stores_of(i) == ("fs", "fast"), "the copy to fast")
        both = await settled(alice, image.id)
        assert removal_problem(both, features) is None

        with pytest.raises(Forbidden):  # an admin action on Glance's default policy: nothing removed
            await delete_from_store(alice, both, "fast")
        assert stores_of(await alice.get(image.id)) == ("fs", "fast")

        result = await delete_from_store(admin, both, "fast")
        assert result.state == "done" and result.error is None and result.image is not None
        assert stores_of(result.image) == ("fs",) and result.image.status == "active"
        assert result.message() == "Deleted from fast; its data stays in fs"
        assert not import_state(result.image).failed

        with pytest.raises(Forbidden) as last:
            await delete_from_store(admin, result.image, "fs")
        assert "Cannot delete image data from the only store containing it" in last.value.message
        assert stores_of(await alice.get(image.id)) == ("fs",)
    finally:
        await admin.delete(image.id)


async def test_a_queued_image_has_no_store_to_delete_from(two_projects: TwoProjects) -> None:
    admin = two_projects.admin
    features = await admin.features()
    image = await new_image(admin, "no-data")
    try:
        problem = removal_problem(await admin.get(image.id), features)
        assert problem == "only an active image's data can be removed from a store; this one is queued"
    finally:
        await admin.delete(image.id)
