"""Cross-origin access for browsers: CORS headers on every response and preflight answers.

The feeds are public, so by default any origin may read them
(``Access-Control-Allow-Origin: *``); :class:`Cors` can instead list the origins
allowed, then the request's ``Origin`` is echoed when it is one of them, with
``Vary: Origin`` so that caches keep one copy per origin. See ``docs/api.md``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from ._http import _Response

if TYPE_CHECKING:
    from wsgiref.types import WSGIEnvironment

METHODS = "GET, HEAD, OPTIONS"
EXPOSED = "ETag, Content-Disposition"
"""Response headers a script may read beyond the CORS-safelisted ones."""
MAX_AGE = "86400"
_ORIGIN = re.compile(
    r"^https?://[A-Za-z0-9.-]+(?::\d{1,5})?$|^https?://\[[0-9A-Fa-f:.]+\](?::\d{1,5})?$"
)
_TOKEN_LIST = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]+(?:\s*,\s*[A-Za-z0-9!#$%&'*+.^_`|~-]+)*$")


def check_origins(origins: Iterable[str]) -> tuple[str, ...]:
    """The origins as given (``*``, or ``scheme://host[:port]`` each); ValueError otherwise."""
    out = tuple(o.strip().rstrip("/") for o in origins)
    if not out:
        raise ValueError("give at least one allowed origin, or '*' for every origin")
    for origin in out:
        if origin != "*" and not _ORIGIN.match(origin):
            raise ValueError(
                f"an allowed origin is '*' or scheme://host[:port], without a path (got {origin!r})"
            )
    if "*" in out and len(out) > 1:
        raise ValueError("'*' allows every origin: give it alone")
    return out


class Cors:
    """Which origins may read the responses, and the headers that say so."""

    def __init__(self, origins: Iterable[str] = ("*",)) -> None:
        self.origins = check_origins(origins)
        self.any = self.origins == ("*",)

    def headers(self, environ: WSGIEnvironment) -> list[tuple[str, str]]:
        """``Access-Control-Allow-Origin`` (and ``Vary``) for a response to this request."""
        if self.any:
            return [
                ("Access-Control-Allow-Origin", "*"),
                ("Access-Control-Expose-Headers", EXPOSED),
            ]
        out = [("Vary", "Origin")]
        origin = str(environ.get("HTTP_ORIGIN", ""))
        if origin in self.origins:
            out += [("Access-Control-Allow-Origin", origin)]
            out += [("Access-Control-Expose-Headers", EXPOSED)]
        return out

    def apply(self, environ: WSGIEnvironment, response: _Response) -> _Response:
        """``response`` with the CORS headers added."""
        return _Response(
            response.status, [*response.headers, *self.headers(environ)], response.body
        )

    def preflight(self, environ: WSGIEnvironment) -> _Response:
        """The answer to an ``OPTIONS`` request on a route: 204 with what may be sent."""
        headers = [
            ("Allow", METHODS),
            ("Access-Control-Allow-Methods", METHODS),
            ("Access-Control-Max-Age", MAX_AGE),
            ("Cache-Control", "no-store"),
            ("Content-Length", "0"),
        ]
        asked = str(environ.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS", "")).strip()
        if asked and _TOKEN_LIST.match(asked):
            headers.append(("Access-Control-Allow-Headers", asked))
        if not self.any:
            headers.append(("Vary", "Access-Control-Request-Headers"))
        return _Response(204, headers)
