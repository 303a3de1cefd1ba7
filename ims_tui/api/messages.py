"""The human words inside a server's answer: Glance/IMS/Keystone JSON, webob or load-balancer HTML, plain text.

Pure text work, no HTTP: ``errors`` builds its errors from these, the client describes a body that is not JSON
with ``describe_body``. Everything returned is plain text a terminal can print (no markup, no control characters).
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

_TAG = re.compile(r"<[^>]+>")
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\r\f\v]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")
# C0/C1 control characters other than newline and tab: a server message must never move the terminal's cursor.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_TITLE = re.compile(r"(?is)<title[^>]*>(.*?)</title>")
_HEADING = re.compile(r"(?is)<h[1-3][^>]*>(.*?)</h[1-3]>")
_NOT_TEXT = re.compile(r"(?is)<(head|title|script|style)[^>]*>.*?</\1>")
# Server signatures under an error page: nginx "<hr><center>nginx/1.25</center>", Apache "<address>...</address>".
_SIGNATURE = re.compile(r"(?is)<address[^>]*>.*?</address>|<hr\s*/?>\s*<center[^>]*>[^<]*</center>")
_SERVER_TOKEN = re.compile(r"^[A-Za-z][\w.-]*(/[\w.()-]+)?( \([^)]*\))?$")
# jsonschema's dump after the reason: "Failed validating 'enum' in schema[...]: {...} On instance[...]: ..."
_SCHEMA_DUMP = re.compile(r"\s*\bFailed validating\b.*", re.DOTALL)
MAX_MESSAGE = 500
_UNLIMITED = 1 << 30  # cut the schema dump first, then shorten


def clean_text(text: str, limit: int = MAX_MESSAGE) -> str:
    """Turn an HTML or plain-text fragment into one readable paragraph of plain text."""
    text = _BREAK.sub("\n", text)
    text = _TAG.sub("", text)
    text = html.unescape(text)
    text = _CONTROL.sub("", text)
    text = "\n".join(_SPACES.sub(" ", line).strip() for line in text.splitlines())
    return _shorten(_BLANK_LINES.sub("\n", text).strip(), limit)


def _shorten(text: str, limit: int = MAX_MESSAGE) -> str:
    return text[: limit - 1].rstrip() + "…" if len(text) > limit else text


def first_reason(text: str) -> str:
    """The reason without the jsonschema dump Glance appends to a schema-validation 400, at most MAX_MESSAGE long."""
    cut = _SCHEMA_DUMP.sub("", text).strip()
    return _shorten(cut or text)


def html_heading(body: str) -> str:
    """An HTML page's ``<title>``, or else its first heading: "502 Bad Gateway"; empty if it has neither."""
    for pattern in (_TITLE, _HEADING):
        found = pattern.search(body)
        if found and clean_text(found.group(1)):
            return " ".join(clean_text(found.group(1)).split())
    return ""


def _html_message(body: str) -> str:
    # webob error pages repeat the title as <h1> and <title>; the body paragraph carries the reason. A load
    # balancer's page has only the title and a server signature ("nginx"): then the title is the reason.
    text = _NOT_TEXT.sub("", body)
    text = re.sub(r"(?is)<h1[^>]*>.*?</h1>", "", text)
    text = clean_text(_SIGNATURE.sub("", text), _UNLIMITED)
    if text and not _SERVER_TOKEN.match(text):
        return text
    return html_heading(body) or text


def _looks_like_html(text: str, content_type: str) -> bool:
    return "html" in content_type or text.lstrip().startswith("<")


def message_from_body(body: bytes, content_type: str = "") -> str:
    """The human message inside an error body: Glance JSON, IMS JSON, HTML or plain text."""
    if not body:
        return ""
    text = body.decode("utf-8", errors="replace")
    stripped = text.lstrip()
    if "json" in content_type or stripped.startswith(("{", "[")):
        try:
            data: Any = json.loads(text)
        except ValueError:
            data = None
        found = _message_from_json(data)
        if found:
            return first_reason(clean_text(found, _UNLIMITED))
    if _looks_like_html(text, content_type):
        return first_reason(_html_message(text))
    return first_reason(clean_text(text, _UNLIMITED))


def describe_body(body: bytes, content_type: str = "") -> str:
    """What a body that should have been JSON was instead, in a few words: "an HTML page titled '...'"."""
    if not body.strip():
        return "an empty answer"
    text = body.decode("utf-8", errors="replace")
    if _looks_like_html(text, content_type):
        heading = html_heading(text)
        if heading:
            return f"an HTML page titled {_quoted(heading)}"
        words = clean_text(_NOT_TEXT.sub("", text), 60)
        return f"an HTML page: {_quoted(words)}" if words else "an HTML page"
    kind = content_type.split(";")[0].strip() or "text"
    return f"{kind}: {_quoted(clean_text(text, 60))}"


def _quoted(text: str) -> str:
    return "'" + " ".join(text.split()) + "'"


def _message_from_json(data: Any) -> str | None:
    if not isinstance(data, dict):
        return None
    # IMS: {"error": {"code": "IMG.0001", "message": ...}}; some Huawei services use error_msg/error_code.
    inner = data.get("error")
    if isinstance(inner, dict):
        msg = inner.get("message") or inner.get("error_msg")
        code = inner.get("code") or inner.get("error_code")
        if isinstance(msg, str):
            return f"{msg} ({code})" if isinstance(code, str) and code else msg
    if isinstance(data.get("error_msg"), str):
        code = data.get("error_code")
        return f"{data['error_msg']} ({code})" if isinstance(code, str) else str(data["error_msg"])
    # Glance (webob JSON formatter): {"code": "403 Forbidden", "title": "Forbidden", "message": ...}
    for key in ("message", "explanation", "title", "detail"):
        value = data.get(key)
        if isinstance(value, str) and value.strip():
            return value
    # Keystone: {"error": {"message": ..}} handled above; some proxies: {"<kind>": {"message": ...}}
    for value in data.values():
        if isinstance(value, dict) and isinstance(value.get("message"), str):
            return str(value["message"])
    return None
