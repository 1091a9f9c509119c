"""Telling a series' dates without running its rule gives dateutil's own answer."""

from __future__ import annotations

import datetime as dt
import types
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import rrulestr
from hypothesis import given, settings
from hypothesis import strategies as st

from nogentech import meetings
from nogentech.recurrence import build_rule, rule_text
from nogentech.rules import WEEKDAYS, parse_rule
from nogentech.text import Text

ZONES = ("Europe/Paris", "America/New_York", "Asia/Tokyo", "Australia/Lord_Howe", "UTC")


@st.composite
def rules(draw: st.DrawFn) -> str:
    """Rules of every frequency with the BYxxx parts a series may have, no COUNT."""
    freq = draw(st.sampled_from(("DAILY", "WEEKLY", "MONTHLY", "YEARLY")))
    parts = [f"FREQ={freq}"]
    # Intervals that divide the calendar's 400-year cycle (in periods of FREQ): a
    # rule that gives its first date gives it again 400 years on, so dateutil, which
    # looks for a next date until year 9999, always finds one soon enough.
    steps = {"DAILY": (1, 3), "WEEKLY": (1, 3), "MONTHLY": (1, 2, 3, 4, 5), "YEARLY": (1, 2, 4, 5)}
    if draw(st.booleans()):
        parts.append(f"INTERVAL={draw(st.sampled_from(steps[freq]))}")
    if draw(st.booleans()):
        days = draw(st.lists(st.sampled_from(WEEKDAYS), min_size=1, max_size=3, unique=True))
        if freq in ("MONTHLY", "YEARLY") and draw(st.booleans()):
            days = [f"{draw(st.sampled_from((1, 2, 3, 4, -1, -2)))}{d}" for d in days]
        parts.append("BYDAY=" + ",".join(days))
    if freq != "WEEKLY" and draw(st.booleans()):
        days_of_month = draw(st.lists(st.integers(-31, 31).filter(bool), max_size=2, unique=True))
        if days_of_month:
            parts.append("BYMONTHDAY=" + ",".join(map(str, days_of_month)))
    if draw(st.booleans()):
        months = draw(st.lists(st.integers(1, 12), min_size=1, max_size=3, unique=True))
        parts.append("BYMONTH=" + ",".join(map(str, months)))
    if freq == "YEARLY" and draw(st.booleans()):
        ordinal = any(p.startswith("BYDAY=") and any(c.isdigit() for c in p) for p in parts)
        if draw(st.booleans()) and not ordinal:
            parts.append(f"BYWEEKNO={draw(st.sampled_from((1, 2, 20, 52, 53, -1)))}")
        else:
            parts.append(f"BYYEARDAY={draw(st.sampled_from((1, 60, 100, 366, -1, -300)))}")
    if len(parts) > 1 and parts[-1].startswith("BY") and draw(st.booleans()):
        parts.append(f"BYSETPOS={draw(st.sampled_from((1, 2, -1, 3)))}")
    if draw(st.booleans()):
        parts.append(f"WKST={draw(st.sampled_from(WEEKDAYS))}")
    if not draw(st.integers(0, 4)):
        until = draw(st.dates(dt.date(2000, 1, 1), dt.date(2060, 12, 31)))
        parts.append(f"UNTIL={until:%Y%m%d}")
    return ";".join(parts)


SERIES: dict[str, st.SearchStrategy[Any]] = {
    "rule": rules(),
    "first": st.dates(dt.date(1990, 1, 1), dt.date(2040, 12, 31)),
    "start": st.times().map(lambda t: t.replace(microsecond=0)),
    "timezone": st.sampled_from(ZONES),
}
"""The values of a series drawn by the tests: its rule, first date, start time and zone."""


def _days_from(day: dt.date, count: int) -> list[dt.date]:
    return [day + dt.timedelta(days=i) for i in range(count)]


def _starts(rule: str, first: dt.date, start: dt.time, timezone: str) -> bool:
    try:
        build_rule(rule, first, start, timezone)
    except ValueError:
        return False
    return True


