"""Marks on the image list, by real keys at 80x24 (also sent back to back): space, V ranges, shift+arrows, all,
invert, clear, Esc; kept by id across sort, paging, refresh and filters; dropped, saying so, when an image is gone."""

from __future__ import annotations

from typing import Any

import httpx

from ims_tui.api.models import ListQuery
from ims_tui.demo import DemoCloud
from ims_tui.ui.app import ImsApp
from ims_tui.ui.screens.help import HelpScreen

from .helpers import BrokenEntries, main_screen, make_app, screen_text, settle, status_text


def notes(app: ImsApp) -> list[str]:
    return [notification.message for notification in app._notifications]


def row_ids(app: ImsApp, *indexes: int) -> list[str]:
    rows = main_screen(app).table.rows
    return [rows[i].id for i in indexes]


def marked(app: ImsApp) -> list[str]:
    return list(main_screen(app).marks.ids)


def pads(app: ImsApp, count: int) -> str:
    """The left pad of the first ``count`` rows on screen (line 0 is the header bar, 1 the column titles)."""
    return "".join(line[:1] for line in screen_text(app).splitlines()[2 : 2 + count])


async def delete_behind_the_back(cloud: DemoCloud, *image_ids: str) -> None:
    async with httpx.AsyncClient(transport=cloud.transport, base_url="http://demo") as other:
        for image_id in image_ids:
            assert (await other.delete(f"/v2/images/{image_id}")).status_code == 204


async def test_space_marks_and_moves_down_also_in_a_burst() -> None:
    app, _cloud = make_app(count=30)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("space", "space", "space")
        await settle(pilot)
        table = main_screen(app).table
        assert marked(app) == row_ids(app, 0, 1, 2) and table.cursor == 3
        assert pads(app, 5) == "***  "
        assert "3 marked" in status_text(app)
        await pilot.press("k", "space")  # back onto the third: space unmarks it
        await settle(pilot)
        assert marked(app) == row_ids(app, 0, 1) and pads(app, 4) == "**  "
        assert "2 marked" in status_text(app)


async def test_a_range_is_shown_as_it_grows_and_marked_by_space_or_v_or_cancelled_by_esc() -> None:
    app, _cloud = make_app(count=30)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("j", "V", "j", "j")
        await settle(pilot)
        assert marked(app) == [] and pads(app, 5) == " *** "  # shown, not yet marked
        assert "range: 3 rows" in status_text(app)
        await pilot.press("space")
        await settle(pilot)
        assert marked(app) == row_ids(app, 1, 2, 3) and "range" not in status_text(app)
        await pilot.press("j", "j", "V", "j", "k", "k", "k", "V")  # from row 5 up to row 2
        await settle(pilot)
        assert marked(app) == row_ids(app, 1, 2, 3, 4, 5) and pads(app, 7) == " ***** "
        await pilot.press("G", "V", "k", "escape")
        await settle(pilot)
        assert len(marked(app)) == 5 and "range" not in status_text(app)
        assert main_screen(app).marks.range is None


async def test_shift_arrows_mark_the_rows_they_pass() -> None:
    app, _cloud = make_app(count=30)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("shift+down", "shift+down", "j", "j", "j", "shift+up")
        await settle(pilot)
        assert marked(app) == row_ids(app, 0, 1, 2, 5, 4)
        assert pads(app, 7) == "*** ** "


async def test_mark_all_marks_only_what_the_quick_filter_shows_and_esc_clears_marks_before_the_filter() -> None:
    app, _cloud = make_app(count=60)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        await pilot.press("slash", "d", "e", "b", "enter", "asterisk")
        await settle(pilot)
        shown = [row.id for row in screen.table.rows]
        assert 0 < len(shown) < 60 and marked(app) == shown
        assert any("every row the quick filter shows" in note for note in notes(app))
        await pilot.press("escape")
        await settle(pilot)
        assert marked(app) == [] and screen.view.filtering  # Esc cleared the marks, the filter stays
        assert f"cleared {len(shown)} marks" in notes(app)
        await pilot.press("escape")
        await settle(pilot)
        assert not screen.view.filtering


async def test_ctrl_a_invert_and_clear() -> None:
    app, _cloud = make_app(count=30)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        rows = main_screen(app).table.rows
        await pilot.press("ctrl+a")
        await settle(pilot)
        assert len(marked(app)) == len(rows) and f"{len(rows)} marked" in status_text(app)
        await pilot.press("I", "space", "I")
        await settle(pilot)
        assert marked(app) == [row.id for row in rows[1:]]
        await pilot.press("U")
        await settle(pilot)
        assert marked(app) == [] and f"cleared {len(rows) - 1} marks" in notes(app)
        assert "marked" not in status_text(app)
        await pilot.press("ctrl+backslash")
        await settle(pilot)
        assert notes(app)[-1] == "nothing is marked"


