"""RowView: what the list shows, with and without the quick filter, through every edit a session makes."""

from __future__ import annotations

from typing import Any, cast

from hypothesis import given
from hypothesis import strategies as st

from ims_tui.api.client import ImageClient
from ims_tui.api.image_rows import ImageRow
from ims_tui.api.listing import ImageListing
from ims_tui.api.models import Image
from ims_tui.ui.rows import ALL, NONE, TAIL, Change, RowView

NAMES = (None, "rocky-9", "Rocky-8", "ubuntu", "rock", "alma-rocky", "")


def row(number: int, name: str | None) -> ImageRow:
    return ImageRow(Image(id=f"00000000-0000-4000-8000-{number:012d}", name=name, status="active"))


def listing(*rows: ImageRow) -> ImageListing:
    # The listing's edits never touch its client; paging is not what is tested here.
    made = ImageListing(cast(ImageClient, None))
    for position, item in enumerate(rows):
        made.insert(item, position)
    return made


def expected(view: RowView) -> list[ImageRow]:
    needle = view.needle
    return list(view.rows) if needle is None else [r for r in view.rows if r.matches(needle)]


def test_without_a_needle_the_view_is_the_listing_itself() -> None:
    source = listing(row(1, "a"), row(2, "b"))
    view = RowView(source)
    assert view.visible is source.rows and not view.filtering
    assert view.filter("") is NONE


def test_filter_narrows_and_an_empty_needle_restores() -> None:
    source = listing(row(1, "rocky-9"), row(2, "ubuntu"), row(3, "Rocky-8"))
    view = RowView(source)
    assert view.filter("rock") is ALL
    assert [r.name for r in view.visible] == ["rocky-9", "Rocky-8"]
    assert view.index_of(source.rows[2].id) == 1 and view.index_of(source.rows[1].id) is None
    assert view.filter("") is ALL and view.visible is source.rows


def test_appended_rows_join_the_tail_only_if_they_match() -> None:
    source = listing(row(1, "rocky"))
    view = RowView(source, "rock")
    shown = view.visible
    new = [row(2, "ubuntu")]
    source.insert(new[0], 1)
    assert view.appended(new) is NONE
    new = [row(3, "rocky-2")]
    source.insert(new[0], 2)
    assert view.appended(new) is TAIL and view.visible is shown and len(shown) == 2


def test_a_created_image_that_does_not_match_stays_hidden() -> None:
    source = listing(row(1, "rocky"))
    view = RowView(source, "rock")
    assert view.insert(row(2, "ubuntu"), 0) is NONE and len(source.rows) == 2
    assert view.insert(row(3, "rocky-new"), 0) is ALL and view.visible[0].name == "rocky-new"


def test_a_fresh_row_repaints_one_line_or_leaves_the_filter() -> None:
    source = listing(row(1, "rocky"), row(2, "ubuntu"), row(3, "rocky-2"))
    view = RowView(source, "rock")
    assert view.replace(row(3, "rocky-2b")) == Change("row", 1)
    assert view.replace(row(1, "renamed")) is ALL and [r.name for r in view.visible] == ["rocky-2b"]
    assert view.replace(row(2, "now-rocky")) is ALL and [r.name for r in view.visible] == ["now-rocky", "rocky-2b"]
    assert view.replace(row(9, "rocky")) is NONE  # not loaded


def test_nothing_to_show_before_connecting() -> None:
    view = RowView(None, "x")
    assert view.visible == [] and view.insert(row(1, "x")) is NONE and view.remove("nope") is NONE


# Any sequence of what a session does: type a needle, load a page, create, delete, refresh a row, reload.
OPS = st.lists(
    st.one_of(
        st.tuples(st.just("filter"), st.sampled_from(("", "rock", "ROCK", "u", "-", "zz", "0000"))),
        st.tuples(st.just("append"), st.lists(st.sampled_from(NAMES), max_size=4)),
        st.tuples(st.just("insert"), st.sampled_from(NAMES), st.integers(0, 20)),
        st.tuples(st.just("remove"), st.integers(0, 30)),
        st.tuples(st.just("replace"), st.integers(0, 30), st.sampled_from(NAMES)),
        st.tuples(st.just("reload"), st.lists(st.sampled_from(NAMES), max_size=5)),
    ),
    max_size=30,
)


@given(st.lists(st.sampled_from(NAMES), max_size=6), st.sampled_from((None, "rock", "u")), OPS)
def test_visible_is_always_the_matching_rows_in_order(
    start: list[str | None], needle: str | None, ops: list[tuple[Any, ...]]
) -> None:
    serial = iter(range(1000, 10_000))
    source = listing(*(row(next(serial), name) for name in start))
    view = RowView(source, needle)
    assert view.visible == expected(view)
    for op, *args in ops:
        before = list(view.visible)
        held = view.visible  # the list object the table holds
        filtering = view.filtering
        if op == "filter":
            change = view.filter(args[0])
        elif op == "append":
            new = [row(next(serial), name) for name in args[0]]
            for item in new:
                source.insert(item, len(source.rows))
            change = view.appended(new)
        elif op == "insert":
            change = view.insert(row(next(serial), args[0]), min(args[1], len(source.rows)))
        elif op == "remove":
            ids = [r.id for r in source.rows]
            change = view.remove(ids[args[0] % len(ids)] if ids and args[0] < 20 else "gone")
        elif op == "replace":
            ids = [r.id for r in source.rows]
            if not ids:
                continue
            target = ids[args[0] % len(ids)]
            change = view.replace(ImageRow(Image(id=target, name=args[1], status="queued")))
        else:
            source.reset()
            for position, name in enumerate(args[0]):
                source.insert(row(next(serial), name), position)
            change = view.reloaded()
        after = view.visible
        assert after == expected(view), (op, args)
        if change is NONE:
            assert after == before
        elif change is TAIL:
            assert after[: len(before)] == before and len(after) > len(before)
        elif change.kind == "row":
            assert len(after) == len(before) and after[change.index] is not before[change.index]
            assert [r for i, r in enumerate(after) if i != change.index] == [
                r for i, r in enumerate(before) if i != change.index
            ]
        if op in ("append", "insert", "remove", "replace") and filtering:
            assert after is held, "an edit while filtering must keep the list the table holds"
