"""The master feed's overrides, cancelled and extra dates, however far apart they are.

The VEVENTs of the changed dates of a series are built from those dates alone
(:func:`nogentech.meetings.occurrences_on`), not by expanding every occurrence
between the first and the last of them.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar

import nogentech
from nogentech import Cluster, MeetingSeries, Override, Text
from nogentech.meetings import occurrences_on
from nogentech.recurrence import window
from nogentech.testing import series


def by_window(s: MeetingSeries, dates: set[dt.date]) -> list[nogentech.Meeting]:
    """What the feed built before: every occurrence around the dates, then the dates kept."""
    if not dates:
        return []
    bounds = dates | {o.moved_to for o in s.overrides if o.moved_to and o.date in dates}
    win = window(s.timezone, min(bounds) - dt.timedelta(days=2), max(bounds) + dt.timedelta(3))
    found = s.expand_window(win, include_cancelled=True)
    return sorted((m for m in found if m.recurrence_date in dates), key=lambda m: m.id)


def same(a: list[nogentech.Meeting], b: list[nogentech.Meeting]) -> None:
    assert [(m, m.override, m.series) for m in a] == [(m, m.override, m.series) for m in b]


@settings(max_examples=150, deadline=None)
@given(s=series(), data=st.data())
def test_the_occurrences_of_dates_are_those_the_expansion_gives(
    s: MeetingSeries, data: st.DataObject
) -> None:
    changed = {o.date for o in s.overrides} | set(s.cancelled) | set(s.extra_dates)
    chosen = (
        set(data.draw(st.lists(st.sampled_from(sorted(changed)), unique=True)))
        if changed
        else set()
    )
    same(occurrences_on(s, chosen, include_cancelled=True), by_window(s, chosen))
    kept = occurrences_on(s, chosen)
    assert kept == [m for m in by_window(s, chosen) if not m.cancelled]


@settings(max_examples=60, deadline=None)
@given(s=series(), days=st.lists(st.dates(dt.date(2019, 1, 1), dt.date(2034, 1, 1)), max_size=5))
def test_dates_the_series_does_not_have_give_nothing(s: MeetingSeries, days: list[dt.date]) -> None:
    same(occurrences_on(s, set(days), include_cancelled=True), by_window(s, set(days)))


WEEKLY = MeetingSeries(
    id="w",
    name=Text(fr="Hebdo"),
    first_date=dt.date(1900, 1, 4),  # a Thursday
    start_time=dt.time(18, 0),
    duration=dt.timedelta(hours=1),
    rule="FREQ=WEEKLY;BYDAY=TH",
    holiday_country=None,
    overrides=(
        Override(date=dt.date(1905, 6, 1), topic=Text(fr="Début"), moved_to=dt.date(1905, 6, 2)),
        Override(date=dt.date(2190, 6, 3), topic=Text(fr="Fin")),
    ),
    cancelled=(dt.date(2100, 1, 7),),
)


def test_overrides_three_centuries_apart_give_their_vevents() -> None:
    """A weekly series with overrides in 1905 and 2190 and a cancelled date in 2100:
    the master and those three VEVENTs, each with its RECURRENCE-ID."""
    cluster = Cluster(id="c", name="C", meeting_series=(WEEKLY,))
    data = nogentech.export(cluster, "ics")
    events = Calendar.from_ical(data).events
    got = [
        (
            str(e["SUMMARY"]),
            e["DTSTART"].dt.isoformat(),
            e["RECURRENCE-ID"].dt.isoformat() if "RECURRENCE-ID" in e else None,
            str(e["STATUS"]),
        )
        for e in events
    ]
    assert got == [
        ("Hebdo", "1900-01-04T18:00:00+00:09:21", None, "CONFIRMED"),
        ("Début", "1905-06-02T18:00:00+00:09:21", "1905-06-01T18:00:00+00:09:21", "CONFIRMED"),
        ("Annulé : Hebdo", "2100-01-07T18:00:00+01:00", "2100-01-07T18:00:00+01:00", "CANCELLED"),
        ("Fin", "2190-06-03T18:00:00+02:00", "2190-06-03T18:00:00+02:00", "CONFIRMED"),
    ]


def given_by_dateutil(s: MeetingSeries, dates: set[dt.date]) -> set[dt.date]:
    """The dates among ``dates`` that dateutil's run of the rule gives."""
    if not dates:
        return set()
    from nogentech.recurrence import build_rule, zone

    tz = zone(s.timezone)
    rule = build_rule(s.rule, s.first_date, s.start_time, s.timezone)
    lo = dt.datetime.combine(min(dates), dt.time(0), tzinfo=tz)
    hi = dt.datetime.combine(max(dates) + dt.timedelta(days=1), dt.time(0), tzinfo=tz)
    return {stamp.date() for stamp in rule.between(lo, hi, inc=True)} & dates


@settings(max_examples=150, deadline=None)
@given(s=series(), days=st.lists(st.dates(dt.date(2019, 1, 1), dt.date(2034, 1, 1)), max_size=5))
def test_dates_off_the_rule_are_those_dateutil_does_not_give(
    s: MeetingSeries, days: list[dt.date]
) -> None:
    """Extra dates and any others: off the rule exactly when dateutil's run of it
    does not give them, whether the date test or dateutil answers."""
    from nogentech.meetings import dates_off_the_rule

    asked = set(days) | set(s.extra_dates)
    assert dates_off_the_rule(s, asked) == asked - given_by_dateutil(s, asked)


EXTRA = MeetingSeries(
    id="x",
    name=Text(fr="Rencontre"),
    first_date=dt.date(1900, 1, 11),  # the second Thursday
    start_time=dt.time(8, 30),
    duration=dt.timedelta(hours=2),
    rule="FREQ=MONTHLY;BYDAY=2TH",
    holiday_country=None,
    # The second Thursday of June 1905, then a Friday of 2190 the rule does not give.
    extra_dates=(dt.date(1905, 6, 8), dt.date(2190, 6, 4)),
)


def test_extra_dates_centuries_apart_are_told_without_running_the_rule(tmp_path: Path) -> None:
    """An extra date the rule gives is its occurrence, the other one a VEVENT of its
    own; a fresh process (its user cache filled) loads the series and writes that
    feed without importing dateutil."""
    cluster = Cluster(id="c", name="C", meeting_series=(EXTRA,))
    data = nogentech.export(cluster, "ics")
    got = [
        (str(e["UID"]), e["DTSTART"].dt.isoformat(), "RECURRENCE-ID" in e)
        for e in Calendar.from_ical(data).events
    ]
    assert got == [
        ("x@c", "1900-01-11T08:30:00+00:09:21", False),
        ("x.21900604@c", "2190-06-04T08:30:00+02:00", False),
    ]
    path = tmp_path / "c.json"
    path.write_bytes(nogentech.export(cluster, "json"))
    code = (
        "import sys, nogentech\n"
        f"cluster = nogentech.load({str(path)!r})\n"
        "out = nogentech.export(cluster, 'ics')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'dateutil'), len(out))\n"
    )
    for _ in range(2):  # the first run may fill the user cache (the holiday library's codes)
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
        )
    assert done.stdout.split()[0] == "[]", done.stdout
    assert done.stdout.split()[1] == str(len(data))
