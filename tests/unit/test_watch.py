"""The live watch's pure parts: the delay between rounds and the bookkeeping of what is followed."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from ims_tui.api.models import Image
from ims_tui.api.watch import TRANSITIONAL, Backoff, WatchList, in_transition

STATUSES = sorted(TRANSITIONAL | {"active", "killed", "deactivated", "deleted"})


def image(image_id: str, status: str, **extra: object) -> Image:
    return Image.model_validate({"id": image_id, "status": status, **extra})


@given(st.lists(st.booleans(), max_size=40))
def test_the_delay_grows_to_its_limit_and_starts_again_on_a_change(changes: list[bool]) -> None:
    backoff = Backoff()
    delay = None
    for changed in changes:
        previous, delay = delay, backoff.after(delay, changed=changed)
        assert backoff.first <= delay <= backoff.limit
        if changed or previous is None:
            assert delay == backoff.first
        else:
            assert delay >= previous


def test_quiet_rounds_reach_half_a_minute() -> None:
    backoff, delay = Backoff(), None
    delays = []
    for _ in range(10):
        delay = backoff.after(delay, changed=False)
        delays.append(delay)
    assert delays[0] == 2.0 and delays[-1] == 30.0


def test_an_import_running_on_an_active_image_is_a_transition() -> None:
    assert in_transition("active", ["store-b"])
    assert not in_transition("active", [])
    assert not in_transition(None)
    assert in_transition("queued")


@given(
    st.dictionaries(st.sampled_from("abcdefgh"), st.sampled_from(sorted(TRANSITIONAL)), max_size=8),
    st.dictionaries(st.sampled_from("abcdefghij"), st.sampled_from(STATUSES), max_size=10),
    st.sets(st.sampled_from("abcdefghij")),
)
def test_a_round_reports_only_followed_images_and_stops_following_settled_ones(
    followed: dict[str, str], read: dict[str, str], gone: set[str]
) -> None:
    watch = WatchList()
    for image_id, status in followed.items():
        watch.follow(image_id, status)
    result = watch.take([image(i, s) for i, s in read.items()], gone - set(read))
    # only what changed is reported: an unchanged image must cost the terminal nothing
    assert {img.id for img in result.images} == {i for i in set(read) & set(followed) if read[i] != followed[i]}
    settled = {i for i, status in read.items() if i in followed and status not in TRANSITIONAL}
    assert {s.image.id for s in result.settled} == settled
    assert all(s.before == followed[s.image.id] for s in result.settled)
    assert set(result.gone) == (gone - set(read)) & set(followed)
    still = {i for i in followed if i not in gone or i in read} - {s.image.id for s in result.settled}
    assert set(watch.ids) == still
    assert result.changed == bool(result.settled or result.gone)


def test_a_full_watch_leaves_rows_out_but_makes_room_for_the_users_own_image() -> None:
    watch = WatchList(limit=2)
    assert watch.follow("a", "queued") and watch.follow("b", "queued")
    assert not watch.follow("c", "queued")
    assert watch.ids == ("a", "b")
    assert watch.follow("mine", "queued", first=True)
    assert watch.ids == ("b", "mine")


def test_an_image_changed_by_someone_else_is_reported_though_still_in_transition() -> None:
    watch = WatchList()
    watch.follow("a", "queued", updated_at="2026-01-01T00:00:00Z")
    quiet = watch.take([image("a", "queued", updated_at="2026-01-01T00:00:00Z")], [])
    assert quiet.images == () and not quiet.changed
    renamed = watch.take([image("a", "queued", name="new", updated_at="2026-01-01T00:05:00Z")], [])
    assert [img.name for img in renamed.images] == ["new"] and watch.ids == ("a",)
