"""A fault-injecting HTTP/1.1 proxy on 127.0.0.1 in front of a real server: the fault suite's link, a far cloud.

The faults are real ones on a real socket, so the client meets them as it would on a bad day: a connection reset
(TCP RST) before or in the middle of an answer, a body shorter than its Content-Length, a hang past the client's
timeout, an HTML page from a load balancer, a 2xx that is not JSON, a JSON answer with fields rewritten. Rules are
switched per request while the proxy runs: ``proxy.inject(fault, method="PATCH", path="/v2/images/", times=1)``;
the first rule that matches a request is used and counts down; without one the request is forwarded untouched.

The proxy runs its own asyncio loop in a daemon thread, so a Pilot test (which owns the main loop) and a plain
script can both drive it. Every request is recorded in ``seen``. Bounded: a hang ends by itself after
``seconds`` (or at ``release()``/``stop()``), and nothing listens anywhere but 127.0.0.1.

    with FaultProxy("http://127.0.0.1:9292") as proxy:
        proxy.inject(reset_mid(), method="GET", path="/v2/images")
        ...  # point the client at proxy.url
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import socket
import struct
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

HOP_BY_HOP = frozenset({"connection", "keep-alive", "transfer-encoding", "proxy-connection", "te", "upgrade"})
REASONS = {200: "OK", 201: "Created", 204: "No Content", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden"}
REASONS |= {404: "Not Found", 409: "Conflict", 500: "Internal Server Error", 502: "Bad Gateway"}
REASONS |= {503: "Service Unavailable", 504: "Gateway Timeout"}


@dataclass(frozen=True)
class Fault:
    """What to do with a matched request. Build one with the functions below rather than by hand."""

    kind: str  # answer | reset_before | reset_mid | truncate | rewrite | hang | delay | cut_request
    status: int = 0
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()
    rewrite: Callable[[bytes], bytes] | None = None
    seconds: float = 0.0
    fraction: float = 0.5  # how much of the body reset_mid, truncate and cut_request let through


def answer(status: int, body: bytes | str, content_type: str = "application/json", **headers: str) -> Fault:
    """Answer for the server, without asking it."""
    data = body.encode() if isinstance(body, str) else body
    extra = tuple((name.replace("_", "-"), value) for name, value in headers.items())
    return Fault("answer", status=status, body=data, headers=(("Content-Type", content_type), *extra))


def glance_error(status: int, message: str, request_id: str = "req-fault-0001") -> Fault:
    """An error in Glance's own JSON shape (webob's), with a request id as Glance sends one."""
    title = REASONS.get(status, "Error")
    body = json.dumps({"code": status, "title": title, "message": message})
    return answer(status, body, "application/json", x_openstack_request_id=request_id)


def html_page(status: int, title: str, heading: str | None = None) -> Fault:
    """The HTML error page a load balancer or reverse proxy sends (nginx, HAProxy, ...)."""
    body = f"<html><head><title>{title}</title></head><body><center><h1>{heading or title}</h1></center>"
    body += "<hr><center>nginx</center></body></html>"
    return answer(status, body, "text/html")


def reset_before() -> Fault:
    """The connection is reset before any byte of the answer."""
    return Fault("reset_before")


def reset_mid(fraction: float = 0.5) -> Fault:
    """The server's answer starts (status, headers, part of the body), then the connection is reset."""
    return Fault("reset_mid", fraction=fraction)


def truncated(fraction: float = 0.5) -> Fault:
    """The server's answer with its full Content-Length, but only part of the body, then a clean close."""
    return Fault("truncate", fraction=fraction)


def rewrite(change: Callable[[bytes], bytes]) -> Fault:
    """The server's answer with its body changed by ``change`` (Content-Length follows)."""
    return Fault("rewrite", rewrite=change)


def rewrite_json(change: Callable[[Any], Any]) -> Fault:
    """The server's JSON answer changed by ``change`` (which may edit the value in place and return None)."""

    def apply(body: bytes) -> bytes:
        data = json.loads(body)
        changed = change(data)
        return json.dumps(data if changed is None else changed).encode()

    return rewrite(apply)


def non_json() -> Fault:
    """A 200 whose body is not JSON at all, as a captive portal or a misrouted request would give."""
    return answer(200, "<html><body>Welcome to the proxy</body></html>", "text/html")


def hang(seconds: float = 60.0) -> Fault:
    """No answer at all until ``seconds`` pass (or ``release()``); then the connection is closed."""
    return Fault("hang", seconds=seconds)


def delay(seconds: float) -> Fault:
    """The server's answer, ``seconds`` late: a far cloud."""
    return Fault("delay", seconds=seconds)


def cut_request(fraction: float = 0.5) -> Fault:
    """An upload cut mid-way: the server gets the head and ``fraction`` of the body, then both connections drop
    (the client's with a reset), as when a link fails during a long PUT."""
    return Fault("cut_request", fraction=fraction)


