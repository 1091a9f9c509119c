"""The ``ics`` exporter: the meetings as an iCalendar feed (RFC 5545) ready for subscription.

The feed's layout, options, stable UIDs and text rules are described in ``docs/ics.md``;
the private modules of this package build its values, VEVENTs and VTIMEZONEs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ...hookspecs import hookimpl
from ...meetings import MeetingSeries, event_meeting
from ...plugins import LANG_OPTION, Exporter, Hooks, Option
from ._content import FALLBACK_STAMP, WORDS
from ._events import _vevents
from ._select import _dates, _refresh, _select, _window
from ._timezones import _vtimezone
from ._values import _clock_duration, _clock_type, _feed_type, _text, clean_text, escape_text

if TYPE_CHECKING:
    from icalendar import Calendar

    from ...cluster import Cluster
    from ...plugins import ExporterRegistry

__all__ = ["FALLBACK_STAMP", "MEDIA_TYPE", "clean_text", "escape_text", "render"]

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
)


def _header(
    calendar: Calendar,
    cluster: Cluster,
    lang: str,
    series: Sequence[MeetingSeries],
    options: Mapping[str, Any],
) -> None:
    from ...version import __version__

    words = WORDS[lang]
    only = options.get("series") or ()
    part = series[0].name.get(lang) if len(only) == 1 and series else words["meetings"]
    name = f"{cluster.name} · {part}"
    full = cluster.full_name.get(lang) if cluster.full_name else cluster.name
    refresh = _refresh(options.get("refresh", "PT12H"))
    calendar.add("prodid", f"-//nogentech//nogentech {__version__}//{lang.upper()}")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("name", _text(name))
    calendar.add("x-wr-calname", _text(name))
    calendar.add("x-wr-caldesc", _text(f"{words['about']} {full}"))
    calendar.add("x-wr-timezone", cluster.timezone)
    calendar.add("refresh-interval", _clock_type()(refresh), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", _clock_duration(refresh))


def render(cluster: Cluster, options: Mapping[str, Any], hooks: Hooks) -> bytes:
    """The iCalendar feed of ``cluster``'s meetings; same data and options, same bytes."""
    lang = options.get("lang") or "fr"
    series, events = _select(cluster, options)
    win = _window(cluster, options, series, events)
    expand = bool(options.get("expand"))
    if win is not None and not expand:
        series = [s for s in series if s.expand_window(win, include_cancelled=True)]
        events = [e for e in events if event_meeting(e).start in win]
    calendar = _feed_type()()
    _header(calendar, cluster, lang, series, options)
    dates = _dates(cluster, series, events)
    first_year = min(dates, default=FALLBACK_STAMP.date()).year
    last_year = max(dates, default=FALLBACK_STAMP.date()).year + ZONE_YEARS_AFTER
    if win is not None and expand:
        last_year = max(last_year, win.end.year)
    for name in sorted(
        {cluster.timezone, *(s.timezone for s in series), *(e.timezone for e in events)}
    ):
        calendar.add_component(_vtimezone(name, first_year, last_year))
    for vevent in _vevents(cluster, options, hooks, series, events, win if expand else None):
        calendar.add_component(vevent)
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
