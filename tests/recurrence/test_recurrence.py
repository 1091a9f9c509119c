"""Occurrences of meeting series: rules, time zones, overrides, cancellations and holidays."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import attrs
import holidays
import pytest
from dateutil.rrule import rrulestr
from hypothesis import given, settings
from hypothesis import strategies as st

from nogentech import Cluster, Event, Meeting, MeetingSeries, Override, Text
from nogentech.testing import series as series_strategy
from nogentech.testing import texts, times
from tests.support.series import thursdays

PARIS = ZoneInfo("Europe/Paris")
UTC = dt.UTC


def starts(meetings: list[Meeting]) -> list[str]:
    return [m.start.isoformat() for m in meetings]


def last_sunday(year: int, month: int) -> dt.date:
    day = dt.date(year, month + 1, 1) - dt.timedelta(days=1)
    return day - dt.timedelta(days=(day.weekday() - 6) % 7)


# -- the rule ---------------------------------------------------------------------


@settings(max_examples=30)
@given(st.integers(1990, 2080), st.integers(1, 12))
def test_every_occurrence_of_2th_is_the_second_thursday_of_its_month(year: int, month: int) -> None:
    first = dt.date(year, month, 1)
    first += dt.timedelta(days=(3 - first.weekday()) % 7 + 7)
    meetings = thursdays(first_date=first).occurrences(first, dt.date(year + 20, month, 1))
    assert len(meetings) == 240
    for index, meeting in enumerate(meetings):
        local = meeting.start
        assert local.weekday() == 3
        assert 8 <= local.day <= 14
        assert (local.year * 12 + local.month) - (year * 12 + month) == index
        assert (local.hour, local.minute) == (8, 30)
        assert meeting.recurrence_date == local.date()
        assert meeting.id == f"jeudis/{local.date().isoformat()}"


def test_first_date_must_be_an_occurrence_of_the_rule() -> None:
    with pytest.raises(ValueError) as info:
        thursdays(first_date=dt.date(2024, 1, 12))
    assert str(info.value) == (
        "invalid recurrence rule 'FREQ=MONTHLY;BYDAY=2TH': "
        "first_date 2024-01-12 is not an occurrence of the rule"
    )


def test_rule_may_start_with_the_rrule_name() -> None:
    meetings = thursdays(rule="RRULE:FREQ=MONTHLY;BYDAY=2TH;COUNT=2").occurrences()
    assert starts(meetings) == ["2024-01-11T08:30:00+01:00", "2024-02-08T08:30:00+01:00"]


# -- time zones -----------------------------------------------------------------


def test_local_start_stays_0830_across_every_dst_change_2023_to_2035() -> None:
    daily = thursdays(
        first_date=dt.date(2023, 1, 1), rule="FREQ=DAILY", duration=dt.timedelta(hours=1)
    )
    meetings = daily.occurrences(dt.date(2023, 1, 1), dt.date(2036, 1, 1))
    assert len(meetings) == (dt.date(2036, 1, 1) - dt.date(2023, 1, 1)).days
    for day_index, meeting in enumerate(meetings):
        day = dt.date(2023, 1, 1) + dt.timedelta(days=day_index)
        summer = last_sunday(day.year, 3) <= day < last_sunday(day.year, 10)
        offset = "+02:00" if summer else "+01:00"
        assert meeting.start.isoformat() == f"{day.isoformat()}T08:30:00{offset}"
        assert meeting.end.isoformat() == f"{day.isoformat()}T09:30:00{offset}"


def test_offsets_on_each_side_of_the_2024_changes() -> None:
    daily = thursdays(first_date=dt.date(2024, 3, 30), rule="FREQ=DAILY")
    assert starts(daily.occurrences(dt.date(2024, 3, 30), dt.date(2024, 4, 1))) == [
        "2024-03-30T08:30:00+01:00",
        "2024-03-31T08:30:00+02:00",
    ]
    assert starts(daily.occurrences(dt.date(2024, 10, 26), dt.date(2024, 10, 28))) == [
        "2024-10-26T08:30:00+02:00",
        "2024-10-27T08:30:00+01:00",
    ]
    assert [
        m.start.astimezone(UTC).hour
        for m in daily.occurrences(dt.date(2024, 3, 30), dt.date(2024, 4, 1))
    ] == [7, 6]


def test_second_thursdays_2023_to_2035_are_winter_or_summer_time_by_month() -> None:
    meetings = thursdays(first_date=dt.date(2023, 1, 12)).occurrences(
        dt.date(2023, 1, 1), dt.date(2036, 1, 1)
    )
    assert len(meetings) == 13 * 12
    for meeting in meetings:
        offset = "+02:00" if 4 <= meeting.start.month <= 10 else "+01:00"
        assert meeting.start.isoformat().endswith(f"T08:30:00{offset}")
        assert meeting.end.isoformat().endswith(f"T10:30:00{offset}")
        assert meeting.start.tzinfo is PARIS


def test_time_in_the_spring_forward_gap_moves_forward() -> None:
    """02:30 does not exist on the last Sunday of March in Paris: the meeting starts at 03:30."""
    early = thursdays(
        first_date=dt.date(2024, 3, 30),
        start_time=dt.time(2, 30),
        duration=dt.timedelta(hours=1),
        rule="FREQ=DAILY;COUNT=3",
    )
    meetings = early.occurrences()
    assert starts(meetings) == [
        "2024-03-30T02:30:00+01:00",
        "2024-03-31T03:30:00+02:00",
        "2024-04-01T02:30:00+02:00",
    ]
    assert meetings[1].end.isoformat() == "2024-03-31T04:30:00+02:00"
    assert meetings[1].recurrence_date == dt.date(2024, 3, 31)
    # A window around the real start finds it, though the rule's wall time is 02:30.
    window = early.occurrences(
        dt.datetime(2024, 3, 31, 3, 0, tzinfo=PARIS), dt.datetime(2024, 3, 31, 4, 0, tzinfo=PARIS)
    )
    assert starts(window) == ["2024-03-31T03:30:00+02:00"]


def test_time_repeated_at_the_autumn_change_is_the_first_one() -> None:
    early = thursdays(
        first_date=dt.date(2024, 10, 27),
        start_time=dt.time(2, 30),
        duration=dt.timedelta(hours=1),
        rule="FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU;COUNT=2",
    )
    meetings = early.occurrences()
    assert starts(meetings) == ["2024-10-27T02:30:00+02:00", "2025-10-26T02:30:00+02:00"]
    assert meetings[0].end.isoformat() == "2024-10-27T02:30:00+01:00"


@pytest.mark.parametrize(
    ("until", "last"),
    [
        ("UNTIL=20240314", "2024-03-14"),
        ("UNTIL=20240313", "2024-02-08"),
        ("UNTIL=20240314T083000", "2024-03-14"),
        ("UNTIL=20240314T082959", "2024-02-08"),
        ("UNTIL=20240314T073000Z", "2024-03-14"),
        ("UNTIL=20240314T072959Z", "2024-02-08"),
        ("UNTIL=20240711T063000Z", "2024-07-11"),
        ("UNTIL=20240711T062959Z", "2024-06-13"),
    ],
)
def test_until_as_a_local_date_a_local_time_or_utc(until: str, last: str) -> None:
    """UNTIL is inclusive; a local value is read in the series' zone (08:30 CET = 07:30 UTC)."""
    meetings = thursdays(rule=f"FREQ=MONTHLY;BYDAY=2TH;{until}").occurrences()
    assert meetings[0].start.isoformat() == "2024-01-11T08:30:00+01:00"
    assert meetings[-1].start.date().isoformat() == last


