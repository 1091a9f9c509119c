"""A real Radicale CalDAV/CardDAV server on a free loopback port, for the tests."""

from __future__ import annotations

import base64
import contextlib
import http.client
import socket
import ssl
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


def _answers(port: int, tls: bool = False) -> bool:
    connection = (
        http.client.HTTPSConnection(
            "127.0.0.1", port, timeout=5, context=ssl._create_unverified_context()
        )
        if tls
        else http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    )
    try:
        connection.request("OPTIONS", "/")
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


@contextlib.contextmanager
def running(
    command: list[str], port: int, log_path: Path, name: str, timeout: float = 30, tls: bool = False
) -> Iterator[int]:
    """Run a server ``command`` listening on ``port``; yields the port once it answers.

    The server is stopped on leaving, and its log is shown if it does not start
    within ``timeout`` seconds.
    """
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + timeout
            while not _answers(port, tls):
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"{name} did not start:\n" + log_path.read_text())
                time.sleep(0.1)
            yield port
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def self_signed(root: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 signed by itself, and its key (made by openssl)."""
    cert, key = root / "cert.pem", root / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return cert, key


@contextlib.contextmanager
def radicale(
    root: Path,
    timeout: float = 30,
    users: dict[str, str] | None = None,
    server: str = "",
    tls: tuple[Path, Path] | None = None,
) -> Iterator[int]:
    """Run Radicale with its collections under ``root``; yields its port once it answers.

    Loopback only. Without ``users`` anyone may log in; with them (name: password),
    Radicale checks them in an htpasswd file and each user reaches only their own
    collections. ``server`` holds more lines of the ``[server]`` section; ``tls``, a
    certificate and its key, makes it speak HTTPS. The server is stopped on leaving.
    """
    if tls is not None:
        server += f"ssl = True\ncertificate = {tls[0]}\nkey = {tls[1]}\n"
    port = free_port()
    auth = "[auth]\ntype = none\n"
    if users is not None:
        htpasswd = root / "htpasswd"
        htpasswd.write_text("".join(f"{u}:{p}\n" for u, p in users.items()), encoding="utf-8")
        auth = (
            "[auth]\ntype = htpasswd\n"
            f"htpasswd_filename = {htpasswd}\nhtpasswd_encryption = plain\n"
            "[rights]\ntype = owner_only\n"
        )
    config = root / "config"
    config.write_text(
        f"[server]\nhosts = 127.0.0.1:{port}\n{server}"
        + auth
        + f"[storage]\nfilesystem_folder = {root / 'collections'}\n"
        "[logging]\nlevel = warning\n",
        encoding="utf-8",
    )
    command = [sys.executable, "-m", "radicale", "--config", str(config)]
    log = root / "server.log"
    with running(command, port, log, "Radicale", timeout, tls is not None) as ready:
        yield ready


@contextlib.contextmanager
def xandikos(root: Path, timeout: float = 30) -> Iterator[int]:
    """Run Xandikos with its collections under ``root``; yields its port once it answers.

    Loopback only, without authentication (Xandikos leaves that to a proxy). It
    starts with a calendar at ``/user/calendars/calendar/`` and an address book at
    ``/user/contacts/addressbook/``. The server is stopped on leaving.
    """
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "xandikos.web",
        "--directory",
        str(root / "collections"),
        "--defaults",
        "--no-detect-systemd",
        "--listen-address",
        "127.0.0.1",
        "--port",
        str(port),
        "--current-user-principal",
        "/user/",
    ]
    with running(command, port, root / "server.log", "Xandikos", timeout) as ready:
        yield ready


class DAVClient:
    """A tiny WebDAV client over ``http.client``, as user ``user`` (Radicale takes any)."""

    def __init__(self, port: int, user: str, password: str = "secret") -> None:
        self.port = port
        self.auth = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode("ascii")

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
