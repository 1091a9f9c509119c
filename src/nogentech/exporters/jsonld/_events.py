"""schema.org nodes of the meetings: an ``EventSeries`` with its ``Schedule`` per series,
an ``Event`` per programmed or cancelled occurrence and per one-off event.

A rule becomes a Schedule only when every part of it has a schema.org counterpart
(FREQ, INTERVAL, BYDAY with at most a week of the month from 1 to 5, BYMONTHDAY,
BYMONTH, COUNT, UNTIL); otherwise the series is given without one rather than with
a wrong one.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Any

from ...rules import basic_date
from ._org import node_id, ref

if TYPE_CHECKING:
    from ...cluster import Cluster
    from ...meetings import Event, Meeting, MeetingSeries

SCHEMA = "https://schema.org/"
_DAYS = {
    "MO": "Monday",
    "TU": "Tuesday",
    "WE": "Wednesday",
    "TH": "Thursday",
    "FR": "Friday",
    "SA": "Saturday",
    "SU": "Sunday",
}
_FREQ = {"DAILY": "D", "WEEKLY": "W", "MONTHLY": "M", "YEARLY": "Y"}
_BYDAY = re.compile(r"^([1-5])?(MO|TU|WE|TH|FR|SA|SU)$")


def _numbers(value: str) -> list[int] | int:
    items = [int(v) for v in value.split(",")]
    return items[0] if len(items) == 1 else items


def schedule(series: MeetingSeries) -> dict[str, Any] | None:
    """The series' rule as a schema.org ``Schedule``, or None when it has no exact one."""
    parts = dict(p.partition("=")[::2] for p in series.rule.upper().split(";") if p)
    freq = _FREQ.get(parts.pop("FREQ", ""))
    if freq is None:
        return None
    start = dt.datetime.combine(series.first_date, series.start_time)
    end = start + series.duration
    node: dict[str, Any] = {
        "@type": "Schedule",
        "repeatFrequency": f"P{int(parts.pop('INTERVAL', '1'))}{freq}",
        "startDate": series.first_date.isoformat(),
        "startTime": series.start_time.isoformat(),
        "endTime": end.time().isoformat(),
        "scheduleTimezone": series.timezone,
    }
    if "BYDAY" in parts:
        days, weeks = [], set()
        for item in parts.pop("BYDAY").split(","):
            found = _BYDAY.match(item)
            if found is None:
                return None
            days.append(SCHEMA + _DAYS[found[2]])
            weeks.add(int(found[1]) if found[1] else None)
        if len(weeks) > 1:
            return None
        node["byDay"] = days[0] if len(days) == 1 else days
        week = weeks.pop()
        if week is not None:
            node["byMonthWeek"] = week
    if "BYMONTHDAY" in parts:
        node["byMonthDay"] = _numbers(parts.pop("BYMONTHDAY"))
    if "BYMONTH" in parts:
        node["byMonth"] = _numbers(parts.pop("BYMONTH"))
    if "COUNT" in parts:
        node["repeatCount"] = int(parts.pop("COUNT"))
    if "UNTIL" in parts:
        node["endDate"] = basic_date(parts.pop("UNTIL")[:8]).isoformat()
    parts.pop("WKST", None)
    if parts:
        return None
    if series.cancelled:
        node["exceptDate"] = [d.isoformat() for d in sorted(series.cancelled)]
    return node


def _common(node: dict[str, Any], item: MeetingSeries | Event, lang: str) -> None:
    if item.description is not None:
        node["description"] = item.description.get(lang)
    organisers = [ref(o) for o in item.organisers]
    if organisers:
        node["organizer"] = organisers
    if item.url:
        node["url"] = item.url
    free = getattr(item, "free", None)
    if free is not None:
        node["isAccessibleForFree"] = free


def series_node(series: MeetingSeries, lang: str) -> dict[str, Any]:
    """A meeting series: an EventSeries with its Schedule where the rule has an exact one."""
    node: dict[str, Any] = {"@type": "EventSeries", "@id": node_id(series.id)}
    node["name"] = series.name.get(lang)
    _common(node, series, lang)
    found = schedule(series)
    if found is not None:
        node["eventSchedule"] = found
    if series.venue:
        node["location"] = ref(series.venue)
    return node


def _when(moment: dt.datetime, all_day: bool, last: bool = False) -> str:
    if all_day:
        return (moment.date() - dt.timedelta(days=1 if last else 0)).isoformat()
    return moment.isoformat()


def event_node(cluster: Cluster, meeting: Meeting, lang: str) -> dict[str, Any]:
    """An occurrence of a series (with its ``superEvent``) or a one-off event."""
    node: dict[str, Any] = {"@type": "Event", "@id": node_id(meeting.id)}
    node["name"] = (meeting.topic or meeting.title).get(lang)
    if meeting.series is not None:
        node["superEvent"] = ref(meeting.series.id)
        if meeting.description is not None and meeting.description != meeting.series.description:
            node["description"] = meeting.description.get(lang)
    elif meeting.event is not None:
        _common(node, meeting.event, lang)
    node["startDate"] = _when(meeting.start, meeting.all_day)
    node["endDate"] = _when(meeting.end, meeting.all_day, last=True)
    moved = meeting.override is not None and bool(
        meeting.override.moved_to or meeting.override.start_time
    )
    status = "EventCancelled" if meeting.cancelled else "EventScheduled"
    if moved and not meeting.cancelled:
        status = "EventRescheduled"
        assert meeting.series is not None and meeting.recurrence_date is not None
        original = dt.datetime.combine(meeting.recurrence_date, meeting.series.start_time)
        node["previousStartDate"] = original.replace(tzinfo=meeting.start.tzinfo).isoformat()
    node["eventStatus"] = SCHEMA + status
    performers = [ref(i) for i in (*meeting.speakers, *meeting.testimonies)]
    if performers:
        node["performer"] = performers
    if meeting.venue:
        node["location"] = ref(meeting.venue)
    return node


def shown_occurrences(cluster: Cluster) -> list[Meeting]:
    """The occurrences given as Events: those with a programme, and the cancelled ones."""
    out = []
    for series in cluster.meeting_series:
        dates = {o.date for o in series.overrides if o.topic or o.cancelled}
        dates |= set(series.cancelled)
        out += [cluster.meeting(f"{series.id}/{d.isoformat()}") for d in sorted(dates)]
    return out
