"""The threaded :mod:`wsgiref` server that :func:`~nogentech.web.serve` runs.

It speaks HTTP/1.1 with persistent connections: each connection runs on its own
daemon thread (at most ``max_connections`` at once) and serves requests one after
the other until the client closes it, stays idle ``keep_alive`` seconds, or sends
a request that cannot be framed safely. A 304 carries no ``Content-Length``; the
``Server`` header names no Python version; every request is logged in the
Combined Log Format to the ``nogentech.web.access`` logger. See ``docs/deploy.md``.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import socketserver
import threading
import time
import typing
from typing import Any
from wsgiref.headers import Headers
from wsgiref.simple_server import ServerHandler, WSGIRequestHandler, WSGIServer

from ._access import client_host, combined_line

if typing.TYPE_CHECKING:
    from wsgiref.types import WSGIApplication

log = logging.getLogger("nogentech.web")
access_log = logging.getLogger("nogentech.web.access")

_SERVER = "nogentech"
"""The ``Server`` header: no Python version for the world to see."""
_BUSY = (
    b"HTTP/1.1 503 Service Unavailable\r\nServer: nogentech\r\nConnection: close\r\n"
    b"Retry-After: 1\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 32\r\n\r\n"
    b"Too many connections; try again\n"
)


class _ServerHandler(ServerHandler):
    """One request's WSGI call, answered as HTTP/1.1 with an explicit connection decision."""

    server_software = _SERVER
    http_version = "1.1"
    os_environ: typing.MutableMapping[str, str] = {}  # noqa: RUF012  (the process environment stays out)
    keep_alive = False
    """Set by the request handler: the client asked for (or defaults to) a persistent
    connection and sent no body that could be left unread."""

    def cleanup_headers(self) -> None:
        super().cleanup_headers()
        # wsgiref sets these per request; its type stubs do not declare them.
        status = str(getattr(self, "status", None) or "")[:3]
        environ: typing.Mapping[str, Any] = getattr(self, "environ", None) or {}
        headers: Headers = getattr(self, "headers")  # noqa: B009
        # The end of the response must be known without closing the connection.
        framed = "Content-Length" in headers or status in ("204", "304")
        keep = self.keep_alive and (framed or environ.get("REQUEST_METHOD") == "HEAD")
        handler = getattr(self, "request_handler", None)
        if handler is not None:
            handler.close_connection = not keep
        if not keep:
            headers["Connection"] = "close"
        elif environ.get("SERVER_PROTOCOL") == "HTTP/1.0":
            headers["Connection"] = "keep-alive"

    def finish_content(self) -> None:
        # wsgiref gives a bodiless response "Content-Length: 0"; a 304 must not claim
        # a length other than the full representation's (RFC 9110 §8.6), so send none.
        status = str(getattr(self, "status", None) or "")
        if not getattr(self, "headers_sent", True) and status.startswith(("304", "204")):
            self.send_headers()
        else:
            super().finish_content()

    def log_exception(self, exc_info: Any) -> None:
        log.error("error in the server while answering a request", exc_info=exc_info)


class _Handler(WSGIRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 30
    """Seconds a request may take to arrive once started, and to be sent."""
    keep_alive = 15.0
    """Seconds an idle persistent connection waits for its next request."""
    disable_nagle_algorithm = True
    wbufsize = 65536  # status line, headers and a small body leave in one send

    def version_string(self) -> str:
        """The ``Server`` header of error pages sent before the application runs."""
        return _SERVER

    def handle_expect_100(self) -> bool:
        """No ``100 Continue``: no route takes a body, so the final answer comes at once
        (RFC 9110 §10.1.1 lets a server skip it) and the connection closes after it."""
        return True

    def handle(self) -> None:
        """Serve requests on this connection until one of the two sides closes it."""
        self.close_connection = True
        self._one_request()
        idle = float(getattr(self.server, "keep_alive", self.keep_alive))
        while not self.close_connection:
            self.connection.settimeout(idle)
            self._one_request()

    def _one_request(self) -> None:
        try:
            self.raw_requestline = self.rfile.readline(65537)
        except OSError:  # an idle connection timed out or was reset
            self.close_connection = True
            return
        if not self.raw_requestline:
            self.close_connection = True
            return
        self.connection.settimeout(self.timeout)
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
        handler = _ServerHandler(
            self.rfile, output, self.get_stderr(), self.get_environ(), multithread=True
        )
        handler.request_handler = self  # type: ignore[attr-defined]  # logs the request
        # A body the application does not read would be taken for the next request.
        body = self.headers.get("Content-Length", "0").strip() not in ("", "0")
        body = body or "Transfer-Encoding" in self.headers
        handler.keep_alive = not self.close_connection and not body
        handler.run(app)
        if getattr(handler, "status", None) is not None:  # the response did not complete
            self.close_connection = True
        try:
            self.wfile.flush()
        except OSError:
            self.close_connection = True

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Write the request's line of the access log."""
        if not access_log.isEnabledFor(logging.INFO):
            return
        headers = getattr(self, "headers", None)
        forwarded = None
        referer = agent = None
        if headers is not None:
            forwarded = ",".join(headers.get_all("X-Forwarded-For") or []) or None
            referer, agent = headers.get("Referer"), headers.get("User-Agent")
        trust = bool(getattr(self.server, "trust_proxy", False))
        host = client_host(self.client_address[0], forwarded, trust_proxy=trust)
        status = getattr(code, "value", code)
        line = combined_line(host, self.requestline, status, size, referer, agent, time.time())
        access_log.info("%s", line)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        log.info("%s %s", self.address_string(), format % args)


class _Server(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # the listen backlog; socketserver's 5 drops bursts
    trust_proxy = False
    """Log the address a trusted proxy forwards in ``X-Forwarded-For``, not the proxy's."""
    max_connections = 256
    """Connections served at once; more are answered 503 and closed."""
    keep_alive = _Handler.keep_alive

    def server_activate(self) -> None:
        super().server_activate()
        self._slots = threading.BoundedSemaphore(self.max_connections)
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self._slots.acquire(blocking=False):
            try:
                request.settimeout(1)
                request.sendall(_BUSY)
            except OSError:
                pass
            self.shutdown_request(request)
            return
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self._open_lock:
                self._open.discard(request)
            self._slots.release()

    def server_close(self) -> None:
        """Stop listening and end the persistent connections still open."""
        super().server_close()
        if not hasattr(self, "_open"):
            return  # never activated
        with self._open_lock:
            still_open = list(self._open)
        for connection in still_open:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class _Server6(_Server):
    address_family = socket.AF_INET6


def make_server(
    host: str,
    port: int,
    app: WSGIApplication,
    *,
    trust_proxy: bool = False,
    keep_alive: float = 15.0,
    max_connections: int = 256,
) -> WSGIServer:
    """A threaded wsgiref server for ``app`` bound to ``host:port`` (port 0: any free port).

    ``trust_proxy`` logs the client address from ``X-Forwarded-For`` (the address
    the proxy in front received the request from) instead of the proxy's.
    ``keep_alive`` is how long, in seconds, an idle connection stays open;
    ``max_connections`` how many connections are served at once (more get a 503).
    """
    server_class = _Server6 if ":" in host else _Server
    server = server_class((host, port), _Handler, bind_and_activate=False)
    server.trust_proxy = trust_proxy
    server.keep_alive = keep_alive
    server.max_connections = max_connections
    try:
        server.server_bind()
        server.server_activate()
    except BaseException:
        server.server_close()
        raise
    server.set_app(app)
    return server