@settings(max_examples=150)
@given(
    series_strategy(extras=False, until_forms=("utc",)),
    st.integers(-60, 900),
    st.integers(1, 900),
    st.one_of(st.none(), times),
)
def test_occurrences_match_dateutil(
    series: MeetingSeries, offset: int, length: int, at: dt.time | None
) -> None:
    """Start instants in a window equal those dateutil gives for the same rule and start.

    The window is given as local dates (``at`` None) or as UTC instants starting at
    the local time ``at``.
    """
    tz = ZoneInfo(series.timezone)
    day = series.first_date + dt.timedelta(days=offset)
    lo = dt.datetime.combine(day, at or dt.time(0), tzinfo=tz).astimezone(UTC)
    hi = (lo + dt.timedelta(days=length)).astimezone(UTC)
    if at is None:
        hi = dt.datetime.combine(day + dt.timedelta(days=length), dt.time(0), tzinfo=tz)
        found = series.occurrences(day, day + dt.timedelta(days=length))
    else:
        found = series.occurrences(lo, hi)
    dtstart = dt.datetime.combine(series.first_date, series.start_time, tzinfo=tz)
    rule = rrulestr(series.rule, dtstart=dtstart)
    margin = dt.timedelta(days=2)
    expected = [
        d.astimezone(UTC)
        for d in rule.between(lo.astimezone(tz) - margin, hi.astimezone(tz) + margin, inc=True)
        if lo <= d.astimezone(UTC) < hi
    ]
    assert [m.start.astimezone(UTC) for m in found] == expected
    for meeting in found:
        assert meeting.start.astimezone(tz).replace(tzinfo=None) >= dt.datetime.combine(
            meeting.recurrence_date, series.start_time
        )
        assert meeting.end.astimezone(UTC) - meeting.start.astimezone(UTC) == series.duration


