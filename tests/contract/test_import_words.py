"""An import into an image without formats, against the demo cloud and a real Glance 33: both refuse it with the
same 409, and ``import_problem`` says what to do about it."""

from __future__ import annotations

import pytest

from ims_tui.api import Conflict
from ims_tui.api.imports import ImportRequest, import_problem

from .conftest import TwoProjects


async def test_an_image_without_formats_is_refused_and_the_words_say_set_them(two_projects: TwoProjects) -> None:
    admin = two_projects.admin
    image = await admin.create({"name": "no-formats"})
    request = ImportRequest.web_download("http://127.0.0.1:1/disk.raw")
    try:
        with pytest.raises(Conflict) as caught:
            await admin.import_image(image.id, request)
        assert "needs to be set before import" in caught.value.message
        assert import_problem(caught.value, request) == (
            "the image needs a disk and a container format before an import: set them first"
        )
        assert (await admin.get(image.id)).status == "queued"
    finally:
        await admin.delete(image.id)
