"""``nogentech publish`` against a real Radicale with htpasswd authentication: where the
credentials come from, the plan and the result it prints, and its exit codes."""

from __future__ import annotations

import json
import os
import pty
import ssl
import subprocess
import sys
from collections.abc import Iterator
from http import HTTPStatus
from pathlib import Path

import attrs
import httpx
import pytest

import nogentech
from nogentech.cli import main
from tests.conftest import make_demo
from tests.support import dav_queries as q
from tests.support.radicale_server import DAVClient, free_port, radicale, self_signed

pytestmark = pytest.mark.slow

USERS = {"alice": "s3cret"}


@attrs.frozen
class Server:
    base: str
    client: DAVClient


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with radicale(tmp_path_factory.mktemp("radicale"), users=USERS) as port:
        yield Server(f"http://127.0.0.1:{port}", DAVClient(port, "alice", "s3cret"))


@pytest.fixture
def collections(server: Server, request: pytest.FixtureRequest) -> tuple[str, str]:
    """A fresh calendar and address book for the test."""
    name = request.node.name.replace("[", "-").replace("]", "")[-40:]
    return (
        q.make_calendar(server.client, f"/alice/{name}-cal/"),
        q.make_address_book(server.client, f"/alice/{name}-book/"),
    )


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No credentials unless a test gives them; the sync record in the test's folder."""
    for name in ("NOGENTECH_DAV_USERNAME", "NOGENTECH_DAV_PASSWORD", "NETRC"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    data = tmp_path / "demo.json"
    data.write_text(nogentech.dumps(make_demo()), encoding="utf-8")
    return data


def login(monkeypatch: pytest.MonkeyPatch, password: str = "s3cret") -> None:
    monkeypatch.setenv("NOGENTECH_DAV_USERNAME", "alice")
    monkeypatch.setenv("NOGENTECH_DAV_PASSWORD", password)


def test_publish_with_credentials_from_the_environment_then_a_no_op(
    server: Server,
    collections: tuple[str, str],
    env: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    login(monkeypatch)
    cal, book = collections
    args = ["publish", "--data", str(env), "--caldav", server.base + cal]
    assert main([*args, "--carddav", server.base + book]) == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert lines[0] == f"caldav {server.base}{cal}"
    assert lines[1:4] == [
        "  create    jeudis@demo",
        "  create    salon@demo",
        "  create    visite@demo",
    ]
    assert err == "14 written: 14 create\n"
    assert sorted(q.resources(server.client, cal, "caldav")) == [
        "jeudis@demo.ics",
        "salon@demo.ics",
        "visite@demo.ics",
    ]
    assert (env.parent / "demo.stamps.json").is_file()
    assert (env.parent / "state" / "nogentech" / "publish.json").is_file()
    assert main([*args, "--carddav", server.base + book]) == 0
    out, err = capsys.readouterr()
    assert out == f"caldav {server.base}{cal}\ncarddav {server.base}{book}\n"
    assert err == "0 written: 14 unchanged\n"


def test_publish_reads_a_netrc_file_and_prints_a_dry_run_plan_as_json(
    server: Server,
    collections: tuple[str, str],
    env: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    netrc = env.parent / "netrc"
    netrc.write_text("machine 127.0.0.1 login alice password s3cret\n", encoding="utf-8")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    cal, _ = collections
    code = main(
        ["publish", "--data", str(env), "--caldav", server.base + cal, "--dry-run", "--json"]
    )
    assert code == 0
    plan = json.loads(capsys.readouterr().out)
    assert plan["dry_run"] is True
    [calendar] = plan["collections"]
    assert calendar["counts"] == {
        "create": 3,
        "update": 0,
        "delete": 0,
        "unchanged": 0,
        "conflict": 0,
        "foreign": 0,
    }
    assert [(a["kind"], a["uid"], a["outcome"]) for a in calendar["actions"]] == [
        ("create", "jeudis@demo", "planned"),
        ("create", "salon@demo", "planned"),
        ("create", "visite@demo", "planned"),
    ]
    assert q.resources(server.client, cal, "caldav") == {}
    assert not (env.parent / "demo.stamps.json").exists()


def test_a_wrong_password_exits_5(
    server: Server,
    collections: tuple[str, str],
    env: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    login(monkeypatch, "wrong")
    assert main(["publish", "--data", str(env), "--caldav", server.base + collections[0]]) == 5
    err = capsys.readouterr().err
    assert err.startswith(f"error: PROPFIND {server.base}{collections[0]}: 401 Unauthorized")
    assert "NOGENTECH_DAV_PASSWORD" in err


def test_a_url_that_is_not_a_collection_exits_4(
    server: Server, env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    login(monkeypatch)
    assert main(["publish", "--data", str(env), "--caldav", server.base + "/alice/"]) == 4
    assert capsys.readouterr().err == (
        f"error: {server.base}/alice/ is not a calendar collection (its resourcetype "
        "does not say so); give the URL of the collection itself\n"
    )
    assert main(["publish", "--data", str(env), "--carddav", server.base + "/alice/none/"]) == 4
    assert "is not an address book collection (PROPFIND: 404 Not Found" in capsys.readouterr().err


def test_a_server_that_cannot_be_reached_exits_7(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"http://127.0.0.1:{free_port()}/alice/cal/"
    assert main(["publish", "--data", str(env), "--caldav", url]) == 7
    assert capsys.readouterr().err.startswith(f"error: PROPFIND {url}: ")


def test_a_password_in_the_url_is_refused_before_anything_is_sent(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"http://alice:s3cret@127.0.0.1:{free_port()}/alice/cal/"
    assert main(["publish", "--data", str(env), "--caldav", url]) == 2
    assert capsys.readouterr().err == (
        "error: the URL of 127.0.0.1 holds a password: give it in NOGENTECH_DAV_PASSWORD "
        "or a netrc file instead, never on the command line\n"
    )


def test_a_change_made_on_the_server_exits_3_and_force_overwrites_it(
    server: Server,
    collections: tuple[str, str],
    env: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    login(monkeypatch)
    cal, _ = collections
    args = ["publish", "--data", str(env), "--caldav", server.base + cal]
    assert main(args) == 0
    status, body = server.client.request("GET", cal + "salon%40demo.ics")
    assert status == 200
    status, _ = server.client.request(
        "PUT", cal + "salon%40demo.ics", body.replace(b"SUMMARY:", b"SUMMARY:Moved? ")
    )
    assert status in (201, 204)
    capsys.readouterr()
    assert main(args) == 3
    out, err = capsys.readouterr()
    assert "  conflict  salon@demo  (changed on the server since the last sync)\n" in out
    assert err.endswith(
        "warning: 1 resource changed on the server since the last sync, left as they are; "
        "--force overwrites them\n"
    )
    assert main([*args, "--force"]) == 0
    assert "  update    salon@demo\n" in capsys.readouterr().out
    assert main(args) == 0


def test_a_resource_the_server_refuses_exits_6_with_its_message(
    tmp_path_factory: pytest.TempPathFactory,
    env: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A server that takes at most 1500 bytes a request refuses the series (1.9 kB);
    the two events go through and are recorded."""
    root = tmp_path_factory.mktemp("small")
    with radicale(root, users=USERS, server="max_content_length = 1500\n") as port:
        client = DAVClient(port, "alice", "s3cret")
        cal = q.make_calendar(client, "/alice/cal/")
        login(monkeypatch)
        url = f"http://127.0.0.1:{port}{cal}"
        assert main(["publish", "--data", str(env), "--caldav", url]) == 6
        out, err = capsys.readouterr()
        # The reason phrase is the one the server sends: Radicale takes it from
        # the standard library, which renamed 413 in Python 3.13 (RFC 9110).
        refusal = f"413 {HTTPStatus(413).phrase}: Request body too large."
        assert f"  create    jeudis@demo  -> refused: {refusal}\n" in out
        assert err.endswith(f"error: jeudis@demo: {refusal}\n")
        assert sorted(q.resources(client, cal, "caldav")) == ["salon@demo.ics", "visite@demo.ics"]


def test_a_terminal_sees_a_progress_line(
    server: Server, collections: tuple[str, str], env: Path
) -> None:
    leader, follower = pty.openpty()
    environ = {
        **os.environ,
        "NOGENTECH_DAV_USERNAME": "alice",
        "NOGENTECH_DAV_PASSWORD": "s3cret",
        "XDG_STATE_HOME": str(env.parent / "state"),
    }
    try:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "nogentech",
                "publish",
                "--data",
                str(env),
                "--caldav",
                server.base + collections[0],
            ],
            stdout=subprocess.PIPE,
            stderr=follower,
            env=environ,
            timeout=120,
            check=False,
        )
        os.close(follower)
        seen = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
    finally:
        os.close(leader)
    assert done.returncode == 0
    assert b"\r\x1b[K[1/3] create jeudis@demo" in seen
    assert b"\r\x1b[K[3/3] create visite@demo" in seen
    assert seen.endswith(b"3 written: 3 create\r\n")


def test_https_is_verified_unless_the_servers_authority_is_given(
    tmp_path_factory: pytest.TempPathFactory,
    env: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A server with a certificate of its own is refused (exit 7) until ``--ca-file``."""
    root = tmp_path_factory.mktemp("tls")
    cert, key = self_signed(root)
    with radicale(root, users=USERS, tls=(cert, key)) as port:
        login(monkeypatch)
        url = f"https://127.0.0.1:{port}/alice/cal/"
        args = ["publish", "--data", str(env), "--caldav", url]
        assert main(args) == 7
        err = capsys.readouterr().err
        assert err.startswith(f"error: PROPFIND {url}: [SSL: CERTIFICATE_VERIFY_FAILED]")
        assert err.endswith("(give the server's CA certificate with --ca-file)\n")
        context = ssl.create_default_context(cafile=str(cert))
        made = httpx.request("MKCALENDAR", url, auth=("alice", "s3cret"), verify=context)
        assert made.status_code == 201
        assert main([*args, "--ca-file", str(cert)]) == 0
        assert capsys.readouterr().err == "3 written: 3 create\n"
