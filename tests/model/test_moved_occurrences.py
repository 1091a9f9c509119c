"""Moved occurrences are found from their overrides, however far they moved.

A window's occurrences come from the rule run over the window and a margin of a
few days, and from the overrides whose occurrence is moved (by ``moved_to`` or a
``start_time``) from outside it. The property test compares them, value for
value, with a plain reference: every occurrence of a bounded series listed by
dateutil from its first date, each override applied by hand, those starting in
the window kept. The counting test shows that the work of a window no longer
grows with the distance an occurrence is moved.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import rrule, rrulestr
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import nogentech
from nogentech import Meeting, MeetingSeries, Override, Text, meetings
from nogentech.limits import LATEST_DATE
from nogentech.recurrence import rule_text, window
from nogentech.testing import WEEKDAYS, ZONES, durations, first_occurrence, rule_bodies, times

UTC = dt.UTC
FIRST_DAY = dt.date(1900, 1, 1)
LAST_DAY = dt.date(2199, 12, 31)

# -- the reference --------------------------------------------------------------------

Row = tuple[Any, ...]


def reference_local(date: dt.date, time: dt.time, tz: ZoneInfo) -> dt.datetime:
    """Wall-clock ``time`` on ``date``, a skipped time read with the offset before the jump."""
    return dt.datetime.combine(date, time, tzinfo=tz).astimezone(UTC).astimezone(tz)


def every_rule_date(series: MeetingSeries) -> list[dt.date]:
    """Every local date the rule gives from the first date to the end of the supported range."""
    tz = ZoneInfo(series.timezone)
    dtstart = dt.datetime.combine(series.first_date, series.start_time, tzinfo=tz)
    rule = rrulestr(rule_text(series.rule, tz), dtstart=dtstart)
    assert isinstance(rule, rrule)
    found = []
    for stamp in rule:
        if stamp.date() > LAST_DAY + dt.timedelta(days=2):
            break
        found.append(stamp.date())
    return found


def reference_occurrences(
    series: MeetingSeries, lo: dt.datetime, hi: dt.datetime, include_cancelled: bool
) -> list[Row]:
    """The occurrences of ``series`` starting in ``[lo, hi)``, from all of them, as rows."""
    tz = ZoneInfo(series.timezone)
    overrides = {o.date: o for o in series.overrides}
    # Nothing starts past the end of the supported range (``docs/limits.md``).
    end_of_range = dt.datetime.combine(LAST_DAY + dt.timedelta(days=1), dt.time(0), tzinfo=tz)
    hi = min(hi.astimezone(UTC), end_of_range.astimezone(UTC))
    rows = []
    for date in sorted(set(every_rule_date(series)) | set(series.extra_dates)):
        o = overrides.get(date)
        cancelled = date in series.cancelled or bool(o and o.cancelled)
        if cancelled and not include_cancelled:
            continue
        day = o.moved_to if o and o.moved_to else date
        start = reference_local(day, o.start_time if o and o.start_time else series.start_time, tz)
        duration = o.duration if o and o.duration else series.duration
        end = (start.astimezone(UTC) + duration).astimezone(tz)
        if lo.astimezone(UTC) <= start.astimezone(UTC) < hi:
            rows.append(row_of(series.id, date, start, end, cancelled, o))
    return sorted(rows, key=lambda r: (r[3], r[1]))


def row_of(
    ident: str,
    date: dt.date,
    start: dt.datetime,
    end: dt.datetime,
    cancelled: bool,
    override: Override | None,
) -> Row:
    """What is compared: id, date, start and end (text, fold, zone, instant), cancellation,
    and which override was applied."""
    return (
        f"{ident}/{date.isoformat()}",
        date,
        (start.isoformat(), start.fold, str(start.tzinfo)),
        start.astimezone(UTC),
        (end.isoformat(), end.fold, str(end.tzinfo)),
        cancelled,
        id(override) if override is not None else None,
    )


def rows(found: list[Meeting]) -> list[Row]:
    out = []
    for m in found:
        assert m.recurrence_date is not None
        out.append(row_of(m.uid_base, m.recurrence_date, m.start, m.end, m.cancelled, m.override))
    return out


# -- data ------------------------------------------------------------------------------

# Zones and days whose clocks change: in spring and autumn in Paris, New York and
# Sydney; Samoa skipped 30 December 2011; Kwajalein went back 23 hours on
# 30 September 1969 and skipped 21 August 1993. A zone and its day are drawn
# together, so that a series runs through the change at a time it skips or repeats.
CHANGES = tuple(
    (zone, dt.date.fromisoformat(day))
    for zone, day in (
        ("Europe/Paris", "2024-03-31"),
        ("Europe/Paris", "2024-10-27"),
        ("America/New_York", "2024-03-10"),
        ("America/New_York", "2024-11-03"),
        ("Australia/Sydney", "2024-10-06"),
        ("Australia/Sydney", "2024-04-07"),
        ("Pacific/Apia", "2011-12-30"),
        ("Pacific/Kwajalein", "1969-09-30"),
        ("Pacific/Kwajalein", "1993-08-21"),
    )
)
ODD_ZONES = ("Pacific/Apia", "Pacific/Kwajalein")
ODD_DAYS = (FIRST_DAY, LAST_DAY, *(day for _, day in CHANGES))
"""Days to move occurrences to and to open windows at: the changes, the range's ends."""
EDGE_TIMES = (dt.time(0, 0), dt.time(0, 30), dt.time(2, 30), dt.time(23, 30), dt.time(23, 59, 59))
CHANGE_TIMES = (*EDGE_TIMES, dt.time(1, 30), dt.time(2, 0), dt.time(2, 59, 59), dt.time(3, 0))

