"""HTTP responses of the feed server: plain-text errors, ETags and conditional requests.

A feed or page is rendered once into a :class:`_Rendered` (body, strong ETag,
headers, modification time); :func:`_conditional` turns it into the response for
one request, a 304 when the client's ``If-None-Match`` or ``If-Modified-Since``
says it already has these bytes.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import re
from wsgiref.types import StartResponse, WSGIEnvironment

import attrs

_REASONS = {
    200: "OK",
    204: "No Content",
    304: "Not Modified",
    400: "Bad Request",
    404: "Not Found",
    405: "Method Not Allowed",
    500: "Internal Server Error",
}
_NOT_MODIFIED_HEADERS = {
    "etag",
    "last-modified",
    "cache-control",
    "expires",
    "vary",
    "content-location",
}
"""The headers of a 200 that its 304 repeats (``Date`` is the server's)."""
_ENTITY_TAG = re.compile(r'(?:W/)?("[\x21\x23-\x7e\x80-\xff]*")')


@attrs.frozen
class _Response:
    """A status, its headers and a body; the body is left out for HEAD and 304."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes = b""

    def send(self, start_response: StartResponse, *, head: bool) -> list[bytes]:
        start_response(f"{self.status} {_REASONS[self.status]}", self.headers)
        return [] if head or self.status == 304 else [self.body]


def _text(status: int, message: str, *extra: tuple[str, str]) -> _Response:
    """A short plain-text answer (errors), never cached; ``extra`` headers are appended."""
    body = (message.rstrip("\n") + "\n").encode("utf-8")
    headers = [
        ("Content-Type", "text/plain; charset=utf-8"),
        ("Content-Length", str(len(body))),
        ("Cache-Control", "no-store"),
        ("X-Content-Type-Options", "nosniff"),
        *extra,
    ]
    return _Response(status, headers, body)


def _content_type(media_type: str) -> str:
    """``media_type`` with ``; charset=utf-8`` for textual types (exporters write UTF-8)."""
    base = media_type.split(";")[0].strip().lower()
    textual = base.startswith("text/") or base in ("application/json", "application/xml")
    textual = textual or base.endswith(("+json", "+xml"))
    if textual and "charset=" not in media_type.lower():
        return f"{media_type}; charset=utf-8"
    return media_type


def _http_date(value: dt.datetime) -> str:
    return email.utils.format_datetime(value.astimezone(dt.UTC), usegmt=True)


def _etag(body: bytes) -> str:
    """A strong entity tag derived from the bytes alone: same bytes, same tag."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def _not_modified(environ: WSGIEnvironment, etag: str, modified: dt.datetime | None) -> bool:
    """RFC 9110 §13.2.2: If-None-Match (weak comparison) first, else If-Modified-Since."""
    none_match = environ.get("HTTP_IF_NONE_MATCH")
    if none_match is not None:
        return none_match.strip() == "*" or etag in _ENTITY_TAG.findall(none_match)
    since_text = environ.get("HTTP_IF_MODIFIED_SINCE")
    if not since_text or modified is None:
        return False
    try:
        since = email.utils.parsedate_to_datetime(since_text)
    except (TypeError, ValueError, IndexError):
        return False
    if since.tzinfo is None:
        since = since.replace(tzinfo=dt.UTC)
    if since > dt.datetime.now(dt.UTC):
        return False  # a date later than the server's clock is invalid (RFC 7232 §3.3)
    return modified <= since


@attrs.frozen
class _Rendered:
    """A rendered body with its ETag, representation headers and modification time."""

    body: bytes
    etag: str
    headers: tuple[tuple[str, str], ...]
    modified: dt.datetime | None


def _conditional(environ: WSGIEnvironment, rendered: _Rendered) -> _Response:
    """``rendered`` as a 200, or a bodiless 304 when the request's validators match.

    Last-Modified is never later than now (the data's ``updated`` stamp may be), so a
    client that echoes it back in ``If-Modified-Since`` sends a date the server accepts.
    """
    headers = [*rendered.headers, ("ETag", rendered.etag)]
    modified = rendered.modified
    if modified is not None:
        modified = min(modified, dt.datetime.now(dt.UTC).replace(microsecond=0))
        headers.append(("Last-Modified", _http_date(modified)))
    headers += [
        ("Content-Length", str(len(rendered.body))),
        ("X-Content-Type-Options", "nosniff"),
    ]
    if _not_modified(environ, rendered.etag, modified):
        # RFC 9110 §15.4.5: the validators and caching headers a 200 would carry, and
        # no content: no body and no Content-Length (§8.6 allows one only if it equals
        # the 200's, which some servers then mistake for an unsent body).
        return _Response(304, [h for h in headers if h[0].lower() in _NOT_MODIFIED_HEADERS])
    return _Response(200, headers, rendered.body)
