"""Live subscription feeds over HTTP: a WSGI application built on the standard library.

:func:`make_app` returns the WSGI callable (``gunicorn 'nogentech.web:make_app()'``),
:func:`serve` runs it on a threaded :mod:`wsgiref` server. Routes:

``/``               an HTML page with ``webcal://``, ``https://`` and "add to calendar" links
``/calendar.ics``   the ``ics`` exporter; query parameters are its options (``?lang=en``)
``/members.vcf``    the ``vcard`` exporter, options likewise
``/cluster.json``   the ``json`` exporter
``/export/NAME``    any registered exporter

Every feed carries a strong ETag computed from its bytes, Last-Modified (the later of
the data's ``updated`` field and the data file's mtime), Cache-Control and
Content-Length, and answers ``If-None-Match`` / ``If-Modified-Since`` with 304.
Bodies are never compressed: gzip broke calendar subscriptions in Outlook. Rendered
bodies are cached per route and options for each version of the data; a
:class:`DataSource` reloads the data file when it changes on disk and keeps the last
good data after a bad edit.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import html
import logging
import os
import re
import socket
import socketserver
import threading
import time
import typing
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit
from wsgiref.simple_server import ServerHandler, WSGIRequestHandler, WSGIServer
from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

import attrs

from .cluster import Cluster
from .exceptions import DataError, OptionError, UnknownFormatError
from .loading import builtin_path, load
from .plugins import ExporterInfo, Option, export, formats, get_exporter, resolve_options

__all__ = ["DataSource", "FeedApp", "Snapshot", "make_app", "make_server", "serve"]

log = logging.getLogger(__name__)

ROUTES: Mapping[str, tuple[str, str]] = {
    "/calendar.ics": ("ics", "calendar.ics"),
    "/members.vcf": ("vcard", "members.vcf"),
    "/cluster.json": ("json", "cluster.json"),
}
"""Fixed feed paths: path → (exporter name, download file name)."""

_REASONS = {
    200: "OK",
    304: "Not Modified",
    400: "Bad Request",
    404: "Not Found",
    405: "Method Not Allowed",
    500: "Internal Server Error",
}
_INLINE_TYPES = ("text/calendar", "application/json")
_ENTITY_TAG = re.compile(r'(?:W/)?("[\x21\x23-\x7e\x80-\xff]*")')
_HOST = re.compile(r"^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$")


@attrs.frozen
class Snapshot:
    """One version of the served data: the cluster, a version number, its modification time."""

    cluster: Cluster
    version: int
    last_modified: dt.datetime | None
    """UTC, whole seconds; None when neither ``updated`` nor a file time is known."""


def _last_modified(cluster: Cluster, mtime_ns: int | None) -> dt.datetime | None:
    """The later of the data's ``updated`` stamp and the file's mtime (UTC, whole seconds).

    The file time counts too: an edit that forgets to bump ``updated`` still moves
    Last-Modified forward, so an ``If-Modified-Since`` revalidation cannot hide it.
    """
    stamps: list[dt.datetime] = []
    if cluster.updated is not None:
        stamp = cluster.updated
        if stamp.tzinfo is None:
            from zoneinfo import ZoneInfo

            stamp = stamp.replace(tzinfo=ZoneInfo(cluster.timezone))
        stamps.append(stamp.astimezone(dt.UTC))
    if mtime_ns is not None:
        stamps.append(dt.datetime.fromtimestamp(mtime_ns // 1_000_000_000, dt.UTC))
    return max(stamps).replace(microsecond=0) if stamps else None


class DataSource:
    """The cluster being served, reloaded when its file changes on disk.

    :meth:`current` looks at the file's mtime, size and inode at most once every
    ``interval`` seconds (measured with ``clock``) and reloads it when they
    changed; requests arriving while another one reloads get the data already
    loaded instead of waiting. An invalid file at start raises
    :class:`~nogentech.DataError`; an invalid edit later is logged line by line and
    the last good data stays served.
    ``path=None`` serves the built-in data, which never changes.
    """

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        *,
        interval: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.path = Path(path) if path is not None else None
        self.interval = interval
        self._clock = clock
        self._lock = threading.Lock()
        self._seen = self._signature()
        self._checked = clock()
        cluster = load(self.path)
        self._snapshot = Snapshot(cluster, 1, _last_modified(cluster, self._mtime(self._seen)))

    def _signature(self) -> tuple[int, int, int] | None:
        try:
            info = (self.path or builtin_path()).stat()
        except OSError:
            return None
        return (info.st_mtime_ns, info.st_size, info.st_ino)

    @staticmethod
    def _mtime(signature: tuple[int, int, int] | None) -> int | None:
        return signature[0] if signature else None

    def current(self) -> Snapshot:
        """The data to serve now; reloaded first if the file changed since the last check."""
        if self.path is not None and self._clock() - self._checked >= self.interval:
            self.refresh(wait=False)
        return self._snapshot

    def refresh(self, *, wait: bool = True) -> bool:
        """Check the file now; True when new data was loaded.

        With ``wait=False`` nothing is done (False) while another thread is already
        checking or reloading.
        """
        if self.path is None:
            return False
        if not self._lock.acquire(blocking=wait):
            return False
        try:
            self._checked = self._clock()
            signature = self._signature()
            if signature == self._seen:
                return False
            self._seen = signature
            if signature is None:
                log.error(
                    "%s: cannot read the data file; still serving the last good data", self.path
                )
                return False
            try:
                cluster = load(self.path)
            except DataError as exc:
                log.error("%s: invalid edit; still serving the last good data", self.path)
                for line in exc.lines():
                    log.error("%s: %s", self.path, line)
                return False
            version = self._snapshot.version + 1
            self._snapshot = Snapshot(cluster, version, _last_modified(cluster, signature[0]))
        finally:
            self._lock.release()
        log.info("%s: reloaded (data version %d)", self.path, version)
        return True


@attrs.frozen
class _Response:
    status: int
    headers: list[tuple[str, str]]
    body: bytes = b""

    def send(self, start_response: StartResponse, *, head: bool) -> list[bytes]:
        start_response(f"{self.status} {_REASONS[self.status]}", self.headers)
        return [] if head or self.status == 304 else [self.body]


def _text(status: int, message: str, *extra: tuple[str, str]) -> _Response:
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
    body: bytes
    etag: str
    headers: tuple[tuple[str, str], ...]
    modified: dt.datetime | None


def _first(value: str | None) -> str:
    return (value or "").split(",")[0].strip()


def _parse_base_url(url: str) -> tuple[str, str]:
    """``https://host[:port][/prefix]`` → (scheme, host and prefix); ValueError otherwise."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not _HOST.match(parts.netloc):
        raise ValueError(f"base_url must be http(s)://host[:port][/prefix] (got {url!r})")
    if parts.query or parts.fragment:
        raise ValueError(f"base_url must have no query or fragment (got {url!r})")
    return scheme, parts.netloc + quote(parts.path.rstrip("/"), safe="/%")


