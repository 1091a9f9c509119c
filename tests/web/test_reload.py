"""Reloading the data file: in the background, the last good data kept, every real edit seen.

Each test runs a real server on 127.0.0.1 and edits a real file; the default loader
runs in a child process, other loaders are given to the DataSource.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import gc
import hashlib
import json
import logging
import os
import shutil
import subprocess
import threading
from pathlib import Path
from typing import Any

import pytest

import nogentech
from nogentech import web
from nogentech.loading import builtin_path
from tests.support.web import (
    CLUSTER_TOML,
    LAST_MODIFIED,
    FormatsPlugin,
    fetch,
    running,
    wait_for,
)

FAST = 0.05
"""Seconds between two looks at the file in these tests."""


def edit(path: Path, old: str, new: str) -> None:
    path.write_text(CLUSTER_TOML.replace(old, new), encoding="utf-8")


def health(port: int) -> dict[str, Any]:
    status, headers, body = fetch(port, "/healthz")
    assert status == 200
    assert headers["Content-Type"] == "application/json"
    assert headers["Cache-Control"] == "no-store"
    report: dict[str, Any] = json.loads(body)
    return report


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def watcher_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("nogentech-watch-")]


def test_an_edit_is_served_without_a_request_triggering_it(
    formats_plugin: FormatsPlugin, data_file: Path
) -> None:
    """The watcher thread reloads (in a child process) while no request arrives."""
    source = web.DataSource(data_file, interval=FAST)
    with running(web.make_app(source)) as port:
        _, headers, before = fetch(port, "/cluster.json")
        assert source.status()["watching"] is True
        edit(data_file, "Fils", "Filles")
        wait_for(lambda: source.current().version == 2, what="the reload")
        _, new_headers, after = fetch(port, "/cluster.json")
        assert after == nogentech.export(nogentech.load(data_file), "json")
        assert after != before
        assert new_headers["ETag"] != headers["ETag"]
        assert fetch(port, "/cluster.json", headers={"If-None-Match": headers["ETag"]})[0] == 200


def test_requests_during_a_slow_reload_get_the_last_data_without_waiting(
    formats_plugin: FormatsPlugin, data_file: Path
) -> None:
    """The loader is held until the requests are done: had one of them waited for the
    reload, it would never have been answered (the client gives up after 10 s)."""
    entered, release = threading.Event(), threading.Event()

    def slow_load(path: Path) -> nogentech.Cluster:
        entered.set()
        assert release.wait(30)
        return nogentech.load(path)

    source = web.DataSource(data_file, interval=FAST, loader=slow_load)
    with running(web.make_app(source)) as port:
        good = fetch(port, "/cluster.json")[2]
        edit(data_file, "Fils", "Filles")
        try:
            assert entered.wait(20)
            for path in ("/cluster.json", "/calendar.ics", "/", "/healthz"):
                assert fetch(port, path)[0] == 200
            assert fetch(port, "/cluster.json")[2] == good
            assert source.current().version == 1
        finally:
            release.set()
        wait_for(lambda: b"Filles" in fetch(port, "/cluster.json")[2], what="the reload")
        assert source.current().version == 2


def test_a_failing_loader_keeps_the_good_data_and_the_next_edit_is_loaded(
    formats_plugin: FormatsPlugin, data_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="nogentech.web")
    calls: list[Path] = []

    def flaky_load(path: Path) -> nogentech.Cluster:
        calls.append(path)
        if len(calls) == 1:
            raise RuntimeError("disk on fire")
        return nogentech.load(path)

    source = web.DataSource(data_file, interval=FAST, loader=flaky_load)
    with running(web.make_app(source)) as port:
        good = fetch(port, "/cluster.json")[2]
        edit(data_file, "Fils", "Filles")
        wait_for(lambda: health(port)["status"] == "degraded", what="the failed reload")
        report = health(port)
        assert report["last_reload"]["status"] == "failed"
        assert report["last_reload"]["message"] == "RuntimeError: disk on fire"
        assert report["data"]["version"] == 1
        assert fetch(port, "/cluster.json")[2] == good
        failure = next(r for r in caplog.records if "reload failed" in r.getMessage())
        assert failure.exc_info is not None
        assert failure.getMessage() == (
            f"{data_file}: reload failed; still serving the last good data"
        )
        assert len(calls) == 1  # the same bytes are not tried again and again
        edit(data_file, "Fils", "Fillettes")
        wait_for(lambda: b"Fillettes" in fetch(port, "/cluster.json")[2], what="the next edit")
        assert health(port)["status"] == "ok"
        assert source.current().version == 2


def test_invalid_edit_keeps_the_last_good_data_logs_problems_and_the_fix_is_loaded(
    formats_plugin: FormatsPlugin, data_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="nogentech.web")
    source = web.DataSource(data_file, interval=FAST)
    with running(web.make_app(source)) as port:
        good = fetch(port, "/cluster.json")[2]
        edit(data_file, '"testclu"', '"Not A Slug"')
        wait_for(lambda: health(port)["status"] == "degraded", what="the invalid edit")
        report = health(port)
        assert report["last_reload"]["status"] == "invalid"
        assert report["last_reload"]["message"] == "1 problem(s) in the data file"
        assert fetch(port, "/cluster.json")[2] == good
        assert fetch(port, "/calendar.ics")[0] == 200
        errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
        assert f"{data_file}: invalid edit; still serving the last good data" in errors
        assert any(e.startswith(f"{data_file}: id: 'id' must be a slug") for e in errors)
        edit(data_file, "Fils", "Filles")
        wait_for(lambda: b"Filles" in fetch(port, "/cluster.json")[2], what="the fixed edit")
        report = health(port)
        assert (report["status"], report["data"]["version"]) == ("ok", 2)
        assert report["last_reload"]["message"] == "reloaded as data version 2"


def test_a_load_that_takes_too_long_is_stopped_and_the_next_edit_is_loaded(
    formats_plugin: FormatsPlugin, data_file: Path
) -> None:
    """The default loader's child process is killed at the timeout; nothing is lost."""
    source = web.DataSource(data_file, interval=FAST, timeout=0.01)
    with running(web.make_app(source)) as port:
        good = fetch(port, "/cluster.json")[2]
        edit(data_file, "Fils", "Filles")
        wait_for(lambda: health(port)["status"] == "degraded", what="the stopped reload")
        assert health(port)["last_reload"] == {
            "status": "failed",
            "at": health(port)["last_reload"]["at"],
            "message": "loading took more than 0.01 s and was stopped",
        }
        assert fetch(port, "/cluster.json")[2] == good
        source.timeout = 120
        edit(data_file, "Fils", "Fillettes")
        wait_for(lambda: b"Fillettes" in fetch(port, "/cluster.json")[2], what="the next edit")


