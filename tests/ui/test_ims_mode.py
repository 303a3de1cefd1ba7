"""IMS mode: the image type and platform columns, and the IMS group of the filter panel.

Pure logic first (FilterForm <-> ListQuery, the column layout), then Pilot sessions on the demo cloud that drive
real key presses.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from hypothesis import given
from hypothesis import strategies as st
from textual.widgets import Input, Select

from ims_tui.api import ims_filters
from ims_tui.api.models import ListQuery
from ims_tui.api.session import CloudSession, StaticSession
from ims_tui.ui.app import ImsApp
from ims_tui.ui.filter_model import IMS_FIELD_OF_KEY, IMS_PROPERTY_KEYS
from ims_tui.ui.screens.filter import (
    IMS_IMAGE_TYPES,
    IMS_OS_TYPES,
    IMS_PLATFORMS,
    FilterForm,
    FilterScreen,
)
from ims_tui.ui.screens.main import MainScreen
from ims_tui.ui.widgets.image_table import layout_for
from ims_tui.ui.widgets.status import StatusLine

from .helpers import list_requests, make_app, screen_text, settle

IMS_KEYS = IMS_PROPERTY_KEYS


def make_ims_app(*, ims: bool | None = True, **kwargs: Any) -> tuple[ImsApp, Any]:
    """The demo cloud, with the session marked IMS (as an IMS endpoint or a profile would), or not."""

    def mark(session: StaticSession) -> CloudSession:
        return StaticSession(session.info.with_changes(ims=ims), session.endpoint, transport=session.transport)

    return make_app(session_wrap=mark, **kwargs)


def main_screen(app: Any) -> MainScreen:
    screen = app.screen
    assert isinstance(screen, MainScreen), screen
    return screen


def params(path: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(path).query)


def status_text(app: Any) -> str:
    return str(app.screen.query_one(StatusLine).render())


# -- FilterForm: pure logic ---------------------------------------------------------------------------------

_text = st.text(st.characters(codec="utf-8", exclude_characters=",=\n\r"), min_size=1, max_size=12).map(str.strip)
_generic = st.lists(
    st.tuples(_text.filter(lambda k: bool(k) and k not in IMS_KEYS), _text),
    max_size=4,
)
_ims_form = st.builds(
    FilterForm,
    image_type=st.none() | st.sampled_from(IMS_IMAGE_TYPES),
    platform=st.none() | st.sampled_from(IMS_PLATFORMS),
    os_type=st.none() | st.sampled_from(IMS_OS_TYPES),
    registered=st.sampled_from(("any", "yes", "no")),
    environment=st.none() | st.sampled_from(ims_filters.VIRTUAL_ENV_TYPES),
    architecture=st.none() | st.sampled_from(ims_filters.ARCHITECTURES),
    supports=st.lists(st.sampled_from(ims_filters.SUPPORT_FLAGS), unique=True, max_size=3).map(
        lambda flags: tuple(flag for flag in ims_filters.SUPPORT_FLAGS if flag in flags)
    ),
    flavor=st.sampled_from(("", "s6.small.1")),
    enterprise_project=st.sampled_from(("", "0", "b3f4c9e2")),
)


def test_ims_fields_become_property_filters() -> None:
    form = FilterForm(image_type="gold", platform="Oracle Linux", os_type="Linux", registered="no", properties="a=b")
    query, errors = form.to_query()
    assert errors == {}
    assert query.properties == (
        ("__imagetype", "gold"),
        ("__platform", "Oracle Linux"),
        ("__os_type", "Linux"),
        ("__isregistered", "false"),
        ("a", "b"),
    )
    assert ("__imagetype", "gold") in query.to_params() and ("__isregistered", "false") in query.to_params()
    assert FilterForm(registered="yes").to_query()[0].properties == (("__isregistered", "true"),)
    assert FilterForm().to_query()[0] == ListQuery()


def test_from_query_moves_ims_properties_out_of_the_text_only_in_ims_mode() -> None:
    query = ListQuery(properties=(("hw_disk_bus", "virtio"), ("__platform", "Ubuntu"), ("__isregistered", "true")))
    ims = FilterForm.from_query(query, ims=True)
    assert (ims.platform, ims.registered, ims.image_type, ims.os_type) == ("Ubuntu", "yes", None, None)
    assert ims.properties == "hw_disk_bus=virtio"
    plain = FilterForm.from_query(query)
    assert (plain.platform, plain.registered) == (None, "any")
    assert plain.properties == "hw_disk_bus=virtio, __platform=Ubuntu, __isregistered=true"
    assert plain.to_query()[0].properties == query.properties


def test_values_the_fields_do_not_offer_stay_in_the_text() -> None:
    # a platform newer than the documented list, and a key given twice: nothing may be lost
    query = ListQuery(properties=(("__platform", "Rocky"), ("__imagetype", "gold"), ("__imagetype", "private")))
    form = FilterForm.from_query(query, ims=True)
    assert form.platform is None and form.image_type is None
    assert form.properties == "__platform=Rocky, __imagetype=gold, __imagetype=private"
    again, errors = form.to_query()
    assert errors == {} and again.properties == query.properties


def test_a_property_set_twice_is_an_error_on_the_text_field() -> None:
    query, errors = FilterForm(image_type="gold", properties="os=x, __imagetype=private").to_query()
    assert "__imagetype" in errors["properties"] and "image type" in errors["properties"]
    # without the field set, the text may name the IMS key itself
    query, errors = FilterForm(properties="__imagetype=private").to_query()
    assert errors == {} and query.properties == (("__imagetype", "private"),)


@given(_ims_form, _generic)
def test_ims_form_round_trips(form: FilterForm, generic: list[tuple[str, str]]) -> None:
    form.properties = ", ".join(f"{k}={v}" for k, v in generic)
    query, errors = form.to_query()
    assert errors == {}
    assert query.properties[: len(form.ims_properties())] == tuple(form.ims_properties())
    back = FilterForm.from_query(query, ims=True)
    assert ims_fields(back) == ims_fields(form)
    assert back.to_query() == (query, {})
    # the plain panel shows every filter as text, and sends the very same query
    plain = FilterForm.from_query(query)
    assert ims_fields(plain) == ims_fields(FilterForm())
    assert plain.to_query() == (query, {})


def ims_fields(form: FilterForm) -> dict[str, Any]:
    return {name: getattr(form, name) for name in set(IMS_FIELD_OF_KEY.values())}


@given(
    st.lists(
        st.tuples(
            st.sampled_from(sorted(IMS_KEYS)) | _text.filter(bool),
            st.sampled_from((*IMS_IMAGE_TYPES, *IMS_PLATFORMS, *IMS_OS_TYPES, "true", "false")) | _text,
        ),
        max_size=6,
    )
)
def test_any_property_filters_survive_the_ims_panel(properties: list[tuple[str, str]]) -> None:
    query = ListQuery(properties=tuple(properties))
    again, errors = FilterForm.from_query(query, ims=True).to_query()
    assert errors == {}
    assert sorted(again.properties) == sorted(query.properties)


# -- columns: pure logic ------------------------------------------------------------------------------------


def _keys(width: int, ims: bool) -> list[str]:
    return [column.key for column, _ in layout_for(width, ims).columns]


def test_ims_columns_need_room_and_ims() -> None:
    base = ["name", "status", "size", "visibility", "age"]
    assert _keys(79, True) == _keys(79, False) == base  # 80 columns: unchanged
    assert _keys(71, True) == base  # 120 columns beside the detail pane
    assert _keys(95, True) == ["name", "status", "size", "visibility", "type", "age"]
    assert "type" in _keys(88, True) and "type" not in _keys(87, True)
    assert "platform" in _keys(114, True) and "platform" not in _keys(113, True)
    for width in range(40, 260):
        plain = _keys(width, False)
        assert "type" not in plain and "platform" not in plain
        layout = layout_for(width, True)
        used = sum(cells for _, cells in layout.columns) + len(layout.columns)
        assert used == width
        cells = {column.key: cells for column, cells in layout.columns}
        if width >= 79:
            # the IMS columns never squeeze the name below what the widest plain set leaves it
            assert cells["name"] >= 29
    # the wide set moves up so the name keeps its room: owner & co. come at 155 in IMS mode
    assert "owner" in _keys(136, False) and "owner" not in _keys(154, True) and "owner" in _keys(155, True)


# -- Pilot: IMS sessions on the demo cloud --------------------------------------------------------------------


async def focus_by_keys(pilot: Any, widget_id: str, key: str = "shift+tab", limit: int = 30) -> None:
    """Press ``key`` until ``widget_id`` has the focus (a real user's Tab walk through the panel)."""
    for _ in range(limit):
        if pilot.app.focused is not None and pilot.app.focused.id == widget_id:
            return
        await pilot.press(key)
    raise AssertionError(f"{widget_id} never got the focus; at {pilot.app.focused!r}")


async def test_filter_by_image_type_gold_by_keys() -> None:
    app, cloud = make_ims_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert main_screen(app).ims
        await pilot.press("f")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, FilterScreen) and screen.ims
        await focus_by_keys(pilot, "f-ims-type")
        assert "image type" in screen_text(app)  # scrolled into view at 80x24
        await pilot.press("enter", "down", "enter")  # open the list, (any) -> gold, pick
        await pilot.pause()
        assert screen.query_one("#f-ims-type", Select).value == "gold"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        last = params(list_requests(cloud)[-1])
        assert last["__imagetype"] == ["gold"] and last["sort_key"] == ["created_at"]
        rows = main_screen(app).table.rows
        assert rows and all(row.image_type == "gold" for row in rows)
        assert "__imagetype=gold" in status_text(app)

        # Reopened, the filter sits in its own field and not a second time in the key=value text.
        await pilot.press("f")
        await pilot.pause()
        panel = app.screen
        assert isinstance(panel, FilterScreen)
        assert panel.query_one("#f-ims-type", Select).value == "gold"
        assert panel.query_one("#f-properties", Input).value == ""
        # "registered: no" too: shift+tab back past the buttons, Enter opens, End picks the last choice
        await focus_by_keys(pilot, "f-ims-registered")
        await pilot.press("enter", "end", "enter")
        await pilot.press("ctrl+s")
        await settle(pilot)
        last = params(list_requests(cloud)[-1])
        assert last["__imagetype"] == ["gold"] and last["__isregistered"] == ["false"]


