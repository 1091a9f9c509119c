"""``nogentech stamp`` and the state file that ``nogentech export`` applies."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import attrs
import pytest

import nogentech
from nogentech.cli import main
from tests.conftest import make_demo

UTC = dt.UTC


@pytest.fixture
def data(tmp_path: Path) -> Path:
    path = tmp_path / "demo.json"
    cluster = attrs.evolve(make_demo(), updated=dt.datetime(2024, 1, 5, 10, tzinfo=UTC))
    path.write_text(nogentech.dumps(cluster), encoding="utf-8")
    return path


def edit(path: Path) -> None:
    cluster = nogentech.load(path)
    series = cluster.meeting_series[0]
    feb, march = series.overrides
    feb = attrs.evolve(feb, venue="salle")
    edited = attrs.evolve(cluster, meeting_series=(attrs.evolve(series, overrides=(feb, march)),))
    path.write_text(nogentech.dumps(edited), encoding="utf-8")


def override(feed: bytes) -> str:
    text = feed.decode().replace("\r\n ", "")
    for block in text.split("BEGIN:VEVENT")[1:]:
        if "RECURRENCE-ID;TZID=Europe/Paris:20240208T083000" in block:
            return "".join(
                line + "\n"
                for line in block.splitlines()
                if line.startswith(("SEQUENCE", "DTSTAMP", "LAST-MODIFIED"))
            )
    raise AssertionError("no override of 8 February")


def test_stamp_export_edit_stamp_export(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    state = data.parent / "demo.stamps.json"
    assert main(["stamp", str(data), "--at", "2024-01-05T11:00:00Z"]) == 0
    out, err = capsys.readouterr()
    assert (out, err) == ("", f"0 changes recorded in {state}\n")
    assert json.loads(state.read_text(encoding="utf-8"))["nogentech-stamps"] == 1
    assert main(["export", "ics", "--data", str(data)]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert out.encode() == nogentech.export(nogentech.load(data), "ics")

    edit(data)
    assert main(["export", "ics", "--data", str(data)]) == 0
    out, err = capsys.readouterr()
    assert err == (
        "warning: 1 component changed since the state was recorded; "
        "run 'nogentech stamp' to record when\n"
    )
    assert override(out.encode()) == (
        "DTSTAMP:20240105T100000Z\nSEQUENCE:1\nLAST-MODIFIED:20240105T100000Z\n"
    )

    assert main(["stamp", str(data), "--at", "2024-01-20T08:30:00+01:00", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "state": str(state),
        "changes": [
            {
                "format": "ics",
                "uid": "jeudis.20240208@demo",
                "recurrence_id": None,
                "change": "changed",
                "sequence": 1,
            },
            {
                "format": "ics",
                "uid": "jeudis@demo",
                "recurrence_id": "20240208T083000",
                "change": "changed",
                "sequence": 1,
            },
        ],
    }
    assert main(["export", "ics", "--data", str(data)]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert override(out.encode()) == (
        "DTSTAMP:20240120T073000Z\nSEQUENCE:1\nLAST-MODIFIED:20240120T073000Z\n"
    )
    assert main(["stamp", str(data)]) == 0
    assert capsys.readouterr().err == f"0 changes recorded in {state}\n"


def test_stamp_without_an_offset_is_a_usage_error(
    data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["stamp", str(data), "--at", "2024-01-05T11:00:00"]) == 2
    assert (
        capsys.readouterr().err == "error: --at 2024-01-05T11:00:00: give an offset (+01:00, Z)\n"
    )
    assert not (data.parent / "demo.stamps.json").exists()


def test_export_with_a_state_file_that_is_not_one_exits_2(
    data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = data.parent / "bad.json"
    bad.write_text("[]", encoding="utf-8")
    assert main(["export", "ics", "--data", str(data), "--stamps", str(bad)]) == 2
    assert capsys.readouterr().err == (
        f"{bad}: 1 problem\ninvalid state file: not a state file ('nogentech-stamps': 1 missing)\n"
    )
