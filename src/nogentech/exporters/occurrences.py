"""The ``meetings-json`` exporter: the occurrences of a window as JSON, ready to show.

Each occurrence carries its start and end with their UTC offset, its zone, status,
programme and venue, and the UID and RECURRENCE-ID the iCalendar feed gives it.
The shape and the shipped JSON Schema are described in ``docs/meetings-json.md``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..exceptions import OptionError
from ..hookspecs import hookimpl
from ..people import Person
from ..plugins import LANG_OPTION, Exporter, Hooks, Option
from ..recurrence import zone

if TYPE_CHECKING:
    from ..cluster import Cluster
    from ..meetings import Meeting
    from ..plugins import ExporterRegistry
    from ..text import Text

MEDIA_TYPE = "application/json"
SCHEMA_VERSION = 1
MAX_YEARS = 20
"""How many years one document may span."""

OPTIONS = (
    LANG_OPTION,
    Option("from", "First day of the window (default: today in the cluster's timezone).", "date"),
    Option("to", "Day after the window (default: one year after 'from').", "date"),
    Option("series", "Only these meeting series (ids; leaves out one-off events).", "list"),
    Option("sub_cluster", "Only series and events linked to these sub-clusters (ids).", "list"),
    Option("commission", "Only series and events linked to these commissions (ids).", "list"),
)


def today(cluster: Cluster) -> dt.date:
    """Today's date in the cluster's timezone: where the default window starts."""
    return dt.datetime.now(zone(cluster.timezone)).date()


def window(cluster: Cluster, options: Mapping[str, Any]) -> tuple[dt.date, dt.date]:
    """The ``from`` and ``to`` days the options ask for, with their defaults."""
    first: dt.date = options.get("from") or today(cluster)
    last: dt.date | None = options.get("to")
    if last is None:
        try:
            last = first.replace(year=first.year + 1)
        except ValueError:  # 29 February
            last = first.replace(year=first.year + 1, day=28)
    if last <= first:
        raise OptionError(f"option 'to' ({last}) must be after 'from' ({first})")
    if last.year - first.year > MAX_YEARS:
        raise OptionError(f"a window spans at most {MAX_YEARS} years (asked for {first} to {last})")
    return first, last


def _text(value: Text | None, lang: str) -> str | None:
    return value.get(lang) if value is not None else None


def _who(cluster: Cluster, ids: Sequence[str], lang: str) -> list[dict[str, str]]:
    out = []
    for ident in ids:
        obj = cluster.get(ident)
        kind = "person" if isinstance(obj, Person) else "organisation"
        out.append({"id": ident, "name": cluster.name_of(ident, lang), "kind": kind})
    return out


def _venue(cluster: Cluster, ident: str | None, lang: str) -> dict[str, Any] | None:
    """The venue with the commune it lies in (None where the data gives none)."""
    if ident is None:
        return None
    place = cluster.place_of(ident)
    commune = place if place.kind == "commune" else None
    outer = place
    while commune is None and outer.within is not None:
        outer = cluster.place_of(outer.within)
        commune = outer if outer.kind == "commune" else None
    organisation = place.organisation
    return {
        "id": place.id,
        "name": place.name.get(lang),
        "kind": place.kind,
        "address": place.address,
        "place": None
        if commune is None or commune is place
        else {"id": commune.id, "name": commune.name.get(lang)},
        "organisation": None
        if organisation is None
        else {"id": organisation, "name": cluster.name_of(organisation, lang)},
    }


def occurrence(cluster: Cluster, meeting: Meeting, lang: str) -> dict[str, Any]:
    """One occurrence as the document writes it."""
    from .ics import feed_uid, recurrence_id

    series, event = meeting.series, meeting.event
    item = series or event
    original = recurrence_id(meeting)
    timezone = item.timezone if item is not None else cluster.timezone
    return {
        "id": meeting.id,
        "uid": feed_uid(cluster, meeting),
        "recurrence_id": original.isoformat() if original is not None else None,
        "title": meeting.title.get(lang),
        "series": None if series is None else {"id": series.id, "name": series.name.get(lang)},
        "event": None if event is None else {"id": event.id, "name": event.name.get(lang)},
        "start": meeting.start.isoformat(),
        "end": meeting.end.isoformat(),
        "timezone": timezone,
        "all_day": meeting.all_day,
        "status": "cancelled" if meeting.cancelled else "confirmed",
        "topic": _text(meeting.topic, lang),
        "description": _text(meeting.description, lang),
        "speakers": _who(cluster, meeting.speakers, lang),
        "testimonies": _who(cluster, meeting.testimonies, lang),
        "venue": _venue(cluster, meeting.venue, lang),
        "holiday": _text(meeting.holiday, lang),
        "url": item.url if item is not None else None,
        "sequence": meeting.sequence,
    }


def meetings(cluster: Cluster, options: Mapping[str, Any]) -> list[Meeting]:
    """The occurrences the options keep, cancelled ones included, sorted by start then id."""
    from ..meetings import bounded_meetings
    from ..recurrence import window as zone_window
    from .ics import select

    series, events = select(cluster, options)
    first, last = window(cluster, options)
    return bounded_meetings(series, events, zone_window(cluster.timezone, first, last))


def document(cluster: Cluster, options: Mapping[str, Any]) -> dict[str, Any]:
    """The whole document as a dict (see ``docs/meetings-json.md``)."""
    lang = options.get("lang") or "fr"
    first, last = window(cluster, options)
    return {
        "schema_version": SCHEMA_VERSION,
        "cluster": {"id": cluster.id, "name": cluster.name},
        "lang": lang,
        "timezone": cluster.timezone,
        "from": first.isoformat(),
        "to": last.isoformat(),
        "meetings": [occurrence(cluster, m, lang) for m in meetings(cluster, options)],
    }


def render(cluster: Cluster, options: Mapping[str, Any], hooks: Hooks) -> bytes:
    """UTF-8 JSON of the occurrences in the window; same data and options, same bytes."""
    import json

    text = json.dumps(document(cluster, options), ensure_ascii=False, indent=2)
    return (text + "\n").encode("utf-8")


@hookimpl
def nogentech_register_exporters(registry: ExporterRegistry) -> None:
    """Register the ``meetings-json`` format."""
    registry.add(
        Exporter(
            name="meetings-json",
            extension="json",
            media_type=MEDIA_TYPE,
            description="The occurrences of a window as JSON, with the feed's UID and "
            "RECURRENCE-ID of each (schema: meetings.schema.json).",
            render=render,
            options=OPTIONS,
        )
    )
