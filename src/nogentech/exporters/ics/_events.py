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
from typing import TYPE_CHECKING, Any

from ...meetings import Event, Meeting, MeetingSeries, event_meeting
from ...recurrence import Window, build_rule, rule_text, window, zone
from ._content import UTC, _Properties

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
    """The extra dates of ``series`` that its rule does not give."""
    extra = set(series.extra_dates)
    if not extra:
        return extra
    tz = zone(series.timezone)
    rule = build_rule(series.rule, series.first_date, series.start_time, series.timezone)
    lo = dt.datetime.combine(min(extra), dt.time(0), tzinfo=tz)
    hi = dt.datetime.combine(max(extra) + dt.timedelta(days=1), dt.time(0), tzinfo=tz)
    return extra - {stamp.date() for stamp in rule.between(lo, hi, inc=True)}


def _occurrences_on(series: MeetingSeries, dates: set[dt.date]) -> list[Meeting]:
    """The occurrences (cancelled ones too) of the rule or extra ``dates``, by id."""
    if not dates:
        return []
    bounds = dates | {o.moved_to for o in series.overrides if o.moved_to and o.date in dates}
    win = window(
        series.timezone, min(bounds) - dt.timedelta(days=2), max(bounds) + dt.timedelta(days=3)
    )
    found = series.expand_window(win, include_cancelled=True)
    return sorted((m for m in found if m.recurrence_date in dates), key=lambda m: m.id)


def _series_events(
    props: _Properties, series: MeetingSeries, hooks: Hooks, options: Mapping[str, Any]
) -> list[VEvent]:
    from icalendar.prop import vRecur

    cluster = props.cluster
    uid = f"{series.id}@{cluster.id}"
    master = props.vevent(uid, _master(series), series)
    master.add("rrule", vRecur.from_ical(rule_text(series.rule, zone(series.timezone))))
    hooks.ics_event(master, None, cluster, options)
    out = [master]
    extra = _extra_only(series)
    changed = {o.date for o in series.overrides} | set(series.cancelled)
    for meeting in _occurrences_on(series, changed - extra):
        assert meeting.recurrence_date is not None
        event = props.vevent(uid, meeting, series)
        original = _local(meeting.recurrence_date, series.start_time, series.timezone)
        event.add("recurrence-id", original)
        hooks.ics_event(event, meeting, cluster, options)
        out.append(event)
    # An extra date is an event of its own, not an RDATE of the master: sabre/vobject
    # drops the RRULE of a master that has RDATE, node-ical drops the RDATE.
    for meeting in _occurrences_on(series, extra):
        event = props.vevent(_occurrence_uid(cluster, meeting), meeting, series)
        hooks.ics_event(event, meeting, cluster, options)
        out.append(event)
    return out


def _occurrence_uid(cluster: Cluster, meeting: Meeting) -> str:
    if meeting.recurrence_date is None:
        return f"{meeting.uid_base}@{cluster.id}"
    return f"{meeting.uid_base}.{meeting.recurrence_date:%Y%m%d}@{cluster.id}"


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
    event = props.vevent(f"{meeting.uid_base}@{cluster.id}", meeting, item)
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
    """The VEVENTs of the feed: series and events, or their occurrences in ``expand_in``."""
    props = _Properties(cluster, options.get("lang") or "fr")
    if expand_in is not None:
        chosen = {s.id: s for s in series} | {e.id: e for e in events}
        found = cluster.meetings_between(expand_in.start, expand_in.end, include_cancelled=True)
        for meeting in found:
            if meeting.uid_base in chosen:
                uid = _occurrence_uid(cluster, meeting)
                vevent = props.vevent(uid, meeting, chosen[meeting.uid_base])
                hooks.ics_event(vevent, meeting, cluster, options)
                yield vevent
        return
    for s in series:
        yield from _series_events(props, s, hooks, options)
    for e in events:
        meeting = event_meeting(e)
        vevent = props.vevent(f"{e.id}@{cluster.id}", meeting, e)
        hooks.ics_event(vevent, meeting, cluster, options)
        yield vevent
