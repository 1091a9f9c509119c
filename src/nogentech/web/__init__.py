"""The feed server: a WSGI application over the exporters, and a small threaded server.

:func:`make_app` builds the WSGI callable (``gunicorn 'nogentech.web:make_app()'``);
:func:`serve` runs it. The routes, caching and reloading are described in
``docs/deploy.md``; the application, its HTTP helpers, the page, the server and
the data source are the private modules of this package.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable

from ._app import ROUTES as ROUTES
from ._app import FeedApp
from ._server import make_server
from ._source import DataSource, Snapshot

__all__ = ["DataSource", "FeedApp", "Snapshot", "make_app", "make_server", "serve"]

log = logging.getLogger(__name__)


def make_app(
    data: str | os.PathLike[str] | DataSource | None = None,
    *,
    trust_proxy: bool = False,
    base_url: str | None = None,
    max_age: int = 3600,
    stamps: str | os.PathLike[str] | None = None,
    track_changes: bool = False,
    cors_origins: Iterable[str] = ("*",),
) -> FeedApp:
    """The WSGI application serving the cluster in ``data``.

    ``data`` is a cluster file (TOML or JSON), None for the built-in data, or a
    :class:`DataSource` already set up. A file is watched by a background thread
    and reloaded when it changes, never on a request's path.

    The page's links are relative, so that a client's ``Host`` header never
    reaches them. ``base_url`` (``"https://feeds.example.org/nogentech"``) makes
    them absolute, whatever the request says; ``trust_proxy=True`` takes the scheme
    and host from ``X-Forwarded-Proto`` and ``X-Forwarded-Host`` (or ``Host``): set
    it only behind a reverse proxy that sets them. A bad ``base_url`` raises
    ValueError. ``max_age`` is the Cache-Control lifetime of feeds, in seconds.
    Invalid data raises :class:`~nogentech.DataError` here, before anything is
    served.
    ``stamps`` is a change-tracking state file the feeds are stamped with;
    ``track_changes=True`` keeps it current at each reload (``docs/changes.md``).
    ``cors_origins`` are the origins whose pages may read the responses: ``("*",)``
    (the default, for public feeds) or ``scheme://host[:port]`` addresses; a bad one
    raises ValueError.
    """
    source = (
        data
        if isinstance(data, DataSource)
        else DataSource(data, stamps=stamps, track=track_changes)
    )
    return FeedApp(
        source,
        trust_proxy=trust_proxy,
        base_url=base_url,
        max_age=max_age,
        cors_origins=cors_origins,
    )


def _log_requests() -> None:
    """Log to standard error unless the program set up logging itself: messages with a
    time stamp, access lines bare (they carry their own)."""
    if logging.getLogger().handlers:
        return
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    access = logging.getLogger("nogentech.web.access")
    if not access.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        access.addHandler(handler)
        access.propagate = False


def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    data: str | os.PathLike[str] | None = None,
    *,
    trust_proxy: bool = False,
    base_url: str | None = None,
    stamps: str | os.PathLike[str] | None = None,
    track_changes: bool = False,
    cors_origins: Iterable[str] = ("*",),
) -> None:
    """Serve the feeds until interrupted; loopback only unless ``host`` says otherwise.

    ``trust_proxy``, ``base_url``, ``stamps``, ``track_changes`` and ``cors_origins``
    are passed to :func:`make_app`; ``trust_proxy`` also logs the client address
    from ``X-Forwarded-For``. Ctrl-C stops the server quietly. Raises ``OSError``
    naming the address when the server cannot listen there (a port in use, a host
    that is not this machine's).
    """
    _log_requests()
    app = make_app(
        data,
        trust_proxy=trust_proxy,
        base_url=base_url,
        stamps=stamps,
        track_changes=track_changes,
        cors_origins=cors_origins,
    )
    shown = f"[{host}]" if ":" in host else host
    try:
        try:
            server = make_server(host, port, app, trust_proxy=trust_proxy)
        except OSError as exc:
            reason = exc.strerror or str(exc)
            raise OSError(f"cannot listen on {shown}:{port}: {reason}") from exc
        with server:
            print(f"Serving nogentech feeds on http://{shown}:{server.server_port}/", flush=True)
            try:
                server.serve_forever()
            except KeyboardInterrupt:
                log.info("interrupted; server stopped")
    finally:
        app.close()