def _window(
    rule: str, first: dt.date, start: dt.time, timezone: str, offset: int, span: int, after: int
) -> tuple[str, dt.date, dt.date, dt.date] | None:
    """A valid rule and first date, and the window ``offset`` days after it, or None.

    A series' first date is an occurrence: the rule occurs, and dateutil finds the
    dates after any day without running to year 9999. A rule without UNTIL is given
    one ``after`` days past the window: one that never occurs again would have
    dateutil look until year 9999.
    """
    try:
        parse_rule(rule)
    except ValueError:
        return None
    found = next((d for d in _days_from(first, 400) if _starts(rule, d, start, timezone)), None)
    if found is None:
        return None
    lo = found + dt.timedelta(days=offset)
    hi = lo + dt.timedelta(days=span)
    if "UNTIL=" not in rule:
        rule += f";UNTIL={hi + dt.timedelta(days=after):%Y%m%d}"
    return rule, found, lo, hi


def dates_from_the_first(series: Any, lo: dt.date, hi: dt.date) -> set[dt.date]:
    tz = ZoneInfo(series.timezone)
    full = rrulestr(
        rule_text(series.rule, tz),
        dtstart=dt.datetime.combine(series.first_date, series.start_time, tzinfo=tz),
    )
    found = full.between(
        dt.datetime.combine(lo, dt.time(0), tzinfo=tz),
        dt.datetime.combine(hi + dt.timedelta(days=1), dt.time(0), tzinfo=tz),
        inc=True,
    )
    return {stamp.date() for stamp in found if stamp.date() <= hi}


@settings(max_examples=150, deadline=None)
@given(**SERIES, offset=st.integers(0, 4000), span=st.integers(1, 250))
def test_the_dates_told_are_those_dateutil_gives(
    rule: str, first: dt.date, start: dt.time, timezone: str, offset: int, span: int
) -> None:
    case = _window(rule, first, start, timezone, offset, span, 2)
    if case is None:
        return
    rule, first, lo, hi = case
    series = types.SimpleNamespace(rule=rule, first_date=first, start_time=start, timezone=timezone)
    occurs = meetings._date_test(series)  # type: ignore[arg-type]
    if occurs is None:
        assert any(p in rule for p in ("BYSETPOS", "BYWEEKNO", "BYYEARDAY")) or (
            "BYDAY=" in rule and any(c.isdigit() for c in rule.split("BYDAY=")[1].split(";")[0])
        )
        return
    days = [lo + dt.timedelta(days=i) for i in range(span + 1)]
    assert {d for d in days if occurs(d)} == dates_from_the_first(series, lo, hi)


def test_a_rule_with_count_is_run_from_its_first_date() -> None:
    series = types.SimpleNamespace(
        rule="FREQ=WEEKLY;COUNT=500",
        first_date=dt.date(2000, 1, 3),
        start_time=dt.time(9),
        timezone="Europe/Paris",
    )
    assert meetings._date_test(series) is None  # type: ignore[arg-type]


def test_dates_years_after_the_first_are_told_apart() -> None:
    series = meetings.MeetingSeries(
        id="club",
        name=Text(fr="Club"),
        first_date=dt.date(2001, 1, 11),
        start_time=dt.time(18, 30),
        duration=dt.timedelta(hours=2),
        rule="FREQ=MONTHLY;BYDAY=2TH",
    )
    wanted = [dt.date(2024, 3, 14), dt.date(2024, 3, 15), dt.date(2025, 6, 12), dt.date(2025, 6, 5)]
    assert meetings.off_rule_dates(series, wanted) == {dt.date(2024, 3, 15), dt.date(2025, 6, 5)}


def _series(rule: str, first: dt.date, start: dt.time, timezone: str) -> meetings.MeetingSeries:
    return meetings.MeetingSeries(
        id="serie",
        name=Text(fr="Série"),
        first_date=first,
        start_time=start,
        duration=dt.timedelta(hours=2),
        rule=rule,
        timezone=timezone,
    )


