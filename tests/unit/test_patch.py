"""The edit-to-patch engine: property tests with jsonpatch as the oracle, and Glance's rules one by one."""

from __future__ import annotations

import copy
from typing import Any

import jsonpatch
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ims_tui.api.models import BASE_ATTRIBUTES, is_reserved
from ims_tui.api.patch import PatchError, check_patchable_key, describe, diff, pointer

BASE_BEFORE: dict[str, Any] = {
    "id": "1b5e0f4a-0000-4000-8000-000000000001",
    "name": "ubuntu-24.04",
    "status": "active",
    "visibility": "private",
    "protected": False,
    "os_hidden": False,
    "disk_format": "qcow2",
    "container_format": "bare",
    "min_disk": 10,
    "min_ram": 512,
    "tags": ["base", "lts"],
    "owner": "p1",
    "size": 1024,
    "created_at": "2026-10-01T00:00:00Z",
    "updated_at": "2026-10-02T00:00:00Z",
    "os_distro": "ubuntu",
}

BASE_KEYS = frozenset(BASE_BEFORE) - {"os_distro"}

# Python's whitespace (what Glance's str.strip() removes from a PATCH path segment), unicode spaces included.
WHITESPACE = [chr(code) for code in range(0x110000) if chr(code).isspace()]


# Glance stores no character beyond U+FFFF (4 bytes in UTF-8) in names, properties or tags: generate text
# without them (test_four_byte_characters_are_refused_where_they_change covers them).
bmp = st.characters(max_codepoint=0xFFFF, exclude_categories=("Cs",))


def is_valid_key(key: str) -> bool:
    """A custom property name a PATCH can reach: see check_property_key and check_patchable_key."""
    return (
        bool(key)
        and key == key.strip()
        and len(key) <= 255
        and max(key) <= "\uffff"
        and key not in BASE_ATTRIBUTES
        and not is_reserved(key)
    )


# Keys with the characters JSON pointers must escape, inner whitespace, unicode, and look-alikes of base
# attributes; only valid keys (the invalid ones have their own test below). Filtering on the model's own sets
# matters: hypothesis also draws string constants from the code under test ("stores", "file", ...).
property_keys = st.one_of(
    st.text(bmp, min_size=1, max_size=12),
    st.sampled_from(
        ["a/b", "~", "~1", "/", "a~/b", "~0~1", "a b", "ключ", "键/值", "hw_disk_bus", "os_distro", "x" * 40]
    ),
).filter(is_valid_key)
property_values = st.text(bmp, max_size=20)

base_edits = st.fixed_dictionaries(
    {},
    optional={
        "name": st.one_of(st.none(), st.text(bmp, max_size=40)),
        "visibility": st.sampled_from(["public", "private", "shared", "community"]),
        "protected": st.booleans(),
        "os_hidden": st.booleans(),
        "disk_format": st.sampled_from(["raw", "qcow2", "iso", "vmdk"]),
        "container_format": st.sampled_from(["bare", "ovf", "docker"]),
        "min_disk": st.integers(min_value=0, max_value=2**31 - 1),
        "min_ram": st.integers(min_value=0, max_value=2**31 - 1),
        "tags": st.lists(st.text(bmp, max_size=10), max_size=5),
    },
)


@st.composite
def edits(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any]]:
    before = copy.deepcopy(BASE_BEFORE)
    before.update(draw(st.dictionaries(property_keys, property_values, max_size=6)))
    after = copy.deepcopy(before)
    after.update(draw(base_edits))
    custom = [k for k in before if k not in BASE_BEFORE or k == "os_distro"]
    for key in custom:
        action = draw(st.sampled_from(["keep", "change", "remove"]))
        if action == "change":
            after[key] = draw(property_values)
        elif action == "remove":
            del after[key]
    after.update(draw(st.dictionaries(property_keys, property_values, max_size=4)))
    return before, after


@settings(max_examples=600, deadline=None)
@given(edits())
def test_applying_the_ops_to_before_gives_after(pair: tuple[dict[str, Any], dict[str, Any]]) -> None:
    before, after = pair
    ops = diff(before, after)
    assert jsonpatch.apply_patch(before, ops) == after


@settings(max_examples=600, deadline=None)
@given(edits())
def test_ops_follow_glance_rules(pair: tuple[dict[str, Any], dict[str, Any]]) -> None:
    before, after = pair
    for op in diff(before, after):
        assert op["op"] in {"add", "replace", "remove"}
        assert op["path"].count("/") == 1, "every path is a single escaped segment"
        assert not op["path"].startswith("/tags/")
        key = op["path"][1:].replace("~1", "/").replace("~0", "~")
        if key in BASE_KEYS:
            assert op["op"] == "replace"
        elif op["op"] == "add":
            assert key not in before
        else:
            assert key in before
        if op["op"] != "remove" and key not in BASE_KEYS:
            assert isinstance(op["value"], str)


@given(edits())
@settings(max_examples=200, deadline=None)
def test_no_ops_when_nothing_changed(pair: tuple[dict[str, Any], dict[str, Any]]) -> None:
    before, _ = pair
    assert diff(before, copy.deepcopy(before)) == []


def test_the_generated_keys_cover_what_pointers_must_escape() -> None:
    # the round-trip properties above are only as good as their keys: make sure the hard ones are drawable
    for key in ("a/b", "~", "~1", "/", "a~/b", "a b", "ключ", "键/值"):
        assert is_valid_key(key), key


