"""The built-in server speaks HTTP/1.1: persistent connections, exact framing, access log.

Responses are read off one real socket, so a 304 with a body or a wrong length
would spill into the next response and break its parse.
"""

from __future__ import annotations

import contextlib
import http.client
import logging
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import nogentech
from nogentech import web
from tests.support.web import FormatsPlugin, fetch, running, strong_etag, wait_for


class Wire:
    """A raw client socket that reads responses exactly as framed."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.buffer = b""

    def send(self, *requests: bytes) -> None:
        self.sock.sendall(b"".join(requests))

    def _fill(self) -> bool:
        chunk = self.sock.recv(65536)
        self.buffer += chunk
        return bool(chunk)

    def response(self, *, head: bool = False) -> tuple[int, dict[str, str], bytes]:
        """The next response: status, headers (lower-case names), body by its framing."""
        while b"\r\n\r\n" not in self.buffer:
            assert self._fill(), f"connection closed; got {self.buffer[:200]!r}"
        raw, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        status_line, *lines = raw.decode("latin-1").split("\r\n")
        assert status_line.startswith("HTTP/1.1 "), status_line
        status = int(status_line.split()[1])
        headers = {}
        for line in lines:
            name, value = line.split(":", 1)
            assert name.lower() not in headers, f"{name} twice"
            headers[name.lower()] = value.strip()
        length = 0 if head or status in (204, 304) else int(headers["content-length"])
        while len(self.buffer) < length:
            assert self._fill(), "connection closed inside a body"
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        return status, headers, body

    def closed_by_server(self) -> bool:
        """True when the server closed its side (and sent nothing more)."""
        try:
            return self.sock.recv(1) == b""
        except ConnectionResetError:
            return True

    def close(self) -> None:
        self.sock.close()


@contextlib.contextmanager
def wire(port: int) -> Iterator[Wire]:
    client = Wire(port)
    try:
        yield client
    finally:
        client.close()


def get(path: str, *headers: str, method: str = "GET", version: str = "HTTP/1.1") -> bytes:
    lines = [f"{method} {path} {version}", "Host: 127.0.0.1", *headers, "", ""]
    return "\r\n".join(lines).encode("latin-1")


def test_one_connection_serves_200_304_head_and_errors_in_turn(port: int, data_file: Path) -> None:
    expected = nogentech.export(nogentech.load(data_file), "ics")
    etag = strong_etag(expected)
    with wire(port) as client:
        client.send(get("/calendar.ics"))
        status, headers, body = client.response()
        assert (status, body) == (200, expected)
        assert headers["content-length"] == str(len(expected))
        assert "connection" not in headers  # persistent: the HTTP/1.1 default
        client.send(get("/calendar.ics", f"If-None-Match: {etag}"))
        status, headers, body = client.response()
        assert (status, body) == (304, b"")
        assert "content-length" not in headers and "transfer-encoding" not in headers
        assert headers["etag"] == etag
        assert headers["last-modified"] == "Fri, 01 Mar 2024 10:00:00 GMT"
        assert headers["cache-control"] == "public, max-age=3600"
        assert "date" in headers and "connection" not in headers
        client.send(get("/calendar.ics", method="HEAD"))
        status, headers, body = client.response(head=True)
        assert (status, headers["content-length"], body) == (200, str(len(expected)), b"")
        client.send(get("/nope"))
        assert client.response()[0] == 404
        client.send(get("/cluster.json?indent=20000"))
        status, _, body = client.response()
        assert status == 400
        assert body == (
            b"option 'indent': invalid value '20000' (expected a whole number from 0 to 8)\n"
        )
        client.send(get("/calendar.ics"))
        assert client.response()[2] == expected


def test_pipelined_requests_after_a_304_are_answered_in_order(port: int, data_file: Path) -> None:
    """Three requests sent at once: the 304 in the middle must end at its blank line."""
    expected = nogentech.export(nogentech.load(data_file), "json")
    revalidate = f"If-None-Match: {strong_etag(expected)}"
    with wire(port) as client:
        client.send(
            get("/cluster.json", revalidate), get("/cluster.json"), get("/cluster.json", revalidate)
        )
        answers = [client.response() for _ in range(3)]
    assert [(status, body) for status, _, body in answers] == [
        (304, b""),
        (200, expected),
        (304, b""),
    ]


def test_lower_case_methods_are_not_get(port: int) -> None:
    """RFC 9110 §9.1: methods are case-sensitive; ``get`` is some other method."""
    with wire(port) as client:
        for method in ("get", "head", "Get"):
            client.send(get("/calendar.ics", method=method))
            status, headers, body = client.response()
            assert status == 405
            assert headers["allow"] == "GET, HEAD, OPTIONS"
            assert body == f"Method {method} not allowed (use GET or HEAD)\n".encode()


def test_http_1_0_clients_get_a_connection_per_request_unless_they_ask(port: int) -> None:
    with wire(port) as client:
        client.send(get("/cluster.json", version="HTTP/1.0"))
        status, headers, _ = client.response()
        assert (status, headers["connection"]) == (200, "close")
        assert client.closed_by_server()
    with wire(port) as client:
        for _ in range(2):
            client.send(get("/cluster.json", "Connection: keep-alive", version="HTTP/1.0"))
            status, headers, _ = client.response()
            assert (status, headers["connection"]) == (200, "keep-alive")


def test_connection_close_and_request_bodies_end_the_connection(port: int) -> None:
    with wire(port) as client:
        client.send(get("/cluster.json", "Connection: close"))
        status, headers, _ = client.response()
        assert (status, headers["connection"]) == (200, "close")
        assert client.closed_by_server()
    with wire(port) as client:
        # A body nobody reads would be taken for the next request: close instead.
        client.send(get("/cluster.json", "Content-Length: 12", method="POST") + b"GET / HTTP/1.1")
        status, headers, _ = client.response()
        assert (status, headers["connection"]) == (405, "close")
        assert client.closed_by_server()


def test_a_request_expecting_100_continue_gets_its_final_answer_at_once(port: int) -> None:
    """No route takes a body: the 405 comes before any body is sent, without a 100."""
    with wire(port) as client:
        expect = ("Expect: 100-continue", "Content-Length: 5")
        client.send(get("/calendar.ics", *expect, method="PUT"))
        status, headers, _ = client.response()
        assert (status, headers["connection"], headers["allow"]) == (
            405,
            "close",
            "GET, HEAD, OPTIONS",
        )
        assert client.closed_by_server()


def test_idle_connections_are_closed_after_the_keep_alive_time(
    formats_plugin: FormatsPlugin, data_file: Path
) -> None:
    with running(web.make_app(data_file), keep_alive=0.2) as port, wire(port) as client:
        client.send(get("/cluster.json"))
        assert client.response()[0] == 200
        assert client.closed_by_server()  # after 0.2 s of silence, well within 10 s


def test_connections_beyond_the_limit_get_503(
    formats_plugin: FormatsPlugin, data_file: Path
) -> None:
    with running(web.make_app(data_file), max_connections=2) as port:
        with wire(port) as first, wire(port) as second:
            for client in (first, second):
                client.send(get("/cluster.json"))
                assert client.response()[0] == 200
            with wire(port) as third:
                status, headers, body = third.response()
                assert (status, headers["connection"], headers["retry-after"]) == (
                    503,
                    "close",
                    "1",
                )
                assert body == b"Too many connections; try again\n"
        # Once those two are closed, connections are served again.
        wait_for(lambda: _answers(port), what="a free connection slot")


def _answers(port: int) -> bool:
    """True when a new connection is served (not refused with a 503 or a reset)."""
    try:
        return fetch(port, "/cluster.json")[0] == 200
    except ConnectionError:
        return False


def test_closing_the_server_ends_its_idle_connections(
    formats_plugin: FormatsPlugin, data_file: Path
) -> None:
    app = web.make_app(data_file)
    with wire_after_server(app) as client:
        assert client.closed_by_server()


@contextlib.contextmanager
def wire_after_server(app: web.FeedApp) -> Iterator[Wire]:
    """A kept-alive connection to a server that has been shut down and closed since."""
    with running(app) as port:
        client = Wire(port)
        client.send(get("/cluster.json"))
        assert client.response()[0] == 200
    try:
        yield client
    finally:
        client.close()


# -- under another WSGI server ---------------------------------------------------


@pytest.mark.slow
def test_gunicorn_keeps_the_connection_across_304s(tmp_path: Path, data_file: Path) -> None:
    """The application's 304 is framed so that gunicorn keeps the connection open too."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free = probe.getsockname()[1]
    app = f"nogentech.web:make_app({str(data_file)!r})"
    command = [sys.executable, "-m", "gunicorn", "-b", f"127.0.0.1:{free}", "-w", "1"]
    command += ["-k", "gthread", "--threads", "2", "--keep-alive", "10", app]
    log = tmp_path / "gunicorn.log"
    with log.open("w") as err:
        process = subprocess.Popen(command, stdout=err, stderr=err)
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, log.read_text()
            try:
                socket.create_connection(("127.0.0.1", free), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.1)
        conn = http.client.HTTPConnection("127.0.0.1", free, timeout=10)
        conn.request("GET", "/calendar.ics")
        first = conn.getresponse()
        body = first.read()
        assert first.status == 200
        sock = conn.sock
        for headers in ({"If-None-Match": first.headers["ETag"]}, {}) * 2:
            conn.request("GET", "/calendar.ics", headers=headers)
            response = conn.getresponse()
            assert response.read() == (b"" if headers else body)
            assert response.status == (304 if headers else 200)
            assert not response.will_close
            assert conn.sock is sock
        conn.close()
    finally:
        process.terminate()
        process.wait(10)


