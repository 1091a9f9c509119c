"""Occurrences at the edges: daylight-saving changes, naive bounds, UNTIL, "next" and "now"."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import attrs
import pytest

from nogentech import Cluster, Meeting, MeetingSeries, Override
from nogentech.recurrence import Window
from tests.support.series import thursdays

PARIS = ZoneInfo("Europe/Paris")
UTC = dt.UTC


def span(meeting: Meeting) -> tuple[str, str, str]:
    return (meeting.id, meeting.start.isoformat(), meeting.end.isoformat())


# -- overrides across daylight-saving changes ----------------------------------------


def test_override_moved_across_the_spring_change_keeps_its_wall_clock_time() -> None:
    series = thursdays(
        overrides=(Override(date=dt.date(2024, 3, 14), moved_to=dt.date(2024, 4, 4)),)
    )
    found = series.occurrences(dt.date(2024, 3, 1), dt.date(2024, 5, 1))
    assert [span(m) for m in found] == [
        ("jeudis/2024-03-14", "2024-04-04T08:30:00+02:00", "2024-04-04T10:30:00+02:00"),
        ("jeudis/2024-04-11", "2024-04-11T08:30:00+02:00", "2024-04-11T10:30:00+02:00"),
    ]
    # moved out of March: March has no meeting any more
    assert series.occurrences(dt.date(2024, 3, 1), dt.date(2024, 4, 1)) == []


def test_override_moved_back_across_the_autumn_change() -> None:
    series = thursdays(
        overrides=(Override(date=dt.date(2024, 11, 14), moved_to=dt.date(2024, 10, 24)),)
    )
    found = series.occurrences(dt.date(2024, 10, 1), dt.date(2024, 12, 1))
    assert [span(m) for m in found] == [
        ("jeudis/2024-10-10", "2024-10-10T08:30:00+02:00", "2024-10-10T10:30:00+02:00"),
        ("jeudis/2024-11-14", "2024-10-24T08:30:00+02:00", "2024-10-24T10:30:00+02:00"),
    ]


def test_override_to_a_time_in_the_spring_gap_starts_when_the_clock_jumps() -> None:
    """02:30 on 31 March 2024 does not exist in Paris: 03:30 CEST, the same instant as
    02:30 CET; the two hours still last two hours."""
    series = thursdays(
        overrides=(
            Override(
                date=dt.date(2024, 3, 14), moved_to=dt.date(2024, 3, 31), start_time=dt.time(2, 30)
            ),
        )
    )
    (moved,) = series.occurrences(dt.date(2024, 3, 31), dt.date(2024, 4, 1))
    assert span(moved) == (
        "jeudis/2024-03-14",
        "2024-03-31T03:30:00+02:00",
        "2024-03-31T05:30:00+02:00",
    )
    assert moved.start.astimezone(UTC).isoformat() == "2024-03-31T01:30:00+00:00"
    assert moved.end - moved.start == dt.timedelta(hours=2)


def test_override_to_a_time_in_the_autumn_fold_is_the_first_of_the_two() -> None:
    """02:30 on 27 October 2024 happens twice in Paris: the meeting is at the first
    (CEST); one hour later the clock reads 02:30 again (CET)."""
    series = thursdays(
        overrides=(
            Override(
                date=dt.date(2024, 11, 14),
                moved_to=dt.date(2024, 10, 27),
                start_time=dt.time(2, 30),
                duration=dt.timedelta(hours=1),
            ),
        )
    )
    (moved,) = series.occurrences(dt.date(2024, 10, 27), dt.date(2024, 10, 28))
    assert span(moved) == (
        "jeudis/2024-11-14",
        "2024-10-27T02:30:00+02:00",
        "2024-10-27T02:30:00+01:00",
    )
    assert (moved.start.fold, moved.end.fold) == (0, 1)
    assert moved.end.astimezone(UTC) - moved.start.astimezone(UTC) == dt.timedelta(hours=1)


def test_a_long_meeting_across_a_change_lasts_its_real_duration() -> None:
    series = thursdays(
        first_date=dt.date(2024, 10, 26),
        start_time=dt.time(20, 0),
        duration=dt.timedelta(hours=12),
        rule="FREQ=DAILY;COUNT=1",
    )
    (meeting,) = series.occurrences()
    assert (meeting.start.isoformat(), meeting.end.isoformat()) == (
        "2024-10-26T20:00:00+02:00",
        "2024-10-27T07:00:00+01:00",
    )


# -- windows ----------------------------------------------------------------------------


def test_dates_and_naive_datetimes_are_local_to_the_series() -> None:
    series = thursdays()
    aware = series.occurrences(
        dt.datetime(2024, 2, 1, tzinfo=PARIS), dt.datetime(2024, 4, 11, 8, 30, tzinfo=PARIS)
    )
    assert [m.id for m in aware] == ["jeudis/2024-02-08", "jeudis/2024-03-14"]
    assert series.occurrences(dt.date(2024, 2, 1), dt.datetime(2024, 4, 11, 8, 30)) == aware
    assert series.occurrences(dt.datetime(2024, 2, 1), dt.datetime(2024, 4, 11, 8, 31)) == [
        *aware,
        series.occurrences(dt.date(2024, 4, 11), dt.date(2024, 4, 12))[0],
    ]
    # the same instants given in UTC
    assert (
        series.occurrences(
            dt.datetime(2024, 1, 31, 23, 0, tzinfo=UTC), dt.datetime(2024, 4, 11, 6, 30, tzinfo=UTC)
        )
        == aware
    )


def test_cluster_windows_are_local_to_the_cluster_timezone() -> None:
    tokyo = Cluster(id="c", name="C", timezone="Asia/Tokyo", meeting_series=(thursdays(),))
    # 2024-02-08 08:30 Paris is 16:30 in Tokyo: a Tokyo day window finds it
    assert [m.id for m in tokyo.meetings_between(dt.date(2024, 2, 8), dt.date(2024, 2, 9))] == [
        "jeudis/2024-02-08"
    ]
    assert tokyo.meetings_between(dt.datetime(2024, 2, 8, 16, 31), dt.date(2024, 2, 9)) == []


@pytest.mark.parametrize("bad", ["2024-01-01", 20240101, 1.5])
def test_a_window_bound_that_is_not_a_date_is_a_clear_type_error(bad: object) -> None:
    with pytest.raises(TypeError, match="expected a date or a datetime"):
        thursdays().occurrences(bad, dt.date(2025, 1, 1))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="expected a date or a datetime"):
        Cluster(id="c", name="C").meetings_between(dt.date(2024, 1, 1), bad)  # type: ignore[arg-type]


def test_an_empty_or_reversed_window_has_no_meeting() -> None:
    series = thursdays()
    assert series.occurrences(dt.date(2024, 2, 8), dt.date(2024, 2, 8)) == []
    assert series.occurrences(dt.date(2024, 6, 1), dt.date(2024, 1, 1)) == []


def test_window_bounds_in_the_fold_are_instants() -> None:
    """At 02:30 on 27 October 2024 (fold=0, CEST) a daily meeting starts; a window
    opening at the second 02:30 (fold=1, CET) is an hour later and leaves it out."""
    series = thursdays(
        first_date=dt.date(2024, 10, 26),
        start_time=dt.time(2, 30),
        duration=dt.timedelta(minutes=30),
        rule="FREQ=DAILY;COUNT=3",
    )
    first = dt.datetime(2024, 10, 27, 2, 30, tzinfo=PARIS)
    second = first.replace(fold=1)
    found = series.occurrences(first, dt.date(2024, 10, 28))
    assert [m.id for m in found] == ["jeudis/2024-10-27"]
    assert series.occurrences(second, dt.date(2024, 10, 28)) == []
    assert series.occurrences(dt.datetime(2024, 10, 27, 2, 30, fold=1), dt.date(2024, 10, 28)) == []
    # and as an end bound: the meeting is before the second 02:30, not before the first
    assert [m.id for m in series.occurrences(dt.date(2024, 10, 27), second)] == [
        "jeudis/2024-10-27"
    ]
    assert series.occurrences(dt.date(2024, 10, 27), first) == []
    win = Window(second, second + dt.timedelta(hours=1))
    assert found[0].start not in win
    assert found[0].start + dt.timedelta(hours=1) not in win  # wall-clock +1h: same CEST offset
    assert found[0].start.astimezone(UTC) + dt.timedelta(hours=1) in win


def test_window_bound_in_the_spring_gap_is_read_like_a_meeting_time() -> None:
    """A naive 02:30 on 31 March 2024 names 03:30 CEST, as a meeting at 02:30 would."""
    series = thursdays(
        first_date=dt.date(2024, 3, 31),
        start_time=dt.time(3, 10),
        duration=dt.timedelta(minutes=20),
        rule="FREQ=DAILY;COUNT=1",
    )
    assert series.occurrences(dt.datetime(2024, 3, 31, 2, 30), dt.date(2024, 4, 1)) == []
    assert len(series.occurrences(dt.datetime(2024, 3, 31, 2, 0), dt.date(2024, 4, 1))) == 1


def test_a_naive_datetime_is_not_in_any_window() -> None:
    win = Window(dt.datetime(2024, 1, 1, tzinfo=UTC), dt.datetime(2025, 1, 1, tzinfo=UTC))
    with pytest.raises(TypeError, match="naive"):
        _ = dt.datetime(2024, 6, 1) in win
    assert dt.date(2024, 6, 1) not in win
    assert dt.datetime(2024, 6, 1, tzinfo=PARIS) in win


# -- UNTIL ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("until", "count"),
    [
        ("20241027T023000", 2),  # local, ambiguous: the first 02:30, as the meetings
        ("20241027T022959", 1),
        ("20241027T003000Z", 2),  # the same instant in UTC
        ("20241027T002959Z", 1),
        ("20241027", 2),  # the whole local day
        ("20241026", 1),
        ("20241026T235959Z", 1),  # 01:59:59 CEST on the 27th: before the meeting
    ],
)
def test_until_around_the_autumn_fold(until: str, count: int) -> None:
    series = thursdays(
        first_date=dt.date(2024, 10, 26),
        start_time=dt.time(2, 30),
        duration=dt.timedelta(minutes=30),
        rule=f"FREQ=DAILY;UNTIL={until}",
    )
    expected = ["2024-10-26T02:30:00+02:00", "2024-10-27T02:30:00+02:00"][:count]
    assert [m.start.isoformat() for m in series.occurrences()] == expected


def test_until_in_utc_and_local_time_name_the_same_instant_in_summer_and_winter() -> None:
    for local, utc in (
        ("20240711T083000", "20240711T063000Z"),
        ("20241212T083000", "20241212T073000Z"),
    ):
        by_local = thursdays(rule=f"FREQ=MONTHLY;BYDAY=2TH;UNTIL={local}").occurrences()
        by_utc = thursdays(rule=f"FREQ=MONTHLY;BYDAY=2TH;UNTIL={utc}").occurrences()
        assert by_local == by_utc
        assert by_local[-1].start.strftime("%Y%m%dT%H%M%S") == local


# -- next and in progress ---------------------------------------------------------------


def cluster_of(*series: MeetingSeries) -> Cluster:
    return Cluster(id="c", name="C", meeting_series=series)


def test_next_meeting_exactly_at_a_start_is_the_following_one() -> None:
    cluster = cluster_of(thursdays())
    at_start = dt.datetime(2024, 2, 8, 8, 30, tzinfo=PARIS)
    assert cluster.next_meeting(after=at_start).id == "jeudis/2024-03-14"  # type: ignore[union-attr]
    just_before = at_start - dt.timedelta(microseconds=1)
    assert cluster.next_meeting(after=just_before).id == "jeudis/2024-02-08"  # type: ignore[union-attr]
    # the same instant written in UTC
    assert cluster.next_meeting(after=at_start.astimezone(UTC)).id == "jeudis/2024-03-14"  # type: ignore[union-attr]


def test_a_meeting_in_progress_is_not_the_next_one() -> None:
    cluster = cluster_of(thursdays())
    during = dt.datetime(2024, 2, 8, 9, 45, tzinfo=PARIS)
    assert cluster.next_meeting(after=during).id == "jeudis/2024-03-14"  # type: ignore[union-attr]
    assert [m.id for m in cluster.upcoming(2, after=during)] == [
        "jeudis/2024-03-14",
        "jeudis/2024-04-11",
    ]
    # it is still found by a window that holds its start
    (current,) = cluster.meetings_between(dt.date(2024, 2, 8), during)
    assert current.start <= during < current.end


def test_next_meeting_after_a_date_is_after_local_midnight() -> None:
    cluster = cluster_of(thursdays())
    assert cluster.next_meeting(after=dt.date(2024, 2, 8)).id == "jeudis/2024-02-08"  # type: ignore[arg-type, union-attr]
    assert cluster.next_meeting(after=dt.datetime(2024, 2, 8, 8, 30)).id == "jeudis/2024-03-14"  # type: ignore[union-attr]


def test_next_meeting_in_a_spring_gap_morning() -> None:
    """A daily 02:30 meeting starts at 03:30 CEST on the day the clocks jump: "next"
    from 03:00 CEST finds it, from 03:30 CEST the day after."""
    daily = cluster_of(
        thursdays(
            first_date=dt.date(2024, 3, 29),
            start_time=dt.time(2, 30),
            duration=dt.timedelta(minutes=30),
            rule="FREQ=DAILY",
        )
    )
    found = daily.next_meeting(after=dt.datetime(2024, 3, 31, 3, 0, tzinfo=PARIS))
    assert found is not None
    assert found.start.isoformat() == "2024-03-31T03:30:00+02:00"
    found = daily.next_meeting(after=dt.datetime(2024, 3, 31, 3, 30, tzinfo=PARIS))
    assert found is not None
    assert found.start.isoformat() == "2024-04-01T02:30:00+02:00"


def test_upcoming_far_away_and_many() -> None:
    yearly = thursdays(rule="FREQ=YEARLY;INTERVAL=7;BYMONTH=1;BYDAY=2TH")
    cluster = cluster_of(yearly)
    after = dt.datetime(2024, 1, 12, tzinfo=PARIS)
    assert [m.start.date().isoformat() for m in cluster.upcoming(3, after=after)] == [
        "2031-01-09",
        "2038-01-14",
        "2045-01-12",
    ]
    monthly = cluster_of(thursdays())
    many = monthly.upcoming(30, after=after)
    assert len(many) == 30
    assert many == monthly.meetings_between(after, dt.date(2026, 8, 1))


def test_next_meeting_without_after_is_after_now() -> None:
    cluster = cluster_of(
        attrs.evolve(thursdays(), first_date=dt.date(2024, 1, 1), rule="FREQ=DAILY")
    )
    before = dt.datetime.now(UTC)
    found = cluster.next_meeting()
    after = dt.datetime.now(UTC)
    assert found is not None
    assert found.start > before
    assert found.start <= after + dt.timedelta(days=1)
    assert cluster.upcoming(3)[0].start > before
    assert len(cluster.upcoming(3)) == 3