padded_keys = st.builds(
    lambda left, core, right: left + core + right,
    st.text(alphabet=WHITESPACE, max_size=2),
    st.text(max_size=8),
    st.text(alphabet=WHITESPACE, max_size=2),
).filter(lambda key: key != key.strip() or not key)
invalid_keys = st.one_of(
    st.just(""),
    st.text(alphabet=WHITESPACE, min_size=1, max_size=3),
    padded_keys,
    st.builds(
        lambda a, c, b: a + c + b,
        st.text(bmp, max_size=3),
        st.characters(min_codepoint=0x10000),
        st.text(bmp, max_size=3),
    ).filter(lambda key: key == key.strip()),
)


@settings(max_examples=300, deadline=None)
@given(key=invalid_keys, action=st.sampled_from(["add", "replace", "remove"]))
def test_keys_glance_would_strip_or_that_are_empty_are_refused(key: str, action: str) -> None:
    # Glance strips whitespace around each PATCH path segment: "/ x" would reach "x", "/ name" the base
    # attribute. Such a key can never be written as itself, so the edit fails here with the key named.
    before = dict(BASE_BEFORE)
    after = dict(BASE_BEFORE)
    if action == "add":
        after[key] = "v"
    elif action == "replace":
        before[key], after[key] = "v", "w"
    else:
        before[key] = "v"
    with pytest.raises(PatchError) as caught:
        diff(before, after)
    assert caught.value.key == key
    assert any(reason in caught.value.message for reason in ("whitespace", "needs a name", "beyond U+FFFF"))
    with pytest.raises(PatchError):
        check_patchable_key(key)


@pytest.mark.parametrize(
    ("key", "value"),
    [("name", "rocket \U0001f680"), ("hw_disk_bus", "\U00010000"), ("tags", ["ok", "\U0001f427"])],
)
def test_four_byte_characters_are_refused_where_they_change(key: str, value: Any) -> None:
    with pytest.raises(PatchError, match="beyond U\\+FFFF") as caught:
        diff(BASE_BEFORE, {**BASE_BEFORE, key: value})
    assert caught.value.key == key
    # an image that already has one (another server, an older Glance) stays editable if it is left alone
    before = {**BASE_BEFORE, key: value}
    assert diff(before, {**before, "min_ram": 1}) == [{"op": "replace", "path": "/min_ram", "value": 1}]


def test_an_untouched_key_the_server_already_has_needs_no_op() -> None:
    # Glance's POST does not strip keys, so an image may carry " x"; leaving it alone must not fail the edit.
    before = {**BASE_BEFORE, " padded ": "v"}
    assert diff(before, dict(before)) == []
    assert diff(before, {**before, "name": "new"}) == [{"op": "replace", "path": "/name", "value": "new"}]


def test_pointer_escapes_tilde_before_slash() -> None:
    assert pointer("a~/b") == "/a~0~1b"
    assert pointer("~1") == "/~01"
    assert pointer("") == "/"


def test_tags_are_replaced_whole() -> None:
    after = {**BASE_BEFORE, "tags": ["base", "lts", "new"]}
    assert diff(BASE_BEFORE, after) == [{"op": "replace", "path": "/tags", "value": ["base", "lts", "new"]}]


def test_property_add_replace_remove() -> None:
    before = {**BASE_BEFORE, "hw_disk_bus": "virtio", "old": "x"}
    after = {**BASE_BEFORE, "hw_disk_bus": "scsi", "new/key": "1"}
    assert diff(before, after) == [
        {"op": "replace", "path": "/hw_disk_bus", "value": "scsi"},
        {"op": "add", "path": "/new~1key", "value": "1"},
        {"op": "remove", "path": "/old"},
    ]


def test_read_only_forms_are_ignored_when_absent() -> None:
    after = {k: v for k, v in BASE_BEFORE.items() if k not in {"status", "size", "created_at", "id"}}
    assert diff(BASE_BEFORE, after) == []


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("status", "queued", "read-only"),
        ("size", 1, "read-only"),
        ("id", "other", "read-only"),
        ("os_glance_import_task", "x", "reserved"),
        ("location", "file:///x", "reserved"),
        ("min_ram", "512", "whole number"),
        ("min_disk", True, "whole number"),
        ("min_disk", -1, "negative"),
        ("protected", "true", "true or false"),
        ("visibility", "everyone", "one of"),
        ("name", "x" * 256, "at most 255"),
        ("hw_disk_bus", 5, "must be text"),
        ("tags", "a,b", "list"),
    ],
)
def test_bad_edits_fail_before_anything_is_sent(key: str, value: Any, message: str) -> None:
    after = {**BASE_BEFORE, key: value}
    with pytest.raises(PatchError) as caught:
        diff(BASE_BEFORE, after)
    assert caught.value.key == key
    assert message in caught.value.message


def test_removing_a_base_attribute_is_refused() -> None:
    after = {k: v for k, v in BASE_BEFORE.items() if k != "min_ram"}
    with pytest.raises(PatchError, match="cannot be removed"):
        diff(BASE_BEFORE, after)


def test_bool_is_not_mistaken_for_int() -> None:
    before = {**BASE_BEFORE, "protected": False}
    after = {**BASE_BEFORE, "protected": 0}
    with pytest.raises(PatchError):
        diff(before, after)


def test_describe_is_one_line_per_op() -> None:
    assert describe({"op": "add", "path": "/k", "value": "v"}) == 'add     /k = "v"'
    assert describe({"op": "remove", "path": "/k"}) == "remove  /k"