def test_a_load_beyond_the_memory_limit_is_stopped(
    formats_plugin: FormatsPlugin, data_file: Path
) -> None:
    source = web.DataSource(data_file, interval=FAST, memory=1 << 20)
    with running(web.make_app(source)) as port:
        good = fetch(port, "/cluster.json")[2]
        # A name of 3 MiB: its bytes alone are more than the reload may take.
        edit(data_file, "Fils", "Filles " + "x" * (3 << 20))
        wait_for(lambda: health(port)["status"] == "degraded", what="the stopped reload")
        message = health(port)["last_reload"]["message"]
        assert message == "loading needed more than 1 MiB and was stopped"
        assert fetch(port, "/cluster.json")[2] == good


def test_a_copy_keeping_size_and_times_is_seen_and_moves_last_modified(
    formats_plugin: FormatsPlugin, data_file: Path, tmp_path: Path
) -> None:
    """``cp -p`` of a file of the same size and times: only the bytes tell the edit."""
    source = web.DataSource(data_file, interval=FAST)
    with running(web.make_app(source)) as port:
        _, headers, _ = fetch(port, "/cluster.json")
        assert headers["Last-Modified"] == LAST_MODIFIED
        new = tmp_path / "new.toml"
        new.write_text(CLUSTER_TOML.replace("Fils", "Fels"), encoding="utf-8")
        before = data_file.stat()
        os.utime(new, ns=(before.st_atime_ns, before.st_mtime_ns))
        cp = shutil.which("cp")
        assert cp is not None
        subprocess.run([cp, "-p", str(new), str(data_file)], check=True, timeout=30)
        after = data_file.stat()
        assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
        wait_for(lambda: source.current().version == 2, what="the copy to be seen")
        status, new_headers, body = fetch(
            port, "/cluster.json", headers={"If-Modified-Since": LAST_MODIFIED}
        )
        assert status == 200
        assert json.loads(body)["name"] == "Club <Test> & Fels"
        moved = email.utils.parsedate_to_datetime(new_headers["Last-Modified"])
        assert moved > email.utils.parsedate_to_datetime(LAST_MODIFIED)
        assert moved <= dt.datetime.now(dt.UTC)
        assert health(port)["data"]["sha256"] == sha256(data_file)


