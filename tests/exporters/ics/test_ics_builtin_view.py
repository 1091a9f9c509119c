"""The built-in feed as a subscriber's calendar app reads it.

Every expected value is computed from the built-in data through the model (names,
venues, speakers), never typed in here, so the tests follow the data. The feed is
read back with ``ical``, a parser independent of ``icalendar``.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from ical.calendar_stream import IcsCalendarStream
from icalendar import Calendar

import nogentech

PARIS = ZoneInfo("Europe/Paris")
UTC = dt.UTC
FEEDS = [
    pytest.param({}, id="fr"),
    pytest.param({"lang": "en"}, id="en"),
    pytest.param({"expand": True}, id="fr-expanded"),
    pytest.param({"expand": True, "lang": "en"}, id="en-expanded"),
]
DATE_TIME_PROPERTIES = ("DTSTART", "DTEND", "RECURRENCE-ID", "RDATE", "EXDATE")


@pytest.fixture(scope="module")
def builtin() -> nogentech.Cluster:
    if not nogentech.builtin_path().exists():
        pytest.skip("the built-in data file is not there yet")
    return nogentech.load()


def unfolded(data: bytes) -> list[str]:
    return data.decode("utf-8").replace("\r\n ", "").split("\r\n")


def vevent_blocks(lines: list[str]) -> list[list[str]]:
    """The lines of each VEVENT, BEGIN and END left out."""
    blocks: list[list[str]] = []
    current: list[str] | None = None
    for line in lines:
        if line == "BEGIN:VEVENT":
            current = []
        elif line == "END:VEVENT" and current is not None:
            blocks.append(current)
            current = None
        elif current is not None:
            current.append(line)
    return blocks


@pytest.mark.parametrize("options", FEEDS)
def test_no_floating_times_and_every_tzid_has_a_vtimezone(
    builtin: nogentech.Cluster, options: dict[str, object]
) -> None:
    """Each date-time of a VEVENT carries a TZID the feed defines, or is a DATE;
    stamps are UTC; the VTIMEZONE of Paris has a STANDARD and a DAYLIGHT part."""
    data = nogentech.export(builtin, "ics", **options)
    lines = unfolded(data)
    defined = {line[5:] for line in lines if line.startswith("TZID:")}
    assert "Europe/Paris" in defined
    body = lines[max(i for i, line in enumerate(lines) if line == "END:VTIMEZONE") :]
    checked = 0
    for line in body:
        name, _, value = line.partition(":")
        prop, *params = name.split(";")
        if prop in DATE_TIME_PROPERTIES:
            checked += 1
            if "VALUE=DATE" in params:
                assert all(re.fullmatch(r"\d{8}", v) for v in value.split(",")), line
            else:
                (tzid,) = [p[5:] for p in params if p.startswith("TZID=")]
                assert tzid in defined, line
                assert all(re.fullmatch(r"\d{8}T\d{6}", v) for v in value.split(",")), line
        elif prop in ("DTSTAMP", "LAST-MODIFIED"):
            assert re.fullmatch(r"\d{8}T\d{6}Z", value), line
    assert checked > 10
    (paris,) = [tz for tz in Calendar.from_ical(data).timezones if tz["TZID"] == "Europe/Paris"]
    assert sorted({part.name for part in paris.subcomponents}) == ["DAYLIGHT", "STANDARD"]


@pytest.mark.parametrize("options", FEEDS)
def test_one_summary_description_and_location_per_vevent(
    builtin: nogentech.Cluster, options: dict[str, object]
) -> None:
    """One feed per language: no text property repeated, none tagged with LANGUAGE."""
    data = nogentech.export(builtin, "ics", **options)
    blocks = vevent_blocks(unfolded(data))
    assert blocks
    for block in blocks:
        names = [re.split("[;:]", line, maxsplit=1)[0] for line in block]
        for prop in ("SUMMARY", "DESCRIPTION", "LOCATION", "UID", "DTSTART", "SEQUENCE"):
            assert names.count(prop) <= 1, (prop, block)
        assert names.count("SUMMARY") == 1
        assert not any(";LANGUAGE=" in line.split(":", 1)[0] for line in block)


def ical_events(data: bytes) -> list[Any]:
    return list(IcsCalendarStream.calendar_from_ics(data.decode("utf-8")).events)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_programmed_thursdays_read_by_ical_at_their_instant_with_venue_and_speakers(
    builtin: nogentech.Cluster, lang: str
) -> None:
    """Each programmed Thursday, read by ``ical``: the RECURRENCE-ID at 08:30, the
    start at the library's instant (UTC value and offset compared exactly) and at
    the series' local time, the topic as SUMMARY, the venue and commune as
    LOCATION, the speakers' and testimonies' names in DESCRIPTION."""
    series = builtin.series("rencontres-du-jeudi")
    events = ical_events(nogentech.export(builtin, "ics", lang=lang))
    overrides = {
        e.recurrence_id: e
        for e in events
        if e.uid == "rencontres-du-jeudi@nogentech" and e.recurrence_id is not None
    }
    programmed = [o for o in series.overrides if o.topic is not None and not o.cancelled]
    assert programmed
    for override in programmed:
        assert override.topic is not None
        (meeting,) = [
            m
            for m in series.occurrences(override.date, override.date + dt.timedelta(days=1))
            if m.recurrence_date == override.date
        ]
        key = dt.datetime.combine(override.date, series.start_time).strftime("%Y%m%dT%H%M%S")
        event = overrides[key]
        start = event.dtstart
        assert isinstance(start, dt.datetime) and start.utcoffset() is not None
        wanted = meeting.start
        assert (start.astimezone(UTC), start.utcoffset()) == (
            wanted.astimezone(UTC),
            wanted.utcoffset(),
        )
        assert start.astimezone(PARIS).time() == (override.start_time or series.start_time)
        assert event.summary == override.topic.get(lang)
        assert meeting.venue is not None
        venue = builtin.place_of(meeting.venue)
        assert venue.within is not None
        commune = builtin.place_of(venue.within)
        location = f"{venue.name.get(lang)}, {commune.name.get(lang)}"
        assert event.location == location
        description = event.description
        assert description.splitlines()[:2] == [series.name.get(lang), override.topic.get(lang)]
        assert description.endswith(location)
        for ident in (*override.speakers, *override.testimonies):
            person = builtin.get(ident)
            name = getattr(person, "name", None)
            label = name if isinstance(name, str) else builtin.name_of(ident, lang)
            assert label in description, (ident, description)


def test_expanded_feed_gives_each_occurrence_its_own_uid_and_no_duplicates(
    builtin: nogentech.Cluster,
) -> None:
    """Expanded: one VEVENT per occurrence, each UID once, none with RRULE or
    RECURRENCE-ID; the UIDs do not depend on the render."""
    data = nogentech.export(builtin, "ics", expand=True)
    calendar = Calendar.from_ical(data)
    uids = [str(e["UID"]) for e in calendar.events]
    assert len(uids) == len(set(uids))
    assert all("RRULE" not in e and "RECURRENCE-ID" not in e for e in calendar.events)
    assert data == nogentech.export(nogentech.load(), "ics", expand=True)
