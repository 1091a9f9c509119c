"""The ``ics`` exporter: the meetings as an iCalendar feed (RFC 5545) ready for subscription.

Layout of the feed:

* ``VCALENDAR`` with PRODID, VERSION, CALSCALE, METHOD:PUBLISH, NAME and
  X-WR-CALNAME, X-WR-CALDESC, X-WR-TIMEZONE, REFRESH-INTERVAL and X-PUBLISHED-TTL (both in
  hours, ``PT12H``, whatever form the ``refresh`` option has).
* One ``VTIMEZONE`` per zone used (and the cluster's zone) with its STANDARD and
  DAYLIGHT observances, read from the tz database from the year before the first
  meeting to ten years after the last date the data mentions. A change that follows
  one weekday rule for at least twelve years up to then is written as an open-ended
  yearly RRULE, so the zone stays right for series without an end; other changes
  are listed with RDATE.
* A series is one master VEVENT (DTSTART;TZID, DTEND, RRULE with UNTIL in UTC, RDATE
  for extra dates), then one VEVENT per override or cancelled date with the same UID
  and a RECURRENCE-ID. Cancelled dates stay in the feed as STATUS:CANCELLED rather
  than EXDATE, so that clients drop copies they already hold. With ``expand=true``
  every occurrence is a VEVENT of its own, without RRULE or RECURRENCE-ID.
* A one-off event is one VEVENT; an all-day one has VALUE=DATE and an exclusive DTEND.

Options: ``series``, ``sub_cluster`` and ``commission`` keep what is linked to those
ids (an unknown id is an :class:`~nogentech.OptionError` naming the valid ones);
``start`` and ``end`` keep the series with an occurrence in the window, whole with
all their overrides, and the events starting in it. With ``expand`` they bound the
occurrences; by default from the first meeting to 1 January two years after the
last date the data mentions (its ``updated`` stamp included), never from today.

Stable output: the UID of a series or event is ``<id>@<cluster id>``; an expanded
occurrence is ``<series id>.<YYYYMMDD>@<cluster id>`` where the date is the one the
rule gave (a dot never occurs in an id, so the two kinds never clash). DTSTAMP and
LAST-MODIFIED are the ``updated`` stamp of the event, series or override (the later
of series and override), else the cluster's ``updated``; without any, DTSTAMP is
:data:`FALLBACK_STAMP` and LAST-MODIFIED is left out. SEQUENCE is the data's
``sequence``. The same data and options give the same bytes: nothing reads the clock.

Text: TEXT values are escaped here (section 3.3.11) rather than by icalendar, whose
escaping turns a backslash followed by ``N`` into a line break. CR LF and a lone CR
become LF; the control characters RFC 5545 forbids in TEXT (all but tab and line
breaks) and U+FEFF are dropped. The organiser's name (the CN parameter of
ORGANIZER) is cleaned the same way, with tabs as spaces; icalendar writes it with
the RFC 6868 escapes (``^n``, ``^'``, ``^^``). icalendar folds lines at 75 octets
without splitting a UTF-8 character, and ends them with CR LF.

Shared values: the values that many VEVENTs of one feed repeat (DTSTAMP and
LAST-MODIFIED, STATUS, SEQUENCE, the LOCATION of a venue, the CATEGORIES, URL and
ORGANIZER of a series, the SUMMARY and DESCRIPTION of occurrences without a
programme) are built once per render and the same object is set in each of those
VEVENTs, and the feed makes and folds the content line of such a value once. The
bytes are those of adding every property to every VEVENT. A plugin that changes a
VEVENT sets or adds properties (``event["LOCATION"] = ...``, ``event.add(...)``);
changing a value object in place would change it in every VEVENT that shares it.
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
    from ... import __version__

    words = WORDS[lang]
    only = options.get("series") or ()
    part = series[0].name.get(lang) if len(only) == 1 and series else words["meetings"]
    name = f"{cluster.name} · {part}"
    full = cluster.full_name.get(lang) if cluster.full_name else cluster.name
    refresh = _refresh(options.get("refresh", "PT12H"))
    calendar.add("prodid", f"-//nogentech//nogentech {__version__}//{lang.upper()}")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
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
