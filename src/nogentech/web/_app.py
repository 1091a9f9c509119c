"""The feed server's WSGI application: routing, option parsing and the render cache.

:class:`FeedApp` maps a request to an exporter, the index page or the health
report, renders it for the current :class:`~nogentech.web.Snapshot` of the data and
answers through :func:`~nogentech.web._http._conditional`. Rendered bodies are kept
in a :class:`~nogentech.web._cache._RenderCache` keyed by data version, route and
resolved options, so a new data version never serves stale bytes and equivalent
queries share one rendering.
"""

from __future__ import annotations

import datetime as dt
import json
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
from ._cache import _RenderCache
from ._cors import Cors
from ._http import _conditional, _content_type, _etag, _Rendered, _Response, _text
from ._page import _WORDS, _content_security_policy, _page_html, _parse_base_url, _root

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

HEALTH_PATH = "/healthz"
"""The health report: served data version and the outcome of the last reload, as JSON."""

HOT_FEEDS = 8
"""How many of the feeds asked for last are rendered ahead when the data changes."""

_INLINE_TYPES = (
    "text/calendar",
    "application/json",
    "application/atom+xml",
    "application/ld+json",
    "application/calendar+json",
    "application/vcard+json",
)
_METHODS = ("GET", "HEAD")
"""The methods every route answers (and OPTIONS, the CORS preflight); RFC 9110 §9.1:
method names are case-sensitive."""