def test_same_bytes_with_new_times_make_no_new_version(data_file: Path) -> None:
    with web.DataSource(data_file, interval=3600) as source:
        first = source.current()
        data_file.write_text(CLUSTER_TOML, encoding="utf-8")
        os.utime(data_file, (1_800_000_000, 1_800_000_000))
        assert source.refresh() is False
        assert source.current() is first
        assert source.status()["reload"]["status"] == "ok"


def test_edit_without_new_updated_stamp_moves_last_modified(
    formats_plugin: FormatsPlugin, data_file: Path
) -> None:
    """If-Modified-Since with the old date must not hide an edit that kept ``updated``."""
    source = web.DataSource(data_file, interval=3600, loader=nogentech.load)
    with running(web.make_app(source)) as port:
        _, headers, _ = fetch(port, "/cluster.json")
        assert headers["Last-Modified"] == LAST_MODIFIED
        edit(data_file, "Fils", "Filles")
        os.utime(data_file, (1_717_200_000, 1_717_200_000))  # 2024-06-01T00:00:00Z
        assert source.refresh() is True
        status, new_headers, body = fetch(
            port, "/cluster.json", headers={"If-Modified-Since": LAST_MODIFIED}
        )
        assert status == 200
        assert b"Filles" in body
        assert new_headers["Last-Modified"] == "Sat, 01 Jun 2024 00:00:00 GMT"
        again = {"If-Modified-Since": "Sat, 01 Jun 2024 00:00:00 GMT"}
        assert fetch(port, "/cluster.json", headers=again)[0] == 304


def test_a_missing_file_keeps_the_data_and_its_return_is_loaded(
    data_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="nogentech.web")
    with web.DataSource(data_file, interval=3600, loader=nogentech.load) as source:
        first = source.current()
        data_file.unlink()
        assert source.refresh() is False
        assert source.refresh() is False
        assert source.current() is first
        assert source.status()["reload"] == {
            "status": "failed",
            "at": source.status()["reload"]["at"],
            "message": "cannot read the data file",
        }
        unreadable = [r for r in caplog.records if "cannot read the data file" in r.getMessage()]
        assert len(unreadable) == 1  # said once, not at every check
        edit(data_file, "Fils", "Filles")
        assert source.refresh() is True
        assert source.current().cluster.name == "Club <Test> & Filles"


def test_the_watcher_stops_on_close_and_with_its_source(data_file: Path) -> None:
    before = set(watcher_threads())
    source = web.DataSource(data_file, interval=FAST)
    source.current()
    [thread] = set(watcher_threads()) - before
    assert thread.daemon
    assert thread.name == f"nogentech-watch-{data_file.name}"
    source.close()
    assert not thread.is_alive()
    assert source.status()["watching"] is False
    source.current()  # a closed source serves its data and starts nothing
    assert not thread.is_alive() and source.status()["watching"] is False

    before = set(watcher_threads())
    dropped = web.DataSource(data_file, interval=FAST)
    dropped.current()
    [thread] = set(watcher_threads()) - before
    del dropped
    gc.collect()
    thread.join(10)
    assert not thread.is_alive()


def test_health_of_the_built_in_data(formats_plugin: FormatsPlugin) -> None:
    app = web.make_app()
    with running(app) as port:
        report = health(port)
        head = fetch(port, "/healthz", "HEAD")
    assert report["status"] == "ok"
    assert report["watching"] is None
    assert report["data"]["version"] == 1
    assert report["data"]["sha256"] == sha256(builtin_path())
    assert report["last_reload"]["status"] == "ok"
    assert head[0] == 200 and head[2] == b""


def test_health_reports_the_served_version_exactly(
    formats_plugin: FormatsPlugin, data_file: Path
) -> None:
    source = web.DataSource(data_file, interval=3600, loader=nogentech.load)
    with running(web.make_app(source)) as port:
        report = health(port)
        loaded = source.current().loaded_at
        assert loaded is not None
        stamp = loaded.isoformat().replace("+00:00", "Z")
        assert report == {
            "status": "ok",
            "data": {
                "version": 1,
                "sha256": sha256(data_file),
                "loaded_at": stamp,
                "last_modified": "2024-03-01T10:00:00Z",
            },
            "watching": True,
            "checked_at": report["checked_at"],
            "last_reload": {"status": "ok", "at": report["last_reload"]["at"], "message": "loaded"},
        }
        assert fetch(port, "/healthz?verbose=1")[0] == 200