# -- overrides, cancellations, extra dates -----------------------------------------


def test_override_changes_only_its_own_occurrence() -> None:
    plain = thursdays(venue="salle")
    changed = attrs.evolve(
        plain,
        overrides=(
            Override(
                date=dt.date(2024, 3, 14),
                topic=Text(fr="Recruter sans CV"),
                venue="atelier",
                speakers=("carol",),
                moved_to=dt.date(2024, 3, 15),
                start_time=dt.time(9, 0),
                duration=dt.timedelta(hours=1),
                sequence=2,
            ),
        ),
    )
    before = plain.occurrences(dt.date(2024, 1, 1), dt.date(2024, 7, 1))
    after = changed.occurrences(dt.date(2024, 1, 1), dt.date(2024, 7, 1))
    assert [m.id for m in after] == [m.id for m in before]
    moved = after[2]
    assert [m for m in after if m is not moved] == [m for m in before if m is not before[2]]
    assert moved.id == "jeudis/2024-03-14"
    assert moved.start.isoformat() == "2024-03-15T09:00:00+01:00"
    assert moved.end.isoformat() == "2024-03-15T10:00:00+01:00"
    assert (moved.topic, moved.venue, moved.speakers) == (
        Text(fr="Recruter sans CV"),
        "atelier",
        ("carol",),
    )
    assert (moved.recurrence_date, moved.sequence, moved.programmed) == (
        dt.date(2024, 3, 14),
        2,
        True,
    )
    assert (before[2].venue, before[2].topic, before[2].programmed) == ("salle", None, False)


@settings(max_examples=60)
@given(series_strategy(extras=False), st.data())
def test_an_override_never_touches_its_neighbours(
    series: MeetingSeries, data: st.DataObject
) -> None:
    window = (series.first_date, series.first_date + dt.timedelta(days=800))
    plain = series.occurrences(*window)
    target = data.draw(st.sampled_from(plain)).recurrence_date
    override = Override(
        date=target,
        topic=data.draw(texts()),
        start_time=data.draw(times),
        venue="somewhere",
    )
    changed = attrs.evolve(series, overrides=(override,)).occurrences(*window)
    assert [m for m in changed if m.recurrence_date != target] == [
        m for m in plain if m.recurrence_date != target
    ]
    (mine,) = [m for m in changed if m.recurrence_date == target]
    assert (mine.topic, mine.venue) == (override.topic, "somewhere")
    assert mine.start.astimezone(ZoneInfo(series.timezone)).date() == target
    assert mine.override is override


