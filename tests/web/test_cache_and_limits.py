"""The render cache (per version, bounded in entries and bytes, one render per key) and the
limits on what a query can ask for."""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

import nogentech
from nogentech import plugins, web
from nogentech.plugins import Exporter, Option
from tests.support.web import CLUSTER_TOML, FormatsPlugin, fetch, running

OVERHEAD = 512  # bytes the cache counts per entry besides the body


def agenda_size(days: int) -> int:
    """Bytes of the test ``agenda`` export for ``days`` (the FormatsPlugin renderer)."""
    lines = ["BEGIN:VCALENDAR", "X-WR-CALNAME:Club <Test> & Fils"]
    lines += [f"X-OPTION-DAYS:{days}", "X-OPTION-LANG:fr", "X-OPTION-SUB_CLUSTER:None"]
    lines += ["X-OPTION-COMMISSION:None", "END:VCALENDAR", ""]
    return len("\r\n".join(lines).encode())


def test_rendered_bodies_are_cached_per_options_and_data_version(
    formats_plugin: FormatsPlugin, data_file: Path
) -> None:
    source = web.DataSource(data_file, interval=3600, loader=nogentech.load)
    app = web.make_app(source)
    with running(app) as port:
        for _ in range(3):
            fetch(port, "/export/agenda")
        fetch(port, "/export/agenda?lang=fr")  # the default: same resolved options
        fetch(port, "/export/agenda", "HEAD")
        assert sum(formats_plugin.renders.values()) == 1
        fetch(port, "/export/agenda?lang=en")
        fetch(port, "/export/agenda?lang=en")
        assert sum(formats_plugin.renders.values()) == 2
        data_file.write_text(CLUSTER_TOML.replace("Fils", "Filles"), encoding="utf-8")
        assert source.refresh() is True
        _, _, body = fetch(port, "/export/agenda")
        assert b"Filles" in body
        assert sum(formats_plugin.renders.values()) == 3
        # The bodies of the first version are gone as soon as the second is cached.
        assert app.cache.size == (1, len(body) + OVERHEAD)


def test_the_cache_is_bounded_in_bytes_least_recently_used_first(
    formats_plugin: FormatsPlugin, data_file: Path
) -> None:
    sizes = {days: agenda_size(days) + OVERHEAD for days in range(10, 20)}
    limit = sizes[17] + sizes[18] + sizes[19]
    app = web.FeedApp(web.DataSource(data_file, interval=3600), cache_bytes=limit)
    with running(app) as port:
        for days in range(10, 20):
            status, _, body = fetch(port, f"/export/agenda?days={days}")
            assert status == 200 and len(body) + OVERHEAD == sizes[days]
        assert app.cache.size == (3, limit)
        renders = sum(formats_plugin.renders.values())
        fetch(port, "/export/agenda?days=19")  # kept
        assert sum(formats_plugin.renders.values()) == renders
        fetch(port, "/export/agenda?days=10")  # dropped long ago: rendered again
        assert sum(formats_plugin.renders.values()) == renders + 1
        assert app.cache.size[1] <= limit


def test_a_body_larger_than_the_cache_is_served_but_not_kept(
    formats_plugin: FormatsPlugin, data_file: Path
) -> None:
    app = web.FeedApp(web.DataSource(data_file, interval=3600), cache_bytes=100)
    with running(app) as port:
        bodies = {fetch(port, "/export/agenda")[2] for _ in range(3)}
    assert len(bodies) == 1
    assert sum(formats_plugin.renders.values()) == 3
    assert app.cache.size == (0, 0)


class GatePlugin:
    """A ``gate`` exporter whose render waits until the test opens the gate."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.open = threading.Event()
        self.renders = 0

    def render(self, cluster: nogentech.Cluster, options: Mapping[str, Any], hooks: Any) -> bytes:
        self.renders += 1
        self.entered.set()
        assert self.open.wait(30)
        return f"{cluster.name}\n".encode()

    @nogentech.hookimpl
    def nogentech_register_exporters(self, registry: plugins.ExporterRegistry) -> None:
        registry.add(Exporter("gate", "txt", "text/plain", "Waits", self.render))


@pytest.fixture
def gate() -> Iterator[GatePlugin]:
    plugin = GatePlugin()
    plugins.reset([("gate", plugin)])
    yield plugin
    plugins.reset()


def test_concurrent_misses_on_one_key_share_one_render(gate: GatePlugin, data_file: Path) -> None:
    app = web.make_app(data_file)
    arrived = Counter[str]()
    lock = threading.Lock()

    def counted(environ: dict[str, Any], start_response: Any) -> Any:
        with lock:
            arrived[environ["PATH_INFO"]] += 1
        return app(environ, start_response)

    results: list[tuple[int, bytes]] = []

    def client() -> None:
        status, _, body = fetch(port, "/export/gate")
        with lock:
            results.append((status, body))

    with running(counted) as port:
        threads = [threading.Thread(target=client) for _ in range(8)]
        threads[0].start()
        assert gate.entered.wait(20)
        for thread in threads[1:]:
            thread.start()
        deadline = time.monotonic() + 20
        while arrived["/export/gate"] < 8:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        time.sleep(0.2)  # let the last arrivals reach the cache
        gate.open.set()
        for thread in threads:
            thread.join(20)
    app.close()
    assert results == [(200, b"Club <Test> & Fils\n")] * 8
    assert gate.renders == 1


def test_options_are_bounded(port: int, data_file: Path) -> None:
    status, _, body = fetch(port, "/cluster.json?indent=8")
    assert status == 200
    assert body == nogentech.export(nogentech.load(data_file), "json", indent=8)
    for value in ("9", "20000", "9" * 5000, "-1"):
        status, headers, body = fetch(port, f"/cluster.json?indent={value}")
        assert status == 400
        assert body.decode().endswith("(expected a whole number from 0 to 8)\n")
        assert headers["Cache-Control"] == "no-store"


class ExitPlugin:
    @staticmethod
    def render(cluster: nogentech.Cluster, options: Mapping[str, Any], hooks: Any) -> bytes:
        raise SystemExit(3)

    @nogentech.hookimpl
    def nogentech_register_exporters(self, registry: plugins.ExporterRegistry) -> None:
        registry.add(
            Exporter("quits", "txt", "text/plain", "Exits", self.render, (Option("n", "", "int"),))
        )


def test_an_export_that_exits_is_a_plain_500_and_the_server_goes_on(
    data_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="nogentech.web")
    plugins.reset([("quits", ExitPlugin())])
    try:
        with running(web.make_app(data_file)) as port:
            status, headers, body = fetch(port, "/export/quits?n=1")
            assert (status, body) == (
                500,
                b"Internal server error; the details are in the server log.\n",
            )
            assert headers["Cache-Control"] == "no-store"
            assert fetch(port, "/cluster.json")[0] == 200
    finally:
        plugins.reset()
    [record] = [r for r in caplog.records if r.exc_info]
    assert record.getMessage() == "error while serving GET '/export/quits'"
    assert record.exc_info is not None and record.exc_info[0] is SystemExit