some_day = st.dates(FIRST_DAY, LAST_DAY)
near_odd_day = st.builds(
    lambda day, shift: min(max(day + dt.timedelta(days=shift), FIRST_DAY), LAST_DAY),
    st.sampled_from(ODD_DAYS),
    st.integers(-3, 3),
)
clock = st.one_of(times, st.sampled_from(EDGE_TIMES))


def clamp(day: dt.date) -> dt.date:
    return min(max(day, FIRST_DAY), LAST_DAY)


@st.composite
def moves(draw: st.DrawFn, date: dt.date) -> dt.date | None:
    """Where an occurrence on ``date`` is moved: nowhere, by days, by years, anywhere."""
    kind = draw(st.sampled_from(("none", "days", "months", "years", "anywhere", "odd")))
    if kind == "none":
        return None
    if kind == "anywhere":
        moved = draw(some_day)
    elif kind == "odd":
        moved = draw(near_odd_day)
    else:
        reach = {"days": 5, "months": 400, "years": 300 * 366}[kind]
        moved = clamp(date + dt.timedelta(days=draw(st.integers(-reach, reach))))
    return moved if moved != date else None


@st.composite
def moved_series(draw: st.DrawFn) -> MeetingSeries:
    """A bounded series (COUNT, UNTIL, or a sparse rule) whose overrides move far or near."""
    change = draw(st.one_of(st.none(), st.sampled_from(CHANGES)))
    if change is None:
        timezone = draw(st.sampled_from(ZONES + ODD_ZONES))
        start = draw(clock)
        body = draw(rule_bodies())
        seed = draw(st.one_of(st.dates(FIRST_DAY, dt.date(2190, 12, 28)), near_odd_day))
    else:
        timezone, day = change
        start = draw(st.sampled_from(CHANGE_TIMES))
        body = draw(st.sampled_from(("FREQ=DAILY", f"FREQ=WEEKLY;BYDAY={WEEKDAYS[day.weekday()]}")))
        seed = day - dt.timedelta(days=draw(st.integers(0, 20)))
    first = first_occurrence(body, seed.replace(day=min(seed.day, 28)), start)
    assume(first is not None and first <= dt.date(2195, 1, 1))
    assert first is not None
    sparse = body.startswith(("FREQ=MONTHLY", "FREQ=YEARLY"))
    end = draw(st.sampled_from(("count", "until", "none") if sparse else ("count", "until")))
    if end == "count":
        body += f";COUNT={draw(st.integers(1, 60))}"
    elif end == "until":
        body += f";UNTIL={first + dt.timedelta(days=draw(st.integers(0, 800))):%Y%m%d}"
    plain = MeetingSeries(
        id="moved",
        name=Text(fr="Déplacées"),
        first_date=first,
        start_time=start,
        duration=draw(durations),
        rule=body,
        timezone=timezone,
        holiday_country=None,
    )
    extra = draw(
        st.lists(
            st.one_of(some_day, st.integers(0, 60).map(lambda n: clamp(first + dt.timedelta(n)))),
            unique=True,
            max_size=2,
        )
    )
    # No occurrence is computed after the supported range (a rule may give later dates).
    occurring = sorted(d for d in set(every_rule_date(plain)) | set(extra) if d <= LATEST_DATE)
    picked = st.sampled_from(occurring[:80] + occurring[-20:])
    dates = draw(st.lists(picked, unique=True, max_size=5))
    overrides = tuple(
        Override(
            date=date,
            moved_to=draw(moves(date)),
            start_time=draw(st.one_of(st.none(), clock)),
            duration=draw(st.one_of(st.none(), durations)),
            cancelled=draw(st.booleans()),
            topic=Text(fr=f"n°{i}"),
        )
        for i, date in enumerate(dates)
    )
    cancelled = draw(st.lists(picked, unique=True, max_size=2))
    return MeetingSeries(
        id=plain.id,
        name=plain.name,
        first_date=first,
        start_time=start,
        duration=plain.duration,
        rule=body,
        timezone=timezone,
        holiday_country=None,
        extra_dates=tuple(extra),
        cancelled=tuple(cancelled),
        overrides=overrides,
    )


