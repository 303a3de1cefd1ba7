"""The plan of a bulk download to a folder (api/bulk_download.py): one GET per image with data, each to its own
safe file name in the folder; never a file that is there already, never an image without data."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ims_tui.api.bulk import BulkAction, Target, build_plan
from ims_tui.api.bulk_download import folder_problem, safe_file_name
from ims_tui.api.models import Image


def active(image_id: str, name: str | None, size: int | None = 10, status: str = "active") -> Target:
    return Target.of(Image(id=image_id, name=name, status=status, size=size))


def names(plan_targets: list[Target], folder: Path) -> list[str]:
    plan = build_plan(BulkAction("download", (str(folder),)), plan_targets)
    return [Path(step.requests[0].target).name for step in plan.steps]


@given(st.text())
def test_a_safe_name_has_no_slash_no_control_character_and_no_leading_dot(name: str) -> None:
    safe = safe_file_name(name)
    assert "/" not in safe and "\\" not in safe and not safe.startswith(".")
    assert not any(ord(ch) < 32 or 127 <= ord(ch) < 160 for ch in safe)
    assert safe == safe.strip() and len(safe) <= 120


def test_names_are_made_safe_and_collisions_or_no_name_take_the_id(tmp_path: Path) -> None:
    found = [
        active("i-1", "../../etc/passwd"),
        active("i-2", "line\nbreak\x1b[31m"),
        active("i-3", "twin"),
        active("i-4", "Twin"),  # the same file on a case-insensitive file system
        active("i-5", None),
        active("i-6", "..."),
        active("i-7", "ubuntu-24.04.qcow2"),
    ]
    assert names(found, tmp_path) == [
        "-..-etc-passwd",
        "line-break-[31m",
        "i-3",
        "i-4",
        "i-5",
        "i-6",
        "ubuntu-24.04.qcow2",
    ]


def test_the_plan_lists_a_get_to_a_file_in_the_folder_per_image(tmp_path: Path) -> None:
    plan = build_plan(BulkAction("download", (str(tmp_path),)), [active("a b", "web")])
    (request,) = plan.steps[0].requests
    assert request.line() == "GET /v2/images/a%20b/file" and request.target == str(tmp_path / "web")
    assert request.op_lines() == ["→ web"]
    assert plan.title == f"Download 1 image: to {tmp_path}"


def test_an_existing_file_and_images_without_data_are_left_out(tmp_path: Path) -> None:
    (tmp_path / "web").write_bytes(b"keep")
    found = [
        active("a", "web"),
        active("b", "queued-one", size=None, status="queued"),
        active("c", "old", status="deactivated"),
        active("d", "empty", size=None),
        Target("e", "broken", problem="could not be read: 500"),
        active("f", "ok"),
        active("f", "ok"),  # marked twice: once
    ]
    plan = build_plan(BulkAction("download", (str(tmp_path),)), found)
    assert [step.image_id for step in plan.steps] == ["f"]
    assert [(item.image_id, item.reason) for item in plan.left_out] == [
        ("a", f"exists: {tmp_path / 'web'} (never overwritten)"),
        ("b", "no data: it is queued, only an active image has data"),
        ("c", "deactivated: its data cannot be downloaded (reactivate it first)"),
        ("d", "no data: the server records no size for it"),
        ("e", "could not be read: 500"),
    ]


def test_the_folder_must_exist_and_be_writable(tmp_path: Path) -> None:
    assert folder_problem(tmp_path) is None
    assert folder_problem(tmp_path / "nope") == f"no such folder: {tmp_path / 'nope'}"
    (tmp_path / "file").write_bytes(b"")
    assert folder_problem(tmp_path / "file") == f"not a folder: {tmp_path / 'file'}"
    if os.geteuid() == 0:
        pytest.skip("root writes into any folder")
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    assert folder_problem(locked) == f"cannot write into {locked}: permission denied"