class FeedApp:
    """The WSGI application; build it with :func:`make_app`."""

    def __init__(
        self,
        source: DataSource,
        *,
        trust_proxy: bool = False,
        base_url: str | None = None,
        max_age: int = 3600,
        cache_size: int = 256,
    ) -> None:
        self.source = source
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
        return response.send(start_response, head=method == "HEAD")

    # -- routing -------------------------------------------------------------

    def _respond(self, environ: WSGIEnvironment, method: str) -> _Response:
        path = environ.get("PATH_INFO") or "/"
        if path in ROUTES:
            name, filename = ROUTES[path]
        elif path.startswith("/export/") and path.count("/") == 2 and len(path) > 8:
            name, filename = path[8:], ""
        elif path != "/":
            known = ", ".join([*ROUTES, "/export/NAME"])
            return _text(404, f"Not found: {path} (feeds: {known})")
        if method not in ("GET", "HEAD"):
            allow = ("Allow", "GET, HEAD")
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
        try:
            rendered = self._feed(snapshot, name, filename, params)
        except UnknownFormatError as exc:
            return _text(404, str(exc))
        except OptionError as exc:
            return _text(400, str(exc))
        return self._conditional(environ, rendered)

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

    def _conditional(self, environ: WSGIEnvironment, rendered: _Rendered) -> _Response:
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
            keep = {"etag", "last-modified", "cache-control"}
            return _Response(304, [h for h in headers if h[0].lower() in keep])
        return _Response(200, headers, rendered.body)

    # -- the HTML page -------------------------------------------------------

    def _base(self, environ: WSGIEnvironment) -> tuple[str, str]:
        """(scheme, host and path prefix) of the URLs as the client sees them."""
        if self.base_url is not None:
            return self.base_url
        scheme = str(environ.get("wsgi.url_scheme", "http"))
        host = str(environ.get("HTTP_HOST", ""))
        if self.trust_proxy:
            proto = _first(environ.get("HTTP_X_FORWARDED_PROTO")).lower()
            scheme = proto if proto in ("http", "https") else scheme
            forwarded = _first(environ.get("HTTP_X_FORWARDED_HOST"))
            host = forwarded if _HOST.match(forwarded) else host
        if not _HOST.match(host):
            port = str(environ.get("SERVER_PORT", ""))
            default = {"http": "80", "https": "443"}.get(scheme)
            host = str(environ.get("SERVER_NAME", "localhost"))
            host += "" if port in ("", default) else f":{port}"
        prefix = str(environ.get("SCRIPT_NAME", "")).rstrip("/")
        try:
            prefix = quote(prefix.encode("latin-1"))
        except UnicodeEncodeError:
            prefix = quote(prefix)
        return scheme, host + prefix

    def _page(
        self, environ: WSGIEnvironment, snapshot: Snapshot, params: Mapping[str, str]
    ) -> _Response:
        lang = params.get("lang", "fr")
        if lang not in _WORDS:
            return _text(400, f"option 'lang': invalid value {lang!r} (expected one of fr, en)")
        scheme, base = self._base(environ)
        exporters = formats()
        key = (snapshot.version, "/", scheme, base, lang, tuple(e.name for e in exporters))

        def make() -> _Rendered:
            paths = {name: path for path, (name, _file) in ROUTES.items()}
            feeds = [(info, paths.get(info.name, f"/export/{info.name}")) for info in exporters]
            text = _page_html(snapshot.cluster, feeds, f"{scheme}://{base}", base, lang)
            body = text.encode("utf-8")
            headers = (
                ("Content-Type", "text/html; charset=utf-8"),
                ("Cache-Control", "no-cache"),
            )
            return _Rendered(body, _etag(body), headers, None)

        return self._conditional(environ, self._cached(key, make))