Bound = dt.date | dt.datetime


@st.composite
def windows(draw: st.DrawFn, series: MeetingSeries) -> tuple[Bound, Bound]:
    """A window near a date of the series (an override's date or its move, the first date,
    an extra date, a day the clocks jump) or anywhere, from hours to decades long; some
    open or close minutes from a start."""
    anchors = [series.first_date, *series.extra_dates, *ODD_DAYS]
    for o in series.overrides:
        anchors += [o.date, *([o.moved_to] if o.moved_to else [])]
    anchor = draw(st.one_of(st.sampled_from(anchors), some_day))
    day = clamp(anchor + dt.timedelta(days=draw(st.integers(-3, 3))))
    length = dt.timedelta(
        days=draw(st.sampled_from((0, 1, 2, 40, 400, 4000))), hours=draw(st.integers(0, 23))
    )
    form = draw(st.sampled_from(("date", "naive", "utc", "tokyo", "start", "start")))
    lo: Bound
    hi: Bound
    if form == "start":
        # Opening or closing minutes from a start, at the series' time or an override's
        # (in a time the clocks skip or repeat, too).
        tz = ZoneInfo(series.timezone)
        clocks = [series.start_time, *CHANGE_TIMES]
        clocks += [o.start_time for o in series.overrides if o.start_time]
        at = reference_local(day, draw(st.sampled_from(clocks)), tz).astimezone(UTC)
        at += dt.timedelta(minutes=draw(st.integers(-90, 90)))
        if draw(st.booleans()):
            lo, hi = at, at + length
        else:
            lo, hi = at - length, at
    elif form == "date":
        lo, hi = day, day + dt.timedelta(days=max(length.days, 1))
    else:
        naive = dt.datetime.combine(day, draw(clock))
        if form == "naive":
            lo, hi = naive, naive + length
        else:
            tz = UTC if form == "utc" else ZoneInfo("Asia/Tokyo")
            lo = naive.replace(tzinfo=tz)
            hi = lo + length
    return lo, hi


# -- the property ------------------------------------------------------------------------


@settings(max_examples=300)
@given(st.data())
def test_occurrences_in_a_window_are_those_of_the_whole_series(data: st.DataObject) -> None:
    series = data.draw(moved_series())
    for _ in range(3):
        start, end = data.draw(windows(series))
        include_cancelled = data.draw(st.booleans())
        win = window(series.timezone, start, end)
        expected = reference_occurrences(series, win.start, win.end, include_cancelled)
        found = series.occurrences(start, end, include_cancelled=include_cancelled)
        assert rows(found) == expected
        assert rows(series.expand_window(win, include_cancelled=include_cancelled)) == expected


# -- examples ----------------------------------------------------------------------------

