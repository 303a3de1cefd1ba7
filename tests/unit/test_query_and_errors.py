"""Query rendering by Glance's rules, and turning any error body into one clean human message."""

from __future__ import annotations

import dataclasses
import json
from urllib.parse import parse_qsl, urlencode

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ims_tui.api.errors import (
    ApiError,
    BadRequest,
    Conflict,
    Forbidden,
    MalformedResponse,
    NetworkError,
    NotFound,
    ServerError,
    clean_text,
    error_from_response,
    message_from_body,
    network_error,
)
from ims_tui.api.image_rows import ImagePage
from ims_tui.api.messages import describe_body
from ims_tui.api.models import FILTER_PARAMS, DateFilter, Image, ListQuery


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


def test_a_query_is_a_hashable_value_even_when_given_lists() -> None:
    given = ListQuery(
        statuses=["active"],  # type: ignore[arg-type]
        created_at=[DateFilter("gte", "2026-01-01T00:00:00Z")],  # type: ignore[arg-type]
        properties=[["os_distro", "ubuntu"]],  # type: ignore[arg-type]
        sort=[("name", "asc")],  # type: ignore[arg-type]
    )
    same = ListQuery(
        statuses=("active",),
        created_at=(DateFilter(op="gte", value="2026-01-01T00:00:00Z"),),
        properties=(("os_distro", "ubuntu"),),
        sort=(("name", "asc"),),
    )
    assert given == same and hash(given) == hash(same) and len({given, same}) == 1
    assert given.with_changes(tags=["a", "b"]).tags == ("a", "b")
    assert given.with_changes(limit=5) != given and given.limit is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        given.limit = 3  # type: ignore[misc]


def test_a_date_filter_refuses_an_unknown_operator() -> None:
    with pytest.raises(ValueError, match="'foo' is not a date operator"):
        DateFilter("foo", "2026-01-01")  # type: ignore[arg-type]
    assert DateFilter("neq", "2026-01-01").render() == "neq:2026-01-01"


def test_every_query_field_is_one_row_of_the_filter_table() -> None:
    filters = {f.name for f in dataclasses.fields(ListQuery)} - {"sort", "sort_style"}
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
    # one bad image no longer fails its page (tests/unit/test_bad_rows.py): only a page that is not one does
    [[], "x", {"images": None}, {"images": {"id": "a"}}, {"images": [], "next": 5}],
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


# -- readable reasons, status first ---------------------------------------------------------------------------

NGINX_502 = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>"
    b"\r\n<hr><center>nginx/1.25.3</center>\r\n</body>\r\n</html>\r\n"
)
APACHE_503 = (
    b"<!DOCTYPE HTML><html><head><title>503 Service Unavailable</title></head><body><h1>Service Unavailable</h1>"
    b"<p>The server is temporarily unable to service your request.</p><hr>"
    b"<address>Apache/2.4.58 (Ubuntu) Server at cloud Port 443</address></body></html>"
)
# Glance 33's answer to POST /v2/images {"disk_format": "x"}, as the real server sends it (Accept: JSON and HTML)
SCHEMA_REASON = (
    "Provided object does not match schema 'image': 'x' is not one of [None, 'ami', 'ari', 'aki', 'vhd', 'vhdx',"
    " 'vmdk', 'raw', 'qcow2', 'vdi', 'iso', 'ploop']"
)
SCHEMA_DUMP = (
    "\n\nFailed validating 'enum' in schema['properties']['disk_format']:\n    {'type': ['null', 'string'],\n"
    "     'description': 'Format of the disk',\n     'enum': [None,\n              'ami',\n              'ploop']}"
    "\n\nOn instance['disk_format']:\n    'x'<br /><br />\n\n\n"
)


def _answer(status: int, body: bytes, content_type: str, method: str = "POST", **headers: str) -> httpx.Response:
    request = httpx.Request(method, "http://cloud:9292/v2/images")
    named = {name.replace("_", "-"): value for name, value in headers.items()}
    return httpx.Response(status, content=body, headers={"content-type": content_type, **named}, request=request)


