"""`nogentech serve` as a user runs it: a real process, a free loopback port, a real client."""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import nogentech
from nogentech.cli import EXIT_DATA, build_parser
from tests.support import DATA

pytestmark = pytest.mark.slow

CLUSTER_TOML = (DATA / "web" / "serve.toml").read_text(encoding="utf-8")
"""The cluster of ``tests/data/web/serve.toml``."""


class Server:
    """A `nogentech serve` process; stderr (the log) goes to a file."""

    def __init__(self, process: subprocess.Popen[str], log: Path, host: str, port: int) -> None:
        self.process = process
        self.log = log
        self.host = host
        self.port = port

    def get(self, path: str) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8")


def _first_line(process: subprocess.Popen[str], timeout: float) -> str:
    lines: list[str] = []
    assert process.stdout is not None
    stdout = process.stdout
    reader = threading.Thread(target=lambda: lines.append(stdout.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    return lines[0] if lines else ""


@contextlib.contextmanager
def serving(tmp_path: Path, *args: str) -> Iterator[Server]:
    log = tmp_path / "serve.log"
    with log.open("w", encoding="utf-8") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "nogentech", "serve", "--port", "0", *args],
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    try:
        line = _first_line(process, 30)
        prefix = "Serving nogentech feeds on http://127.0.0.1:"
        assert line.startswith(prefix), (line, log.read_text(encoding="utf-8"))
        port = int(line.removeprefix(prefix).rstrip().rstrip("/"))
        yield Server(process, log, "127.0.0.1", port)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(10)
        if process.stdout is not None:
            process.stdout.close()


def _wait_for(check: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def test_serve_defaults_to_loopback_port_8000_and_the_built_in_data() -> None:
    args = build_parser().parse_args(["serve"])
    assert (args.host, args.port, args.data) == ("127.0.0.1", 8000, None)
    args = build_parser().parse_args(["serve", "--host", "::1", "--port", "9", "--data", "f"])
    assert (args.host, args.port, args.data) == ("::1", 9, "f")


def test_serve_follows_edits_keeps_good_data_on_a_bad_edit_and_stops_on_ctrl_c(
    tmp_path: Path,
) -> None:
    data = tmp_path / "cluster.toml"
    data.write_text(CLUSTER_TOML, encoding="utf-8")
    with serving(tmp_path, "--data", str(data)) as server:
        status, body = server.get("/calendar.ics?lang=en")
        assert status == 200
        assert body == nogentech.export(nogentech.load(data), "ics", lang="en")

        data.write_text(CLUSTER_TOML.replace("Serve Test", "Served Again"), encoding="utf-8")
        _wait_for(lambda: b"Served Again" in server.get("/cluster.json")[1])
        good = server.get("/cluster.json")[1]
        assert good == nogentech.export(nogentech.load(data), "json")
        assert "reloaded (data version 2)" in server.log_text()

        data.write_text(CLUSTER_TOML.replace('"servetest"', '"Not A Slug"'), encoding="utf-8")
        # The watcher looks at the file about once a second.
        _wait_for(
            lambda: server.get("/cluster.json") == (200, good) and "invalid" in server.log_text()
        )
        log = server.log_text()
        assert f"ERROR {data}: invalid edit; still serving the last good data" in log
        assert f"ERROR {data}: id: 'id' must be a slug" in log
        assert server.get("/cluster.json") == (200, good)
        assert server.get("/calendar.ics")[0] == 200

        server.process.send_signal(signal.SIGINT)
        assert server.process.wait(10) == 0
    assert "Traceback" not in server.log_text()
    # Each request has its access line, bare, in the Combined Log Format.
    access = re.compile(
        r"^127\.0\.0\.1 - - \[\d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}\] "
        r'"GET /calendar\.ics\?lang=en HTTP/1\.1" 200 (\d+) "-" "-"$'
    )
    lines = [m for line in server.log_text().splitlines() if (m := access.match(line))]
    assert lines and lines[0][1] == str(len(body))


def test_serve_reports_a_port_in_use_without_a_traceback(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "nogentech", "serve", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=30,
        )
    assert result.returncode != 0
    assert result.stderr.startswith(f"error: cannot listen on 127.0.0.1:{port}: ")
    assert "in use" in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_refuses_invalid_data_at_start(tmp_path: Path) -> None:
    data = tmp_path / "bad.toml"
    data.write_text('id = "Bad Id"\n', encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "nogentech", "serve", "--port", "0", "--data", str(data)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == EXIT_DATA
    assert "name: missing required field" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def _page(server: Server, headers: dict[str, str]) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.request("GET", "/", headers=headers)
        response = conn.getresponse()
        assert response.status == 200
        return response.read().decode("utf-8")
    finally:
        conn.close()


def test_serve_base_url_sets_the_links_of_the_page(tmp_path: Path) -> None:
    data = tmp_path / "cluster.toml"
    data.write_text(CLUSTER_TOML, encoding="utf-8")
    base = "https://feeds.example.org/club"
    with serving(tmp_path, "--data", str(data), "--base-url", base) as server:
        page = _page(server, {"X-Forwarded-Proto": "http", "X-Forwarded-Host": "evil.test"})
    assert 'href="https://feeds.example.org/club/calendar.ics' in page
    assert 'href="webcal://feeds.example.org/club/calendar.ics' in page
    assert "evil.test" not in page
    assert f"127.0.0.1:{server.port}" not in page


def test_serve_trust_proxy_takes_scheme_and_host_from_the_proxy(tmp_path: Path) -> None:
    data = tmp_path / "cluster.toml"
    data.write_text(CLUSTER_TOML, encoding="utf-8")
    proxy = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "cal.example.net"}
    with serving(tmp_path, "--data", str(data), "--trust-proxy") as server:
        trusted = _page(server, proxy)
    with serving(tmp_path, "--data", str(data)) as server:
        untrusted = _page(server, proxy)
        port = server.port
    assert 'href="https://cal.example.net/calendar.ics' in trusted
    assert 'href="webcal://cal.example.net/calendar.ics' in trusted
    assert "cal.example.net" not in untrusted
    assert f"127.0.0.1:{port}" not in untrusted
    assert 'href="/calendar.ics?lang=fr"' in untrusted


def test_serve_refuses_a_bad_base_url_without_a_traceback() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "nogentech", "serve", "--port", "0", "--base-url", "feeds"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 1
    assert result.stderr.startswith("error: ")
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def _origin_header(server: Server, origin: str) -> str | None:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.request("GET", "/meetings.json", headers={"Origin": origin})
        response = conn.getresponse()
        response.read()
        return response.getheader("Access-Control-Allow-Origin")
    finally:
        conn.close()


def test_serve_cors_origin_lets_only_those_pages_read(tmp_path: Path) -> None:
    data = tmp_path / "cluster.toml"
    data.write_text(CLUSTER_TOML, encoding="utf-8")
    allowed = ["https://www.example.org", "http://localhost:5173"]
    args = ["--data", str(data), "--cors-origin", allowed[0], "--cors-origin", allowed[1]]
    with serving(tmp_path, *args) as server:
        assert [_origin_header(server, o) for o in allowed] == allowed
        assert _origin_header(server, "https://evil.example") is None
    with serving(tmp_path, "--data", str(data)) as server:
        assert _origin_header(server, "https://evil.example") == "*"


def test_serve_refuses_a_bad_cors_origin_without_a_traceback() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "nogentech", "serve", "--port", "0", "--cors-origin", "x.org/a"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 1
    assert result.stderr.startswith("error: an allowed origin is '*' or scheme://host[:port]")
    assert "Traceback" not in result.stderr
