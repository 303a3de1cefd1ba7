"""What the demo cloud answers: a ``Reply``, JSON in and out, and webob-shaped errors with Accept negotiation.

Glance's errors are webob exceptions; their bodies (HTML, JSON or plain text, whichever the Accept header prefers)
are reproduced to the byte, because the contract tests compare them with a real Glance's.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

import httpx


class Reply(NamedTuple):
    """A handler's answer: status, headers (after the request id) and body, or a ``stream`` of the body's
    chunks (image data, never held whole)."""

    status: int
    headers: dict[str, str]
    body: bytes
    stream: Iterator[bytes] | None = None


def no_content() -> Reply:
    # webob's default content type survives on Glance's empty 204 answers
    return Reply(204, {"content-type": "text/html; charset=UTF-8"}, b"")


def json_reply(status: int, payload: Any) -> Reply:
    return Reply(status, {"content-type": "application/json"}, json.dumps(payload, ensure_ascii=False).encode())


def json_body(request: httpx.Request, *, required: bool) -> Any:
    """The request's JSON body as Glance's JSONRequestDeserializer reads it: an object or an array."""
    content = request.content
    if not content:
        if required:
            raise bad("Body expected in request.")
        return None
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        raise bad(
            "Error decoding your request. Either the URL or the request body contained characters that could not "
            "be decoded by Glance"
        ) from None
    try:
        data = json.loads(text)
    except ValueError:
        raise bad("Malformed JSON in request body.") from None
    if not isinstance(data, (dict, list)):
        raise bad("Unexpected body type. Expected list/dict.")
    return data


# -- errors ------------------------------------------------------------------------------------------------

_TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    413: "Request Entity Too Large",
    415: "Unsupported Media Type",
    416: "Request Range Not Satisfiable",
}
_EXPLANATIONS = {
    400: "The server could not comply with the request since\r\nit is either malformed or otherwise incorrect.\r\n",
    403: "Access was denied to this resource.",
    404: "The resource could not be found.",
    409: "There was a conflict when trying to complete your request.",
    413: "The body of your request was too large for this server.",
}


class HTTPError(Exception):
    """A webob-style HTTP error: ``explanation`` replaces the class default, ``detail`` follows it."""

    def __init__(
        self,
        status: int,
        explanation: str | None = None,
        *,
        detail: str = "",
        headers: dict[str, str] | None = None,
        template: str | None = None,
    ) -> None:
        super().__init__(explanation or detail)
        self.status = status
        self.explanation = explanation if explanation is not None else _EXPLANATIONS.get(status, "")
        self.detail = detail
        self.headers = headers or {}
        self.template = template

    def body_text(self, escape: Callable[[str], str]) -> str:
        if self.template is not None:
            return self.template.replace("${detail}", escape(self.detail))
        return f"{escape(self.explanation)}<br /><br />\n{escape(self.detail)}\n\n"


def bad(message: str) -> HTTPError:
    return HTTPError(400, message)


def forbidden(message: str) -> HTTPError:
    return HTTPError(403, message)


def not_allowed(method: str, allowed: str) -> HTTPError:
    return HTTPError(
        405,
        headers={"allow": allowed},
        template=f"The method {method} is not allowed for this resource. <br /><br />\n${{detail}}",
    )


def limit_message(what: str, attempted: int, maximum: int) -> str:
    return (
        f"The limit has been exceeded on the number of allowed image {what}. Attempted: {attempted}, Maximum: {maximum}"
    )


def _accept_q(accept: str, offer: str) -> float:
    """The quality the Accept header gives ``offer`` (most specific range wins), as webob's acceptable_offers."""
    best, best_specificity = 0.0, -1
    main = offer.split("/")[0]
    for part in accept.split(","):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        q = 1.0
        for param in fields[1:]:
            if param.lower().startswith("q="):
                try:
                    q = float(param[2:])
                except ValueError:
                    q = 0.0
        specificity = 2 if media == offer else 1 if media == f"{main}/*" else 0 if media == "*/*" else -1
        if specificity > best_specificity:
            best, best_specificity = q, specificity
    return best if best_specificity >= 0 else 0.0


_BR = re.compile(r"<br.*?>", re.I | re.S)
_TAG = re.compile(r"<.*?>", re.S)


def error_reply(error: HTTPError, request: httpx.Request) -> Reply:
    status = f"{error.status} {_TITLES.get(error.status, 'Error')}"
    accept = request.headers.get("accept")
    offers = ("text/html", "application/json")
    if accept is None:
        choice: str | None = "text/html"
    else:
        scored = [(_accept_q(accept, offer), -i, offer) for i, offer in enumerate(offers)]
        q, _, choice = max(scored)
        if q <= 0:
            choice = None
    if choice == "application/json":
        payload = {"message": error.body_text(lambda s: s), "code": status, "title": _TITLES.get(error.status)}
        return Reply(error.status, {"content-type": "application/json", **error.headers}, json.dumps(payload).encode())
    if choice == "text/html":
        body = error.body_text(lambda s: html.escape(s, quote=True))
        page = (
            f"<html>\n <head>\n  <title>{status}</title>\n </head>\n"
            f" <body>\n  <h1>{status}</h1>\n  {body}\n </body>\n</html>"
        )
        return Reply(error.status, {"content-type": "text/html; charset=UTF-8", **error.headers}, page.encode())
    body = error.body_text(lambda s: s).replace("\n", " ").replace("\r", "")
    body = _TAG.sub("", _BR.sub("\n", body))
    headers = {"content-type": "text/plain; charset=UTF-8", **error.headers}
    return Reply(error.status, headers, f"{status}\n\n{body}".encode())
