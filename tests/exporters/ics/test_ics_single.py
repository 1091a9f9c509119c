"""The ``occurrence`` option: one meeting as its own calendar, as the feed gives it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import icalendar
import pytest
import recurring_ical_events

import nogentech
from nogentech import Cluster
from nogentech.exceptions import OptionError

COMPARED = (
    "UID",
    "RECURRENCE-ID",
    "DTSTART",
    "DTEND",
    "SUMMARY",
    "DESCRIPTION",
    "LOCATION",
    "STATUS",
    "SEQUENCE",
    "DTSTAMP",
)


def _values(event: Any) -> dict[str, Any]:
    return {name: event[name].to_ical() for name in COMPARED if name in event}


def _in_feed(cluster: Cluster, ident: str, lang: str) -> dict[str, Any]:
    """The occurrence as recurring-ical-events expands it from the whole feed."""
    meeting = cluster.meeting(ident)
    calendar = icalendar.Calendar.from_ical(nogentech.export(cluster, "ics", lang=lang))
    recurring = {str(e["UID"]) for e in calendar.walk("VEVENT") if "RRULE" in e}
    day = meeting.start.date()
    found = recurring_ical_events.of(calendar).between(day, day + dt.timedelta(days=1))
    uid = f"{meeting.uid_base}@{cluster.id}"
    (event,) = [e for e in found if str(e["UID"]) == uid]
    values = _values(event)
    if uid not in recurring:
        values.pop("RECURRENCE-ID")  # the expander adds one to a one-off event
    return values


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize(
    "ident",
    ["jeudis/2024-01-11", "jeudis/2024-02-08", "jeudis/2024-03-14", "jeudis/2024-04-11", "salon"],
)
def test_single_meeting_has_the_feeds_uid_recurrence_id_and_content(
    demo: Cluster, ident: str, lang: str
) -> None:
    body = nogentech.export(demo, "ics", occurrence=ident, lang=lang)
    calendar = icalendar.Calendar.from_ical(body)
    (event,) = calendar.walk("VEVENT")
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]
    assert _values(event) == _in_feed(demo, ident, lang)


def test_moved_and_cancelled_occurrences_keep_their_rule_date(demo: Cluster) -> None:
    moved = icalendar.Calendar.from_ical(
        nogentech.export(demo, "ics", occurrence="jeudis/2024-03-14")
    )
    (event,) = moved.walk("VEVENT")
    assert event["RECURRENCE-ID"].to_ical() == b"20240314T083000"
    assert event["RECURRENCE-ID"].params["TZID"] == "Europe/Paris"
    assert event["DTSTART"].to_ical() == b"20240315T090000"
    cancelled = nogentech.export(demo, "ics", occurrence="jeudis/2024-04-11")
    assert b"\r\nSTATUS:CANCELLED\r\n" in cancelled
    assert b"\r\nUID:jeudis@demo\r\n" in cancelled


@pytest.mark.parametrize("ident", ["jeudis/2024-01-12", "jeudis", "nope", "alice", "jeudis/x"])
def test_unknown_meeting_is_an_option_error(demo: Cluster, ident: str) -> None:
    with pytest.raises(OptionError) as caught:
        nogentech.export(demo, "ics", occurrence=ident)
    assert str(caught.value) == f"option 'occurrence': no meeting with id {ident!r}"


def test_cluster_meeting_finds_every_occurrence_by_its_id(demo: Cluster) -> None:
    found = demo.meetings_between(dt.date(2024, 1, 1), dt.date(2025, 1, 1), include_cancelled=True)
    assert found
    for meeting in found:
        assert demo.meeting(meeting.id) == meeting
