"""The ``ics`` exporter: the meetings as an iCalendar feed (RFC 5545) ready for subscription.

The feed's layout, options, stable UIDs and text rules are described in ``docs/ics.md``;
the private modules of this package build its values, VEVENTs and VTIMEZONEs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ...exceptions import OptionError
from ...hookspecs import hookimpl
from ...meetings import Event, Meeting, MeetingSeries, event_meeting
from ...plugins import LANG_OPTION, Exporter, Hooks, Option
from . import _fast
from ._content import FALLBACK_STAMP, WORDS
from ._events import _local, _occurrence_uid, _single, _vevents
from ._select import _dates, _refresh, _select, _window
from ._timezones import _vtimezone
from ._values import _clock_duration, _clock_type, _feed_type, _text, clean_text, escape_text

if TYPE_CHECKING:
    from icalendar import Calendar

    from ...cluster import Cluster
    from ...plugins import ExporterRegistry

__all__ = [
    "FALLBACK_STAMP",
    "MEDIA_TYPE",
    "clean_text",
    "escape_text",
    "expanded_uid",
    "feed_uid",
    "recurrence_id",
    "render",
    "select",
]

MEDIA_TYPE = "text/calendar"
ZONE_YEARS_AFTER = 10
"""Years after the data's last date that each VTIMEZONE is checked for."""

OPTIONS = (
    LANG_OPTION,
    Option(
        "expand",
        "One VEVENT per occurrence, without RRULE (for clients that ignore recurrence).",
        "bool",
        False,
    ),
    Option(
        "start",
        "Keep meetings starting on or after this day; with expand, default: the first meeting.",
        "date",
    ),
    Option(
        "end",
        "Keep meetings starting before this day; with expand, default: 1 January two years "
        "after the last date the data mentions.",
        "date",
    ),
    Option("series", "Only these meeting series (ids; leaves out one-off events).", "list"),
    Option("sub_cluster", "Only series and events linked to these sub-clusters (ids).", "list"),
    Option("commission", "Only series and events linked to these commissions (ids).", "list"),
    Option("refresh", "Suggested refresh interval, an RFC 5545 duration.", "str", "PT12H"),
    Option(
        "occurrence",
        "Only this meeting (an id such as series-id/YYYY-MM-DD, or an event id), with the "
        "UID and RECURRENCE-ID it has in the feed.",
        "str",
    ),
)


def feed_uid(cluster: Cluster, meeting: Meeting) -> str:
    """The UID the feed gives ``meeting``: that of its series or event, ``<id>@<cluster id>``."""
    return f"{meeting.uid_base}@{cluster.id}"


def recurrence_id(meeting: Meeting) -> dt.datetime | None:
    """The RECURRENCE-ID of an occurrence of a series in the feed; None for a one-off event.

    It is the start the rule gives the occurrence (its date at the series' start time,
    in the series' timezone), whatever the occurrence was moved to.
    """
    series = meeting.series
    if series is None or meeting.recurrence_date is None:
        return None
    return _local(meeting.recurrence_date, series.start_time, series.timezone)


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
    zones = [(name, first_year, last_year) for name in sorted(names)]
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


@hookimpl
def nogentech_register_exporters(registry: ExporterRegistry) -> None:
    """Register the ``ics`` format."""
    registry.add(
        Exporter(
            name="ics",
            extension="ics",
            media_type=MEDIA_TYPE,
            description="The meetings as an iCalendar feed to subscribe to (RFC 5545).",
            render=render,
            options=OPTIONS,
        )
    )
