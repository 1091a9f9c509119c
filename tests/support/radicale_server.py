"""A real Radicale CalDAV/CardDAV server on a free loopback port, for the tests."""

from __future__ import annotations

import base64
import contextlib
import http.client
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _answers(port: int) -> bool:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("OPTIONS", "/")
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


@contextlib.contextmanager
def radicale(root: Path, timeout: float = 30) -> Iterator[int]:
    """Run Radicale with its collections under ``root``; yields its port once it answers.

    No authentication, loopback only. The server is stopped on leaving, and its log
    is shown if it does not start within ``timeout`` seconds.
    """
    port = free_port()
    config = root / "config"
    config.write_text(
        f"[server]\nhosts = 127.0.0.1:{port}\n"
        "[auth]\ntype = none\n"
        f"[storage]\nfilesystem_folder = {root / 'collections'}\n"
        "[logging]\nlevel = warning\n",
        encoding="utf-8",
    )
    log_path = root / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "radicale", "--config", str(config)],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + timeout
            while not _answers(port):
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("Radicale did not start:\n" + log_path.read_text())
                time.sleep(0.1)
            yield port
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


class DAVClient:
    """A tiny WebDAV client over ``http.client``, as user ``user`` (Radicale takes any)."""

    def __init__(self, port: int, user: str) -> None:
        self.port = port
        self.auth = "Basic " + base64.b64encode(f"{user}:secret".encode()).decode("ascii")

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, bytes]:
        """Send one request; the status and the body of the answer."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, path, body, {"Authorization": self.auth, **(headers or {})})
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()
