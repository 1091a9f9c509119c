"""The VTIMEZONEs of the ``ics`` feed: a zone's changes read from its tz database file.

The instants a zone may change at come from the TZif file its ``ZoneInfo`` reads (and
its footer's rule for later years); they must be the changes found by asking the
zone's state every half day, which the feed did before and still does when the file
cannot be read.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nogentech
from nogentech.exporters.ics._timezones import _observances, _probed, _transitions

ALL_ZONES = sorted(zoneinfo.available_timezones())


@settings(max_examples=40, deadline=None)
@given(
    name=st.sampled_from(ALL_ZONES),
    first=st.integers(1900, 2150),
    years=st.integers(0, 40),
)
def test_the_changes_read_from_the_file_are_those_found_by_probing(
    name: str, first: int, years: int
) -> None:
    assert _transitions(name, first, first + years) == _probed(name, first, first + years)


def test_a_zone_with_a_footer_rule_changes_twice_a_year_far_ahead() -> None:
    """Past the file's last transition, the POSIX rule of its footer gives the changes."""
    initial, changes = _transitions("Australia/Sydney", 2150, 2152)
    assert initial[2] == "AEDT"
    assert [(c[0].isoformat(), c[2][2]) for c in changes] == [
        ("2150-04-04T16:00:00+00:00", "AEST"),  # first Sunday of April, 03:00 AEDT
        ("2150-10-03T16:00:00+00:00", "AEDT"),  # first Sunday of October, 02:00 AEST
        ("2151-04-03T16:00:00+00:00", "AEST"),
        ("2151-10-02T16:00:00+00:00", "AEDT"),
        ("2152-04-01T16:00:00+00:00", "AEST"),
        ("2152-09-30T16:00:00+00:00", "AEDT"),
    ]


def test_the_observances_of_a_zone_and_span_are_made_once_across_renders() -> None:
    cluster = nogentech.load()
    first = nogentech.export(cluster, "ics")
    before = _observances.cache_info()
    again = nogentech.export(cluster, "ics", lang="en")
    after = _observances.cache_info()
    assert again != first
    assert after.misses == before.misses


ENDED_OR_CHANGED = [
    "America/Mexico_City",  # no daylight saving since October 2022
    "America/Sao_Paulo",  # none since February 2019
    "Europe/Istanbul",  # on summer time all year since 2016
    "Asia/Tehran",  # none since September 2022
    "Europe/Paris",
    "America/New_York",
    "Australia/Sydney",
]


@pytest.mark.parametrize("name", ENDED_OR_CHANGED)
@pytest.mark.parametrize("first", [1995, 2005, 2010])
def test_the_feeds_zone_gives_each_meeting_its_offset_for_ever(name: str, first: int) -> None:
    """A rule without an end, read through the feed's own VTIMEZONE (dateutil's tzical,
    as a client that does not look the zone up by name): every occurrence up to 2060 has
    the offset the tz database gives it, also after the zone changed or dropped its rules."""
    import io

    from dateutil import tz as dateutil_tz

    series = nogentech.MeetingSeries(
        id="jeudis",
        name=nogentech.Text(fr="Jeudis"),
        first_date=_second_thursday(first, 1),
        start_time=dt.time(8, 30),
        duration=dt.timedelta(hours=2),
        rule="FREQ=MONTHLY;BYDAY=2TH",
        timezone=name,
    )
    cluster = nogentech.Cluster(id="c", name="C", timezone=name, meeting_series=(series,))
    text = nogentech.export(cluster, "ics").decode("utf-8")
    embedded = dateutil_tz.tzical(io.StringIO(text)).get(name)
    wrong = [
        m.start.isoformat()
        for m in series.occurrences(dt.date(first, 1, 1), dt.date(2061, 1, 1))
        if embedded.utcoffset(m.start.replace(tzinfo=None)) != m.start.utcoffset()
    ]
    assert wrong == []


def _second_thursday(year: int, month: int) -> dt.date:
    day = dt.date(year, month, 8)
    return day + dt.timedelta(days=(3 - day.weekday()) % 7)
