"""Path completion as a shell does it, on real folders made by the test."""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from ims_tui.ui.path_complete import MAX_ENTRIES, complete, inspect

NAMES = st.text(alphabet="abcAB.-_ 1é", min_size=1, max_size=6).filter(lambda n: n not in (".", ".."))


def make(root: Path, files: list[str], folders: list[str]) -> None:
    for name in folders:
        (root / name).mkdir(exist_ok=True)
    for name in files:
        if not (root / name).exists():
            (root / name).write_bytes(b"x")


@settings(max_examples=60, deadline=None)
@given(st.lists(NAMES, max_size=8, unique=True), st.lists(NAMES, max_size=4, unique=True), st.text("abc.", max_size=2))
def test_completion_offers_exactly_the_matching_entries(
    tmp_path_factory: object, files: list[str], folders: list[str], partial: str
) -> None:
    root = tmp_path_factory.mktemp("c")  # type: ignore[attr-defined]
    make(root, [f for f in files if f not in folders], folders)
    found = complete(f"{root}/{partial}")
    expected = {
        f"{root}/{entry.name}" + ("/" if entry.is_dir() else "")
        for entry in os.scandir(root)
        if entry.name.startswith(partial) and (partial.startswith(".") or not entry.name.startswith("."))
    }
    assert set(found.candidates) == expected
    assert all(candidate.startswith(found.common) for candidate in found.candidates)
    assert found.common.startswith(f"{root}/{partial}")
    if found.unique:
        assert found.common == found.candidates[0]


def test_folders_come_first_and_end_with_a_slash(tmp_path: Path) -> None:
    make(tmp_path, ["image.qcow2", "image.raw"], ["images"])
    found = complete(f"{tmp_path}/ima")
    assert found.candidates == (f"{tmp_path}/images/", f"{tmp_path}/image.qcow2", f"{tmp_path}/image.raw")
    assert found.common == f"{tmp_path}/image"


def test_the_tilde_stays_as_typed(tmp_path: Path, monkeypatch: object) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))  # type: ignore[attr-defined]
    make(tmp_path, ["only-one.iso"], [])
    assert complete("~/on").common == "~/only-one.iso"


def test_relative_paths_complete_from_the_working_folder(tmp_path: Path) -> None:
    make(tmp_path, ["disk.vmdk"], ["sub"])
    assert complete("di", cwd=tmp_path).common == "disk.vmdk"
    assert complete("s", cwd=tmp_path).common == "sub/"


def test_a_huge_folder_is_cut_short_and_says_how_much(tmp_path: Path) -> None:
    make(tmp_path, [f"f{index:04d}" for index in range(MAX_ENTRIES + 5)], [])
    found = complete(f"{tmp_path}/f")
    assert len(found.candidates) == MAX_ENTRIES and found.more == 5
    assert found.common == f"{tmp_path}/f"  # nothing is added that the hidden entries might not share


def test_an_unreadable_folder_says_why(tmp_path: Path) -> None:
    assert complete(f"{tmp_path}/missing/x").problem


def test_inspect_gives_the_size_or_the_reason(tmp_path: Path) -> None:
    (tmp_path / "disk.img").write_bytes(b"\0" * 1536)
    assert inspect(str(tmp_path / "disk.img")).size == 1536
    assert "folder" in (inspect(str(tmp_path)).problem or "")
    assert "No such file" in (inspect(str(tmp_path / "nope")).problem or "")
    assert inspect("").problem == "no file given"
