"""The feed server stamps its feeds with the change-tracking state, and can keep it current."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path
from typing import Any

import attrs

import nogentech
from nogentech import web
from nogentech.stamps import VIEWS, Stamps
from tests.conftest import make_demo

UTC = dt.UTC
T0 = dt.datetime(2024, 1, 5, 10, 0, tzinfo=UTC)


def get(app: web.FeedApp, path: str) -> bytes:
    environ: dict[str, Any] = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
    }
    seen: list[str] = []
    body = b"".join(app(environ, lambda status, headers: seen.append(status)))  # type: ignore[arg-type,return-value]
    assert seen == ["200 OK"], body
    return body


def vevents(data: bytes) -> dict[str, str]:
    """Each VEVENT's unfolded text by its UID and RECURRENCE-ID line."""
    text = data.decode().replace("\r\n ", "")
    out = {}
    for block in text.split("BEGIN:VEVENT\r\n")[1:]:
        body = block.split("END:VEVENT")[0]
        key = " ".join(re.findall(r"^(?:UID|RECURRENCE-ID)[^\r\n]*", body, re.M))
        out[key] = body
    return out


def edited(cluster: nogentech.Cluster) -> nogentech.Cluster:
    series = cluster.meeting_series[0]
    feb, march = series.overrides
    feb = attrs.evolve(feb, topic=nogentech.Text(fr="Nouveau sujet", en="New topic"))
    return attrs.evolve(cluster, meeting_series=(attrs.evolve(series, overrides=(feb, march)),))


def test_tracking_server_stamps_an_edited_occurrence_and_nothing_else(tmp_path: Path) -> None:
    start = attrs.evolve(make_demo(), updated=T0)
    data = tmp_path / "demo.json"
    data.write_text(nogentech.dumps(start), encoding="utf-8")
    stamps = tmp_path / "demo.stamps.json"
    source = web.DataSource(data, interval=3600, loader=nogentech.load, stamps=stamps, track=True)
    app = web.make_app(source)
    before = vevents(get(app, "/calendar.ics"))
    assert stamps.exists()
    began = dt.datetime.now(UTC).replace(microsecond=0)
    data.write_text(nogentech.dumps(edited(start)), encoding="utf-8")
    assert source.refresh() is True
    after = vevents(get(app, "/calendar.ics"))
    key = "UID:jeudis@demo RECURRENCE-ID;TZID=Europe/Paris:20240208T083000"
    assert sorted(k for k in after if after[k] != before[k]) == [key]
    assert "SEQUENCE:1\r\n" in after[key] and "SUMMARY:Nouveau sujet\r\n" in after[key]
    modified = re.search(r"^LAST-MODIFIED:(\S+)", after[key], re.M)
    assert modified is not None
    when = dt.datetime.strptime(modified.group(1), "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    assert began <= when <= dt.datetime.now(UTC)
    assert f"DTSTAMP:{modified.group(1)}\r\n" in after[key]


def test_a_reading_server_follows_a_state_file_recorded_elsewhere(tmp_path: Path) -> None:
    """Without tracking, the server reads the state file again when it changes."""
    start = attrs.evolve(make_demo(), updated=T0)
    data = tmp_path / "demo.json"
    data.write_text(nogentech.dumps(start), encoding="utf-8")
    stamps = tmp_path / "demo.stamps.json"
    renders = [(f, v, nogentech.export(start, f, **o)) for f, v, o in VIEWS]
    state = Stamps().record(renders, T0)[0]
    state.save(stamps)
    source = web.DataSource(data, interval=3600, loader=nogentech.load, stamps=stamps)
    app = web.make_app(source)
    plain = get(app, "/calendar.ics")
    assert plain == nogentech.export(start, "ics")
    later = edited(start)
    data.write_text(nogentech.dumps(later), encoding="utf-8")
    assert source.refresh() is True
    key = "UID:jeudis@demo RECURRENCE-ID;TZID=Europe/Paris:20240208T083000"
    pending = vevents(get(app, "/calendar.ics"))[key]
    assert "SEQUENCE:1\r\n" in pending and "LAST-MODIFIED:20240105T100000Z\r\n" in pending
    renders = [(f, v, nogentech.export(later, f, **o)) for f, v, o in VIEWS]
    state.record(renders, dt.datetime(2024, 2, 1, tzinfo=UTC))[0].save(stamps)
    assert source.refresh() is True  # the same data, a new state: a new version
    recorded = vevents(get(app, "/calendar.ics"))[key]
    assert "SEQUENCE:1\r\n" in recorded and "LAST-MODIFIED:20240201T000000Z\r\n" in recorded