async def test_ims_filters_round_trip_through_the_panel() -> None:
    app, cloud = make_ims_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        main = main_screen(app)
        main.apply_query(ListQuery(properties=(("__platform", "Ubuntu"), ("hw_disk_bus", "virtio"))))
        await settle(pilot)
        rows = main.table.rows
        assert rows and all(row.platform == "Ubuntu" for row in rows)
        await pilot.press("f")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, FilterScreen)
        assert screen.query_one("#f-ims-platform", Select).value == "Ubuntu"
        assert screen.query_one("#f-properties", Input).value == "hw_disk_bus=virtio"
        # Naming the key again in the text is refused until one of the two goes.
        await focus_by_keys(pilot, "f-properties")
        await pilot.press("end", *", __platform=Debian", "enter")
        await pilot.pause()
        assert app.screen is screen
        assert "__platform is already set" in str(screen.query_one("#e-properties").render())
        for _ in range(len(", __platform=Debian")):
            await pilot.press("backspace")
        sent = len(list_requests(cloud))
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        new = [params(p) for p in list_requests(cloud)[sent:]]
        assert new and all(q["__platform"] == ["Ubuntu"] and q["hw_disk_bus"] == ["virtio"] for q in new)


async def test_panel_without_ims_is_unchanged() -> None:
    app, _ = make_ims_app(ims=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert not main_screen(app).ims
        main_screen(app).apply_query(ListQuery(properties=(("__imagetype", "gold"),)))
        await settle(pilot)
        await pilot.press("f")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, FilterScreen) and not screen.ims
        assert not screen.query("#ims-group") and not screen.query("#f-ims-type")
        assert screen.query_one("#f-properties", Input).value == "__imagetype=gold"


async def test_wide_table_shows_type_and_platform() -> None:
    app, _ = make_ims_app()
    async with app.run_test(size=(200, 40)) as pilot:
        await settle(pilot)
        table = main_screen(app).table
        assert table.ims
        header = screen_text(app).splitlines()[1]
        assert " type " in header and " platform " in header
        ims_rows = [row for row in table.rows[:30] if row.image_type and row.platform]
        assert ims_rows
        lines = screen_text(app).splitlines()
        for row in ims_rows[:5]:
            line = next(line for line in lines if row.id[:8] in line)
            assert f" {row.image_type} " in line and f" {row.platform}" in line
        # Narrow, the base set stays: no room for them at 80 columns.
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        header = screen_text(app).splitlines()[1]
        assert " type " not in header and " platform " not in header and "visibility" in header


async def test_wide_table_without_ims_has_no_ims_columns() -> None:
    app, _ = make_ims_app(ims=False)
    async with app.run_test(size=(200, 40)) as pilot:
        await settle(pilot)
        assert not main_screen(app).table.ims
        header = screen_text(app).splitlines()[1]
        assert " type " not in header and " platform " not in header and " disk " in header
