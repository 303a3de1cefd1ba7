"""The export's file formats: CSV that reads back through the csv module and runs no formula, exact JSON Lines."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ims_tui.api.image_rows import ImageRow
from ims_tui.api.models import Image
from ims_tui.ui import export_format as ex

names = st.text(max_size=40)
values = st.one_of(st.none(), names, st.integers(min_value=0, max_value=2**63), st.booleans())


def row(name: str | None, size: int | None = 1024) -> ImageRow:
    return ImageRow(Image.model_validate({"id": "0b1f3a2c-aaaa-4bbb-8ccc-123456789abc", "name": name, "size": size}))


@given(st.lists(st.dictionaries(st.sampled_from(ex.ALL_FIELDS), values), max_size=8))
def test_csv_reads_back_as_the_safe_cells(records: list[dict[str, object]]) -> None:
    text = ex.csv_text(records, ex.ALL_FIELDS)
    read = list(csv.reader(io.StringIO(text, newline="")))
    assert read[0] == list(ex.ALL_FIELDS)
    assert read[1:] == [[ex.csv_cell(item.get(name)) for name in ex.ALL_FIELDS] for item in records]


@given(names)
def test_no_cell_starts_a_formula_or_holds_a_control_character(name: str) -> None:
    cell = ex.csv_cell(name)
    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert not any(ord(c) < 32 and c not in "\t\n\r" or 0x7F <= ord(c) <= 0x9F for c in cell)


@given(st.text(alphabet=st.characters(blacklist_categories=("Cc",)), max_size=40).filter(lambda s: s[:1] not in "=+-@"))
def test_a_plain_name_is_kept_exactly(name: str) -> None:
    assert ex.csv_cell(name) == name


def test_formula_cells_are_prefixed() -> None:
    assert [ex.csv_cell(v) for v in ("=1+2", "+x", "-3", "@SUM(A1)", 5, None, True)] == [
        "'=1+2",
        "'+x",
        "'-3",
        "'@SUM(A1)",
        "5",
        "",
        "true",
    ]


@given(st.lists(st.dictionaries(st.sampled_from(ex.ALL_FIELDS), values), max_size=8))
def test_json_lines_round_trip(records: list[dict[str, object]]) -> None:
    text = ex.jsonl_text(records)
    assert [json.loads(line) for line in text.splitlines()] == records
    assert text.count("\n") == len(records)  # a name's own newline is escaped, never a line break


def test_fields_follow_the_columns_and_always_hold_the_full_id() -> None:
    assert ex.fields_for(["name", "status", "size", "visibility", "age"]) == (
        "name",
        "status",
        "size",
        "visibility",
        "updated_at",
        "id",
    )
    assert ex.fields_for(["name", "age"], sort_key="created_at") == ("name", "created_at", "id")
    assert ex.record(row("web"), ("name", "size", "id")) == {
        "name": "web",
        "size": 1024,
        "id": "0b1f3a2c-aaaa-4bbb-8ccc-123456789abc",
    }


def test_extension_follows_the_format() -> None:
    assert ex.with_extension("out/images.csv", "jsonl") == "out/images.jsonl"
    assert ex.with_extension("images.jsonl", "csv") == "images.csv"
    assert ex.with_extension("list.txt", "csv") == "list.txt"


def test_write_never_replaces_without_leave_and_leaves_no_partial(tmp_path: Path) -> None:
    target = tmp_path / "images.csv"
    ex.write_file(target, "a\n")
    assert target.read_text() == "a\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    with pytest.raises(FileExistsError):
        ex.write_file(target, "b\n")
    assert target.read_text() == "a\n"
    ex.write_file(target, "b\n", overwrite=True)
    assert target.read_text() == "b\n"
    assert os.listdir(tmp_path) == ["images.csv"]


def test_an_unwritable_folder_raises_oserror(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        ex.write_file(tmp_path / "missing" / "images.csv", "a\n")