_WORDS = {
    "fr": {
        "title": "Flux d'abonnement",
        "intro": "Abonnez-vous à un calendrier : il se mettra à jour tout seul.",
        "calendars": "Calendriers",
        "other": "Autres formats",
        "all": "Toutes les rencontres",
        "lang-fr": "en français",
        "lang-en": "en anglais",
        "add": "Ajouter à :",
        "paste": "Thunderbird (Nouvel agenda › Sur le réseau), adresse à coller :",
        "switch": "English",
    },
    "en": {
        "title": "Subscription feeds",
        "intro": "Subscribe to a calendar and it will keep itself up to date.",
        "calendars": "Calendars",
        "other": "Other formats",
        "all": "All meetings",
        "lang-fr": "in French",
        "lang-en": "in English",
        "add": "Add to:",
        "paste": "Thunderbird (New Calendar › On the Network), address to paste:",
        "switch": "Français",
    },
}
_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:50rem;margin:2rem auto;padding:0 1rem;"
    "line-height:1.5}li{margin-bottom:1rem}code{word-break:break-all}"
)


def _variants(
    cluster: Cluster, options: Mapping[str, Option], lang: str
) -> list[tuple[str, dict[str, str]]]:
    """(label, query) of each calendar offered: one per language, sub-cluster and commission."""
    words = _WORDS[lang]
    choices = options["lang"].choices if "lang" in options else ()
    base = {"lang": lang} if lang in choices else {}
    out = [(f"{words['all']} ({words.get('lang-' + c, c)})", {"lang": c}) for c in choices]
    out = out or [(words["all"], {})]
    if "sub_cluster" in options:
        out += [(s.name, {**base, "sub_cluster": s.id}) for s in cluster.sub_clusters]
    if "commission" in options:
        out += [(c.name.get(lang), {**base, "commission": c.id}) for c in cluster.commissions]
    return out


def _calendar_item(name: str, label: str, url: str, webcal: str, lang: str) -> str:
    e = html.escape
    google = "https://calendar.google.com/calendar/r?" + urlencode({"cid": webcal})
    query = urlencode({"url": url, "name": f"{name} — {label}"})
    outlook = "https://outlook.live.com/calendar/0/addfromweb?" + query
    office = "https://outlook.office.com/calendar/0/addfromweb?" + query
    words = _WORDS[lang]
    return (
        f"<li><strong>{e(label)}</strong><br>\n"
        f'<a href="{e(webcal)}">{e(webcal)}</a><br>\n<a href="{e(url)}">{e(url)}</a><br>\n'
        f'{words["add"]} <a href="{e(google)}">Google</a> · <a href="{e(outlook)}">Outlook</a>'
        f' · <a href="{e(office)}">Outlook (Microsoft 365)</a>'
        f' · <a href="{e(webcal)}">Apple</a><br>\n{words["paste"]} <code>{e(url)}</code></li>'
    )


