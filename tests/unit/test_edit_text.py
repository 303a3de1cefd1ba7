"""The $EDITOR text of an image's tags and custom properties: what is written reads back the same, and a mistake
is named with its line."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ims_tui.api.models import BASE_ATTRIBUTES
from ims_tui.api.patch import PatchError, diff
from ims_tui.ui.edit_text import editable_part, parse, render, strip_generated


def _accepted(key: str) -> bool:
    """A custom property the patch engine lets a user add."""
    try:
        return key not in BASE_ATTRIBUTES and bool(diff({}, {key: "v"}))
    except PatchError:
        return False


KEYS = st.text(min_size=1, max_size=30).filter(_accepted)
TEXT = st.text(max_size=40)


@settings(max_examples=300)
@given(tags=st.lists(TEXT, max_size=5), properties=st.dictionaries(KEYS, TEXT, max_size=6))
def test_what_is_rendered_reads_back_as_the_same_tags_and_properties(
    tags: list[str], properties: dict[str, str]
) -> None:
    text = render(["a header", ""], tags, properties)
    parsed = parse(text, tags, properties)
    assert parsed.errors == []
    assert parsed.properties == properties
    assert parsed.tags == tags


@settings(max_examples=200)
@given(tags=st.lists(TEXT, max_size=5), properties=st.dictionaries(KEYS, TEXT, max_size=6))
def test_each_item_is_one_line(tags: list[str], properties: dict[str, str]) -> None:
    lines = render([], tags, properties).splitlines()
    assert len(lines) == 1 + len(properties)


def test_plain_values_stay_plain_and_only_the_ones_that_need_it_are_json() -> None:
    text = render(["edit me"], ["b", "a, b"], {"os_distro": "ubuntu", "pad": "  x", "#k": "#v", "k=1": ""})
    assert text.splitlines() == [
        "# edit me",
        'tags: b, "a, b"',
        '"#k" = #v',
        '"k=1" = ',
        "os_distro = ubuntu",
        'pad = "  x"',
    ]


def test_edited_text_reads_as_the_change() -> None:
    before = {"os_distro": "ubuntu", "old": "1"}
    text = "# header\ntags:  web ,db,,\n\nos_distro = debian 12\nnew = a = b\n"
    parsed = parse(text, ["web"], before)
    assert parsed.errors == []
    assert parsed.tags == ["web", "db"]
    assert parsed.properties == {"os_distro": "debian 12", "new": "a = b"}


def test_mistakes_are_named_with_their_line() -> None:
    text = "\n".join(
        [
            "# header",
            "tags: a",
            "no equals sign here",  # 3
            "name = renamed",  # 4: a base attribute
            "os_glance_x = 1",  # 5: reserved
            'x = "unterminated',  # 6
            "emoji = \U0001f600",  # 7: 4-byte UTF-8
            "x = 1",
            "x = 2",  # 9: twice
            "tags: b",  # 10
            "__os_type = Linux",  # 11: read-only on IMS
        ]
    )
    errors = parse(text, ["a"], {}, read_only={"__os_type"}).errors
    assert [error.line for error in errors] == [3, 4, 5, 6, 7, 9, 10, 11]
    assert "base attribute" in errors[1].message
    assert "reserved" in errors[2].message
    assert "emoji" in errors[4].message
    assert "line 8" in errors[5].message
    assert str(errors[0]).startswith("line 3: ")


def test_a_missing_tags_line_and_a_property_that_cannot_be_removed_are_errors() -> None:
    errors = parse("x = 1\n", [], {" pad": "v"}).errors
    messages = [str(error) for error in errors]
    assert any("no 'tags:' line" in message for message in messages)
    assert any("cannot remove ' pad'" in message for message in messages)


def test_a_value_left_as_it_was_is_never_refused() -> None:
    # the server may already hold text Glance refuses now (4-byte UTF-8): unchanged, it is not sent
    before = {"emoji": "\U0001f600"}
    assert parse(render([], [], before), [], before).errors == []


def test_base_and_non_text_and_read_only_properties_stay_out() -> None:
    properties = {"name": "x", "size": 3, "n": 5, "__os_type": "Linux", "os_distro": "ubuntu"}
    assert editable_part(properties, {"__os_type"}) == {"os_distro": "ubuntu"}


def test_only_the_generated_header_is_taken_off_again() -> None:
    text = "# header\n# ERROR line 3: x\n# mine\ntags:\n"
    assert strip_generated(text, {"# header", "# ERROR line 3: x"}) == "# mine\ntags:\n"