def test_cancelled_dates_are_never_active_meetings() -> None:
    series = thursdays(
        cancelled=(dt.date(2024, 2, 8),),
        overrides=(Override(date=dt.date(2024, 3, 14), cancelled=True),),
    )
    active = series.occurrences(dt.date(2024, 1, 1), dt.date(2024, 5, 1))
    assert [m.id for m in active] == ["jeudis/2024-01-11", "jeudis/2024-04-11"]
    assert not any(m.cancelled for m in active)
    every = series.occurrences(dt.date(2024, 1, 1), dt.date(2024, 5, 1), include_cancelled=True)
    assert [(m.id, m.cancelled) for m in every] == [
        ("jeudis/2024-01-11", False),
        ("jeudis/2024-02-08", True),
        ("jeudis/2024-03-14", True),
        ("jeudis/2024-04-11", False),
    ]
    cluster = Cluster(id="c", name="C", meeting_series=(series,))
    assert [m.id for m in cluster.meetings_between(dt.date(2024, 2, 1), dt.date(2024, 4, 1))] == []
    after = dt.datetime(2024, 2, 1, tzinfo=PARIS)
    assert cluster.next_meeting(after=after).id == "jeudis/2024-04-11"  # type: ignore[union-attr]
    assert [m.id for m in cluster.upcoming(2, after=after)] == [
        "jeudis/2024-04-11",
        "jeudis/2024-05-09",
    ]


def test_extra_dates_appear_at_the_series_time() -> None:
    series = thursdays(extra_dates=(dt.date(2024, 1, 25), dt.date(2024, 7, 1)))
    assert starts(series.occurrences(dt.date(2024, 1, 1), dt.date(2024, 3, 1))) == [
        "2024-01-11T08:30:00+01:00",
        "2024-01-25T08:30:00+01:00",
        "2024-02-08T08:30:00+01:00",
    ]
    extra = series.occurrences(dt.date(2024, 7, 1), dt.date(2024, 7, 2))
    assert [(m.id, m.start.isoformat()) for m in extra] == [
        ("jeudis/2024-07-01", "2024-07-01T08:30:00+02:00")
    ]


def test_window_is_half_open_and_a_moved_occurrence_counts_at_its_new_date() -> None:
    series = thursdays(
        overrides=(Override(date=dt.date(2024, 3, 14), moved_to=dt.date(2024, 3, 15)),)
    )
    start = dt.datetime(2024, 1, 11, 8, 30)
    assert [m.id for m in series.occurrences(start, dt.date(2024, 1, 12))] == ["jeudis/2024-01-11"]
    assert series.occurrences(dt.date(2024, 1, 1), start) == []
    assert series.occurrences(dt.date(2024, 3, 14), dt.date(2024, 3, 15)) == []
    moved = series.occurrences(dt.date(2024, 3, 15), dt.date(2024, 3, 16))
    assert [(m.id, m.start.isoformat()) for m in moved] == [
        ("jeudis/2024-03-14", "2024-03-15T08:30:00+01:00")
    ]


# -- whole clusters ---------------------------------------------------------------


def test_meetings_between_merges_series_and_events_in_order(demo: Cluster) -> None:
    found = demo.meetings_between(dt.date(2024, 1, 1), dt.date(2024, 6, 1))
    assert [(m.id, m.start.isoformat()) for m in found] == [
        ("jeudis/2024-01-11", "2024-01-11T08:30:00+01:00"),
        ("jeudis/2024-02-08", "2024-02-08T08:30:00+01:00"),
        ("visite", "2024-02-08T14:00:00+01:00"),
        ("jeudis/2024-03-14", "2024-03-15T09:00:00+01:00"),
        ("salon", "2024-03-20T00:00:00+01:00"),
        ("jeudis/2024-05-09", "2024-05-09T08:30:00+02:00"),
    ]
    salon = found[4]
    assert (salon.all_day, salon.end.isoformat(), salon.venue) == (
        True,
        "2024-03-22T00:00:00+01:00",
        "chaumont",
    )
    with_cancelled = demo.meetings_between(
        dt.date(2024, 4, 1), dt.date(2024, 5, 1), include_cancelled=True
    )
    assert [(m.id, m.cancelled) for m in with_cancelled] == [("jeudis/2024-04-11", True)]