@dataclass
class Rule:
    fault: Fault
    method: str | None = None
    path: str | re.Pattern[str] | None = None  # a prefix of path+query, or a pattern searched in it
    times: int | None = 1  # None: every matching request
    hits: int = 0

    def matches(self, method: str, target: str) -> bool:
        if self.times is not None and self.hits >= self.times:
            return False
        if self.method is not None and self.method != method:
            return False
        if isinstance(self.path, re.Pattern):
            return self.path.search(target) is not None
        return self.path is None or target.startswith(self.path)


@dataclass
class Request:
    method: str
    target: str
    headers: list[tuple[str, str]]
    body: bytes
    fault: str | None = None  # the kind of fault it met, if any

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)


@dataclass
class Response:
    status: int
    reason: str
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""


class FaultProxy:
    """A proxy to ``upstream`` (http://host:port) on 127.0.0.1; ``delay`` seconds added to every forwarded answer."""

    def __init__(self, upstream: str, *, delay: float = 0.0) -> None:
        parts = urlsplit(upstream)
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError(f"the fault proxy forwards to http://host:port only, not {upstream!r}")
        self.upstream_host = parts.hostname
        self.upstream_port = parts.port or 80
        self.delay = delay
        self.seen: list[Request] = []
        self._rules: list[Rule] = []
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.Server | None = None
        self._release: asyncio.Event | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # -- control (any thread) --------------------------------------------------------------------------

    def inject(
        self,
        fault: Fault,
        *,
        method: str | None = None,
        path: str | re.Pattern[str] | None = None,
        times: int | None = 1,
    ) -> Rule:
        rule = Rule(fault, method, path, times)
        with self._lock:
            self._rules.append(rule)
        loop, event = self._loop, self._release
        if fault.kind == "hang" and loop is not None and event is not None:
            loop.call_soon_threadsafe(event.clear)  # an earlier release() must not end this hang at once
        return rule

    def clear(self) -> None:
        """No more faults: every request is forwarded as it is (hangs under way are released too)."""
        with self._lock:
            self._rules.clear()
        self.release()

    def release(self) -> None:
        loop, event = self._loop, self._release
        if loop is not None and event is not None:
            loop.call_soon_threadsafe(event.set)

    def requests(self, method: str | None = None, path: str = "") -> list[Request]:
        with self._lock:
            return [r for r in self.seen if (method is None or r.method == method) and r.target.startswith(path)]

    def start(self) -> FaultProxy:
        ready = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            self._release = asyncio.Event()
            self._server = loop.run_until_complete(asyncio.start_server(self._serve, "127.0.0.1", 0))
            self.port = self._server.sockets[0].getsockname()[1]
            ready.set()
            loop.run_forever()
            self._server.close()
            with contextlib.suppress(Exception):
                loop.run_until_complete(self._server.wait_closed())
            loop.close()

        self._thread = threading.Thread(target=run, name="fault-proxy", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("the fault proxy did not start")
        return self

    def stop(self) -> None:
        loop = self._loop
        if loop is None:
            return
        self.release()
        loop.call_soon_threadsafe(loop.stop)
        if self._thread is not None:
            self._thread.join(10)
        self._loop = None

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- serving (the proxy's own loop) ----------------------------------------------------------------

    def _rule_for(self, request: Request) -> Fault | None:
        with self._lock:
            self.seen.append(request)
            for rule in self._rules:
                if rule.fault.kind == "cut_request":
                    continue  # decided before the body is read (_cut_rule_for)
                if rule.matches(request.method, request.target):
                    rule.hits += 1
                    request.fault = rule.fault.kind
                    return rule.fault
        return None

    def _cut_rule_for(self, method: str, target: str) -> Fault | None:
        with self._lock:
            for rule in self._rules:
                if rule.fault.kind == "cut_request" and rule.matches(method, target):
                    rule.hits += 1
                    return rule.fault
        return None

    async def _cut(
        self,
        head: tuple[str, list[tuple[str, str]]],
        fault: Fault,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> None:
        """Forward the head and part of the body, then drop the server's connection and reset the client's."""
        first, headers = head
        method, target, _version = first.split(" ", 2)
        declared = int(next((v for k, v in headers if k.lower() == "content-length"), "0") or 0)
        part = int(declared * fault.fraction)
        body = await reader.readexactly(part) if part else b""
        with self._lock:
            self.seen.append(Request(method, target, headers, body, fault.kind))
        upstream_reader, upstream = await asyncio.open_connection(self.upstream_host, self.upstream_port)
        lines = [first] + [f"{k}: {v}" for k, v in headers if k.lower() not in HOP_BY_HOP | {"host"}]
        lines += [f"Host: {self.upstream_host}:{self.upstream_port}", "Connection: close"]
        upstream.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        with contextlib.suppress(ConnectionError):
            await upstream.drain()
        _reset(upstream)
        _reset(writer)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await _read_head(reader)
                if head is None:
                    break
                method, target, _version = head[0].split(" ", 2)
                cut = self._cut_rule_for(method, target)
                if cut is not None:
                    await self._cut(head, cut, reader, writer)
                    break
                request = await _read_request_body(reader, head)
                fault = self._rule_for(request)
                if not await self._answer(request, fault, writer):
                    break
        except (ConnectionError, asyncio.IncompleteReadError, ValueError):
            pass
        finally:
            with contextlib.suppress(Exception):
                writer.close()

    async def _answer(self, request: Request, fault: Fault | None, writer: asyncio.StreamWriter) -> bool:
        """Answer one request; False when the connection must end."""
        if fault is not None and fault.kind == "reset_before":
            _reset(writer)
            return False
        if fault is not None and fault.kind == "hang":
            assert self._release is not None
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._release.wait(), fault.seconds)
            return False
        if fault is not None and fault.kind == "answer":
            response = Response(fault.status, REASONS.get(fault.status, "Status"), list(fault.headers), fault.body)
        else:
            if fault is not None and fault.kind == "delay":
                await asyncio.sleep(fault.seconds)
            response = await self._forward(request)
            if self.delay:
                await asyncio.sleep(self.delay)
        head_only = request.method == "HEAD" or response.status in (204, 304)
        body = response.body
        if fault is not None and fault.kind == "rewrite" and fault.rewrite is not None:
            body = fault.rewrite(body)
        declared = len(body)
        if fault is not None and fault.kind in ("reset_mid", "truncate"):
            body = body[: int(len(body) * fault.fraction)]
        lines = [f"HTTP/1.1 {response.status} {response.reason}"]
        lines += [f"{k}: {v}" for k, v in response.headers if k.lower() not in HOP_BY_HOP | {"content-length"}]
        if not head_only:
            lines.append(f"Content-Length: {declared}")
        lines.append("Connection: keep-alive")
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (b"" if head_only else body))
        await writer.drain()
        if fault is not None and fault.kind == "reset_mid":
            _reset(writer)
            return False
        return not (fault is not None and fault.kind == "truncate")

    async def _forward(self, request: Request) -> Response:
        reader, writer = await asyncio.open_connection(self.upstream_host, self.upstream_port)
        try:
            lines = [f"{request.method} {request.target} HTTP/1.1"]
            for name, value in request.headers:
                if name.lower() in HOP_BY_HOP | {"host", "content-length"}:
                    continue
                lines.append(f"{name}: {value}")
            lines += [f"Host: {self.upstream_host}:{self.upstream_port}", "Connection: close"]
            if request.body or request.method in ("POST", "PUT", "PATCH"):
                lines.append(f"Content-Length: {len(request.body)}")
            writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + request.body)
            await writer.drain()
            return await _read_response(reader, request.method)
        finally:
            writer.close()


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close with a TCP RST, not a FIN: what a crashed server or a middlebox timing out does."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


