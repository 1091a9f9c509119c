"""What a meeting series promises: rule parts, zone, programme, holidays, the cluster API."""

from __future__ import annotations

import datetime as dt
import importlib.metadata
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nogentech
from nogentech import Cluster, Event, Meeting, MeetingSeries, Override, Text
from nogentech.testing import series as series_strategy

PARIS = ZoneInfo("Europe/Paris")
UTC = dt.UTC


def series_of(rule: str, first: dt.date, **changes: object) -> MeetingSeries:
    fields: dict[str, object] = {
        "id": "s",
        "name": Text(fr="Rencontre", en="Meeting"),
        "first_date": first,
        "start_time": dt.time(8, 30),
        "duration": dt.timedelta(hours=2),
        "rule": rule,
    }
    fields.update(changes)
    return MeetingSeries(**fields)  # type: ignore[arg-type]


def days(meetings: list[Meeting]) -> list[str]:
    return [m.start.date().isoformat() for m in meetings]


# -- 1. the rule and the series ---------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "first", "expected"),
    [
        (
            "FREQ=MONTHLY;BYDAY=-1FR;COUNT=4",
            dt.date(2024, 1, 26),
            ["2024-01-26", "2024-02-23", "2024-03-29", "2024-04-26"],
        ),
        (
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;COUNT=3",
            dt.date(2024, 12, 24),
            ["2024-12-24", "2025-01-07", "2025-01-21"],
        ),
        (
            "FREQ=YEARLY;BYMONTH=3,9;BYDAY=2TH;UNTIL=20250915",
            dt.date(2024, 3, 14),
            ["2024-03-14", "2024-09-12", "2025-03-13", "2025-09-11"],
        ),
        (
            "FREQ=MONTHLY;INTERVAL=3;BYDAY=1MO,-1MO;COUNT=4",
            dt.date(2024, 1, 1),
            ["2024-01-01", "2024-01-29", "2024-04-01", "2024-04-29"],
        ),
        ("FREQ=DAILY;COUNT=2", dt.date(2024, 2, 28), ["2024-02-28", "2024-02-29"]),
    ],
)
def test_rfc_5545_rule_parts(rule: str, first: dt.date, expected: list[str]) -> None:
    found = series_of(rule, first).occurrences(dt.date(2000, 1, 1), dt.date(2100, 1, 1))
    assert days(found) == expected
    assert all((m.start.hour, m.start.minute, m.start.tzinfo) == (8, 30, PARIS) for m in found)