def test_meetings_at_the_same_instant_are_ordered_by_id(demo: Cluster) -> None:
    early = Event(
        id="accueil",
        name=Text(fr="Accueil"),
        date=dt.date(2024, 1, 11),
        start_time=dt.time(7, 30),
        timezone="UTC",
    )
    late = Event(
        id="zinc", name=Text(fr="Zinc"), date=dt.date(2024, 1, 11), start_time=dt.time(8, 30)
    )
    cluster = attrs.evolve(demo, events=(late, early))
    found = cluster.meetings_between(dt.date(2024, 1, 11), dt.date(2024, 1, 12))
    assert [(m.id, m.start.isoformat()) for m in found] == [
        ("accueil", "2024-01-11T07:30:00+00:00"),
        ("jeudis/2024-01-11", "2024-01-11T08:30:00+01:00"),
        ("zinc", "2024-01-11T08:30:00+01:00"),
    ]


def test_next_meeting_and_upcoming_start_strictly_after(demo: Cluster) -> None:
    at_eight_thirty = dt.datetime(2024, 2, 8, 8, 30, tzinfo=PARIS)
    after = demo.next_meeting(after=at_eight_thirty)
    assert after is not None
    assert (after.id, after.start.isoformat()) == ("visite", "2024-02-08T14:00:00+01:00")
    just_before = demo.next_meeting(after=dt.datetime(2024, 2, 8, 7, 29, tzinfo=UTC))
    assert just_before is not None
    assert just_before.id == "jeudis/2024-02-08"
    naive = demo.next_meeting(after=dt.datetime(2024, 4, 1))
    assert naive is not None
    assert (naive.id, naive.start.isoformat()) == (
        "jeudis/2024-05-09",
        "2024-05-09T08:30:00+02:00",
    )
    upcoming = demo.upcoming(4, after=dt.datetime(2024, 1, 1, tzinfo=PARIS))
    assert [m.id for m in upcoming] == [
        "jeudis/2024-01-11",
        "jeudis/2024-02-08",
        "visite",
        "jeudis/2024-03-14",
    ]
    assert demo.upcoming(0, after=dt.datetime(2024, 1, 1, tzinfo=PARIS)) == []


def test_nothing_left_after_a_finite_rule_and_past_events(demo: Cluster) -> None:
    finite = attrs.evolve(demo, meeting_series=(thursdays(rule="FREQ=MONTHLY;BYDAY=2TH;COUNT=3"),))
    after = dt.datetime(2024, 2, 9, tzinfo=PARIS)
    assert [m.id for m in finite.upcoming(5, after=after)] == [
        "jeudis/2024-03-14",
        "salon",
    ]
    late = dt.datetime(2024, 3, 21, tzinfo=PARIS)
    assert finite.next_meeting(after=late) is None
    assert finite.upcoming(3, after=late) == []
    assert Cluster(id="c", name="C").next_meeting(after=late) is None


# -- public holidays --------------------------------------------------------------


def test_second_thursdays_on_french_public_holidays_are_flagged() -> None:
    years = range(2023, 2036)
    french = holidays.country_holidays("FR", years=years, language="fr")
    english = holidays.country_holidays("FR", years=years, language="en_US")
    meetings = thursdays(first_date=dt.date(2023, 1, 12)).occurrences(
        dt.date(2023, 1, 1), dt.date(2036, 1, 1)
    )
    flagged = {m.start.date(): m.holiday for m in meetings if m.holiday is not None}
    expected = {
        m.start.date(): Text(fr=french[m.start.date()], en=english[m.start.date()])
        for m in meetings
        if m.start.date() in french
    }
    assert flagged == expected
    assert len(expected) >= 5
    assert all(m.is_holiday == (m.start.date() in french) for m in meetings)
    some_day = min(expected)
    assert expected[some_day].fr != expected[some_day].en


def test_no_flags_without_a_holiday_country() -> None:
    series = thursdays(holiday_country=None)
    meetings = series.occurrences(dt.date(2024, 5, 1), dt.date(2024, 6, 1))
    assert [(m.id, m.holiday) for m in meetings] == [("jeudis/2024-05-09", None)]
    flagged = thursdays().occurrences(dt.date(2024, 5, 1), dt.date(2024, 6, 1))
    french = holidays.country_holidays("FR", years=2024, language="fr")
    assert flagged[0].holiday is not None
    assert flagged[0].holiday.fr == french[dt.date(2024, 5, 9)]
