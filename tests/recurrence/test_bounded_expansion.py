"""The work on any series that loads is bounded: counted in rule periods, not timed.

dateutil expands a rule period by period (a year, month, week or day at a time,
each built by one call of a ``*dayset`` method of its private ``_iterinfo``); the
tests count those calls while every operation runs: load, validate, next, meetings
and every export.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import nogentech
from nogentech import Cluster, DataError, Meeting, MeetingSeries, Text
from nogentech.cli import main
from nogentech.limits import EARLIEST_DATE, LATEST_DATE
from tests.support.periods import Periods

CYCLE_DAYS = 146_097
"""Days in 400 Gregorian years: any rule that gives its first date repeats after them."""
RANGE_DAYS = (LATEST_DATE - EARLIEST_DATE).days + 1
EXPORTS = (("ics", {}), ("ics", {"expand": True}), ("vcard", {}), ("json", {}))


@pytest.fixture
def periods(monkeypatch: pytest.MonkeyPatch) -> Periods:
    return Periods(monkeypatch)


def data_of(rule: str, first: dt.date) -> dict[str, Any]:
    series = MeetingSeries(
        id="s",
        name=Text(fr="Série"),
        first_date=dt.date(2024, 1, 1),
        start_time=dt.time(8, 30),
        duration=dt.timedelta(hours=1),
        rule="FREQ=DAILY",
    )
    data = nogentech.to_dict(Cluster(id="c", name="C", meeting_series=(series,)))
    data["meeting_series"][0].update(rule=rule, first_date=first.isoformat())
    return data


def run_everything(data: dict[str, Any], folder: Path) -> tuple[Cluster, list[Meeting]]:
    """Every operation on ``data``; the cluster and its occurrences in the whole range."""
    file = folder / "data.json"
    file.write_text(nogentech.dumps(nogentech.from_dict(data)), "utf-8")
    cluster = nogentech.load(file)
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["validate", str(file)]) == 0
        assert main(["next", "--data", str(file), "--after", "2199-12-31T12:00+00:00"]) == 0
        assert main(["next", "--data", str(file), "--after", "1900-01-01T00:00+00:00"]) == 0
    cluster.upcoming(5, after=dt.datetime(2150, 6, 1, tzinfo=dt.UTC))
    everything = cluster.meetings_between(EARLIEST_DATE, LATEST_DATE + dt.timedelta(days=1))
    for name, options in EXPORTS:
        nogentech.export(cluster, name, **options)
    return cluster, everything


def test_a_rule_that_never_occurs_is_refused_after_one_period(periods: Periods) -> None:
    """dateutil alone would build 2.9 million days looking for 30 February."""
    with periods.counting(), pytest.raises(DataError) as info:
        nogentech.from_dict(data_of("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", EARLIEST_DATE))
    assert info.value.lines() == [
        "meeting_series[0]: invalid recurrence rule 'FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30': "
        "first_date 1900-01-01 is not an occurrence of the rule"
    ]
    assert periods.count <= 5  # one period per look at the rule (loading looks twice)


def monday_29_february(day: dt.date) -> bool:
    return (day.month, day.day, day.weekday()) == (2, 29, 0)


def fifth_friday(day: dt.date) -> bool:
    return day.weekday() == 4 and day.day > 28


SPARSE = [
    # Monday 29 February comes once in 28 or 40 years.
    ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO", dt.date(1904, 2, 29), monday_29_february),
    (
        "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO;COUNT=1",
        dt.date(2016, 2, 29),
        lambda day: day == dt.date(2016, 2, 29),
    ),
    (
        "FREQ=DAILY;INTERVAL=7;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO",
        dt.date(2016, 2, 29),
        monday_29_february,
    ),
    (
        "FREQ=WEEKLY;INTERVAL=1000;BYMONTH=2;BYDAY=MO",
        dt.date(1900, 2, 5),
        lambda day: (
            day.weekday() == 0
            and day.month == 2
            and (day - dt.date(1900, 2, 5)).days // 7 % 1000 == 0
        ),
    ),
    (
        "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO;UNTIL=21991231",
        dt.date(1904, 2, 29),
        monday_29_february,
    ),
    (
        "FREQ=MONTHLY;INTERVAL=1000;BYDAY=5FR",
        dt.date(1900, 3, 30),
        lambda day: fifth_friday(day) and ((day.year - 1900) * 12 + day.month - 3) % 1000 == 0,
    ),
]


@pytest.mark.parametrize(("rule", "first", "wanted"), SPARSE, ids=[s[0] for s in SPARSE])
def test_the_sparsest_series_take_at_most_one_calendar_cycle_past_the_range(
    rule: str, first: dt.date, wanted: Callable[[dt.date], bool], tmp_path: Path, periods: Periods
) -> None:
    """After its last occurrence in the range, no search runs further than 400 years.

    The dates are found independently, by looking at every day of the range.
    """
    with periods.counting():
        _cluster, found = run_everything(data_of(rule, first), tmp_path)
    days = (first + dt.timedelta(n) for n in range((LATEST_DATE - first).days + 1))
    expected = [day for day in days if wanted(day)]
    assert [m.recurrence_date for m in found] == expected
    assert periods.count <= (LATEST_DATE - first).days + 1 + CYCLE_DAYS + 10


def test_the_densest_series_lists_one_occurrence_a_day_of_the_range(
    tmp_path: Path, periods: Periods
) -> None:
    """A daily series from 1900 on: one occurrence per day up to 2199, no more work."""
    with periods.counting():
        cluster, found = run_everything(data_of("FREQ=DAILY", EARLIEST_DATE), tmp_path)
    assert len(found) == RANGE_DAYS == 109_573
    assert periods.count <= RANGE_DAYS + 10
    beyond = cluster.meetings_between(LATEST_DATE, dt.date(9999, 1, 1))
    assert [m.start.isoformat() for m in beyond] == ["2199-12-31T08:30:00+01:00"]
    assert cluster.upcoming(1, after=dt.datetime(2500, 1, 1, tzinfo=dt.UTC)) == []