async def test_marks_are_kept_by_id_across_sort_paging_and_refresh() -> None:
    app, _cloud = make_app()  # 2,000 images, 200 a page
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        await pilot.press("space", "space", "space", "G")
        await settle(pilot)
        kept = row_ids(app, 0, 1, 2)
        assert screen.table.row_count == 400 and marked(app) == kept
        await pilot.press("s", "S")  # sort by updated, then reverse it: two reloads
        await settle(pilot)
        assert marked(app) == kept and "3 marked" in status_text(app)
        loaded = {row.id for row in screen.table.rows}
        missing = sum(1 for image_id in kept if image_id not in loaded)
        assert (f"({missing} not loaded)" in status_text(app)) == bool(missing)
        await pilot.press("r")
        await settle(pilot)
        assert marked(app) == kept
        for index, row in enumerate(screen.table.rows[: screen.table._page]):
            assert pads(app, index + 1)[-1] == ("*" if row.id in kept else " ")


async def test_images_gone_from_a_complete_reload_or_found_gone_are_unmarked_saying_so() -> None:
    app, cloud = make_app(count=30)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        await pilot.press("j", "space", "space", "space", "space")
        await settle(pilot)
        first, *deleted, last = row_ids(app, 1, 2, 3, 4)
        await delete_behind_the_back(cloud, *deleted)
        await pilot.press("r")
        await settle(pilot)
        assert marked(app) == [first, last]
        assert "unmarked: 2 marked images are not in the list any more" in notes(app)[-1]
        # The detail pane finds the last one gone: it leaves the list and the marks
        await delete_behind_the_back(cloud, last)
        screen.table.move_to(screen.view.index_of(last) or 0)
        await pilot.pause()
        screen.flush_detail()
        await settle(pilot)
        assert marked(app) == [first]
        assert "unmarked 1 image that no longer exists" in notes(app)
        assert "1 marked" in status_text(app)


async def test_a_server_filter_keeps_the_marks_it_still_lists() -> None:
    app, _cloud = make_app(count=40)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        await pilot.press("asterisk")
        await settle(pilot)
        rows = list(screen.table.rows)
        public = [row.id for row in rows if row.visibility == "public"]
        assert 0 < len(public) < len(rows)
        screen.apply_query(ListQuery(visibility="public"))
        await settle(pilot)
        assert marked(app) == public
        assert f"{len(rows) - len(public)} marked images are not in the list any more" in notes(app)[-1]


async def test_a_row_without_an_id_cannot_be_marked_and_says_why() -> None:
    app, _cloud = make_app(count=30, wrap=BrokenEntries)  # row 1: a size that is text; row 2: no id
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("j", "space", "space")
        await settle(pilot)
        assert marked(app) == row_ids(app, 1)  # broken but with a real id: it can be marked
        assert pads(app, 4) == " *! "  # marked shows "*"; the status column still says "bad: ..." in words
        assert "bad: " in screen_text(app).splitlines()[3]
        assert any("cannot mark this row" in note for note in notes(app))
        await pilot.press("asterisk")
        await settle(pilot)
        assert len(marked(app)) == main_screen(app).table.row_count - 1
        assert "1 row without an id left out" in notes(app)[-1]


async def test_marks_work_in_a_read_only_session_and_show_in_help_and_the_palette() -> None:
    app, _cloud = make_app(count=30, read_only=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("space")
        await settle(pilot)
        assert len(marked(app)) == 1
        commands = {command.title: command.help for command in app.get_system_commands(app.screen)}
        for title, key in [("Mark or unmark", "space"), ("Mark all shown", "*"), ("Clear marks", "U")]:
            assert commands[title].endswith(f"({key})"), commands[title]
        assert "Invert marks" in commands and "Mark a range" in commands
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        listed = {ident: keys for _title, rows in app.screen.groups for keys, _what, ident in rows}
        assert listed["main.mark"] == "space" and listed["main.mark_range"] == "V"
        for binding_id in ("main.mark_down", "main.mark_up", "main.mark_all", "main.invert_marks", "main.clear_marks"):
            assert binding_id in listed


async def test_marking_stays_cheap_with_100000_images_loaded() -> None:
    app, _cloud = make_app(count=100_000, page_size=1000)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        assert screen.listing is not None
        await screen.listing.ensure_loaded(100_000)  # every page, without a repaint per page
        screen.view.reloaded()
        table = screen.table
        table.set_rows(screen.view.visible)
        await settle(pilot)
        loaded = table.row_count
        assert loaded > 80_000
        painted: list[int] = []
        paint = table._render_row

        def counting(*args: Any) -> Any:
            painted.append(1)
            return paint(*args)

        table._render_row = counting  # type: ignore[method-assign]
        await pilot.press("asterisk")
        await settle(pilot)
        assert len(screen.marks) == loaded and f"{loaded:,} marked" in status_text(app)
        assert len(painted) <= 2 * 22  # the lines on screen, not the rows loaded
        painted.clear()
        await pilot.press("space", "space", "space")
        await settle(pilot)
        assert len(screen.marks) == loaded - 3 and len(painted) <= 3 * 4
        await pilot.press("I")
        await settle(pilot)
        assert len(screen.marks) == 3
        await pilot.press("V", "G", "V")
        await settle(pilot)
        assert len(screen.marks) == loaded  # rows 3 to the end joined the first three
        assert len(table._cache) < 200
        await pilot.press("escape")
        await settle(pilot)
        assert len(screen.marks) == 0