def test_a_load_balancer_page_gives_its_title_not_its_signature() -> None:
    error = error_from_response(_answer(502, NGINX_502, "text/html", x_openstack_request_id="req-9"))
    assert error.message == "502 Bad Gateway"
    assert error.one_line() == "HTTP 502 Bad Gateway · request id req-9"
    apache = error_from_response(_answer(503, APACHE_503, "text/html"))
    assert apache.message == "The server is temporarily unable to service your request."
    assert (
        apache.one_line() == "HTTP 503 Service Unavailable: The server is temporarily unable to service your request."
    )
    bare = error_from_response(_answer(504, b"<html><body><h1>Gateway Timeout</h1></body></html>", "text/html"))
    assert bare.message == "Gateway Timeout" and bare.one_line() == "HTTP 504 Gateway Timeout"


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (
            json.dumps({"message": SCHEMA_REASON + SCHEMA_DUMP, "code": "400 Bad Request", "title": "Bad Request"}),
            "json",
        ),
        (
            f"<html><head><title>400 Bad Request</title></head><body><h1>400 Bad Request</h1>{SCHEMA_REASON}"
            f"{SCHEMA_DUMP}</body></html>".replace("'", "&#x27;"),
            "text/html; charset=UTF-8",
        ),
    ],
    ids=["json", "html"],
)
def test_a_schema_validation_400_gives_the_reason_without_the_schema_dump(body: str, content_type: str) -> None:
    error = error_from_response(_answer(400, body.encode(), content_type))
    assert isinstance(error, BadRequest)
    assert error.message == SCHEMA_REASON
    assert error.one_line().startswith("HTTP 400 Bad Request: Provided object does not match schema 'image'")


def test_one_line_leads_with_the_status_and_ends_with_the_request_id() -> None:
    busy = ServerError("The server is busy", status=503, request_id="req-1")
    assert busy.status_phrase == "Service Unavailable"
    assert busy.one_line() == "HTTP 503 Service Unavailable: The server is busy · request id req-1"
    assert NotFound(status=404).one_line().startswith("HTTP 404 Not Found: no such image")
    assert ApiError("odd", status=599).one_line() == "HTTP 599: odd"  # no standard phrase
    assert NetworkError("the line dropped").one_line() == "the line dropped"
    unusable = MalformedResponse("the answer was not JSON: it was an empty answer", status=200)
    assert unusable.one_line() == "HTTP 200 OK, but the answer was not JSON: it was an empty answer"


def test_describe_is_the_full_error_one_fact_a_line() -> None:
    error = ServerError(
        "The server is busy",
        status=502,
        request_id="req-7",
        method="PATCH",
        path="/v2/images/abc",
        outcome_unknown=True,
    )
    assert error.describe().splitlines() == [
        "The server is busy",
        "HTTP 502 Bad Gateway",
        "PATCH /v2/images/abc",
        "request id req-7",
        "the request may have reached the image service and been applied: check before repeating it",
    ]
    assert NetworkError("no route").describe() == "no route"


@given(
    st.text(min_size=1, max_size=300),
    st.sampled_from([None, 200, 400, 404, 409, 500, 502, 503, 599]),
    st.one_of(st.none(), st.from_regex(r"req-[0-9a-f]{8}", fullmatch=True)),
)
def test_one_line_is_one_line_status_first_request_id_last(message: str, status: int | None, rid: str | None) -> None:
    text = ApiError(message, status=status, request_id=rid).one_line()
    assert "\n" not in text and "\r" not in text
    if status:
        assert text.startswith(f"HTTP {status}")
    if rid:
        assert text.endswith(f" · request id {rid}")