def _page_html(
    cluster: Cluster, feeds: list[tuple[ExporterInfo, str]], root: str, host: str, lang: str
) -> str:
    """The index page: every feed with its links, all text escaped, no external assets."""
    e = html.escape
    words = _WORDS[lang]
    calendars: list[str] = []
    others: list[str] = []
    for info, path in feeds:
        if info.media_type.split(";")[0].strip().lower() != "text/calendar":
            url = root + path
            others.append(
                f'<li><a href="{e(url)}">{e(url)}</a><br>\n{e(info.description)} '
                f"<small>({e(info.media_type)})</small></li>"
            )
            continue
        for label, query in _variants(cluster, {o.name: o for o in info.options}, lang):
            tail = path + ("?" + urlencode(query) if query else "")
            calendars.append(
                _calendar_item(cluster.name, label, root + tail, f"webcal://{host}{tail}", lang)
            )
    other_lang = "en" if lang == "fr" else "fr"
    parts = [
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{e(cluster.name)} — {words['title']}</title>\n<style>{_STYLE}</style>\n"
        f"</head>\n<body>\n<h1>{e(cluster.name)} — {words['title']}</h1>\n"
        f'<p>{words["intro"]} <a href="?lang={other_lang}">{words["switch"]}</a></p>\n'
    ]
    if calendars:
        parts.append(f"<h2>{words['calendars']}</h2>\n<ul>\n" + "\n".join(calendars) + "\n</ul>\n")
    if others:
        parts.append(f"<h2>{words['other']}</h2>\n<ul>\n" + "\n".join(others) + "\n</ul>\n")
    parts.append("</body>\n</html>\n")
    return "".join(parts)


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def make_app(
    data: str | os.PathLike[str] | DataSource | None = None,
    *,
    trust_proxy: bool = False,
    base_url: str | None = None,
    max_age: int = 3600,
) -> FeedApp:
    """The WSGI application serving the cluster in ``data``.

    ``data`` is a cluster file (TOML or JSON), None for the built-in data, or a
    :class:`DataSource` already set up.

    The page's links are built from the request's scheme, ``Host`` and
    ``SCRIPT_NAME``. ``base_url`` (``"https://feeds.example.org/nogentech"``) fixes
    them instead, whatever the request says; ``trust_proxy=True`` takes the scheme
    and host from ``X-Forwarded-Proto`` and ``X-Forwarded-Host``: set it only
    behind a reverse proxy that sets them. A bad ``base_url`` raises ValueError.
    ``max_age`` is the Cache-Control lifetime of feeds, in seconds. Invalid data
    raises :class:`~nogentech.DataError` here, before anything is served.
    """
    source = data if isinstance(data, DataSource) else DataSource(data)
    return FeedApp(source, trust_proxy=trust_proxy, base_url=base_url, max_age=max_age)


_SERVER = "nogentech"
"""The ``Server`` header: no Python version for the world to see."""


class _ServerHandler(ServerHandler):
    server_software = _SERVER

    def finish_content(self) -> None:
        # wsgiref gives a bodiless response "Content-Length: 0"; a 304 must not claim
        # a length other than the full representation's (RFC 9110 §8.6), so send none.
        status = str(getattr(self, "status", None) or "")
        if not getattr(self, "headers_sent", True) and status.startswith("304"):
            self.send_headers()
        else:
            super().finish_content()


class _Handler(WSGIRequestHandler):
    timeout = 30

    def version_string(self) -> str:
        """The ``Server`` header of error pages sent before the application runs."""
        return _SERVER

    def handle(self) -> None:
        """Serve one request on this connection with :class:`_ServerHandler`."""
        self.raw_requestline = self.rfile.readline(65537)
        if len(self.raw_requestline) > 65536:
            self.requestline = self.request_version = self.command = ""
            self.send_error(414)
            return
        if not self.parse_request():
            return
        app = self.server.get_app() if isinstance(self.server, WSGIServer) else None
        if app is None:
            self.send_error(500)
            return
        output = typing.cast("typing.IO[bytes]", self.wfile)
        handler = _ServerHandler(self.rfile, output, self.get_stderr(), self.get_environ())
        handler.request_handler = self  # type: ignore[attr-defined]  # logs the request
        handler.run(app)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        log.info("%s %s", self.address_string(), format % args)


class _Server(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # the listen backlog; socketserver's 5 drops bursts


class _Server6(_Server):
    address_family = socket.AF_INET6


def make_server(host: str, port: int, app: WSGIApplication) -> WSGIServer:
    """A threaded wsgiref server for ``app`` bound to ``host:port`` (port 0: any free port)."""
    server = (_Server6 if ":" in host else _Server)((host, port), _Handler)
    server.set_app(app)
    return server


def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    data: str | os.PathLike[str] | None = None,
    *,
    trust_proxy: bool = False,
    base_url: str | None = None,
) -> None:
    """Serve the feeds until interrupted; loopback only unless ``host`` says otherwise.

    ``trust_proxy`` and ``base_url`` are passed to :func:`make_app`. Ctrl-C stops the
    server quietly.
    """
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    app = make_app(data, trust_proxy=trust_proxy, base_url=base_url)
    with make_server(host, port, app) as server:
        shown = f"[{host}]" if ":" in host else host
        print(f"Serving nogentech feeds on http://{shown}:{server.server_port}/", flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            log.info("interrupted; server stopped")
