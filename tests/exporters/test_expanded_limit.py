"""The most meetings one export or listing expands (``MAX_EXPANDED_MEETINGS``).

A few daily series over a century are millions of events: an expanded feed, the
meetings of a window and ``nogentech meetings`` refuse such a window with a usage
error (400 from the server) once the limit is passed, series by series, instead of
building every event first. Just under the limit, they are written.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

import nogentech
from nogentech import limits
from nogentech.web import make_app
from tests.support.web import fetch, running

LIMIT = limits.MAX_EXPANDED_MEETINGS
CENTURY = (dt.date(1900, 1, 1), dt.date(2000, 1, 1))
CENTURY_OPTIONS = ("--option", "expand=true", "--option", "start=1900-01-01")
CENTURY_OPTIONS += ("--option", "end=2000-01-01")


def daily(count: int, first: dt.date = dt.date(1900, 1, 1)) -> nogentech.Cluster:
    """A cluster of ``count`` series that meet every day from ``first``."""
    series = tuple(
        nogentech.MeetingSeries(
            id=f"s{n}",
            name=nogentech.Text(fr=f"Série {n}"),
            first_date=first,
            start_time=dt.time(8, 30),
            duration=dt.timedelta(hours=1),
            rule="FREQ=DAILY",
        )
        for n in range(count)
    )
    return nogentech.Cluster(id="c", name="C", meeting_series=series)


def test_the_limit_is_a_hundred_thousand_meetings() -> None:
    assert LIMIT == 100_000


def test_an_expanded_feed_past_the_limit_is_refused_before_it_is_built(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Thirty daily series over a hundred years (the most a window may span) are 1.1
    million events: the export stops at the third series, the first past the limit."""
    cluster = daily(30)
    expanded: list[str] = []
    original = nogentech.MeetingSeries.expand_window

    def counting(self: nogentech.MeetingSeries, *args: object, **kwargs: object) -> object:
        expanded.append(self.id)
        return original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(nogentech.MeetingSeries, "expand_window", counting)
    with pytest.raises(nogentech.OptionError, match="more than 100,000 meetings"):
        nogentech.export(cluster, "ics", expand=True, start=CENTURY[0], end=CENTURY[1])
    assert expanded == ["s0", "s1", "s2"]
    # The feed itself, one master VEVENT per series, is written as ever.
    assert nogentech.export(cluster, "ics").count(b"RRULE:FREQ=DAILY") == 30


def test_under_the_limit_every_meeting_is_written() -> None:
    """Two daily series over the twentieth century (1900 is no leap year): 73,048 events."""
    cluster = daily(2)
    data = nogentech.export(cluster, "ics", expand=True, start=CENTURY[0], end=CENTURY[1])
    assert data.count(b"BEGIN:VEVENT") == 2 * 36_524


def test_the_meetings_of_a_window_past_the_limit_are_refused() -> None:
    cluster = daily(15, dt.date(2020, 1, 1))  # 15 × 7,305 days = 109,575 meetings
    options = {"from": dt.date(2020, 1, 1), "to": dt.date(2040, 1, 1)}
    with pytest.raises(nogentech.OptionError, match="more than 100,000 meetings"):
        nogentech.export(cluster, "meetings-json", **options)
    with pytest.raises(nogentech.OptionError, match="more than 100,000 meetings"):
        nogentech.export(cluster, "meetings-atom", **options)
    # A year of them (the default window is one) is written.
    document = json.loads(
        nogentech.export(cluster, "meetings-json", **{"from": dt.date(2030, 1, 1)})
    )
    assert len(document["meetings"]) == 15 * 365


def test_the_command_line_and_the_server_answer_with_a_usage_error(tmp_path: Path) -> None:
    data = tmp_path / "daily.json"
    data.write_bytes(nogentech.export(daily(30), "json"))
    for argv in (
        ["export", "ics", "--data", str(data), *CENTURY_OPTIONS],
        ["meetings", "--from", "1900-01-01", "--to", "2100-01-01", "--data", str(data)],
    ):
        done = subprocess.run(
            [sys.executable, "-m", "nogentech", *argv],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 2, done.stderr
        assert done.stderr.startswith("error: the window holds more than 100,000 meetings")
        assert "Traceback" not in done.stderr
    with running(make_app(data)) as port:
        status, _, body = fetch(port, "/calendar.ics?expand=true&start=1900-01-01&end=2000-01-01")
        assert status == 400
        assert b"more than 100,000 meetings" in body
        assert fetch(port, "/calendar.ics")[0] == 200