@pytest.mark.parametrize(
    ("method", "status", "body", "content_type", "unknown"),
    [
        ("POST", 400, b'{"message": "bad"}', "application/json", False),
        ("PATCH", 409, b'{"message": "changed"}', "application/json", False),
        ("POST", 500, b'{"message": "The server has either erred"}', "application/json", False),
        ("POST", 500, b"<html><body>Internal Server Error</body></html>", "text/html", True),
        ("DELETE", 502, NGINX_502, "text/html", True),
        ("PATCH", 504, b"Gateway Timeout", "text/plain", True),
        ("POST", 503, b"busy", "text/plain", False),
        ("GET", 502, NGINX_502, "text/html", False),
    ],
)
def test_an_error_answer_says_whether_the_write_may_have_been_applied(
    method: str, status: int, body: bytes, content_type: str, unknown: bool
) -> None:
    assert error_from_response(_answer(status, body, content_type, method)).outcome_unknown is unknown


TIMEOUTS = {"connect": 5.0, "read": 30.0, "write": 30.0, "pool": 30.0}


def _failure(cls: type[httpx.HTTPError], text: str, method: str = "POST") -> httpx.HTTPError:
    request = httpx.Request(method, "http://cloud:9292/v2/images", extensions={"timeout": TIMEOUTS})
    return cls(text, request=request)  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("cls", "text", "kind", "words", "unknown"),
    [
        # what each fault of tools/fault_proxy.py raises against the real Glance (see test_write_outcomes.py)
        (
            httpx.ReadError,
            "",
            "dropped",
            "connection dropped before the answer was complete (the image service at cloud:9292)",
            True,
        ),
        (
            httpx.RemoteProtocolError,
            "peer closed connection without sending complete message body (received 38 bytes, expected 77)",
            "cut_off",
            "answer cut off: the connection to the image service at cloud:9292 dropped after 38 of 77 bytes",
            True,
        ),
        (
            httpx.ReadTimeout,
            "",
            "read_timeout",
            "timed out after 30 s waiting for the image service at cloud:9292 to answer",
            True,
        ),
        # and the rest
        (
            httpx.RemoteProtocolError,
            "Server disconnected without sending a response.",
            "dropped",
            "connection dropped",
            True,
        ),
        (httpx.WriteError, "", "write", "dropped while sending the request", True),
        (httpx.WriteTimeout, "", "timeout", "timed out after 30 s", True),
        (httpx.ConnectTimeout, "", "connect_timeout", "timed out after 5 s connecting to the image service", False),
        (httpx.ConnectError, "[Errno 111] Connection refused", "connect", "cannot connect to cloud:9292", False),
        (httpx.PoolTimeout, "", "timeout", "timed out after 30 s", False),
    ],
)
def test_network_failures_in_plain_words(
    cls: type[httpx.HTTPError], text: str, kind: str, words: str, unknown: bool
) -> None:
    error = network_error(_failure(cls, text), "http://cloud:9292/v2/images", method="POST", path="/v2/images")
    assert error.kind == kind
    assert words in error.message
    assert error.outcome_unknown is unknown
    assert error.one_line() == error.message  # no status: the reason alone
    read = network_error(_failure(cls, text, "GET"), "http://cloud:9292/v2/images", method="GET")
    assert read.outcome_unknown is False  # a read applies nothing


def test_a_timeout_without_a_known_limit_still_reads_well() -> None:
    error = network_error(httpx.ReadTimeout("", request=httpx.Request("GET", "http://h/")), "http://h/")
    assert error.message == "timed out waiting for the image service at h to answer"


def test_a_body_that_is_not_json_is_described() -> None:
    assert describe_body(b"<html><body>Welcome to the proxy</body></html>", "text/html") == (
        "an HTML page: 'Welcome to the proxy'"
    )
    assert describe_body(NGINX_502, "text/html") == "an HTML page titled '502 Bad Gateway'"
    assert describe_body(b"  ", "application/json") == "an empty answer"
    assert describe_body(b"ok\x1b[2J done", "text/plain; charset=utf-8") == "text/plain: 'ok[2J done'"


def test_a_failed_token_request_is_not_a_write_that_may_have_been_applied() -> None:
    failure = httpx.ReadError("", request=httpx.Request("POST", "https://ks.example/v3/auth/tokens"))
    error = network_error(failure, "https://ks.example/v3", "Keystone", method="POST")
    assert "dropped" in error.message and error.outcome_unknown is False
