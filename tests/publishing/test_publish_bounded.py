"""A server that never ends its answer, or trickles it, stops a sync with an error.

Each response is read within :data:`nogentech.limits.MAX_RESPONSE_SIZE` bytes and
ten times the timeout: a real HTTP server in a thread plays the hostile server.
"""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import nogentech
from nogentech import limits
from nogentech.publishing import NetworkError

pytest.importorskip("httpx")


class Hostile(http.server.BaseHTTPRequestHandler):
    """Answers every request with a multistatus body the way ``mode`` says."""

    mode = "endless"
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        self.send_response(207, "Multi-Status")
        self.send_header("Content-Type", "application/xml; charset=utf-8")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        piece = b"<!-- " + b"x" * 65_536 + b" -->"
        try:
            while not self.server.stopping:  # type: ignore[attr-defined]
                data = piece if self.mode == "endless" else b" "
                self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
                self.wfile.flush()
                if self.mode == "trickle":
                    time.sleep(0.05)
        except OSError:
            return

    do_PROPFIND = do_GET = do_PUT = do_DELETE = do_REPORT = do_OPTIONS = _answer


def serve(mode: str) -> Iterator[str]:
    handler = type("Handler", (Hostile,), {"mode": mode})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    server.stopping = False  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/calendars/club/"
    finally:
        server.stopping = True  # type: ignore[attr-defined]
        server.shutdown()
        server.server_close()


@pytest.fixture
def endless() -> Iterator[str]:
    yield from serve("endless")


@pytest.fixture
def trickle() -> Iterator[str]:
    yield from serve("trickle")


def test_an_endless_answer_stops_at_the_size_limit(endless: str, tmp_path: Path) -> None:
    started = time.monotonic()
    with pytest.raises(NetworkError, match=f"longer than {limits.MAX_RESPONSE_SIZE} bytes"):
        nogentech.publish(
            nogentech.load(), caldav=endless, auth=("u", "p"), state=tmp_path / "state.json"
        )
    assert time.monotonic() - started < 60


def test_a_trickling_answer_stops_at_ten_times_the_timeout(trickle: str, tmp_path: Path) -> None:
    started = time.monotonic()
    with pytest.raises(NetworkError, match="took more than 2 s"):
        nogentech.publish(
            nogentech.load(),
            caldav=trickle,
            auth=("u", "p"),
            timeout=0.2,
            state=tmp_path / "state.json",
        )
    assert time.monotonic() - started < 30
