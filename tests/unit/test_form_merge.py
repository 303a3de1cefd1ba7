"""The three-way compare behind the edit form's "no lost update": original, theirs (the server now) and yours."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from ims_tui.api.patch import diff
from ims_tui.ui.form_merge import ABSENT, Clash, three_way


def test_a_field_only_someone_else_changed_is_kept_and_never_sent() -> None:
    original = {"name": "a", "min_ram": 0, "tags": [], "p": "1", "q": "1"}
    yours = {"name": "b", "min_ram": 0, "tags": [], "p": "1"}  # renamed, removed q
    theirs = {"name": "a", "min_ram": 512, "tags": ["t"], "p": "1", "r": "new"}  # q is gone, r is new
    merge = three_way(original, theirs, yours)
    assert merge.clashes == ()
    assert merge.kept == ("min_ram", "r", "tags")  # q: both removed it, nothing to tell
    assert diff(theirs, merge.after) == [{"op": "replace", "path": "/name", "value": "b"}]


def test_the_same_field_changed_differently_is_a_clash_with_all_three_values() -> None:
    original = {"name": "web", "min_ram": 0, "tags": ["a"], "os_distro": "ubuntu"}
    yours = {"name": "web-01", "min_ram": 0, "tags": ["a", "b"], "os_distro": "debian"}
    theirs = {"name": "web-02", "min_ram": 0, "tags": ["c"]}  # and os_distro removed
    merge = three_way(original, theirs, yours)
    assert merge.clashes == (
        Clash("name", "web", "web-02", "web-01"),
        Clash("os_distro", "ubuntu", ABSENT, "debian"),
        Clash("tags", ["a"], ["c"], ["a", "b"]),
    )
    # keep mine: yours on every clash
    assert diff(theirs, merge.after) == [
        {"op": "replace", "path": "/name", "value": "web-01"},
        {"op": "replace", "path": "/tags", "value": ["a", "b"]},
        {"op": "add", "path": "/os_distro", "value": "debian"},
    ]
    # take theirs: the clashing keys drop out; here nothing is left to send
    assert diff(theirs, merge.taking_theirs()) == []


def test_the_same_change_made_by_both_is_no_clash_and_sends_nothing() -> None:
    original = {"name": "a", "tags": ["x", "y"], "min_ram": 0}
    yours = {"name": "b", "tags": ["y", "x", "z"], "min_ram": 0}
    theirs = {"name": "b", "tags": ["z", "y", "x"], "min_ram": 0}  # tags are a set: the order is no change
    merge = three_way(original, theirs, yours)
    assert merge.clashes == () and merge.kept == ()
    assert diff(theirs, merge.after) == []


def test_types_count_and_tag_order_does_not() -> None:
    original = {"protected": False, "tags": ["a", "b"]}
    theirs = {"protected": 0, "tags": ["b", "a"]}  # 0 is not False to Glance; the same tags
    merge = three_way(original, theirs, dict(original))
    assert merge.kept == ("protected",)


def test_a_clash_taken_from_theirs_leaves_the_other_changes() -> None:
    original = {"name": "a", "min_disk": 1}
    yours = {"name": "b", "min_disk": 2}
    theirs = {"name": "c", "min_disk": 1}
    merge = three_way(original, theirs, yours)
    assert [clash.key for clash in merge.clashes] == ["name"]
    assert diff(theirs, merge.taking_theirs()) == [{"op": "replace", "path": "/min_disk", "value": 2}]


# -- any original, theirs and yours ------------------------------------------------------------------------

# Keys of each kind the form edits, with values of the types Glance gives them, so that diff() accepts them.
VALUES: dict[str, st.SearchStrategy[Any]] = {
    "name": st.one_of(st.none(), st.sampled_from(["a", "b", "c"])),
    "min_ram": st.integers(0, 3),
    "protected": st.booleans(),
    "tags": st.lists(st.sampled_from(["x", "y", "z"]), unique=True, max_size=3),
    "p1": st.sampled_from(["1", "2", "3"]),
    "p2": st.sampled_from(["1", "2", "3"]),
    "p3": st.sampled_from(["1", "2"]),
}
BASE = ("name", "min_ram", "protected", "tags")  # always there; properties may be absent


@st.composite
def images(draw: st.DrawFn) -> dict[str, Any]:
    image = {key: draw(VALUES[key]) for key in BASE}
    for key in ("p1", "p2", "p3"):
        if draw(st.booleans()):
            image[key] = draw(VALUES[key])
    return image


def state(image: dict[str, Any], key: str) -> Any:
    value = image.get(key, ABSENT)
    return sorted(value) if key == "tags" and value is not ABSENT else (type(value), value)


@given(images(), images(), images())
def test_only_keys_the_user_changed_are_ever_sent(
    original: dict[str, Any], theirs: dict[str, Any], yours: dict[str, Any]
) -> None:
    merge = three_way(original, theirs, yours)
    changed = {key for key in set(original) | set(yours) if state(original, key) != state(yours, key)}
    assert merge.changed == changed
    for after in (merge.after, merge.taking_theirs()):
        sent = {op["path"][1:] for op in diff(theirs, after)}
        assert sent <= changed
        # what is sent is the user's value, never something else
        for key in sent:
            assert state(after, key) == state(yours, key)
        # every other key stays as the server has it now
        for key in set(theirs) | set(after):
            if key not in sent:
                assert state(after, key) == state(theirs, key)
    clashing = {clash.key for clash in merge.clashes}
    assert not {op["path"][1:] for op in diff(theirs, merge.taking_theirs())} & clashing


@given(images(), images(), images())
def test_a_clash_is_reported_exactly_when_theirs_differs_from_the_original_and_from_yours(
    original: dict[str, Any], theirs: dict[str, Any], yours: dict[str, Any]
) -> None:
    merge = three_way(original, theirs, yours)
    expected = {
        key
        for key in merge.changed
        if state(theirs, key) != state(original, key) and state(theirs, key) != state(yours, key)
    }
    assert {clash.key for clash in merge.clashes} == expected
    for clash in merge.clashes:
        assert (clash.original, clash.theirs, clash.yours) == tuple(
            image.get(clash.key, ABSENT) for image in (original, theirs, yours)
        )
    kept = {key for key in set(original) | set(theirs) if key not in merge.changed}
    assert set(merge.kept) == {key for key in kept if state(original, key) != state(theirs, key)}
