"""Helpers of the feed server tests: test data, test exporters, a loopback server, a client."""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from html.parser import HTMLParser
from typing import Any

import nogentech
from nogentech import plugins, web
from nogentech.plugins import LANG_OPTION, Exporter, Option
from tests.support import DATA

CLUSTER_TOML = (DATA / "web" / "club.toml").read_text(encoding="utf-8")
"""The cluster of ``tests/data/web/club.toml``."""

LAST_MODIFIED = "Fri, 01 Mar 2024 10:00:00 GMT"


class FormatsPlugin:
    """Test exporters: ``agenda`` (a calendar), ``broken``, and stand-ins for missing built-ins."""

    def __init__(self, missing: tuple[str, ...]) -> None:
        self.missing = missing
        self.renders: Counter[str] = Counter()
        self._lock = threading.Lock()

    def agenda(self, cluster: nogentech.Cluster, options: Mapping[str, Any], hooks: Any) -> bytes:
        with self._lock:
            self.renders[repr(sorted(options.items()))] += 1
        lines = ["BEGIN:VCALENDAR", f"X-WR-CALNAME:{cluster.name}"]
        lines += [f"X-OPTION-{k.upper()}:{v}" for k, v in sorted(options.items())]
        return ("\r\n".join([*lines, "END:VCALENDAR", ""])).encode("utf-8")

    def broken(self, cluster: nogentech.Cluster, options: Mapping[str, Any], hooks: Any) -> bytes:
        raise RuntimeError("secret internal detail")

    def card(self, cluster: nogentech.Cluster, options: Mapping[str, Any], hooks: Any) -> bytes:
        return f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:{cluster.name}\r\nEND:VCARD\r\n".encode()

    @nogentech.hookimpl
    def nogentech_register_exporters(self, registry: plugins.ExporterRegistry) -> None:
        cal_options = (
            LANG_OPTION,
            Option("sub_cluster", "Only this sub-cluster."),
            Option("commission", "Only this commission."),
            Option("days", "Days ahead.", "int", 7),
        )
        registry.add(
            Exporter("agenda", "ics", "text/calendar", "Test agenda", self.agenda, cal_options)
        )
        registry.add(Exporter("broken", "txt", "text/plain", "Always fails", self.broken))
        if "ics" in self.missing:
            registry.add(
                Exporter("ics", "ics", "text/calendar", "Stand-in", self.agenda, cal_options)
            )
        if "vcard" in self.missing:
            registry.add(
                Exporter("vcard", "vcf", "text/vcard", "Stand-in", self.card, (LANG_OPTION,))
            )


FILE_TIME = 1_704_067_200  # 2024-01-01T00:00:00Z, before the data's ``updated`` stamp


@contextlib.contextmanager
def running(app: Any, **server_options: Any) -> Iterator[int]:
    """Serve ``app`` on a free loopback port in a thread; yields the port.

    On the way out the server stops, its connections close and, for a
    :class:`~nogentech.web.FeedApp`, the data watcher stops too.
    """
    server = web.make_server("127.0.0.1", 0, app, **server_options)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield server.server_port
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
        if isinstance(app, web.FeedApp):
            app.close()


def fetch(
    port: int, path: str, method: str = "GET", headers: Mapping[str, str] | None = None
) -> tuple[int, http.client.HTTPMessage, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(method, path, headers=dict(headers or {}))
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


def strong_etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.external: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "href" and value:
                self.hrefs.append(value)
            if name == "src" or tag == "link":
                self.external.append(f"{tag} {name}={value}")


def page_links(port: int, path: str = "/", headers: Mapping[str, str] | None = None) -> Links:
    status, response_headers, body = fetch(port, path, headers=headers)
    assert status == 200
    assert response_headers["Content-Type"] == "text/html; charset=utf-8"
    assert response_headers["ETag"] == strong_etag(body)
    parser = Links()
    parser.feed(body.decode("utf-8"))
    assert parser.external == []
    return parser


def wait_for(check: Callable[[], bool], timeout: float = 60.0, what: str = "the change") -> None:
    """Poll ``check`` every 50 ms until it holds; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)
