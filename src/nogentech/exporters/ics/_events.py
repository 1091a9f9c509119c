"""The VEVENTs of the ``ics`` feed: series, their overrides, one-off events, occurrences.

A series is a master VEVENT with RRULE (and RDATE for extra dates), then one VEVENT
per override or cancelled date with its RECURRENCE-ID; with ``expand`` each
occurrence is a VEVENT of its own. Each VEVENT goes through the ``nogentech_ics_event``
hook as soon as it is built.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ...meetings import Event, Meeting, MeetingSeries, event_meeting
from ...recurrence import Window, rule_text, window, zone
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


def _exceptions(series: MeetingSeries) -> list[Meeting]:
    """The occurrences that have an override or are cancelled, by date."""
    dates = {o.date for o in series.overrides} | set(series.cancelled)
    if not dates:
        return []
    bounds = dates | {o.moved_to for o in series.overrides if o.moved_to}
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
    if series.extra_dates:
        extra = sorted(series.extra_dates)
        master.add("rdate", [_local(d, series.start_time, series.timezone) for d in extra])
    hooks.ics_event(master, None, cluster, options)
    out = [master]
    for meeting in _exceptions(series):
        assert meeting.recurrence_date is not None
        event = props.vevent(uid, meeting, series)
        original = _local(meeting.recurrence_date, series.start_time, series.timezone)
        event.add("recurrence-id", original)
        hooks.ics_event(event, meeting, cluster, options)
        out.append(event)
    return out


def _occurrence_uid(cluster: Cluster, meeting: Meeting) -> str:
    if meeting.recurrence_date is None:
        return f"{meeting.uid_base}@{cluster.id}"
    return f"{meeting.uid_base}.{meeting.recurrence_date:%Y%m%d}@{cluster.id}"


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