async def _read_head(reader: asyncio.StreamReader) -> tuple[str, list[tuple[str, str]]] | None:
    try:
        raw = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as exc:
        if not exc.partial.strip():
            return None
        raise
    first, *rest = raw.decode("latin-1").split("\r\n")
    headers = []
    for line in rest:
        if line:
            name, _, value = line.partition(":")
            headers.append((name.strip(), value.strip()))
    return first, headers


async def _read_body(reader: asyncio.StreamReader, headers: list[tuple[str, str]], *, until_eof: bool) -> bytes:
    lowered = {k.lower(): v for k, v in headers}
    if "chunked" in lowered.get("transfer-encoding", "").lower():
        chunks: list[bytes] = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0].strip(), 16)
            if size == 0:
                await reader.readuntil(b"\r\n")
                return b"".join(chunks)
            chunks.append(await reader.readexactly(size))
            await reader.readexactly(2)
    if "content-length" in lowered:
        return await reader.readexactly(int(lowered["content-length"]))
    return await reader.read() if until_eof else b""


async def _read_request_body(reader: asyncio.StreamReader, head: tuple[str, list[tuple[str, str]]]) -> Request:
    first, headers = head
    method, target, _version = first.split(" ", 2)
    body = await _read_body(reader, headers, until_eof=False)
    return Request(method, target, headers, body)


async def _read_response(reader: asyncio.StreamReader, method: str) -> Response:
    head = await _read_head(reader)
    if head is None:
        raise ConnectionError("the upstream server closed the connection without answering")
    first, headers = head
    _version, status, *reason = first.split(" ", 2)
    code = int(status)
    body = b"" if method == "HEAD" or code in (204, 304) else await _read_body(reader, headers, until_eof=True)
    return Response(code, reason[0] if reason else "", headers, body)