@settings(max_examples=20)
@given(st.integers(2000, 2090), st.integers(1, 12))
def test_every_occurrence_of_minus_1fr_is_the_last_friday_of_its_month(
    year: int, month: int
) -> None:
    last = (dt.date(year + month // 12, month % 12 + 1, 1)) - dt.timedelta(days=1)
    last -= dt.timedelta(days=(last.weekday() - 4) % 7)
    found = series_of("FREQ=MONTHLY;BYDAY=-1FR", last).occurrences(
        last, dt.date(year + 5, month, 1)
    )
    assert len(found) == 60
    for meeting in found:
        day = meeting.start.date()
        assert day.weekday() == 4
        assert (day + dt.timedelta(days=7)).month != day.month


def test_invalid_rules_are_refused() -> None:
    for rule in ("FREQ=SOMETIMES", "BYDAY=2TH", "FREQ=MONTHLY;DTSTART=20240111", ""):
        with pytest.raises(ValueError):
            series_of(rule, dt.date(2024, 1, 11))


def test_timezones_default_to_paris_and_tzdata_is_a_dependency() -> None:
    series = series_of("FREQ=MONTHLY;BYDAY=2TH", dt.date(2024, 1, 11))
    assert series.timezone == "Europe/Paris"
    builtin = nogentech.load()
    assert builtin.meeting_series
    assert {s.timezone for s in builtin.meeting_series} == {"Europe/Paris"}
    requires = importlib.metadata.requires("nogentech") or []
    assert any(r.split(">")[0].split("=")[0].strip() == "tzdata" for r in requires)
    with pytest.raises(ValueError, match="IANA"):
        series_of("FREQ=DAILY", dt.date(2024, 1, 11), timezone="Paris")


def test_other_zones_keep_their_local_time() -> None:
    ny = series_of("FREQ=MONTHLY;BYDAY=2TH", dt.date(2024, 1, 11), timezone="America/New_York")
    found = ny.occurrences(dt.date(2024, 1, 1), dt.date(2024, 5, 1))
    assert [m.start.isoformat() for m in found] == [
        "2024-01-11T08:30:00-05:00",
        "2024-02-08T08:30:00-05:00",
        "2024-03-14T08:30:00-04:00",
        "2024-04-11T08:30:00-04:00",
    ]


def test_default_venue_and_a_bilingual_override_with_speakers_venue_and_time() -> None:
    override = Override(
        date=dt.date(2024, 2, 8),
        topic=Text(fr="La cybersécurité", en="Cybersecurity"),
        description=Text(fr="Avec démonstration", en="With a demo"),
        speakers=("alice", "acme"),
        venue="atelier",
        start_time=dt.time(9, 15),
        duration=dt.timedelta(minutes=90),
    )
    series = series_of(
        "FREQ=MONTHLY;BYDAY=2TH",
        dt.date(2024, 1, 11),
        venue="salle",
        description=Text(fr="Petit-déjeuner", en="Breakfast"),
        overrides=(override,),
    )
    plain, changed, after = series.occurrences(dt.date(2024, 1, 1), dt.date(2024, 4, 1))
    assert (plain.venue, plain.topic, plain.speakers, plain.description) == (
        "salle",
        None,
        (),
        Text(fr="Petit-déjeuner", en="Breakfast"),
    )
    assert after.venue == "salle"
    assert (changed.topic.get("fr"), changed.topic.get("en")) == (  # type: ignore[union-attr]
        "La cybersécurité",
        "Cybersecurity",
    )
    assert changed.description == Text(fr="Avec démonstration", en="With a demo")
    assert (changed.speakers, changed.venue) == (("alice", "acme"), "atelier")
    assert (changed.start.isoformat(), changed.end.isoformat()) == (
        "2024-02-08T09:15:00+01:00",
        "2024-02-08T10:45:00+01:00",
    )
    assert series.name.get("en") == "Meeting"


# -- 2. one occurrence --------------------------------------------------------------------


def test_a_meeting_exposes_its_times_programme_venue_state_and_series() -> None:
    series = series_of(
        "FREQ=MONTHLY;BYDAY=2TH",
        dt.date(2024, 1, 11),
        venue="salle",
        cancelled=(dt.date(2024, 3, 14),),
        overrides=(Override(date=dt.date(2024, 2, 8), topic=Text(fr="Sujet"), speakers=("bob",)),),
    )
    jan, feb, mar = series.occurrences(
        dt.date(2024, 1, 1), dt.date(2024, 4, 1), include_cancelled=True
    )
    for meeting in (jan, feb, mar):
        assert meeting.start.utcoffset() is not None
        assert meeting.end.utcoffset() is not None
        assert meeting.end - meeting.start == dt.timedelta(hours=2)
        assert meeting.series is series
        assert meeting.venue == "salle"
    assert (feb.topic, feb.speakers, feb.cancelled) == (Text(fr="Sujet"), ("bob",), False)
    assert (jan.topic, jan.speakers, jan.cancelled) == (None, (), False)
    assert mar.cancelled is True
    assert attrs.has(Meeting)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        jan.venue = "ailleurs"  # type: ignore[misc]


# -- 3. the API -----------------------------------------------------------------------------


def test_meetings_between_spans_every_series_and_event_in_order() -> None:
    first = series_of("FREQ=MONTHLY;BYDAY=2TH", dt.date(2024, 1, 11))
    second = attrs.evolve(
        series_of("FREQ=MONTHLY;BYDAY=-1FR", dt.date(2024, 1, 26)), id="vendredis"
    )
    event = Event(
        id="salon", name=Text(fr="Salon"), date=dt.date(2024, 2, 1), start_time=dt.time(10)
    )
    all_day = Event(id="visite", name=Text(fr="Visite"), date=dt.date(2024, 2, 8))
    cluster = Cluster(id="c", name="C", meeting_series=(second, first), events=(event, all_day))
    found = cluster.meetings_between(dt.date(2024, 1, 20), dt.date(2024, 3, 1))
    assert [m.id for m in found] == [
        "vendredis/2024-01-26",
        "salon",
        "visite",
        "s/2024-02-08",
        "vendredis/2024-02-23",
    ]
    starts = [m.start.astimezone(UTC) for m in found]
    assert starts == sorted(starts)
    assert cluster.next_meeting(after=dt.datetime(2024, 1, 27, tzinfo=PARIS)).id == "salon"  # type: ignore[union-attr]
    assert [m.id for m in cluster.upcoming(2, after=dt.datetime(2024, 2, 9, tzinfo=PARIS))] == [
        "vendredis/2024-02-23",
        "s/2024-03-14",
    ]


# -- 5. public holidays -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "fr", "en"),
    [
        ("2025-05-08", "Fête de la Victoire", "Victory Day"),
        ("2027-11-11", "Armistice", "Armistice Day"),
        ("2024-05-09", "Ascension", "Ascension Day"),
        ("2026-05-14", "Ascension", "Ascension Day"),
    ],
)
def test_second_thursdays_on_8_may_11_november_and_ascension_are_flagged(
    day: str, fr: str, en: str
) -> None:
    date = dt.date.fromisoformat(day)
    found = series_of("FREQ=MONTHLY;BYDAY=2TH", dt.date(2024, 1, 11)).occurrences(
        date - dt.timedelta(days=40), date + dt.timedelta(days=40)
    )
    flagged = {m.start.date(): m.holiday for m in found if m.is_holiday}
    assert flagged == {date: Text(fr=fr, en=en)}


def test_holiday_flags_follow_the_series_country() -> None:
    german = series_of("FREQ=YEARLY;BYMONTH=10;BYMONTHDAY=3", dt.date(2024, 10, 3))
    assert german.occurrences()[0].holiday is None  # not a French holiday
    (unity,) = attrs.evolve(german, holiday_country="DE").occurrences(
        dt.date(2024, 1, 1), dt.date(2025, 1, 1)
    )
    assert unity.holiday is not None
    assert unity.holiday.get("en") == "German Unity Day"


# -- 6. cancelled dates, at random ------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(series_strategy())
def test_a_cancelled_date_is_never_an_active_meeting(series: MeetingSeries) -> None:
    cancelled = set(series.cancelled) | {o.date for o in series.overrides if o.cancelled}
    lo, hi = series.first_date, series.first_date + dt.timedelta(days=900)
    active = series.occurrences(lo, hi)
    assert not any(m.cancelled for m in active)
    assert not any(m.recurrence_date in cancelled for m in active)
    every = series.occurrences(lo, hi, include_cancelled=True)
    assert [m for m in every if not m.cancelled] == active
    assert all(m.recurrence_date in cancelled for m in every if m.cancelled)
    cluster = Cluster(id=f"{series.id}-cluster", name="C", meeting_series=(series,))
    after = dt.datetime.combine(lo, dt.time(0), tzinfo=UTC) - dt.timedelta(days=2)
    for meeting in cluster.upcoming(10, after=after):
        assert not meeting.cancelled
        assert meeting.recurrence_date not in cancelled
