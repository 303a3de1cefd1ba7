"""Marks (ui/marks.py): which images are marked, by id and in marking order, with the range being marked."""

from __future__ import annotations

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from ims_tui.api.image_rows import BadEntry, BadImageRow, ImageRow
from ims_tui.api.models import Image
from ims_tui.ui.marks import MarkChange, Marks


def good(n: int) -> ImageRow:
    return ImageRow(Image(id=f"img-{n}", name=f"image {n}"))


def no_id(n: int) -> ImageRow:
    return BadImageRow(BadEntry.of(n, {"name": f"broken {n}"}, []), f"?bad-{n}")


ROWS = [good(0), good(1), no_id(2), good(3), good(4)]


def test_toggle_marks_then_unmarks_and_refuses_a_row_without_an_id() -> None:
    marks = Marks()
    assert marks.toggle(ROWS[1]) == MarkChange(marked=1)
    assert marks.toggle(ROWS[0]) == MarkChange(marked=1)
    assert marks.ids == ("img-1", "img-0")  # marking order, not row order
    assert marks.toggle(ROWS[1]) == MarkChange(unmarked=1)
    assert marks.toggle(ROWS[2]) == MarkChange(refused=1)
    assert marks.ids == ("img-0",) and "?bad-2" not in marks


def test_mark_never_unmarks() -> None:
    marks = Marks()
    assert marks.mark(ROWS[0]).changed
    assert not marks.mark(ROWS[0]).changed
    assert marks.ids == ("img-0",)


def test_a_range_shows_as_marked_until_fixed_or_cancelled() -> None:
    marks = Marks()
    assert marks.start_range(ROWS, 1)
    # the cursor went down to row 3: rows 1..3 look marked, except the one without an id
    assert [marks.is_marked(row, i, 3) for i, row in enumerate(ROWS)] == [False, True, False, True, False]
    assert len(marks) == 0
    assert marks.span(3) == (1, 3) and marks.span(0) == (0, 1)
    assert marks.fix_range(ROWS, 3) == MarkChange(marked=2, refused=1)
    assert marks.ids == ("img-1", "img-3") and marks.range is None
    marks.start_range(ROWS, 4)
    assert marks.cancel_range() and not marks.cancel_range()
    assert marks.ids == ("img-1", "img-3")


def test_a_range_keeps_its_anchor_on_its_image_when_the_rows_move() -> None:
    marks = Marks()
    marks.start_range(ROWS, 3)
    assert not marks.follow(ROWS)
    assert marks.follow([ROWS[3], ROWS[4]])
    assert marks.range is not None and marks.range.anchor == 0
    assert marks.follow([ROWS[0]]) and marks.range is None  # its image is not shown any more: the range ends


def test_all_and_invert_act_on_the_rows_shown_and_keep_the_others() -> None:
    marks = Marks()
    marks.toggle(ROWS[4])  # marked, then hidden by a quick filter
    shown = ROWS[:4]
    assert marks.mark_all(shown) == MarkChange(marked=3, refused=1)
    assert marks.ids == ("img-4", "img-0", "img-1", "img-3")
    marks.toggle(ROWS[1])
    assert marks.invert(shown, 0) == MarkChange(marked=1, unmarked=2, refused=1)
    assert marks.ids == ("img-4", "img-1")


def test_invert_fixes_a_range_first_so_what_looked_marked_is_unmarked() -> None:
    marks = Marks()
    marks.start_range(ROWS, 0)
    marks.invert(ROWS, 1)  # rows 0 and 1 looked marked
    assert marks.ids == ("img-3", "img-4") and marks.range is None


def test_clear_drop_and_keep_only() -> None:
    marks = Marks()
    marks.mark_all(ROWS)
    assert marks.drop(["img-3", "img-9"]) == ("img-3",)
    assert marks.keep_only(lambda image_id: image_id != "img-0") == ("img-0",)
    assert marks.ids == ("img-1", "img-4")
    assert marks.count_absent(lambda image_id: image_id == "img-1") == 1
    marks.start_range(ROWS, 0)
    assert marks.clear() == MarkChange(unmarked=2)
    assert len(marks) == 0 and marks.range is None


def test_version_grows_only_when_the_ids_change() -> None:
    marks = Marks()
    before = marks.version
    marks.mark(ROWS[2])
    marks.clear()
    marks.drop(["img-0"])
    assert marks.version == before
    marks.mark(ROWS[0])
    assert marks.version > before


