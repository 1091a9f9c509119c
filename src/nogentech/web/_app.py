"""The feed server's WSGI application: routing, option parsing and the render cache.

:class:`FeedApp` maps a request to an exporter (or the index page), renders it
for the current :class:`~nogentech.web.Snapshot` of the data and answers through
:func:`~nogentech.web._http._conditional`. Rendered bodies are kept in a small LRU
cache keyed by data version, route and resolved options, so a new data version
never serves stale bytes and equivalent queries share one rendering.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from ..exceptions import OptionError, UnknownFormatError
from ..plugins import export, formats, get_exporter, resolve_options
from ..stamps import view_of
from . import _api, _home
from ._cors import Cors
from ._http import _conditional, _content_type, _etag, _Rendered, _Response, _text
from ._page import _WORDS, _base, _page_html, _parse_base_url

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment

    from ._source import DataSource, Snapshot

log = logging.getLogger("nogentech.web")

ROUTES: Mapping[str, tuple[str, str]] = {
    "/calendar.ics": ("ics", "calendar.ics"),
    "/members.vcf": ("vcard", "members.vcf"),
    "/cluster.json": ("json", "cluster.json"),
}
"""Fixed feed paths: path → (exporter name, download file name)."""

_INLINE_TYPES = (
    "text/calendar",
    "application/json",
    "application/atom+xml",
    "application/ld+json",
    "application/calendar+json",
    "application/vcard+json",
)


class FeedApp:
    """The WSGI application; build it with :func:`~nogentech.web.make_app`."""

    def __init__(
        self,
        source: DataSource,
        *,
        trust_proxy: bool = False,
        base_url: str | None = None,
        max_age: int = 3600,
        cache_size: int = 256,
        cors_origins: Iterable[str] = ("*",),
    ) -> None:
        self.source = source
        self.cors = Cors(cors_origins)
        self.trust_proxy = trust_proxy
        self.base_url = _parse_base_url(base_url) if base_url is not None else None
        self.max_age = max_age
        self._cache: OrderedDict[tuple[Any, ...], _Rendered] = OrderedDict()
        self._cache_size = cache_size
        self._cache_lock = threading.Lock()

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        method = str(environ.get("REQUEST_METHOD", "GET")).upper()
        try:
            response = self._respond(environ, method)
        except Exception:
            log.exception("error while serving %s %s", method, environ.get("PATH_INFO", "/"))
            response = _text(500, "Internal server error; the details are in the server log.")
        response = self.cors.apply(environ, response)
        return response.send(start_response, head=method == "HEAD")

    # -- routing -------------------------------------------------------------

    def _respond(self, environ: WSGIEnvironment, method: str) -> _Response:
        path = environ.get("PATH_INFO") or "/"
        if path in ROUTES:
            name, filename = ROUTES[path]
        elif path.startswith("/export/") and path.count("/") == 2 and len(path) > 8:
            name, filename = path[8:], ""
            if name in _api.FORMAT_PATHS:  # its default window starts today
                path, name = _api.FORMAT_PATHS[name], ""
        elif _api.handles(path):
            name, filename = "", ""
        elif path != "/":
            known = ", ".join([*ROUTES, *_api.PATHS, _api.SINGLE, "/export/NAME"])
            return _text(404, f"Not found: {path} (feeds: {known})")
        if method == "OPTIONS":
            return self.cors.preflight(environ)
        if method not in ("GET", "HEAD"):
            allow = ("Allow", "GET, HEAD, OPTIONS")
            return _text(405, f"Method {method} not allowed (use GET or HEAD)", allow)
        try:
            query = parse_qsl(
                environ.get("QUERY_STRING", ""),
                keep_blank_values=True,
                errors="strict",
                max_num_fields=50,
            )
        except (ValueError, UnicodeError):
            return _text(400, "Malformed query string (expected UTF-8 name=value pairs)")
        params: dict[str, str] = {}
        for key, value in query:
            if key in params:
                return _text(400, f"option {key!r} is given more than once")
            params[key] = value
        snapshot = self.source.current()
        if path == "/":
            return self._page(environ, snapshot, params)
        if not name:
            scheme, base = _base(environ, base_url=self.base_url, trust_proxy=self.trust_proxy)
            root = f"{scheme}://{base}"
            return _api.respond(self, environ, snapshot, path, params, root, ROUTES)
        try:
            rendered = self._feed(snapshot, name, filename, params)
        except UnknownFormatError as exc:
            return _text(404, str(exc))
        except OptionError as exc:
            return _text(400, str(exc))
        return _conditional(environ, rendered)

    def _cached(self, key: tuple[Any, ...], make: Callable[[], _Rendered]) -> _Rendered:
        with self._cache_lock:
            found = self._cache.get(key)
            if found is not None:
                self._cache.move_to_end(key)
                return found
        rendered = make()
        with self._cache_lock:
            self._cache[key] = rendered
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return rendered

    # -- feeds ---------------------------------------------------------------

    def _feed(
        self, snapshot: Snapshot, name: str, filename: str, params: Mapping[str, str]
    ) -> _Rendered:
        exporter = get_exporter(name)
        options = resolve_options(exporter, params)
        key = (snapshot.version, name, repr(sorted(options.items())))

        def make() -> _Rendered:
            body = export(snapshot.cluster, name, **params)
            if snapshot.stamps is not None:
                body = snapshot.stamps.apply(name, view_of(name, options), body)[0]
            base_type = exporter.media_type.split(";")[0].strip().lower()
            disposition = "inline" if base_type in _INLINE_TYPES else "attachment"
            file = filename or f"{snapshot.cluster.id}.{exporter.extension}"
            headers = [
                ("Content-Type", _content_type(exporter.media_type)),
                ("Content-Disposition", f'{disposition}; filename="{file}"'),
                ("Cache-Control", f"public, max-age={self.max_age}"),
            ]
            return _Rendered(body, _etag(body), tuple(headers), snapshot.last_modified)

        return self._cached(key, make)

    # -- the HTML page -------------------------------------------------------

    def _page(
        self, environ: WSGIEnvironment, snapshot: Snapshot, params: Mapping[str, str]
    ) -> _Response:
        lang = params.get("lang", "fr")
        if lang not in _WORDS:
            return _text(400, f"option 'lang': invalid value {lang!r} (expected one of fr, en)")
        scheme, base = _base(environ, base_url=self.base_url, trust_proxy=self.trust_proxy)
        exporters = formats()
        today = _home.today(snapshot.cluster)
        key = (snapshot.version, "/", scheme, base, lang, tuple(e.name for e in exporters), today)

        def make() -> _Rendered:
            paths = {name: path for path, (name, _file) in ROUTES.items()} | _api.FORMAT_PATHS
            feeds = [(info, paths.get(info.name, f"/export/{info.name}")) for info in exporters]
            root = f"{scheme}://{base}"
            before, after, head = _home.sections(snapshot.cluster, root, lang, today)
            text = _page_html(
                snapshot.cluster,
                feeds,
                root,
                base,
                lang,
                before=before,
                after=after,
                head=head,
                style=_home.STYLE,
            )
            body = text.encode("utf-8")
            headers = (
                ("Content-Type", "text/html; charset=utf-8"),
                ("Cache-Control", "no-cache"),
            )
            return _Rendered(body, _etag(body), headers, None)

        return _conditional(environ, self._cached(key, make))
