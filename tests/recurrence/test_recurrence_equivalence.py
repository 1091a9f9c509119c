"""The optimised expansion gives exactly what a plain expansion gives.

``reference_expand`` below is the straightforward algorithm: every date of the rule
and every extra date in the window, each turned into a ``Meeting`` with the
override applied, then sorted by start instant and id. The library's
``expand`` takes shortcuts (no sort when nothing moves, UTC bounds, one holiday
table per year, dateutil's cache); these tests compare the two field by field,
including the ``fold`` and ``tzinfo`` of every datetime, on the synthetic clusters
of the benchmarks and on random series, with start times in the daylight-saving
gap and fold.
"""

from __future__ import annotations

import datetime as dt
import functools
import sys
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import holidays
import pytest
from dateutil.rrule import rrulestr
from hypothesis import given, settings
from hypothesis import strategies as st

import nogentech
from nogentech import Cluster, Meeting, MeetingSeries, Override, Text
from nogentech.meetings import event_meetings
from nogentech.recurrence import rule_text
from nogentech.testing import series as series_strategy
from tests.support import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
import synthetic

UTC = dt.UTC

# -- the reference ------------------------------------------------------------------


@functools.cache
def reference_holidays(country: str, year: int) -> dict[dt.date, Text]:
    tables = {}
    for lang, wanted in (("fr", "fr"), ("en", "en_US")):
        probe = holidays.country_holidays(country, years=year)
        language = wanted if wanted in probe.supported_languages else None
        table = holidays.country_holidays(country, years=year, language=language)
        tables[lang] = {day: str(name) for day, name in table.items()}
    return {
        day: Text(fr=tables["fr"].get(day), en=tables["en"].get(day) or tables["fr"].get(day))
        for day in tables["fr"]
    }


