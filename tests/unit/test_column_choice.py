"""Chosen columns without a terminal: what a choice may be, how the columns share the width, and what a row keeps."""

from __future__ import annotations

import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ims_tui.api.image_rows import ImagePage, ImageRow
from ims_tui.api.models import SORT_KEYS, Image
from ims_tui.ui.column_choice import BASE_CHOICES, SERVER_SORTS, moved, offered, parse_columns
from ims_tui.ui.columns import (
    GAP,
    LEFT_PAD,
    NAME_KEEP,
    chosen_column,
    chosen_layout,
    default_names,
    kept_names,
    layout_for,
)


def test_a_choice_is_stripped_and_keeps_its_order() -> None:
    assert parse_columns([" name", "os_distro ", "size"]) == ("name", "os_distro", "size")
    assert parse_columns(["status", "name", "colour"]) == ("status", "name", "colour")  # a property may exist


@pytest.mark.parametrize(
    ("names", "says"),
    [
        ([], "empty list of columns"),
        (["status", "size"], 'include "name"'),
        (["name", "size", "size"], "named twice"),
        (["name", " "], "not a column name"),
        (["name", "a\x1bb"], "not a column name"),
        (["name", 3], "each entry is a string"),
        ("name", "a list of names"),
    ],
)
def test_a_choice_that_cannot_be_shown_is_refused_saying_why(names: object, says: str) -> None:
    with pytest.raises(ValueError, match=says):
        parse_columns(names)  # type: ignore[arg-type]


def test_the_server_sorts_are_the_apis() -> None:
    assert SERVER_SORTS == SORT_KEYS
    assert set(SERVER_SORTS) <= set(BASE_CHOICES)


def test_the_picker_offers_the_current_columns_first_then_attributes_then_properties() -> None:
    listed = offered(("name", "os_distro", "size"), {"hw_firmware_type", "os_distro", "status", "__os_version"})
    assert listed[:3] == ("name", "os_distro", "size")
    assert listed[-2:] == ("__os_version", "hw_firmware_type")
    assert listed.count("status") == 1 and len(listed) == len(set(listed))
    assert moved(("a", "b", "c"), 2, -1) == (("a", "c", "b"), 1)
    assert moved(("a", "b", "c"), 0, -1) == (("a", "b", "c"), 0)


def test_the_default_set_at_80_columns_reads_as_a_choice() -> None:
    assert default_names(layout_for(79)) == ("name", "status", "size", "visibility", "updated_at")
    assert default_names(layout_for(79), "created_at")[-1] == "created_at"  # what the age column shows then
    same = chosen_layout(79, tuple(chosen_column(name) for name in default_names(layout_for(79))))
    assert [(c.title, w) for c, w in same.columns] == [(c.title, w) for c, w in layout_for(79).columns]


NAMES = st.lists(
    st.sampled_from([*BASE_CHOICES, "os_distro", "hw_firmware_type", "__os_version", "a_very_long_property_name"]),
    unique=True,
    max_size=12,
)


@given(NAMES, st.integers(min_value=2, max_value=300), st.randoms(use_true_random=False))
def test_chosen_columns_never_overflow_and_the_name_keeps_its_room(
    others: list[str], width: int, random: object
) -> None:
    names = [name for name in others if name != "name"]
    names.insert(random.randrange(len(names) + 1), "name")  # type: ignore[attr-defined]
    layout = chosen_layout(width, tuple(chosen_column(name) for name in names))
    shown = [column.key for column, _ in layout.columns]
    used = sum(cells for _, cells in layout.columns) + GAP * (len(shown) - 1) + LEFT_PAD
    name_cells = dict((column.key, cells) for column, cells in layout.columns)["name"]
    assert used <= width
    assert name_cells >= min(NAME_KEEP, width - LEFT_PAD)
    assert shown == [name for name in names if name in shown]  # the order is the user's
    dropped = [name for name in names if name not in shown]
    if dropped:  # the ones that gave way came last in the order
        assert names.index(dropped[0]) > max((names.index(name) for name in shown if name != "name"), default=-1)


def test_rows_without_chosen_columns_cost_no_more() -> None:
    image = Image.model_validate({"id": "a1", "name": "x", "os_distro": "ubuntu", "hw_firmware_type": "uefi"})
    plain = ImageRow(image)
    assert plain.kept is None and not hasattr(plain, "__dict__")
    assert sys.getsizeof(plain) == sys.getsizeof(ImageRow(Image(id="b2")))
    assert plain.kept_value("os_distro") is None


def test_a_row_keeps_only_the_chosen_values_it_does_not_hold() -> None:
    keep = kept_names(("name", "status", "os_distro", "checksum", "tags", "__imagetype", "virtual_size"))
    assert keep == ("os_distro", "checksum", "tags", "virtual_size")
    page = ImagePage.parse(
        {
            "images": [
                {"id": "a1", "name": "x", "os_distro": "ubuntu", "checksum": "c0ffee", "tags": ["a", "b"]},
                {"id": "b2", "os_distro": {"odd": 1}, "virtual_size": 2048, "description": "not kept"},
            ]
        }
    )
    first, second = page.rows(keep=keep)
    assert first.kept_value("os_distro") == "ubuntu" and first.kept_value("tags") == "a, b"
    assert first.kept_value("virtual_size") is None and first.kept_value("description") is None
    assert second.kept_value("os_distro") == '{"odd":1}' and second.kept_value("virtual_size") == "2048"
    assert page.property_names() == {"os_distro", "description"}
    # the names tuple is shared, not copied per row
    assert first.kept is not None and second.kept is not None and first.kept[0] is second.kept[0]
