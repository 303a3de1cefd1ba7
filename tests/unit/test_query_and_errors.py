"""Query rendering by Glance's rules, and turning any error body into one clean human message."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ims_tui.api.errors import (
    BadRequest,
    Conflict,
    Forbidden,
    MalformedResponse,
    NotFound,
    ServerError,
    clean_text,
    error_from_response,
    message_from_body,
)
from ims_tui.api.models import FILTER_PARAMS, DateFilter, Image, ImagePage, ListQuery


def test_name_is_always_sent_with_eq_so_colons_are_safe() -> None:
    assert ListQuery(name="win:2022").to_params() == [("name", "eq:win:2022")]


def test_lists_use_in_and_tags_repeat() -> None:
    params = ListQuery(statuses=("active", "queued"), disk_formats=("raw",), tags=("a", "b")).to_params()
    assert ("status", "in:active,queued") in params
    assert ("disk_format", "raw") in params
    assert [v for k, v in params if k == "tag"] == ["a", "b"]


def test_date_operators_and_custom_properties() -> None:
    query = ListQuery(
        created_at=(DateFilter(op="gte", value="2026-01-01T00:00:00Z"),),
        updated_at=(DateFilter(op="lt", value="2026-02-01T00:00:00Z"),),
        properties=(("os_distro", "ubuntu"), ("__imagetype", "gold")),
        protected=False,
        size_min=10,
    )
    params = query.to_params()
    assert ("created_at", "gte:2026-01-01T00:00:00Z") in params
    assert ("updated_at", "lt:2026-02-01T00:00:00Z") in params
    assert ("os_distro", "ubuntu") in params and ("__imagetype", "gold") in params
    assert ("protected", "false") in params and ("size_min", "10") in params


def test_both_sort_styles() -> None:
    keys = ListQuery(sort=(("name", "asc"), ("created_at", "desc"))).to_params()
    assert keys == [("sort_key", "name"), ("sort_key", "created_at"), ("sort_dir", "asc"), ("sort_dir", "desc")]
    combined = ListQuery(sort=(("name", "asc"), ("size", "desc")), sort_style="combined").to_params()
    assert combined == [("sort", "name:asc,size:desc")]


def test_every_query_field_is_one_row_of_the_filter_table() -> None:
    filters = set(ListQuery.model_fields) - {"sort", "sort_style"}
    assert sorted(row.field for row in FILTER_PARAMS) == sorted(filters)


def test_the_status_line_names_filters_from_the_same_rows_as_the_query_string() -> None:
    query = ListQuery(
        limit=5,
        name="web",
        statuses=("active",),
        visibility="private",
        disk_formats=("raw", "qcow2"),
        size_min=1,
        properties=(("os_distro", "ubuntu"),),
        os_hidden=True,
    )
    assert query.describe_filters() == [
        "name=web",
        "status=active",
        "visibility=private",
        "disk=raw,qcow2",
        "size>=1",
        "os_distro=ubuntu",
        "hidden only",
    ]
    assert query.to_params() == [
        ("limit", "5"),
        ("name", "eq:web"),
        ("status", "active"),
        ("visibility", "private"),
        ("disk_format", "in:raw,qcow2"),
        ("size_min", "1"),
        ("os_distro", "ubuntu"),
        ("os_hidden", "true"),
    ]
    assert ListQuery(limit=5, os_hidden=False).describe_filters() == []


@given(st.text(min_size=1, max_size=30))
def test_any_name_round_trips_through_the_query_string(name: str) -> None:
    rendered = urlencode(ListQuery(name=name).to_params())
    assert dict(parse_qsl(rendered)) == {"name": "eq:" + name}


def _response(status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None) -> httpx.Response:
    request = httpx.Request("GET", "http://x/v2/images/abc")
    return httpx.Response(
        status, content=body, headers={"content-type": content_type, **(headers or {})}, request=request
    )


def test_glance_json_error() -> None:
    body = (
        b'{"code": "403 Forbidden", "title": "Forbidden", "message": "Attribute status is read-only.<br /><br />\\n"}'
    )
    error = error_from_response(_response(403, body, "application/json", {"x-openstack-request-id": "req-1"}))
    assert isinstance(error, Forbidden)
    assert error.message == "Attribute status is read-only."
    assert error.request_id == "req-1"
    assert "HTTP 403" in error.describe() and "req-1" in error.describe()


def test_ims_json_error() -> None:
    body = b'{"error": {"code": "IMG.0057", "message": "The image does not exist."}}'
    error = error_from_response(_response(404, body, "application/json", {"X-Request-Id": "abc"}))
    assert isinstance(error, NotFound)
    assert error.message == "The image does not exist. (IMG.0057)"
    assert error.request_id == "abc"


def test_html_error_page() -> None:
    body = (
        b"<html>\n <head>\n  <title>409 Conflict</title>\n </head>\n <body>\n  <h1>409 Conflict</h1>\n"
        b"  There was a conflict when trying to complete your request.<br /><br />\nImage status transition"
        b" from active to queued is not allowed\n\n </body>\n</html>"
    )
    error = error_from_response(_response(409, body, "text/html"))
    assert isinstance(error, Conflict)
    assert "<" not in error.message and "409 Conflict" not in error.message
    assert "There was a conflict" in error.message and "not allowed" in error.message


def test_plain_text_and_gateway_errors() -> None:
    error = error_from_response(_response(502, b"Bad Gateway\n", "text/plain"))
    assert isinstance(error, ServerError)
    assert error.message == "Bad Gateway"
    empty = error_from_response(_response(500, b"", "text/plain"))
    assert empty.message == ServerError.default_message


def test_escape_codes_in_messages_are_removed() -> None:
    assert "\x1b" not in message_from_body(b"bad \x1b[2J name", "text/plain")
    assert clean_text("a<br/>b") == "a\nb"


def test_bad_request_with_marker_is_stale_marker() -> None:
    error = error_from_response(_response(400, b'{"message": "Invalid marker. Image abc could not be found."}', "json"))
    assert isinstance(error, BadRequest)
    assert type(error).__name__ == "StaleMarker"


@pytest.mark.parametrize(
    "data",
    [[], "x", {"images": None}, {"images": [1]}, {"images": [{"name": "no id"}]}, {"images": [], "next": 5}],
)
def test_malformed_pages_are_typed_errors(data: object) -> None:
    with pytest.raises(MalformedResponse):
        ImagePage.parse(data)


def test_unknown_keys_round_trip() -> None:
    raw = {"id": "x", "name": "n", "__image_size": "1024", "size": 0, "custom/k~": "v", "tags": None}
    image = Image.parse(raw)
    assert image.properties == {"__image_size": "1024", "custom/k~": "v"}
    assert image.effective_size == 1024
    assert image.tags == []
    assert image.to_dict()["custom/k~"] == "v"
    assert image.editable()["custom/k~"] == "v"
