"""The filter panel's table and rules without a screen: every field declared once, and text <-> ListQuery."""

from __future__ import annotations

from dataclasses import fields

from ims_tui.api.models import DateFilter, ListQuery
from ims_tui.ui.filter_model import FILTER_FIELDS, IMS_FIELD_OF_KEY, IMS_FIELDS, FilterForm


def test_every_form_attribute_is_edited_by_exactly_one_row() -> None:
    edited = [key for field in FILTER_FIELDS for key in field.keys]
    assert sorted(edited) == sorted(f.name for f in fields(FilterForm))


def test_widget_ids_are_unique_and_the_ims_rows_come_last() -> None:
    ids = [field.widget_id for field in FILTER_FIELDS]
    assert len(ids) == len(set(ids))
    flags = [field.ims for field in FILTER_FIELDS]
    assert flags == sorted(flags)  # the IMS group is one block at the end
    assert {field.key for field in FILTER_FIELDS if field.ims} == set(IMS_FIELD_OF_KEY.values())


def test_each_ims_select_offers_every_value_its_property_can_come_back_as() -> None:
    for field in FILTER_FIELDS:
        if field.ims and field.kind == "choice":
            _, values = IMS_FIELDS[field.key]
            assert set(values.values()) <= {choice for _, choice in field.choices}, field.key


def test_a_select_without_a_blank_defaults_to_its_first_choice() -> None:
    for field in FILTER_FIELDS:
        if field.kind == "choice" and field.prompt is None:
            assert getattr(FilterForm(), field.key) == field.choices[0][1]


def test_dates_are_whole_days_both_ways() -> None:
    form = FilterForm(created_from="2026-01-01", created_to="2026-01-31", updated_to="2026-02-28")
    query, errors = form.to_query()
    assert errors == {}
    assert query.created_at == (
        DateFilter(op="gte", value="2026-01-01T00:00:00Z"),
        DateFilter(op="lt", value="2026-02-01T00:00:00Z"),
    )
    assert query.updated_at == (DateFilter(op="lt", value="2026-03-01T00:00:00Z"),)
    again = FilterForm.from_query(query)
    assert (again.created_from, again.created_to, again.updated_to) == ("2026-01-01", "2026-01-31", "2026-02-28")


def test_a_range_that_ends_before_it_starts_is_reported_on_its_end() -> None:
    _, errors = FilterForm(updated_from="2026-03-01", updated_to="2026-02-01").to_query()
    assert errors == {"updated_to": "ends before it starts"}


def test_a_hostile_property_item_is_reported_escaped() -> None:
    _, errors = FilterForm(properties="\u202eevil\x1b").to_query()
    assert errors["properties"] == "'\\\\u202eevil\\\\x1b' is not key=value"


def test_an_empty_panel_is_no_filter() -> None:
    assert FilterForm().to_query() == (ListQuery(), {})