class MarksMachine(RuleBasedStateMachine):
    """Random mark, unmark, range, all, invert, clear and reload-with-some-gone against a plain list model."""

    @initialize(count=st.integers(1, 30), bad=st.sets(st.integers(0, 29), max_size=5))
    def start(self, count: int, bad: set[int]) -> None:
        self.existing = [no_id(n) if n in bad else good(n) for n in range(count)]
        self.shown = list(self.existing)
        self.marks = Marks()
        self.model: list[str] = []  # the expected ids, in marking order
        self.cursor = 0

    def _shown_index(self, pick: int) -> int:
        return pick % len(self.shown) if self.shown else 0

    @rule(pick=st.integers(0, 100))
    def toggle(self, pick: int) -> None:
        if not self.shown:
            return
        row = self.shown[self._shown_index(pick)]
        change = self.marks.toggle(row)
        if not row.actionable:
            assert change == MarkChange(refused=1)
        elif row.id in self.model:
            self.model.remove(row.id)
            assert change == MarkChange(unmarked=1)
        else:
            self.model.append(row.id)
            assert change == MarkChange(marked=1)

    @rule(pick=st.integers(0, 100))
    def move(self, pick: int) -> None:
        self.cursor = self._shown_index(pick)

    @rule()
    def start_range(self) -> None:
        if self.shown and self.marks.range is None:
            assert self.marks.start_range(self.shown, self.cursor)

    @rule()
    def fix_range(self) -> None:
        span = self.marks.span(self.cursor)
        change = self.marks.fix_range(self.shown, self.cursor)
        if span is None:
            assert not change.changed
            return
        added = [row.id for row in self.shown[span[0] : span[1] + 1] if row.actionable and row.id not in self.model]
        self.model += added
        assert change.marked == len(added)

    @rule()
    def cancel_range(self) -> None:
        self.marks.cancel_range()

    @rule()
    def mark_all(self) -> None:
        added = [row.id for row in self.shown if row.actionable and row.id not in self.model]
        self.model += added
        assert self.marks.mark_all(self.shown).marked == len(added)

    @rule()
    def invert(self) -> None:
        self.fix_range()
        before = list(self.model)
        shown_ids = [row.id for row in self.shown if row.actionable]
        self.model = [i for i in before if i not in shown_ids] + [i for i in shown_ids if i not in before]
        change = self.marks.invert(self.shown, self.cursor)
        assert change.marked == len(set(shown_ids) - set(before))
        assert change.unmarked == len(set(shown_ids) & set(before))

    @rule()
    def clear(self) -> None:
        assert self.marks.clear().unmarked == len(self.model)
        self.model = []

    @rule(needle=st.sampled_from(["", "1", "2", "image"]))
    def quick_filter(self, needle: str) -> None:
        self.shown = [row for row in self.existing if row.matches(needle)] if needle else list(self.existing)
        self.marks.follow(self.shown)
        self.cursor = min(self.cursor, max(0, len(self.shown) - 1))

    @rule(gone=st.sets(st.integers(0, 29), max_size=6))
    def reload_with_some_gone(self, gone: set[int]) -> None:
        self.existing = [row for n, row in enumerate(self.existing) if n not in gone]
        self.shown = list(self.existing)
        self.marks.follow(self.shown)
        self.cursor = min(self.cursor, max(0, len(self.shown) - 1))
        ids = {row.id for row in self.existing}
        dropped = self.marks.keep_only(ids.__contains__)
        assert dropped == tuple(i for i in self.model if i not in ids)
        self.model = [i for i in self.model if i in ids]

    @invariant()
    def marks_are_the_model(self) -> None:
        assert list(self.marks.ids) == self.model
        assert len(self.marks) == len(self.model) == len(set(self.model))

    @invariant()
    def only_existing_real_ids_are_marked(self) -> None:
        real = {row.id for row in self.existing if row.actionable}
        assert set(self.marks.ids) <= real

    @invariant()
    def a_range_is_anchored_on_a_shown_row(self) -> None:
        found = self.marks.range
        if found is not None:
            assert self.shown[found.anchor].id == found.anchor_id


MarksMachine.TestCase.settings = settings(max_examples=200, stateful_step_count=40, deadline=None)
test_marks_machine = MarksMachine.TestCase