REPRODUCER = """\
id = "demo"
name = "Demo"

[[meeting_series]]
id = "d"
name = { fr = "D" }
first_date = 1900-01-01
start_time = 08:30:00
duration = "PT1H"
rule = "FREQ=DAILY"
"""
FAR_OVERRIDE = """
[[meeting_series.overrides]]
date = 1900-01-01
moved_to = 2199-12-31
"""


def daily(**changes: Any) -> MeetingSeries:
    fields: dict[str, Any] = {
        "id": "d",
        "name": Text(fr="D"),
        "first_date": FIRST_DAY,
        "start_time": dt.time(8, 30),
        "duration": dt.timedelta(hours=1),
        "rule": "FREQ=DAILY",
        "holiday_country": None,
        **changes,
    }
    return MeetingSeries(**fields)


def ids(found: list[Meeting]) -> list[str]:
    return [f"{m.id} {m.start.isoformat()}" for m in found]


def test_an_occurrence_moved_centuries_ahead_is_in_the_window_it_moved_to() -> None:
    series = daily(overrides=(Override(date=FIRST_DAY, moved_to=LAST_DAY),))
    assert ids(series.occurrences(dt.date(2199, 12, 30), dt.date(2200, 1, 1))) == [
        "d/2199-12-30 2199-12-30T08:30:00+01:00",
        "d/1900-01-01 2199-12-31T08:30:00+01:00",
        "d/2199-12-31 2199-12-31T08:30:00+01:00",
    ]
    assert ids(series.occurrences(FIRST_DAY, dt.date(1900, 1, 3))) == [
        "d/1900-01-02 1900-01-02T08:30:00+00:09:21",
    ]


def test_an_occurrence_moved_centuries_back_and_one_on_an_extra_date() -> None:
    extra = dt.date(2150, 6, 1)
    series = daily(
        rule="FREQ=WEEKLY;COUNT=3",
        extra_dates=(extra,),
        overrides=(
            Override(date=dt.date(1900, 1, 15), moved_to=dt.date(2199, 1, 1)),
            Override(date=extra, moved_to=dt.date(1900, 1, 2), start_time=dt.time(23, 0)),
        ),
    )
    assert ids(series.occurrences(FIRST_DAY, dt.date(1900, 2, 1))) == [
        "d/1900-01-01 1900-01-01T08:30:00+00:09:21",
        "d/2150-06-01 1900-01-02T23:00:00+00:09:21",
        "d/1900-01-08 1900-01-08T08:30:00+00:09:21",
    ]
    assert ids(series.occurrences(dt.date(2150, 1, 1), dt.date(2151, 1, 1))) == []
    assert ids(series.occurrences(dt.date(2199, 1, 1), dt.date(2199, 1, 2))) == [
        "d/1900-01-15 2199-01-01T08:30:00+01:00",
    ]


def test_a_move_into_a_skipped_day_from_the_edge_of_the_margin() -> None:
    # Samoa skipped 30 December 2011: 23:00 on the 30th is 23:00 on the 31st, two
    # days after the occurrence's own date, whose 08:30 is before the rule's margin.
    apia = ZoneInfo("Pacific/Apia")
    series = daily(
        first_date=dt.date(2011, 12, 1),
        rule="FREQ=DAILY;COUNT=40",
        timezone="Pacific/Apia",
        overrides=(
            Override(
                date=dt.date(2011, 12, 29),
                moved_to=dt.date(2011, 12, 30),
                start_time=dt.time(23, 0),
            ),
        ),
    )
    evening = dt.datetime(2011, 12, 31, 12, tzinfo=apia)
    assert ids(series.occurrences(evening, dt.date(2012, 1, 1))) == [
        "d/2011-12-29 2011-12-31T23:00:00+14:00",
    ]
    assert ids(series.occurrences(dt.date(2011, 12, 31), dt.date(2012, 1, 1))) == [
        "d/2011-12-30 2011-12-31T08:30:00+14:00",
        "d/2011-12-31 2011-12-31T08:30:00+14:00",
        "d/2011-12-29 2011-12-31T23:00:00+14:00",
    ]
    assert ids(series.occurrences(dt.date(2011, 12, 29), dt.date(2011, 12, 30))) == []


