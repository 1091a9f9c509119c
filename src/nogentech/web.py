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

This module holds the data source and the public entry points; the application
(:class:`FeedApp`), its HTTP responses, the index page and the wsgiref server are
in the private modules ``_web_app``, ``_web_http``, ``_web_page`` and ``_web_server``.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

import attrs

from ._web_app import ROUTES as ROUTES
from ._web_app import FeedApp
from ._web_server import make_server
from .cluster import Cluster
from .exceptions import DataError
from .loading import builtin_path, load

__all__ = ["DataSource", "FeedApp", "Snapshot", "make_app", "make_server", "serve"]

log = logging.getLogger(__name__)


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
