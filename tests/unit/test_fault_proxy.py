"""The fault-injecting proxy itself (tools/fault_proxy.py), against a small HTTP server on 127.0.0.1.

Each fault must reach the client as the real thing would: a reset is a transport error, a truncated body is an
incomplete read, a hang is a read timeout; a rule counts down and then the proxy forwards untouched again.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from tools.fault_proxy import (
    FaultProxy,
    glance_error,
    hang,
    html_page,
    non_json,
    reset_before,
    reset_mid,
    rewrite_json,
    truncated,
)

BODY = {"images": [{"id": "a", "name": "x" * 2000, "virtual_size": 10}], "first": "/v2/images"}


class Upstream(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        data = json.dumps(BODY).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_PATCH(self) -> None:  # noqa: N802
        length = int(self.headers["Content-Length"])
        echoed = self.rfile.read(length)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(echoed)))
        self.end_headers()
        self.wfile.write(echoed)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def upstream() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Upstream)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def proxy(upstream: str) -> Iterator[FaultProxy]:
    with FaultProxy(upstream) as running:
        yield running


def client(proxy: FaultProxy, timeout: float = 5.0) -> httpx.Client:
    return httpx.Client(base_url=proxy.url, timeout=timeout)


def test_without_a_rule_requests_pass_through_on_one_kept_alive_connection(proxy: FaultProxy) -> None:
    with client(proxy) as http:
        first = http.get("/v2/images?limit=1")
        second = http.patch("/v2/images/a", content=b'[{"op": "add"}]')
    assert first.json() == BODY and second.content == b'[{"op": "add"}]'
    assert [(r.method, r.target) for r in proxy.seen] == [("GET", "/v2/images?limit=1"), ("PATCH", "/v2/images/a")]
    assert proxy.seen[1].body == b'[{"op": "add"}]'


def test_a_rule_counts_down_then_the_server_answers_again(proxy: FaultProxy) -> None:
    proxy.inject(glance_error(503, "The server is busy"), method="GET", path="/v2/images", times=2)
    with client(proxy) as http:
        statuses = [http.get("/v2/images").status_code for _ in range(3)]
        assert http.patch("/v2/images/a", content=b"[]").status_code == 200  # other methods never matched
    assert statuses == [503, 503, 200]
    assert [r.fault for r in proxy.seen] == ["answer", "answer", None, None]


def test_error_answers_look_like_glance_and_like_a_load_balancer(proxy: FaultProxy) -> None:
    proxy.inject(glance_error(500, "Internal error", request_id="req-42"))
    proxy.inject(html_page(502, "502 Bad Gateway"))
    proxy.inject(non_json())
    with client(proxy) as http:
        glance, page, junk = http.get("/"), http.get("/"), http.get("/")
    assert glance.status_code == 500 and glance.json()["message"] == "Internal error"
    assert glance.headers["x-openstack-request-id"] == "req-42"
    assert page.status_code == 502 and "<title>502 Bad Gateway</title>" in page.text
    assert junk.status_code == 200 and junk.headers["content-type"] == "text/html"


def test_resets_and_truncation_are_transport_errors(proxy: FaultProxy) -> None:
    with client(proxy) as http:
        for fault in (reset_before(), reset_mid(), truncated()):
            proxy.inject(fault)
            with pytest.raises(httpx.TransportError):
                http.get("/v2/images").read()
        assert http.get("/v2/images").json() == BODY  # the client reconnects; nothing is left over


def test_a_rewritten_answer_keeps_a_right_content_length(proxy: FaultProxy) -> None:
    def break_types(data: dict[str, object]) -> None:
        data["images"][0]["virtual_size"] = "null"  # type: ignore[index]

    proxy.inject(rewrite_json(break_types))
    with client(proxy) as http:
        answer = http.get("/v2/images")
    assert answer.json()["images"][0]["virtual_size"] == "null"


def test_a_hang_outlasts_the_client_timeout_and_is_released(proxy: FaultProxy) -> None:
    proxy.inject(hang(30))
    with client(proxy, timeout=0.3) as http:
        with pytest.raises(httpx.ReadTimeout):
            http.get("/v2/images")
        proxy.release()
        assert http.get("/v2/images").status_code == 200