# -- the work does not depend on the distance ---------------------------------------------


class Work:
    """Counts the rule's work: each instant dateutil yields and each date told by arithmetic."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.instants = 0
        self.told = 0
        told = meetings._told

        def fresh_rule(series: MeetingSeries) -> rrule:
            # A rule of its own, without dateutil's cache: nothing another test (or
            # an earlier window) computed is reused.
            tz = ZoneInfo(series.timezone)
            dtstart = dt.datetime.combine(series.first_date, series.start_time, tzinfo=tz)
            rule = rrulestr(rule_text(series.rule, tz), dtstart=dtstart)
            assert isinstance(rule, rrule)
            produce = rule._iter

            def counted() -> Iterator[dt.datetime]:
                for stamp in produce():
                    self.instants += 1
                    yield stamp

            rule._iter = counted  # type: ignore[method-assign]
            return rule

        def counted_told(series: MeetingSeries) -> Any:
            found = told(series)
            if found is None:
                return None
            occurs, weekdays = found

            def counted(day: dt.date) -> bool:
                self.told += 1
                return bool(occurs(day))

            return counted, weekdays

        monkeypatch.setattr(meetings, "_series_rule", fresh_rule)
        monkeypatch.setattr(meetings, "_told", counted_told)

    @property
    def total(self) -> int:
        return self.instants + self.told


def work_of(text: str, monkeypatch: pytest.MonkeyPatch) -> tuple[int, int, list[str]]:
    """The rule's work for what ``nogentech next`` and a feed ask of the cluster in ``text``:
    the next meeting after a moment, a year from the first date (run by dateutil) and
    a month at the end of the range (told by date arithmetic)."""
    cluster = nogentech.loads(text, "toml")
    work = Work(monkeypatch)
    paris = ZoneInfo("Europe/Paris")
    found = cluster.next_meeting(dt.datetime(2026, 12, 7, 12, tzinfo=paris))
    assert found is not None
    seen = [found.id]
    dateutil_before = work.instants
    seen += [m.id for m in cluster.meetings_between(FIRST_DAY, dt.date(1901, 1, 1))][:2]
    assert work.instants > dateutil_before  # this window is dateutil's
    seen += [m.id for m in cluster.meetings_between(dt.date(2199, 12, 1), dt.date(2200, 1, 1))][-2:]
    return work.instants, work.told, seen


def test_the_work_of_a_window_does_not_depend_on_how_far_an_occurrence_moved(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    near = work_of(REPRODUCER, monkeypatch)
    far = work_of(REPRODUCER + FAR_OVERRIDE, monkeypatch)
    assert near[2] == [
        "d/2026-12-08",
        "d/1900-01-01",
        "d/1900-01-02",
        "d/2199-12-30",
        "d/2199-12-31",
    ]
    assert far[2] == [
        "d/2026-12-08",
        "d/1900-01-02",
        "d/1900-01-03",
        "d/1900-01-01",
        "d/2199-12-31",
    ]
    near_work, far_work = near[0] + near[1], far[0] + far[1]
    # About a year of days with the margins: a few hundred, not a century's.
    assert near_work < 1000
    assert far_work <= near_work + 10, (near, far)


def test_a_meeting_moved_far_is_found_by_its_id_without_expanding_the_years_between(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = REPRODUCER + "\n[[meeting_series.overrides]]\ndate = 1900-01-01\nmoved_to = 2199-12-31\n"
    cluster = nogentech.loads(text, "toml")

    def refuse(*args: object, **kwargs: object) -> object:
        raise AssertionError("a window of the series was expanded")

    monkeypatch.setattr(nogentech.MeetingSeries, "occurrences", refuse)
    monkeypatch.setattr(nogentech.MeetingSeries, "expand_window", refuse)
    meeting = cluster.meeting("d/1900-01-01")
    assert (meeting.recurrence_date, meeting.start.isoformat()) == (
        dt.date(1900, 1, 1),
        "2199-12-31T08:30:00+01:00",
    )
    assert cluster.meeting("d/1900-01-02").start.isoformat() == "1900-01-02T08:30:00+00:09:21"
    with pytest.raises(KeyError):
        cluster.meeting("d/1899-12-31")
