"""The VEVENTs of the ``ics`` feed: series, their overrides, one-off events, occurrences.

A series is a master VEVENT with RRULE, then one VEVENT per override or cancelled
date with its RECURRENCE-ID, then one VEVENT of its own per extra date the rule does
not give (no RDATE: see ``docs/clients.md``); with ``expand`` each occurrence is a
VEVENT of its own. Each VEVENT goes through the ``nogentech_ics_event`` hook as soon
as it is built.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from ...meetings import (
    Event,
    Meeting,
    MeetingSeries,
    bounded_meetings,
    dates_off_the_rule,
    event_meeting,
    occurrences_on,
)
from ...recurrence import Window, rule_text, zone
from ._content import UTC, _Properties
from ._values import _wall

if TYPE_CHECKING:
    from icalendar import Event as VEvent

    from ...cluster import Cluster
    from ...plugins import Hooks


def _local(date: dt.date, time: dt.time, name: str) -> dt.datetime:
    tz = zone(name)
    return dt.datetime.combine(date, time, tzinfo=tz).astimezone(UTC).astimezone(tz)


def _master(series: MeetingSeries) -> Meeting:
    """The master VEVENT's content as a meeting: the series' own fields at its first date."""
    start = _local(series.first_date, series.start_time, series.timezone)
    end = (start.astimezone(UTC) + series.duration).astimezone(start.tzinfo)
    return Meeting(
        uid_base=series.id,
        title=series.name,
        start=start,
        end=end,
        series=series,
        description=series.description,
        venue=series.venue,
        sequence=series.sequence,
        updated=series.updated,
    )


def _extra_only(series: MeetingSeries) -> set[dt.date]:
    """The extra dates of ``series`` that its rule does not give.

    Each date is told by the series' date test where it has one, so that most
    rules are not run from their first date to the last extra date.
    """
    return set(dates_off_the_rule(series, series.extra_dates))


def _occurrences_on(series: MeetingSeries, dates: set[dt.date]) -> list[Meeting]:
    """The occurrences (cancelled ones too) of the rule or extra ``dates``, by id."""
    return occurrences_on(series, dates, include_cancelled=True)


class _Spec(NamedTuple):
    """What one VEVENT of the feed is made of, whichever way the feed is written."""

    uid: str
    meeting: Meeting
    item: MeetingSeries | Event
    rule: str | None
    """The RRULE value of a series' master VEVENT; None for the others."""
    original: dt.datetime | None
    """The RECURRENCE-ID of an override or cancelled date; None for the others."""
    master: bool


def _series_specs(cluster: Cluster, series: MeetingSeries) -> Iterator[_Spec]:
    uid = f"{series.id}@{cluster.id}"
    rule = rule_text(series.rule, zone(series.timezone))
    yield _Spec(uid, _master(series), series, rule, None, True)
    extra = _extra_only(series)
    changed = {o.date for o in series.overrides} | set(series.cancelled)
    for meeting in _occurrences_on(series, changed - extra):
        assert meeting.recurrence_date is not None
        original = _wall(meeting.recurrence_date, series.start_time, series.timezone)
        yield _Spec(uid, meeting, series, None, original, False)
    # An extra date is an event of its own, not an RDATE of the master: sabre/vobject
    # drops the RRULE of a master that has RDATE, node-ical drops the RDATE.
    for meeting in _occurrences_on(series, extra):
        yield _Spec(_occurrence_uid(cluster, meeting), meeting, series, None, None, False)


def _specs(
    cluster: Cluster,
    series: Sequence[MeetingSeries],
    events: Sequence[Event],
    expand_in: Window | None,
) -> Iterator[_Spec]:
    """The VEVENTs of the feed: series and events, or their occurrences in ``expand_in``."""
    if expand_in is not None:
        chosen = {s.id: s for s in series} | {e.id: e for e in events}
        for meeting in bounded_meetings(series, events, expand_in):
            item = chosen[meeting.uid_base]
            yield _Spec(_occurrence_uid(cluster, meeting), meeting, item, None, None, False)
        return
    for s in series:
        yield from _series_specs(cluster, s)
    for e in events:
        yield _Spec(f"{e.id}@{cluster.id}", event_meeting(e), e, None, None, False)


def _occurrence_uid(cluster: Cluster, meeting: Meeting) -> str:
    day = meeting.recurrence_date
    if day is None:
        return f"{meeting.uid_base}@{cluster.id}"
    return f"{meeting.uid_base}.{day.year:04}{day.month:02}{day.day:02}@{cluster.id}"


def _single(
    cluster: Cluster,
    options: Mapping[str, Any],
    hooks: Hooks,
    meeting: Meeting,
    original: dt.datetime | None,
) -> VEvent:
    """The VEVENT of one meeting with the UID (and RECURRENCE-ID) it has in the feed."""
    props = _Properties(cluster, options.get("lang") or "fr")
    item = meeting.series or meeting.event
    assert item is not None
    event = props.vevent(f"{meeting.uid_base}@{cluster.id}", meeting, item, master=False)
    if original is not None:
        event.add("recurrence-id", original)
    hooks.ics_event(event, meeting, cluster, options)
    return event


def _vevents(
    cluster: Cluster,
    options: Mapping[str, Any],
    hooks: Hooks,
    series: Sequence[MeetingSeries],
    events: Sequence[Event],
    expand_in: Window | None,
) -> Iterator[VEvent]:
    """The VEVENTs of the feed as icalendar components, each through the hook once built."""
    from icalendar.prop import vRecur

    props = _Properties(cluster, options.get("lang") or "fr")
    for spec in _specs(cluster, series, events, expand_in):
        vevent = props.vevent(spec.uid, spec.meeting, spec.item, master=spec.master)
        if spec.rule is not None:
            vevent.add("rrule", vRecur.from_ical(spec.rule))
        if spec.original is not None:
            vevent.add("recurrence-id", spec.original)
        hooks.ics_event(vevent, None if spec.master else spec.meeting, cluster, options)
        yield vevent