# -- the access log ----------------------------------------------------------------

_LINE = re.compile(
    r"^(?P<host>\S+) - - \[(?P<time>\d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4})\] "
    r'"(?P<request>[^"\\]*(?:\\.[^"\\]*)*)" (?P<status>\d{3}) (?P<size>\d+|-) '
    r'"(?P<referer>[^"\\]*(?:\\.[^"\\]*)*)" "(?P<agent>[^"\\]*(?:\\.[^"\\]*)*)"$'
)


def access_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "nogentech.web.access"]


def test_access_log_is_in_the_combined_log_format(
    port: int, data_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="nogentech.web.access")
    body = nogentech.export(nogentech.load(data_file), "ics", lang="en")
    agent = 'Cal "Client"\\1.0\x07'
    with wire(port) as client:
        client.send(
            get("/calendar.ics?lang=en", "Referer: https://ref.example/a", f"User-Agent: {agent}")
        )
        client.response()
        client.send(get("/calendar.ics?lang=en", f"If-None-Match: {strong_etag(body)}"))
        client.response()
        client.send(get("/nope", method="HEAD"))
        client.response(head=True)
    lines = access_lines(caplog)
    assert len(lines) == 3
    first, second, third = (_LINE.match(line) for line in lines)
    assert first and second and third, lines
    assert first.groupdict() | {"time": ""} == {
        "host": "127.0.0.1",
        "time": "",
        "request": "GET /calendar.ics?lang=en HTTP/1.1",
        "status": "200",
        "size": str(len(body)),
        "referer": "https://ref.example/a",
        "agent": 'Cal \\"Client\\"\\\\1.0\\x07',
    }
    stamp = time.strptime(first["time"][:-6], "%d/%b/%Y:%H:%M:%S")
    assert abs(time.mktime(stamp) - time.time()) < 3600  # local time, today
    assert (second["status"], second["size"], second["referer"], second["agent"]) == (
        "304",
        "-",
        "-",
        "-",
    )
    assert (third["request"], third["status"], third["size"]) == ("HEAD /nope HTTP/1.1", "404", "-")


@pytest.mark.parametrize(
    ("trust_proxy", "forwarded", "logged"),
    [
        (False, "203.0.113.9", "127.0.0.1"),
        (True, "203.0.113.9", "203.0.113.9"),
        (True, "10.1.2.3, 203.0.113.9", "203.0.113.9"),  # the entry the proxy added
        (True, "2001:db8::1", "2001:db8::1"),
        (True, "not-an-address", "127.0.0.1"),
        (True, None, "127.0.0.1"),
    ],
)
def test_forwarded_for_names_the_client_only_behind_a_trusted_proxy(
    formats_plugin: FormatsPlugin,
    data_file: Path,
    caplog: pytest.LogCaptureFixture,
    trust_proxy: bool,
    forwarded: str | None,
    logged: str,
) -> None:
    caplog.set_level(logging.INFO, logger="nogentech.web.access")
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    with running(web.make_app(data_file), trust_proxy=trust_proxy) as port:
        assert fetch(port, "/cluster.json", headers=headers)[0] == 200
    [line] = access_lines(caplog)
    assert line.split(" ", 1)[0] == logged
