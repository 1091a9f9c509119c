"""The threaded :mod:`wsgiref` server that :func:`~nogentech.web.serve` runs.

Each request runs on its own daemon thread; a host with a colon gets an IPv6
socket; the listen backlog is 128 connections and an idle connection times out
after 30 seconds. The ``Server`` header names no Python version, a 304 carries no
``Content-Length``, and request lines go to the ``nogentech.web`` logger instead
of stderr.
"""

from __future__ import annotations

import logging
import socket
import socketserver
import typing
from typing import Any
from wsgiref.simple_server import ServerHandler, WSGIRequestHandler, WSGIServer

if typing.TYPE_CHECKING:
    from wsgiref.types import WSGIApplication

log = logging.getLogger("nogentech.web")

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
