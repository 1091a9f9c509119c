"""The parsed rule of a series is kept while the series lives, at any number of series."""

from __future__ import annotations

import datetime as dt
import gc
import weakref
from zoneinfo import ZoneInfo

import attrs
import pytest
from dateutil.rrule import rrulestr

from nogentech import MeetingSeries, Text
from nogentech.recurrence import build_rule

PARIS = ZoneInfo("Europe/Paris")
SERIES_COUNT = 5_000
"""More series than the former fixed-size cache held (4,096)."""


def weekly(index: int) -> MeetingSeries:
    """A weekly series whose first date differs for each ``index`` (a distinct rule)."""
    return MeetingSeries(
        id=f"s{index}",
        name=Text(fr=f"Série {index}"),
        first_date=dt.date(2000, 1, 3) + dt.timedelta(weeks=index),
        start_time=dt.time(8, 30),
        duration=dt.timedelta(hours=1),
        rule="FREQ=WEEKLY;BYDAY=MO",
    )


def rule_of(series: MeetingSeries) -> object:
    return build_rule(
        series.rule, series.first_date, series.start_time, series.timezone, owner=series
    )


def test_each_series_keeps_its_rule_past_the_former_cache_size() -> None:
    many = [weekly(i) for i in range(SERIES_COUNT)]
    first = [rule_of(s) for s in many]
    again = [rule_of(s) for s in many]
    assert all(a is b for a, b in zip(first, again, strict=True))
    assert len({id(r) for r in first}) == SERIES_COUNT


def test_occurrences_are_dateutils_for_every_series_of_many() -> None:
    many = [weekly(i) for i in range(SERIES_COUNT)]
    start, end = dt.date(2100, 1, 1), dt.date(2100, 2, 1)
    for s in (many[0], many[4_500], many[-1]):
        for _ in range(2):
            got = [m.start for m in s.occurrences(start, end)]
            dtstart = dt.datetime.combine(s.first_date, s.start_time, tzinfo=PARIS)
            lo = dt.datetime.combine(start, dt.time(0), tzinfo=PARIS)
            hi = dt.datetime.combine(end, dt.time(0), tzinfo=PARIS)
            expected = rrulestr(s.rule, dtstart=dtstart).between(lo, hi, inc=True)
            assert got == expected
            assert [d.isoformat() for d in got][:2] == [
                "2100-01-04T08:30:00+01:00",
                "2100-01-11T08:30:00+01:00",
            ]


def test_the_rule_goes_with_its_series() -> None:
    series = weekly(7)
    ref = weakref.ref(rule_of(series))
    series.occurrences(dt.date(2024, 1, 1), dt.date(2025, 1, 1))
    assert ref() is not None
    del series
    gc.collect()
    assert ref() is None


def test_a_reloaded_cluster_shares_the_rules_of_equal_series_then_frees_the_old() -> None:
    old = weekly(3)
    new = attrs.evolve(old)
    assert new is not old
    assert rule_of(new) is rule_of(old)
    ref = weakref.ref(rule_of(old))
    del old
    gc.collect()
    assert ref() is rule_of(new)
    del new
    gc.collect()
    assert ref() is None


def test_series_with_other_values_have_their_own_rules() -> None:
    a = weekly(1)
    b = attrs.evolve(a, start_time=dt.time(9, 0))
    c = attrs.evolve(a, rule="FREQ=WEEKLY;BYDAY=MO;INTERVAL=2")
    assert len({id(rule_of(s)) for s in (a, b, c)}) == 3
    window = (dt.date(2000, 1, 1), dt.date(2000, 1, 25))
    assert [m.start.isoformat() for m in b.occurrences(*window)] == [
        "2000-01-10T09:00:00+01:00",
        "2000-01-17T09:00:00+01:00",
        "2000-01-24T09:00:00+01:00",
    ]
    assert [m.start.isoformat() for m in c.occurrences(*window)] == [
        "2000-01-10T08:30:00+01:00",
        "2000-01-24T08:30:00+01:00",
    ]


def test_without_an_owner_a_rule_is_parsed_and_equal() -> None:
    values = ("FREQ=MONTHLY;BYDAY=2TH", dt.date(2024, 1, 11), dt.time(8, 30), "Europe/Paris")
    one, two = build_rule(*values), build_rule(*values)
    assert list(one[:3]) == list(two[:3])
    assert [d.isoformat() for d in one[:2]] == [
        "2024-01-11T08:30:00+01:00",
        "2024-02-08T08:30:00+01:00",
    ]


def test_an_invalid_rule_raises_every_time_and_is_not_kept() -> None:
    values = ("FREQ=MONTHLY;BYDAY=2TH", dt.date(2024, 1, 12), dt.time(8, 30), "Europe/Paris")
    owner = object()
    for _ in range(2):
        with pytest.raises(ValueError, match="not an occurrence"):
            build_rule(*values, owner=owner)