_Handler = Callable[["WSGIEnvironment", Mapping[str, str]], _Response]


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
        cache_bytes: int = 64 << 20,
        cors_origins: Iterable[str] = ("*",),
    ) -> None:
        self.source = source
        self.cors = Cors(cors_origins)
        self.trust_proxy = trust_proxy
        self.base_url = _parse_base_url(base_url) if base_url is not None else None
        self.max_age = max_age
        self.cache = _RenderCache(cache_size, cache_bytes)
        self._pages: dict[str, _Handler] = {"/": self._page, HEALTH_PATH: self._health}
        self._hot: OrderedDict[tuple[str, str], Mapping[str, str]] = OrderedDict()
        self._hot_lock = threading.Lock()
        source.wanted = self._wanted

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        method = str(environ.get("REQUEST_METHOD", "GET"))
        try:
            response = self._respond(environ, method)
        except (Exception, SystemExit):
            # Data that validated must export: an error here is a bug. The client
            # learns nothing of it; the log gets the traceback.
            path = environ.get("PATH_INFO", "/")
            log.exception("error while serving %s %r", method[:20], path[:200])
            response = _text(500, "Internal server error; the details are in the server log.")
        response = self.cors.apply(environ, response)
        return response.send(start_response, head=method == "HEAD")

    def close(self) -> None:
        """Stop watching the data file."""
        self.source.close()

    # -- routing -------------------------------------------------------------

    def _route(self, path: str) -> _Handler | None:
        """The handler of ``path``, None when nothing is served there."""
        if path in ROUTES:
            name, filename = ROUTES[path]
            return lambda environ, params: self._feed_response(environ, name, filename, params)
        if path.startswith("/export/") and path.count("/") == 2 and len(path) > 8:
            name = path[8:]
            if name not in _api.FORMAT_PATHS:
                return lambda environ, params: self._feed_response(environ, name, "", params)
            path = _api.FORMAT_PATHS[name]  # its default window starts today
        if _api.handles(path):
            return lambda environ, params: self._api_response(environ, path, params)
        return self._pages.get(path)

    def _respond(self, environ: WSGIEnvironment, method: str) -> _Response:
        path = environ.get("PATH_INFO") or "/"
        handler = self._route(path)
        if handler is None:
            known = ", ".join([*ROUTES, *_api.PATHS, _api.SINGLE, "/export/NAME"])
            return _text(404, f"Not found: {path} (feeds: {known})")
        if method == "OPTIONS":
            return self.cors.preflight(environ)
        if method not in _METHODS:
            allow = ("Allow", ", ".join([*_METHODS, "OPTIONS"]))
            return _text(405, f"Method {method[:20]} not allowed (use GET or HEAD)", allow)
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
        return handler(environ, params)

    def _api_response(
        self, environ: WSGIEnvironment, path: str, params: Mapping[str, str]
    ) -> _Response:
        root, _host = _root(environ, base_url=self.base_url, trust_proxy=self.trust_proxy)
        return _api.respond(self, environ, self.source.current(), path, params, root, ROUTES)

    # -- feeds ---------------------------------------------------------------

    def _feed_response(
        self, environ: WSGIEnvironment, name: str, filename: str, params: Mapping[str, str]
    ) -> _Response:
        try:
            rendered = self._feed(self.source.current(), name, filename, params)
        except UnknownFormatError as exc:
            return _text(404, str(exc))
        except OptionError as exc:
            return _text(400, str(exc))
        return _conditional(environ, rendered)

    def _feed(
        self, snapshot: Snapshot, name: str, filename: str, params: Mapping[str, str]
    ) -> _Rendered:
        exporter = get_exporter(name)
        options = resolve_options(exporter, params)
        tag = (name, repr(sorted(options.items())))
        with self._hot_lock:
            self._hot[tag] = dict(params)
            self._hot.move_to_end(tag)
            while len(self._hot) > HOT_FEEDS:
                self._hot.popitem(last=False)

        def make() -> _Rendered:
            body = snapshot.prepared.get(tag)
            if body is None:
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

        return self._cached((snapshot.version, *tag), make)

    def _cached(self, key: tuple[Any, ...], make: Callable[[], _Rendered]) -> _Rendered:
        """The response cached under ``key`` (starting with the data version), or ``make()``'s."""
        return self.cache.get(key, make)

    def _wanted(self) -> list[tuple[tuple[str, str], str, Mapping[str, str]]]:
        """The feeds asked for last, most recent first: rendered with new data before
        it is served, so that no request waits for them after a reload."""
        with self._hot_lock:
            return [(tag, tag[0], params) for tag, params in reversed(self._hot.items())]

    # -- the HTML page -------------------------------------------------------

    def _page(self, environ: WSGIEnvironment, params: Mapping[str, str]) -> _Response:
        lang = params.get("lang", "fr")
        if lang not in _WORDS:
            return _text(400, f"option 'lang': invalid value {lang!r} (expected one of fr, en)")
        snapshot = self.source.current()
        root, host = _root(environ, base_url=self.base_url, trust_proxy=self.trust_proxy)
        exporters = formats()
        today = _home.today(snapshot.cluster)
        names = tuple(e.name for e in exporters)
        key = (snapshot.version, "/", root, host, lang, names, today)

        def make() -> _Rendered:
            paths = {name: path for path, (name, _file) in ROUTES.items()} | _api.FORMAT_PATHS
            feeds = [(info, paths.get(info.name, f"/export/{info.name}")) for info in exporters]
            before, after, head = _home.sections(snapshot.cluster, root, lang, today)
            text = _page_html(
                snapshot.cluster,
                feeds,
                root,
                host,
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
                ("Content-Security-Policy", _content_security_policy(text)),
            )
            return _Rendered(body, _etag(body), headers, None)

        return _conditional(environ, self._cached(key, make))

    # -- health --------------------------------------------------------------

    def _health(self, environ: WSGIEnvironment, params: Mapping[str, str]) -> _Response:
        """200 while data is served; ``status`` is ``degraded`` when the last edit failed."""
        self.source.current()  # like any request, (re)starts the watcher if needed
        state = self.source.status()

        def stamp(value: Any) -> Any:
            return (
                value.isoformat().replace("+00:00", "Z")
                if isinstance(value, dt.datetime)
                else value
            )

        reload = {k: stamp(v) for k, v in state["reload"].items()}
        report = {
            "status": "ok" if reload["status"] == "ok" else "degraded",
            "data": {
                "version": state["version"],
                "sha256": state["digest"] or None,
                "loaded_at": stamp(state["loaded_at"]),
                "last_modified": stamp(state["last_modified"]),
            },
            "watching": state["watching"],
            "checked_at": stamp(state["checked_at"]),
            "last_reload": reload,
        }
        body = (json.dumps(report, indent=2) + "\n").encode("utf-8")
        headers = [
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(body))),
            ("Cache-Control", "no-store"),
            ("X-Content-Type-Options", "nosniff"),
        ]
        return _Response(200, headers, body)