def _seen(found: list[meetings.Meeting]) -> list[tuple[str, str, str]]:
    return [(m.id, m.start.isoformat(), m.end.isoformat()) for m in found]


@settings(max_examples=150, deadline=None)
@given(**SERIES, offset=st.integers(-40, 4000), span=st.integers(0, meetings._TOLD_DAYS))
def test_a_short_window_expands_as_dateutil_runs_the_rule(
    rule: str, first: dt.date, start: dt.time, timezone: str, offset: int, span: int
) -> None:
    """The occurrences of a window told a day at a time are those dateutil gives."""
    _told_as_run(rule, first, start, timezone, offset, span)


def _told_as_run(
    rule: str, first: dt.date, start: dt.time, timezone: str, offset: int, span: int
) -> None:
    """The window ``offset`` days after the first date has the occurrences dateutil gives."""
    case = _window(rule, first, start, timezone, offset, span, 40)
    if case is None:
        return
    rule, first, lo, hi = case
    try:
        series = _series(rule, first, start, timezone)
    except ValueError:
        return
    told = series.occurrences(lo, hi)
    run = _run_by_dateutil(lambda: series.occurrences(lo, hi))
    assert _seen(told) == _seen(run)


def _run_by_dateutil(call: Any) -> Any:
    saved = meetings._told_window
    meetings._told_window = lambda *_: False
    try:
        return call()
    finally:
        meetings._told_window = saved


@settings(max_examples=150, deadline=None)
@given(**SERIES, offset=st.integers(-40, 12000), span=st.integers(0, 800))
def test_a_long_window_far_from_the_first_date_expands_as_dateutil_runs_the_rule(
    rule: str, first: dt.date, start: dt.time, timezone: str, offset: int, span: int
) -> None:
    """A window of up to two years, up to thirty years on, told or run, is what dateutil gives."""
    _told_as_run(rule, first, start, timezone, offset, span)


def test_a_year_ten_years_on_is_told_without_running_the_rule(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    series = _series("FREQ=MONTHLY;BYDAY=2TH", dt.date(2009, 1, 8), dt.time(8, 30), "Europe/Paris")
    expected = _seen(
        _run_by_dateutil(lambda: series.occurrences(dt.date(2025, 1, 1), dt.date(2026, 1, 1)))
    )

    def refused(*_: Any) -> Any:
        raise AssertionError("the rule was run")

    monkeypatch.setattr(meetings, "_series_rule", refused)
    found = series.occurrences(dt.date(2025, 1, 1), dt.date(2026, 1, 1))
    assert _seen(found) == expected
    assert [m.start.isoformat() for m in found][:2] == [
        "2025-01-09T08:30:00+01:00",
        "2025-02-13T08:30:00+01:00",
    ]
    assert len(found) == 12
    # The whole life of the series, from its first date, is run by dateutil.
    with pytest.raises(AssertionError, match="the rule was run"):
        series.occurrences(dt.date(2009, 1, 1), dt.date(2026, 1, 1))


def test_a_month_of_the_thursday_meeting_is_told_a_day_at_a_time() -> None:
    series = _series("FREQ=MONTHLY;BYDAY=2TH", dt.date(2009, 1, 8), dt.time(8, 30), "Europe/Paris")
    found = series.occurrences(dt.date(2025, 3, 1), dt.date(2025, 4, 1))
    assert _seen(found) == [
        ("serie/2025-03-13", "2025-03-13T08:30:00+01:00", "2025-03-13T10:30:00+01:00")
    ]
    # Across the change to summer time, 08:30 stays 08:30.
    found = series.occurrences(dt.date(2025, 4, 1), dt.date(2025, 5, 1))
    assert _seen(found) == [
        ("serie/2025-04-10", "2025-04-10T08:30:00+02:00", "2025-04-10T10:30:00+02:00")
    ]
    assert _seen(found) == _seen(
        _run_by_dateutil(lambda: series.occurrences(dt.date(2025, 4, 1), dt.date(2025, 5, 1)))
    )
