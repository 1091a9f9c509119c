"""How the ``ics`` feed is built: the calendar's header, its VTIMEZONEs and VEVENTs,
written directly (``_fast``) or through icalendar (see :mod:`nogentech.exporters.ics`).

Imported on the first export of the feed, so that registering the format is cheap.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ...exceptions import OptionError
from ...meetings import Event, Meeting, MeetingSeries, event_meeting
from . import _fast
from ._content import FALLBACK_STAMP, WORDS
from ._events import _occurrence_uid, _single, _vevents
from ._select import _dates, _refresh, _select, _window
from ._timezones import _vtimezone, last_year_needed
from ._values import _clock_duration, _clock_type, _feed_type, _text, _wall

if TYPE_CHECKING:
    from icalendar import Calendar

    from ...cluster import Cluster
    from ...plugins import Hooks

ZONE_YEARS_AFTER = 10
"""Years after the data's last date that each VTIMEZONE describes at least (and up to
the zone's last change of rules: see :func:`._timezones.last_year_needed`)."""


def feed_uid(cluster: Cluster, meeting: Meeting) -> str:
    """The UID the feed gives ``meeting``: that of its series or event, ``<id>@<cluster id>``."""
    return f"{meeting.uid_base}@{cluster.id}"


def recurrence_id(meeting: Meeting) -> dt.datetime | None:
    """The RECURRENCE-ID of an occurrence of a series in the feed; None for a one-off event.

    It is the start the rule gives the occurrence (its date at the series' start time,
    in the series' timezone), whatever the occurrence was moved to; on a day clocks
    skip that time, the local time as the rule gives it (which names the same
    instant as the time after the change).
    """
    series = meeting.series
    if series is None or meeting.recurrence_date is None:
        return None
    return _wall(meeting.recurrence_date, series.start_time, series.timezone)


def expanded_uid(cluster: Cluster, meeting: Meeting) -> str:
    """The UID of ``meeting`` in the expanded feed (``expand=true``): one per occurrence."""
    return _occurrence_uid(cluster, meeting)


def select(cluster: Cluster, options: Mapping[str, Any]) -> tuple[list[MeetingSeries], list[Event]]:
    """The series and events the ``series``, ``sub_cluster`` and ``commission`` options keep.

    An unknown id is an :class:`~nogentech.OptionError` naming the valid ones.
    """
    return _select(cluster, options)


def _title(
    cluster: Cluster, lang: str, series: Sequence[MeetingSeries], options: Mapping[str, Any]
) -> tuple[str, dt.timedelta, str]:
    """The feed's name, its refresh interval and nogentech's version (the header's values)."""
    from ...version import __version__

    only = options.get("series") or ()
    part = series[0].name.get(lang) if len(only) == 1 and series else WORDS[lang]["meetings"]
    return f"{cluster.name} · {part}", _refresh(options.get("refresh", "PT12H")), __version__


def _header(
    calendar: Calendar, cluster: Cluster, lang: str, title: tuple[str, dt.timedelta, str]
) -> None:
    name, refresh, version = title
    full = cluster.full_name.get(lang) if cluster.full_name else cluster.name
    calendar.add("prodid", f"-//nogentech//nogentech {version}//{lang.upper()}")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("name", _text(name))
    calendar.add("x-wr-calname", _text(name))
    calendar.add("x-wr-caldesc", _text(f"{WORDS[lang]['about']} {full}"))
    calendar.add("x-wr-timezone", cluster.timezone)
    calendar.add("refresh-interval", _clock_type()(refresh), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", _clock_duration(refresh))


def _direct(hooks: Hooks) -> bool:
    """Whether the feed is written directly as text: no plugin implements a hook that
    receives icalendar objects (``nogentech_ics_calendar``, ``nogentech_ics_event``)."""
    return not (hooks.has("nogentech_ics_calendar") or hooks.has("nogentech_ics_event"))


def render(cluster: Cluster, options: Mapping[str, Any], hooks: Hooks) -> bytes:
    """The iCalendar feed of ``cluster``'s meetings; same data and options, same bytes."""
    return _render(cluster, options, hooks, _direct(hooks))


def _render(cluster: Cluster, options: Mapping[str, Any], hooks: Hooks, fast: bool) -> bytes:
    """The feed, written directly (``fast``) or through icalendar: the same bytes."""
    lang = options.get("lang") or "fr"
    if options.get("occurrence"):
        return _render_one(cluster, options, hooks, str(options["occurrence"]), fast)
    series, events = _select(cluster, options)
    win = _window(cluster, options, series, events)
    expand = bool(options.get("expand"))
    if win is not None and not expand:
        series = [s for s in series if s.expand_window(win, include_cancelled=True)]
        events = [e for e in events if event_meeting(e).start in win]
    title = _title(cluster, lang, series, options)
    dates = _dates(cluster, series, events)
    first_year = min(dates, default=FALLBACK_STAMP.date()).year
    last_year = max(dates, default=FALLBACK_STAMP.date()).year + ZONE_YEARS_AFTER
    if win is not None and expand:
        last_year = max(last_year, win.end.year)
    names = {cluster.timezone, *(s.timezone for s in series), *(e.timezone for e in events)}
    zones = [(name, first_year, max(last_year, last_year_needed(name))) for name in sorted(names)]
    expand_in = win if expand else None
    if fast:
        return _fast.feed(cluster, options, title, zones, series, events, expand_in)
    calendar = _feed_type()()
    _header(calendar, cluster, lang, title)
    for zone in zones:
        calendar.add_component(_vtimezone(*zone))
    for vevent in _vevents(cluster, options, hooks, series, events, expand_in):
        calendar.add_component(vevent)
    hooks.ics_calendar(calendar, cluster, options)
    data: bytes = calendar.to_ical()
    return data


def _render_one(
    cluster: Cluster, options: Mapping[str, Any], hooks: Hooks, ident: str, fast: bool
) -> bytes:
    """A calendar of the single meeting ``ident``, as the feed writes it."""
    try:
        meeting = cluster.meeting(ident)
    except KeyError:
        raise OptionError(f"option 'occurrence': no meeting with id {ident!r}") from None
    lang = options.get("lang") or "fr"
    title = _title(cluster, lang, [], options)
    year = meeting.start.year
    item = meeting.series or meeting.event
    assert item is not None
    zones = [(name, year - 1, year + 1) for name in sorted({cluster.timezone, item.timezone})]
    original = recurrence_id(meeting)
    if fast:
        return _fast.feed(cluster, options, title, zones, [], [], None, (meeting, original))
    calendar = _feed_type()()
    _header(calendar, cluster, lang, title)
    for zone in zones:
        calendar.add_component(_vtimezone(*zone))
    calendar.add_component(_single(cluster, options, hooks, meeting, original))
    hooks.ics_calendar(calendar, cluster, options)
    data: bytes = calendar.to_ical()
    return data
