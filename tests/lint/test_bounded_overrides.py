"""``override-without-instance`` judges any RECURRENCE-ID of any rule with bounded work.

The work is counted, not timed: dateutil builds a rule period by period (a year,
month, week or day, or one step of a rule more frequent than daily), each by one
call of a ``*dayset`` method of its private ``_iterinfo``. The tests count those
calls, and stop the check with :class:`TooMuchWork` past a bound: an override in
year 9999 of a rule that repeats every minute once cost about 4×10⁹ of them.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from dateutil import rrule

from nogentech.limits import MAX_LINT_STEPS
from nogentech.lint import lint
from tests.support.periods import Periods

RULE = "override-without-instance"
REPORTED = (
    b"BEGIN:VCALENDAR\r\n"
    b"BEGIN:VEVENT\r\n"
    b"UID:x\r\n"
    b"DTSTART:20240101T000000Z\r\n"
    b"RRULE:FREQ=MINUTELY\r\n"
    b"END:VEVENT\r\n"
    b"BEGIN:VEVENT\r\n"
    b"UID:x\r\n"
    b"RECURRENCE-ID:99991231T000030Z\r\n"
    b"DTSTART:20240101T000000Z\r\n"
    b"END:VEVENT\r\n"
    b"END:VCALENDAR\r\n"
)
"""The file that made ``nogentech lint`` run for ever: a minutely series from 2024 and
an override at a second no minute of it starts, in year 9999."""


@pytest.fixture
def periods(monkeypatch: pytest.MonkeyPatch) -> Periods:
    return Periods(monkeypatch)


def calendar(start: str, rule: str, *recurrence_ids: str, extra: str = "") -> bytes:
    """A series from ``start`` (``DTSTART…`` after its name) and one override per id."""
    lines = ["BEGIN:VCALENDAR", "BEGIN:VEVENT", "UID:s", f"DTSTART{start}", f"RRULE:{rule}"]
    lines += [line for line in extra.split("\n") if line]
    lines.append("END:VEVENT")
    for value in recurrence_ids:
        lines += ["BEGIN:VEVENT", "UID:s", f"RECURRENCE-ID:{value}", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "".join(f"{line}\r\n" for line in lines).encode()


def reported(data: bytes) -> list[str]:
    """The RECURRENCE-IDs reported as no occurrence of their series."""
    lines = data.decode().split("\r\n")
    return [lines[f.line - 1].removeprefix("RECURRENCE-ID:") for f in lint(data) if f.rule == RULE]


# -- far away -------------------------------------------------------------------------


def test_the_reported_file_is_judged_in_a_few_periods(periods: Periods) -> None:
    with periods.at_most(10):
        findings = lint(REPORTED)
    assert [(f.rule, f.line) for f in findings] == [(RULE, 9)]
    assert findings[0].message == (
        "RECURRENCE-ID:99991231T000030Z is not an occurrence of the series on line 2"
    )


# Per frequency, from Monday 1 January 2024 at midnight (UTC): an occurrence in
# year 9999 and an instant of the same day that is none.
FAR = {
    "FREQ=YEARLY": ("99990101T000000Z", "99990102T000000Z"),
    "FREQ=MONTHLY": ("99991201T000000Z", "99991202T000000Z"),
    "FREQ=WEEKLY": ("99991227T000000Z", "99991228T000000Z"),  # a Monday, a Tuesday
    "FREQ=DAILY": ("99991231T000000Z", "99991231T000001Z"),
    "FREQ=HOURLY": ("99991231T230000Z", "99991231T233000Z"),
    "FREQ=MINUTELY": ("99991231T235900Z", "99991231T000030Z"),
    "FREQ=SECONDLY;BYSECOND=0,30": ("99991231T235930Z", "99991231T235931Z"),
    "FREQ=MONTHLY;BYDAY=-1FR": ("99991231T000000Z", "99991224T000000Z"),
    "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29": ("99960229T000000Z", "99990301T000000Z"),
    "FREQ=WEEKLY;BYDAY=MO,FR;BYSETPOS=-1": ("99991231T000000Z", "99991227T000000Z"),
    "FREQ=DAILY;INTERVAL=7": ("99991227T000000Z", "99991231T000000Z"),
}


@pytest.mark.parametrize("rule", list(FAR))
def test_an_override_in_year_9999_is_judged_in_a_few_periods(rule: str, periods: Periods) -> None:
    given, missed = FAR[rule]
    with periods.at_most(10):
        assert reported(calendar(":20240101T000000Z", rule, given, missed)) == [missed]


def test_every_override_of_a_daily_series_adds_a_few_periods(periods: Periods) -> None:
    """A daily series took 8 s per override in year 9999; each one now costs one period."""
    ids = [f"{year}1231T000000Z" for year in range(9900, 10_000)]
    missed = [f"{year}1231T120000Z" for year in range(9900, 10_000, 7)]
    with periods.at_most(2 * (len(ids) + len(missed))):
        found = reported(calendar(":20240101T000000Z", "FREQ=DAILY", *ids, *missed))
    assert found == missed


def test_a_rule_dateutil_would_never_end_is_not_judged(periods: Periods) -> None:
    """dateutil takes INTERVAL=0 and repeats DTSTART for ever; RFC 5545 forbids it."""
    with periods.at_most(10):
        assert (
            reported(calendar(":20240101T000000Z", "FREQ=DAILY;INTERVAL=0", "20240102T000000Z"))
            == []
        )


# -- ordinary files -------------------------------------------------------------------


def test_an_override_a_minute_off_its_occurrence_is_reported() -> None:
    data = calendar(
        ":20240105T083000Z", "FREQ=WEEKLY;BYDAY=FR", "20240112T083000Z", "20240119T083100Z"
    )
    assert reported(data) == ["20240119T083100Z"]


def test_an_override_a_minute_off_a_daily_occurrence_in_a_zone_is_reported() -> None:
    """09:00 in Paris is 08:00 UTC in winter and 07:00 UTC in summer (from 31 March)."""
    ids = ("20240330T080000Z", "20240331T070000Z", "20240331T080000Z", "20240401T070100Z")
    data = calendar(";TZID=Europe/Paris:20240301T090000", "FREQ=DAILY", *ids)
    assert reported(data) == ["20240331T080000Z", "20240401T070100Z"]


def test_exdate_rdate_and_dtstart_count_as_before() -> None:
    extra = "EXDATE:20240103T000000Z\nRDATE:20240110T120000Z"
    ids = ("20240101T000000Z", "20240103T000000Z", "20240110T120000Z", "20240104T000000Z")
    data = calendar(":20240101T000000Z", "FREQ=DAILY;BYDAY=MO,WE", *ids, extra=extra)
    assert reported(data) == ["20240103T000000Z", "20240104T000000Z"]


def test_until_ends_the_series() -> None:
    rule = "FREQ=DAILY;UNTIL=20240110T000000Z"
    data = calendar(":20240101T000000Z", rule, "20240110T000000Z", "20240111T000000Z")
    assert reported(data) == ["20240111T000000Z"]


def test_count_ends_the_series(periods: Periods) -> None:
    ids = ("20240110T000000Z", "20240111T000000Z", "20250101T000000Z")
    with periods.at_most(1000):
        assert reported(calendar(":20240101T000000Z", "FREQ=DAILY;COUNT=10", *ids)) == list(ids[1:])


def test_count_is_counted_where_periods_hold_several_occurrences(periods: Periods) -> None:
    """Twice a day: the 100th occurrence is on day 50 at 20:00, the 101st the next day."""
    ids = ("20240219T200000Z", "20240220T080000Z", "20240105T200000Z")
    rule = "FREQ=DAILY;COUNT=100;BYHOUR=8,20"
    with periods.at_most(1000):
        assert reported(calendar(":20240101T080000Z", rule, *ids)) == ["20240220T080000Z"]


def test_a_count_too_large_to_reach_is_judged_without_counting(periods: Periods) -> None:
    """2**31 - 1 minutes reach past year 6000: an occurrence in 3000 is one of them."""
    rule = f"FREQ=MINUTELY;COUNT={2**31 - 1}"
    ids = ("30000101T000000Z", "30000101T000030Z")
    with periods.at_most(10):
        assert reported(calendar(":20240101T000000Z", rule, *ids)) == ["30000101T000030Z"]


def test_a_count_beyond_the_limit_is_not_judged(periods: Periods) -> None:
    """Counted only so far: an occurrence of the rule past it may or may not be one of the
    first COUNT, and is left unjudged; an instant the rule never gives is reported."""
    rule = "FREQ=DAILY;COUNT=10"
    far = (dt.date(2024, 1, 1) + dt.timedelta(days=MAX_LINT_STEPS + 1)).strftime("%Y%m%d")
    with periods.at_most(10):
        found = reported(calendar(":20240101T000000Z", rule, f"{far}T000000Z", f"{far}T000001Z"))
    assert found == [f"{far}T000001Z"]


# -- as dateutil expands the rule ------------------------------------------------------

NEAR = [
    ("FREQ=MONTHLY;BYDAY=2TH", "Europe/Paris", "20240111T083000", 800),
    ("FREQ=MONTHLY;BYMONTHDAY=-1,15", "UTC", "20240131T120000", 800),
    ("FREQ=YEARLY;BYWEEKNO=1,52,53;BYDAY=MO,SU", "UTC", "20240101T090000", 3000),
    ("FREQ=YEARLY;BYYEARDAY=1,-1,100;BYHOUR=6,18", "UTC", "20240101T060000", 3000),
    ("FREQ=YEARLY;BYMONTH=3,10;BYDAY=-1SU", "Europe/Paris", "20240331T030000", 3000),
    ("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH,SU;WKST=SU", "UTC", "20240102T170000", 300),
    ("FREQ=WEEKLY;BYDAY=MO,WE,FR;BYSETPOS=-1,1", "UTC", "20240103T100000", 300),
    ("FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-2", "UTC", "20240130T080000", 800),
    ("FREQ=DAILY;INTERVAL=3;BYHOUR=9,17;BYMINUTE=0,30", "America/New_York", "20240301T090000", 120),
    ("FREQ=DAILY;BYHOUR=2;BYMINUTE=30", "Europe/Paris", "20240325T023000", 250),
    ("FREQ=HOURLY;INTERVAL=5;BYMINUTE=15,45", "UTC", "20240101T001500", 20),
    ("FREQ=HOURLY;BYHOUR=8,12;BYSETPOS=1;BYMINUTE=0,10,20", "UTC", "20240101T080000", 20),
    ("FREQ=MINUTELY;INTERVAL=90;BYHOUR=8,9,10,11", "UTC", "20240101T080000", 10),
    ("FREQ=SECONDLY;INTERVAL=1000;BYDAY=SA", "UTC", "20240106T000000", 30),
    ("FREQ=WEEKLY;COUNT=20;BYDAY=MO,TH", "UTC", "20240101T123000", 200),
    ("FREQ=MONTHLY;INTERVAL=5;COUNT=7;BYMONTHDAY=31", "UTC", "20240131T000000", 3000),
    ("FREQ=DAILY;UNTIL=20240301T000000Z;BYDAY=SA,SU", "UTC", "20240106T000000", 100),
    ("FREQ=DAILY;BYDAY=TU", None, "20240102T100000", 60),
]
"""Rules with the parts that choose days and times, the zone of their DTSTART (None:
floating), DTSTART and how many days of them are checked. The Paris rules cross the
changes of clocks: 02:30 does not exist on 31 March 2024 and is twice on 27 October."""
NUDGES = (
    dt.timedelta(0),
    dt.timedelta(seconds=1),
    dt.timedelta(minutes=-1),
    dt.timedelta(hours=1),
    dt.timedelta(days=1),
)


def instant(moment: dt.datetime) -> dt.datetime:
    """``moment`` in UTC (a time the clocks skip read with the offset before the change),
    or as it is when it floats."""
    return moment.astimezone(dt.UTC) if moment.tzinfo is not None else moment


def written(moment: dt.datetime) -> str:
    """A RECURRENCE-ID value: in UTC, or floating."""
    if moment.tzinfo is None:
        return f"{moment:%Y%m%dT%H%M%S}"
    return f"{moment.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}"


@pytest.mark.parametrize(("rule", "zone", "start", "days"), NEAR)
def test_overrides_near_the_start_are_judged_as_dateutil_expands_the_rule(
    rule: str, zone: str | None, start: str, days: int
) -> None:
    """The occurrences of the first ``days`` days and instants next to them: each is
    reported exactly when dateutil's expansion of the whole rule does not give it."""
    first = dt.datetime.strptime(start, "%Y%m%dT%H%M%S")
    if zone == "UTC":
        first, dtstart = first.replace(tzinfo=dt.UTC), f":{start}Z"
    elif zone is not None:
        first, dtstart = first.replace(tzinfo=ZoneInfo(zone)), f";TZID={zone}:{start}"
    else:
        dtstart = f":{start}"
    end = first + dt.timedelta(days=days)
    expanded = rrule.rrulestr(f"RRULE:{rule}", dtstart=first)
    occurrences = sorted({first, *expanded.between(first, end, inc=True)})
    given = {instant(t) for t in occurrences}
    candidates = sorted({instant(t + n) for t in occurrences[:300] for n in NUDGES if t + n < end})
    expected = [written(t) for t in candidates if t not in given]
    assert 0 < len(expected) < len(candidates)
    assert reported(calendar(dtstart, rule, *map(written, candidates))) == expected