def reference_local(date: dt.date, time: dt.time, tz: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(date, time, tzinfo=tz).astimezone(UTC).astimezone(tz)


def reference_meeting(
    series: MeetingSeries, rule_date: dt.date, o: Override | None, cancelled: bool, tz: ZoneInfo
) -> Meeting:
    date = (o.moved_to if o and o.moved_to else None) or rule_date
    start = reference_local(
        date, (o.start_time if o and o.start_time else None) or series.start_time, tz
    )
    duration = (o.duration if o and o.duration else None) or series.duration
    end = (start.astimezone(UTC) + duration).astimezone(tz)
    country = series.holiday_country
    return Meeting(
        uid_base=series.id,
        title=series.name,
        start=start,
        end=end,
        series=series,
        recurrence_date=rule_date,
        topic=o.topic if o else None,
        description=(o.description if o and o.description else None) or series.description,
        speakers=o.speakers if o else (),
        testimonies=o.testimonies if o else (),
        venue=(o.venue if o and o.venue else None) or series.venue,
        cancelled=cancelled or bool(o and o.cancelled),
        holiday=reference_holidays(country, start.year).get(start.date()) if country else None,
        override=o,
        sequence=max(series.sequence, o.sequence if o else 0),
        updated=max((u for u in (series.updated, o.updated if o else None) if u), default=None),
    )


def reference_key(meeting: Meeting) -> tuple[dt.datetime, str]:
    return (meeting.start.astimezone(UTC), meeting.id)


def reference_expand(
    series: MeetingSeries, lo_bound: dt.datetime, hi_bound: dt.datetime, include_cancelled: bool
) -> list[Meeting]:
    tz = ZoneInfo(series.timezone)
    dtstart = dt.datetime.combine(series.first_date, series.start_time, tzinfo=tz)
    rule = rrulestr(rule_text(series.rule, tz), dtstart=dtstart)
    overrides = {o.date: o for o in series.overrides}
    margin = dt.timedelta(days=2)
    for o in series.overrides:
        if o.moved_to:
            margin = max(margin, abs(o.moved_to - o.date) + dt.timedelta(days=2))
    lo = lo_bound.astimezone(tz) - margin
    hi = hi_bound.astimezone(tz) + margin
    dates = {d.date() for d in rule.between(lo, hi, inc=True)}
    dates.update(d for d in series.extra_dates if lo.date() <= d <= hi.date())
    found = []
    for date in sorted(dates):
        override = overrides.get(date)
        is_cancelled = date in series.cancelled or bool(override and override.cancelled)
        if is_cancelled and not include_cancelled:
            continue
        meeting = reference_meeting(series, date, override, is_cancelled, tz)
        if lo_bound <= meeting.start < hi_bound:
            found.append(meeting)
    return sorted(found, key=reference_key)


def reference_between(
    cluster: Cluster, lo: dt.datetime, hi: dt.datetime, include_cancelled: bool = False
) -> list[Meeting]:
    found = []
    for series in cluster.meeting_series:
        found.extend(reference_expand(series, lo, hi, include_cancelled))
    found.extend(
        event_meetings(
            cluster.events, nogentech.recurrence.Window(lo, hi), include_cancelled=include_cancelled
        )
    )
    return sorted(found, key=reference_key)


def reference_upcoming(cluster: Cluster, n: int, after: dt.datetime) -> list[Meeting]:
    span = dt.timedelta(days=400)
    limit = after + dt.timedelta(days=365 * 200)
    while True:
        end = min(after + span, limit)
        found = [m for m in reference_between(cluster, after, end) if m.start > after]
        if len(found) >= n or end >= limit:
            return found[:n]
        span *= 4


# -- strict comparison ----------------------------------------------------------------


def _strict(value: object) -> object:
    if isinstance(value, dt.datetime):
        return (value.isoformat(), value.fold, value.tzinfo and str(value.tzinfo))
    return value


def strict(meeting: Meeting) -> dict[str, Any]:
    """Every field, datetimes with their fold and zone, linked objects by identity."""
    fields = attrs.asdict(meeting, recurse=False)
    out = {name: _strict(value) for name, value in fields.items()}
    for name in ("series", "event", "override"):
        out[name] = id(fields[name]) if fields[name] is not None else None
    out["start_tz_is"] = meeting.start.tzinfo is ZoneInfo(str(meeting.start.tzinfo))
    return out


def assert_same(found: list[Meeting], expected: list[Meeting]) -> None:
    assert [strict(m) for m in found] == [strict(m) for m in expected]


# -- data ------------------------------------------------------------------------------


@functools.cache
def synthetic_cluster(series: int, seed: int) -> Cluster:
    return nogentech.from_dict(synthetic.generate(60, series, seed=seed))


GAP_AND_FOLD_TIMES = (dt.time(2, 0), dt.time(2, 30), dt.time(2, 59, 59), dt.time(3, 0))


# Days on which clocks change in Europe (last Sundays of March and October), in the
# United States (second Sunday of March, first of November) and in Sydney.
CHANGE_DAYS = tuple(
    dt.date.fromisoformat(d)
    for d in (
        "2024-03-10", "2024-03-31", "2024-04-07", "2024-10-06", "2024-10-27", "2024-11-03",
        "2025-03-09", "2025-03-30", "2025-04-06", "2025-10-05", "2025-10-26", "2025-11-02",
        "2031-03-30", "2031-10-26",
    )
)  # fmt: skip


def with_time(series: MeetingSeries, time: dt.time, index: int) -> MeetingSeries | None:
    """``series`` starting at ``time`` with extra dates on the days clocks change, and
    some of its overrides moved to such a day and into the gap or fold."""
    overrides = tuple(
        attrs.evolve(
            o,
            start_time=GAP_AND_FOLD_TIMES[(i + index) % 4],
            moved_to=min(CHANGE_DAYS, key=lambda d: abs(d - o.date)) if i % 4 == 1 else o.moved_to,
        )
        if i % 2
        else o
        for i, o in enumerate(series.overrides)
    )
    extra = tuple(sorted(set(series.extra_dates) | set(CHANGE_DAYS)))
    try:
        return attrs.evolve(series, start_time=time, overrides=overrides, extra_dates=extra)
    except ValueError:
        return None


def local_midnight(series: MeetingSeries, day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=ZoneInfo(series.timezone))


WINDOWS = (
    (dt.date(2024, 1, 1), dt.date(2027, 1, 1)),
    (dt.date(2025, 3, 20), dt.date(2025, 4, 5)),
    (dt.date(2025, 10, 20), dt.date(2025, 11, 3)),
    (dt.date(2030, 1, 1), dt.date(2036, 1, 1)),
)


@pytest.mark.parametrize("seed", [4, 7])
def test_synthetic_series_expand_exactly_as_the_reference(seed: int) -> None:
    cluster = synthetic_cluster(60, seed)
    for series in cluster.meeting_series:
        for lo_day, hi_day in WINDOWS:
            lo, hi = local_midnight(series, lo_day), local_midnight(series, hi_day)
            for include in (False, True):
                found = series.occurrences(lo_day, hi_day, include_cancelled=include)
                assert_same(found, reference_expand(series, lo, hi, include))
                # twice: the second time dateutil's cache and the holiday tables are warm
                again = series.occurrences(lo_day, hi_day, include_cancelled=include)
                assert_same(again, found)


@pytest.mark.parametrize("time", GAP_AND_FOLD_TIMES)
def test_synthetic_series_at_gap_and_fold_times_expand_exactly_as_the_reference(
    time: dt.time,
) -> None:
    cluster = synthetic_cluster(60, 4)
    for index, plain in enumerate(cluster.meeting_series):
        series = with_time(plain, time, index)
        if series is None:
            continue
        for lo_day, hi_day in WINDOWS:
            lo, hi = local_midnight(series, lo_day), local_midnight(series, hi_day)
            found = series.occurrences(lo_day, hi_day, include_cancelled=True)
            assert_same(found, reference_expand(series, lo, hi, True))


def test_whole_synthetic_cluster_between_and_upcoming_as_the_reference() -> None:
    cluster = synthetic_cluster(60, 7)
    paris = ZoneInfo(cluster.timezone)
    for lo_day, hi_day in WINDOWS:
        lo, hi = local_midnight_in(paris, lo_day), local_midnight_in(paris, hi_day)
        for include in (False, True):
            found = cluster.meetings_between(lo_day, hi_day, include_cancelled=include)
            assert_same(found, reference_between(cluster, lo, hi, include))
    for after in (
        dt.datetime(2025, 1, 1, tzinfo=paris),
        dt.datetime(2025, 3, 30, 1, 0, tzinfo=UTC),
        dt.datetime(2031, 6, 12, 8, 30, tzinfo=paris),
    ):
        for n in (1, 5, 40):
            assert_same(cluster.upcoming(n, after=after), reference_upcoming(cluster, n, after))


def local_midnight_in(tz: ZoneInfo, day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=tz)


def test_moved_occurrences_are_sorted_by_their_new_start() -> None:
    """A move past its neighbours, and a new time earlier than the usual one."""
    paris = ZoneInfo("Europe/Paris")
    series = MeetingSeries(
        id="daily",
        name=Text(fr="Tous les jours"),
        first_date=dt.date(2025, 3, 24),
        start_time=dt.time(9, 0),
        duration=dt.timedelta(hours=1),
        rule="FREQ=DAILY;COUNT=10",
        overrides=(
            Override(date=dt.date(2025, 3, 25), moved_to=dt.date(2025, 3, 28)),
            Override(
                date=dt.date(2025, 3, 27), moved_to=dt.date(2025, 3, 28), start_time=dt.time(8)
            ),
            Override(date=dt.date(2025, 3, 30), start_time=dt.time(2, 30)),
        ),
    )
    found = series.occurrences(dt.date(2025, 3, 24), dt.date(2025, 4, 3))
    assert [(m.id[6:], m.start.isoformat()) for m in found] == [
        ("2025-03-24", "2025-03-24T09:00:00+01:00"),
        ("2025-03-26", "2025-03-26T09:00:00+01:00"),
        ("2025-03-27", "2025-03-28T08:00:00+01:00"),
        ("2025-03-25", "2025-03-28T09:00:00+01:00"),
        ("2025-03-28", "2025-03-28T09:00:00+01:00"),
        ("2025-03-29", "2025-03-29T09:00:00+01:00"),
        ("2025-03-30", "2025-03-30T03:30:00+02:00"),
        ("2025-03-31", "2025-03-31T09:00:00+02:00"),
        ("2025-04-01", "2025-04-01T09:00:00+02:00"),
        ("2025-04-02", "2025-04-02T09:00:00+02:00"),
    ]
    lo = dt.datetime(2025, 3, 24, tzinfo=paris)
    hi = dt.datetime(2025, 4, 3, tzinfo=paris)
    assert_same(found, reference_expand(series, lo, hi, False))


@settings(max_examples=120, deadline=None)
@given(
    series_strategy(),
    st.integers(-60, 700),
    st.integers(1, 900),
    st.sampled_from((None, *GAP_AND_FOLD_TIMES)),
    st.booleans(),
    st.sampled_from(("local", "utc")),
)
def test_random_series_expand_exactly_as_the_reference(
    series: MeetingSeries,
    offset: int,
    length: int,
    time: dt.time | None,
    include: bool,
    bounds: str,
) -> None:
    if time is not None:
        changed = with_time(series, time, offset)
        if changed is None:
            return
        series = changed
    day = series.first_date + dt.timedelta(days=offset)
    lo = local_midnight(series, day)
    hi = local_midnight(series, day + dt.timedelta(days=length))
    if bounds == "utc":
        lo, hi = lo.astimezone(UTC) + dt.timedelta(minutes=offset), hi.astimezone(UTC)
        found = series.occurrences(lo, hi, include_cancelled=include)
    else:
        found = series.occurrences(day, day + dt.timedelta(days=length), include_cancelled=include)
    assert_same(found, reference_expand(series, lo, hi, include))
